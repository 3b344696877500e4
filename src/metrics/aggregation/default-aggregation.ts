/**
 * Which aggregation a stream uses: the instrument kind's default (spec: Metrics SDK
 * "Default Aggregation": {@link defaultAggregator}, all a program without views needs), or
 * the one a view gives ({@link createAggregator}, reached only through `view()`). A view may
 * name the defaults (`{ type: "sum" }`, `{ type: "explicitBucketHistogram", boundaries }`,
 * `{ type: "drop" }`); the other aggregations are objects the program imports
 * (`exponentialHistogram()`, `summary()`), so a program that never uses them does not carry
 * them; `aggregationByName()` (by-name.ts) maps every name, for configuration read at run time.
 */
import { InstrumentType } from "../types.ts";
import type { Aggregation, AggregationKind, AnyAggregator } from "./aggregator.ts";
import { DROP_AGGREGATOR } from "./drop.ts";
import { createExplicitBucketHistogramAggregator } from "./explicit-bucket-histogram.ts";
import { createLastValueAggregator } from "./last-value.ts";
import { createSumAggregator } from "./sum.ts";

export type { AnyAggregator } from "./aggregator.ts";

/** An aggregation as a view names it: a kind plus that kind's options (see {@link aggregationByName} for all kinds). */
export type AggregationConfig =
  | { readonly type: "drop" }
  | { readonly type: "sum" }
  | { readonly type: "lastValue" }
  | { readonly type: "explicitBucketHistogram"; readonly boundaries?: readonly number[]; readonly recordMinMax?: boolean }
  | { readonly type: "exponentialHistogram"; readonly maxSize?: number; readonly maxScale?: number; readonly recordMinMax?: boolean }
  | { readonly type: "summary"; readonly quantiles?: readonly number[]; readonly maxAgeMillis?: number; readonly ageBuckets?: number };

/** True for instrument kinds whose sums only grow (counters; histograms record non-negative values). */
export function isMonotonicType(type: InstrumentType): boolean {
  return type === InstrumentType.COUNTER || type === InstrumentType.OBSERVABLE_COUNTER || type === InstrumentType.HISTOGRAM;
}

/** The spec's default aggregation kind for an instrument kind. */
export function defaultAggregationKind(type: InstrumentType): AggregationKind {
  return defaultAggregator(type).kind;
}

/** The spec's default aggregator for an instrument kind; histograms use `adviceBoundaries` when given. */
export function defaultAggregator(type: InstrumentType, adviceBoundaries?: readonly number[]): AnyAggregator {
  return (
    type === InstrumentType.HISTOGRAM
      ? createExplicitBucketHistogramAggregator({ boundaries: adviceBoundaries })
      : type === InstrumentType.GAUGE || type === InstrumentType.OBSERVABLE_GAUGE
        ? createLastValueAggregator()
        : createSumAggregator(isMonotonicType(type))
  ) as AnyAggregator;
}

/**
 * Builds the aggregator for a view's stream: `aggregation` is the view's (undefined for the default);
 * `adviceBoundaries` are the instrument's advised histogram boundaries, used when the view gives
 * none. Throws TypeError/RangeError for invalid options (`view()` builds one aggregator to
 * check them, so the error surfaces where the view is written).
 */
export function createAggregator(
  aggregation: Aggregation | AggregationConfig | undefined,
  type: InstrumentType,
  adviceBoundaries?: readonly number[],
): AnyAggregator {
  if (typeof (aggregation as Aggregation | undefined)?.create === "function") return (aggregation as Aggregation).create(type, adviceBoundaries);
  const c = aggregation as { type?: string; boundaries?: readonly number[]; recordMinMax?: boolean } | undefined;
  const kind = c?.type;
  if (kind === undefined) return defaultAggregator(type, adviceBoundaries);
  if (kind === "sum") return createSumAggregator(isMonotonicType(type)) as AnyAggregator;
  if (kind === "lastValue") return createLastValueAggregator() as AnyAggregator;
  if (kind === "explicitBucketHistogram") {
    return createExplicitBucketHistogramAggregator({ boundaries: c?.boundaries ?? adviceBoundaries, recordMinMax: c?.recordMinMax }) as AnyAggregator;
  }
  if (kind === "drop") return DROP_AGGREGATOR as AnyAggregator;
  throw new TypeError(
    `Unknown aggregation type ${JSON.stringify(kind)}: give sum, lastValue, explicitBucketHistogram or drop by name, ` +
      `or pass the aggregation itself (exponentialHistogram(options), summary(options)); aggregationByName() maps every name`,
  );
}
