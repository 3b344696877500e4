/**
 * The OTLP/HTTP JSON body of an `ExportLogsServiceRequest` (POST `/v1/logs`), written by
 * hand into one string, like the trace encoder.
 *
 * Fields follow opentelemetry-proto logs/v1/logs.proto under the OTLP JSON rules
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase names,
 * `traceId`/`spanId` as lowercase hex, `severityNumber` as an integer, `fixed64` times as
 * decimal strings, `body` as an `AnyValue`. `eventName` is field 12 of `LogRecord`
 * (present in the proto shipped with @opentelemetry/otlp-transformer 0.208.0, proto v1.7+).
 * Fields equal to their proto3 default are omitted (zero severity, empty text, no body, zero
 * flags and counts, no span), which the proto3 JSON mapping allows.
 */
import { diagOnce } from "../../common/diag.ts";
import { toEpochNanos } from "../../common/time.ts";
import type { ReadableLogRecord } from "../../logs/types.ts";
import { isValidSpanId, isValidTraceId } from "../../trace/span-context.ts";
import { encodeAnyValue, encodeKeyValueList } from "./any-value.ts";
import { jsonString } from "./json-string.ts";
import { countField, encodeGrouped, signalKeys } from "./resource-scope.ts";
import type { SignalKeys } from "./resource-scope.ts";

const LOG_KEYS: SignalKeys = /* @__PURE__ */ signalKeys("resourceLogs", "scopeLogs", "logRecords");

// logs.proto `LogRecordFlags`: bits 0–7 are the W3C trace flags; the rest are reserved (0).
const LOG_RECORD_FLAGS_TRACE_FLAGS_MASK = 0xff;

/**
 * The OTLP/JSON `ExportLogsServiceRequest` body for `records`, grouped by resource and
 * instrumentation scope. Never throws: a record whose fields cannot be read is dropped and
 * reported once; a span context with invalid ids is left out (the record is kept, without
 * correlation). `encodeLogs([])` returns `{"resourceLogs":[]}`, which callers must not send.
 *
 * @example
 * const body = encodeLogs(records);
 * await fetch("http://127.0.0.1:4318/v1/logs", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeLogs(records: readonly ReadableLogRecord[]): string {
  return encodeGrouped(records, LOG_KEYS, encodeLogRecord);
}

/** One `LogRecord` JSON object. */
function encodeLogRecord(record: ReadableLogRecord): string {
  let out =
    '{"timeUnixNano":"' + nanos(record.timestamp) +
    '","observedTimeUnixNano":"' + nanos(record.observedTimestamp) + '"';
  const severity = record.severityNumber;
  if (typeof severity === "number" && Number.isInteger(severity) && severity > 0 && severity <= 24) {
    out += ',"severityNumber":' + severity;
  }
  const text = record.severityText;
  if (typeof text === "string" && text !== "") out += ',"severityText":' + jsonString(text);
  if (record.body !== undefined) out += ',"body":' + encodeAnyValue(record.body);
  const attributes = encodeKeyValueList(record.attributes);
  if (attributes !== "[]") out += ',"attributes":' + attributes;
  out += countField("droppedAttributesCount", record.droppedAttributesCount);
  out += spanFields(record);
  const eventName = record.eventName;
  if (typeof eventName === "string" && eventName !== "") out += ',"eventName":' + jsonString(eventName);
  return out + "}";
}

function nanos(time: unknown): string {
  // 0 is the proto's "unknown time"; a record without a readable time says exactly that.
  return typeof time === "number" && Number.isFinite(time) ? toEpochNanos(time) : "0";
}

function spanFields(record: ReadableLogRecord): string {
  const ctx = record.spanContext;
  if (ctx == null) return "";
  if (!isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) {
    diagOnce("warn", "otlp-log-ids", "OTLP encoder: left out an invalid trace or span id of a log record.");
    return "";
  }
  const flags = typeof ctx.traceFlags === "number" ? ctx.traceFlags & LOG_RECORD_FLAGS_TRACE_FLAGS_MASK : 0;
  return (flags !== 0 ? ',"flags":' + flags : "") + ',"traceId":"' + ctx.traceId + '","spanId":"' + ctx.spanId + '"';
}
