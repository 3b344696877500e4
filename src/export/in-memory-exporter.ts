/**
 * An exporter that keeps finished spans in memory, for tests: pair it with
 * `SimpleSpanProcessor` (or a flushed `BatchSpanProcessor`) and assert on
 * `getFinishedSpans()`. Same surface as the official `InMemorySpanExporter`.
 */
import type { Exporter, ExportResult } from "./exporter.ts";
import type { ReadableSpan } from "../trace/types.ts";

/**
 * Collects exported spans in an array.
 *
 * @example
 * ```ts
 * const exporter = new InMemorySpanExporter();
 * // ... run code under test with a SimpleSpanProcessor(exporter) ...
 * assert.equal(exporter.getFinishedSpans().map((s) => s.name), ["GET /"]);
 * exporter.reset();
 * ```
 */
export class InMemorySpanExporter implements Exporter<ReadableSpan> {
  #spans: ReadableSpan[] = [];
  #stopped = false;

  /** Stores `spans`; fails after {@link shutdown}. */
  export(spans: ReadableSpan[]): Promise<ExportResult> {
    if (this.#stopped) {
      return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: new Error("InMemorySpanExporter is shut down") });
    }
    for (const s of spans) this.#spans.push(s);
    return Promise.resolve({ code: 0 /* ExportResultCode.SUCCESS */ });
  }

  /** A copy of the spans exported so far, in export order. */
  getFinishedSpans(): ReadableSpan[] {
    return this.#spans.slice();
  }

  /** Forgets the spans exported so far. */
  reset(): void {
    this.#spans = [];
  }

  /** Nothing is buffered, so there is nothing to wait for. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Clears the stored spans; later exports fail. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    this.#spans = [];
    return Promise.resolve();
  }
}
