/**
 * W3C Trace Context (`traceparent` / `tracestate`), Level 1 and Level 2 §3.2–§3.3 and the
 * processing model of §4.3. `traceparent` is matched by one anchored regex of fixed-length
 * groups, so arbitrary input costs at most a constant amount of work; `tracestate` costs
 * linear work.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import { isSpanContextValid, type SpanContext } from "../trace/span-context.ts";
import { getSpanContext, setSpanContext } from "../trace/span-in-context.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "./text-map.ts";
import { joinFieldLines, singleValue, trimOws } from "./ows.ts";
import { createTraceState } from "./trace-state.ts";

/** The `traceparent` header name. */
export const TRACE_PARENT_HEADER = "traceparent";
/** The `tracestate` header name. */
export const TRACE_STATE_HEADER = "tracestate";

// version "-" trace-id "-" parent-id "-" trace-flags, then the end or "-" (§3.2.4: a future
// version may append fields). Lowercase hex only; version ff and all-zero ids are invalid
// (§3.2.2). Fixed-length groups, anchored: constant work whatever the input's length.
const TRACE_PARENT = /^(?!ff)([\da-f]{2})-(?!0{32})([\da-f]{32})-(?!0{16})([\da-f]{16})-([\da-f]{2})(-|$)/;

/**
 * Parses a `traceparent` value (§3.2). Returns undefined when it must be ignored:
 * non-lowercase-hex, version `ff`, all-zero ids, wrong separators, a version-00 value
 * that is not exactly 55 characters. Future versions (01–fe) are parsed leniently
 * (§3.2.4): the first 55 characters as version 00, followed by the end or a `-`.
 */
export function parseTraceParent(header: string): SpanContext | undefined {
  // HTTP strips OWS around field values; the official test suite sends it anyway.
  const m = typeof header === "string" && TRACE_PARENT.exec(trimOws(header));
  // Version 00 flags are carried as received; of a future version only the sampled bit has a
  // meaning we know (§3.2.4 "parse the sampled bit of flags").
  if (m && (m[1] !== "00" || !m[5])) return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & (m[1] === "00" ? 255 : 1), isRemote: true };
}

/** Formats a valid span context as a version-00 `traceparent` value. */
export function formatTraceParent(spanContext: SpanContext): string {
  // NaN & 255 is 0; the 256 bit gives the leading zero, sliced off.
  return `00-${spanContext.traceId}-${spanContext.spanId}-${((Number(spanContext.traceFlags) & 255) | 256).toString(16).slice(1)}`;
}

/**
 * The W3C Trace Context propagator (`traceparent` / `tracestate`).
 *
 * @example
 * ```ts
 * const ctx = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
 * ```
 */
export class W3CTraceContextPropagator implements TextMapPropagator<unknown> {
  /** Writes `traceparent` (and `tracestate` when non-empty) for a valid span context in `context`. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    const spanContext = getSpanContext(context);
    if (!spanContext || isTracingSuppressed(context) || !isSpanContextValid(spanContext)) return;
    setter.set(carrier, TRACE_PARENT_HEADER, formatTraceParent(spanContext));
    const traceState = spanContext.traceState?.serialize();
    if (traceState) setter.set(carrier, TRACE_STATE_HEADER, traceState);
  }

  /** Returns `context` with the remote span context from `carrier`, or `context` when there is none. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    // Several traceparent field lines are invalid (§3.2: "MUST ... ignore").
    const header = singleValue(getter.get(carrier, TRACE_PARENT_HEADER));
    if (header === undefined) return context;
    const spanContext = parseTraceParent(header);
    if (!spanContext) {
      diagOnce("debug", "Ignored an invalid traceparent header.");
      return context;
    }
    // Repeated tracestate lines are one list (RFC 9110 §5.3; Trace Context §3.3.1).
    const joined = joinFieldLines(getter.get(carrier, TRACE_STATE_HEADER));
    if (typeof joined === "string" && joined) spanContext.traceState = createTraceState(joined);
    return setSpanContext(context, spanContext);
  }

  /** `["traceparent", "tracestate"]`. */
  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}
