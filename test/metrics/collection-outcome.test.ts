// The outcome of each collection (spec: Metrics SDK, MetricReader "Collect" — "succeeded,
// failed or timed out"), as CollectionResult.errorType and as the event the meter provider's
// onCollect listener receives for every reader (what otel.sdk.metric_reader.collection.duration
// records): a throwing callback does not fail a collection, callbacks outliving the collect
// timeout do (`timeout`), a shut-down reader does (`already_shutdown`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader, type CollectionEvent } from "../../src/metrics/reader.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

function setup() {
  const events: CollectionEvent[] = [];
  const reader = new ManualMetricReader();
  const late = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader], onCollect: (e) => events.push(e) });
  provider.addMetricReader(late); // added later, as the Prometheus handler's reader is
  return { events, reader, late, meter: provider.getMeter("app") };
}

test("success, and a throwing callback: no errorType, one event per collection naming its reader", async () => {
  captureDiag();
  const { events, reader, late, meter } = setup();
  meter.createObservableGauge("ok").addCallback((r) => r.observe(1));
  meter.createObservableGauge("broken").addCallback(() => {
    throw new Error("boom");
  });
  const result = await reader.collect();
  assert.is(result.errorType, undefined);
  assert.is(result.errors.length, 1, "the callback error is still reported");
  await late.collect();
  assert.equal(events.map((e) => [e.reader === reader ? "reader" : e.reader === late ? "late" : "?", e.errorType, typeof e.durationMillis]), [
    ["reader", undefined, "number"],
    ["late", undefined, "number"],
  ]);
  assert.ok(events.every((e) => e.durationMillis >= 0 && !("errorType" in e)));
});

test("callbacks outliving the collect timeout fail the collection as `timeout`", async () => {
  captureDiag();
  const { events, reader, meter } = setup();
  meter.createObservableGauge("slow").addCallback(() => new Promise(() => {}));
  const result = await reader.collect({ timeoutMillis: 10 });
  assert.is(result.errorType, "timeout");
  assert.equal(events.map((e) => e.errorType), ["timeout"]);
});

test("a shut-down or unregistered reader reports its failure; a listener that throws breaks nothing; onCollect must be a function", async () => {
  captureDiag();
  const reader = new ManualMetricReader();
  assert.is((await reader.collect()).errorType, "not_registered");
  const provider = new MeterProvider({ readers: [reader], onCollect: () => {
    throw new Error("listener");
  } });
  provider.getMeter("m").createCounter("c").add(1);
  const ok = await reader.collect();
  assert.is(ok.errorType, undefined);
  assert.is(ok.resourceMetrics.scopeMetrics.length, 1);
  await reader.shutdown();
  assert.is((await reader.collect()).errorType, "already_shutdown");
  assert.throws(() => new MeterProvider({ onCollect: 42 as never }), (e: Error) => e instanceof TypeError && /onCollect/.test(e.message));
});

test.run();
