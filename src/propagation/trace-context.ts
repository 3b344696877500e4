/**
 * W3C Trace Context (`traceparent` / `tracestate`), Level 1 and Level 2 §3.2–§3.3 and the
 * processing model of §4.3. `traceparent` is matched by an anchored regex of fixed-length
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

// version "-" trace-id "-" parent-id "-" trace-flags, then the end or "-" (§3.2.2, §3.2.4).
// Fixed-length groups, anchored: constant work whatever the input's length.
const TRACE_PARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(?:-|$)/;

/**
 * Parses a `traceparent` value (§3.2). Returns undefined when it must be ignored:
 * non-lowercase-hex, version `ff`, all-zero ids, wrong separators, a version-00 value
 * that is not exactly 55 characters. Future versions (01–fe) are parsed leniently
 * (§3.2.4): the first 55 characters as version 00, followed by the end or a `-`.
 */
export function parseTraceParent(header: string): SpanContext | undefined {
  if (typeof header !== "string") return undefined;
  // HTTP strips OWS around field values; the official test suite sends it anyway.
  const value = trimOws(header);
  const m = TRACE_PARENT.exec(value);
  if (!m || m[1] === "ff" || (m[1] === "00" && value.length !== 55)) return undefined;
  const flags = parseInt(m[4]!, 16);
  const spanContext: SpanContext = {
    traceId: m[2]!,
    spanId: m[3]!,
    // Version 00 flags are carried as received; of a future version only the sampled bit
    // has a meaning we know (§3.2.4 "parse the sampled bit of flags").
    traceFlags: m[1] === "00" ? flags : flags & 1 /* TraceFlags.SAMPLED */,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Formats a valid span context as a version-00 `traceparent` value. */
export function formatTraceParent(spanContext: SpanContext): string {
  const flags = Number(spanContext.traceFlags) & 0xff; // NaN & 0xff is 0
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags.toString(16).padStart(2, "0")}`;
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
      diagOnce("debug", "Ignored an invalid traceparent header (W3C Trace Context §3.2).");
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
