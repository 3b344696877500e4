/**
 * A STAND-IN for `init({ env, serviceName, parts })` + `flushInWaitUntil(ctx)` and the global
 * `trace` API on the size-first core, so the "Workers init + traces + metrics" program can be
 * built and measured while bench/lean/workers-init.ts and trace-api.ts are written elsewhere.
 * It is the smallest thing with the seam the metrics part needs; the real modules replace it:
 *
 * - `init(options)` (once per isolate) builds the traces pipeline (config.ts, export.ts,
 *   tracer.ts), then starts each of `options.parts` with `{ options, env, resource }` (the
 *   `PartContext` of metrics-sdk.ts) unless the SDK is disabled, and keeps what `start` returns;
 * - `flushInWaitUntil(ctx)` hands `ctx.waitUntil` one promise for the span sink's drain and every
 *   started part's `flush()`, and never throws.
 */
import { configure, type LeanOptions } from "./config.ts";
import { warnOnce } from "./diag.ts";
import { createSpanSink } from "./export.ts";
import type { SdkPart } from "./metrics-sdk.ts";
import { createTracerProvider, type TracerProvider } from "./tracer.ts";

export interface InitOptions extends LeanOptions {
  parts?: SdkPart[];
}

let running: { flush(): Promise<void> } | undefined;
let provider: TracerProvider | undefined;

/** Starts the SDK once per isolate (later calls return the running one). */
export function init(options: InitOptions = {}): { flush(): Promise<void> } {
  if (running) return running;
  const env = options.env;
  const config = configure(options, env);
  const sink = createSpanSink(config.target, config.batch);
  provider = createTracerProvider({ resource: config.resource, sink, limits: config.limits });
  const started = config.disabled ? [] : (options.parts ?? []).map((part) => part.start({ options, env, resource: config.resource }));
  return (running = { flush: () => Promise.all([sink.flush(), ...started.map((s) => s?.flush())]).then(() => {}) });
}

/** Flushes every signal inside `ctx.waitUntil`; never throws. */
export function flushInWaitUntil(ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void> {
  const flushed = running ? running.flush() : Promise.resolve();
  try {
    ctx.waitUntil(flushed);
  } catch {
    warnOnce("ctx.waitUntil failed; the flush runs unawaited");
  }
  return flushed;
}

/** The stand-in global trace API: the running SDK's tracers (the program calls it after init). */
export const trace = { getTracer: (name: string, version?: string) => provider!.getTracer(name, version) };
