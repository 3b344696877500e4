import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ValueType, type HistogramValue, type SumMetricData } from "../../src/metrics/types.ts";
import { NOOP_INSTRUMENT } from "../../src/metrics/instruments.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { byAttrs, captureDiag, collectMetrics, metric, setup } from "./helpers.ts";

test.after.each(() => void diag.setLogger());

test("counter sums per attribute set, independent of key order", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("requests", { description: "Requests", unit: "{request}" });
  c.add(1, { a: "x", b: 1 });
  c.add(2, { b: 1, a: "x" });
  c.add(5, { a: "y" });
  c.add(1);
  c.add(1, {});
  c.add(1, { a: "x", b: 1, c: undefined });
  const m = metric(await collectMetrics(reader), "requests") as SumMetricData;
  assert.is(m.dataPointType, "sum");
  assert.is(m.isMonotonic, true);
  assert.is(m.temporality, "cumulative");
  assert.equal(m.descriptor, { name: "requests", description: "Requests", unit: "{request}", type: "counter", valueType: ValueType.DOUBLE });
  assert.equal(byAttrs(m), { '{"a":"x","b":1}': 4, '{"a":"y"}': 5, "{}": 2 });
});

test("attribute values of different types are different series", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  c.add(1, { v: "1" });
  c.add(1, { v: 1 });
  c.add(1, { v: true });
  c.add(1, { v: ["1"] });
  c.add(1, { "v:s1:1": "" });
  assert.is(metric(await collectMetrics(reader), "c").dataPoints.length, 5);
});

test("the same attributes object reused and mutated between calls stays correct", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  const attrs: Record<string, string> = { route: "/a" };
  c.add(1, attrs);
  c.add(1, attrs);
  attrs.route = "/b";
  c.add(1, attrs);
  attrs.extra = "x";
  c.add(1, attrs);
  delete attrs.extra;
  c.add(1, attrs);
  const other = { route: "/a" };
  for (let i = 0; i < 3; i++) {
    c.add(1, other);
    c.add(1, attrs);
  }
  assert.equal(byAttrs(metric(await collectMetrics(reader), "c")), {
    '{"route":"/a"}': 5,
    '{"route":"/b"}': 5,
    '{"extra":"x","route":"/b"}': 1,
  });
});

test("recorded attributes are a copy: later caller mutation does not change them", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  const arr = ["a"];
  const attrs = { list: arr, k: "v" };
  c.add(1, attrs);
  arr.push("b");
  attrs.k = "w";
  const m = metric(await collectMetrics(reader), "c");
  assert.equal(m.dataPoints[0].attributes, { list: ["a"], k: "v" });
});

test("invalid attribute values are dropped with a warning, the measurement is kept", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  c.add(1, { ok: "yes", bad: { nested: 1 } as never });
  assert.equal(byAttrs(metric(await collectMetrics(reader), "c")), { '{"ok":"yes"}': 1 });
  assert.ok(messages.some((m) => m.includes('"bad"')));
});

test("up-down counter, gauge and histogram", async () => {
  const { reader, meter } = setup();
  const ud = meter.createUpDownCounter("ud");
  ud.add(5);
  ud.add(-8);
  const g = meter.createGauge("g");
  g.record(3, { k: 1 });
  g.record(-2, { k: 1 });
  const h = meter.createHistogram("h", { unit: "ms" });
  h.record(3);
  h.record(30);
  const metrics = await collectMetrics(reader);
  const udm = metric(metrics, "ud") as SumMetricData;
  assert.is(udm.isMonotonic, false);
  assert.is(udm.dataPoints[0].value, -3);
  const gm = metric(metrics, "g");
  assert.is(gm.dataPointType, "gauge");
  assert.is(gm.dataPoints[0].value, -2);
  const hm = metric(metrics, "h");
  assert.is(hm.dataPointType, "histogram");
  const hv = hm.dataPoints[0].value as HistogramValue;
  assert.is(hv.count, 2);
  assert.is(hv.sum, 33);
  assert.is(hv.bucketCounts[1], 1);
  assert.is(hv.bucketCounts[4], 1);
});

