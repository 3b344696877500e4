/**
 * The logs signal of the size-first core, as the product's src/logs (logger.ts, log-record.ts,
 * logs-api.ts, batch-log-processor.ts, friendly-logger.ts) for what a program reaches:
 *
 * - `createLog({ name, version, level, env, attributes })`: `log.info("msg", attrs)`,
 *   `log.error("msg", err, attrs)`, `log.error(err)`; an Error is recorded as the semconv
 *   `exception.type` / `exception.message` / `exception.stacktrace` attributes ("Exceptions in
 *   logs"), a message-less call takes the error's message as body; `child(attrs)`,
 *   `withContext(ctx)`, `isEnabled(level)`, `setLevel(level)`; the minimum level from `level`,
 *   else `OTEL_EDGE_LOG_LEVEL`, else info (OTEL_LOG_LEVEL is the SDK's own diagnostics);
 * - each record: severity number and text, body and attributes copied as `AnyValue`s (cycles,
 *   depth > 32, functions and throwing getters dropped; `null`/`undefined` attributes unset;
 *   the count and value-length limits, `OTEL_LOGRECORD_ATTRIBUTE_*`), times, and the trace
 *   correlation of the active span (Logs SDK, "ReadableLogRecord": trace id, span id, flags
 *   taken from the resolved context) — a record outside a valid span has none;
 * - the records go to the global log sink `setLogSink()` installed (node-init.ts); before it,
 *   and after a shutdown, they are dropped (the API's no-op provider);
 * - `createLogSink(target, batch)`: the batch log record processor's bounded queue (spec
 *   defaults 2048 / 512, `OTEL_BLRP_*`), exported over export.ts's transport by `flush()`.
 *
 * Recording never throws into the app (DESIGN principle 3): a record that cannot be read is
 * dropped and reported once.
 */
import type { Context, OtlpTarget, BatchSettings, Resource, SpanContext, InstrumentationScope } from "./contract.ts";
import { active } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { createPost } from "./export.ts";
import { encodeLogs } from "./otlp-logs.ts";
import { now } from "./time.ts";
import { getSpan, isSpanContextValid } from "./tracer.ts";

type Attrs = Record<string, unknown>;

/** A recorded log record (the product's ReadableLogRecord). */
export interface LogData {
  timestamp: number;
  observedTimestamp: number;
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  eventName?: string;
  attributes: Attrs;
  droppedAttributesCount: number;
  spanContext?: SpanContext;
  resource: Resource;
  instrumentationScope: InstrumentationScope;
}

/** Where records go once `init()` ran: the limits and resource to record with, and the processor. */
export interface LogSink {
  resource: Resource;
  /** `OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT` (128) and `_VALUE_LENGTH_LIMIT` (none). */
  count: number;
  length: number;
  emit(record: LogData): void;
}

let sink: LogSink | undefined;
/** Installs (or, with undefined, removes) the global log sink. */
export const setLogSink = (s?: LogSink): void => void (sink = s);

const read = (o: object, k: string | number): unknown => {
  try {
    return (o as Attrs)[k];
  } catch {
    warnOnce("logs: dropped an unreadable value");
  }
};

/** `v` as a log `AnyValue` (log-record.ts `sanitizeAnyValue`); undefined to drop it. */
function clean(v: unknown, length: number, path: object[]): unknown {
  const t = typeof v;
  if (t == "string") return (v as string).length > length ? (v as string).slice(0, length) : v;
  if (t == "number" || t == "boolean") return v;
  if (t == "bigint") return String(v);
  if (t != "object") return;
  if (v === null) return null;
  const o = v as object;
  if (o instanceof Uint8Array) return o.slice();
  if (ArrayBuffer.isView(o)) return new Uint8Array(o.buffer.slice(o.byteOffset, o.byteOffset + o.byteLength));
  if (o instanceof Date) return isNaN(+o) ? undefined : o.toISOString();
  if (o instanceof Error) return clean(`${o.name || "Error"}: ${o.message}`, length, path);
  if (path.length > 31 || path.includes(o)) return warnOnce("logs: dropped a cyclic or too deep value");
  path.push(o);
  try {
    if (Array.isArray(o)) return Array.from(o, (_, i) => clean(read(o, i), length, path) ?? null);
    const out: Attrs = {};
    for (const k in o) if (Object.hasOwn(o, k)) define(out, k, clean(read(o, k), length, path));
    return out;
  } finally {
    path.pop();
  }
}

/** Sets an own property, `__proto__` included (never the prototype); undefined sets nothing. */
const define = (o: Attrs, k: string, v: unknown): unknown =>
  v !== undefined && Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** One record from what a logger was given (logger.ts `buildRecord`). */
function record(s: LogSink, scope: InstrumentationScope, severityNumber: number, severityText: string, body: unknown, input: unknown, ctx: Context): LogData {
  const t = now();
  const attributes: Attrs = {};
  let size = 0;
  let dropped = 0;
  try {
    if (input && typeof input == "object")
      for (const k in input) {
        const v = Object.hasOwn(input, k) ? read(input, k) : undefined;
        if (v == null) continue;
        const c = k ? clean(v, s.length, []) : undefined;
        if (c === undefined) warnOnce("logs: dropped an attribute (empty key or not a log value)");
        else if (size++ < s.count) define(attributes, k, c);
        else dropped++;
      }
  } catch {
    warnOnce("logs: dropped unreadable attributes");
  }
  const r: LogData = { timestamp: t, observedTimestamp: t, attributes, droppedAttributesCount: dropped, resource: s.resource, instrumentationScope: scope, severityNumber, severityText };
  body = clean(body, 1 / 0, []);
  if (body !== undefined) r.body = body;
  const c = getSpan(ctx)?.spanContext();
  if (c && isSpanContextValid(c)) r.spanContext = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags, isRemote: c.isRemote, traceState: c.traceState };
  return r;
}

