/**
 * The metrics data model: instrument descriptors and the snapshot a reader collects
 * (resource → scopes → metrics → data points). Exporters (OTLP/JSON, Prometheus) read
 * only these plain objects. Names follow the OTel metrics data model
 * (https://opentelemetry.io/docs/specs/otel/metrics/data-model/); times are milliseconds
 * relative to the SDK's time anchor, like span times (`toEpochNanos` converts them).
 */
import type { Attributes } from "../common/attributes.ts";
import type { Resource } from "../resource/resource.ts";
import type { InstrumentationScope } from "../trace/types.ts";

/** The kind of an instrument. */
export const InstrumentType: {
  readonly COUNTER: "counter";
  readonly UP_DOWN_COUNTER: "updowncounter";
  readonly HISTOGRAM: "histogram";
  readonly GAUGE: "gauge";
  readonly OBSERVABLE_COUNTER: "observablecounter";
  readonly OBSERVABLE_UP_DOWN_COUNTER: "observableupdowncounter";
  readonly OBSERVABLE_GAUGE: "observablegauge";
} = {
  COUNTER: "counter",
  UP_DOWN_COUNTER: "updowncounter",
  HISTOGRAM: "histogram",
  GAUGE: "gauge",
  OBSERVABLE_COUNTER: "observablecounter",
  OBSERVABLE_UP_DOWN_COUNTER: "observableupdowncounter",
  OBSERVABLE_GAUGE: "observablegauge",
};
/** One of the {@link InstrumentType} values. */
export type InstrumentType = (typeof InstrumentType)[keyof typeof InstrumentType];

/** Integer or floating-point measurements, numerically identical to `ValueType` in `@opentelemetry/api`. */
export const ValueType: { readonly INT: 0; readonly DOUBLE: 1 } = { INT: 0, DOUBLE: 1 };
/** One of the {@link ValueType} values. */
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** Whether points report the change since the last collection or the total since start. */
export type AggregationTemporality = "delta" | "cumulative";

/** What describes a metric stream (after views have renamed or re-described it). */
export interface MetricDescriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly type: InstrumentType;
  readonly valueType: ValueType;
}

/** A measurement kept with its trace context (exemplar), from a sampled span. */
export interface Exemplar {
  readonly value: number;
  readonly time: number;
  readonly traceId: string;
  readonly spanId: string;
  /** Measurement attributes that the stream's attribute filter removed. */
  readonly filteredAttributes: Attributes;
}

/** One data point of a stream: one attribute set, one time window. */
export interface DataPoint<T> {
  readonly attributes: Attributes;
  /** Start of the window (cumulative: the stream's start; delta: the previous collection). */
  readonly startTime: number;
  /** End of the window: the collection time. */
  readonly time: number;
  readonly value: T;
  readonly exemplars: readonly Exemplar[];
}

/** Explicit-bucket histogram value. `bucketCounts.length === boundaries.length + 1`; counts are per bucket (not cumulative). */
export interface HistogramValue {
  readonly count: number;
  readonly sum: number;
  /** Undefined when `count` is 0. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Upper bounds, ascending; bucket i counts values in (boundaries[i-1], boundaries[i]]. */
  readonly boundaries: readonly number[];
  readonly bucketCounts: readonly number[];
}

/** One side (positive or negative) of an exponential histogram: counts for consecutive bucket indexes starting at `offset`. */
export interface ExponentialBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

/** Base-2 exponential histogram value (OTLP ExponentialHistogramDataPoint). */
export interface ExponentialHistogramValue {
  readonly count: number;
  readonly sum: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** base = 2^(2^-scale) */
  readonly scale: number;
  readonly zeroCount: number;
  readonly zeroThreshold: number;
  readonly positive: ExponentialBuckets;
  readonly negative: ExponentialBuckets;
}

/** Summary value: quantiles over a sliding window plus count and sum (OTLP SummaryDataPoint). */
export interface SummaryValue {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: ReadonlyArray<{ readonly quantile: number; readonly value: number }>;
}

interface MetricBase {
  readonly descriptor: MetricDescriptor;
}

/** A sum stream (counters, up-down counters and their observable forms). */
export interface SumMetricData extends MetricBase {
  readonly dataPointType: "sum";
  readonly temporality: AggregationTemporality;
  readonly isMonotonic: boolean;
  readonly dataPoints: ReadonlyArray<DataPoint<number>>;
}

/** A gauge stream (last value). */
export interface GaugeMetricData extends MetricBase {
  readonly dataPointType: "gauge";
  readonly dataPoints: ReadonlyArray<DataPoint<number>>;
}

/** An explicit-bucket histogram stream. */
export interface HistogramMetricData extends MetricBase {
  readonly dataPointType: "histogram";
  readonly temporality: AggregationTemporality;
  readonly dataPoints: ReadonlyArray<DataPoint<HistogramValue>>;
}

/** A base-2 exponential histogram stream. */
export interface ExponentialHistogramMetricData extends MetricBase {
  readonly dataPointType: "exponentialHistogram";
  readonly temporality: AggregationTemporality;
  readonly dataPoints: ReadonlyArray<DataPoint<ExponentialHistogramValue>>;
}

/** A summary stream (quantiles; Prometheus-style, selected through a view). */
export interface SummaryMetricData extends MetricBase {
  readonly dataPointType: "summary";
  readonly dataPoints: ReadonlyArray<DataPoint<SummaryValue>>;
}

/** Any collected metric stream. */
export type MetricData =
  | SumMetricData
  | GaugeMetricData
  | HistogramMetricData
  | ExponentialHistogramMetricData
  | SummaryMetricData;

/** The metrics of one instrumentation scope. */
export interface ScopeMetrics {
  readonly scope: InstrumentationScope;
  readonly metrics: readonly MetricData[];
}

/** Everything one collection produced for one resource. */
export interface ResourceMetrics {
  readonly resource: Resource;
  readonly scopeMetrics: readonly ScopeMetrics[];
}
