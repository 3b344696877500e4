// Fresh attribute objects on every call (the common `counter.add(1, { ... })` style) go through
// a lookup index: it must agree exactly with the canonical attribute-set rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { DataPoint } from "../../src/metrics/types.ts";
import { view } from "../../src/metrics/view.ts";

async function points(reader: ManualMetricReader, name: string): Promise<Array<DataPoint<unknown>>> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return [...(metric?.dataPoints ?? [])] as Array<DataPoint<unknown>>;
}

test("fresh objects with the same attributes in any key order, or with undefined values, are one series", async () => {
  const reader = new ManualMetricReader();
  const counter = new MeterProvider({ readers: [reader] }).getMeter("m").createCounter("c");
  for (let i = 0; i < 5; i++) {
    counter.add(1, { a: "1", b: 2 });
    counter.add(1, { b: 2, a: "1" });
    counter.add(1, { a: "1", b: 2, z: undefined });
  }
  counter.add(5, { a: 1, b: 2 }); // a number, not the string "1": another series
  const ps = await points(reader, "c");
  assert.is(ps.length, 2);
  const byA = new Map(ps.map((p) => [typeof p.attributes.a, p.value]));
  assert.is(byA.get("string"), 15);
  assert.is(byA.get("number"), 5);
});

test("the cardinality limit and the overflow series hold with fresh objects", async () => {
  const reader = new ManualMetricReader();
  const counter = new MeterProvider({ readers: [reader], cardinalityLimit: 3 }).getMeter("m").createCounter("c");
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 6; i++) counter.add(1, { id: `u${i}` });
  }
  const ps = await points(reader, "c");
  const overflow = ps.find((p) => p.attributes["otel.metric.overflow"] === true);
  assert.ok(overflow, "an overflow series exists");
  assert.is(overflow!.value, 9, "3 attribute sets beyond the limit × 3 rounds");
  assert.is(ps.length, 4, "3 series + overflow");
  assert.is(ps.reduce((n, p) => n + (p.value as number), 0), 18, "nothing lost");
});

test("a view that keeps only some keys merges fresh objects that differ in dropped keys", async () => {
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader], views: [view({ instrumentName: "c", attributeKeys: ["route"] })] });
  const counter = provider.getMeter("m").createCounter("c");
  for (let i = 0; i < 100; i++) counter.add(1, { route: "/a", "request.id": `r${i}` });
  const ps = await points(reader, "c");
  assert.is(ps.length, 1);
  assert.equal({ ...ps[0]!.attributes }, { route: "/a" });
  assert.is(ps[0]!.value, 100);
});


test("the shape index (values of the first key sequence seen) agrees with the canonical rules", async () => {
  const reader = new ManualMetricReader();
  const h = new MeterProvider({ readers: [reader] }).getMeter("m").createHistogram("h");
  const methods = ["GET", "POST", "PUT", "DELETE"];
  // A deterministic sequence mixing the shape, other key orders, supersets, subsets,
  // nullish values, numbers vs strings vs booleans, and inherited keys.
  const expected = new Map<string, number>();
  const canon = (o: Record<string, unknown>) =>
    JSON.stringify(Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null).sort().map((k) => [k, typeof o[k], o[k]]));
  for (let i = 0; i < 400; i++) {
    const m = methods[i & 3]!;
    let attrs: Record<string, unknown>;
    switch (i % 7) {
      case 0: attrs = { method: m, route: "/r", status: 200 }; break;
      case 1: attrs = { status: 200, method: m, route: "/r" }; break;
      case 2: attrs = { method: m, route: "/r", status: "200" }; break;
      case 3: attrs = { method: m, route: "/r", status: 200, extra: true }; break;
      case 4: attrs = { method: m, route: "/r" }; break;
      case 5: attrs = { method: m, route: "/r", status: null }; break;
      default: attrs = Object.assign(Object.create({ status: 200 }), { method: m, route: "/r" }); break;
    }
    h.record(1, attrs as never);
    const key = canon({ ...attrs });
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const ps = await points(reader, "h");
  const got = new Map(ps.map((p) => [canon(p.attributes as Record<string, unknown>), (p.value as { count: number }).count]));
  assert.equal(got, expected);
});

test.run();
