/**
 * A span that records nothing and only carries a {@link SpanContext}: what
 * `trace.wrapSpanContext` returns, and what sampled-out spans are. Every method is a
 * cheap no-op, which is what makes a sampled-out span nearly free.
 */
import type { Attributes, AttributeValue } from "../common/attributes.ts";
import type { TimeInput } from "../common/time.ts";
import { INVALID_SPAN_CONTEXT, type SpanContext } from "./span-context.ts";
import type { Exception, Link, Span, SpanStatus } from "./types.ts";

/** A {@link Span} that is not recorded. */
export class NonRecordingSpan implements Span {
  readonly #spanContext: SpanContext;

  constructor(spanContext: SpanContext = INVALID_SPAN_CONTEXT) {
    this.#spanContext = spanContext;
  }

  spanContext(): SpanContext {
    return this.#spanContext;
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
