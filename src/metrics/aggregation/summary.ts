/**
 * Prometheus-style summary aggregation (OTel data model "Summary (Legacy)"; the shape of
 * client_golang's / prom-client's summaries): `count` and `sum` since the start (or the last
 * delta reset), and quantiles over a sliding time window of `maxAgeMillis`, rotated through
 * `ageBuckets` sub-windows of `maxAgeMillis / ageBuckets` each.
 *
 * Quantile sketch and the error bound it guarantees: every sub-window is a base-2
 * exponential histogram (our own aggregation) with at most {@link SUMMARY_SKETCH_MAX_SIZE}
 * buckets per sign, starting at scale {@link SUMMARY_SKETCH_MAX_SCALE}. Memory is therefore
 * bounded (≤ 2 × 512 counts per sub-window) whatever the number of measurements. For a
 * quantile q over the n values in the window, the reported value v̂ and the exact value
 * x = sorted[floor(q·(n−1))] satisfy |v̂ − x| ≤ α·|x| with α = (b − 1)/(b + 1), b = 2^(2^−s)
 * and s the scale the window needed (each bucket (L, bL] reports 2bL/(b+1), the point whose
 * relative distance to both ends is α; the result is clamped to the exact [min, max]):
 * - α ≈ 1.08% (s = 5) when the window's non-zero magnitudes span less than 2^15.9 (≈ 6·10^4×);
 * - α ≈ 2.17% (s = 4) below 2^31.9 (≈ 4·10^9×); each further doubling of the span doubles α.
 * Zeros are exact, q = 0 and q = 1 are the exact min and max (data model: "Quantile values
 * 0.0 and 1.0 are defined to be equal to the minimum and maximum"), and quantiles of an empty
 * window are NaN (Prometheus convention). NaN and ±Infinity are dropped and reported once.
 */
import { diagOnce } from "../../common/diag.ts";
import { now as sdkNow } from "../../common/time.ts";
import type { ExponentialHistogramValue, SummaryValue } from "../types.ts";
import type { Aggregation, Aggregator, AnyAggregator } from "./aggregator.ts";
import { type ExponentialHistogramAccumulation, createExponentialHistogramAggregator } from "./exponential-histogram.ts";
import { lowerBoundary } from "./exponential-mapping.ts";

/** Options of {@link createSummaryAggregator}. */
export interface SummaryOptions {
  /** Quantiles to report, strictly ascending, each in [0, 1]; default [0.5, 0.9, 0.99]. */
  quantiles?: number[];
  /** Length of the sliding window quantiles are computed over; default 600000 (10 minutes). */
  maxAgeMillis?: number;
  /** Number of sub-windows the window slides by; default 5. */
  ageBuckets?: number;
  /** Clock in milliseconds (tests inject one); default the SDK's monotonic clock. */
  now?: () => number;
}

/** Buckets per sign of each sub-window's sketch (bounds memory; see the module doc). */
export const SUMMARY_SKETCH_MAX_SIZE = 512;
/** Starting scale of each sub-window's sketch: base 2^(1/32), relative error ≈ 1.08%. */
export const SUMMARY_SKETCH_MAX_SCALE = 5;

const sketch = /* @__PURE__ */ createExponentialHistogramAggregator({
  maxSize: SUMMARY_SKETCH_MAX_SIZE,
  maxScale: SUMMARY_SKETCH_MAX_SCALE,
});

/** The mutable state of one summary stream (one attribute set). */
export class SummaryAccumulation {
  count = 0;
  sum = 0;
  /** Ring of sub-window sketches; `current` receives new measurements. */
  readonly windows: ExponentialHistogramAccumulation[];
  current = 0;
  /** When the current sub-window started (clock milliseconds). */
  windowStart: number;

  constructor(ageBuckets: number, start: number) {
    this.windows = Array.from({ length: ageBuckets }, () => sketch.create());
    this.windowStart = start;
  }
}

const QUANTILES_ERROR = "Cannot create summary: quantiles must be ascending numbers in [0, 1]";

function checkQuantiles(quantiles: unknown): number[] {
  if (!Array.isArray(quantiles)) throw new RangeError(QUANTILES_ERROR);
  let previous = -Infinity;
  for (const q of quantiles) {
    // Strictly ascending: OTLP requires quantile values "in strictly increasing order".
    if (typeof q !== "number" || !(q >= 0 && q <= 1) || !(q > previous)) throw new RangeError(QUANTILES_ERROR);
    previous = q;
  }
  return [...quantiles] as number[];
}

/**
 * Creates the summary aggregation.
 *
 * `reset` (delta temporality) clears `count` and `sum` only: the quantile window is defined
 * by time, not by collections, so it keeps sliding across resets (as Prometheus summaries,
 * which have no delta form, always do).
 *
 * @example
 * const agg = createSummaryAggregator({ quantiles: [0.5, 0.99], maxAgeMillis: 60_000 });
 * const acc = agg.create();
 * agg.record(acc, 0.120);
 * agg.toValue(acc); // { count: 1, sum: 0.12, quantiles: [{ quantile: 0.5, value: 0.12 }, ...] }
 */
