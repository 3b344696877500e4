/**
 * Uncaught errors and unhandled promise rejections of a page (or Worker) as log records with
 * the semconv `exception.*` attributes
 * (https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-logs/), severity ERROR.
 *
 * A page in a render loop can throw the same error 60 times a second, so records are
 * deduplicated by type + message + first stack frame (a bounded memory of recent keys) and
 * rate-limited per minute; the number dropped by the limit is reported through `diag` when its
 * minute ends (and on stop), once per window.
 */
import { diag, diagOnce } from "../../common/diag.ts";
import { createQueryRedactor } from "../../instrument/http-semconv.ts";
import { redactUrlsInText } from "../../instrument/redact-text.ts";
import { exceptionAttributes } from "../../logs/friendly-logger.ts";
import type { LogAttributes, Logger } from "../../logs/types.ts";

/** Options of {@link captureErrors}. */
export interface CaptureErrorsOptions {
  /** Logger the records are emitted on. */
  logger: Logger;
  /** Most records per minute (default 10); the rest are dropped and counted. */
  maxPerMinute?: number;
  /** Millisecond clock (default `Date.now`), for the rate window. */
  now?: () => number;
  /** More query keys whose values are redacted in URLs quoted by messages and stacks. */
  redactQueryKeys?: readonly string[];
}

// Attributes that may quote a URL (a failed module load, an app error with the page URL).
const URL_BEARING = ["exception.message", "exception.stacktrace", "code.file.path"] as const;

/** Remembered error keys; the oldest are forgotten first, so memory stays bounded. */
const MAX_KEYS = 200;
const WINDOW_MS = 60_000;

interface Target {
  addEventListener(type: string, fn: (e: unknown) => void): void;
  removeEventListener(type: string, fn: (e: unknown) => void): void;
}

/** The first stack frame line ("    at f (https://x/app.js:1:2)" or "f@https://x/app.js:1:2"), trimmed. */
function firstFrame(stack: unknown): string {
  if (typeof stack !== "string") return "";
  for (const line of stack.split("\n")) {
    const t = line.trim();
    if (t.startsWith("at ") || /@\S+:\d+/.test(t)) return t;
  }
  return "";
}

/** `exception.*` (+ `code.*` location when known) for an `error` event. */
function errorEventAttributes(e: { error?: unknown; message?: unknown; filename?: unknown; lineno?: unknown; colno?: unknown }): LogAttributes {
  // Cross-origin scripts without CORS give `error: null` and message "Script error." (HTML
  // "muted errors"): keep the message and the location the event carries.
  const attrs = e.error != null ? exceptionAttributes(e.error) : { "exception.message": typeof e.message === "string" ? e.message : "" };
  if (typeof e.filename === "string" && e.filename !== "") {
    attrs["code.file.path"] = e.filename;
    if (typeof e.lineno === "number" && e.lineno > 0) attrs["code.line.number"] = e.lineno;
    if (typeof e.colno === "number" && e.colno > 0) attrs["code.column.number"] = e.colno;
  }
  return attrs;
}

/**
 * Listens for `error` and `unhandledrejection` on `globalThis` and emits one ERROR log record
 * per distinct error. Returns a function removing the listeners. Does nothing where
 * `globalThis` is not an event target (Node).
 *
 * @throws RangeError when `maxPerMinute` is not a non-negative integer.
 * @example
 * ```ts
 * const stop = captureErrors({ logger: logs.getLogger("rum") });
 * ```
 */
export function captureErrors(options: CaptureErrorsOptions): () => void {
  if (options === null || typeof options !== "object" || typeof options.logger?.emit !== "function") {
    throw new TypeError("Cannot capture errors: options.logger must be a Logger");
  }
  const { logger } = options;
  const max = options.maxPerMinute ?? 10;
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`Cannot capture errors: maxPerMinute must be a non-negative integer, got ${max}`);
  const now = options.now ?? Date.now;
  const redact = createQueryRedactor(options.redactQueryKeys);
  const g = globalThis as Partial<Target>;
  if (typeof g.addEventListener !== "function" || typeof g.removeEventListener !== "function") return () => {};
  const target = g as Target;

  const seen = new Set<string>();
  let windowStart = -Infinity;
  let inWindow = 0;
  let dropped = 0;

  const reportDropped = (): void => {
    if (dropped > 0) diag.warn(`captureErrors: ${dropped} error record(s) dropped by the limit of ${max} per minute.`);
    dropped = 0;
  };

  const record = (attrs: LogAttributes): void => {
    // Credentials and sensitive query values go the way of url.full (see http-semconv.ts).
    for (const k of URL_BEARING) {
      const v = attrs[k];
      if (typeof v === "string") attrs[k] = redactUrlsInText(v, redact);
    }
    const type = String(attrs["exception.type"] ?? "");
    const message = String(attrs["exception.message"] ?? "");
    const key = `${type}\u0000${message}\u0000${firstFrame(attrs["exception.stacktrace"]) || String(attrs["code.file.path"] ?? "") + ":" + String(attrs["code.line.number"] ?? "")}`;
    if (seen.has(key)) return;
    const t = now();
    if (t - windowStart >= WINDOW_MS) {
      reportDropped();
      windowStart = t;
      inWindow = 0;
    }
    if (inWindow >= max) {
      dropped++;
      return;
    }
    inWindow++;
    seen.add(key);
    if (seen.size > MAX_KEYS) seen.delete(seen.values().next().value as string);
    logger.emit({
      // Written out: reading SeverityNumber.ERROR would keep the whole enum object in RUM bundles.
      severityNumber: 17 /* SeverityNumber.ERROR */,
      severityText: "ERROR",
      body: type !== "" ? `${type}: ${message}` : message,
      attributes: attrs,
    });
  };

  const onError = (e: unknown): void => {
    try {
      const ev = (e ?? {}) as Record<string, unknown>;
      // Resource load failures (<img> 404) also fire "error", but only in the capture phase
      // and without a message or error: not script errors.
      if (ev.error == null && typeof ev.message !== "string") return;
      record(errorEventAttributes(ev));
    } catch (err) {
      diagOnce("warn", "rum-errors:error", "captureErrors: an error event could not be recorded.", err);
    }
  };
  const onRejection = (e: unknown): void => {
    try {
      const reason = (e as { reason?: unknown } | null)?.reason;
      const attrs = exceptionAttributes(reason);
      // A non-Error reason (`Promise.reject("nope")`) has no type of its own.
      if (attrs["exception.type"] === undefined) attrs["exception.type"] = "UnhandledRejection";
      record(attrs);
    } catch (err) {
      diagOnce("warn", "rum-errors:rejection", "captureErrors: an unhandled rejection could not be recorded.", err);
    }
  };

  target.addEventListener("error", onError);
  target.addEventListener("unhandledrejection", onRejection);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    target.removeEventListener("error", onError);
    target.removeEventListener("unhandledrejection", onRejection);
    reportDropped();
  };
}
