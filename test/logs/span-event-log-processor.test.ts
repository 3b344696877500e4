// spanEventLogProcessor (issue 19, "Logs inline in Jaeger"): a record emitted inside a
// recording span becomes an event of that span, within the span's limits, and still reaches
// the logs pipeline. The Jaeger scenario of test/backends/jaeger.test.ts shows it end to end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { toEpochMillis } from "../../src/common/time.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { AlwaysOffSampler } from "../../src/trace/samplers/always.ts";
import { setSpan } from "../../src/trace/span-in-context.ts";
import type { SpanLimits } from "../../src/trace/limits.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { spanEventLogProcessor } from "../../src/logs/span-event-log-processor.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

function setup(spanLimits?: Partial<SpanLimits>) {
  const exporter = new InMemoryLogRecordExporter();
  const logs = new LoggerProvider({ processors: [spanEventLogProcessor(), new SimpleLogRecordProcessor(exporter)] });
  const tracer = new BasicTracerProvider({ spanLimits }).getTracer("t");
  return { exporter, logger: logs.getLogger("app"), logs, tracer };
}

// The events of an ended span, as exporters see them.
type Events = Array<{ name: string; time: number; attributes: Record<string, unknown>; droppedAttributesCount: number }>;
const eventsOf = (span: unknown): Events => (span as { events: Events }).events;

test("a record inside a recording span becomes its event (name, time, body, severity, attributes) and is still exported", async () => {
  const { exporter, logger, logs, tracer } = setup();
  const span = tracer.startActiveSpan("checkout", (span) => {
    logger.emit({ severityNumber: 13, severityText: "WARN", body: "card declined", attributes: { "payment.id": "p-1", attempt: 2, tags: ["a", "b"] }, timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    logger.emit({ eventName: "payment.retry", body: { reason: "timeout", after: [1, "s"] }, attributes: { nested: { deep: true } } });
    span.end();
    return span;
  });
  const events = eventsOf(span);
  assert.is(events.length, 2);
  assert.is(events[0]!.name, "log");
  assert.equal(events[0]!.attributes, { "log.record.body": "card declined", "log.record.severity_number": 13, "log.record.severity_text": "WARN", "payment.id": "p-1", attempt: 2, tags: ["a", "b"] });
  assert.is(toEpochMillis(events[0]!.time), Date.UTC(2026, 0, 2, 3, 4, 5, 6));
  // The event name is the record's; structured values that span attributes cannot hold are JSON.
  assert.is(events[1]!.name, "payment.retry");
  assert.equal(events[1]!.attributes, { "log.record.body": '{"reason":"timeout","after":[1,"s"]}', nested: '{"deep":true}' });
  // Both records still went to the logs pipeline, with the span's ids.
  await logs.forceFlush();
  const records = exporter.getFinishedLogRecords();
  assert.equal(records.map((r) => r.body), ["card declined", { reason: "timeout", after: [1, "s"] }]);
  assert.is(records[0]!.spanContext!.spanId, span.spanContext().spanId);
});

test("no event outside a span, in a span that is not recording, after the span ended, or from a logger without trace context", async () => {
  const messages = captureDiag();
  {
    const { exporter, logger, logs, tracer } = setup();
    logger.emit({ body: "no span" });
    const sampledOut = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer("t");
    sampledOut.startActiveSpan("dropped", (span) => {
      logger.emit({ body: "in a sampled-out span" });
      span.end();
    });
    const ended = tracer.startSpan("ended");
    ended.end();
    logger.emit({ body: "after end", context: setSpan(ROOT_CONTEXT, ended) });
    const withoutIds = logs.getLogger("quiet", undefined, { includeTraceContext: false });
    const span = tracer.startActiveSpan("s", (span) => {
      withoutIds.emit({ body: "no ids" });
      span.end();
      return span;
    });
    assert.equal(eventsOf(ended), []);
    assert.equal(eventsOf(span), []);
    await logs.forceFlush();
    assert.is(exporter.getFinishedLogRecords().length, 4);
    assert.equal(messages, []);
  }
});

test("an explicit context chooses the span; a record whose ids are another span's is not copied", () => {
  const { logger, tracer } = setup();
  const target = tracer.startSpan("target");
  const other = tracer.startSpan("other");
  tracer.startActiveSpan("active", (active) => {
    logger.emit({ body: "to target", context: setSpan(ROOT_CONTEXT, target) });
    active.end();
    assert.equal(eventsOf(active), []);
  });
  // A processor called with a context whose span is not the record's.
  const processor = spanEventLogProcessor();
  processor.onEmit({ timestamp: 0, observedTimestamp: 0, attributes: {}, droppedAttributesCount: 0, body: "x", spanContext: target.spanContext(), resource: { attributes: {} }, instrumentationScope: { name: "s" } } as never, setSpan(ROOT_CONTEXT, other));
  target.end();
  other.end();
  assert.equal(eventsOf(target).map((e) => e.attributes["log.record.body"]), ["to target"]);
  assert.equal(eventsOf(other), []);
});

test("the span's limits apply: event count (oldest dropped), attributes per event (body and severity first), value length", () => {
  captureDiag();
  {
    const { logger, tracer } = setup({ eventCountLimit: 2, attributePerEventCountLimit: 3, attributeValueLengthLimit: 5 });
    const span = tracer.startActiveSpan("s", (span) => {
      for (const body of ["first", "second", "third-long"]) logger.emit({ body, severityNumber: 9, severityText: "INFO", attributes: { a: "1", b: "2" } });
      span.end();
      return span;
    });
    const events = eventsOf(span);
    assert.equal(events.map((e) => e.attributes["log.record.body"]), ["secon", "third"]);
    assert.equal(Object.keys(events[0]!.attributes), ["log.record.body", "log.record.severity_number", "log.record.severity_text"]);
    assert.is(events[0]!.droppedAttributesCount, 2);
    assert.is((span as unknown as { droppedEventsCount: number }).droppedEventsCount, 1);
  }
});

test("a span that throws from addEvent does not stop the record", async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [spanEventLogProcessor(), new SimpleLogRecordProcessor(exporter)] });
  const logger = provider.getLogger("x");
  const { tracer } = setup();
  const real = tracer.startSpan("real");
  const hostile = {
    spanContext: () => real.spanContext(),
    isRecording: () => true,
    addEvent: () => {
      throw new Error("hostile");
    },
  };
  logger.emit({ body: "still exported", context: setSpan(ROOT_CONTEXT, hostile as never) });
  await provider.forceFlush();
  assert.equal(exporter.getFinishedLogRecords().map((r) => r.body), ["still exported"]);
});

test.run();
