// Plain-object metric snapshots (src/metrics/types.ts shapes) for the OTLP metrics encoder
// tests: no dependency on the metrics SDK.
import type { Attributes } from "../../../src/common/attributes.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { InstrumentationScope } from "../../../src/trace/types.ts";
import type {
  DataPoint,
  Exemplar,
  ExponentialHistogramValue,
  HistogramValue,
  InstrumentType,
  MetricData,
  MetricDescriptor,
  ResourceMetrics,
  SummaryValue,
  ValueType,
} from "../../../src/metrics/types.ts";

export const TRACE = "0af7651916cd43dd8448eb211c80319c";
export const SPAN = "00f067aa0ba902b7";
export const RESOURCE: Resource = { attributes: { "service.name": "checkout" } };
export const SCOPE: InstrumentationScope = { name: "shop", version: "1.2.3" };

export function descriptor(name: string, valueType: ValueType = 1, type: InstrumentType = "counter", description = "", unit = ""): MetricDescriptor {
  return { name, description, unit, type, valueType };
}

export function point<T>(value: T, init: { attributes?: Attributes; startTime?: number; time?: number; exemplars?: Exemplar[] } = {}): DataPoint<T> {
  return {
    attributes: init.attributes ?? {},
    startTime: init.startTime ?? 1000,
    time: init.time ?? 2000.5,
    value,
    exemplars: init.exemplars ?? [],
  };
}

export function exemplar(value: number, init: Partial<Exemplar> = {}): Exemplar {
  return { value, time: 1500.25, traceId: TRACE, spanId: SPAN, filteredAttributes: {}, ...init };
}

export function sum(name: string, points: DataPoint<number>[], init: { valueType?: ValueType; temporality?: "delta" | "cumulative"; isMonotonic?: boolean; description?: string; unit?: string } = {}): MetricData {
  return {
    descriptor: descriptor(name, init.valueType ?? 1, "counter", init.description, init.unit),
    dataPointType: "sum",
    temporality: init.temporality ?? "cumulative",
    isMonotonic: init.isMonotonic ?? true,
    dataPoints: points,
  };
}

export function gauge(name: string, points: DataPoint<number>[], valueType: ValueType = 1): MetricData {
  return { descriptor: descriptor(name, valueType, "gauge"), dataPointType: "gauge", dataPoints: points };
}

export function histogram(name: string, points: DataPoint<HistogramValue>[], temporality: "delta" | "cumulative" = "cumulative", valueType: ValueType = 1): MetricData {
  return { descriptor: descriptor(name, valueType, "histogram", "request duration", "ms"), dataPointType: "histogram", temporality, dataPoints: points };
}

export function exponential(name: string, points: DataPoint<ExponentialHistogramValue>[], temporality: "delta" | "cumulative" = "delta"): MetricData {
  return { descriptor: descriptor(name, 1, "histogram"), dataPointType: "exponentialHistogram", temporality, dataPoints: points };
}

export function summary(name: string, points: DataPoint<SummaryValue>[]): MetricData {
  return { descriptor: descriptor(name, 1, "histogram"), dataPointType: "summary", dataPoints: points };
}

export function histogramValue(init: Partial<HistogramValue> = {}): HistogramValue {
  return { count: 4, sum: 13.5, min: 0.5, max: 9, boundaries: [1, 5, 10], bucketCounts: [1, 2, 1, 0], ...init };
}

export function exponentialValue(init: Partial<ExponentialHistogramValue> = {}): ExponentialHistogramValue {
  return {
    count: 7,
    sum: 20.25,
    min: -2,
    max: 8,
    scale: 3,
    zeroCount: 1,
    zeroThreshold: 0,
    positive: { offset: 5, bucketCounts: [1, 0, 3] },
    negative: { offset: -2, bucketCounts: [2] },
    ...init,
  };
}

export function collection(metrics: MetricData[], resource: Resource = RESOURCE, scope: InstrumentationScope = SCOPE): ResourceMetrics {
  return { resource, scopeMetrics: [{ scope, metrics }] };
}
