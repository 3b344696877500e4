/**
 * The OTLP/HTTP JSON body of an `ExportLogsServiceRequest` (POST `/v1/logs`), written by
 * hand as UTF-8 bytes, like the trace encoder (json-writer.ts says why bytes).
 *
 * Fields follow opentelemetry-proto logs/v1/logs.proto under the OTLP JSON rules
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lowerCamelCase names,
 * `traceId`/`spanId` as lowercase hex, `severityNumber` as an integer, `fixed64` times as
 * decimal strings, `body` as an `AnyValue`. `eventName` is field 12 of `LogRecord`
 * (present in the proto shipped with @opentelemetry/otlp-transformer 0.208.0, proto v1.7+).
 * Fields equal to their proto3 default are omitted (zero severity, empty text, no body, zero
 * flags and counts, no span), which the proto3 JSON mapping allows.
 */
import type { ReadableLogRecord } from "../../logs/types.ts";
import { writeAnyValueOrEmpty } from "./any-value.ts";
import { ascii, byte, epochNanos, hexField, pos, rewind, uint, utf8Text } from "./json-writer.ts";
import { attributesFields, stringField, writeRequest } from "./resource-scope.ts";
import { dropped } from "./write-items.ts";

/**
 * The OTLP/JSON `ExportLogsServiceRequest` body for `records`, grouped by resource and
 * instrumentation scope, as UTF-8 bytes: what the OTLP log exporter sends. Never throws: a
 * record whose fields cannot be read is dropped and reported once; a span context with
 * invalid ids is left out (the record is kept, without correlation). An empty input gives
 * `{"resourceLogs":[]}`, which callers must not send. Byte for byte
 * `new TextEncoder().encode(encodeLogs(records))`.
 *
 * @example
 * const body = encodeLogsBytes(records);
 * await fetch("http://127.0.0.1:4318/v1/logs", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeLogsBytes(records: readonly ReadableLogRecord[]): Uint8Array {
  return writeRequest("logs", "Logs", "logRecords", records, writeLogRecord);
}

/**
 * The OTLP/JSON `ExportLogsServiceRequest` body for `records` as a string: the text of
 * {@link encodeLogsBytes} (same rules; use the bytes form to send it).
 *
 * @example
 * const request = JSON.parse(encodeLogs(records));
 */
export function encodeLogs(records: readonly ReadableLogRecord[]): string {
  return utf8Text(encodeLogsBytes(records));
}

/** One `LogRecord` JSON object. */
function writeLogRecord(record: ReadableLogRecord): boolean {
  ascii('{"timeUnixNano":"');
  nanos(record.timestamp);
  ascii('","observedTimeUnixNano":"');
  nanos(record.observedTimestamp);
  byte(34);
  const severity = record.severityNumber;
  if (typeof severity === "number" && Number.isInteger(severity) && severity > 0 && severity <= 24) {
    ascii(',"severityNumber":');
    uint(severity);
  }
  stringField(',"severityText":', record.severityText);
  if (record.body !== undefined) {
    ascii(',"body":');
    writeAnyValueOrEmpty(record.body);
  }
  attributesFields(record.attributes, record.droppedAttributesCount);
  spanFields(record);
  stringField(',"eventName":', record.eventName);
  byte(125);
  return true;
}

function nanos(time: unknown): void {
  // 0 is the proto's "unknown time"; a record without a readable time says exactly that.
  if (typeof time === "number" && Number.isFinite(time)) epochNanos(time);
  else byte(48);
}

/** `,"flags":n` (when not 0), `,"traceId":".."` and `,"spanId":".."` of the record's span context; nothing when its ids are invalid. */
function spanFields(record: ReadableLogRecord): void {
  const ctx = record.spanContext;
  if (ctx == null) return;
  const mark = pos;
  // logs.proto `LogRecordFlags`: bits 0–7 are the W3C trace flags; the rest are reserved (0).
  const flags = typeof ctx.traceFlags === "number" ? ctx.traceFlags & 255 : 0;
  if (flags !== 0) {
    ascii(',"flags":');
    uint(flags);
  }
  if (!hexField(',"traceId":"', ctx.traceId, 32) || !hexField(',"spanId":"', ctx.spanId, 16)) {
    rewind(mark);
    dropped("an invalid trace or span id of a log record (the record is kept)");
  }
}
