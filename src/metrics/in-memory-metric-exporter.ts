/**
 * An exporter that keeps exported metric snapshots in memory, for tests: pair it with a
 * `PeriodicExportingMetricReader` and assert on `getMetrics()` after `forceFlush()`.
 */
import type { Exporter, ExportResult } from "../export/exporter.ts";
import type { ResourceMetrics } from "./types.ts";

/**
 * Collects exported {@link ResourceMetrics} in an array.
 *
 * @example
 * ```ts
 * const exporter = new InMemoryMetricExporter();
 * const reader = new PeriodicExportingMetricReader({ exporter });
 * new MeterProvider({ readers: [reader] }).getMeter("t").createCounter("c").add(1);
 * await reader.forceFlush();
 * exporter.getMetrics(); // [ResourceMetrics]
 * ```
 */
export class InMemoryMetricExporter implements Exporter<ResourceMetrics> {
  #items: ResourceMetrics[] = [];
  #stopped = false;

  /** Stores `items`; fails after {@link shutdown}. */
  export(items: ResourceMetrics[]): Promise<ExportResult> {
    if (this.#stopped) return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: new Error("InMemoryMetricExporter is shut down") });
    for (const rm of items) this.#items.push(rm);
    return Promise.resolve({ code: 0 /* ExportResultCode.SUCCESS */ });
  }

  /** A copy of the snapshots exported so far, in export order. */
  getMetrics(): ResourceMetrics[] {
    return this.#items.slice();
  }

  /** Forgets the snapshots exported so far. */
  reset(): void {
    this.#items = [];
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Clears the stored snapshots; later exports fail. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    this.#items = [];
    return Promise.resolve();
  }
}
