/**
 * The friendly logger for application code: `log.info("msg", { attrs })`, errors recorded
 * as `exception.*` attributes (semconv "Exceptions in logs": `exception.type`,
 * `exception.message`, `exception.stacktrace`), `child()` for bound fields (zerolog's
 * `With()`, pino's `child()`), and a minimum level. Records go through the global `logs` API,
 * so they carry the active span's ids and reach whatever provider `init()` registered.
 *
 * Minimum level: `options.level`, else `OTEL_EDGE_LOG_LEVEL` in `options.env`, else `info`.
 * The OTel spec has no environment variable for an application's log level: `OTEL_LOG_LEVEL`
 * is the SDK's own diagnostic level (SDK environment variables spec), so reusing it would tie
 * "show the SDK's debug output" to "record my app's debug logs". The closest spec concept is
 * the Logs SDK LoggerConfig `minimum_severity` (development); hence a product-prefixed name.
 */
import { describe } from "../common/describe.ts";
import type { EnvRecord } from "../common/env.ts";
import { diag } from "../common/diag.ts";
import { envString } from "../common/env.ts";
import type { Context } from "../context/context.ts";
import { logs } from "./logs-api.ts";
import { parseSeverity, SeverityNumber, type LevelName } from "./severity.ts";
import type { LogAttributes, Logger, LogRecord } from "./types.ts";

/** The environment variable holding the friendly logger's minimum level. */
export const LOG_LEVEL_ENV = "OTEL_EDGE_LOG_LEVEL";

/** One logging method: a message, an error, or both, with optional attributes. */
export interface LogMethod {
  (message: string, attributes?: LogAttributes): void;
  (message: string, error: unknown, attributes?: LogAttributes): void;
  (error: unknown, attributes?: LogAttributes): void;
}

/** The friendly logger. */
export interface Log {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** A logger whose records also carry `attributes` (call-site attributes win on conflicts). */
  child(attributes: LogAttributes): Log;
  /** A logger that takes trace ids from `ctx` instead of the active context (no AsyncLocalStorage). */
  withContext(ctx: Context): Log;
  /** True when records at `level` pass the minimum level. */
  isEnabled(level: LevelName): boolean;
  /** Changes the minimum level, for this logger and every logger derived from the same root. */
  setLevel(level: LevelName | number): void;
}

/** Options of {@link createLog}. */
export interface LogOptions {
  /** Instrumentation scope name. Default `"app"`. */
  name?: string;
  /** Instrumentation scope version. */
  version?: string;
  /** Minimum level (`"debug"`, `"warn"`, a severity number, `"off"`). Default: env, else `info`. */
  level?: LevelName | number | string;
  /** Environment to read {@link LOG_LEVEL_ENV} from. */
  env?: EnvRecord;
  /** Attributes on every record. */
  attributes?: LogAttributes;
  /** The logger to emit to. Default `logs.getLogger(name, version)` (follows the global provider). */
  logger?: Logger;
}

interface State {
  min: number;
}

interface Bound {
  readonly logger: Logger;
  readonly state: State;
  readonly attributes: LogAttributes | undefined;
  readonly context: Context | undefined;
}

// Level name, SeverityNumber, SeverityText. The numbers are written out (they are
// SeverityNumber.TRACE, DEBUG, INFO, WARN, ERROR, FATAL) because a property read at module
// level counts as a side effect to bundlers and would keep this table in every bundle.
const LEVELS: ReadonlyArray<readonly [LevelName, SeverityNumber, string]> = [
  ["trace", 1, "TRACE"],
  ["debug", 5, "DEBUG"],
  ["info", 9, "INFO"],
  ["warn", 13, "WARN"],
  ["error", 17, "ERROR"],
  ["fatal", 21, "FATAL"],
];

/**
 * Creates a friendly logger.
 *
 * @example
 * ```ts
 * const log = createLog({ name: "checkout", env: process.env });
 * log.info("order placed", { "order.id": id });
 * try { await charge(); } catch (err) { log.error("charge failed", err, { "order.id": id }); }
 * const reqLog = log.child({ "http.route": "/cart" });
 * ```
 */
