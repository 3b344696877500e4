/**
 * The OpenTracing `SpanContext` of the bridge: an OpenTelemetry span context and the baggage
 * that travels with it, immutable (OTel spec "OpenTracing Compatibility" §SpanContext Shim:
 * "MUST be immutable and MUST contain the associated SpanContext and Baggage values").
 */
import type { Baggage } from "../propagation/baggage.ts";
import type { SpanContext } from "../trace/span-context.ts";

/** An OpenTracing span context over an OpenTelemetry {@link SpanContext} and {@link Baggage}. */
export class OpenTracingSpanContext {
  readonly #spanContext: SpanContext;
  readonly #baggage: Baggage;

  constructor(spanContext: SpanContext, baggage: Baggage) {
    this.#spanContext = spanContext;
    this.#baggage = baggage;
  }

  /** The trace id, 32 lowercase hex digits. */
  toTraceId(): string {
    return this.#spanContext.traceId;
  }

  /** The span id, 16 lowercase hex digits. */
  toSpanId(): string {
    return this.#spanContext.spanId;
  }

  /** The OpenTelemetry span context (as `SpanContextShim.getSpanContext()` of `@opentelemetry/shim-opentracing`). */
  getSpanContext(): SpanContext {
    return this.#spanContext;
  }

  /** The baggage carried with this context, shared with the `propagation` baggage API. */
  getBaggage(): Baggage {
    return this.#baggage;
  }

  /** The value of baggage item `key`, or undefined. */
  getBaggageItem(key: string): string | undefined {
    return this.#baggage.getEntry(key)?.value;
  }
}
