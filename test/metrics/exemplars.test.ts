import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { AlwaysOffSampler } from "../../src/trace/samplers/always.ts";
import { setSpanContext } from "../../src/trace/span-in-context.ts";
import { TraceFlags } from "../../src/trace/span-context.ts";
import type { Span } from "../../src/trace/types.ts";
import { SimpleFixedSizeExemplarReservoir, type ExemplarReservoir } from "../../src/metrics/exemplar.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import { allMetrics, metric, setup } from "./helpers.ts";
import { view } from "../../src/metrics/view.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));
const tracer = new BasicTracerProvider().getTracer("t");
const unsampledTracer = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer("t");

test("a measurement inside a sampled span becomes an exemplar with its ids and filtered attributes", async () => {
  const { reader, meter } = setup({ views: [view({ instrumentName: "c", attributeKeys: ["route"] })] });
  const c = meter.createCounter("c");
  const span = tracer.startActiveSpan("work", (s: Span) => {
    c.add(3, { route: "/a", user: "u1" });
    s.end();
    return s;
  });
  const p = metric(allMetrics((await reader.collect()).resourceMetrics), "c").dataPoints[0];
  assert.equal(p.attributes, { route: "/a" });
  assert.is(p.exemplars.length, 1);
  const e = p.exemplars[0];
  assert.is(e.value, 3);
  assert.is(e.traceId, span.spanContext().traceId);
  assert.is(e.spanId, span.spanContext().spanId);
  assert.equal(e.filteredAttributes, { user: "u1" });
  assert.ok(e.time <= p.time);
});

test("no exemplar outside a span, or in an unsampled span", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  c.add(1);
  unsampledTracer.startActiveSpan("x", (s: Span) => {
    c.add(1);
    s.end();
  });
  const p = metric(allMetrics((await reader.collect()).resourceMetrics), "c").dataPoints[0];
  assert.is(p.value, 2);
  assert.is(p.exemplars.length, 0);
});

test("the explicit context argument wins over the active one", async () => {
  const { reader, meter } = setup();
  const c = meter.createCounter("c");
  const sc = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: TraceFlags.SAMPLED };
  c.add(2, {}, setSpanContext(ROOT_CONTEXT, sc));
  tracer.startActiveSpan("active", (s: Span) => {
    c.add(5, { k: 1 }, ROOT_CONTEXT); // explicit root: no exemplar
    s.end();
  });
  const ps = metric(allMetrics((await reader.collect()).resourceMetrics), "c").dataPoints;
  assert.is(ps[0].exemplars[0].traceId, sc.traceId);
  assert.is(ps[0].exemplars[0].spanId, sc.spanId);
  assert.is(ps[1].exemplars.length, 0);
});

test("histograms keep the latest exemplar per bucket; delta clears, cumulative keeps", async () => {
  const delta = new ManualMetricReader({ temporality: "delta" });
  const { reader, meter } = setup({ readers: [delta] });
  const h = meter.createHistogram("h", { advice: { explicitBucketBoundaries: [10, 100] } });
  tracer.startActiveSpan("w", (s: Span) => {
    h.record(1);
    h.record(2);
    h.record(50);
    s.end();
  });
  const cum = metric(allMetrics((await reader.collect()).resourceMetrics), "h").dataPoints[0];
  assert.equal(cum.exemplars.map((e) => e.value), [2, 50]);
  const d = metric(allMetrics((await delta.collect()).resourceMetrics), "h").dataPoints[0];
  assert.equal(d.exemplars.map((e) => e.value), [2, 50]);
  h.record(500); // outside a span
  const d2 = metric(allMetrics((await delta.collect()).resourceMetrics), "h").dataPoints[0];
  assert.is(d2.exemplars.length, 0);
  const cum2 = metric(allMetrics((await reader.collect()).resourceMetrics), "h").dataPoints[0];
  assert.equal(cum2.exemplars.map((e) => e.value), [2, 50]);
});

test("exemplar filters always_off and always_on", async () => {
  const off = setup({ exemplarFilter: "always_off" });
  const on = setup({ exemplarFilter: "always_on" });
  const c1 = off.meter.createCounter("c");
  const c2 = on.meter.createCounter("c");
  tracer.startActiveSpan("w", (s: Span) => {
    c1.add(1);
    s.end();
  });
  c2.add(1);
  assert.is(metric(allMetrics((await off.reader.collect()).resourceMetrics), "c").dataPoints[0].exemplars.length, 0);
  const e = metric(allMetrics((await on.reader.collect()).resourceMetrics), "c").dataPoints[0].exemplars;
  assert.is(e.length, 1);
  assert.is(e[0].traceId, "00000000000000000000000000000000");
});

test("simple fixed-size reservoir keeps at most its size and samples uniformly", () => {
  const counts = [0, 0, 0, 0];
  for (let round = 0; round < 4000; round++) {
    const r = new SimpleFixedSizeExemplarReservoir(1);
    for (let v = 0; v < 4; v++) (r as ExemplarReservoir).offer(v, 0, {}, undefined, -1);
    const kept = r.collect(true);
    assert.is(kept.length, 1);
    counts[kept[0].value]++;
  }
  for (const c of counts) assert.ok(c > 800 && c < 1200, `counts ${counts}`);
  const r3 = new SimpleFixedSizeExemplarReservoir(3);
  for (let v = 0; v < 10; v++) (r3 as ExemplarReservoir).offer(v, 0, {}, undefined, -1);
  assert.is(r3.collect(false).length, 3);
});

test.run();
