/**
 * The simple span processor: exports each sampled span as soon as it ends
 * (OTel SDK spec, "Simple processor"). Meant for tests and development; use the
 * batching processor in production.
 *
 * It is the shared {@link Batcher} with a batch size of one, not a second queue: a span is
 * handed to the exporter at once (inside `end()`, when no export is in flight), exports never
 * overlap (spec: "Export will never be called concurrently for the same exporter instance"),
 * and a stuck exporter can hold at most 2048 spans (DESIGN principle 4).
 */
import type { Context } from "../context/context.ts";
import { createBatcher, type Batcher } from "../export/batcher.ts";
import { addSampled } from "./batch-span-processor.ts";
import type { Exporter } from "../export/exporter.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/**
 * Exports every sampled span on end, one export at a time.
 *
 * @example
 * ```ts
 * const exporter = new InMemorySpanExporter();
 * const processor = new SimpleSpanProcessor(exporter);
 * ```
 */
export class SimpleSpanProcessor implements SpanProcessor {
  readonly #batcher: Batcher<ReadableSpan>;
  readonly #exporter: Exporter<ReadableSpan>;

  /** @throws TypeError when `exporter` has no `export()` method. */
  constructor(exporter: Exporter<ReadableSpan>) {
    this.#exporter = exporter;
    this.#batcher = createBatcher<ReadableSpan>({ exporter, maxExportBatchSize: 1, scheduledDelayMillis: 0, signal: "spans" });
  }

  /** Nothing to do when a span starts. */
  onStart(_span: Span & ReadableSpan, _parentContext: Context): void {}

  /** Starts exporting `span` if it is sampled; never throws. */
  onEnd(span: ReadableSpan): void {
    addSampled(this.#batcher, span);
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

  /** Waits for pending exports, then shuts the exporter down; later spans are dropped. */
  shutdown(): Promise<void> {
    return this.#batcher.shutdown();
  }
}
