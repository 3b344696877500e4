/**
 * The contract between metric storage and an aggregation. Storage keeps one accumulation
 * per attribute set and calls `record` on the hot path; at collection it reads `toValue`
 * and, for delta temporality, calls `reset`. Implementations must be allocation-free in
 * `record` where they can, and must never throw for any number (NaN and ±Infinity are
 * handled per the aggregation's spec section).
 */
import type { InstrumentType } from "../types.ts";

/** Aggregation kinds, as views name them. */
export type AggregationKind = "drop" | "sum" | "lastValue" | "explicitBucketHistogram" | "exponentialHistogram" | "summary";

/** An aggregation: creates accumulations and turns them into point values. */
export interface Aggregator<Accumulation, Value> {
  readonly kind: AggregationKind;
  /** A new, empty accumulation. */
  create(): Accumulation;
  /** Adds one measurement. */
  record(accumulation: Accumulation, value: number): void;
  /** The accumulation as an immutable point value (a copy: later records must not change it). */
  toValue(accumulation: Accumulation): Value;
  /** Empties the accumulation in place (delta temporality, after a collection). */
  reset(accumulation: Accumulation): void;
  /**
   * For histogram-like aggregations: the bucket a value falls in, so an exemplar reservoir
   * can keep one exemplar per bucket (spec: AlignedHistogramBucketExemplarReservoir).
   */
  bucketIndex?(accumulation: Accumulation, value: number): number;
}

/** Any aggregator, as storage handles them. */
export type AnyAggregator = Aggregator<unknown, unknown>;

/**
 * An aggregation a view selects, built by the function the program imports
 * (`exponentialHistogram({ maxSize: 80 })`, `summary({ quantiles: [0.5, 0.99] })`), so an
 * aggregation no program imports is not in its bundle. Options are checked when it is built.
 */
export interface Aggregation {
  readonly type: AggregationKind;
  /** The aggregator of one stream; `adviceBoundaries` are the instrument's advised histogram boundaries. */
  create(instrumentType: InstrumentType, adviceBoundaries?: readonly number[]): AnyAggregator;
}
