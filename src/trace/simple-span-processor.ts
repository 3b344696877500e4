/**
 * The simple span processor: exports each sampled span as soon as it ends
 * (OTel SDK spec, "Simple processor"). Meant for tests and development; use the
 * batching processor in production.
 *
 * Exports are chained so the exporter is never called concurrently (spec: "Export will
 * never be called concurrently for the same exporter instance"), and the chain is
 * bounded so a stuck exporter cannot grow memory without limit (DESIGN principle 4).
 */
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import type { Context } from "../context/context.ts";
import type { Exporter, ExportResult } from "../export/exporter.ts";
import { RateLimitedWarning } from "../export/rate-limit.ts";
import { suppressTracing } from "./suppress.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

// Spans waiting for their turn at most; beyond this they are dropped (reported once).
const MAX_PENDING = 2048;

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
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  #isShutdown = false;
  readonly #failures = new RateLimitedWarning();
  readonly #exporter: Exporter<ReadableSpan>;

  /** @throws TypeError when `exporter` has no `export()` method. */
  constructor(exporter: Exporter<ReadableSpan>) {
    if (exporter === null || typeof exporter !== "object" || typeof exporter.export !== "function") {
      throw new TypeError("Cannot create SimpleSpanProcessor: exporter must be an object with an export() method");
    }
    this.#exporter = exporter;
  }

  /** Nothing to do when a span starts. */
  onStart(_span: Span & ReadableSpan, _parentContext: Context): void {}

  /** Starts exporting `span` if it is sampled; never throws. */
  onEnd(span: ReadableSpan): void {
    try {
      if (this.#isShutdown || (span.spanContext().traceFlags & 1) !== 1) return;
    } catch {
      return;
    }
    if (this.#pending >= MAX_PENDING) {
      diagOnce("warn", "simple-span-processor:backlog", `SimpleSpanProcessor: ${MAX_PENDING} spans are waiting for the exporter; dropping new spans. Use BatchSpanProcessor for production load.`);
      return;
    }
    this.#pending++;
    this.#tail = this.#tail.then(() => this.#exportOne(span));
  }

  /** Waits for every export started so far, then the exporter's own flush; never rejects. */
  async forceFlush(): Promise<void> {
    await this.#tail;
    try {
      await this.#exporter.forceFlush?.();
    } catch {
      // forceFlush never rejects
    }
  }

  /** Waits for pending exports, then shuts the exporter down; later spans are ignored. */
  async shutdown(): Promise<void> {
    this.#isShutdown = true;
    await this.#tail;
    try {
      await this.#exporter.shutdown();
    } catch (error) {
      this.#failures.warn(`SimpleSpanProcessor: exporter shutdown failed: ${describe(error)}`);
    }
  }

  // Resolves (never rejects) once the span's export settled.
  async #exportOne(span: ReadableSpan): Promise<void> {
    let result: ExportResult | undefined;
    let error: unknown;
    try {
      // Tracing is suppressed so an instrumented `fetch` in the exporter records no spans.
      result = await context.with(suppressTracing(context.active()), () => this.#exporter.export([span]));
    } catch (e) {
      error = e;
    }
    this.#pending--;
    if (result?.code !== 0 /* ExportResultCode.SUCCESS */) {
      const cause = error ?? result?.error ?? "exporter reported failure";
      this.#failures.warn(`SimpleSpanProcessor: export of span "${span.name}" failed: ${describe(cause)}`);
    }
  }
}
