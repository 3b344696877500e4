/**
 * Storing the active span in a {@link Context}: `trace.getSpan/setSpan/...` from
 * `@opentelemetry/api`. The key is the official one (`Symbol.for("OpenTelemetry Context Key SPAN")`),
 * so a context built by the official API and one built by ours agree on the active span.
 */
import { context as contextApi } from "../context/context-api.ts";
import { createContextKey, type Context } from "../context/context.ts";
import { NonRecordingSpan } from "./non-recording-span.ts";
import { isSpanContextValid, type SpanContext } from "./span-context.ts";
import type { Span } from "./types.ts";

const SPAN_KEY = /* @__PURE__ */ createContextKey("OpenTelemetry Context Key SPAN");

/** The span stored in `ctx`, if any. */
export function getSpan(ctx: Context): Span | undefined {
  return (ctx?.getValue(SPAN_KEY) as Span | undefined) ?? undefined;
}

/** The span in the active context, if any. */
export function getActiveSpan(): Span | undefined {
  return getSpan(contextApi.active());
}

/** A new context with `span` as the active span. */
export function setSpan(ctx: Context, span: Span): Context {
  return ctx.setValue(SPAN_KEY, span);
}

/** A new context without an active span. */
export function deleteSpan(ctx: Context): Context {
  return ctx.deleteValue(SPAN_KEY);
}

/** A new context whose active span is a non-recording span carrying `spanContext`. */
export function setSpanContext(ctx: Context, spanContext: SpanContext): Context {
  return setSpan(ctx, new NonRecordingSpan(spanContext));
}

/** The span context of the span in `ctx`, if any. */
export function getSpanContext(ctx: Context): SpanContext | undefined {
  return getSpan(ctx)?.spanContext();
}

/** Wraps a span context in a non-recording span. */
export function wrapSpanContext(spanContext: SpanContext): Span {
  return new NonRecordingSpan(spanContext);
}

export { isSpanContextValid };
