/**
 * The JSON-lines sink: one JSON object per record, one record per line, written to the
 * console (stdout on Node/Deno/Bun; the log stream Workers, Lambda, Cloud Run and Kubernetes
 * collect). The default line is
 *
 * `{"time":"2024-05-01T12:00:00.123456Z","level":"info","msg":"...","trace_id":"..","span_id":"..","trace_flags":"01","service.name":"..",<attributes>}`
 *
 * `trace_id`, `span_id` and `trace_flags` are the names (and hex forms) of the OTel spec
 * "Trace Context in non-OTLP Log Formats"; `time` is RFC 3339 in UTC with microseconds;
 * `level` is the lower-case severity range (`info` for INFO..INFO4). Every field name is
 * configurable, and `null` leaves a field out. Attributes go at the top level (or under
 * `attributesKey`); one whose key collides with a field above is written as `attr.<key>`, and
 * so is one whose key starts with `attr.`, so no two keys of a line are ever the same (an
 * attribute `attr.msg` beside a renamed `msg` becomes `attr.attr.msg`). Values that JSON cannot
 * hold are rendered safely (see `safe-json.ts`); nothing throws. C1 control characters
 * (U+0080–U+009F, e.g. the 8-bit CSI U+009B that some terminals obey) and DEL are written as
 * `\u` escapes like the C0 ones JSON requires escaped (RFC 8259 §7), so a line cannot carry a
 * terminal control sequence.
 */
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { toEpochNanos } from "../common/time.ts";
import type { ExportResult } from "../export/exporter.ts";
import { jsonString } from "../export/otlp/json-string.ts";
import { writeLines } from "../export/write-lines.ts";
import type { Context } from "../context/context.ts";
import { runAsInternalWrite } from "./console-guard.ts";
import { safeJsonMember, safeJsonValue } from "./safe-json.ts";
import { levelName } from "./severity.ts";
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord } from "./types.ts";


/** Names of the fields of a JSON line; `null` leaves the field out. */
export interface JsonLinesFieldNames {
  /** Default `"time"`. */
  time: string | null;
  /** Default `"level"`. */
  level: string | null;
  /** Default `"msg"`. */
  message: string | null;
  /** Default `"trace_id"`. */
  traceId: string | null;
  /** Default `"span_id"`. */
  spanId: string | null;
  /** Default `"trace_flags"`. */
  traceFlags: string | null;
  /** Default `"service.name"` (from the resource). */
  serviceName: string | null;
  /** Default `"event.name"`. */
  eventName: string | null;
}

/** The default field names. */
export const DEFAULT_JSON_LINES_FIELDS: Readonly<JsonLinesFieldNames> = /* @__PURE__ */ Object.freeze({
  time: "time",
  level: "level",
  message: "msg",
  traceId: "trace_id",
  spanId: "span_id",
  traceFlags: "trace_flags",
  serviceName: "service.name",
  eventName: "event.name",
});

/** Options of the JSON-lines sink. */
export interface JsonLinesOptions {
  /** Field names to change (e.g. `{ message: "message", time: "@timestamp" }`); `null` omits one. */
  fields?: Partial<JsonLinesFieldNames>;
  /** Put all attributes under this key instead of at the top level. */
  attributesKey?: string;
  /** Where lines go. Default: `console.log`, looked up at each write. */
  write?: (line: string) => void;
}

/** Formats one record as one JSON line (no trailing newline). */
export type JsonLineFormatter = (record: ReadableLogRecord) => string;

/**
 * A formatter for `options`, with the field-name fragments escaped once.
 *
 * @example
 * const format = createJsonLineFormatter({ fields: { message: "message" } });
 * format(record); // '{"time":"...","level":"info","message":"hello",...}'
 */
