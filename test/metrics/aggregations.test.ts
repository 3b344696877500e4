import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSumAggregator } from "../../src/metrics/aggregation/sum.ts";
import { createLastValueAggregator } from "../../src/metrics/aggregation/last-value.ts";
import { DROP_AGGREGATOR } from "../../src/metrics/aggregation/drop.ts";
import {
  createExplicitBucketHistogramAggregator,
  DEFAULT_HISTOGRAM_BOUNDARIES,
  validateBoundaries,
} from "../../src/metrics/aggregation/explicit-bucket-histogram.ts";
import { createAggregator, defaultAggregationKind } from "../../src/metrics/aggregation/default-aggregation.ts";
import { InstrumentType } from "../../src/metrics/types.ts";
import { exponentialHistogram } from "../../src/metrics/aggregation/exponential-histogram.ts";
import { summary } from "../../src/metrics/aggregation/summary.ts";

test("sum adds, ignores NaN/±Infinity, resets", () => {
  const agg = createSumAggregator(true);
  const acc = agg.create();
  for (const v of [1, 2.5, NaN, Infinity, -Infinity, 3]) agg.record(acc, v);
  assert.is(agg.toValue(acc), 6.5);
  assert.is(agg.monotonic, true);
  agg.reset(acc);
  assert.is(agg.toValue(acc), 0);
  const ud = createSumAggregator(false);
  const a2 = ud.create();
  ud.record(a2, 5);
  ud.record(a2, -7);
  assert.is(ud.toValue(a2), -2);
});

test("last value keeps the latest, NaN included", () => {
  const agg = createLastValueAggregator();
  const acc = agg.create();
  agg.record(acc, 3);
  agg.record(acc, 9);
  assert.is(agg.toValue(acc), 9);
  agg.record(acc, NaN);
  assert.ok(Number.isNaN(agg.toValue(acc)));
});

test("drop keeps nothing", () => {
  const acc = DROP_AGGREGATOR.create();
  DROP_AGGREGATOR.record(acc, 1);
  assert.is(DROP_AGGREGATOR.toValue(acc), undefined);
  assert.is(DROP_AGGREGATOR.kind, "drop");
});

test("histogram: default boundaries, (lo, hi] buckets, count/sum/min/max", () => {
  const agg = createExplicitBucketHistogramAggregator();
  assert.equal([...agg.boundaries], [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
  const acc = agg.create();
  for (const v of [0, 5, 5.0001, 10000, 10001, -3, NaN, Infinity]) agg.record(acc, v);
  const v = agg.toValue(acc);
  assert.is(v.count, 6);
  assert.is(v.sum, 0 + 5 + 5.0001 + 10000 + 10001 - 3);
  assert.is(v.min, -3);
  assert.is(v.max, 10001);
  assert.is(v.bucketCounts.length, 16);
  assert.is(v.bucketCounts[0], 2); // -3 and 0 are <= 0
  assert.is(v.bucketCounts[1], 1); // 5
  assert.is(v.bucketCounts[2], 1); // 5.0001
  assert.is(v.bucketCounts[14], 1); // 10000
  assert.is(v.bucketCounts[15], 1); // 10001 overflow bucket
  // toValue is a copy
  agg.record(acc, 1);
  assert.is(v.bucketCounts[1], 1);
  agg.reset(acc);
  const empty = agg.toValue(acc);
  assert.is(empty.count, 0);
  assert.is(empty.min, undefined);
  assert.is(empty.max, undefined);
  assert.equal(empty.bucketCounts, new Array(16).fill(0));
});

test("histogram: binary (long lists) and linear (short lists) bucket search agree with a reference", () => {
  const long = Array.from({ length: 200 }, (_, i) => i * 1.5);
  const short = [1, 2, 4];
  for (const bounds of [long, short]) {
    const agg = createExplicitBucketHistogramAggregator({ boundaries: bounds });
    const acc = agg.create();
    for (let i = 0; i < 1000; i++) {
      const v = (i * 7.3) % 320 - 10;
      const expected = bounds.findIndex((b) => v <= b);
      assert.is(agg.bucketIndex!(acc, v), expected === -1 ? bounds.length : expected, `value ${v}`);
    }
  }
});

test("histogram: recordMinMax false and empty boundaries", () => {
  const agg = createExplicitBucketHistogramAggregator({ boundaries: [], recordMinMax: false });
  const acc = agg.create();
  agg.record(acc, 4);
  const v = agg.toValue(acc);
  assert.equal(v.bucketCounts, [1]);
  assert.is(v.min, undefined);
  assert.is(v.count, 1);
});

test("invalid boundaries throw RangeError with the spec message", () => {
  assert.throws(() => validateBoundaries([1, 1]), (e: Error) => e instanceof RangeError && e.message === "Cannot create histogram: boundaries must be ascending");
  assert.throws(() => createExplicitBucketHistogramAggregator({ boundaries: [5, 2] }), /boundaries must be ascending/);
  assert.throws(() => validateBoundaries([1, NaN]), RangeError);
  assert.throws(() => validateBoundaries("1,2"), TypeError);
  assert.equal([...validateBoundaries([-Infinity, 0, 1])], [-Infinity, 0, 1]);
});

test("default aggregation per instrument kind", () => {
  assert.is(defaultAggregationKind(InstrumentType.COUNTER), "sum");
  assert.is(defaultAggregationKind(InstrumentType.UP_DOWN_COUNTER), "sum");
  assert.is(defaultAggregationKind(InstrumentType.OBSERVABLE_COUNTER), "sum");
  assert.is(defaultAggregationKind(InstrumentType.OBSERVABLE_UP_DOWN_COUNTER), "sum");
  assert.is(defaultAggregationKind(InstrumentType.GAUGE), "lastValue");
  assert.is(defaultAggregationKind(InstrumentType.OBSERVABLE_GAUGE), "lastValue");
  assert.is(defaultAggregationKind(InstrumentType.HISTOGRAM), "explicitBucketHistogram");
  assert.is((createAggregator(undefined, InstrumentType.UP_DOWN_COUNTER) as unknown as { monotonic: boolean }).monotonic, false);
  assert.is((createAggregator(undefined, InstrumentType.COUNTER) as unknown as { monotonic: boolean }).monotonic, true);
  const h = createAggregator(undefined, InstrumentType.HISTOGRAM, [1, 2]) as unknown as { boundaries: number[] };
  assert.equal([...h.boundaries], [1, 2]);
  assert.is(createAggregator(exponentialHistogram(), InstrumentType.HISTOGRAM).kind, "exponentialHistogram");
  assert.is(createAggregator(summary(), InstrumentType.HISTOGRAM).kind, "summary");
  // Not built in by name: the program imports them (or the by-name module).
  assert.throws(() => createAggregator({ type: "summary" }, InstrumentType.HISTOGRAM), TypeError);
  assert.throws(() => createAggregator({ type: "bogus" } as never, InstrumentType.COUNTER), TypeError);
  assert.is(DEFAULT_HISTOGRAM_BOUNDARIES.length, 15);
});

test.run();
