/**
 * `withFlush(handler)`: for serverless functions (AWS Lambda, Cloud Functions, Vercel/Netlify
 * Node functions) whose process is frozen as soon as the handler's promise settles. Anything
 * still queued then — spans, metrics, logs — is lost, or leaves minutes later when the frozen
 * process thaws for another event (with stale timestamps, if it ever thaws). So the wrapped
 * handler returns its result only after every signal was flushed.
 *
 * The flush is bounded: each exporter already has its own export timeout, and on top of that
 * the wait here stops after `timeoutMillis` (default 30000 ms, the spec default of
 * `OTEL_BSP_EXPORT_TIMEOUT`, the longest bound a default flush has) and, when the invocation
 * context has Lambda's `getRemainingTimeInMillis()`, before the function's own deadline — a
 * hung collector must never turn into a timed-out (and retried) invocation.
 *
 * @module
 */
import { describe } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import { logs } from "../logs/logs-api.ts";
import { registeredMeterProvider } from "../metrics/registered-meter-provider.ts";
import { trace } from "../trace/trace-api.ts";

/** Anything with a `flush()`, e.g. the SDK `init()` returns. */
export interface Flushable {
  /** Exports everything recorded so far; resolves when done. */
  flush(): Promise<void>;
}

/** Options for {@link withFlush}. */
export interface WithFlushOptions {
  /** What to flush; default: the globally registered tracer, meter and logger providers (what `init()` registered). */
  sdk?: Flushable;
  /** Longest wait for the flush, in ms; default 30000. The result is returned when it elapses, flushed or not. */
  timeoutMillis?: number;
  /**
   * Kept free before the platform's deadline when the invocation context has
   * `getRemainingTimeInMillis()` (AWS Lambda), in ms; default 500.
   */
  deadlineMarginMillis?: number;
}

/** The part of a Lambda-style invocation context {@link withFlush} looks at. */
interface DeadlineContext {
  getRemainingTimeInMillis?: () => number;
}

const DEFAULT_TIMEOUT_MILLIS = 30000;
const DEFAULT_MARGIN_MILLIS = 500;

/**
 * Wraps a serverless handler `(event, context, ...) => result | Promise<result>` so that its
 * result (or thrown error) is delivered only after spans, metrics and logs were flushed,
 * bounded by `timeoutMillis` and the platform deadline. `this` and every argument pass
 * through unchanged; the wrapper always returns a promise. Never adds an error of its own:
 * a failed or timed-out flush is reported through `diag` and the handler's outcome stands.
 *
 * @example
 * ```ts
 * import { init, withFlush } from "otel-edge";
 * const sdk = init({ serviceName: "orders-lambda" });
 * export const handler = withFlush(async (event, context) => {
 *   return { statusCode: 200, body: "ok" };
 * }, { sdk, timeoutMillis: 2000 });
 * ```
 */
export function withFlush<This, Args extends unknown[], Result>(
  handler: (this: This, ...args: Args) => Result,
  options: Flushable | WithFlushOptions = {},
): (this: This, ...args: Args) => Promise<Awaited<Result>> {
  if (typeof handler !== "function") throw new TypeError(`withFlush: handler must be a function, got ${typeof handler}`);
  const resolved: WithFlushOptions = isFlushable(options) ? { sdk: options } : options;
  const timeoutMillis = resolved.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS;
  if (!(timeoutMillis >= 0)) throw new RangeError(`withFlush: timeoutMillis must be a number >= 0, got ${String(timeoutMillis)}`);
  const margin = resolved.deadlineMarginMillis ?? DEFAULT_MARGIN_MILLIS;
  if (!(margin >= 0)) throw new RangeError(`withFlush: deadlineMarginMillis must be a number >= 0, got ${String(margin)}`);

  return async function flushed(this: This, ...args: Args): Promise<Awaited<Result>> {
    try {
      return await handler.apply(this, args);
    } finally {
      // Also when the handler throws: its error is rethrown after the flush.
      await boundedFlush(resolved.sdk, budget(timeoutMillis, margin, args[1]));
    }
  };
}

/**
 * Flushes `sdk` (or the global providers), waiting at most `timeoutMillis`. Never rejects;
 * the timer is cleared as soon as the flush settles, so nothing keeps the process alive.
 */
async function boundedFlush(sdk: Flushable | undefined, timeoutMillis: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const flush = startFlush(sdk).catch((e: unknown) => diag.warn(`withFlush: flush failed: ${describe(e)}`));
  try {
    await Promise.race([
      flush,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, timeoutMillis);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) diag.warn(`withFlush: flushing telemetry took longer than ${timeoutMillis} ms; returning without waiting further (unsent data may be lost).`);
}

function startFlush(sdk: Flushable | undefined): Promise<unknown> {
  try {
    if (sdk) return Promise.resolve(sdk.flush());
    // No SDK given: whatever init() registered globally (the meter provider read from its slot,
    // so a program without metrics does not bundle the metrics API). Providers without
    // forceFlush (the no-op ones before init) are skipped.
    const providers = [trace.getTracerProvider(), registeredMeterProvider(), logs.getLoggerProvider()] as Array<{ forceFlush?: () => Promise<void> } | undefined>;
    return Promise.allSettled(providers.map((p) => (typeof p?.forceFlush === "function" ? p.forceFlush() : undefined)));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The wait allowed: `timeoutMillis`, shortened to leave `margin` before a Lambda deadline. */
function budget(timeoutMillis: number, margin: number, context: unknown): number {
  const remaining = (context as DeadlineContext | null | undefined)?.getRemainingTimeInMillis;
  if (typeof remaining !== "function") return timeoutMillis;
  let left: number;
  try {
    left = Number(remaining.call(context));
  } catch {
    return timeoutMillis;
  }
  return Number.isFinite(left) ? Math.max(0, Math.min(timeoutMillis, left - margin)) : timeoutMillis;
}

function isFlushable(value: unknown): value is Flushable {
  return typeof (value as Flushable | null)?.flush === "function";
}
