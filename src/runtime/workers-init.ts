/**
 * `init()` and `flushInWaitUntil()` for Cloudflare Workers: the SDK starts once per isolate from
 * the `env` binding, with traces (more signals by import), no timers between requests, and a
 * flush per invocation inside `ctx.waitUntil` (see the entry, `workers.ts`, for the why).
 */
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { envString, type EnvRecord } from "../common/env.ts";
import { AsyncContextVariableManager, type AsyncContextVariableClass } from "../context/async-context-manager.ts";
import { AsyncLocalStorageContextManager } from "../context/async-local-storage-manager.ts";
import type { ContextManager } from "../context/manager.ts";
import { StackContextManager } from "../context/stack-manager.ts";
import { ENV_SETTINGS } from "../sdk/env-selection.ts";
import { initSdk, type Sdk } from "../sdk/init.ts";
import { checkOptionShapes } from "../sdk/option-checks.ts";
import type { InitOptions } from "../sdk/options.ts";
import { tracesSdk } from "../sdk/traces-part.ts";
import { workersAsyncLocalStorage } from "./workers-context.ts";

/** The part of the Workers `ExecutionContext` that {@link flushInWaitUntil} uses. */
export interface WaitUntilContext {
  /** Extends the invocation's lifetime until `promise` settles (after the response is sent). */
  waitUntil(promise: Promise<unknown>): void;
}

let running: Sdk | undefined;
// One context manager per isolate, as on Node: an init/shutdown cycle (a test, a re-init)
// reuses it instead of leaving another AsyncLocalStorage behind.
let isolateContext: ContextManager | undefined;

/**
 * The best context manager this isolate offers: AsyncLocalStorage (`nodejs_compat` /
 * `nodejs_als`), else `AsyncContext.Variable` where present, else the synchronous stack
 * manager — then context does not follow `await`, so pass it explicitly
 * (`tracer.startSpan(name, options, ctx)`, `logger.withContext(ctx)`); said once via `diag`.
 */
export function workersContextManager(): ContextManager {
  const AsyncLocalStorage = workersAsyncLocalStorage();
  if (AsyncLocalStorage) return new AsyncLocalStorageContextManager(AsyncLocalStorage);
  const Variable = (globalThis as { AsyncContext?: { Variable?: AsyncContextVariableClass } }).AsyncContext?.Variable;
  if (typeof Variable === "function") return new AsyncContextVariableManager(Variable);
  diagOnce(
    "warn",
    "workers-no-async-local-storage",
    'No AsyncLocalStorage in this Worker (enable the "nodejs_als" or "nodejs_compat" compatibility flag): ' +
      "the active context does not follow await, so pass the context explicitly (tracer.startSpan(name, options, ctx), logger.withContext(ctx)).",
  );
  return new StackContextManager();
}

/**
 * Starts the SDK for Cloudflare Workers, once per isolate: the first call builds and
 * registers it; later calls (e.g. one per request, which is cheap) return the same SDK and
 * ignore their options, because isolates are reused across requests and the `env`
 * bindings are fixed per deployment. After `sdk.shutdown()`, the next call starts a new one.
 *
 * Defaults that differ from the core `init`: spans and log records are batched with
 * `scheduledDelayMillis: Infinity` and metrics with `metricExportIntervalMillis: Infinity`
 * (exported only on flush — call {@link flushInWaitUntil} per invocation); metric
 * temporality is delta unless `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` is set.
 * Options given explicitly win.
 *
 * @example
 * ```ts
 * const sdk = init({ env, serviceName: "edge-api" });
 * ctx.waitUntil(sdk.flush());
 * ```
 */
