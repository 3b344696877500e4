/**
 * Which aggregation a stream uses: the instrument kind's default (spec: Metrics SDK
 * "Default Aggregation") or the one a view names, built from its options.
 */
import { InstrumentType } from "../types.ts";
import type { AggregationKind, Aggregator } from "./aggregator.ts";
import { DROP_AGGREGATOR } from "./drop.ts";
import { createExplicitBucketHistogramAggregator } from "./explicit-bucket-histogram.ts";
import { createExponentialHistogramAggregator } from "./exponential-histogram.ts";
import { createLastValueAggregator } from "./last-value.ts";
import { createSumAggregator } from "./sum.ts";
import { createSummaryAggregator } from "./summary.ts";

/** An aggregation as a view names it: a kind plus that kind's options. */
export type AggregationConfig =
  | { readonly type: "drop" }
  | { readonly type: "sum" }
  | { readonly type: "lastValue" }
  | { readonly type: "explicitBucketHistogram"; readonly boundaries?: readonly number[]; readonly recordMinMax?: boolean }
  | { readonly type: "exponentialHistogram"; readonly maxSize?: number; readonly maxScale?: number; readonly recordMinMax?: boolean }
  | { readonly type: "summary"; readonly quantiles?: readonly number[]; readonly maxAgeMillis?: number; readonly ageBuckets?: number };

/** Any aggregator, as storage handles them. */
export type AnyAggregator = Aggregator<unknown, unknown>;

const KINDS: readonly AggregationKind[] = ["drop", "sum", "lastValue", "explicitBucketHistogram", "exponentialHistogram", "summary"];

/** True for instrument kinds whose sums only grow (counters; histograms record non-negative values). */
export function isMonotonicType(type: InstrumentType): boolean {
  return type === InstrumentType.COUNTER || type === InstrumentType.OBSERVABLE_COUNTER || type === InstrumentType.HISTOGRAM;
}

/** The spec's default aggregation kind for an instrument kind. */
export function defaultAggregationKind(type: InstrumentType): AggregationKind {
  switch (type) {
    case InstrumentType.GAUGE:
    case InstrumentType.OBSERVABLE_GAUGE:
      return "lastValue";
    case InstrumentType.HISTOGRAM:
      return "explicitBucketHistogram";
    default:
      return "sum";
  }
}

/**
 * Builds the aggregator for a stream. `config` is the view's aggregation (or undefined for the
 * default); `adviceBoundaries` are the instrument's advised histogram boundaries, used when the
 * view gives none. Throws TypeError/RangeError for invalid options (view validation calls this
 * at provider construction, so the error surfaces there).
 */
export function createAggregator(
  config: AggregationConfig | undefined,
  type: InstrumentType,
  adviceBoundaries?: readonly number[],
): AnyAggregator {
  const kind = config?.type ?? defaultAggregationKind(type);
  const c = (config ?? { type: kind }) as Record<string, unknown>;
  switch (kind) {
    case "drop":
      return DROP_AGGREGATOR as AnyAggregator;
    case "sum":
      return createSumAggregator(isMonotonicType(type)) as AnyAggregator;
    case "lastValue":
      return createLastValueAggregator() as AnyAggregator;
    case "explicitBucketHistogram":
      return createExplicitBucketHistogramAggregator({
        boundaries: (c.boundaries as readonly number[] | undefined) ?? adviceBoundaries,
        recordMinMax: c.recordMinMax as boolean | undefined,
      }) as AnyAggregator;
    case "exponentialHistogram":
      return createExponentialHistogramAggregator({
        maxSize: c.maxSize as number | undefined,
        maxScale: c.maxScale as number | undefined,
        recordMinMax: c.recordMinMax as boolean | undefined,
      }) as unknown as AnyAggregator;
    case "summary":
      return createSummaryAggregator({
        quantiles: c.quantiles as number[] | undefined,
        maxAgeMillis: c.maxAgeMillis as number | undefined,
        ageBuckets: c.ageBuckets as number | undefined,
      }) as unknown as AnyAggregator;
    default:
      throw new TypeError(`Unknown aggregation type ${JSON.stringify(kind)}: expected one of ${KINDS.join(", ")}`);
  }
}
