import { test } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { HistogramValue, SumMetricData } from "../../src/metrics/types.ts";
import { allMetrics, byAttrs, metric } from "./helpers.ts";

async function points(reader: ManualMetricReader, name: string) {
  const { resourceMetrics } = await reader.collect();
  const ms = allMetrics(resourceMetrics).filter((m) => m.descriptor.name === name);
  return ms[0];
}

test("delta preset: counters and histograms delta, up-down counters cumulative", async () => {
  const reader = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [reader] }).getMeter("t");
  const c = meter.createCounter("c");
  const ud = meter.createUpDownCounter("ud");
  const h = meter.createHistogram("h");
  c.add(2, { k: "a" });
  ud.add(2);
  h.record(10);
  let all = allMetrics((await reader.collect()).resourceMetrics);
  assert.is((metric(all, "c") as SumMetricData).temporality, "delta");
  assert.is((metric(all, "ud") as SumMetricData).temporality, "cumulative");
  assert.equal(byAttrs(metric(all, "c")), { '{"k":"a"}': 2 });
  c.add(3, { k: "a" });
  ud.add(1);
  h.record(1);
  all = allMetrics((await reader.collect()).resourceMetrics);
  assert.equal(byAttrs(metric(all, "c")), { '{"k":"a"}': 3 });
  assert.is(metric(all, "ud").dataPoints[0].value, 3);
  assert.is((metric(all, "h").dataPoints[0].value as HistogramValue).count, 1);
  assert.is((metric(all, "h").dataPoints[0].value as HistogramValue).min, 1);
  // Nothing recorded: delta streams report nothing; the cumulative one still reports.
  all = allMetrics((await reader.collect()).resourceMetrics);
  assert.equal(all.map((m) => m.descriptor.name), ["ud"]);
});

test("two readers with different temporality are both right", async () => {
  const cumulative = new ManualMetricReader();
  const delta = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [cumulative, delta] }).getMeter("t");
  const c = meter.createCounter("c");
  c.add(1);
  assert.is((await points(delta, "c")).dataPoints[0].value, 1);
  c.add(2);
  assert.is((await points(cumulative, "c")).dataPoints[0].value, 3);
  c.add(4);
  assert.is((await points(delta, "c")).dataPoints[0].value, 6);
  assert.is((await points(cumulative, "c")).dataPoints[0].value, 7);
  assert.is(await points(delta, "c"), undefined);
  // two delta readers keep separate state
  const d2 = new ManualMetricReader({ temporality: "delta" });
  const d3 = new ManualMetricReader({ temporality: () => "delta" });
  const m2 = new MeterProvider({ readers: [d2, d3] }).getMeter("t");
  const h = m2.createHistogram("h");
  h.record(5);
  assert.is(((await points(d2, "h")).dataPoints[0].value as HistogramValue).count, 1);
  h.record(6);
  assert.is(((await points(d2, "h")).dataPoints[0].value as HistogramValue).count, 1);
  assert.is(((await points(d3, "h")).dataPoints[0].value as HistogramValue).count, 2);
});

test("start times: cumulative keeps the series start, delta starts at the previous collection", async () => {
  const cumulative = new ManualMetricReader();
  const delta = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [cumulative, delta] }).getMeter("t");
  const c = meter.createCounter("c");
  c.add(1);
  const c1 = (await points(cumulative, "c")).dataPoints[0];
  const d1 = (await points(delta, "c")).dataPoints[0];
  await sleep(5);
  c.add(1);
  const c2 = (await points(cumulative, "c")).dataPoints[0];
  const d2 = (await points(delta, "c")).dataPoints[0];
  assert.is(c2.startTime, c1.startTime);
  assert.ok(c2.time > c1.time);
  assert.ok(c1.startTime <= c1.time);
  assert.is(d2.startTime, d1.time);
  assert.ok(d2.time > d2.startTime);
});

test("a reader added later sees only later measurements, with its own start", async () => {
  const first = new ManualMetricReader({ temporality: "delta" });
  const provider = new MeterProvider({ readers: [first] });
  const c = provider.getMeter("t").createCounter("c");
  c.add(5);
  const late = new ManualMetricReader();
  provider.addMetricReader(late);
  provider.addMetricReader(late); // ignored
  assert.is(await points(late, "c"), undefined);
  c.add(2);
  assert.is((await points(late, "c")).dataPoints[0].value, 2);
  assert.is((await points(first, "c")).dataPoints[0].value, 7);
});

test("all-delta streams forget idle series, freeing the cardinality limit", async () => {
  const reader = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [reader], cardinalityLimit: 2 }).getMeter("t");
  const c = meter.createCounter("c");
  const bound = c.bind({ k: "bound" });
  c.add(1, { k: "a" });
  bound.add(1);
  await reader.collect();
  c.add(1, { k: "b" });
  c.add(1, { k: "c" });
  assert.equal(byAttrs(await points(reader, "c")), { '{"k":"b"}': 1, '{"k":"c"}': 1 });
  bound.add(3); // its series was forgotten; the binding finds (or re-creates) it
  assert.equal(byAttrs(await points(reader, "c")), { '{"k":"bound"}': 3 });
});

test("gauges under the default presets report the last value every collection", async () => {
  const reader = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [reader] }).getMeter("t");
  meter.createGauge("g").record(4);
  assert.is((await points(reader, "g")).dataPoints[0].value, 4);
  assert.is((await points(reader, "g")).dataPoints[0].value, 4);
});

test("unknown temporality preset throws at reader construction", () => {
  assert.throws(() => new ManualMetricReader({ temporality: "sometimes" as never }), TypeError);
});

test.run();
