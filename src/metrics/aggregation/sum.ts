/**
 * Sum aggregation (spec: Metrics SDK "Sum Aggregation"): the arithmetic sum of the
 * measurements. Used by counters and up-down counters (and their observable forms).
 *
 * NaN and ±Infinity are ignored: one of them would make the sum meaningless for the rest of
 * the stream's life (cumulative temporality never resets). Instruments report the drop once
 * through `diag` before the value reaches here; this check only keeps the aggregation safe
 * when a view routes a gauge's values into a sum.
 */
import type { Aggregator } from "./aggregator.ts";

/** The running sum of one attribute set. */
export interface SumAccumulation {
  value: number;
}

/** A sum aggregator; `monotonic` is reported on the stream (counters: true, up-down counters: false). */
export interface SumAggregator extends Aggregator<SumAccumulation, number> {
  readonly kind: "sum";
  readonly monotonic: boolean;
}

/** Creates a sum aggregator. */
export function createSumAggregator(monotonic: boolean): SumAggregator {
  return {
    kind: "sum",
    monotonic,
    create: () => ({ value: 0 }),
    record(acc, value) {
      // value - value is 0 for every finite number and NaN for NaN/±Infinity.
      if (value - value === 0) acc.value += value;
    },
    toValue: (acc) => acc.value,
    reset(acc) {
      acc.value = 0;
    },
  };
}
