/**
 * Explicit bucket histogram aggregation (spec: Metrics SDK "Explicit Bucket Histogram
 * Aggregation"): count, sum, min, max and a count per bucket, where bucket i holds the
 * values in (boundaries[i-1], boundaries[i]] and the last bucket everything above the
 * last boundary.
 *
 * NaN and ±Infinity are ignored (they would make `sum` meaningless and have no bucket
 * in the (−∞, +∞) partition the spec describes); instruments report the drop once.
 */
import type { HistogramValue } from "../types.ts";
import type { Aggregator } from "./aggregator.ts";

/** The spec's default boundaries (Metrics SDK, "Explicit Bucket Histogram Aggregation"). */
export const DEFAULT_HISTOGRAM_BOUNDARIES: readonly number[] = /* @__PURE__ */ Object.freeze([
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
]);

/** Options of {@link createExplicitBucketHistogramAggregator}. */
export interface ExplicitBucketHistogramOptions {
  /** Ascending bucket upper bounds. Default {@link DEFAULT_HISTOGRAM_BOUNDARIES}. */
  boundaries?: readonly number[];
  /** Whether min and max are recorded (spec: `RecordMinMax`, default true). */
  recordMinMax?: boolean;
}

/** The state of one attribute set. */
export interface HistogramAccumulation {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

/** Boundary lists longer than this use binary search; shorter ones a linear scan (cheaper for few buckets). */
const LINEAR_SEARCH_MAX = 10;

/**
 * Checks `boundaries` and returns a frozen copy. Throws RangeError when they are not numbers
 * or not strictly ascending (spec: boundaries are "a strictly increasing list").
 */
export function validateBoundaries(boundaries: unknown): readonly number[] {
  if (!Array.isArray(boundaries)) throw new TypeError("Cannot create histogram: boundaries must be an array of numbers");
  for (let i = 0; i < boundaries.length; i++) {
    const b = boundaries[i];
    if (typeof b !== "number" || Number.isNaN(b)) throw new RangeError(`Cannot create histogram: boundaries must be numbers (index ${i} is ${String(b)})`);
    if (i > 0 && !(b > boundaries[i - 1])) throw new RangeError("Cannot create histogram: boundaries must be ascending");
  }
  return Object.freeze(boundaries.slice() as number[]);
}

/** Creates an explicit bucket histogram aggregator. Throws RangeError for invalid boundaries. */
export function createExplicitBucketHistogramAggregator(
  options: ExplicitBucketHistogramOptions = {},
): Aggregator<HistogramAccumulation, HistogramValue> & { readonly boundaries: readonly number[] } {
  const boundaries = options.boundaries === undefined ? DEFAULT_HISTOGRAM_BOUNDARIES : validateBoundaries(options.boundaries);
  const recordMinMax = options.recordMinMax ?? true;
  const n = boundaries.length;
  const bucketIndex = n > LINEAR_SEARCH_MAX ? (value: number) => binarySearch(boundaries, value) : (value: number) => linearSearch(boundaries, value);
  return {
    kind: "explicitBucketHistogram",
    boundaries,
    create: () => ({ count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: new Array<number>(n + 1).fill(0) }),
    record(acc, value) {
      if (value - value !== 0) return; // NaN or ±Infinity
      acc.count++;
      acc.sum += value;
      if (value < acc.min) acc.min = value;
      if (value > acc.max) acc.max = value;
      acc.buckets[bucketIndex(value)]++;
    },
    toValue(acc) {
      const has = acc.count > 0 && recordMinMax;
      return {
        count: acc.count,
        sum: acc.sum,
        min: has ? acc.min : undefined,
        max: has ? acc.max : undefined,
        boundaries,
        bucketCounts: acc.buckets.slice(),
      };
    },
    reset(acc) {
      acc.count = 0;
      acc.sum = 0;
      acc.min = Infinity;
      acc.max = -Infinity;
      acc.buckets.fill(0);
    },
    bucketIndex: (_acc, value) => bucketIndex(value),
  };
}

function linearSearch(boundaries: readonly number[], value: number): number {
  let i = 0;
  while (i < boundaries.length && value > boundaries[i]) i++;
  return i;
}

/** The first index i with value <= boundaries[i], or boundaries.length. */
function binarySearch(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value > boundaries[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
