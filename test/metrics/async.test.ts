import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { ObservableResult } from "../../src/metrics/instruments.ts";
import type { SumMetricData } from "../../src/metrics/types.ts";
import { allMetrics, byAttrs, captureDiag, metric, setup } from "./helpers.ts";
import { view } from "../../src/metrics/view.ts";

test.after.each(() => void diag.setLogger());

test("observable counter: observations are totals; cumulative and delta readers", async () => {
  const cumulative = new ManualMetricReader();
  const delta = new ManualMetricReader({ temporality: "delta" });
  const meter = new MeterProvider({ readers: [cumulative, delta] }).getMeter("t");
  let total = 10;
  const oc = meter.createObservableCounter("oc");
  oc.addCallback((r) => r.observe(total, { k: "v" }));
  const get = async (r: ManualMetricReader) => metric(allMetrics((await r.collect()).resourceMetrics), "oc") as SumMetricData;
  assert.is((await get(cumulative)).dataPoints[0].value, 10);
  assert.is((await get(delta)).dataPoints[0].value, 10);
  total = 15;
  const d = await get(delta);
  assert.is(d.dataPoints[0].value, 5);
  assert.is(d.temporality, "delta");
  assert.is(d.isMonotonic, true);
  total = 18;
  assert.is((await get(cumulative)).dataPoints[0].value, 18);
  assert.is((await get(delta)).dataPoints[0].value, 3);
});

test("observable gauge reports the last observed value; unobserved sets are not reported", async () => {
  const { reader, meter } = setup();
  const g = meter.createObservableGauge("g");
  let round = 0;
  g.addCallback((r) => {
    round++;
    r.observe(1, { k: "a" });
    r.observe(2, { k: "a" }); // same set twice: the last wins
    if (round === 1) r.observe(9, { k: "b" });
  });
  let m = metric(allMetrics((await reader.collect()).resourceMetrics), "g");
  assert.equal(byAttrs(m), { '{"k":"a"}': 2, '{"k":"b"}': 9 });
  m = metric(allMetrics((await reader.collect()).resourceMetrics), "g");
  assert.equal(byAttrs(m), { '{"k":"a"}': 2 });
});

test("observable up-down counter, async callbacks, removed callbacks", async () => {
  const { reader, meter } = setup();
  const ud = meter.createObservableUpDownCounter("ud");
  const cb = async (r: ObservableResult) => {
    await new Promise((res) => setTimeout(res, 1));
    r.observe(-4);
  };
  ud.addCallback(cb);
  ud.addCallback(cb); // registered once
  let m = metric(allMetrics((await reader.collect()).resourceMetrics), "ud") as SumMetricData;
  assert.is(m.dataPoints[0].value, -4);
  assert.is(m.isMonotonic, false);
  ud.removeCallback(cb);
  assert.is(allMetrics((await reader.collect()).resourceMetrics).length, 0);
});

test("throwing and rejecting callbacks are reported and skipped; others still run", async () => {
  const messages = captureDiag();
  const { reader, meter } = setup();
  const a = meter.createObservableGauge("a");
  a.addCallback(() => {
    throw new Error("boom");
  });
  a.addCallback((r) => r.observe(1));
  meter.createObservableGauge("b").addCallback(() => Promise.reject(new Error("nope")));
  const { resourceMetrics, errors } = await reader.collect();
  assert.is(errors.length, 2);
  assert.equal(allMetrics(resourceMetrics).map((m) => m.descriptor.name), ["a"]);
  assert.ok(messages.some((m) => m.includes("boom")));
});

test("a hanging callback does not hang collection; late observations are ignored", async () => {
  captureDiag();
  const { reader, meter } = setup();
  const g = meter.createObservableGauge("g");
  let late: ObservableResult | undefined;
  g.addCallback((r) => {
    r.observe(1, { when: "early" });
    late = r;
    return new Promise(() => {}); // never settles
  });
  const { resourceMetrics, errors } = await reader.collect({ timeoutMillis: 20 });
  assert.is(errors.length, 1);
  assert.match(String(errors[0]), /did not finish within 20 ms/);
  late!.observe(2, { when: "late" });
  assert.equal(byAttrs(metric(allMetrics(resourceMetrics), "g")), { '{"when":"early"}': 1 });
});

test("batch callbacks observe several instruments; removal stops them", async () => {
  const messages = captureDiag();
  const { reader, meter, provider } = setup();
  const a = meter.createObservableCounter("a");
  const b = meter.createObservableGauge("b");
  const c = meter.createObservableGauge("c");
  const foreign = provider.getMeter("other").createObservableGauge("f");
  const cb = (r: { observe: (o: typeof a, v: number, attrs?: Record<string, string>) => void }) => {
    r.observe(a, 3, { x: "1" });
    r.observe(b, 4);
    r.observe(c, 5); // not registered for c: ignored
  };
  meter.addBatchObservableCallback(cb, [a, b, foreign]);
  let names = allMetrics((await reader.collect()).resourceMetrics).map((m) => `${m.descriptor.name}=${m.dataPoints[0].value}`);
  assert.equal(names, ["a=3", "b=4"]);
  assert.ok(messages.some((m) => m.includes("did not create")));
  assert.ok(messages.some((m) => m.includes("not registered")));
  meter.removeBatchObservableCallback(cb, [a, b, foreign]);
  names = allMetrics((await reader.collect()).resourceMetrics).map((m) => m.descriptor.name);
  assert.equal(names, []);
});

test("observable counters drop negative observations; views filter attributes and sum merged series", async () => {
  captureDiag();
  const { reader, meter } = setup({ views: [view({ instrumentName: "oc", attributeKeys: ["k"] })] });
  const oc = meter.createObservableCounter("oc");
  oc.addCallback((r) => {
    r.observe(-1, { k: "neg" });
    r.observe(2, { k: "a", pid: 1 });
    r.observe(3, { k: "a", pid: 2 });
  });
  assert.equal(byAttrs(metric(allMetrics((await reader.collect()).resourceMetrics), "oc")), { '{"k":"a"}': 5 });
});

test("async cardinality limit uses an overflow series per collection", async () => {
  const { reader, meter } = setup({ cardinalityLimit: 2 });
  meter.createObservableGauge("g").addCallback((r) => {
    for (let i = 0; i < 5; i++) r.observe(i, { i });
  });
  const m = metric(allMetrics((await reader.collect()).resourceMetrics), "g");
  assert.equal(byAttrs(m), { '{"i":0}': 0, '{"i":1}': 1, '{"otel.metric.overflow":true}': 4 });
});

test.run();
