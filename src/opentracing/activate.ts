/**
 * Making a bridge span the active span of our context API. OpenTracing 0.14 for JavaScript has
 * no scope manager, so the bridge, as the OTel spec "OpenTracing Compatibility" §Implicit and
 * Explicit support mismatch requires, never reads or sets the active context on its own: a
 * program that mixes OpenTracing code with code using our API (or instrumentations reading the
 * active span) activates a bridge span explicitly with these helpers. What they store follows
 * §ScopeManager Shim "Activate a Span": the OpenTelemetry span, its baggage, and the bridge
 * span itself (so `OpenTracingTracer.activeSpan()` returns that same object).
 */
import { diagOnce } from "../common/diag.ts";
import { context as contextApi } from "../context/context-api.ts";
import { createContextKey, type Context } from "../context/context.ts";
import { setBaggage } from "../propagation/baggage.ts";
import { setSpan } from "../trace/span-in-context.ts";
import { OpenTracingSpan } from "./span.ts";

/** Where a context holds the bridge span that was activated. */
export const OPENTRACING_SPAN_KEY: symbol = /* @__PURE__ */ createContextKey("otel-edge OpenTracing span");

/**
 * `ctx` (default: the active context) with `span` active: its OpenTelemetry span is the parent
 * of spans started through our API, and its baggage is what `propagation.getBaggage` returns.
 * `span` is typed loosely so an `opentracing.Span` variable holding a bridge span can be
 * passed; any other span leaves `ctx` unchanged (reported once).
 *
 * @example
 * ```ts
 * const span = otTracer.startSpan("handle");
 * trace.getTracer("db").startSpan("query", {}, contextWithSpan(span)).end(); // child of "handle"
 * ```
 */
export function contextWithSpan(span: OpenTracingSpan | { context(): unknown }, ctx: Context = contextApi.active()): Context {
  if (!(span instanceof OpenTracingSpan)) {
    diagOnce("warn", "opentracing.activate", "OpenTracing: only a span of OpenTracingTracer can be made active; the context is unchanged.");
    return ctx;
  }
  return setBaggage(setSpan(ctx, span.getSpan()), span.context().getBaggage()).setValue(OPENTRACING_SPAN_KEY, span);
}

/**
 * Runs `fn` with `span` active (see {@link contextWithSpan}) and returns what it returns (a
 * promise included, with the span active across its awaits where the runtime's context
 * manager carries context). Does not finish the span.
 *
 * @example
 * ```ts
 * const span = otTracer.startSpan("handle", { childOf: otTracer.extract(FORMAT_HTTP_HEADERS, req.headers) });
 * try {
 *   await withActiveSpan(span, () => handler(req)); // our API's spans in handler() are its children
 * } finally {
 *   span.finish();
 * }
 * ```
 */
export function withActiveSpan<R>(span: OpenTracingSpan | { context(): unknown }, fn: () => R): R {
  return contextApi.with(contextWithSpan(span), fn);
}