export function createLog(options: LogOptions = {}): Log {
  const name = typeof options.name === "string" && options.name !== "" ? options.name : "app";
  const logger = options.logger ?? logs.getLogger(name, options.version);
  const state: State = { min: resolveLevel(options.level, options.env) };
  const attributes = options.attributes !== undefined ? { ...options.attributes } : undefined;
  return makeLog({ logger, state, attributes, context: undefined });
}

function resolveLevel(level: unknown, env: EnvRecord | undefined): number {
  if (level !== undefined) {
    const n = parseSeverity(level);
    if (n === undefined) throw new RangeError(`Cannot create log: unknown level ${JSON.stringify(level)}; expected trace, debug, info, warn, error, fatal, off or a number 1–24.`);
    return n;
  }
  const text = envString(env, LOG_LEVEL_ENV);
  if (text !== undefined) {
    const n = parseSeverity(text);
    if (n !== undefined) return n;
    diag.warn(`Ignoring ${LOG_LEVEL_ENV}=${JSON.stringify(text)}: expected trace, debug, info, warn, error, fatal or off; using info.`);
  }
  return SeverityNumber.INFO;
}

function makeLog(b: Bound): Log {
  const method = (severity: number, text: string): LogMethod =>
    ((first: unknown, second?: unknown, third?: LogAttributes) => {
      if (severity < b.state.min) return;
      try {
        b.logger.emit(buildRecord(b, severity, text, first, second, third));
      } catch {
        // Recording never throws (DESIGN principle 3); the SDK logger reports its own problems.
      }
    }) as LogMethod;
  const out = {} as Log;
  for (const [level, severity, text] of LEVELS) out[level] = method(severity, text);
  out.child = (attributes) => makeLog({ ...b, attributes: b.attributes === undefined ? { ...attributes } : { ...b.attributes, ...attributes } });
  out.withContext = (ctx) => makeLog({ ...b, context: ctx });
  out.isEnabled = (level) => (parseSeverity(level) ?? 0) >= b.state.min;
  out.setLevel = (level) => {
    const n = parseSeverity(level);
    if (n === undefined) diag.warn(`log.setLevel: ignoring unknown level ${JSON.stringify(level)}.`);
    else b.state.min = n;
  };
  return out;
}

function buildRecord(b: Bound, severity: number, text: string, first: unknown, second: unknown, third: LogAttributes | undefined): LogRecord {
  let body: unknown;
  let error: unknown;
  let attributes: LogAttributes | undefined;
  if (typeof first === "string") {
    body = first;
    if (isError(second) || (second !== undefined && second !== null && typeof second !== "object")) {
      error = second;
      attributes = third;
    } else {
      attributes = second as LogAttributes | undefined;
    }
  } else if (isError(first)) {
    error = first;
    body = errorMessage(first);
    attributes = second as LogAttributes | undefined;
  } else {
    body = first;
    attributes = second as LogAttributes | undefined;
  }
  let merged: LogAttributes | undefined = b.attributes;
  if (error !== undefined) merged = { ...merged, ...exceptionAttributes(error) };
  if (attributes != null && typeof attributes === "object") merged = merged === undefined ? attributes : { ...merged, ...attributes };
  const record: LogRecord = { severityNumber: severity as LogRecord["severityNumber"], severityText: text, body: body as LogRecord["body"] };
  if (merged !== undefined) record.attributes = merged;
  if (b.context !== undefined) record.context = b.context;
  return record;
}

function isError(v: unknown): v is Error {
  return v instanceof Error || (v !== null && typeof v === "object" && Object.prototype.toString.call(v) === "[object Error]");
}

function errorMessage(error: Error): string {
  try {
    return String(error.message || error.name || "Error");
  } catch {
    return "Error";
  }
}

/** semconv `exception.*` attributes for a thrown value. */
export function exceptionAttributes(error: unknown): LogAttributes {
  const out: LogAttributes = {};
  try {
    if (isError(error)) {
      out["exception.type"] = String(error.name || error.constructor?.name || "Error");
      out["exception.message"] = String(error.message ?? "");
      if (typeof error.stack === "string" && error.stack !== "") out["exception.stacktrace"] = error.stack;
    } else {
      out["exception.message"] = describe(error);
    }
  } catch {
    // A hostile error object: keep what was read.
  }
  return out;
}
