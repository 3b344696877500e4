/**
 * `spanEventLogProcessor()`: copies each log record emitted inside a recording span into that
 * span as an event, so trace views that show a span's events as its logs (Jaeger) show the log
 * lines under the span that wrote them. The record still goes to the other processors, unchanged.
 * Opt-in and its own import (issue 19, "Logs inline in Jaeger"); a program that does not import
 * it does not bundle it.
 *
 * The event (attribute names as the OpenTelemetry Java SDK's event-to-span-event bridge has them):
 * - name: the record's event name, else `log`; time: the record's timestamp;
 * - `log.record.body`: the body (text as is; a structured body as JSON text);
 * - `log.record.severity_number`, `log.record.severity_text` when the record has them;
 * - then the record's attributes (values a span attribute cannot hold, such as nested maps, as
 *   JSON text). A record attribute with one of the names above replaces it.
 * `span.addEvent` applies the span's limits: event count (the oldest event is dropped) and
 * attribute count and length per event.
 *
 * Only a record that belongs to the span is copied: one whose trace and span ids are those of
 * the recording span in the context it was emitted in (so a logger with
 * `includeTraceContext: false`, whose records carry no ids, is left out).
 */
import type { Attributes, AttributeValue } from "../common/attributes.ts";
import { toHrTime } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import { getSpan } from "../trace/span-in-context.ts";
import { safeJsonValue } from "./safe-json.ts";
import type { AnyValue, LogRecordProcessor, ReadableLogRecord } from "./types.ts";

/** `value` as a span attribute value: scalars and arrays of one scalar type as they are, anything else as JSON text. */
function attributeValue(value: AnyValue): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === typeof value[0] && (typeof v === "string" || typeof v === "number" || typeof v === "boolean"))) {
    return value as AttributeValue;
  }
  return safeJsonValue(value);
}

/**
 * A log record processor that adds each record emitted inside a recording span to that span as
 * an event. Put it with the exporting processors; it exports nothing itself.
 *
 * @example
 * ```ts
 * import { init, spanEventLogProcessor, createLog } from "otel-edge";
 * init({ serviceName: "checkout", logProcessors: [spanEventLogProcessor()] });
 * // inside a span: also shown as a log of that span in Jaeger
 * createLog({ name: "checkout" }).warn("card declined", { "payment.id": id });
 * ```
 */
export function spanEventLogProcessor(): LogRecordProcessor {
  return {
    onEmit(record: ReadableLogRecord, context?: Context): void {
      const ids = record.spanContext;
      try {
        const span = context && ids && getSpan(context);
        if (!span || !span.isRecording()) return;
        const own = span.spanContext();
        if (own.spanId !== ids!.spanId || own.traceId !== ids!.traceId) return;
        const attributes: Attributes = {};
        const body = record.body;
        if (body !== undefined && body !== null) attributes["log.record.body"] = typeof body === "string" ? body : safeJsonValue(body);
        if (record.severityNumber !== undefined) attributes["log.record.severity_number"] = record.severityNumber;
        if (record.severityText !== undefined) attributes["log.record.severity_text"] = record.severityText;
        for (const key in record.attributes) {
          const value = attributeValue(record.attributes[key]);
          if (value !== undefined) attributes[key] = value;
        }
        span.addEvent(record.eventName || "log", attributes, toHrTime(record.timestamp));
      } catch {
        // A foreign span or context (from another SDK) that throws: the record still goes on.
      }
    },
    forceFlush: (): Promise<void> => Promise.resolve(),
    shutdown: (): Promise<void> => Promise.resolve(),
  };
}
