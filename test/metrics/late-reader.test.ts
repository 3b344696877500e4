// Readers may be registered after recording started (prometheusHandler(sdk) mounted late):
// what was recorded before must not be lost.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { MetricData, ResourceMetrics } from "../../src/metrics/types.ts";

function find(rm: ResourceMetrics, name: string): MetricData | undefined {
  return rm.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}

test("a cumulative reader added after recording sees everything since the stream started", async () => {
  const provider = new MeterProvider();
  const meter = provider.getMeter("late");
  const counter = meter.createCounter("requests");
  const histogram = meter.createHistogram("latency");
  const bound = meter.createCounter("bound").bind({ route: "/a" });
  counter.add(2, { route: "/a" });
  histogram.record(7);
  bound.add(5);
  const reader = new ManualMetricReader();
  provider.addMetricReader(reader);
  counter.add(1, { route: "/a" });
  bound.add(1);
  const { resourceMetrics } = await reader.collect();
  const sum = find(resourceMetrics, "requests");
  assert.is(sum?.dataPoints[0]?.value, 3);
  assert.is((find(resourceMetrics, "latency")?.dataPoints[0]?.value as { count: number }).count, 1);
  assert.is(find(resourceMetrics, "bound")?.dataPoints[0]?.value, 6, "bound instruments too");
  const point = sum!.dataPoints[0]!;
  assert.ok(point.startTime <= point.time);
});

test("a delta reader added after recording gets the earlier data as its first window, then resets", async () => {
  const provider = new MeterProvider();
  const counter = provider.getMeter("late").createCounter("jobs");
  counter.add(4);
  const reader = new ManualMetricReader({ temporality: "delta" });
  provider.addMetricReader(reader);
  const first = await reader.collect();
  assert.is(find(first.resourceMetrics, "jobs")?.dataPoints[0]?.value, 4);
  counter.add(1);
  const second = await reader.collect();
  assert.is(find(second.resourceMetrics, "jobs")?.dataPoints[0]?.value, 1);
  // A second, cumulative reader added now starts from its own registration.
  const cumulative = new ManualMetricReader();
  provider.addMetricReader(cumulative);
  counter.add(2);
  assert.is(find((await cumulative.collect()).resourceMetrics, "jobs")?.dataPoints[0]?.value, 2);
  assert.is(find((await reader.collect()).resourceMetrics, "jobs")?.dataPoints[0]?.value, 2);
});

test.run();
