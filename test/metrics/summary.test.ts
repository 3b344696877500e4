import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";
import { mulberry32 } from "./helpers.ts";
import {
  SUMMARY_SKETCH_MAX_SIZE,
  createSummaryAggregator,
  type SummaryAccumulation,
} from "../../src/metrics/aggregation/summary.ts";
import type { SummaryValue } from "../../src/metrics/types.ts";

function gaussian(rand: () => number): number {
  // Box–Muller; 1 - rand() keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The documented bound α = (b − 1)/(b + 1), b = 2^(2^−s). */
function alpha(scale: number): number {
  const b = 2 ** 2 ** -scale;
  return (b - 1) / (b + 1);
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function fakeClock(start = 0): { now: () => number; set(t: number): void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v) };
}

function valueOf(v: SummaryValue, q: number): number {
  const found = v.quantiles.find((x) => x.quantile === q);
  if (!found) throw new Error(`no quantile ${q}`);
  return found.value;
}

const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

const DISTRIBUTIONS: Array<{ name: string; draw: (r: () => number) => number; scale: number }> = [
  // `scale`: the least sketch scale the data's magnitude span allows (span < 2^15.9 → 5, < 2^31.9 → 4).
  { name: "uniform [1, 1000)", draw: (r) => 1 + 999 * r(), scale: 5 },
  { name: "exponential (mean 100ms), latency-like, ≥ 1µs", draw: (r) => Math.max(0.001, -100 * Math.log(1 - r())), scale: 4 },
  { name: "log-normal (σ = 2)", draw: (r) => Math.exp(2 * gaussian(r)), scale: 4 },
  { name: "Pareto (α = 1.5), heavy tail", draw: (r) => 1 / (1 - r()) ** (1 / 1.5), scale: 5 },
  { name: "normal (0, 10), both signs", draw: (r) => 10 * gaussian(r), scale: 4 },
  { name: "bimodal with 20% zeros", draw: (r) => (r() < 0.2 ? 0 : r() < 0.5 ? 5 + r() : 500 + 100 * r()), scale: 5 },
  { name: "integers 1…10 (many ties)", draw: (r) => 1 + Math.floor(10 * r()), scale: 5 },
];

for (const dist of DISTRIBUTIONS) {
  test(`accuracy: 100,000 values, ${dist.name}: every quantile within the documented relative bound`, () => {
    const rand = mulberry32(dist.name.length * 7919);
    const clock = fakeClock();
    const agg = createSummaryAggregator({ quantiles: QS, now: clock.now });
    const acc = agg.create();
    const values: number[] = [];
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = dist.draw(rand);
      values.push(v);
      sum += v;
      agg.record(acc, v);
    }
    const sorted = [...values].sort((a, b) => a - b);
    const value = agg.toValue(acc);
    assert.is(value.count, 100_000);
    assert.ok(Math.abs(value.sum - sum) <= 1e-9 * Math.abs(sum) + 1e-9);
    // All values sit in one sub-window: its scale is what the span allowed, and it fixes α.
    const scale = acc.windows[acc.current]!.scale;
    assert.ok(scale >= dist.scale, `scale ${scale} < ${dist.scale}`);
    const bound = alpha(scale);
    for (const q of QS) {
      const exact = exactQuantile(sorted, q);
      const got = valueOf(value, q);
      const error = Math.abs(got - exact);
      assert.ok(error <= bound * Math.abs(exact) * (1 + 1e-12), `q=${q}: got ${got}, exact ${exact}, rel ${error / Math.abs(exact)} > ${bound}`);
    }
    assert.is(valueOf(value, 0), sorted[0], "q=0 is the exact minimum");
    assert.is(valueOf(value, 1), sorted[sorted.length - 1], "q=1 is the exact maximum");
    // The bound is not vacuous: the estimate is not simply exact by accident everywhere.
    assert.ok(QS.some((q) => valueOf(value, q) !== exactQuantile(sorted, q)) || dist.name.startsWith("integers"));
  });
}

test("accuracy: tiny samples — every quantile within 1.08% of the exact rank-floor(q(n−1)) element", () => {
  const agg = createSummaryAggregator({ quantiles: [0, 0.25, 0.5, 0.75, 1], now: fakeClock().now });
  const acc = agg.create();
  for (const v of [3, 1, 5, 4, 2]) agg.record(acc, v);
  const value = agg.toValue(acc);
  const expected = [1, 2, 3, 4, 5];
  value.quantiles.forEach((x, i) => {
    assert.ok(Math.abs(x.value - expected[i]!) <= alpha(5) * expected[i]! * (1 + 1e-12), `${x.quantile}: ${x.value}`);
  });
  assert.is(value.quantiles[0]!.value, 1);
  assert.is(value.quantiles[4]!.value, 5);
  assert.is(value.sum, 15);
});