export function init(options: InitOptions = {}): Sdk {
  if (running) return running;
  checkOptionShapes(options);
  const env: EnvRecord | undefined = options.env ?? (globalThis as { process?: { env?: EnvRecord } }).process?.env;
  const sdk = initSdk(
    { ...options, env, contextManager: options.contextManager ?? (isolateContext ??= workersContextManager()) },
    {
      // Spec (resource semconv): telemetry.sdk.language "webjs" is JavaScript on web-platform
      // APIs (not Node.js); service.name falls back to unknown_service:<executable>, here workerd.
      sdkLanguage: "webjs",
      defaultServiceName: isWorkerd() ? "unknown_service:workerd" : "unknown_service",
      // OTEL_* settings from the env binding; choices by name are one import away (selectByName).
      select: ENV_SETTINGS,
      // Traces; metrics and logs when the program imports them (parts: [metricsSdk(), logsSdk()]).
      parts: [tracesSdk()],
      defaults: {
        batch: { scheduledDelayMillis: Infinity },
        logBatch: { scheduledDelayMillis: Infinity },
        metricExportIntervalMillis: Infinity,
        metricTemporality: envString(env, "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") === undefined ? "delta" : undefined,
      },
    },
  );
  const memo: Sdk = {
    ...sdk,
    // `ctx.waitUntil(sdk.flush())` is the documented per-request pattern: it goes through the
    // isolate's shared drain, like flushInWaitUntil (see `drain` for why a plain flush can hang).
    flush: () => drain(sdk),
    shutdown: () => {
      if (running === memo) running = undefined;
      return sdk.shutdown();
    },
  };
  return (running = memo);
}

/**
 * Flushes every signal inside `ctx.waitUntil`, so the export runs after the response is
 * sent and the invocation stays alive until it is done. Call it once per invocation (in a
 * `finally`); `sdk` defaults to the one {@link init} started. Concurrent invocations of the
 * isolate share one drain that flushes until no invocation asked for more (see `drain`).
 * Returns that promise, which never rejects. Never throws, even if `ctx.waitUntil` does.
 *
 * @example
 * ```ts
 * try { return await handle(request); } finally { flushInWaitUntil(ctx); }
 * ```
 */
export function flushInWaitUntil(ctx: WaitUntilContext, sdk: Sdk | undefined = running): Promise<void> {
  const flushed = sdk ? (sdk === running ? sdk.flush() : drain(sdk)) : Promise.resolve();
  try {
    ctx.waitUntil(flushed);
  } catch (e) {
    // Outside an invocation (or a fake ctx): the flush still runs, it just isn't awaited by the runtime.
    diagOnce("warn", "workers-wait-until-failed", `ctx.waitUntil failed; the flush runs unawaited: ${describe(e)}`);
  }
  return flushed;
}

/** Per SDK: flushes requested so far, and the drain in progress. */
const drains = new WeakMap<Sdk, { requested: number; running: Promise<void> | undefined }>();

/**
 * Flushes `sdk` until no further flush was requested while the last one ran; concurrent
 * invocations share one drain, so each invocation's `waitUntil` lasts until the isolate's
 * exports are done.
 *
 * Why: workerd ties every I/O to the request (IoContext) whose code started it, and cancels
 * what is still pending when that request's `waitUntil` promises have settled. Exports are
 * shared (one in flight per signal): the next batch is sent from the continuation of the
 * previous export, i.e. on behalf of whichever request started that one. If that request's
 * own flush had already resolved, its context ended and the next export hung for good — the
 * batcher then waited on it forever and no telemetry left the isolate again (measured with
 * 150 concurrent requests in miniflare: 77 of 600 spans arrived). A request therefore stays
 * alive until no export it may be carrying is pending.
 */
function drain(sdk: Sdk): Promise<void> {
  let state = drains.get(sdk);
  if (state === undefined) drains.set(sdk, (state = { requested: 0, running: undefined }));
  state.requested++;
  if (state.running !== undefined) return state.running;
  const s = state;
  s.running = (async () => {
    try {
      // Start after the response is sent: the handler's `finally` calls us before its promise
      // settles, and a flush started here would encode and hand the batch to fetch on the
      // response's path. A timer turn lets the runtime send the response first; `waitUntil`
      // keeps the invocation alive for the rest.
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (;;) {
        const seen = s.requested;
        await sdk.flush();
        if (seen === s.requested) return;
      }
    } finally {
      // Cleared in the same microtask as the last check: a later request starts a new drain.
      s.running = undefined;
    }
  })();
  return s.running;
}

function isWorkerd(): boolean {
  // Cloudflare's documented way to recognise the Workers runtime.
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === "Cloudflare-Workers";
}