/** The level names with their severity numbers (SeverityNumber TRACE … FATAL). */
const LEVELS = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;
export type LevelName = keyof typeof LEVELS;
const ALIASES: Attrs = { ...LEVELS, warning: 13, err: 17, critical: 21, crit: 21, all: 1, off: 25, none: 25, silent: 25 };

/** severity.ts `parseSeverity`: a name (with a 2–4 suffix), a number 1–25 or its digits; else undefined. */
export function severity(v: unknown): number | undefined {
  if (typeof v == "number") return Number.isInteger(v) && v > 0 && v < 26 ? v : undefined;
  const t = typeof v == "string" ? v.trim().toLowerCase() : "";
  const m = /^(\d+)$|^(trace|debug|info|warn|error|fatal)([2-4])$/.exec(t);
  return m ? (m[1] ? severity(+m[1]) : LEVELS[m[2] as LevelName] + +m[3]! - 1) : Object.hasOwn(ALIASES, t) ? (ALIASES[t] as number) : undefined;
}

/** One logging method: a message, an error, or both, with optional attributes. */
export interface LogMethod {
  (message: string, attributes?: Attrs): void;
  (message: string, error: unknown, attributes?: Attrs): void;
  (error: unknown, attributes?: Attrs): void;
}

/** The friendly logger (friendly-logger.ts `Log`). */
export type Log = { [K in LevelName]: LogMethod } & {
  child(attributes: Attrs): Log;
  withContext(ctx: Context): Log;
  isEnabled(level: LevelName): boolean;
  setLevel(level: LevelName | number): void;
};

/** Options of {@link createLog}. */
export interface LogOptions {
  name?: string;
  version?: string;
  level?: LevelName | number | string;
  env?: Readonly<Record<string, unknown>>;
  attributes?: Attrs;
}

const isError = (v: unknown): v is Error => v instanceof Error || Object.prototype.toString.call(v) == "[object Error]";

/** semconv `exception.*` attributes of a thrown value. */
export function exceptionAttributes(e: unknown): Attrs {
  const out: Attrs = {};
  try {
    if (isError(e)) {
      out["exception.type"] = String(e.name || e.constructor?.name || "Error");
      out["exception.message"] = String(e.message ?? "");
      if (typeof e.stack == "string" && e.stack) out["exception.stacktrace"] = e.stack;
    } else out["exception.message"] = typeof e == "string" ? e : String(e);
  } catch {}
  return out;
}

/**
 * A friendly logger over the global log sink (see the module doc). Throws a RangeError for an
 * unknown `level` option, as the product's.
 */
export function createLog(options: LogOptions = {}): Log {
  const scope: InstrumentationScope = { name: typeof options.name == "string" && options.name ? options.name : "app", version: options.version };
  let min = severity(options.level);
  if (min == null) {
    if (options.level !== undefined) throw new RangeError("createLog: unknown level");
    const text = options.env?.OTEL_EDGE_LOG_LEVEL;
    if (typeof text == "string" && text.trim()) (min = severity(text)) ?? warnOnce("ignored OTEL_EDGE_LOG_LEVEL: not a level");
  }
  const state = { min: min ?? 9 };
  const make = (bound: Attrs | undefined, ctx?: Context): Log => {
    const log = {
      child: (a: Attrs) => make({ ...bound, ...a }, ctx),
      withContext: (c: Context) => make(bound, c),
      isEnabled: (level: LevelName) => (severity(level) ?? 0) >= state.min,
      setLevel(level: LevelName | number) {
        const n = severity(level);
        n ? (state.min = n) : warnOnce("log.setLevel: unknown level ignored");
      },
    } as Log;
    for (const [name, n] of Object.entries(LEVELS))
      log[name as LevelName] = (first: unknown, second?: unknown, third?: unknown) => {
        const s = sink;
        if (n < state.min || !s) return;
        try {
          let error: unknown;
          let attrs = second;
          if (typeof first == "string") {
            if (isError(second) || (second != null && typeof second != "object")) (error = second), (attrs = third);
          } else if (isError(first)) (error = first), (first = first.message || first.name || "Error");
          let merged = bound;
          if (error !== undefined) merged = { ...merged, ...exceptionAttributes(error) };
          if (attrs && typeof attrs == "object") merged = merged ? { ...merged, ...attrs } : (attrs as Attrs);
          s.emit(record(s, scope, n, name.toUpperCase(), first, merged, ctx ?? active()));
        } catch {
          warnOnce("logs: dropped an unreadable record");
        }
      };
    return log;
  };
  return make(options.attributes && { ...options.attributes });
}

/**
 * The batch log record processor's queue: records beyond `maxQueueSize` are dropped (reported
 * once); `flush()` exports every queued record in batches of `maxExportBatchSize`, one at a
 * time, each bounded by the transport's timeout. Never throws; `flush()` never rejects.
 */
export function createLogQueue(target: OtlpTarget, batch: BatchSettings): { push(r: LogData): void; flush(): Promise<void> } {
  const queue: LogData[] = [];
  const post = createPost(target);
  let chain: Promise<unknown> = Promise.resolve();
  return {
    push(r) {
      queue.length < batch.maxQueueSize ? queue.push(r) : warnOnce("logs: queue full, records dropped");
    },
    flush: () =>
      (chain = chain.then(async () => {
        for (let b; (b = queue.splice(0, batch.maxExportBatchSize)).length; ) {
          const body = encodeLogs(b);
          if (body.length > 19) await post(body);
        }
      }).catch(() => {})) as Promise<void>,
  };
}
