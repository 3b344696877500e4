/**
 * `BatchSpanProcessor` on the size-first core: the product's class (src/trace/batch-span-processor.ts
 * over src/export/batcher.ts) for any exporter, on runtimes with timers (spec: Tracing SDK,
 * "Batching processor"; the `OTEL_BSP_*` defaults: 5000 ms delay, 30000 ms export timeout, 2048
 * queued, 512 per batch). The Workers programs use export.ts's sink instead (no timer there).
 *
 * Kept: options checked at construction (RangeError); sampled spans only; a full queue drops the
 * newest span (counted in `dropped`, reported once); a full batch starts its export in a
 * microtask, never inside the `span.end()` that filled it; a partial batch leaves after
 * `scheduledDelayMillis` (a timer armed only while spans wait, unref'd where the runtime can,
 * none for `Infinity`); one export in flight; each export bounded by `exportTimeoutMillis` (then
 * counted failed, and the next one proceeds); exports run with tracing suppressed; an exporter
 * that throws, rejects or fails is reported once and never surfaces; `forceFlush()` exports
 * everything queued, batch by batch, and resolves within `exportTimeoutMillis`; `shutdown()`
 * flushes, then shuts the exporter down, then drops (counting) later spans; neither rejects.
 *
 * Left out (the product's): `stats()` and the `onExport` hook (self-observability: here only
 * `dropped` is counted); the outage backoff; aborting a timed-out export through a signal (the
 * OTLP exporter ends its own request at its timeout); rate-limited repeats of failure warnings.
 */
import type { Context, ReadableSpan, Span } from "./contract.ts";
import { active, SUPPRESS_KEY, withContext } from "./context.ts";
import { warnOnce } from "./diag.ts";
import type { ExportResult } from "./export.ts";
import type { SpanProcessor } from "./provider.ts";

/** What a batch processor exports to (the product's `Exporter<ReadableSpan>`). */
export interface SpanExporter {
  /** Resolves (should never reject) with the outcome. */
  export(spans: ReadableSpan[]): Promise<ExportResult>;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The product's `BatchSpanProcessorOptions`; every field has the `OTEL_BSP_*` default. */
export interface BatchSpanProcessorOptions {
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  /** `Infinity`: only on flush. */
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

/** A timer that never keeps a process alive (unref'd where the runtime can: Node, Bun). */
const later = (fn: () => unknown, ms: number): ReturnType<typeof setTimeout> => {
  const timer = setTimeout(fn, Math.min(ms, 2147483647));
  (timer as { unref?(): void }).unref?.();
  return timer;
};

/** `p`'s outcome, or a rejection after `ms`; the timer is cleared as soon as `p` settles. */
const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = later(reject, ms);
    p.then(resolve, reject).then(() => clearTimeout(timer));
  });

export class BatchSpanProcessor implements SpanProcessor {
  /** Spans dropped: queue full, or ended after shutdown. */
  dropped = 0;
  /** Nothing to do when a span starts. */
  onStart(_span: Span, _parentContext: Context): void {}
  /** Queues `span` if it is sampled (trace flags bit 0); never throws. */
  declare onEnd: (span: ReadableSpan) => void;
  /** Exports every span queued so far; never rejects. */
  declare forceFlush: () => Promise<void>;
  /** Flushes, shuts the exporter down and drops (counting) spans ended afterwards. Never rejects. */
  declare shutdown: () => Promise<void>;

  /** @throws RangeError for invalid sizes or times; TypeError without an exporter. */
  constructor(exporter: SpanExporter, options: BatchSpanProcessorOptions = {}) {
    if (typeof exporter?.export != "function") throw new TypeError("Cannot create BatchSpanProcessor: exporter must have an export() method");
    // `null` counts as unset, as the product's.
    const max = options.maxQueueSize ?? 2048;
    const size = options.maxExportBatchSize ?? 512;
    const delay = options.scheduledDelayMillis ?? 5000;
    const timeout = options.exportTimeoutMillis ?? 3e4;
    // Sizes: positive integers, a batch no larger than the queue; times: numbers (Infinity allowed), the timeout > 0.
    const bad = !(Number.isSafeInteger(max) && max > 0)
      ? "maxQueueSize"
      : !(Number.isSafeInteger(size) && size > 0 && size <= max)
        ? "maxExportBatchSize"
        : !(typeof delay == "number" && delay >= 0)
          ? "scheduledDelayMillis"
          : !(typeof timeout == "number" && timeout > 0) && "exportTimeoutMillis";
    if (bad) throw new RangeError("Cannot create BatchSpanProcessor: invalid " + bad);

    const queue: ReadableSpan[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: Promise<void> | undefined;
    let flushing = 0;
    let stopped: Promise<void> | undefined;

    /** One export, with tracing suppressed, settled or timed out within `timeout`; never rejects. */
    const one = (spans: ReadableSpan[]): Promise<unknown> =>
      within(Promise.resolve().then(() => withContext(active().setValue(SUPPRESS_KEY, true), () => exporter.export(spans))), timeout)
        .then((r) => r?.code && Promise.reject())
        .catch(() => warnOnce("span export failed or timed out"));

    /** The running export loop, or a new one: full batches, or everything while a flush waits. */
    const pump = (): Promise<void> =>
      (running ??= (async () => {
        try {
          for (let spans; (spans = queue.length >= size || flushing ? queue.splice(0, size) : []).length; ) await one(spans);
        } finally {
          running = undefined;
          arm();
        }
      })());

    /** Exports until nothing is queued or in flight. */
    const drain = async (): Promise<void> => {
      flushing++;
      try {
        while (queue.length || running) await pump();
      } finally {
        flushing--;
      }
    };

    /** Arms the scheduled-delay timer while spans wait and none is armed. */
    const arm = (): void => {
      if (!timer && queue.length && delay < 1 / 0) timer = later(() => ((timer = undefined), drain()), delay);
    };

    const forceFlush = (): Promise<void> => within(drain(), timeout).catch(() => {});
    Object.assign(this, {
      onEnd: (span: ReadableSpan) => {
        try {
          if (!(span.spanContext().traceFlags & 1)) return;
        } catch {
          return;
        }
        if (stopped || queue.length >= max) {
          this.dropped++;
          if (!stopped) warnOnce("span queue full; dropping new spans");
        } else if (queue.push(span) >= size) void pump();
        else arm();
      },
      forceFlush,
      shutdown: () =>
        (stopped ??= forceFlush()
          .then(() => exporter.shutdown())
          .catch(() => warnOnce("span exporter shutdown failed"))
          .then(() => clearTimeout(timer))),
    });
  }
}
