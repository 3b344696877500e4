/**
 * Fans span start/end out to several processors, isolating each from the others'
 * failures (a processor that throws must not stop the next one, nor the application).
 */
import { diagOnce } from "../common/diag.ts";
import type { Context } from "../context/context.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/** A {@link SpanProcessor} that calls each of `processors` in order. */
export class MultiSpanProcessor implements SpanProcessor {
  readonly #processors: readonly SpanProcessor[];

  constructor(processors: readonly SpanProcessor[]) {
    this.#processors = processors;
  }

  onStart(span: Span & ReadableSpan, parentContext: Context): void {
    for (const p of this.#processors) {
      try {
        p.onStart(span, parentContext);
      } catch (err) {
        diagOnce("error", "processor-onstart", "A span processor threw in onStart; the error was ignored.", err);
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    for (const p of this.#processors) {
      try {
        p.onEnd(span);
      } catch (err) {
        diagOnce("error", "processor-onend", "A span processor threw in onEnd; the error was ignored.", err);
      }
    }
  }

  forceFlush(): Promise<void> {
    return settleAll(this.#processors, (p) => p.forceFlush());
  }

  shutdown(): Promise<void> {
    return settleAll(this.#processors, (p) => p.shutdown());
  }
}

/** `call` on each processor, all at once; a failure (a rejection or a synchronous throw) is reported, not passed on. */
async function settleAll(processors: readonly SpanProcessor[], call: (p: SpanProcessor) => Promise<void>): Promise<void> {
  // async: a synchronous throw becomes a rejection, so one processor cannot stop the others.
  for (const r of await Promise.allSettled(processors.map(async (p) => call(p)))) {
    if (r.status === "rejected") diagOnce("error", "processor-flush", "A span processor failed to flush or shut down.", r.reason);
  }
}
