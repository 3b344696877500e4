/**
 * Base-2 exponential bucket index mapping (OTel metrics data model, "ExponentialHistogram":
 * https://opentelemetry.io/docs/specs/otel/metrics/data-model/#exponentialhistogram).
 *
 * At scale `s` the base is `b = 2^(2^-s)` and bucket `i` holds the values in `(b^i, b^(i+1)]`
 * (upper-inclusive). The mapping here is exact for every positive finite double, subnormals
 * included (the spec permits rounding subnormals up; we don't need to):
 * - scale ≤ 0 ("Extract and Shift the Exponent"): the IEEE 754 exponent, read from the bits,
 *   minus one for exact powers of two (upper-inclusive), shifted right by `-s`.
 * - scale > 0 ("Use the Logarithm Function"): exponent `e` and significand `m ∈ [1, 2)` are
 *   separated first, so the logarithm only sees `m` and the integer part `e·2^s` is exact;
 *   exact powers of two take `(e << s) - 1` directly. `log2(m)·2^s` is within ~2^(s-52) of the
 *   true value, so when it lands within 1e-7 of an integer (a bucket boundary; probability
 *   ~2e-7 per value) the side of the boundary is decided exactly with integer arithmetic.
 */

// One scratch view for bit extraction: the mapping runs on the record() hot path and must
// not allocate.
const bits = /* @__PURE__ */ new DataView(/* @__PURE__ */ new ArrayBuffer(8));
const TWO_POW_64 = 18446744073709551616; // 2^64, exact as a double
// Far above the worst-case error of log2(m)·2^s (a few ulps of a number < 1, times 2^20).
const BOUNDARY_EPSILON = 1e-7;

/** Largest scale accepted (the spec's default MaxScale; keeps every index within int32). */
export const MAX_EXPONENTIAL_SCALE = 20;
/** Smallest scale the spec defines for exponential histograms. */
export const MIN_EXPONENTIAL_SCALE = -10;

/**
 * The bucket index of `value` at `scale`: the `i` with `b^i < value ≤ b^(i+1)`, `b = 2^(2^-scale)`.
 * `value` must be a positive finite number and `scale` an integer ≤ {@link MAX_EXPONENTIAL_SCALE}.
 */
export function mapToIndex(value: number, scale: number): number {
  bits.setFloat64(0, value);
  let hi = bits.getUint32(0);
  let exponentBias = 1023;
  if (hi >>> 20 === 0) {
    // Subnormal: scaling by 2^64 is exact and makes it normal, so the bits give the true exponent.
    bits.setFloat64(0, value * TWO_POW_64);
    hi = bits.getUint32(0);
    exponentBias += 64;
  }
  const lo = bits.getUint32(4);
  const exponent = ((hi >>> 20) & 0x7ff) - exponentBias;
  const significandHi = hi & 0xfffff;
  const powerOfTwo = significandHi === 0 && lo === 0;
  if (scale <= 0) return (powerOfTwo ? exponent - 1 : exponent) >> -scale;
  // 2^e is the upper boundary of bucket e·2^s - 1.
  if (powerOfTwo) return (exponent << scale) - 1;
  bits.setUint32(0, significandHi | 0x3ff00000); // the significand as a double in (1, 2)
  const scaled = Math.log2(bits.getFloat64(0)) * 2 ** scale; // in (0, 2^s]; *2^s is exact
  let sub = Math.floor(scaled);
  const frac = scaled - sub;
  if (frac < BOUNDARY_EPSILON || frac > 1 - BOUNDARY_EPSILON) {
    const k = Math.round(scaled);
    sub = k === 0 ? 0 : exceedsBoundary(significandHi, lo, scale, k) ? k : k - 1;
  }
  return (exponent << scale) + sub;
}

/**
 * Exactly decides `m > 2^(k/2^s)` for the significand `m = M / 2^52` (M = 2^52 + bits), i.e.
 * `M^(2^s) > 2^(k + 52·2^s)`, by repeated squaring with interval bounds truncated to a growing
 * number of bits. M is not a power of two here, so the two sides are never equal and the
 * bounds separate after enough precision. Rare path (near a boundary): allocation is fine.
 */
function exceedsBoundary(significandHi: number, lo: number, scale: number, k: number): boolean {
  const m = (BigInt(significandHi | 0x100000) << 32n) | BigInt(lo);
  const target = BigInt(k + 52 * 2 ** scale);
  for (let precision = 128; precision <= 1 << 16; precision *= 2) {
    let low = m;
    let high = m;
    let shift = 0n; // M^(2^i) ∈ [low·2^shift, high·2^shift]
    for (let i = 0; i < scale; i++) {
      low *= low;
      high *= high;
      shift *= 2n;
      const excess = bitLength(high) - precision;
      if (excess > 0) {
        const e = BigInt(excess);
        low >>= e; // rounds the lower bound down
        high = (high >> e) + 1n; // and the upper bound up
        shift += e;
      }
    }
    const exponent = target - shift; // compare low/high against 2^exponent
    // low ≥ 1, so with shift > target the lower bound alone already exceeds 2^target.
    if (exponent < 0n) return true;
    const boundary = 1n << exponent;
    if (low > boundary) return true;
    if (high <= boundary) return false;
  }
  // Unreachable in practice (would need bounds tighter than 2^-65536); floor's answer stands.
  return Math.log2(Number(m) / 2 ** 52) * 2 ** scale >= k;
}

function bitLength(x: bigint): number {
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex.charAt(0), 16)));
}

/**
 * The lower boundary `b^index` of bucket `index` at `scale` (the bucket holds `(b^index, b^(index+1)]`).
 * Computed without overflow for the top bucket; may round for positive scales.
 */
export function lowerBoundary(index: number, scale: number): number {
  if (scale <= 0) return 2 ** (index * 2 ** -scale);
  // b^index = 2^(index / 2^s); split off the integer part so 2^x never overflows early.
  const whole = Math.floor(index / 2 ** scale);
  const frac = (index - whole * 2 ** scale) / 2 ** scale;
  return 2 ** frac * 2 ** whole;
}
