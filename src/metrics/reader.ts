/**
 * Metric readers (spec: Metrics SDK "MetricReader"): what collects from a
 * {@link MeterProvider}. A reader chooses aggregation temporality per instrument kind and
 * pulls a {@link ResourceMetrics} snapshot through the producer the provider gives it.
 *
 * - {@link ManualMetricReader}: collects when asked (tests, Prometheus scrapes, serverless).
 * - `PeriodicExportingMetricReader` (periodic-reader.ts): collects and exports on a timer.
 */
import type { ResourceMetrics } from "./types.ts";
import type { AggregationTemporality, InstrumentType } from "./types.ts";
import { resolveTemporalitySelector, type TemporalityOption, type TemporalitySelector } from "./temporality.ts";

/** Default bound on observable callbacks during one collection. */
export const DEFAULT_COLLECT_TIMEOUT_MILLIS = 10_000;

/** Options of one collection. */
export interface CollectOptions {
  /** How long observable callbacks may take (default 10 s); late observations are ignored. */
  timeoutMillis?: number;
}

/** What one collection produced: the snapshot, and the errors met on the way (failed or late callbacks). */
export interface CollectionResult {
  resourceMetrics: ResourceMetrics;
  errors: unknown[];
  /**
   * Set when the collection failed (spec: Metrics SDK, MetricReader "Collect" lets the caller
   * know whether it "succeeded, failed or timed out"), as an `error.type` value: `timeout`
   * (observable callbacks outlived the collect timeout: their late observations are missing),
   * `_OTHER` (a meter could not be collected: its metrics are missing), `already_shutdown`,
   * `not_registered`. A callback that throws does not fail the collection: the other
   * instruments are complete, and the error is in `errors` and reported through `diag`.
   */
  errorType?: string;
}

/** What a {@link MeterProvider} reports after each collection by one of its readers (SDK self-observability). */
export interface CollectionEvent {
  /** The reader that collected. */
  reader: MetricReader;
  /** How long the collection took, in milliseconds (monotonic clock). */
  durationMillis: number;
  /** The `error.type` of a failed collection (see {@link CollectionResult.errorType}); undefined on success. */
  errorType?: string;
}

/** Called once per finished collection; must not throw (errors are swallowed). */
export type CollectionListener = (event: CollectionEvent) => void;

/** What a provider gives a reader at registration: a way to collect. */
export interface MetricProducer {
  collect(options?: CollectOptions): Promise<CollectionResult>;
}

/** A metric reader, as a {@link MeterProvider} registers it. */
export interface MetricReader {
  /**
   * The reader's `otel.component.type` in SDK self-observability metrics
   * (`otel.sdk.metric_reader.collection.duration`). Semantic conventions (OpenTelemetry SDK
   * metrics, `otel.component.type`) list `periodic_metric_reader` for the built-in periodic
   * reader. A field, not the class name: bundlers minify class names (`ManualMetricReader`
   * becomes `l`). A reader without it reports `metric_reader`.
   */
  readonly componentType?: string;
  /** The temporality of streams from instruments of `type` (called once per stream at registration). */
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality;
  /** Called by the provider when the reader is registered (once). */
  setMetricProducer(producer: MetricProducer): void;
  /** Collects now. Never rejects. */
  collect(options?: CollectOptions): Promise<CollectionResult>;
  /** Exports anything pending (periodic readers). Never rejects. */
  forceFlush(): Promise<void>;
  /** Stops the reader; later collections are empty. Never rejects. */
  shutdown(): Promise<void>;
}

/** Options of {@link ManualMetricReader}. */
export interface MetricReaderOptions {
  /** `"cumulative"` (default), `"delta"`, `"lowmemory"`, or a function of the instrument kind. */
  temporality?: TemporalityOption;
}

const EMPTY: ResourceMetrics = /* @__PURE__ */ Object.freeze({ resource: /* @__PURE__ */ Object.freeze({ attributes: /* @__PURE__ */ Object.freeze({}) }), scopeMetrics: /* @__PURE__ */ Object.freeze([]) });

/**
 * A reader that collects when `collect()` is called.
 *
 * @example
 * ```ts
 * const reader = new ManualMetricReader();
 * const provider = new MeterProvider({ readers: [reader] });
 * provider.getMeter("app").createCounter("requests").add(1);
 * const { resourceMetrics } = await reader.collect();
 * ```
 */
export class ManualMetricReader implements MetricReader {
  /**
   * `otel.component.type`: semantic conventions define no value for a pull/manual reader, so
   * ours follows their `<kind>_metric_reader` pattern (see {@link MetricReader.componentType}).
   */
  readonly componentType: string = "manual_metric_reader";
  readonly #select: TemporalitySelector;
  #producer: MetricProducer | undefined;
  #shutdown = false;

  /** Throws TypeError for an unknown temporality preset. */
  constructor(options: MetricReaderOptions = {}) {
    this.#select = resolveTemporalitySelector(options.temporality);
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.#select(type);
  }

  setMetricProducer(producer: MetricProducer): void {
    this.#producer = producer;
  }

  /** True once {@link shutdown} was called. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  async collect(options?: CollectOptions): Promise<CollectionResult> {
    if (this.#shutdown) return { resourceMetrics: EMPTY, errors: [new Error("The metric reader is shut down.")], errorType: "already_shutdown" };
    if (this.#producer === undefined) return { resourceMetrics: EMPTY, errors: [new Error("The metric reader is not registered with a MeterProvider.")], errorType: "not_registered" };
    try {
      return await this.#producer.collect(options);
    } catch (e) {
      return { resourceMetrics: EMPTY, errors: [e], errorType: "_OTHER" };
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#shutdown = true;
    return Promise.resolve();
  }
}
