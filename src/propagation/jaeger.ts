/**
 * Jaeger propagation (jaegertracing.io "Propagation Format"): the trace header
 * `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}` and baggage as one
 * `uberctx-{key}: {value}` header per entry.
 *
 * Per that format: ids are hex with leading zeros optionally omitted (we left-pad to 128
 * and 64 bits); the parent span id is deprecated and ignored; flags are a one-byte bitmap
 * in one or two hex digits, bit 0 = sampled, bit 1 = debug (which implies sampled).
 * Clients URL-encode the whole value when it is not a safe header value, so a `%3A`
 * form is accepted, and baggage values are URL-encoded both ways.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import { isSpanContextValid, isSampled, type SpanContext } from "../trace/span-context.ts";
import { getSpanContext, setSpanContext } from "../trace/span-in-context.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import { createBaggage, getBaggage, setBaggage } from "./baggage.ts";
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_ENTRIES } from "./baggage-propagator.ts";
import { getFields, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from "./text-map.ts";
import { singleValue as one } from "./ows.ts";
import { percentDecode } from "../common/percent-decode.ts";

/** The default trace header. */
export const UBER_TRACE_ID_HEADER = "uber-trace-id";
/** The default baggage header prefix. */
export const UBER_BAGGAGE_HEADER_PREFIX = "uberctx-";

/** Options of {@link JaegerPropagator} (names as in `@opentelemetry/propagator-jaeger`). */
export interface JaegerPropagatorOptions {
  /** Trace header name (default `uber-trace-id`). */
  customTraceHeader?: string;
  /** Baggage header prefix (default `uberctx-`). */
  customBaggageHeaderPrefix?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// `{trace-id}:{span-id}:{parent-span-id}:{flags}`, hex with leading zeros optionally omitted.
const UBER_TRACE_ID = /^([\da-f]{1,32}):([\da-f]{1,16}):[\da-f]{1,16}:([\da-f]{1,2})$/;

/** Parses an `uber-trace-id` value (plain or URL-encoded). */
function parseUberTraceId(raw: string): SpanContext | undefined {
  if (raw.length > 128) return undefined; // 32+16+16+2 plus separators, even URL-encoded
  // jaeger-client writes lowercase, but hex is case-insensitive. Lowercasing maps no character
  // outside A-Z to a hex digit or ":", so it cannot turn an invalid value into a valid one.
  const m = UBER_TRACE_ID.exec(percentDecode(raw)?.toLowerCase() ?? "");
  if (!m) return undefined;
  const spanContext: SpanContext = {
    traceId: m[1]!.padStart(32, "0"),
    spanId: m[2]!.padStart(16, "0"),
    // Bit 0 sampled, bit 1 debug (which implies sampled).
    traceFlags: parseInt(m[3]!, 16) & 3 ? 1 : 0,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The Jaeger propagator (`uber-trace-id` and `uberctx-*` baggage).
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new JaegerPropagator()] }));
 * ```
 */
export class JaegerPropagator implements TextMapPropagator<unknown> {
  readonly #traceHeader: string;
  readonly #baggagePrefix: string;

  constructor(config: JaegerPropagatorOptions = {}) {
    const trace = config?.customTraceHeader ?? UBER_TRACE_ID_HEADER;
    const prefix = config?.customBaggageHeaderPrefix ?? UBER_BAGGAGE_HEADER_PREFIX;
    if (typeof trace !== "string" || !TOKEN.test(trace)) {
      throw new TypeError(`Cannot create JaegerPropagator: customTraceHeader must be an HTTP header name, got ${JSON.stringify(trace)}.`);
    }
    if (typeof prefix !== "string" || !TOKEN.test(prefix)) {
      throw new TypeError(`Cannot create JaegerPropagator: customBaggageHeaderPrefix must be an HTTP header name prefix, got ${JSON.stringify(prefix)}.`);
    }
    this.#traceHeader = trace.toLowerCase();
    this.#baggagePrefix = prefix.toLowerCase();
  }

  /** Writes `uber-trace-id` for a valid span context and one `uberctx-*` header per baggage entry. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    if (isTracingSuppressed(context)) return;
    const sc = getSpanContext(context);
    if (sc && isSpanContextValid(sc)) {
      // The parent span id is deprecated: "0" (jaeger-client conventions).
      setter.set(carrier, this.#traceHeader, `${sc.traceId}:${sc.spanId}:0:${isSampled(sc) ? "01" : "00"}`);
    }
    const baggage = getBaggage(context);
    if (!baggage) return;
    let count = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (count === BAGGAGE_MAX_ENTRIES) break;
      let value: string | undefined;
      try {
        value = encodeURIComponent(entry.value);
      } catch {
        value = undefined; // lone surrogate
      }
      if (!TOKEN.test(key) || value === undefined) {
        diagOnce("warn", "jaeger.baggage.key", "Jaeger: a baggage entry whose key is not a header token (or whose value has no UTF-8 form) was not propagated.");
        continue;
      }
      setter.set(carrier, `${this.#baggagePrefix}${key}`, value);
      count++;
    }
  }

  /** Returns `context` with the span context from `uber-trace-id` and baggage from `uberctx-*` headers merged in. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    let ctx = context;
    const raw = one(getter.get(carrier, this.#traceHeader));
    if (raw !== undefined) {
      const sc = parseUberTraceId(raw);
      if (sc) ctx = setSpanContext(ctx, sc);
      else diagOnce("debug", "jaeger.invalid", `Jaeger: ignoring an invalid ${this.#traceHeader} header.`);
    }
    // At most 64 baggage headers are looked at, valid or not, and read in one pass
    // (getFields), so a carrier with thousands of `uberctx-*` keys costs linear time.
    const names: string[] = [];
    for (const name of getter.keys(carrier)) {
      if (typeof name !== "string" || name.length <= this.#baggagePrefix.length) continue;
      if (name.slice(0, this.#baggagePrefix.length).toLowerCase() !== this.#baggagePrefix) continue;
      if (names.push(name) === BAGGAGE_MAX_ENTRIES) break;
    }
    const values = names.length === 0 ? [] : getFields(carrier, getter, names);
    let baggage = getBaggage(ctx) ?? createBaggage();
    let added = 0;
    let bytes = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = one(values[i]);
      const decoded = value === undefined ? undefined : percentDecode(value);
      if (decoded === undefined) continue;
      bytes += name.length + value!.length;
      if (bytes > BAGGAGE_MAX_BYTES) break;
      baggage = baggage.setEntry(name.slice(this.#baggagePrefix.length).toLowerCase(), { value: decoded });
      added++;
    }
    return added > 0 ? setBaggage(ctx, baggage) : ctx;
  }

  /** The trace header name. */
  fields(): string[] {
    return [this.#traceHeader];
  }
}