test("histogram advice boundaries are used; invalid advice warns and uses defaults", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  meter.createHistogram("a", { advice: { explicitBucketBoundaries: [1, 10] } }).record(5);
  meter.createHistogram("b", { advice: { explicitBucketBoundaries: [10, 1] } }).record(5);
  const metrics = await collectMetrics(reader);
  assert.equal((metric(metrics, "a").dataPoints[0].value as HistogramValue).boundaries, [1, 10]);
  assert.is((metric(metrics, "b").dataPoints[0].value as HistogramValue).boundaries.length, 15);
  assert.ok(messages.some((m) => m.includes("boundaries must be ascending")));
});

test("negative values on counters and histograms are dropped with one warning", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  c.add(-1);
  c.add(-2);
  c.add(3);
  const h = meter.createHistogram("h");
  h.record(-1);
  h.record(2);
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "c").dataPoints[0].value, 3);
  assert.is((metric(metrics, "h").dataPoints[0].value as HistogramValue).count, 1);
  assert.is(messages.filter((m) => m.includes("negative") && m.includes(" c:")).length, 1);
});

test("NaN/Infinity dropped for sums and histograms (warned), kept for gauges; non-numbers dropped", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const c = meter.createUpDownCounter("c");
  c.add(NaN);
  c.add(Infinity);
  c.add(2);
  c.add("3" as never);
  const g = meter.createGauge("g");
  g.record(Infinity);
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "c").dataPoints[0].value, 2);
  assert.is(metric(metrics, "g").dataPoints[0].value, Infinity);
  assert.ok(messages.some((m) => m.includes("not a finite number")));
  assert.ok(messages.some((m) => m.includes("string is not a number")));
});

test("valueType INT truncates fractional values with one warning", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const c = meter.createCounter("c", { valueType: ValueType.INT });
  c.add(1.9);
  c.add(2.2);
  c.add(3);
  const m = metric(await collectMetrics(reader), "c");
  assert.is(m.dataPoints[0].value, 6);
  assert.is(m.descriptor.valueType, ValueType.INT);
  assert.is(messages.filter((x) => x.includes("truncating")).length, 1);
});

test("invalid instrument names warn once and give a working no-op", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  for (const name of ["1abc", "", "a b", "x".repeat(256), "ünicode", undefined as never]) {
    const c = meter.createCounter(name);
    assert.is(c, NOOP_INSTRUMENT as never);
    c.add(1);
    c.bind({}).add(1);
  }
  assert.ok(meter.createCounter("a".repeat(255)) !== (NOOP_INSTRUMENT as never));
  assert.ok(meter.createCounter("A_1./-z") !== (NOOP_INSTRUMENT as never));
  assert.is((await collectMetrics(reader)).length, 0);
  assert.ok(messages.some((m) => m.includes("Invalid instrument name")));
});

test("invalid unit warns and uses no unit", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  meter.createCounter("c", { unit: "µs" }).add(1);
  meter.createCounter("d", { unit: "x".repeat(64) }).add(1);
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "c").descriptor.unit, "");
  assert.is(metric(metrics, "d").descriptor.unit, "");
  assert.is(messages.filter((m) => m.includes("63 ASCII")).length, 2);
});

test("duplicate registration: identical (case-insensitive) returns the same instrument", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const a = meter.createCounter("Requests", { unit: "1" });
  const b = meter.createCounter("requests", { unit: "1" });
  assert.is(a, b);
  a.add(1);
  b.add(2);
  const m = metric(await collectMetrics(reader), "Requests");
  assert.is(m.dataPoints[0].value, 3);
  assert.is(messages.length, 0);
});

