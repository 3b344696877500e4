/**
 * The batching log record processor: records go to a bounded queue and are exported in
 * batches by the shared {@link Batcher} — the same code as spans, configured for logs
 * (spec: Logs SDK "Batching processor"; `OTEL_BLRP_*` defaults 1000 ms / 30000 ms / 2048 / 512).
 */
import type { Context } from "../context/context.ts";
import { createBatcher, type Batcher, type BatcherStats } from "../export/batcher.ts";
import type { ExportHooks } from "../export/export-outcome.ts";
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord } from "./types.ts";

/** Options of a {@link BatchLogRecordProcessor}; every field has the `OTEL_BLRP_*` default. */
export interface BatchLogRecordProcessorOptions {
  /** Queue capacity; records beyond it are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Largest batch per export. Default 512. */
  maxExportBatchSize?: number;
  /** Delay before a partial batch is exported; `Infinity` = only on flush. Default 1000. */
  scheduledDelayMillis?: number;
  /** Time an export may take before it counts as failed. Default 30000. */
  exportTimeoutMillis?: number;
}

/** The spec defaults for logs. */
export const DEFAULT_BLRP_OPTIONS: Readonly<Required<BatchLogRecordProcessorOptions>> = /* @__PURE__ */ Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30_000,
});

/**
 * Queues log records and exports them in batches.
 *
 * @example
 * ```ts
 * const processor = new BatchLogRecordProcessor(createOtlpLogExporter());
 * const provider = new LoggerProvider({ processors: [processor] });
 * // ...
 * await provider.forceFlush();
 * ```
 */
export class BatchLogRecordProcessor implements LogRecordProcessor {
  readonly #batcher: Batcher<ReadableLogRecord>;

  /** @throws RangeError for invalid sizes or delays (see {@link Batcher}). */
  constructor(exporter: LogRecordExporter, options: BatchLogRecordProcessorOptions & ExportHooks = {}) {
    // The Batcher's defaults are the spec's; OTEL_BLRP_* differs from OTEL_BSP_* in the delay only.
    this.#batcher = createBatcher<ReadableLogRecord>({ ...options, exporter, signal: "log records", scheduledDelayMillis: options.scheduledDelayMillis ?? 1000 });
  }

  /** Queues `record`; never throws (a full queue drops it, counted). */
  onEmit(record: ReadableLogRecord, _context?: Context): void {
    this.#batcher.add(record);
  }

  /** Exports every record queued so far; never rejects. */
  forceFlush(): Promise<void> {
    return this.#batcher.forceFlush();
  }

  /** Flushes, shuts the exporter down and drops (counting) later records. */
  shutdown(): Promise<void> {
    return this.#batcher.shutdown();
  }

  /** Queue and export counters. */
  stats(): BatcherStats {
    return this.#batcher.stats();
  }
}
