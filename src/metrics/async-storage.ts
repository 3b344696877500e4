/**
 * Storage of one asynchronous stream (observable instrument × view). Observations are
 * made by callbacks at each collection and are totals (spec: API "Asynchronous Counter":
 * callbacks report the absolute value), so:
 * - cumulative sums report the observed total, starting at the stream's start;
 * - delta sums report the difference from the total observed at this reader's previous
 *   collection (the first report of a series is its whole total);
 * - gauges (last value) report the value observed in this collection;
 * - an attribute set not observed in a collection is not reported in it.
 * Several observations that a view's attribute filter maps onto one series are aggregated
 * (summed for sums), and the cardinality limit applies per collection with an overflow series.
 */
import { now } from "../common/time.ts";
import type { AnyAggregator } from "./aggregation/aggregator.ts";
import { toAttributeSet, type AttributeSet } from "./attribute-set.ts";
import { toMetricData } from "./metric-data.ts";
import { OVERFLOW_ATTRIBUTES, type ReaderSlot, type StreamConfig } from "./sync-storage.ts";
import { streamTemporality } from "./temporality.ts";
import type { AggregationTemporality, DataPoint, MetricData, MetricDescriptor } from "./types.ts";

/** One observation after de-duplication by (sanitized) attribute set. */
export interface Observation {
  readonly set: AttributeSet;
  readonly value: number;
}

interface ReaderState {
  readonly temporality: AggregationTemporality;
  readonly start: number;
  lastCollect: number;
  /** Delta sums: the totals reported at the previous collection, by series key. */
  previous: Map<string, number>;
}

/** The storage of one asynchronous stream. */
export class AsyncMetricStorage {
  readonly descriptor: MetricDescriptor;
  readonly #agg: AnyAggregator;
  readonly #keep: ReadonlySet<string> | undefined;
  readonly #limit: number;
  readonly #readers: Array<ReaderState | undefined> = [];

  constructor(config: StreamConfig) {
    this.descriptor = config.descriptor;
    this.#agg = config.aggregator;
    this.#keep = config.attributeKeys;
    this.#limit = config.cardinalityLimit;
  }

  /** Starts keeping state for `reader`. */
  addReader(reader: ReaderSlot, time: number): void {
    const temporality = streamTemporality(reader.select, this.descriptor.type, this.#agg.kind);
    this.#readers[reader.id] = { temporality, start: time, lastCollect: time, previous: new Map() };
  }

  /** Builds this collection's points for `reader` from the instrument's observations. */
  collect(reader: ReaderSlot, observations: Iterable<Observation>, time: number = now()): MetricData | undefined {
    const state = this.#readers[reader.id];
    if (state === undefined) return undefined;
    const agg = this.#agg;
    const series = new Map<string, { attributes: AttributeSet["attributes"]; acc: unknown }>();
    for (const o of observations) {
      const set = this.#keep === undefined ? o.set : toAttributeSet(o.set.attributes, this.#keep);
      let s = series.get(set.key);
      if (s === undefined) {
        if (series.size >= this.#limit) {
          s = series.get("\u0000overflow");
          if (s === undefined) series.set("\u0000overflow", (s = { attributes: OVERFLOW_ATTRIBUTES, acc: agg.create() }));
        } else series.set(set.key, (s = { attributes: set.attributes, acc: agg.create() }));
      }
      agg.record(s.acc, o.value);
    }
    const delta = state.temporality === "delta";
    const start = delta ? state.lastCollect : state.start;
    state.lastCollect = time;
    const points: DataPoint<unknown>[] = [];
    const deltaSum = delta && agg.kind === "sum";
    const previous = deltaSum ? new Map<string, number>() : state.previous;
    for (const [key, s] of series) {
      let value = agg.toValue(s.acc);
      if (deltaSum) {
        const total = value as number;
        value = total - (state.previous.get(key) ?? 0);
        previous.set(key, total);
      }
      points.push({ attributes: s.attributes, startTime: start, time, value, exemplars: [] });
    }
    state.previous = previous;
    return toMetricData(this.descriptor, agg, state.temporality, points);
  }
}
