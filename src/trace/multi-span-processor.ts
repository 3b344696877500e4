/**
 * Fans span start/end out to several processors, isolating each from the others'
 * failures (a processor that throws must not stop the next one, nor the application).
 */
import { diagOnce } from "../common/diag.ts";
import type { Context } from "../context/context.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/**
 * A {@link SpanProcessor} that calls each of `processors` in order and never throws: a
 * processor's throw or rejection is reported once (per kind of failure) and ignored.
 */
export function multiSpanProcessor(processors: readonly SpanProcessor[]): SpanProcessor {
  /** `call` on each processor, all at once; a rejection or a synchronous throw is reported, not passed on. */
  const settle = async (call: (p: SpanProcessor) => Promise<void>): Promise<void> => {
    // async: a synchronous throw becomes a rejection, so one processor cannot stop the others.
    for (const r of await Promise.allSettled(processors.map(async (p) => call(p)))) {
      if (r.status === "rejected") failed("failed to flush or shut down", r.reason);
    }
  };
  return {
    // Two loops rather than one generic: a fixed method name keeps the per-span call fast.
    onStart(span: Span & ReadableSpan, parentContext: Context): void {
      for (const p of processors) {
        try {
          p.onStart(span, parentContext);
        } catch (err) {
          failed("threw in onStart", err);
        }
      }
    },
    onEnd(span: ReadableSpan): void {
      for (const p of processors) {
        try {
          p.onEnd(span);
        } catch (err) {
          failed("threw in onEnd", err);
        }
      }
    },
    forceFlush: (): Promise<void> => settle((p) => p.forceFlush()),
    shutdown: (): Promise<void> => settle((p) => p.shutdown()),
  };
}

/** Reports, once per `what`, a processor's failure; the error itself goes along as the detail. */
function failed(what: string, err: unknown): void {
  const message = `A span processor ${what}; the error was ignored.`;
  diagOnce("error", message, message, err);
}
