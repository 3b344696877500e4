import { test } from "uvu";
import * as assert from "uvu/assert";
import * as api from "@opentelemetry/api";
import { metrics } from "../../src/metrics/metrics-api.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { MetricData } from "../../src/metrics/types.ts";
import { allMetrics } from "./helpers.ts";

// Drops times so two collections can be compared.
function shape(ms: MetricData[]): unknown {
  return ms.map((m) => ({
    descriptor: m.descriptor,
    type: m.dataPointType,
    points: m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
  }));
}

test("global API: a proxy meter works before a provider is set and becomes real after", async () => {
  const meter = metrics.getMeter("early", "1");
  const counter = meter.createCounter("early.count");
  const bound = counter.bind({ b: 1 });
  const gauge = meter.createObservableGauge("early.gauge");
  gauge.addCallback((r) => r.observe(7));
  const batchTarget = meter.createObservableCounter("early.batch");
  meter.addBatchObservableCallback((r) => r.observe(batchTarget, 11), [batchTarget]);
  counter.add(100); // no provider yet: dropped
  bound.add(100);

  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  assert.ok(metrics.setGlobalMeterProvider(provider));
  assert.is(metrics.getMeterProvider(), provider);
  counter.add(2, { a: "x" });
  bound.add(3);
  const got = allMetrics((await reader.collect()).resourceMetrics);
  const by = Object.fromEntries(got.map((m) => [m.descriptor.name, m.dataPoints.map((p) => p.value)]));
  assert.equal(by, { "early.count": [2, 3], "early.gauge": [7], "early.batch": [11] });

  metrics.disable();
  counter.add(1000);
  const after = allMetrics((await reader.collect()).resourceMetrics);
  assert.equal(after.find((m) => m.descriptor.name === "early.count")!.dataPoints.map((p) => p.value), [2, 3]);
  assert.is(after.find((m) => m.descriptor.name === "early.gauge"), undefined); // callbacks moved away on disable
});

test("interop: our provider registered with @opentelemetry/api 1.9.0 collects what our API collects", async () => {
  const record = (m: { createCounter: Function; createHistogram: Function; createObservableGauge: Function }) => {
    const c = m.createCounter("requests", { description: "reqs", unit: "{request}", valueType: api.ValueType.INT });
    c.add(1, { route: "/a" });
    c.add(2, { route: "/a" });
    c.add(5, { route: "/b" });
    const h = m.createHistogram("latency", { unit: "ms", advice: { explicitBucketBoundaries: [10, 100] } });
    for (const v of [3, 30, 300]) h.record(v, { route: "/a" });
    m.createObservableGauge("temp").addCallback((r: api.ObservableResult) => r.observe(21.5, { room: "1" }));
  };
  const ourReader = new ManualMetricReader();
  record(new MeterProvider({ readers: [ourReader] }).getMeter("interop", "1.0.0") as never);

  const viaApiReader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [viaApiReader] });
  assert.ok(api.metrics.setGlobalMeterProvider(provider as unknown as api.MeterProvider));
  record(api.metrics.getMeter("interop", "1.0.0") as never);

  const ours = (await ourReader.collect()).resourceMetrics;
  const theirs = (await viaApiReader.collect()).resourceMetrics;
  assert.equal(theirs.scopeMetrics.map((s) => s.scope), [{ name: "interop", version: "1.0.0", schemaUrl: undefined }]);
  assert.equal(shape(allMetrics(theirs)), shape(allMetrics(ours)));
  assert.is(allMetrics(theirs).length, 3);
  api.metrics.disable();
});

test.run();