export function createJsonLineFormatter(options: JsonLinesOptions = {}): JsonLineFormatter {
  const names = { ...DEFAULT_JSON_LINES_FIELDS, ...options.fields };
  const key = (name: string | null | undefined): string | undefined => (typeof name === "string" && name !== "" ? jsonString(name) + ":" : undefined);
  // Each field's `"name":` fragment, escaped once; undefined for a field left out.
  const k = {} as Record<keyof JsonLinesFieldNames, string | undefined>;
  for (const field of Object.keys(DEFAULT_JSON_LINES_FIELDS) as (keyof JsonLinesFieldNames)[]) k[field] = key(names[field]);
  const reserved = new Set<string>(Object.values(names).filter((n): n is string => typeof n === "string" && n !== ""));
  const nestKey = typeof options.attributesKey === "string" && options.attributesKey !== "" ? options.attributesKey : undefined;
  if (nestKey !== undefined) reserved.add(nestKey);
  // The renaming is injective: an attribute is renamed to prefix + key when its key is a field's
  // or starts with the prefix itself, and no field name starts with the prefix (lengthened
  // until none does), so a renamed key can equal neither a field nor another attribute's key.
  let prefix = "attr.";
  while ([...reserved].some((n) => n.startsWith(prefix))) prefix = "attr." + prefix;
  const attributeKey = (name: string): string => jsonString(reserved.has(name) || name.startsWith(prefix) ? prefix + name : name);

  return (record) => {
    const parts: string[] = [];
    try {
      if (k.time) parts.push(k.time + '"' + rfc3339(record.timestamp) + '"');
      const level = levelName(record.severityNumber) ?? (typeof record.severityText === "string" && record.severityText !== "" ? record.severityText.toLowerCase() : undefined);
      if (k.level && level !== undefined) parts.push(k.level + jsonString(level));
      const body = record.body;
      if (k.message && body !== undefined) parts.push(k.message + (typeof body === "string" ? jsonString(body) : safeJsonValue(body)));
      const sc = record.spanContext;
      if (sc != null) {
        if (k.traceId) parts.push(k.traceId + jsonString(String(sc.traceId)));
        if (k.spanId) parts.push(k.spanId + jsonString(String(sc.spanId)));
        if (k.traceFlags) parts.push(k.traceFlags + '"' + ((sc.traceFlags ?? 0) & 0xff).toString(16).padStart(2, "0") + '"');
      }
      const service = record.resource?.attributes?.["service.name"];
      if (k.serviceName && service !== undefined) parts.push(k.serviceName + safeJsonValue(service));
      if (k.eventName && typeof record.eventName === "string") parts.push(k.eventName + jsonString(record.eventName));
      const attrs = record.attributes;
      if (attrs != null && typeof attrs === "object") {
        if (nestKey !== undefined) {
          parts.push(jsonString(nestKey) + ":" + safeJsonValue(attrs));
        } else {
          for (const name in attrs) {
            if (!Object.prototype.hasOwnProperty.call(attrs, name)) continue;
            let v: unknown;
            try {
              v = attrs[name];
            } catch {
              continue;
            }
            const enc = safeJsonMember(v);
            if (enc === undefined) continue;
            parts.push(attributeKey(name) + ":" + enc);
          }
        }
      }
    } catch {
      diagOnce("warn", "json-lines-record", "JSON-lines sink: part of a log record could not be read and was left out.");
    }
    return ("{" + parts.join(",") + "}").replace(C1_CONTROLS, (c) => "\\u00" + c.charCodeAt(0).toString(16));
  };
}

// DEL and the C1 controls. Outside string literals a JSON text is ASCII punctuation, digits
// and literals, so every such character of a line is inside a string and may be escaped there.
const C1_CONTROLS = /[\u007f-\u009f]/g;

/** One record as a JSON line with `options` (prefer {@link createJsonLineFormatter} in a loop). */
export function formatJsonLine(record: ReadableLogRecord, options?: JsonLinesOptions): string {
  return createJsonLineFormatter(options)(record);
}

/**
 * Anchor-relative ms → RFC 3339 UTC with microseconds, e.g. `2024-05-01T12:00:00.123456Z`
 * (rounded to the nearest microsecond, in integers so the carry into ms and seconds is exact).
 */
export function rfc3339(time: number): string {
  const nanos = BigInt(toEpochNanos(typeof time === "number" && Number.isFinite(time) ? time : 0));
  const micros = (nanos + 500n) / 1000n;
  const iso = new Date(Number(micros / 1000n)).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  return iso.slice(0, -1) + String(micros % 1000n).padStart(3, "0") + "Z";
}

function consoleWrite(line: string): void {
  const c = (globalThis as { console?: { log?: (...args: unknown[]) => void } }).console;
  c?.log?.(line);
}

function makeWriter(options: JsonLinesOptions): (line: string) => void {
  const write = options.write ?? consoleWrite;
  // Marked as our own write, so bridgeConsole() passes it through instead of re-logging it.
  return (line) => runAsInternalWrite(() => write(line));
}

/**
 * Writes each record as a JSON line synchronously, as it is emitted (keeps the order with
 * other console output; nothing is lost if the process exits right after).
 *
 * @example
 * ```ts
 * const provider = new LoggerProvider({ resource, processors: [new JsonLinesLogProcessor()] });
 * ```
 */
export class JsonLinesLogProcessor implements LogRecordProcessor {
  readonly #format: JsonLineFormatter;
  readonly #write: (line: string) => void;
  #stopped = false;

  constructor(options: JsonLinesOptions = {}) {
    this.#format = createJsonLineFormatter(options);
    this.#write = makeWriter(options);
  }

  /** Writes `record`'s line; never throws. */
  onEmit(record: ReadableLogRecord, _context?: Context): void {
    if (this.#stopped) return;
    try {
      this.#write(this.#format(record));
    } catch (error) {
      diagOnce("warn", "json-lines-write", `JSON-lines sink: writing a line failed: ${describe(error)}`);
    }
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later records are not written. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}

/**
 * The JSON-lines sink as an exporter, for use behind a batch processor (or as the
 * `OTEL_LOGS_EXPORTER=console` exporter).
 */
export class JsonLinesLogExporter implements LogRecordExporter {
  readonly #format: JsonLineFormatter;
  readonly #write: (line: string) => void;
  #stopped = false;

  constructor(options: JsonLinesOptions = {}) {
    this.#format = createJsonLineFormatter(options);
    this.#write = makeWriter(options);
  }

  /** Writes one line per record; fails after {@link shutdown} or when the writer throws. */
  export(records: ReadableLogRecord[]): Promise<ExportResult> {
    if (this.#stopped) return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: new Error("JsonLinesLogExporter is shut down") });
    return writeLines(records, this.#format, this.#write);
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later exports fail. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}
