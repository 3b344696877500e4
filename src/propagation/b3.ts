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
import { isLowerHex } from "./hex.ts";
import { singleValue as one, trimOws } from "./ows.ts";

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

/** `s` is `len` lowercase hex digits. */
function isHexOfLength(s: string, len: number): boolean {
  return s.length === len && isLowerHex(s);
}

/** A 16- or 32-hex trace id, padded to 32; undefined otherwise. */
function traceIdOf(s: string): string | undefined {
  if (isHexOfLength(s, 32)) return s;
  if (isHexOfLength(s, 16)) return s.padStart(32, "0");
  return undefined;
}


interface Parsed {
  spanContext: SpanContext;
  debug: boolean;
}

function build(traceId: string | undefined, spanId: string, sampled: boolean, debug: boolean): Parsed | undefined {
  if (traceId === undefined || !isHexOfLength(spanId, 16)) return undefined;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: sampled || debug ? 1 /* TraceFlags.SAMPLED */ : 0 /* TraceFlags.NONE */,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? { spanContext, debug } : undefined;
}

/** Parses a single `b3` header value. */
function parseB3Single(value: string): Parsed | undefined {
  if (typeof value !== "string" || value.length > 68 + 8) return undefined; // 32+16+1+16 + 3 dashes, plus OWS
  const parts = trimOws(value).split("-");
  if (parts.length < 2 || parts.length > 4) return undefined; // incl. the id-less deny form "0"
  const [traceId, spanId, state, parent] = parts as [string, string, string?, string?];
  if (state !== undefined && state !== "0" && state !== "1" && state !== "d") return undefined;
  if (parent !== undefined && !isHexOfLength(parent, 16)) return undefined;
  return build(traceIdOf(traceId), spanId, state === "1", state === "d");
}

/** Parses the `X-B3-*` headers. */
function parseB3Multi(carrier: unknown, getter: TextMapGetter<unknown>): Parsed | undefined {
  const traceId = one(getter.get(carrier, X_B3_TRACE_ID));
  const spanId = one(getter.get(carrier, X_B3_SPAN_ID));
  if (traceId === undefined || spanId === undefined) return undefined;
  const sampled = one(getter.get(carrier, X_B3_SAMPLED))?.toLowerCase();
  const debug = one(getter.get(carrier, X_B3_FLAGS)) === "1";
  // "true" is the legacy form of "1" that some old clients still send.
  return build(traceIdOf(traceId), spanId, sampled === "1" || sampled === "true", debug);
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
    const single = one(getter.get(carrier, B3_CONTEXT_HEADER));
    const parsed = (single !== undefined ? parseB3Single(single) : undefined) ?? parseB3Multi(carrier, getter);
    if (!parsed) return context;
    const next = setSpanContext(context, parsed.spanContext);
    return parsed.debug ? next.setValue(B3_DEBUG_FLAG_KEY, true) : next.deleteValue(B3_DEBUG_FLAG_KEY);
  }

  /** The headers `inject` writes for the configured encoding. */
  fields(): string[] {
    return this.#multi ? [X_B3_TRACE_ID, X_B3_SPAN_ID, X_B3_FLAGS, X_B3_SAMPLED, X_B3_PARENT_SPAN_ID] : [B3_CONTEXT_HEADER];
  }
}
