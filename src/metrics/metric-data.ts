/**
 * Turns a stream's collected points into the {@link MetricData} shape of its aggregation
 * (sum → "sum", lastValue → "gauge", explicit histogram → "histogram", ...).
 */
import type { AggregationKind } from "./aggregation/aggregator.ts";
import type { AnyAggregator } from "./aggregation/aggregator.ts";
import type { AggregationTemporality, DataPoint, MetricData, MetricDescriptor } from "./types.ts";

/** The data point type of each aggregation kind; `drop` has none (its streams are never collected). */
const POINT_TYPES: Partial<Record<AggregationKind, MetricData["dataPointType"]>> = {
  sum: "sum",
  lastValue: "gauge",
  explicitBucketHistogram: "histogram",
  exponentialHistogram: "exponentialHistogram",
  summary: "summary",
};

/** Builds the metric of one stream, or undefined when it has no points (readers never see empty streams). */
export function toMetricData(
  descriptor: MetricDescriptor,
  aggregator: AnyAggregator,
  temporality: AggregationTemporality,
  dataPoints: DataPoint<unknown>[],
): MetricData | undefined {
  const dataPointType = POINT_TYPES[aggregator.kind];
  if (dataPoints.length === 0 || dataPointType === undefined) return undefined;
  // OTLP: gauges and summaries carry no temporality; only sums say whether they are monotonic.
  return (
    dataPointType === "gauge" || dataPointType === "summary"
      ? { descriptor, dataPointType, dataPoints }
      : dataPointType === "sum"
        ? { descriptor, dataPointType, temporality, isMonotonic: (aggregator as { monotonic?: boolean }).monotonic === true, dataPoints }
        : { descriptor, dataPointType, temporality, dataPoints }
  ) as MetricData;
}
