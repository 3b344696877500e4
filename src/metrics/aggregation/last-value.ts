/**
 * Last-value aggregation (spec: Metrics SDK "Last Value Aggregation"): the most recent
 * measurement. Used by gauges and observable gauges. Every number is kept as is,
 * NaN and ±Infinity included: a gauge may legitimately report them (Prometheus does),
 * and a later measurement replaces them, so they cannot poison the stream.
 */
import type { Aggregator } from "./aggregator.ts";

/** The last measurement of one attribute set. */
export interface LastValueAccumulation {
  value: number;
}

/** Creates a last-value aggregator. */
export function createLastValueAggregator(): Aggregator<LastValueAccumulation, number> {
  return {
    kind: "lastValue",
    create: () => ({ value: 0 }),
    record(acc, value) {
      acc.value = value;
    },
    toValue: (acc) => acc.value,
    reset(acc) {
      acc.value = 0;
    },
  };
}
