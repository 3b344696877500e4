/**
 * The global `trace` API, shape-compatible with `trace` in `@opentelemetry/api`.
 *
 * `trace.getTracer()` may be called at module load, before `init()`: it returns a tracer
 * that looks up the global provider when it creates a span, so spans recorded after
 * `init()` are real even through a tracer obtained earlier (the official API's
 * ProxyTracer does the same). Before a provider is set, spans are non-recording but
 * still carry a parent's span context, so propagation keeps working.
 */
import type { Context } from "../context/context.ts";
import { NonRecordingSpan } from "./non-recording-span.ts";
import { isSpanContextValid } from "./span-context.ts";
import {
  deleteSpan,
  getActiveSpan,
  getSpan,
  getSpanContext,
  setSpan,
  setSpanContext,
  wrapSpanContext,
} from "./span-in-context.ts";
import { context as contextApi } from "../context/context-api.ts";
import { runInActiveSpan, type Tracer } from "./tracer.ts";
import type { TracerOptions, TracerProvider } from "./tracer-provider.ts";
import type { Span, SpanOptions } from "./types.ts";

/** The global trace API. */
export interface TraceAPI {
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer;
  getTracerProvider(): TracerProvider;
  setGlobalTracerProvider(provider: TracerProvider): boolean;
  disable(): void;
  getSpan: typeof getSpan;
  getActiveSpan: typeof getActiveSpan;
  getSpanContext: typeof getSpanContext;
  setSpan: typeof setSpan;
  deleteSpan: typeof deleteSpan;
  setSpanContext: typeof setSpanContext;
  wrapSpanContext: typeof wrapSpanContext;
  isSpanContextValid: typeof isSpanContextValid;
}

/** Creates only non-recording spans that carry the parent's context: the state before `init()`. */
const noopTracer: Tracer = {
  startSpan(_name: string, options?: SpanOptions, ctx?: Context): Span {
    const parent = options?.root ? undefined : getSpanContext(ctx ?? contextApi.active());
    return new NonRecordingSpan(parent && isSpanContextValid(parent) ? parent : undefined);
  },
  startActiveSpan(name: string, ...rest: unknown[]): never {
    return runInActiveSpan(this, name, rest) as never;
  },
};
const noopProvider: TracerProvider = { getTracer: () => noopTracer };
let globalProvider: TracerProvider | undefined;
let generation = 0; // bumps whenever the provider changes, so proxies re-resolve

/** The global trace API. */
export const trace: TraceAPI = {
  // A proxy: resolves the real tracer lazily from whatever provider is global at call time.
  getTracer(name, version, options) {
    let delegate: Tracer;
    let seen = -1;
    const tracer = (): Tracer =>
      seen === generation ? delegate : ((seen = generation), (delegate = (globalProvider ?? noopProvider).getTracer(name, version, options)));
    return {
      startSpan: (spanName, spanOptions, ctx) => tracer().startSpan(spanName, spanOptions, ctx),
      startActiveSpan: (spanName: string, ...rest: unknown[]) => (tracer().startActiveSpan as (name: string, ...args: unknown[]) => never)(spanName, ...rest),
    };
  },
  getTracerProvider: () => globalProvider ?? noopProvider,
  setGlobalTracerProvider(provider) {
    globalProvider = provider;
    generation++;
    return true;
  },
  disable() {
    globalProvider = undefined;
    generation++;
  },
  getSpan,
  getActiveSpan,
  getSpanContext,
  setSpan,
  deleteSpan,
  setSpanContext,
  wrapSpanContext,
  isSpanContextValid,
};
