import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import type { HistogramValue, SummaryValue } from "../../src/metrics/types.ts";
import { view, type ViewOptions } from "../../src/metrics/view.ts";
import { exponentialHistogram } from "../../src/metrics/aggregation/exponential-histogram.ts";
import { summary } from "../../src/metrics/aggregation/summary.ts";
import { aggregationByName, viewsByName } from "../../src/metrics/aggregation/by-name.ts";
import { byAttrs, captureDiag, collectMetrics, metric, setup } from "./helpers.ts";

test.after.each(() => void diag.setLogger());

test("no matching view gives the default stream", async () => {
  const { reader, meter } = setup({ views: [view({ instrumentName: "other", aggregation: { type: "drop" } })] });
  meter.createCounter("c").add(1);
  assert.is(metric(await collectMetrics(reader), "c").dataPoints[0].value, 1);
});

test("drop aggregation removes the stream", async () => {
  const { reader, meter } = setup({ views: [view({ instrumentName: "noisy.*", aggregation: { type: "drop" } })] });
  meter.createCounter("noisy.one").add(1);
  meter.createCounter("kept").add(1);
  assert.equal((await collectMetrics(reader)).map((m) => m.descriptor.name), ["kept"]);
});

test("rename and re-describe with an exact name; wildcard rename is ignored with a warning", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup({
    views: [
      view({ instrumentName: "old", name: "new", description: "renamed" }),
      view({ instrumentName: "w*", name: "never" }),
    ],
  });
  meter.createCounter("old", { description: "d" }).add(1);
  meter.createCounter("wild").add(1);
  const metrics = await collectMetrics(reader);
  const m = metric(metrics, "new");
  assert.is(m.descriptor.description, "renamed");
  assert.ok(metric(metrics, "wild"));
  assert.ok(messages.some((x) => x.includes("ignoring name")));
});

test("a view renaming a stream onto a name already taken warns once and reports both streams", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup({ views: [view({ instrumentName: "b", name: "A" })] });
  meter.createCounter("a").add(1);
  meter.createCounter("b").add(2);
  const metrics = await collectMetrics(reader);
  assert.equal(metrics.map((m) => [m.descriptor.name, m.dataPoints[0].value]), [["a", 1], ["A", 2]]);
  assert.is(messages.filter((m) => m.includes('Two metric streams are named "A"')).length, 1);
});

test("wildcards * and ? match case-insensitively", async () => {
  const { reader, meter } = setup({ views: [view({ instrumentName: "HTTP.?.*", aggregation: { type: "drop" } })] });
  meter.createCounter("http.a.requests").add(1);
  meter.createCounter("http.ab.requests").add(1);
  meter.createCounter("http.b.x").add(1);
  assert.equal((await collectMetrics(reader)).map((m) => m.descriptor.name), ["http.ab.requests"]);
});

test("select by instrument type, meter name, version and schema URL", async () => {
  const { reader, provider } = setup({
    views: [
      view({ instrumentType: "histogram", aggregation: { type: "sum" } }),
      view({ meterName: "m2", meterVersion: "2", meterSchemaUrl: "https://s", aggregation: { type: "lastValue" } }),
    ],
  });
  const m1 = provider.getMeter("m1");
  m1.createHistogram("h").record(3);
  m1.createHistogram("h").record(4);
  m1.createCounter("c").add(1);
  const m2 = provider.getMeter("m2", "2", { schemaUrl: "https://s" });
  const c2 = m2.createCounter("c2");
  c2.add(5);
  c2.add(7);
  provider.getMeter("m2", "3", { schemaUrl: "https://s" }).createCounter("c3").add(1);
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "h").dataPointType, "sum");
  assert.is(metric(metrics, "h").dataPoints[0].value, 7);
  assert.is(metric(metrics, "c").dataPointType, "sum");
  assert.is(metric(metrics, "c2").dataPointType, "gauge");
  assert.is(metric(metrics, "c2").dataPoints[0].value, 7);
  assert.is(metric(metrics, "c3").dataPointType, "sum");
});

test("several matching views give several streams", async () => {
  const { reader, meter } = setup({
    views: [
      view({ instrumentName: "latency", name: "latency.hist", aggregation: { type: "explicitBucketHistogram", boundaries: [1, 2] } }),
      view({ instrumentName: "latency", name: "latency.sum", aggregation: { type: "sum" } }),
      view({ instrumentName: "latency", name: "latency.exp", aggregation: exponentialHistogram({ maxSize: 20 }) }),
    ],
  });
  const h = meter.createHistogram("latency");
  h.record(1.5);
  h.record(3);
  const metrics = await collectMetrics(reader);
  assert.equal((metric(metrics, "latency.hist").dataPoints[0].value as HistogramValue).bucketCounts, [0, 1, 1]);
  assert.is(metric(metrics, "latency.sum").dataPoints[0].value, 4.5);
  assert.is(metric(metrics, "latency.exp").dataPointType, "exponentialHistogram");
  assert.is(metrics.length, 3);
});

