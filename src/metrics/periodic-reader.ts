/**
 * Spec: Metrics SDK "Periodic exporting MetricReader" — collects every
 * `exportIntervalMillis` (`OTEL_METRIC_EXPORT_INTERVAL`, default 60000) and hands the
 * snapshot to a push exporter, bounded by `exportTimeoutMillis` (`OTEL_METRIC_EXPORT_TIMEOUT`,
 * default 30000). The environment is read by `init()`, not here.
 *
 * - The timer starts when the reader is registered with a provider, and is `unref()`'d where
 *   the runtime supports it, so it never keeps a process alive.
 * - One export in flight: a tick that finds an export running is skipped. A collect+export
 *   that outlives the timeout is counted as failed (`timeout`) and the exporter is told to stop
 *   through its `AbortSignal`; the next one starts only once it has really ended (or a grace
 *   period passed), so a hung collector never sees two requests from us at once.
 * - Empty collections (no data points) are never exported.
 * - `forceFlush()` collects and exports now (what `sdk.flush()` calls for serverless);
 *   `shutdown()` does a final collect+export and shuts the exporter down. Neither rejects,
 *   and each resolves within `exportTimeoutMillis` (spec: "SHOULD complete or abort within
 *   some timeout").
 * - `stats()` counts data points exported and failed (by cause), for `sdk.stats()`.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { monotonicNow } from "../common/time.ts";
import type { Exporter, ExportResult } from "../export/exporter.ts";
import { RateLimitedWarning } from "../export/rate-limit.ts";
import { describe } from "../common/describe.ts";
import { addCount, classifyExport, exportEvent, setTimerRef, settleWithin } from "../export/export-outcome.ts";
import type { ExportListener, Settled } from "../export/export-outcome.ts";
import {
  ManualMetricReader,
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
  /** Bound on one collect+export, and on forceFlush/shutdown; default 30000 (spec `OTEL_METRIC_EXPORT_TIMEOUT`). */
  exportTimeoutMillis?: number;
  /** Called once per finished export (SDK self-observability); must not throw (errors are swallowed). */
  onExport?: ExportListener;
}

/** Counters of a {@link PeriodicExportingMetricReader}, in metric data points. */
export interface PeriodicReaderStats {
  /** Data points handed to the exporter whose export has not finished yet. */
  inFlight: number;
  /** Data points the receiver accepted. */
  exported: number;
  /** Data points whose export failed. */
  failed: number;
  /** `failed` by cause (`error.type`): `timeout`, `network`, `"503"`, `rejected`, `_OTHER`... */
  failedByReason: Record<string, number>;
  /** Collect+export operations that failed as a whole (collection errors are reported via `diag`). */
  failedExports: number;
}

const WHERE = "Cannot create PeriodicExportingMetricReader";

