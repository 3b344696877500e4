// Stand-in for bench/lean/export.ts (tests only): OTLP/JSON-shaped batches (enough for the tests'
// decoder: names, kinds, ids, attributes, events, status, scope, resource) POSTed with the
// globalThis.fetch found at send time, under SUPPRESS_KEY; flush() is the isolate's shared drain as
// export.ts's seam says (starts after a timer turn, exports until the queue is empty).
import type { BatchSettings, OtlpTarget, ReadableSpan, SpanSink } from "../../../bench/lean/contract.ts";
import { active, SUPPRESS_KEY, withContext } from "../../../bench/lean/context.ts";

const value = (v: unknown): unknown =>
  typeof v == "string" ? { stringValue: v } : typeof v == "boolean" ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : typeof v == "number" ? { doubleValue: v } : { arrayValue: { values: (v as unknown[]).map(value) } };
const kvs = (a: object) => Object.entries(a).map(([key, v]) => ({ key, value: value(v) }));

export function createSpanSink(target: OtlpTarget, _batch: BatchSettings): SpanSink {
  let queue: ReadableSpan[] = [];
  let draining: Promise<void> | undefined;
  const send = async () => {
      const spans = queue;
      queue = [];
      const body = JSON.stringify({
        resourceSpans: [{
          resource: { attributes: kvs(spans[0]!.resource.attributes) },
          scopeSpans: spans.map((s) => ({
            scope: s.instrumentationScope,
            spans: [{
              traceId: s.spanContext().traceId, spanId: s.spanContext().spanId, parentSpanId: s.parentSpanContext?.spanId, name: s.name, kind: s.kind + 1,
              attributes: kvs(s.attributes), events: s.events.map((e) => ({ name: e.name, attributes: kvs(e.attributes ?? {}) })), status: s.status,
            }],
          })),
        }],
      });
      await withContext(active().setValue(SUPPRESS_KEY, true), () =>
        globalThis.fetch(target.url, { method: "POST", headers: { ...target.headers, "content-type": "application/json" }, body }),
      ).then((r) => r.body?.cancel(), () => {});
  };
  const drain = async () => {
    try {
      await new Promise((r) => setTimeout(r, 0));
      while (queue.length) await send();
    } finally {
      draining = undefined;
    }
  };
  return {
    onEnd: (span) => void queue.push(span),
    flush: () => (draining ??= drain()),
  };
}
