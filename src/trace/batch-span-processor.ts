/**
 * The batching span processor: sampled spans go to a bounded queue and are exported in
 * batches by the shared {@link Batcher} (OTel SDK spec, "Batching processor").
 * Defaults are the spec's `OTEL_BSP_*` defaults; reading the environment is the caller's
 * job (`init()`), so this file stays free of configuration sources.
 */
import type { Context } from "../context/context.ts";
import { createBatcher, type Batcher } from "../export/batcher.ts";
import type { BatcherStats } from "../export/batcher.ts";
import type { Exporter } from "../export/exporter.ts";
import type { ExportHooks } from "../export/export-outcome.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/** Options of a {@link BatchSpanProcessor}; every field has the `OTEL_BSP_*` default. */
export interface BatchSpanProcessorOptions {
  /** Queue capacity; spans beyond it are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Largest batch per export. Default 512. */
  maxExportBatchSize?: number;
  /** Delay before a partial batch is exported; `Infinity` = only on flush. Default 5000. */
  scheduledDelayMillis?: number;
  /** Time an export may take before it counts as failed. Default 30000. */
  exportTimeoutMillis?: number;
}

/** The spec defaults (`OTEL_BSP_*`): 5000 ms / 30000 ms / 2048 / 512. */
export const DEFAULT_BSP_OPTIONS: Readonly<Required<BatchSpanProcessorOptions>> = /* @__PURE__ */ Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30_000,
});

/**
 * Queues sampled spans and exports them in batches.
 *
 * @example
 * ```ts
 * const processor = new BatchSpanProcessor(createOtlpTraceExporter(), { scheduledDelayMillis: 1000 });
 * // ...
 * await processor.forceFlush();
 * ```
 */
export class BatchSpanProcessor implements SpanProcessor {
  readonly #batcher: Batcher<ReadableSpan>;

  /** @throws RangeError for invalid sizes or delays (see {@link Batcher}). */
  constructor(exporter: Exporter<ReadableSpan>, options: BatchSpanProcessorOptions & ExportHooks = {}) {
    // The Batcher's defaults are the OTEL_BSP_* ones.
    this.#batcher = createBatcher<ReadableSpan>({ ...options, exporter, signal: "spans" });
  }

  /** Nothing to do when a span starts. */
  onStart(_span: Span & ReadableSpan, _parentContext: Context): void {}

  /** Queues `span` if it is sampled (trace flags bit 0); never throws. */
  onEnd(span: ReadableSpan): void {
    addSampled(this.#batcher, span);
  }

  /** Exports every span queued so far; never rejects. */
  forceFlush(): Promise<void> {
    return this.#batcher.forceFlush();
  }

  /** Flushes, shuts the exporter down and drops (counting) spans ended afterwards. */
  shutdown(): Promise<void> {
    return this.#batcher.shutdown();
  }

  /** Queue and export counters. */
  stats(): BatcherStats {
    return this.#batcher.stats();
  }
}

/** Queues `span` if it is sampled (trace flags bit 0); never throws. */
export function addSampled(batcher: Batcher<ReadableSpan>, span: ReadableSpan): void {
  try {
    // Spec: only spans with the sampled flag are passed to the exporter.
    if (span.spanContext().traceFlags & 1) batcher.add(span);
  } catch {
    // a broken span object must not reach the application
  }
}
