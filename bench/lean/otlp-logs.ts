/**
 * The OTLP/JSON `ExportLogsServiceRequest` body (POST `/v1/logs`) as UTF-8 bytes, byte for byte
 * what the product's src/export/otlp/logs-encoder.ts writes, on otlp.ts's writer (`encodeSpans` with the logs' names and item writer) (grouping by
 * resource and scope, `AnyValue`, attributes, the copy into bytes).
 *
 * logs.proto `LogRecord` under the OTLP JSON rules: `fixed64` times as decimal strings (0, the
 * proto's "unknown", for an unreadable time), `severityNumber` an integer 1–24 (0 omitted),
 * `body` an `AnyValue` (an unencodable one is the empty `{}`), `flags` the W3C trace flags
 * (bits 0–7, omitted when 0), `traceId`/`spanId` lowercase hex, left out with the flags when
 * invalid (the record is kept, without correlation: the receiver would reject the request),
 * `eventName` (field 12). Never throws; nothing to send is `{"resourceLogs":[]}` (19 bytes).
 */
import type { LogData } from "./logs.ts";
import { anyValue, attributes, drop, encodeSpans, field, hex } from "./otlp.ts";
import { toEpochNanos } from "./time.ts";

const nanos = (t: unknown): string => (typeof t == "number" && Number.isFinite(t) ? toEpochNanos(t) : "0");

function record(r: LogData): string {
  const n = r.severityNumber;
  const c = r.spanContext;
  let ids = "";
  if (c) {
    const flags = typeof c.traceFlags == "number" ? c.traceFlags & 255 : 0;
    ids = hex(c.traceId, 32) && hex(c.spanId, 16)
      ? (flags ? ',"flags":' + flags : "") + ',"traceId":"' + c.traceId + '","spanId":"' + c.spanId + '"'
      : drop("an invalid log record trace id");
  }
  return (
    '{"timeUnixNano":"' + nanos(r.timestamp) + '","observedTimeUnixNano":"' + nanos(r.observedTimestamp) + '"' +
    (Number.isInteger(n) && n! > 0 && n! < 25 ? ',"severityNumber":' + n : "") +
    field("severityText", r.severityText) +
    (r.body !== undefined ? ',"body":' + (anyValue(r.body, []) || "{}") : "") +
    attributes(r) + ids + field("eventName", r.eventName) + "}"
  );
}

/** The `ExportLogsServiceRequest` for `records` as the UTF-8 bytes of its JSON (see the module doc). */
export const encodeLogs = (records: readonly LogData[]): Uint8Array<ArrayBuffer> => encodeSpans(records, record, "Logs", "logRecords");
