/**
 * Consistent probability sampling arithmetic (spec: "TraceState: Probability Sampling",
 * https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/).
 *
 * A rejection threshold T is a 56-bit integer: T = (1 − probability) × 2^56. A span is kept
 * when its 56-bit randomness R ≥ T. Both are carried as exactly 14 lowercase hex digits, and
 * for equal-length lowercase hex strings lexicographic order IS numeric order — so the hot
 * path compares strings and never needs 56-bit (> 2^53) arithmetic. BigInt is used only
 * here, once, when a sampler is constructed.
 */

/** Hex digits in a 56-bit value. */
export const THRESHOLD_DIGITS = 14;
/** The spec's recommended default precision for encoded thresholds (hex digits). */
export const DEFAULT_THRESHOLD_PRECISION = 4;

const MAX = 0x100000000000000n; // 2^56, "MaxAdjustedCount"
const HEX14 = /^[0-9a-f]{14}$/;
const TH = /^[0-9a-f]{1,14}$/;

/**
 * Encodes a sampling probability as a `th` value: the rejection threshold in hex with
 * trailing zeros removed (`"0"` for probability 1). Returns undefined for probabilities that
 * round to zero (below 2^-57): "never" is not a probability and carries no threshold.
 *
 * Rounding follows the spec's "Converting floating-point probability to threshold value":
 * `precision` significant hex digits (default 4, the spec's recommendation), raised by one
 * digit per leading `f` for small probabilities (the `frexp` adjustment), so 0.001 keeps
 * four digits after `ff` (`ffbe77`). The spec's Python example caps precision at 12 because
 * it works in doubles; we round the exact 56-bit integer, so up to 14 digits are kept, as
 * the Collector's `pkg/sampling` does. Results agree with the spec's table (0.1 → `e666`,
 * 0.01 → `fd70a`, 0.25 → `c`, 1/3 → `aaab`).
 *
 * Expects `probability` in [0, 1] and `precision` in [1, 14]; callers validate.
 */
export function probabilityToTh(probability: number, precision: number = DEFAULT_THRESHOLD_PRECISION): string | undefined {
  if (probability >= 1) return "0";
  if (!(probability > 0)) return undefined;
  // probability × 2^56 is exact in binary floating point (a power-of-two scaling).
  const scaled = BigInt(Math.round(probability * 2 ** 56));
  if (scaled === 0n) return undefined;
  let threshold = MAX - scaled;

  // frexp exponent e: probability = m × 2^e with m in [0.5, 1). Each 4 bits of leading
  // zeros in the probability is one leading `f` in the threshold, so add one digit per 4.
  let e = 0;
  for (let m = probability; m < 0.5; m *= 2) e--;
  const digits = Math.max(1, Math.min(THRESHOLD_DIGITS, precision + Math.floor(-e / 4)));

  const shift = BigInt(4 * (THRESHOLD_DIGITS - digits));
  if (shift > 0n) {
    threshold = ((threshold + (1n << (shift - 1n))) >> shift) << shift; // round half up
    // Cannot reach 2^56 given the digit adjustment above, but never emit 15 digits.
    if (threshold >= MAX) threshold = MAX - (1n << shift);
  }
  return thresholdToTh(threshold.toString(16).padStart(THRESHOLD_DIGITS, "0"));
}

/** The `th` encoding of a 14-digit threshold: trailing zeros removed, `"0"` for zero. */
export function thresholdToTh(threshold14: string): string {
  let end = threshold14.length;
  while (end > 0 && threshold14.charCodeAt(end - 1) === 0x30) end--;
  return end === 0 ? "0" : threshold14.slice(0, end);
}

/**
 * The 14-digit threshold a `th` value stands for (spec, tracestate-handling: 1 to 14
 * lowercase hex digits, implicitly padded with trailing zeros), or undefined when invalid.
 */
export function thToThreshold(th: string | undefined): string | undefined {
  if (th === undefined || !TH.test(th)) return undefined;
  return th.length === THRESHOLD_DIGITS ? th : th.padEnd(THRESHOLD_DIGITS, "0");
}

/** True for a valid explicit randomness value: exactly 14 lowercase hex digits (spec: `rv`). */
export function isValidRandomness(rv: string | undefined): boolean {
  return typeof rv === "string" && HEX14.test(rv);
}

/** The probability a 14-digit threshold stands for: (2^56 − T) / 2^56. */
export function thresholdToProbability(threshold14: string): number {
  return Number(MAX - BigInt("0x" + threshold14)) / 2 ** 56;
}
