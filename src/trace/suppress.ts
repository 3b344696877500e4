/**
 * Suppressing instrumentation: while a context carries this flag, tracers create
 * non-recording spans. The exporter sets it around its own `fetch`, so exporting spans
 * never produces spans about exporting. The key is the one `@opentelemetry/core` uses,
 * so the flag set by either SDK is honoured by the other.
 */
import { createContextKey, type Context } from "../context/context.ts";

const SUPPRESS_TRACING_KEY = /* @__PURE__ */ createContextKey("OpenTelemetry SDK Context Key SUPPRESS_TRACING");

/** A new context in which tracing is suppressed. */
export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_TRACING_KEY, true);
}

/** A new context in which tracing is no longer suppressed. */
export function unsuppressTracing(ctx: Context): Context {
  return ctx.deleteValue(SUPPRESS_TRACING_KEY);
}

/** True when tracing is suppressed in `ctx`. */
export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_TRACING_KEY) === true;
}
