/**
 * The simple log record processor: exports each record as soon as it is emitted (spec:
 * Logs SDK "Simple processor"). Meant for tests and development.
 *
 * It is the shared {@link Batcher} with a batch size of one, not a second queue: a record
 * is handed to the exporter at once (synchronously, inside `emit`, when no export is in
 * flight), exports never overlap (spec: "Export will never be called concurrently"), and
 * a stuck exporter can hold at most `maxQueueSize` records (DESIGN principle 4).
 */
import type { Context } from "../context/context.ts";
import { createBatcher, type Batcher, type BatcherStats } from "../export/batcher.ts";
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord } from "./types.ts";

/** Options of a {@link SimpleLogRecordProcessor}. */
export interface SimpleLogRecordProcessorOptions {
  /** Records waiting for a slow exporter at most; beyond it they are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Time an export may take before it counts as failed. Default 30000. */
  exportTimeoutMillis?: number;
}

/**
 * Exports every record on emit, one export at a time.
 *
 * @example
 * ```ts
 * const exporter = new InMemoryLogRecordExporter();
 * const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
 * ```
 */
export class SimpleLogRecordProcessor implements LogRecordProcessor {
  readonly #batcher: Batcher<ReadableLogRecord>;
  readonly #exporter: LogRecordExporter;

  /** @throws TypeError when `exporter` has no `export()` method; RangeError for invalid options. */
  constructor(exporter: LogRecordExporter, options: SimpleLogRecordProcessorOptions = {}) {
    this.#exporter = exporter;
    this.#batcher = createBatcher<ReadableLogRecord>({
      exporter,
      maxQueueSize: options.maxQueueSize,
      maxExportBatchSize: 1,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: options.exportTimeoutMillis,
      signal: "log records",
    });
  }

  /** Starts exporting `record`; never throws. */
  onEmit(record: ReadableLogRecord, _context?: Context): void {
    this.#batcher.add(record);
  }

  /** Waits for every export started so far, then the exporter's own flush; never rejects. */
  async forceFlush(): Promise<void> {
    await this.#batcher.forceFlush();
    try {
      await this.#exporter.forceFlush?.();
    } catch {
      // forceFlush never rejects
    }
  }

  /** Waits for pending exports, then shuts the exporter down; later records are dropped. */
  shutdown(): Promise<void> {
    return this.#batcher.shutdown();
  }

  /** Queue and export counters. */
  stats(): BatcherStats {
    return this.#batcher.stats();
  }
}