test("negative values and zeros are ordered correctly; zero is reported exactly", () => {
  const agg = createSummaryAggregator({ quantiles: [0, 0.25, 0.5, 0.75, 1], now: fakeClock().now });
  const acc = agg.create();
  for (const v of [-5, -1, 0, 0, 3]) agg.record(acc, v);
  const value = agg.toValue(acc);
  assert.is(valueOf(value, 0), -5);
  // -1 is an exact power of two: the upper edge of its bucket, where the error is exactly α (± rounding).
  assert.ok(Math.abs(valueOf(value, 0.25) - -1) <= alpha(5) * (1 + 1e-12));
  assert.ok(valueOf(value, 0.25) > -1, "the estimate lies inside the bucket of -1");
  assert.is(valueOf(value, 0.5), 0);
  assert.is(valueOf(value, 0.75), 0);
  assert.is(valueOf(value, 1), 3);
  assert.is(value.sum, -3);
});

test("defaults: quantiles 0.5, 0.9, 0.99; an empty window reports NaN (Prometheus convention)", () => {
  const agg = createSummaryAggregator({ now: fakeClock().now });
  assert.is(agg.kind, "summary");
  assert.is(agg.bucketIndex, undefined);
  const value = agg.toValue(agg.create());
  assert.is(value.count, 0);
  assert.is(value.sum, 0);
  assert.equal(value.quantiles.map((x) => x.quantile), [0.5, 0.9, 0.99]);
  for (const x of value.quantiles) assert.ok(Number.isNaN(x.value));
});

test("sliding window: values leave after maxAge, in sub-window steps; count and sum stay cumulative", () => {
  const clock = fakeClock(0);
  const agg = createSummaryAggregator({ quantiles: [0, 1], maxAgeMillis: 1000, ageBuckets: 5, now: clock.now });
  const acc = agg.create(); // sub-windows of 200 ms starting at 0
  agg.record(acc, 10); // t = 0, sub-window [0, 200)
  clock.set(450);
  agg.record(acc, 20); // sub-window [400, 600)
  clock.set(999);
  let v = agg.toValue(acc);
  assert.equal([valueOf(v, 0), valueOf(v, 1)], [10, 20]);
  clock.set(1000); // [0, 200) is now older than maxAge
  v = agg.toValue(acc);
  assert.equal([valueOf(v, 0), valueOf(v, 1)], [20, 20]);
  clock.set(1399);
  assert.is(valueOf(agg.toValue(acc), 0), 20);
  clock.set(1400);
  v = agg.toValue(acc);
  assert.ok(Number.isNaN(valueOf(v, 0)) && Number.isNaN(valueOf(v, 1)));
  assert.is(v.count, 2);
  assert.is(v.sum, 30);
  clock.set(1500);
  agg.record(acc, 7);
  v = agg.toValue(acc);
  assert.equal([valueOf(v, 0), valueOf(v, 1)], [7, 7]);
});

test("sliding window: a large clock jump empties every sub-window; a clock going backwards is harmless", () => {
  const clock = fakeClock(100);
  const agg = createSummaryAggregator({ quantiles: [0.5], maxAgeMillis: 600_000, ageBuckets: 5, now: clock.now });
  const acc: SummaryAccumulation = agg.create();
  agg.record(acc, 1);
  clock.set(1e12);
  assert.ok(Number.isNaN(valueOf(agg.toValue(acc), 0.5)));
  agg.record(acc, 2);
  clock.set(5); // backwards
  agg.record(acc, 2);
  const v = agg.toValue(acc);
  assert.ok(Math.abs(valueOf(v, 0.5) - 2) <= alpha(5) * 2);
  assert.is(v.count, 3);
  clock.set(NaN);
  agg.record(acc, 2);
  assert.is(agg.toValue(acc).count, 4);
});

test("sub-windows at different scales merge exactly at the coarser scale", () => {
  const rand = mulberry32(5);
  const clock = fakeClock(0);
  const agg = createSummaryAggregator({ quantiles: QS, maxAgeMillis: 1000, ageBuckets: 5, now: clock.now });
  const acc = agg.create();
  const values: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const v = 1 + rand(); // narrow: this sub-window stays at scale 5
    values.push(v);
    agg.record(acc, v);
  }
  clock.set(250);
  for (let i = 0; i < 20_000; i++) {
    const v = 2 ** (80 * rand() - 40); // 80 octaves: this sub-window has to downscale
    values.push(v);
    agg.record(acc, v);
  }
  const scales = acc.windows.filter((w) => w.count > 0).map((w) => w.scale);
  assert.equal(scales, [5, 2]);
  const sorted = values.sort((a, b) => a - b);
  const value = agg.toValue(acc);
  for (const q of QS) {
    const exact = exactQuantile(sorted, q);
    const got = valueOf(value, q);
    assert.ok(Math.abs(got - exact) <= alpha(2) * exact * (1 + 1e-12), `q=${q}: ${got} vs ${exact}`);
  }
  // The narrow window's mass is still where it was: the median falls among the [1, 2) values.
  assert.ok(valueOf(value, 0.5) >= 1 / (1 + alpha(2)) && valueOf(value, 0.5) <= 2 * (1 + alpha(2)));
});

