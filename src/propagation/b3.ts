/**
 * B3 propagation (openzipkin/b3-propagation): the single `b3` header
 * `{TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}` (last two optional) and the
 * multi-header form `X-B3-TraceId/SpanId/Sampled/Flags/ParentSpanId`.
 *
 * Per the B3 spec: ids are lower-hex; a 64-bit (16 hex) trace id is left-padded with
 * zeros to 128 bits; the debug state (`d`, or `X-B3-Flags: 1`) implies "sampled"; a lone
 * sampling state (`b3: 0`, the deny form) carries no ids, so no span context is created
 * from it — but it is never an error. An absent sampling state ("defer") extracts as
 * not sampled, since a span context has no way to say "undecided".
 */
import type { Context } from "../context/context.ts";
import { createContextKey } from "../context/context.ts";
import { isSpanContextValid, isSampled, type SpanContext } from "../trace/span-context.ts";
import { getSpanContext, setSpanContext } from "../trace/span-in-context.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "./text-map.ts";
import { singleValue as one } from "./ows.ts";

/** The single-header name. */
export const B3_CONTEXT_HEADER = "b3";
/** Multi-header names (lowercase: HTTP/2 and Headers lowercase them anyway). */
export const X_B3_TRACE_ID = "x-b3-traceid";
/** `X-B3-SpanId`. */
export const X_B3_SPAN_ID = "x-b3-spanid";
/** `X-B3-Sampled`. */
export const X_B3_SAMPLED = "x-b3-sampled";
/** `X-B3-Flags` (`1` = debug). */
export const X_B3_FLAGS = "x-b3-flags";
/** `X-B3-ParentSpanId`. */
export const X_B3_PARENT_SPAN_ID = "x-b3-parentspanid";

/** Context key marking a trace as B3 debug, so `d` / `X-B3-Flags: 1` survives a hop. */
export const B3_DEBUG_FLAG_KEY: symbol = /* @__PURE__ */ createContextKey("OpenTelemetry Context Key B3 Debug Flag");

/** Options of {@link B3Propagator}. */
export interface B3PropagatorOptions {
  /** Which form `inject` writes: the single `b3` header (default) or the `X-B3-*` headers. */
  injectEncoding?: "single" | "multi";
}

// Lowercase hex ids (B3 "TraceId", "SpanId"); a trace id of 16 or 32 digits.
const TRACE_ID = /^(?:[\da-f]{16}){1,2}$/;
const SPAN_ID = /^[\da-f]{16}$/;
// `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]`; the id-less deny form does not match.
const SINGLE = /^((?:[\da-f]{16}){1,2})-([\da-f]{16})(?:-([01d])(?:-[\da-f]{16})?)?$/;

/** The remote span context of B3 ids (a 64-bit trace id left-padded to 128 bits), or undefined. */
function remote(traceId: string, spanId: string, sampled: boolean): SpanContext | undefined {
  const spanContext: SpanContext = { traceId: traceId.padStart(32, "0"), spanId, traceFlags: sampled ? 1 : 0, isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The B3 propagator. Extracts both encodings (single header first), injects the one
 * configured.
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(new B3Propagator({ injectEncoding: "multi" }));
 * ```
 */
export class B3Propagator implements TextMapPropagator<unknown> {
  readonly #multi: boolean;

  constructor(config: B3PropagatorOptions = {}) {
    const encoding = config?.injectEncoding ?? "single";
    if (encoding !== "single" && encoding !== "multi") {
      throw new TypeError(`Cannot create B3Propagator: injectEncoding must be "single" or "multi", got ${JSON.stringify(encoding)}.`);
    }
    this.#multi = encoding === "multi";
  }

  /** Writes the span context of `context` as `b3` or `X-B3-*` headers. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    const sc = getSpanContext(context);
    if (!sc || !isSpanContextValid(sc) || isTracingSuppressed(context)) return;
    const debug = context.getValue(B3_DEBUG_FLAG_KEY) === true;
    if (this.#multi) {
      setter.set(carrier, X_B3_TRACE_ID, sc.traceId);
      setter.set(carrier, X_B3_SPAN_ID, sc.spanId);
      // Debug implies sampled; the spec says not to send X-B3-Sampled alongside it.
      if (debug) setter.set(carrier, X_B3_FLAGS, "1");
      else setter.set(carrier, X_B3_SAMPLED, isSampled(sc) ? "1" : "0");
      return;
    }
    const state = debug ? "d" : isSampled(sc) ? "1" : "0";
    setter.set(carrier, B3_CONTEXT_HEADER, `${sc.traceId}-${sc.spanId}-${state}`);
  }

  /** Returns `context` with the remote span context from the B3 headers, or `context` when none is valid. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const get = (name: string): string => one(getter.get(carrier, name)) ?? "";
    // The single header first, then the multi-header form.
    const single = SINGLE.exec(get(B3_CONTEXT_HEADER));
    let debug = single?.[3] === "d";
    let spanContext = single ? remote(single[1]!, single[2]!, debug || single[3] === "1") : undefined;
    if (!spanContext) {
      const traceId = get(X_B3_TRACE_ID);
      const spanId = get(X_B3_SPAN_ID);
      const sampled = get(X_B3_SAMPLED).toLowerCase();
      debug = get(X_B3_FLAGS) === "1";
      // "true" is the legacy form of "1" that some old clients still send.
      if (TRACE_ID.test(traceId) && SPAN_ID.test(spanId)) spanContext = remote(traceId, spanId, debug || sampled === "1" || sampled === "true");
    }
    if (!spanContext) return context;
    const next = setSpanContext(context, spanContext);
    return debug ? next.setValue(B3_DEBUG_FLAG_KEY, true) : next.deleteValue(B3_DEBUG_FLAG_KEY);
  }

  /** The headers `inject` writes for the configured encoding. */
  fields(): string[] {
    return this.#multi ? [X_B3_TRACE_ID, X_B3_SPAN_ID, X_B3_FLAGS, X_B3_SAMPLED, X_B3_PARENT_SPAN_ID] : [B3_CONTEXT_HEADER];
  }
}