for (const [how, aggregation] of [
  ["imported", summary({ quantiles: [0.5] })],
  ["by name", aggregationByName({ type: "summary", quantiles: [0.5] })],
] as const) {
  test(`summary view aggregation (${how})`, async () => {
    const { reader, meter } = setup({ views: [view({ instrumentName: "s", aggregation })] });
    const h = meter.createHistogram("s");
    for (let i = 1; i <= 100; i++) h.record(i);
    const m = metric(await collectMetrics(reader), "s");
    assert.is(m.dataPointType, "summary");
    const v = m.dataPoints[0].value as SummaryValue;
    assert.is(v.count, 100);
    assert.is(v.sum, 5050);
    assert.equal(v.quantiles.map((q) => q.quantile), [0.5]);
  });
}

test("views written as data: exponential and summary by name need the by-name module, which resolves them", async () => {
  const data: ViewOptions[] = [
    { instrumentName: "e", aggregation: { type: "exponentialHistogram", maxSize: 20 } },
    { instrumentName: "s", aggregation: { type: "summary" } },
    { instrumentName: "b", aggregation: { type: "explicitBucketHistogram", boundaries: [1] } },
  ];
  assert.throws(() => view(data[0]!), (e: Error) => e instanceof TypeError && /Invalid view: .*exponentialHistogram\(options\)/.test(e.message));
  const { reader, meter } = setup({ views: viewsByName(data) });
  for (const n of ["e", "s", "b"]) meter.createHistogram(n).record(2);
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "e").dataPointType, "exponentialHistogram");
  assert.is(metric(metrics, "s").dataPointType, "summary");
  assert.equal((metric(metrics, "b").dataPoints[0].value as HistogramValue).bucketCounts, [0, 1]);
  assert.throws(() => aggregationByName({ type: "exponentialHistogram", maxSize: 1 }), RangeError);
  assert.throws(() => aggregationByName({ type: "nope" } as never), /Unknown aggregation type "nope"/);
});

test("attributeKeys keeps only the listed keys (series merge)", async () => {
  const { reader, meter } = setup({ views: [view({ instrumentName: "c", attributeKeys: ["route"] })] });
  const c = meter.createCounter("c");
  c.add(1, { route: "/a", user: "1" });
  c.add(2, { route: "/a", user: "2" });
  c.add(4, { user: "3" });
  assert.equal(byAttrs(metric(await collectMetrics(reader), "c")), { '{"route":"/a"}': 3, "{}": 4 });
});

test("per-view cardinality limit", async () => {
  const { reader, meter } = setup({ cardinalityLimit: 100, views: [view({ instrumentName: "c", cardinalityLimit: 2 })] });
  const c = meter.createCounter("c");
  for (let i = 0; i < 5; i++) c.add(1, { i });
  const d = meter.createCounter("d");
  for (let i = 0; i < 5; i++) d.add(1, { i });
  const metrics = await collectMetrics(reader);
  assert.is(metric(metrics, "c").dataPoints.length, 3);
  assert.is(metric(metrics, "d").dataPoints.length, 5);
});

test("invalid views throw where they are built, with a specific message; the provider takes only built views", () => {
  const bad: Array<[ViewOptions, RegExp, ErrorConstructor]> = [
    [{ aggregation: { type: "sum" } }, /selection criterion/, TypeError],
    [{ instrumentName: "x", aggregation: { type: "explicitBucketHistogram", boundaries: [3, 1] } }, /Cannot create histogram: boundaries must be ascending/, RangeError],
    [{ instrumentName: "x", aggregation: { type: "nope" } as never }, /Unknown aggregation type/, TypeError],
    [{ instrumentName: "x", cardinalityLimit: -1 }, /cardinalityLimit must be a positive integer/, RangeError],
    [{ instrumentName: "x", attributeKeys: "a" as never }, /attributeKeys must be an array/, TypeError],
    [{ instrumentName: "x", name: "1bad" }, /not a valid instrument name/, TypeError],
  ];
  for (const [options, message, type] of bad) {
    assert.throws(
      () => view(options),
      (e: Error) => e instanceof type && message.test(e.message) && e.message.startsWith("Invalid view: "),
      JSON.stringify(options),
    );
  }
  assert.throws(
    () => new MeterProvider({ views: [{ instrumentName: "x" }] as never }),
    (e: Error) => e instanceof TypeError && /views\[0\] is not a view: build it with view\(/.test(e.message),
  );
});

test.run();