function positive(value: number | undefined, fallback: number, name: string, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || (!Number.isFinite(value) && !allowInfinity)) {
    throw new RangeError(`${WHERE}: ${name} must be a positive ${allowInfinity ? "number of milliseconds (or Infinity)" : "finite number of milliseconds"}, got ${String(value)}`);
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
  /** `otel.component.type`: the semantic conventions' well-known value for this reader (see {@link MetricReader.componentType}). */
  readonly componentType: string = "periodic_metric_reader";
  readonly #inner: ManualMetricReader;
  readonly #exporter: Exporter<ResourceMetrics>;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #onExport: ExportListener | undefined;
  readonly #failures = new RateLimitedWarning();
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined; // until the exporter really ended (or the grace period passed)
  #abort: AbortController | undefined;
  #shutdown: Promise<void> | undefined;
  #inFlightPoints = 0;
  #exported = 0;
  #failed = 0;
  #failedExports = 0;
  readonly #failedBy: Record<string, number> = Object.create(null) as Record<string, number>;

  /** Throws RangeError for a non-positive interval or timeout, TypeError without an exporter. */
  constructor(options: PeriodicExportingMetricReaderOptions) {
    if (!options || typeof options.exporter?.export !== "function") {
      throw new TypeError(`${WHERE}: options.exporter must be an exporter (an object with export())`);
    }
    if (options.onExport !== undefined && typeof options.onExport !== "function") {
      throw new TypeError(`${WHERE}: onExport must be a function`);
    }
    this.#inner = new ManualMetricReader({ temporality: options.temporality });
    this.#exporter = options.exporter;
    this.#interval = positive(options.exportIntervalMillis, 60_000, "exportIntervalMillis", true);
    this.#timeout = positive(options.exportTimeoutMillis, 30_000, "exportTimeoutMillis");
    this.#onExport = options.onExport;
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality(type);
  }

  setMetricProducer(producer: MetricProducer): void {
    this.#inner.setMetricProducer(producer);
    if (this.#timer !== undefined || this.#shutdown !== undefined || this.#interval === Infinity) return;
    this.#timer = setInterval(() => {
      if (this.#inFlight === undefined) void this.#run(false, this.#timeout);
    }, this.#interval);
    setTimerRef(this.#timer, false); // never keeps the process alive on its own
  }

  collect(options?: CollectOptions): Promise<CollectionResult> {
    return this.#inner.collect(options);
  }

  /** Waits for an export in flight, then collects and exports now; within `exportTimeoutMillis` in all. */
  async forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    await this.#flushWithin(monotonicNow() + this.#timeout);
    try {
      await this.#exporter.forceFlush?.();
    } catch (e) {
      diag.warn(`Metric exporter forceFlush failed: ${describe(e)}`);
    }
  }

  /** Stops the timer, exports a last time, and shuts the exporter down, within `exportTimeoutMillis`. Idempotent. */
  shutdown(): Promise<void> {
    return (this.#shutdown ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
      const deadline = monotonicNow() + this.#timeout;
      await this.#flushWithin(deadline);
      this.#abort?.abort(new Error("shutdown"));
      await this.#inner.shutdown();
      const outcome = await settleWithin(
        Promise.resolve().then(() => this.#exporter.shutdown()),
        Math.max(0, deadline - monotonicNow()),
        true,
      );
      if (outcome.kind === "error") diag.warn(`Metric exporter shutdown failed: ${describe(outcome.error)}`);
      if (outcome.kind === "timeout") diag.warn(`Metric exporter shutdown did not finish within ${this.#timeout} ms.`);
    })());
  }

  /** Data point counters (a fresh object each call). */
  stats(): PeriodicReaderStats {
    return {
      inFlight: this.#inFlightPoints,
      exported: this.#exported,
      failed: this.#failed,
      failedByReason: { ...this.#failedBy },
      failedExports: this.#failedExports,
    };
  }

  // Waits (until `deadline`) for the export in flight, then runs one collect+export in what is left.
  async #flushWithin(deadline: number): Promise<void> {
    while (this.#inFlight !== undefined) {
      const left = deadline - monotonicNow();
      if (left <= 0) return;
      await settleWithin(this.#inFlight, left, true);
    }
    const left = deadline - monotonicNow();
    if (left > 0) await this.#run(true, left);
  }

  /**
   * One collect+export, tracked as the export in flight until the exporter has ended. Resolves
   * when it is counted (done or timed out). `awaited` runs (forceFlush, shutdown) keep their
   * timeout timer referenced so the caller's await always resolves; timer-driven runs do not
   * keep the process alive.
   */
  #run(awaited: boolean, timeoutMillis: number): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    let exported: Promise<unknown> = Promise.resolve();
    let points = 0;
    const started = monotonicNow();
    const work = (async (): Promise<ExportResult | undefined> => {
      const { resourceMetrics, errors } = await this.#inner.collect({ timeoutMillis });
      for (const e of errors) diagOnce("warn", `metric-collect-error:${describe(e).slice(0, 200)}`, `Metric collection reported: ${describe(e)}`);
      // Never export an empty collection (OTLP: no empty payloads).
      const n = countDataPoints(resourceMetrics);
      if (n === 0 || abort.signal.aborted) return undefined;
      this.#inFlightPoints = points = n;
      const exporting = Promise.resolve(this.#exporter.export([resourceMetrics], { signal: abort.signal }));
      exported = exporting;
      return await exporting;
    })();
    const counted = settleWithin(work, timeoutMillis, awaited).then((outcome) => {
      // Aborted by shutdown's time limit: a timeout, whatever the exporter answered to the abort.
      const aborted = abort.signal.aborted && outcome.kind === "value" && outcome.value !== undefined && outcome.value.code !== 0 /* ExportResultCode.SUCCESS */;
      this.#count(aborted ? { kind: "timeout" } : outcome, points, monotonicNow() - started);
      if (outcome.kind === "timeout") {
        abort.abort(new Error(`metric export timed out after ${timeoutMillis} ms`));
        diag.warn(`Metric collect+export did not finish within ${Math.round(timeoutMillis)} ms.`);
      }
      return outcome;
    });
    const done: Promise<void> = counted
      .then(async (outcome) => {
        // Exporters that honour the signal end at once; bound the wait for those that do not.
        if (outcome.kind === "timeout") await settleWithin(Promise.all([work, exported]), Math.min(this.#timeout, 5000), false);
      })
      .finally(() => {
        if (this.#inFlight === done) this.#inFlight = undefined;
        if (this.#abort === abort) this.#abort = undefined;
      });
    this.#inFlight = done;
    return counted.then(() => undefined);
  }

  #count(outcome: Settled<ExportResult | undefined>, points: number, durationMillis: number): void {
    try {
      this.#inFlightPoints = 0;
      if (outcome.kind === "value" && outcome.value === undefined) return; // nothing to export
      if (outcome.kind === "error") diag.error(`Metric export threw: ${describe(outcome.error)}`);
      const c = classifyExport(outcome as Settled<ExportResult>, points);
      this.#exported += c.exported;
      this.#failed += c.failed;
      if (c.failed > 0) addCount(this.#failedBy, c.errorType ?? "_OTHER", c.failed);
      if (c.exported === 0 && c.failed === points) {
        this.#failedExports++;
        if (outcome.kind === "value") this.#failures.warn(`Metric export failed: ${outcome.value?.error?.message ?? c.errorType ?? "unknown error"}`);
      }
      this.#onExport?.(exportEvent(c, durationMillis));
    } catch (error) {
      diagOnce("error", "periodic-reader:count", `Unexpected error counting a metric export: ${describe(error)}`);
    }
  }
}

/** Number of data points in a collection (what the self-observability metrics count). */
export function countDataPoints(rm: ResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}
