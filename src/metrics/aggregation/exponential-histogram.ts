/**
 * Base-2 exponential bucket histogram aggregation (OTel metrics SDK, "Base2 Exponential
 * Bucket Histogram Aggregation"; data model "ExponentialHistogram").
 *
 * Each accumulation starts at `maxScale` and keeps at most `maxSize` buckets per sign. When a
 * value would need more, the scale is reduced by the smallest amount that makes the range fit
 * and adjacent buckets are merged (perfect subsetting: bucket `i` at scale `s` lies inside
 * bucket `i >> 1` at scale `s - 1`, so downscaling loses resolution but never misplaces a
 * count). Exact zeros go to the zero bucket (zeroThreshold 0); NaN and ±Infinity are not
 * recorded (spec) and are reported once through `diagOnce`.
 */
import { diagOnce } from "../../common/diag.ts";
import type { ExponentialBuckets, ExponentialHistogramValue } from "../types.ts";
import type { Aggregation, Aggregator, AnyAggregator } from "./aggregator.ts";
import { MAX_EXPONENTIAL_SCALE, MIN_EXPONENTIAL_SCALE, mapToIndex } from "./exponential-mapping.ts";

/** Options of {@link createExponentialHistogramAggregator}; defaults are the spec's. */
export interface ExponentialHistogramOptions {
  /** Maximum number of buckets per sign (positive and negative each). Integer ≥ 2; default 160. */
  maxSize?: number;
  /** The scale every accumulation starts at. Integer in [-10, 20]; default 20. */
  maxScale?: number;
  /** Whether min and max are reported; default true. */
  recordMinMax?: boolean;
}

const EMPTY = /* @__PURE__ */ new Float64Array(0);
const INITIAL_CAPACITY = 8;

/**
 * The counts of one sign: a circular window over consecutive bucket indexes `[start, end]`.
 * Slot of index `i` is `(i - base) mod capacity`; `base` is always inside the window, and
 * slots outside it hold zero. Growing reallocates (doubling, capped at maxSize); nothing else does.
 */
export class ExponentialBucketWindow {
  counts: Float64Array = EMPTY;
  start = 0;
  end = -1;
  base = 0;
  length = 0;

  #slot(index: number): number {
    const cap = this.counts.length;
    let p = index - this.base;
    if (p < 0) p += cap;
    else if (p >= cap) p -= cap;
    return p;
  }

  /** Adds one to `index`; the caller has made sure the window then spans at most `maxSize` indexes. */
  increment(index: number, maxSize: number): void {
    if (this.length === 0) {
      if (this.counts.length === 0) this.counts = new Float64Array(Math.min(maxSize, INITIAL_CAPACITY));
      this.start = this.end = this.base = index;
      this.length = 1;
    } else if (index < this.start) {
      const needed = this.end - index + 1;
      if (needed > this.counts.length) this.#grow(needed, maxSize);
      this.start = index;
      this.length = needed;
    } else if (index > this.end) {
      const needed = index - this.start + 1;
      if (needed > this.counts.length) this.#grow(needed, maxSize);
      this.end = index;
      this.length = needed;
    }
    this.counts[this.#slot(index)] += 1;
  }

  #grow(needed: number, maxSize: number): void {
    const next = new Float64Array(Math.min(maxSize, Math.max(needed, this.counts.length * 2)));
    for (let i = 0; i < this.length; i++) next[i] = this.counts[this.#slot(this.start + i)];
    this.counts = next;
    this.base = this.start;
  }

  /** Merges each run of 2^by adjacent buckets into one (the scale drops by `by`). In place. */
  downscale(by: number): void {
    if (this.length === 0 || by === 0) return;
    // Rotate the ring so that `start` sits in slot 0 (three reversals: no allocation).
    const r = this.#slot(this.start);
    if (r !== 0) {
      const c = this.counts;
      reverse(c, 0, r - 1);
      reverse(c, r, c.length - 1);
      reverse(c, 0, c.length - 1);
    }
    this.base = this.start;
    // Bucket start+i moves to slot ((start+i) >> by) - (start >> by) ≤ i: filling slots in
    // increasing order never overwrites a count that has not been moved yet.
    const first = this.start >> by;
    for (let i = 0; i < this.length; i++) {
      const target = ((this.start + i) >> by) - first;
      if (target !== i) {
        this.counts[target] += this.counts[i];
        this.counts[i] = 0;
      }
    }
    this.start = first;
    this.end >>= by;
    this.base = first;
    this.length = this.end - this.start + 1;
  }

  clear(): void {
    this.counts.fill(0);
    this.length = 0;
    this.end = this.start - 1;
  }

  toBuckets(): ExponentialBuckets {
    const bucketCounts = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) bucketCounts[i] = this.counts[this.#slot(this.start + i)];
    return { offset: this.length === 0 ? 0 : this.start, bucketCounts };
  }
}