export function createSummaryAggregator(options: SummaryOptions = {}): Aggregator<SummaryAccumulation, SummaryValue> {
  const quantiles = checkQuantiles(options.quantiles ?? [0.5, 0.9, 0.99]);
  const maxAge = options.maxAgeMillis ?? 600_000;
  if (typeof maxAge !== "number" || !Number.isFinite(maxAge) || maxAge <= 0) {
    throw new RangeError(`Cannot create summary: maxAgeMillis must be a positive finite number, got ${String(maxAge)}`);
  }
  const ageBuckets = options.ageBuckets ?? 5;
  if (!Number.isInteger(ageBuckets) || ageBuckets < 1) {
    throw new RangeError(`Cannot create summary: ageBuckets must be an integer ≥ 1, got ${String(ageBuckets)}`);
  }
  const clock = options.now ?? sdkNow;
  if (typeof clock !== "function") throw new TypeError("Cannot create summary: now must be a function");
  const width = maxAge / ageBuckets;

  // Moves to the sub-window that contains `t`, emptying the ones that fell out of the window.
  // A clock that goes backwards (or returns NaN) simply does not rotate.
  function rotate(acc: SummaryAccumulation, t: number): void {
    const elapsed = t - acc.windowStart;
    if (!(elapsed >= width)) return;
    const steps = Math.floor(elapsed / width);
    for (let k = Math.min(steps, ageBuckets); k > 0; k--) {
      acc.current = (acc.current + 1) % ageBuckets;
      sketch.reset(acc.windows[acc.current]);
    }
    acc.windowStart += steps * width;
  }

  return {
    kind: "summary",
    create: () => new SummaryAccumulation(ageBuckets, clock()),
    record(acc, value) {
      if (typeof value !== "number" || value - value !== 0) {
        diagOnce(
          "warn",
          "metrics.summary.nonFinite",
          "summary: NaN, Infinity and non-number measurements are not recorded; dropped",
        );
        return;
      }
      acc.count++;
      acc.sum += value;
      rotate(acc, clock());
      sketch.record(acc.windows[acc.current], value);
    },
    toValue(acc) {
      rotate(acc, clock());
      const values = quantileValues(acc.windows.map((w) => sketch.toValue(w)), quantiles);
      return {
        count: acc.count,
        sum: acc.sum,
        quantiles: quantiles.map((quantile, i) => ({ quantile, value: values[i] })),
      };
    },
    reset(acc) {
      acc.count = 0;
      acc.sum = 0;
    },
  };
}

/** Adds a side's buckets, re-indexed to `scale` (perfect subsetting: index >> (s − scale)), to `into`. */
function mergeSide(into: Map<number, number>, offset: number, counts: readonly number[], shift: number): void {
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const index = (offset + i) >> shift;
    into.set(index, (into.get(index) ?? 0) + c);
  }
}

/** Quantiles (ascending) over the union of the sub-window histograms; NaN for an empty window. */
function quantileValues(windows: ExponentialHistogramValue[], quantiles: readonly number[]): number[] {
  let n = 0;
  let zeros = 0;
  let scale = SUMMARY_SKETCH_MAX_SCALE;
  let min = Infinity;
  let max = -Infinity;
  for (const w of windows) {
    if (w.count === 0) continue;
    n += w.count;
    zeros += w.zeroCount;
    if (w.scale < scale) scale = w.scale;
    if (w.min! < min) min = w.min!;
    if (w.max! > max) max = w.max!;
  }
  if (n === 0) return quantiles.map(() => NaN);
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  for (const w of windows) {
    if (w.count === 0) continue;
    mergeSide(positive, w.positive.offset, w.positive.bucketCounts, w.scale - scale);
    mergeSide(negative, w.negative.offset, w.negative.bucketCounts, w.scale - scale);
  }
  // Ascending value order: negative buckets from the largest magnitude down, zeros, positives up.
  const b = 2 ** 2 ** -scale;
  const midpoint = (2 * b) / (b + 1);
  const order: Array<[value: number, count: number]> = [];
  for (const [i, c] of [...negative].sort((x, y) => y[0] - x[0])) order.push([-lowerBoundary(i, scale) * midpoint, c]);
  if (zeros > 0) order.push([0, zeros]);
  for (const [i, c] of [...positive].sort((x, y) => x[0] - y[0])) order.push([lowerBoundary(i, scale) * midpoint, c]);

  const out: number[] = [];
  let k = 0;
  let cumulative = order[0][1];
  for (const q of quantiles) {
    if (q === 0) out.push(min);
    else if (q === 1) out.push(max);
    else {
      // The bucket holding the element of 0-based rank floor(q·(n−1)).
      const rank = q * (n - 1);
      while (cumulative <= rank && k < order.length - 1) cumulative += order[++k][1];
      const estimate = order[k][0];
      out.push(estimate < min ? min : estimate > max ? max : estimate);
    }
  }
  return out;
}

/**
 * The summary aggregation (quantiles over a sliding window), for a view; the options are
 * checked now.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [view({ instrumentName: "payload.size", aggregation: summary({ quantiles: [0.5, 0.99] }) })] });
 * ```
 * @throws TypeError/RangeError for invalid quantiles, `maxAgeMillis`, `ageBuckets` or `now`.
 */
export function summary(options: SummaryOptions = {}): Aggregation {
  const aggregator = createSummaryAggregator(options) as unknown as AnyAggregator;
  return { type: "summary", create: () => aggregator };
}
