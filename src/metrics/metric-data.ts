/**
 * Turns a stream's collected points into the {@link MetricData} shape of its aggregation
 * (sum → "sum", lastValue → "gauge", explicit histogram → "histogram", ...).
 */
import type { AnyAggregator } from "./aggregation/default-aggregation.ts";
import type { AggregationTemporality, DataPoint, MetricData, MetricDescriptor } from "./types.ts";

/** Builds the metric of one stream, or undefined when it has no points (readers never see empty streams). */
export function toMetricData(
  descriptor: MetricDescriptor,
  aggregator: AnyAggregator,
  temporality: AggregationTemporality,
  dataPoints: DataPoint<unknown>[],
): MetricData | undefined {
  if (dataPoints.length === 0) return undefined;
  switch (aggregator.kind) {
    case "sum":
      return {
        descriptor,
        dataPointType: "sum",
        temporality,
        isMonotonic: (aggregator as { monotonic?: boolean }).monotonic === true,
        dataPoints: dataPoints as DataPoint<number>[],
      };
    case "lastValue":
      return { descriptor, dataPointType: "gauge", dataPoints: dataPoints as DataPoint<number>[] };
    case "explicitBucketHistogram":
      return { descriptor, dataPointType: "histogram", temporality, dataPoints: dataPoints as MetricData["dataPoints"] as never };
    case "exponentialHistogram":
      return { descriptor, dataPointType: "exponentialHistogram", temporality, dataPoints: dataPoints as never };
    case "summary":
      return { descriptor, dataPointType: "summary", dataPoints: dataPoints as never };
    default:
      return undefined;
  }
}
