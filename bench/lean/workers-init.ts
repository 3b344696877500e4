/**
 * `init()` and `flushInWaitUntil()` for Cloudflare Workers on the size-first core, as the
 * product's src/runtime/workers-init.ts + src/sdk/init.ts for the traces-only job:
 *
 * - the SDK starts once per isolate (isolates are reused across requests and the `env`
 *   bindings are fixed per deployment): later calls return the same SDK and ignore their
 *   options; options that differ from the first call's (`env` aside) are reported once, since
 *   they would be silently lost (the product says nothing). After `sdk.shutdown()` the next
 *   call starts a new SDK;
 * - configuration from `options` and the `OTEL_*` bindings of `options.env` (else `process.env`
 *   with `nodejs_compat`), config.ts; a malformed option throws, as the product's;
 * - the provider is registered as the global one (trace-api.ts), so `trace.getTracer()` records
 *   — also through tracers obtained before `init()`; `OTEL_SDK_DISABLED` gives a no-op SDK and
 *   registers nothing;
 * - no timer between requests: spans leave on the per-invocation flush, which goes through the
 *   isolate's shared drain (export.ts) so each invocation's `waitUntil` holds the exports it may
 *   carry, and starts after a timer turn so the response goes first;
 * - `sdk.shutdown()` flushes; spans started afterwards are non-recording, ended ones dropped;
 * - `parts` (the product's `SdkPart`s, reduced to `start`): unless the SDK is disabled, each
 *   part's `start({ options, env, resource })` is called once, with the tracer's resource and the
 *   env the `OTEL_*` settings were read from, and what it returns (`{ flush() }` or undefined) is
 *   kept: `sdk.flush()` (so `flushInWaitUntil(ctx)`) is one promise covering the span sink's
 *   drain and every part's `flush()`. metrics-sdk.ts's `metricsSdk()` is such a part.
 *
 * Left out (the product's `Sdk`): `stats()` (self-observability; the sink counts `dropped`
 * only), the parts' `kind`, `prepare`, `register` and `shutdown` (a shut-down SDK's parts are
 * flushed, not stopped), the logger provider, and every option this job does not read.
 */
import type { Resource, TracerConfig } from "./contract.ts";
import { configure, type LeanOptions } from "./config.ts";
import { warnOnce } from "./diag.ts";
import { createSpanSink } from "./export.ts";
import type { SdkPart } from "./metrics-sdk.ts";
import { trace } from "./trace-api.ts";
import { createTracerProvider, type TracerProvider } from "./tracer.ts";

/** What `init()` returns (the product's `Sdk`, as far as traces go). */
export interface Sdk {
  /** The tracer provider, registered globally; absent when disabled. */
  readonly tracerProvider?: TracerProvider;
  readonly resource: Resource;
  /** `OTEL_SDK_DISABLED=true` or `disabled: true`. */
  readonly disabled: boolean;
  /** Exports every span ended so far, through the isolate's shared drain; never rejects. */
  flush(): Promise<void>;
  /** Flushes; later spans are non-recording, and the next `init()` starts a new SDK. Never rejects. */
  shutdown(): Promise<void>;
}

/** `init()`'s options: config.ts's, and the parts to start besides traces. */
export interface InitOptions extends LeanOptions {
  parts?: SdkPart[];
}

/** The part of the Workers `ExecutionContext` that {@link flushInWaitUntil} uses. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

let running: Sdk | undefined;
/** The first call's options (`env` left out), to tell a later call that differs. */
let first: string;
const optionsKey = (options: unknown): string => {
  try {
    return JSON.stringify(options, (k, v) => (k == "env" ? 0 : v));
  } catch {
    return ""; // unserializable (a BigInt, a cycle): not compared
  }
};

/**
 * Starts the SDK, once per isolate; later calls (one per request is cheap) return the same SDK.
 *
 * @example
 * ```ts
 * init({ env, serviceName: "edge-api" });
 * ```
 */
export function init(options: InitOptions = {}): Sdk {
  if (running) {
    if (optionsKey(options) != first) warnOnce("init: SDK already running; options of this call ignored");
    return running;
  }
  const env = options.env ?? (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env;
  const c = configure(options, env);
  first = optionsKey(options);
  const sink = c.disabled ? undefined : createSpanSink(c.target, c.batch);
  const config: TracerConfig = { resource: c.resource, limits: c.limits, sink };
  const tracerProvider = sink && createTracerProvider(config);
  // A part that throws (a configuration error) leaves the tracer provider unregistered, as the product's.
  const started = c.disabled ? [] : (options.parts ?? []).map((part) => part.start({ options, env, resource: c.resource }));
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);
  const flush = (): Promise<void> => Promise.all([sink?.flush(), ...started.map((part) => part?.flush())]).then(() => {});
  const sdk: Sdk = {
    tracerProvider,
    resource: c.resource,
    disabled: c.disabled,
    flush,
    shutdown() {
      if (running == sdk) running = undefined;
      // Later spans are non-recording (tracer.ts reads the sink at each start), as the product's.
      config.sink = undefined;
      return flush();
    },
  };
  return (running = sdk);
}

/**
 * Hands the flush of `sdk` (default: the one {@link init} started) to `ctx.waitUntil`, so the
 * export runs after the response and the invocation lives until it is done. Call it once per
 * invocation, in a `finally`. Returns the flush, which never rejects; never throws, even if
 * `ctx.waitUntil` does (reported once; the flush still runs).
 */
export function flushInWaitUntil(ctx: WaitUntilContext, sdk: Sdk | undefined = running): Promise<void> {
  const flushed = sdk ? sdk.flush() : Promise.resolve();
  try {
    ctx.waitUntil(flushed);
  } catch {
    warnOnce("ctx.waitUntil threw: flush not awaited");
  }
  return flushed;
}
