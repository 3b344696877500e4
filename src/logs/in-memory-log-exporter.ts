/**
 * An exporter that keeps log records in memory, for tests: pair it with
 * `SimpleLogRecordProcessor` and assert on `getFinishedLogRecords()`. Same surface as the
 * official `InMemoryLogRecordExporter`.
 */
import type { ExportResult } from "../export/exporter.ts";
import type { LogRecordExporter, ReadableLogRecord } from "./types.ts";

/**
 * Collects exported log records in an array.
 *
 * @example
 * ```ts
 * const exporter = new InMemoryLogRecordExporter();
 * const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
 * provider.getLogger("test").emit({ body: "hi" });
 * assert.equal(exporter.getFinishedLogRecords()[0].body, "hi");
 * ```
 */
export class InMemoryLogRecordExporter implements LogRecordExporter {
  #records: ReadableLogRecord[] = [];
  #stopped = false;

  /** Stores `records`; fails after {@link shutdown}. */
  export(records: ReadableLogRecord[]): Promise<ExportResult> {
    if (this.#stopped) return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: new Error("InMemoryLogRecordExporter is shut down") });
    for (const r of records) this.#records.push(r);
    return Promise.resolve({ code: 0 /* ExportResultCode.SUCCESS */ });
  }

  /** Every record exported so far, oldest first. */
  getFinishedLogRecords(): ReadableLogRecord[] {
    return this.#records.slice();
  }

  /** Forgets the stored records. */
  reset(): void {
    this.#records = [];
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later exports fail; the stored records are kept for inspection. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}
