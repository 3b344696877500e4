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
import { asTarget } from "../browser-page-hide.ts";

/** Options of {@link captureErrors} (checked by `initRum`'s option checks). */
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

/** Remembered error keys; the oldest are forgotten first, so memory stays bounded. */
const MAX_KEYS = 200;

/**
 * Listens for `error` and `unhandledrejection` on `globalThis` and emits one ERROR log record
 * per distinct error. Returns a function removing the listeners. Does nothing where
 * `globalThis` is not an event target (Node).
 *
 * @example
 * ```ts
 * const stop = captureErrors({ logger: logs.getLogger("rum") });
 * ```
 */
export function captureErrors({ logger, maxPerMinute: max = 10, now = Date.now, redactQueryKeys }: CaptureErrorsOptions): () => void {
  const redact = createQueryRedactor(redactQueryKeys);
  const target = asTarget(globalThis);
  if (!target) return () => {};
  const seen = new Set<string>();
  let windowStart = -Infinity;
  let inWindow = 0;
  let dropped = 0;

  const reportDropped = (): void => {
    if (dropped) diag.warn(`captureErrors: ${dropped} error record(s) dropped by the limit of ${max} per minute.`);
    dropped = 0;
  };

  const record = (attrs: LogAttributes): void => {
    // Attributes that may quote a URL (a failed module load, an app error with the page URL):
    // credentials and sensitive query values go the way of url.full (see http-semconv.ts).
    for (const k of ["exception.message", "exception.stacktrace", "code.file.path"]) {
      if (typeof attrs[k] === "string") attrs[k] = redactUrlsInText(attrs[k], redact);
    }
    const type = attrs["exception.type"] ?? "";
    const message = attrs["exception.message"];
    // Deduplicated by type, message and first stack frame ("    at f (https://x/app.js:1:2)" or
    // "f@https://x/app.js:1:2"), else the location: a page in a render loop can throw the same
    // error 60 times a second.
    const frame = /^\s*(at .*|\S*@\S+:\d+.*)$/m.exec(String(attrs["exception.stacktrace"] ?? ""))?.[1];
    const key = `${type}\0${message}\0${frame ?? `${attrs["code.file.path"]}:${attrs["code.line.number"]}`}`;
    if (seen.has(key)) return;
    const t = now();
    if (t - windowStart >= 60_000) {
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
    if (seen.size > MAX_KEYS) seen.delete(seen.values().next().value!);
    logger.emit({
      // Written out: reading SeverityNumber.ERROR would keep the whole enum object in RUM bundles.
      severityNumber: 17 /* SeverityNumber.ERROR */,
      severityText: "ERROR",
      body: type ? `${type}: ${message}` : message,
      attributes: attrs,
    });
  };

  const onError = (e: Partial<ErrorEvent>): void => {
    // Resource load failures (<img> 404) also fire "error", but only in the capture phase and
    // without a message or error: not script errors. Cross-origin scripts without CORS give
    // `error: null` and message "Script error." (HTML "muted errors"): the message and the
    // location the event carries are kept.
    if (e.error == null && typeof e.message !== "string") return;
    const attrs = e.error != null ? exceptionAttributes(e.error) : { "exception.message": e.message };
    if (e.filename) {
      attrs["code.file.path"] = e.filename;
      attrs["code.line.number"] = e.lineno || undefined;
      attrs["code.column.number"] = e.colno || undefined;
    }
    record(attrs);
  };
  const onRejection = (e: { reason?: unknown }): void => {
    // A non-Error reason (`Promise.reject("nope")`) has no type of its own.
    record({ "exception.type": "UnhandledRejection", ...exceptionAttributes(e.reason) });
  };
  // One guard for both: recording must never throw into the page's event loop.
  const guard = (fn: (e: never) => void) => (e: unknown): void => {
    try {
      fn((e ?? {}) as never);
    } catch (err) {
      diagOnce("warn", "rum.errors", "captureErrors: an error could not be recorded.", err);
    }
  };
  const listeners = [guard(onError), guard(onRejection)];
  const types = ["error", "unhandledrejection"];
  types.forEach((type, i) => target.addEventListener(type, listeners[i]!));
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    types.forEach((type, i) => target.removeEventListener(type, listeners[i]!));
    reportDropped();
  };
}
