import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";
import { mulberry32 } from "./helpers.ts";
import {
  createExponentialHistogramAggregator,
  type ExponentialHistogramAccumulation,
} from "../../src/metrics/aggregation/exponential-histogram.ts";
import { lowerBoundary, mapToIndex } from "../../src/metrics/aggregation/exponential-mapping.ts";
import type { ExponentialHistogramValue } from "../../src/metrics/types.ts";

// ---------- helpers: seeded PRNG, exact reference mapping, float bit walking ----------

const view = new DataView(new ArrayBuffer(8));

/** A positive finite double with uniformly random exponent bits (subnormals included) and significand. */
function randomDouble(rand: () => number, minBiased = 0, maxBiased = 2046): number {
  const biased = minBiased + Math.floor(rand() * (maxBiased - minBiased + 1));
  view.setUint32(0, (biased << 20) | Math.floor(rand() * 0x100000));
  view.setUint32(4, Math.floor(rand() * 0x100000000));
  const v = view.getFloat64(0);
  return v === 0 ? Number.MIN_VALUE : v;
}

/** The double `steps` ulps away from positive `v`. */
function stepUlps(v: number, steps: number): number {
  view.setFloat64(0, v);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(steps));
  return view.getFloat64(0);
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/** v = M · 2^e exactly, with M a positive integer. */
function decompose(v: number): { m: bigint; e: number } {
  view.setFloat64(0, v);
  const raw = view.getBigUint64(0);
  const biased = Number((raw >> 52n) & 0x7ffn);
  const frac = raw & ((1n << 52n) - 1n);
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

/**
 * Reference bucket index from exact integer arithmetic: the i with b^i < v ≤ b^(i+1), b = 2^(2^-s),
 * i.e. 2^i < v^(2^s) ≤ 2^(i+1). Exact powers for s ≤ 10; above that, interval bounds on
 * M^(2^s) truncated to 400 bits, failing loudly if they cannot decide.
 */
function referenceIndex(v: number, s: number): number {
  const { m, e } = decompose(v);
  const mBits = bitLength(m);
  const isPow2 = m === 1n << BigInt(mBits - 1);
  if (s <= 0) {
    const w = 2 ** -s;
    const log2 = mBits - 1 + e; // floor(log2 v), exact
    return isPow2 ? Math.ceil(log2 / w) - 1 : Math.floor(log2 / w);
  }
  const E = e * 2 ** s;
  if (isPow2) return (mBits - 1) * 2 ** s + E - 1;
  if (s <= 10) return bitLength(m ** (1n << BigInt(s))) - 1 + E;
  let lo = m;
  let hi = m;
  let shift = 0;
  for (let i = 0; i < s; i++) {
    lo *= lo;
    hi *= hi;
    shift *= 2;
    const excess = bitLength(hi) - 400;
    if (excess > 0) {
      lo >>= BigInt(excess);
      hi = (hi >> BigInt(excess)) + 1n;
      shift += excess;
    }
  }
  // X ∈ [lo·2^shift, hi·2^shift]; M is not a power of two so X is never a power of two.
  const iLo = bitLength(lo) - 1 + shift;
  const iHi = hi === 1n << BigInt(bitLength(hi) - 1) ? bitLength(hi) - 2 + shift : bitLength(hi) - 1 + shift;
  if (iLo !== iHi) throw new Error(`reference undecided for ${v} at scale ${s}`);
  return iLo + E;
}

/** The histogram that mapping every value directly at `scale` would give (the oracle for downscaling). */
function directBuckets(values: number[], scale: number): { pos: Map<number, number>; neg: Map<number, number> } {
  const pos = new Map<number, number>();
  const neg = new Map<number, number>();
  for (const v of values) {
    if (v === 0) continue;
    const map = v > 0 ? pos : neg;
    const i = referenceIndex(Math.abs(v), scale);
    map.set(i, (map.get(i) ?? 0) + 1);
  }
  return { pos, neg };
}

function asMap(b: { offset: number; bucketCounts: readonly number[] }): Map<number, number> {
  const m = new Map<number, number>();
  b.bucketCounts.forEach((c, i) => {
    if (c !== 0) m.set(b.offset + i, c);
  });
  return m;
}

function sumCounts(v: ExponentialHistogramValue): number {
  let n = v.zeroCount;
  for (const c of v.positive.bucketCounts) n += c;
  for (const c of v.negative.bucketCounts) n += c;
  return n;
}

function sortedEntries(m: Map<number, number>): Array<[number, number]> {
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** Asserts `value` is exactly the direct mapping of `values` at its scale, the scale is maximal, and the range fits. */
function assertMatchesOracle(value: ExponentialHistogramValue, values: number[], maxSize: number, maxScale: number): void {
  const { pos, neg } = directBuckets(values, value.scale);
  assert.equal(sortedEntries(asMap(value.positive)), sortedEntries(pos), `positive buckets at scale ${value.scale}`);
  assert.equal(sortedEntries(asMap(value.negative)), sortedEntries(neg), `negative buckets at scale ${value.scale}`);
  assert.ok(value.positive.bucketCounts.length <= maxSize && value.negative.bucketCounts.length <= maxSize);
  const span = (m: Map<number, number>): number => (m.size === 0 ? 0 : Math.max(...m.keys()) - Math.min(...m.keys()) + 1);
  if (value.scale < maxScale) {
    // Minimal downscaling: one scale finer, some side would not fit.
    const finer = directBuckets(values, value.scale + 1);
    assert.ok(span(finer.pos) > maxSize || span(finer.neg) > maxSize, `scale ${value.scale} is not maximal`);
  }
  assert.is(sumCounts(value), value.count);
}

// ---------- index mapping ----------

test("mapping: the spec's worked values at scale 0 (upper-inclusive buckets)", () => {
  assert.is(mapToIndex(1, 0), -1); // (1/2, 1]
  assert.is(mapToIndex(2, 0), 0); // (1, 2]
  assert.is(mapToIndex(3, 0), 1); // (2, 4]
  assert.is(mapToIndex(4, 0), 1);
  assert.is(mapToIndex(4.000000000000001, 0), 2);
  assert.is(mapToIndex(0.5, 0), -2);
  assert.is(mapToIndex(0.75, 0), -1);
});

test("mapping: negative scales shift the exponent (base 4, 16, 2^1024)", () => {
  assert.is(mapToIndex(1, -1), -1); // (1/4, 1]
  assert.is(mapToIndex(4, -1), 0); // (1, 4]
  assert.is(mapToIndex(5, -1), 1); // (4, 16]
  assert.is(mapToIndex(16, -2), 0); // base 16: (1, 16]
  assert.is(mapToIndex(17, -2), 1);
  assert.is(mapToIndex(Number.MAX_VALUE, -10), 0);
  assert.is(mapToIndex(1, -10), -1);
  assert.is(mapToIndex(Number.MIN_VALUE, -10), -2); // 2^-1074 ∈ (2^-2048, 2^-1024]
});

test("mapping: positive scales, exact powers of two and the scale-3 table of the data model", () => {
  // scale 3: lower boundaries 2^(j/8); 2^(4/8) = √2 is the lower boundary of bucket 4.
  assert.is(mapToIndex(1, 3), -1);
  assert.is(mapToIndex(1.0000000000000002, 3), 0);
  assert.is(mapToIndex(1.09, 3), 0); // < 2^(1/8) = 1.0905
  assert.is(mapToIndex(1.091, 3), 1);
  assert.is(mapToIndex(1.5, 3), 4); // √2 < 1.5 < 2^(5/8) = 1.542
  assert.is(mapToIndex(2, 3), 7);
  for (let s = 1; s <= 20; s++) {
    for (const e of [-1074, -1060, -1023, -1022, -1, 0, 1, 52, 1023]) {
      assert.is(mapToIndex(2 ** e, s), e * 2 ** s - 1, `2^${e} at scale ${s}`);
    }
  }
});

test("mapping: extremes — MAX_VALUE, smallest normal, subnormals — stay exact and within int32", () => {
  assert.is(mapToIndex(Number.MAX_VALUE, 20), 1024 * 2 ** 20 - 1);
  assert.is(mapToIndex(Number.MAX_VALUE, 0), 1023);
  assert.is(mapToIndex(Number.MIN_VALUE, 20), -1074 * 2 ** 20 - 1);
  assert.is(mapToIndex(Number.MIN_VALUE, 0), -1075);
  assert.is(mapToIndex(2 ** -1022, 0), -1023);
  assert.is(mapToIndex(3 * 2 ** -1074, 0), -1073); // subnormal, not a power of two: (2^-1073, 2^-1072]
  assert.is(mapToIndex(2 ** -1022 - 2 ** -1074, 0), -1023); // largest subnormal
  for (const v of [Number.MAX_VALUE, Number.MIN_VALUE, 2 ** -1022, 3 * 2 ** -1074, 2 ** -1022 - 2 ** -1074, 1.7e308]) {
    for (const s of [-10, -3, 0, 1, 5, 12, 20]) {
      const i = mapToIndex(v, s);
      assert.is(i, referenceIndex(v, s), `${v} at scale ${s}`);
      assert.ok(i >= -(2 ** 31) && i < 2 ** 31);
    }
  }
});

test("mapping: random doubles over the whole range agree with the exact BigInt reference at every scale tested", () => {
  const rand = mulberry32(42);
  for (const s of [-10, -7, -4, -1, 0, 1, 2, 3, 5, 8, 10, 13, 16, 20]) {
    const n = s > 10 ? 400 : 1500;
    for (let k = 0; k < n; k++) {
      const v = randomDouble(rand);
      assert.is(mapToIndex(v, s), referenceIndex(v, s), `${v} at scale ${s}`);
    }
  }
});

test("mapping: doubles within a few ulps of bucket boundaries land on the correct side", () => {
  const rand = mulberry32(7);
  for (let s = 1; s <= 20; s++) {
    for (let k = 0; k < 40; k++) {
      // A random boundary b^i between 2^-1000 and 2^1000, then the doubles right around it.
      const i = Math.floor((rand() * 2000 - 1000) * 2 ** s);
      const b = lowerBoundary(i, s);
      for (let d = -3; d <= 3; d++) {
        const v = stepUlps(b, d);
        assert.is(mapToIndex(v, s), referenceIndex(v, s), `${v} (boundary ${i} ${d >= 0 ? "+" : ""}${d} ulp) at scale ${s}`);
      }
    }
  }
});

test("lowerBoundary: exact at scale ≤ 0 and consistent with mapToIndex at positive scales", () => {
  assert.is(lowerBoundary(3, 0), 8);
  assert.is(lowerBoundary(-2, -1), 1 / 16);
  assert.is(lowerBoundary(4, 3), Math.SQRT2);
  assert.is(lowerBoundary(1024 * 2 ** 20 - 1, 20) < Number.MAX_VALUE, true); // no overflow in the top bucket
  const rand = mulberry32(3);
  for (let k = 0; k < 500; k++) {
    const s = 1 + Math.floor(rand() * 20);
    const i = Math.floor((rand() * 2000 - 1000) * 2 ** s);
    const b = lowerBoundary(i, s);
    assert.ok(Math.abs(mapToIndex(b, s) - (i - 0.5)) <= 0.5, `boundary ${i} at scale ${s} maps to ${mapToIndex(b, s)}`);
    assert.is(mapToIndex(b * (1 + 1e-12), s), i);
  }
});

// ---------- aggregation ----------

test("aggregator: defaults — kind, scale 20, zero threshold 0, empty value", () => {
  const agg = createExponentialHistogramAggregator();
  assert.is(agg.kind, "exponentialHistogram");
  const v = agg.toValue(agg.create());
  assert.equal(v, {
    count: 0,
    sum: 0,
    min: undefined,
    max: undefined,
    scale: 20,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
  });
});

test("aggregator: one value lands in its exact bucket at maxScale; the value is a copy", () => {
  const agg = createExponentialHistogramAggregator();
  const acc = agg.create();
  agg.record(acc, 12.5);
  const v = agg.toValue(acc);
  assert.equal(v.positive, { offset: referenceIndex(12.5, 20), bucketCounts: [1] });
  assert.is(v.count, 1);
  assert.is(v.sum, 12.5);
  assert.is(v.min, 12.5);
  assert.is(v.max, 12.5);
  agg.record(acc, 12.5);
  assert.equal(v.positive.bucketCounts, [1], "earlier value unchanged by later records");
  assert.equal(agg.toValue(acc).positive.bucketCounts, [2]);
});

test("aggregator: downscales 1 and 2 to scale 0 with maxSize 2, and 1, 2, 4 to scale -1", () => {
  const agg = createExponentialHistogramAggregator({ maxSize: 2 });
  const acc = agg.create();
  agg.record(acc, 1);
  agg.record(acc, 2);
  let v = agg.toValue(acc);
  assert.is(v.scale, 0);
  assert.equal(v.positive, { offset: -1, bucketCounts: [1, 1] });
  agg.record(acc, 4);
  v = agg.toValue(acc);
  assert.is(v.scale, -1);
  assert.equal(v.positive, { offset: -1, bucketCounts: [1, 2] }); // (1/4,1] and (1,4]
});

test("aggregator: 1 and 2^k with small maxSize give the largest scale that fits, bucket-exact", () => {
  for (const maxSize of [2, 3, 4, 8, 20]) {
    for (const k of [1, 2, 5, 10, 30, 100, 1000]) {
      const agg = createExponentialHistogramAggregator({ maxSize });
      const acc = agg.create();
      agg.record(acc, 1);
      agg.record(acc, 2 ** k);
      const v = agg.toValue(acc);
      assertMatchesOracle(v, [1, 2 ** k], maxSize, 20);
      // The data spans indexes -1 … k·2^s - 1, i.e. k·2^s + 1 buckets.
      assert.ok(k * 2 ** v.scale + 1 <= maxSize && (v.scale === 20 || k * 2 ** (v.scale + 1) + 1 > maxSize));
    }
  }
});

test("aggregator: random streams (both signs, zeros) always equal the direct mapping at the final scale", () => {
  const rand = mulberry32(1234);
  for (const [maxSize, maxScale, spread] of [
    [4, 20, 3],
    [8, 20, 40],
    [20, 10, 600],
    [160, 20, 1],
    [160, 20, 20],
    [160, 5, 2000],
  ] as const) {
    const agg = createExponentialHistogramAggregator({ maxSize, maxScale });
    const acc = agg.create();
    const values: number[] = [];
    for (let k = 0; k < 600; k++) {
      const r = rand();
      const v = r < 0.05 ? 0 : (r < 0.3 ? -1 : 1) * 2 ** ((rand() - 0.5) * spread) * (1 + rand());
      values.push(v);
      agg.record(acc, v);
      if (k % 50 === 0) assert.is(sumCounts(agg.toValue(acc)), acc.count, "count == buckets + zeroCount");
    }
    const v = agg.toValue(acc);
    assert.is(v.count, values.length);
    assert.is(v.zeroCount, values.filter((x) => x === 0).length);
    assert.is(v.min, Math.min(...values));
    assert.is(v.max, Math.max(...values));
    assertMatchesOracle(v, values, maxSize, maxScale);
  }
});

test("aggregator: 1e-300 … 1e300 with the default maxSize fits 160 buckets and keeps every count", () => {
  const agg = createExponentialHistogramAggregator();
  const acc = agg.create();
  const values: number[] = [];
  for (let e = -300; e <= 300; e += 3) values.push(Number(`1e${e}`), -Number(`3e${e}`));
  for (const v of values) agg.record(acc, v);
  const v = agg.toValue(acc);
  // log2(1e600) ≈ 1993 octaves → 160 buckets need 2^s ≤ 160/1993: scale -4 (base 65536).
  assert.is(v.scale, -4);
  assertMatchesOracle(v, values, 160, 20);
  assert.is(v.count, values.length);
  assert.is(v.min, -3e300);
  assert.is(v.max, 1e300);
});

test("aggregator: extreme magnitudes (MIN_VALUE, MAX_VALUE) in one stream", () => {
  const agg = createExponentialHistogramAggregator({ maxSize: 4 });
  const acc = agg.create();
  const values = [Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, 2 ** -1022];
  for (const x of values) agg.record(acc, x);
  const v = agg.toValue(acc);
  assertMatchesOracle(v, values, 4, 20);
  assert.is(v.sum, Number.MIN_VALUE + 1 + 2 ** -1022); // MAX and -MAX cancel (in this order)
});

test("aggregator: negatives map by absolute value; zeros (and -0) go to zeroCount", () => {
  const agg = createExponentialHistogramAggregator({ maxScale: 0 });
  const acc = agg.create();
  for (const x of [-1, -2, -3, -4, 0, -0, 3]) agg.record(acc, x);
  const v = agg.toValue(acc);
  assert.equal(v.negative, { offset: -1, bucketCounts: [1, 1, 2] });
  assert.equal(v.positive, { offset: 1, bucketCounts: [1] });
  assert.is(v.zeroCount, 2);
  assert.is(v.zeroThreshold, 0);
  assert.is(v.count, 7);
  assert.is(v.sum, -7);
  assert.is(v.min, -4);
  assert.is(v.max, 3);
});

test("aggregator: growing downward and upward around the first index keeps counts in order", () => {
  const agg = createExponentialHistogramAggregator({ maxScale: 0, maxSize: 40 });
  const acc = agg.create();
  const values: number[] = [];
  // Exponents 0, -1, 1, -2, 2, … force the ring to grow on both sides and wrap.
  for (let k = 0; k < 19; k++) {
    for (const e of k === 0 ? [0] : [-k, k]) {
      for (let r = 0; r <= k % 3; r++) values.push(1.5 * 2 ** e);
    }
  }
  for (const x of values) agg.record(acc, x);
  const v = agg.toValue(acc);
  assert.is(v.scale, 0);
  assertMatchesOracle(v, values, 40, 0);
  assert.is(v.positive.offset, -18);
  assert.is(v.positive.bucketCounts.length, 37);
});

test("aggregator: NaN, ±Infinity and non-numbers are dropped, reported once, never thrown", () => {
  const messages: string[] = [];
  const sink = (m: string): void => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  diag.setLogger(logger, 9999);
  resetDiagOnce();
  try {
    const agg = createExponentialHistogramAggregator();
    const acc = agg.create();
    agg.record(acc, 5);
    for (const bad of [NaN, Infinity, -Infinity, "7" as unknown as number, undefined as unknown as number]) {
      agg.record(acc, bad);
    }
    const v = agg.toValue(acc);
    assert.is(v.count, 1);
    assert.is(v.sum, 5);
    assert.is(sumCounts(v), 1);
    assert.is(messages.length, 1);
    assert.match(messages[0]!, /NaN/);
  } finally {
    diag.setLogger();
  }
});

test("aggregator: reset empties the accumulation, returns to maxScale and reuses the bucket arrays", () => {
  const agg = createExponentialHistogramAggregator({ maxSize: 8 });
  const acc: ExponentialHistogramAccumulation = agg.create();
  for (const x of [1, 1000, 1e6, -5, 0]) agg.record(acc, x);
  assert.ok(agg.toValue(acc).scale < 20);
  const arrays = acc.positive.counts;
  agg.reset(acc);
  assert.equal(agg.toValue(acc), agg.toValue(agg.create()));
  agg.record(acc, 3);
  agg.record(acc, 3.0000001);
  const v = agg.toValue(acc);
  assert.is(v.scale, 20);
  assertMatchesOracle(v, [3, 3.0000001], 8, 20);
  assert.is(acc.positive.counts, arrays, "no reallocation after reset");
});

test("aggregator: recording inside the current window does not reallocate", () => {
  const agg = createExponentialHistogramAggregator({ maxScale: 0 });
  const acc = agg.create();
  agg.record(acc, 1);
  agg.record(acc, 100);
  const counts = acc.positive.counts;
  for (let k = 0; k < 1000; k++) agg.record(acc, 1 + (k % 99));
  assert.is(acc.positive.counts, counts);
  assert.is(agg.toValue(acc).count, 1002);
});

test("aggregator: recordMinMax false reports no min/max", () => {
  const agg = createExponentialHistogramAggregator({ recordMinMax: false });
  const acc = agg.create();
  agg.record(acc, 3);
  const v = agg.toValue(acc);
  assert.is(v.min, undefined);
  assert.is(v.max, undefined);
  assert.is(v.count, 1);
});

test("configuration errors throw RangeError with what and why", () => {
  for (const maxSize of [1, 0, -5, 2.5, NaN]) {
    assert.throws(
      () => createExponentialHistogramAggregator({ maxSize }),
      (e: unknown) => e instanceof RangeError && /maxSize must be an integer ≥ 2/.test(e.message),
    );
  }
  for (const maxScale of [21, -11, 1.5, NaN]) {
    assert.throws(
      () => createExponentialHistogramAggregator({ maxScale }),
      (e: unknown) => e instanceof RangeError && /Cannot create exponential histogram: maxScale/.test(e.message),
    );
  }
  assert.is(createExponentialHistogramAggregator({ maxSize: 2, maxScale: -10 }).kind, "exponentialHistogram");
});

test.run();
