/**
 * Spec: Metrics SDK "Periodic exporting MetricReader" — collects every
 * `exportIntervalMillis` (`OTEL_METRIC_EXPORT_INTERVAL`, default 60000) and hands the
 * snapshot to a push exporter, bounded by `exportTimeoutMillis` (`OTEL_METRIC_EXPORT_TIMEOUT`,
 * default 30000). The environment is read by `init()`, not here.
 *
 * - The timer starts when the reader is registered with a provider, and is `unref()`'d where
 *   the runtime supports it, so it never keeps a process alive.
 * - One export in flight: a tick that finds an export running is skipped.
 * - Empty collections (no data points) are never exported.
 * - `forceFlush()` collects and exports now (what `sdk.flush()` calls for serverless);
 *   `shutdown()` does a final collect+export and shuts the exporter down. Neither rejects.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { ExportResultCode, type Exporter } from "../export/exporter.ts";
import {
  ManualMetricReader,
  hasDataPoints,
  type CollectionResult,
  type CollectOptions,
  type MetricProducer,
  type MetricReader,
  type MetricReaderOptions,
} from "./reader.ts";
import type { AggregationTemporality, InstrumentType, ResourceMetrics } from "./types.ts";

/** Options of {@link PeriodicExportingMetricReader}. */
export interface PeriodicExportingMetricReaderOptions extends MetricReaderOptions {
  exporter: Exporter<ResourceMetrics>;
  /**
   * Default 60000 (spec `OTEL_METRIC_EXPORT_INTERVAL`). `Infinity` = no timer: export only on
   * `forceFlush()`/`shutdown()` (Workers, where nothing may run between requests).
   */
  exportIntervalMillis?: number;
  /** Bound on one collect+export; default 30000 (spec `OTEL_METRIC_EXPORT_TIMEOUT`). */
  exportTimeoutMillis?: number;
}

function positive(value: number | undefined, fallback: number, name: string, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || (!Number.isFinite(value) && !allowInfinity)) {
    const what = allowInfinity ? "a positive number of milliseconds (or Infinity)" : "a positive finite number of milliseconds";
    throw new RangeError(`Cannot create PeriodicExportingMetricReader: ${name} must be ${what}, got ${String(value)}`);
  }
  return value;
}

/**
 * Collects and exports on a timer, and on `forceFlush()`.
 *
 * @example
 * ```ts
 * const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10_000, temporality: "delta" });
 * const provider = new MeterProvider({ readers: [reader] });
 * // ... later, before a serverless function returns:
 * await provider.forceFlush();
 * ```
 */
export class PeriodicExportingMetricReader implements MetricReader {
  readonly #inner: ManualMetricReader;
  readonly #exporter: Exporter<ResourceMetrics>;
  readonly #interval: number;
  readonly #timeout: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;

  /** Throws RangeError for a non-positive interval or timeout, TypeError without an exporter. */
  constructor(options: PeriodicExportingMetricReaderOptions) {
    if (!options || typeof options.exporter?.export !== "function") {
      throw new TypeError("Cannot create PeriodicExportingMetricReader: options.exporter must be an exporter (an object with export())");
    }
    this.#inner = new ManualMetricReader({ temporality: options.temporality });
    this.#exporter = options.exporter;
    this.#interval = positive(options.exportIntervalMillis, 60_000, "exportIntervalMillis", true);
    this.#timeout = positive(options.exportTimeoutMillis, 30_000, "exportTimeoutMillis");
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality(type);
  }

  setMetricProducer(producer: MetricProducer): void {
    this.#inner.setMetricProducer(producer);
    if (this.#timer !== undefined || this.#shutdown !== undefined || this.#interval === Infinity) return;
    this.#timer = setInterval(() => {
      if (this.#inFlight === undefined) void this.#run(false);
    }, this.#interval);
    unref(this.#timer);
  }

  collect(options?: CollectOptions): Promise<CollectionResult> {
    return this.#inner.collect(options);
  }

  /** Waits for an export in flight, then collects and exports now. */
  async forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    await this.#inFlight;
    await this.#run(true);
    try {
      await this.#exporter.forceFlush?.();
    } catch (e) {
      diag.warn(`Metric exporter forceFlush failed: ${String(e)}`);
    }
  }

  /** Stops the timer, exports a last time, and shuts the exporter down. Idempotent. */
  shutdown(): Promise<void> {
    return (this.#shutdown ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      await this.#inFlight;
      await this.#run(true);
      await this.#inner.shutdown();
      try {
        await this.#exporter.shutdown();
      } catch (e) {
        diag.warn(`Metric exporter shutdown failed: ${String(e)}`);
      }
    })());
  }

  /**
   * One collect+export, tracked as the export in flight. `awaited` runs (forceFlush, shutdown)
   * keep their timeout timer referenced so the caller's await always resolves; timer-driven
   * runs do not keep the process alive.
   */
  #run(awaited: boolean): Promise<void> {
    const p = this.#collectAndExport(awaited).finally(() => {
      if (this.#inFlight === p) this.#inFlight = undefined;
    });
    this.#inFlight = p;
    return p;
  }

  async #collectAndExport(awaited: boolean): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#timeout);
      if (!awaited) unref(timer);
    });
    try {
      const work = (async () => {
        const { resourceMetrics, errors } = await this.#inner.collect({ timeoutMillis: this.#timeout });
        for (const e of errors) diagOnce("warn", `metric-collect-error:${String(e)}`, `Metric collection reported: ${String(e)}`);
        if (!hasDataPoints(resourceMetrics)) return;
        const result = await this.#exporter.export([resourceMetrics]);
        if (result.code !== ExportResultCode.SUCCESS) diag.warn(`Metric export failed: ${result.error?.message ?? "unknown error"}`);
      })();
      if ((await Promise.race([work, timeout])) === "timeout") diag.warn(`Metric collect+export did not finish within ${this.#timeout} ms.`);
    } catch (e) {
      diag.error(`Metric export threw: ${String(e)}`);
    } finally {
      // Guarded: @cloudflare/workers-types declares clearTimeout(number | null), not undefined.
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

// Node/Bun/Deno timers have unref(); browsers and workers return a number. Feature-detect.
function unref(timer: unknown): void {
  const fn = (timer as { unref?: () => void } | null)?.unref;
  if (typeof fn === "function") fn.call(timer);
}
