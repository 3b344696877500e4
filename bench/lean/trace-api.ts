/**
 * The global `trace` API on the size-first core, as the product's src/trace/trace-api.ts (itself
 * shape-compatible with `trace` in `@opentelemetry/api`).
 *
 * `trace.getTracer()` may run at module load, before `init()`: the tracer it returns looks up
 * the global provider each time it starts a span, so spans started after `init()` are recorded
 * even through a tracer obtained earlier (the official API's ProxyTracer). Before a provider is
 * set, spans are non-recording and carry their parent's span context, so propagation keeps
 * working (spec, API: "Behavior of the API in the absence of an installed SDK").
 *
 * The product caches the resolved tracer per provider generation; here it is resolved per span
 * (a lean `getTracer` is two closures; the encoder groups scopes by value, not identity).
 */
import type { Context, Span, SpanContext } from "./contract.ts";
import { active, SPAN_KEY } from "./context.ts";
import { createTracerProvider, getSpan, isSpanContextValid, setSpan, wrapSpanContext, type Tracer, type TracerProvider } from "./tracer.ts";

/** The global trace API (the product's `TraceAPI`). */
export interface TraceAPI {
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer;
  getTracerProvider(): TracerProvider;
  /** Replaces the global provider (as the product: always true); proxies from `getTracer` follow it. */
  setGlobalTracerProvider(provider: TracerProvider): boolean;
  /** Back to no provider: spans are non-recording again. */
  disable(): void;
  getSpan(ctx: Context): Span | undefined;
  getActiveSpan(): Span | undefined;
  getSpanContext(ctx: Context): SpanContext | undefined;
  setSpan(ctx: Context, span: Span): Context;
  deleteSpan(ctx: Context): Context;
  setSpanContext(ctx: Context, spanContext: SpanContext): Context;
  wrapSpanContext(spanContext: SpanContext): Span;
  isSpanContextValid(spanContext: SpanContext): boolean;
}

let global: TracerProvider | undefined;
/** The provider before one is set: no sink, so every span is non-recording (tracer.ts). */
const none: TracerProvider = /* @__PURE__ */ createTracerProvider({ resource: { attributes: {} } });
const provider = (): TracerProvider => global ?? none;

export const trace: TraceAPI = {
  getTracer(name, version, options) {
    const tracer = (): Tracer => provider().getTracer(name, version, options);
    return {
      startSpan: (spanName, spanOptions, ctx) => tracer().startSpan(spanName, spanOptions, ctx),
      startActiveSpan: (...args: unknown[]) => (tracer().startActiveSpan as (...a: unknown[]) => never)(...args),
    } as Tracer;
  },
  getTracerProvider: provider,
  setGlobalTracerProvider: (p) => !!(global = p),
  disable() {
    global = undefined;
  },
  getSpan,
  getActiveSpan: () => getSpan(active()),
  getSpanContext: (ctx) => getSpan(ctx)?.spanContext(),
  setSpan,
  deleteSpan: (ctx) => ctx.deleteValue(SPAN_KEY),
  setSpanContext: (ctx, c) => setSpan(ctx, wrapSpanContext(c)),
  wrapSpanContext,
  isSpanContextValid,
};
