/**
 * The OpenTracing `Span` of the bridge, over one of our spans (OTel spec "OpenTracing
 * Compatibility" §Span Shim): tags are set as attributes, logs added as events, `finish` ends
 * the span; baggage lives in the span's {@link OpenTracingSpanContext}, replaced by a new one
 * on each `setBaggageItem` (the context itself is immutable).
 *
 * Same methods as `Span` of `opentracing` 0.14. Like every span method in this SDK, none
 * throws (DESIGN principle 3).
 */
import { diagOnce } from "../common/diag.ts";
import type { Baggage } from "../propagation/baggage.ts";
import type { Span } from "../trace/types.ts";
import { ERROR_TAG, errorStatus } from "./tags.ts";
import { fromEpochMillis, toAttributeValue } from "./convert.ts";
import { logEvent } from "./log-event.ts";
import { OpenTracingSpanContext } from "./span-context.ts";
import type { OpenTracingTracer } from "./tracer.ts";

/** An OpenTracing span over an OpenTelemetry {@link Span}. */
export class OpenTracingSpan {
  readonly #tracer: OpenTracingTracer;
  readonly #span: Span;
  #context: OpenTracingSpanContext;

  /** `tracer`: the OpenTracing tracer that `tracer()` returns. */
  constructor(tracer: OpenTracingTracer, span: Span, baggage: Baggage) {
    this.#tracer = tracer;
    this.#span = span;
    this.#context = new OpenTracingSpanContext(span.spanContext(), baggage);
  }

  /** The span's context: ids and baggage, for `childOf`, references and `inject`. */
  context(): OpenTracingSpanContext {
    return this.#context;
  }

  /** The OpenTracing tracer that started this span. */
  tracer(): OpenTracingTracer {
    return this.#tracer;
  }

  /** The OpenTelemetry span underneath (as `SpanShim.getSpan()` of `@opentelemetry/shim-opentracing`). */
  getSpan(): Span {
    return this.#span;
  }

  /** Renames the span. */
  setOperationName(name: string): this {
    this.#span.updateName(name);
    return this;
  }

  /** Sets baggage item `key`, carried by this span's context from now on and propagated by `inject`. */
  setBaggageItem(key: string, value: string): this {
    if (typeof key !== "string") {
      diagOnce("warn", "opentracing.baggage", "OpenTracing setBaggageItem: the key must be a string; ignored.");
      return this;
    }
    const context = this.#context;
    const baggage = context.getBaggage().setEntry(key, { value: typeof value === "string" ? value : String(toAttributeValue(value) ?? "") });
    this.#context = new OpenTracingSpanContext(context.getSpanContext(), baggage);
    return this;
  }

  /** The value of baggage item `key`, or undefined. */
  getBaggageItem(key: string): string | undefined {
    return this.#context.getBaggageItem(key);
  }

  /**
   * Sets one tag as an attribute of the same name. The `error` tag sets the status instead
   * (`true` → ERROR, `false` → OK); `span.kind` after the start stays an attribute, since a
   * span's kind is fixed when it starts (give it in `startSpan`'s `tags`).
   */
  setTag(key: string, value: unknown): this {
    if (key === ERROR_TAG) {
      const status = errorStatus(value);
      if (status !== undefined) {
        this.#span.setStatus({ code: status });
        return this;
      }
    }
    const attribute = toAttributeValue(value);
    if (attribute !== undefined) this.#span.setAttribute(key, attribute);
    return this;
  }

  /** Sets each tag of `keyValueMap` as {@link setTag} does. */
  addTags(keyValueMap: Record<string, unknown>): this {
    if (keyValueMap === null || typeof keyValueMap !== "object") return this;
    try {
      for (const key of Object.keys(keyValueMap)) this.setTag(key, keyValueMap[key]);
    } catch {
      diagOnce("warn", "opentracing.tags", "OpenTracing addTags: the tags could not be read; the rest were dropped.");
    }
    return this;
  }

  /**
   * Adds a span event: named by the `event` field (else `log`), with the fields as attributes;
   * `event: "error"` adds an `exception` event. `timestamp`: milliseconds since the epoch.
   */
  log(keyValuePairs: Record<string, unknown>, timestamp?: number): this {
    const { name, attributes } = logEvent(keyValuePairs);
    this.#span.addEvent(name, attributes, fromEpochMillis(timestamp));
    return this;
  }

  /** Deprecated in OpenTracing: `log({ event: eventName, payload })`. */
  logEvent(eventName: string, payload?: unknown): void {
    this.log(payload === undefined ? { event: eventName } : { event: eventName, payload });
  }

  /** Ends the span; `finishTime`: milliseconds since the epoch (default now). */
  finish(finishTime?: number): void {
    this.#span.end(fromEpochMillis(finishTime));
  }
}
