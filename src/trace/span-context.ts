/**
 * Span identity as it crosses process boundaries: trace id, span id, flags and
 * tracestate. Shape-compatible with `SpanContext` in `@opentelemetry/api`.
 * W3C Trace Context §3.2: ids are lowercase hex, all-zero ids are invalid.
 */

/**
 * Trace flags (W3C Trace Context §3.2.2.5), identical to `TraceFlags` in `@opentelemetry/api`.
 *
 * The SDK's own modules write these values as literals with the name beside them
 * (`1` and a comment naming `TraceFlags.SAMPLED`), so this table is only in bundles whose code names it.
 */
export const TraceFlags: { readonly NONE: 0; readonly SAMPLED: 1 } = { NONE: 0, SAMPLED: 1 };
/** A trace-flags byte. Bit 0 is "sampled"; other bits are carried through unchanged. */
export type TraceFlags = number;

/** Vendor-specific trace data (W3C `tracestate`); immutable. */
export interface TraceState {
  /** A new TraceState with `key` set to `value`, moved to the front (most recent first). */
  set(key: string, value: string): TraceState;
  /** A new TraceState without `key`. */
  unset(key: string): TraceState;
  /** The value of `key`, or undefined. */
  get(key: string): string | undefined;
  /** The `tracestate` header value. */
  serialize(): string;
}

/** The identity of a span, as in `@opentelemetry/api`. */
export interface SpanContext {
  /** 32 lowercase hex characters, not all zero. */
  traceId: string;
  /** 16 lowercase hex characters, not all zero. */
  spanId: string;
  /** Trace flags; bit 0 = sampled. */
  traceFlags: number;
  /** True when the context was received from another process. */
  isRemote?: boolean;
  /** Vendor data from `tracestate`. */
  traceState?: TraceState;
}

/** The all-zero trace id, never valid. */
export const INVALID_TRACE_ID = "00000000000000000000000000000000";
/** The all-zero span id, never valid. */
export const INVALID_SPAN_ID = "0000000000000000";
/** A span context that identifies nothing. */
export const INVALID_SPAN_CONTEXT: SpanContext = {
  traceId: INVALID_TRACE_ID,
  spanId: INVALID_SPAN_ID,
  traceFlags: 0, // TraceFlags.NONE (a literal: a module-level property read defeats tree-shaking)
};

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

// The last ids found valid. A child's parent is checked by the tracer and again by the
// sampler, and usually is the span created just before: comparing with the last valid
// id (the same string, so a pointer comparison) skips the regular expressions. They start
// as any valid id: the invalid ids plus a final 1 (which gzip sends as a back-reference).
let lastTraceId = "00000000000000000000000000000001";
let lastSpanId = "0000000000000001";

/** True for 32 lowercase hex characters that are not all zero. */
export function isValidTraceId(traceId: string): boolean {
  if (traceId === lastTraceId) return true;
  if (typeof traceId === "string" && TRACE_ID.test(traceId) && traceId !== INVALID_TRACE_ID) {
    lastTraceId = traceId;
    return true;
  }
  return false;
}

/** True for 16 lowercase hex characters that are not all zero. */
export function isValidSpanId(spanId: string): boolean {
  if (spanId === lastSpanId) return true;
  if (typeof spanId === "string" && SPAN_ID.test(spanId) && spanId !== INVALID_SPAN_ID) {
    lastSpanId = spanId;
    return true;
  }
  return false;
}

/** Records ids known to be valid (fresh from the random generator), so checks of them are cheap. */
export function noteValidIds(traceId: string, spanId: string): void {
  lastTraceId = traceId;
  lastSpanId = spanId;
}

/** True when both ids of `spanContext` are valid. */
export function isSpanContextValid(spanContext: SpanContext): boolean {
  return (
    spanContext !== null &&
    typeof spanContext === "object" &&
    isValidTraceId(spanContext.traceId) &&
    isValidSpanId(spanContext.spanId)
  );
}

/** True when the sampled bit is set. */
export function isSampled(spanContext: SpanContext): boolean {
  return (spanContext.traceFlags & 1 /* TraceFlags.SAMPLED */) === 1 /* TraceFlags.SAMPLED */;
}