test("duplicate registration: a conflicting definition warns once and gives a separate stream", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const a = meter.createCounter("dup", { unit: "ms" });
  const b = meter.createHistogram("dup", { unit: "ms" });
  const b2 = meter.createHistogram("dup", { unit: "ms" });
  const c = meter.createCounter("dup", { unit: "s" });
  assert.is(b, b2);
  a.add(1);
  b.record(7);
  c.add(4);
  const metrics = (await collectMetrics(reader)).filter((m) => m.descriptor.name === "dup");
  assert.is(metrics.length, 3);
  assert.equal(metrics.map((m) => `${m.descriptor.type}/${m.descriptor.unit}`), ["counter/ms", "histogram/ms", "counter/s"]);
  assert.is(messages.filter((m) => m.includes("Duplicate instrument registration")).length, 2);
});

test("different meters may use the same instrument name; getMeter returns the same meter per identity", async () => {
  const { reader, provider } = setup();
  const m1 = provider.getMeter("one");
  assert.is(provider.getMeter("one"), m1);
  assert.is.not(provider.getMeter("one", "2"), m1);
  assert.is.not(provider.getMeter("one", undefined, { schemaUrl: "https://x" }), m1);
  m1.createCounter("c").add(1);
  provider.getMeter("two").createCounter("c").add(2);
  const { resourceMetrics } = await reader.collect();
  const scopes = resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.metrics[0].dataPoints[0].value]);
  assert.equal(scopes, [["one", 1], ["two", 2]]);
});

test("bound instruments record into the same series without lookups", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  const attrs = { route: "/a" };
  const bound = c.bind(attrs);
  attrs.route = "/changed"; // binding is to the attributes at bind time
  bound.add(2);
  bound.add(3);
  c.add(1, { route: "/a" });
  bound.add(-1); // dropped
  const h = meter.createHistogram("h").bind({ k: "v" });
  h.record(5);
  const metrics = await collectMetrics(reader);
  assert.equal(byAttrs(metric(metrics, "c")), { '{"route":"/a"}': 6 });
  assert.is((metric(metrics, "h").dataPoints[0].value as HistogramValue).count, 1);
});

test("cardinality limit: extra attribute sets go to one overflow series", async () => {
  const { reader, meter } = setup({ cardinalityLimit: 3 });
  const c = meter.createCounter("c");
  for (let i = 0; i < 10; i++) c.add(1, { i });
  c.add(5, { i: 0 }); // existing series still recorded
  const m = metric(await collectMetrics(reader), "c");
  assert.equal(byAttrs(m), { '{"i":0}': 6, '{"i":1}': 1, '{"i":2}': 1, '{"otel.metric.overflow":true}': 7 });
  const total = m.dataPoints.reduce((s, p) => s + (p.value as number), 0);
  assert.is(total, 15);
});

test("provider configuration errors throw at construction", () => {
  assert.throws(() => new MeterProvider({ cardinalityLimit: 0 }), RangeError);
  assert.throws(() => new MeterProvider({ cardinalityLimit: 1.5 }), RangeError);
  assert.throws(() => new MeterProvider({ exemplarFilter: "sometimes" as never }), TypeError);
});

test("no readers: recording is a no-op and never throws", () => {
  const provider = new MeterProvider();
  const c = provider.getMeter("x").createCounter("c");
  c.add(1, { a: 1 });
  c.bind({ a: 1 }).add(1);
});

test("after shutdown getMeter returns a no-op meter and collect is empty", async () => {
  const { reader, provider, meter } = setup();
  meter.createCounter("c").add(1);
  await provider.shutdown();
  await provider.shutdown();
  const c = provider.getMeter("late").createCounter("c");
  c.add(1);
  const r = await reader.collect();
  assert.is(r.resourceMetrics.scopeMetrics.length, 0);
  assert.is(r.errors.length, 1);
});

test("resource is carried; default resource has service.name", async () => {
  const { reader, meter } = setup({ resource: { attributes: { "service.name": "svc" } } });
  meter.createCounter("c").add(1);
  const r = await reader.collect();
  assert.equal(r.resourceMetrics.resource.attributes, { "service.name": "svc" });
  assert.equal(new MeterProvider().resource.attributes, { "service.name": "unknown_service" });
});

test.run();
