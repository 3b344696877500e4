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
import type { Attributes, AttributeValue } from "../common/attributes.ts";
import type { TimeInput } from "../common/time.ts";
import { generateSpanId, generateTraceId } from "./ids.ts";
import { INVALID_SPAN_CONTEXT, type SpanContext } from "./span-context.ts";
import type { Exception, Link, Span, SpanStatus } from "./types.ts";

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
  setAttribute(_key: string, _value: AttributeValue): this {
    return this;
  }
  setAttributes(_attributes: Attributes): this {
    return this;
  }
  addEvent(_name: string, _attributesOrTime?: Attributes | TimeInput, _time?: TimeInput): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(_status: SpanStatus): this {
    return this;
  }
  updateName(_name: string): this {
    return this;
  }
  end(_endTime?: TimeInput): void {}
  isRecording(): boolean {
    return false;
  }
  recordException(_exception: Exception, _time?: TimeInput): void {}
}
