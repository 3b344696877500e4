/**
 * A span that records nothing and only carries a {@link SpanContext}: what
 * `trace.wrapSpanContext` returns, and what sampled-out spans are. Every method is a
 * cheap no-op, which is what makes a sampled-out span nearly free.
 *
 * A sampled-out span made by our tracer with the default random id generator draws its
 * ids on the first `spanContext()` call (deferred): most sampled-out spans are never
 * asked (no outgoing call to propagate them to), and ids are random either way, so
 * drawing them later is indistinguishable to the caller.
 */
import { generateSpanId, generateTraceId } from "./ids.ts";
import { INVALID_SPAN_CONTEXT, type SpanContext } from "./span-context.ts";
import type { Span } from "./types.ts";

/** A {@link Span} that is not recorded. */
export class NonRecordingSpan implements Span {
  #spanContext: SpanContext | undefined;
  readonly #parent: SpanContext | undefined;
  readonly #traceFlags: number;

  /**
   * @param spanContext the context to carry (default: the invalid context)
   * @param deferred when true, `spanContext` is ignored and the context is made on first
   *   use from random ids: the trace id (and tracestate) of `parent` when given, else a new
   *   random trace id; a new random span id; `traceFlags`
   */
  constructor(spanContext?: SpanContext, deferred?: boolean, parent?: SpanContext, traceFlags?: number) {
    this.#spanContext = deferred === true ? undefined : (spanContext ?? INVALID_SPAN_CONTEXT);
    this.#parent = parent;
    this.#traceFlags = traceFlags ?? 0;
  }

  spanContext(): SpanContext {
    const spanContext = this.#spanContext;
    if (spanContext !== undefined) return spanContext;
    const parent = this.#parent;
    return (this.#spanContext = {
      traceId: parent === undefined ? generateTraceId() : parent.traceId,
      spanId: generateSpanId(),
      traceFlags: this.#traceFlags,
      traceState: parent?.traceState,
    });
  }
  // Every change is a no-op (parameters omitted: a method may take fewer than the interface names).
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(): void {}
}