function reverse(a: Float64Array, from: number, to: number): void {
  for (let i = from, j = to; i < j; i++, j--) {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** The mutable state of one exponential histogram stream (one attribute set). */
export class ExponentialHistogramAccumulation {
  scale: number;
  count = 0;
  sum = 0;
  min: number = Infinity;
  max: number = -Infinity;
  zeroCount = 0;
  /** Buckets of positive values. */
  readonly positive: ExponentialBucketWindow = new ExponentialBucketWindow();
  /** Buckets of negative values, by absolute value. */
  readonly negative: ExponentialBucketWindow = new ExponentialBucketWindow();

  constructor(scale: number) {
    this.scale = scale;
  }
}

function checkInteger(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot create exponential histogram: ${what}, got ${String(value)}`);
  }
  return value;
}

/**
 * Creates the base-2 exponential histogram aggregation.
 *
 * After a delta `reset` the accumulation starts again at `maxScale` (as the official SDKs do):
 * a quiet interval then reports at full resolution instead of inheriting a coarse scale from a
 * wide-ranging earlier one. The bucket arrays are kept (zeroed), so no reallocation follows.
 *
 * @example
 * const agg = createExponentialHistogramAggregator({ maxSize: 160 });
 * const acc = agg.create();
 * agg.record(acc, 12.5);
 * agg.toValue(acc).positive; // { offset: 3820860, bucketCounts: [1] } at scale 20
 */
export function createExponentialHistogramAggregator(
  options: ExponentialHistogramOptions = {},
): Aggregator<ExponentialHistogramAccumulation, ExponentialHistogramValue> {
  const maxSize = checkInteger(options.maxSize, 160, 2, Number.MAX_SAFE_INTEGER, "maxSize must be an integer ≥ 2");
  const maxScale = checkInteger(
    options.maxScale,
    MAX_EXPONENTIAL_SCALE,
    MIN_EXPONENTIAL_SCALE,
    MAX_EXPONENTIAL_SCALE,
    `maxScale must be an integer in [${MIN_EXPONENTIAL_SCALE}, ${MAX_EXPONENTIAL_SCALE}]`,
  );
  const recordMinMax = options.recordMinMax ?? true;

  return {
    kind: "exponentialHistogram",
    create: () => new ExponentialHistogramAccumulation(maxScale),
    record(acc, value) {
      // `value - value` is NaN exactly for NaN and ±Infinity (and non-numbers from untyped callers).
      if (typeof value !== "number" || value - value !== 0) {
        diagOnce(
          "warn",
          "metrics.exponentialHistogram.nonFinite",
          "exponential histogram: NaN, Infinity and non-number measurements are not recorded (OTel spec); dropped",
        );
        return;
      }
      acc.count++;
      acc.sum += value;
      if (value < acc.min) acc.min = value;
      if (value > acc.max) acc.max = value;
      if (value === 0) {
        acc.zeroCount++;
        return;
      }
      const side = value > 0 ? acc.positive : acc.negative;
      let index = mapToIndex(value > 0 ? value : -value, acc.scale);
      if (side.length !== 0) {
        let low = index < side.start ? index : side.start;
        let high = index > side.end ? index : side.end;
        if (high - low + 1 > maxSize) {
          // The smallest scale reduction that makes [low, high] fit (spec: "reduce the scale").
          let by = 0;
          while (high - low + 1 > maxSize) {
            low >>= 1;
            high >>= 1;
            by++;
          }
          acc.positive.downscale(by);
          acc.negative.downscale(by);
          acc.scale -= by;
          index >>= by; // perfect subsetting: same bucket as mapping again at the new scale
        }
      }
      side.increment(index, maxSize);
    },
    toValue(acc) {
      const hasMinMax = recordMinMax && acc.count > 0;
      return {
        count: acc.count,
        sum: acc.sum,
        min: hasMinMax ? acc.min : undefined,
        max: hasMinMax ? acc.max : undefined,
        scale: acc.scale,
        zeroCount: acc.zeroCount,
        zeroThreshold: 0,
        positive: acc.positive.toBuckets(),
        negative: acc.negative.toBuckets(),
      };
    },
    reset(acc) {
      acc.scale = maxScale;
      acc.count = 0;
      acc.sum = 0;
      acc.min = Infinity;
      acc.max = -Infinity;
      acc.zeroCount = 0;
      acc.positive.clear();
      acc.negative.clear();
    },
    // No bucketIndex: the spec gives this aggregation a SimpleFixedSizeExemplarReservoir
    // (min(maxSize, 20) slots), not the bucket-aligned reservoir, and its indexes move with the scale.
  };
}

/**
 * The base-2 exponential histogram aggregation, for a view (the options are checked now).
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [view({ instrumentName: "http.server.request.duration", aggregation: exponentialHistogram({ maxSize: 80 }) })] });
 * ```
 * @throws RangeError for an invalid `maxSize` or `maxScale`.
 */
export function exponentialHistogram(options: ExponentialHistogramOptions = {}): Aggregation {
  const aggregator = createExponentialHistogramAggregator(options) as unknown as AnyAggregator;
  return { type: "exponentialHistogram", create: () => aggregator };
}