test("ageBuckets 1: a tumbling window of maxAge", () => {
  const clock = fakeClock(0);
  const agg = createSummaryAggregator({ quantiles: [1], maxAgeMillis: 100, ageBuckets: 1, now: clock.now });
  const acc = agg.create();
  agg.record(acc, 9);
  clock.set(99);
  assert.is(valueOf(agg.toValue(acc), 1), 9);
  clock.set(100);
  assert.ok(Number.isNaN(valueOf(agg.toValue(acc), 1)));
});

test("reset (delta) clears count and sum but keeps the time-based quantile window", () => {
  const agg = createSummaryAggregator({ quantiles: [0.5], now: fakeClock().now });
  const acc = agg.create();
  agg.record(acc, 4);
  agg.record(acc, 4);
  agg.reset(acc);
  const v = agg.toValue(acc);
  assert.is(v.count, 0);
  assert.is(v.sum, 0);
  assert.ok(Math.abs(valueOf(v, 0.5) - 4) <= alpha(5) * 4);
});

test("toValue returns a copy; later records do not change it", () => {
  const agg = createSummaryAggregator({ quantiles: [1], now: fakeClock().now });
  const acc = agg.create();
  agg.record(acc, 1);
  const before = agg.toValue(acc);
  agg.record(acc, 50);
  assert.is(before.count, 1);
  assert.is(valueOf(before, 1), 1);
  assert.is(valueOf(agg.toValue(acc), 1), 50);
});

test("memory stays bounded: 200,000 values spanning 1e-300 … 1e300 keep ≤ maxSize counts per sign per sub-window", () => {
  const rand = mulberry32(99);
  const clock = fakeClock();
  const agg = createSummaryAggregator({ quantiles: [0, 0.5, 1], now: clock.now });
  const acc = agg.create();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < 200_000; i++) {
    const v = (rand() < 0.5 ? -1 : 1) * 10 ** (600 * rand() - 300);
    if (v < min) min = v;
    if (v > max) max = v;
    agg.record(acc, v);
    if (i % 1000 === 0) clock.set(i); // stays inside one 2-minute sub-window
  }
  for (const w of acc.windows) {
    assert.ok(w.positive.counts.length <= SUMMARY_SKETCH_MAX_SIZE);
    assert.ok(w.negative.counts.length <= SUMMARY_SKETCH_MAX_SIZE);
  }
  const v = agg.toValue(acc);
  assert.is(valueOf(v, 0), min);
  assert.is(valueOf(v, 1), max);
  assert.is(v.count, 200_000);
});

test("NaN, ±Infinity and non-numbers are dropped, reported once, never thrown", () => {
  const messages: string[] = [];
  const sink = (m: string): void => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  diag.setLogger(logger, 9999);
  resetDiagOnce();
  try {
    const agg = createSummaryAggregator({ quantiles: [0.5], now: fakeClock().now });
    const acc = agg.create();
    agg.record(acc, 2);
    for (const bad of [NaN, Infinity, -Infinity, null as unknown as number, "3" as unknown as number]) agg.record(acc, bad);
    const v = agg.toValue(acc);
    assert.is(v.count, 1);
    assert.is(v.sum, 2);
    assert.ok(Math.abs(valueOf(v, 0.5) - 2) <= alpha(5) * 2);
    assert.is(messages.length, 1);
    assert.match(messages[0]!, /summary/);
  } finally {
    diag.setLogger();
  }
});

test("configuration errors: invalid quantiles → RangeError with the specific message; other options checked", () => {
  const message = "Cannot create summary: quantiles must be ascending numbers in [0, 1]";
  for (const quantiles of [[0.9, 0.5], [0.5, 0.5], [-0.1], [1.1], [NaN], ["0.5"], "0.5", 0.5, [0.5, Infinity]]) {
    assert.throws(
      () => createSummaryAggregator({ quantiles: quantiles as unknown as number[] }),
      (e: unknown) => e instanceof RangeError && e.message === message,
      JSON.stringify(quantiles),
    );
  }
  for (const maxAgeMillis of [0, -1, Infinity, NaN]) {
    assert.throws(
      () => createSummaryAggregator({ maxAgeMillis }),
      (e: unknown) => e instanceof RangeError && /maxAgeMillis must be a positive finite number/.test(e.message),
    );
  }
  for (const ageBuckets of [0, 1.5, -2]) {
    assert.throws(
      () => createSummaryAggregator({ ageBuckets }),
      (e: unknown) => e instanceof RangeError && /ageBuckets must be an integer ≥ 1/.test(e.message),
    );
  }
  assert.throws(
    () => createSummaryAggregator({ now: 5 as unknown as () => number }),
    (e: unknown) => e instanceof TypeError && /now must be a function/.test(e.message),
  );
  // Valid edge cases.
  const empty = createSummaryAggregator({ quantiles: [], now: fakeClock().now });
  assert.equal(empty.toValue(empty.create()).quantiles, []);
  assert.is(createSummaryAggregator({ quantiles: [0, 1] }).kind, "summary");
});

test.run();
