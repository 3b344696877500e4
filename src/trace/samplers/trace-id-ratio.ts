/**
 * TraceIdRatioBased with the current spec's 56-bit consistent probability algorithm
 * (Tracing SDK "TraceIdRatioBased" + "TraceState: Probability Sampling"):
 *
 * - randomness R = the `rv` sub-key of the parent's `ot` tracestate entry when present,
 *   otherwise the rightmost 7 bytes (14 hex digits) of the trace id;
 * - rejection threshold T = (1 − ratio) × 2^56, rounded to 4 significant hex digits
 *   (the spec's recommended default precision; configurable);
 * - sampled iff R ≥ T, compared as 14-digit lowercase hex strings (equal-length hex
 *   order = numeric order, so no 56-bit arithmetic on the hot path);
 * - when sampled, `th:<T>` is written into the `ot` entry (other `ot` sub-keys such as
 *   `rv`, and other vendors' entries, are kept), so downstream samplers and backends know
 *   the span's adjusted count. When dropped, the tracestate is left alone.
 *
 * Like every spec TraceIdRatioBased sampler it ignores the parent's sampled flag; wrap it
 * in {@link ParentBasedSampler} to respect it.
 */
import { describeValue } from "../../common/describe.ts";
import { diagOnce } from "../../common/diag.ts";
import { EMPTY_TRACE_STATE } from "../../propagation/trace-state.ts";
import type { Context } from "../../context/context.ts";
import { isValidTraceId, type TraceState } from "../span-context.ts";
import { getOtSubKey, randomnessOf, setOtSubKey } from "./ot-trace-state.ts";
import { parentSpanContext, type Sampler, type SamplingResult } from "./sampler.ts";
import { DEFAULT_THRESHOLD_PRECISION, isValidRandomness, probabilityToTh, THRESHOLD_DIGITS } from "./threshold.ts";

/** Options for {@link TraceIdRatioBasedSampler}. */
export interface TraceIdRatioBasedSamplerOptions {
  /** Significant hex digits of the encoded threshold, 1–14 (default 4, as the spec recommends). */
  precision?: number;
}

// W3C Trace Context Level 2 "random" trace flag: the trace id's rightmost 7 bytes are random.
const RANDOM_FLAG = 0x02;
let warnedPresumedRandom = false;

/**
 * Samples a fraction `ratio` of traces, consistently across services and SDKs.
 *
 * @example
 * ```ts
 * const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) });
 * // a sampled root span carries `tracestate: ot=th:c`
 * ```
 */
export class TraceIdRatioBasedSampler implements Sampler {
  readonly #ratio: number;
  readonly #th: string | undefined;
  readonly #threshold: string | undefined;
  // TraceState is immutable, so every sampled root span can share one `ot=th:<T>` instance.
  #rootTraceState: TraceState | undefined;

  /**
   * @param ratio the fraction of traces to sample, in [0, 1]; 0 samples nothing
   * @throws RangeError when `ratio` is not a number in [0, 1] or `precision` is not an integer in [1, 14]
   */
  constructor(ratio: number, options: TraceIdRatioBasedSamplerOptions = {}) {
    if (typeof ratio !== "number" || !(ratio >= 0 && ratio <= 1)) {
      throw new RangeError(`Cannot create TraceIdRatioBasedSampler: ratio must be a number in [0, 1], got ${describeValue(ratio)}.`);
    }
    const precision = options?.precision ?? DEFAULT_THRESHOLD_PRECISION;
    if (!Number.isInteger(precision) || precision < 1 || precision > THRESHOLD_DIGITS) {
      throw new RangeError(`Cannot create TraceIdRatioBasedSampler: precision must be an integer from 1 to 14 hex digits, got ${describeValue(precision)}.`);
    }
    this.#ratio = ratio;
    this.#th = probabilityToTh(ratio, precision);
    this.#threshold = this.#th?.padEnd(THRESHOLD_DIGITS, "0");
  }

  /** The configured ratio. */
  get ratio(): number {
    return this.#ratio;
  }

  /** The `th` value written into sampled spans' tracestate (e.g. `"c"` for 0.25); undefined for ratio 0. */
  get th(): string | undefined {
    return this.#th;
  }

  /** Samples iff the trace's 56-bit randomness is at least the rejection threshold. */
  shouldSample(context: Context, traceId: string): SamplingResult {
    const parent = parentSpanContext(context);
    const traceState = parent?.traceState;
    const threshold = this.#threshold;
    if (threshold === undefined || !isValidTraceId(traceId)) {
      if (threshold !== undefined) diagOnce("warn", "TraceIdRatioBasedSampler: dropping a span with an invalid trace id.");
      return traceState ? { decision: 0 /* SamplingDecision.NOT_RECORD */, traceState } : { decision: 0 /* SamplingDecision.NOT_RECORD */ };
    }
    const randomness = randomnessOf(traceId, traceState);
    if (!warnedPresumedRandom && parent?.isRemote && (parent.traceFlags & RANDOM_FLAG) === 0 && !isValidRandomness(getOtSubKey(traceState, "rv"))) {
      warnedPresumedRandom = true;
      // Spec, "Migration to consistent probability samplers": warn the first time trace id
      // randomness is presumed for a context whose Trace random flag is not set.
      diagOnce(
        "warn",
        "sampler.ratio.presumed-random",
        "TraceIdRatioBasedSampler: presuming the trace id is random (W3C Trace Context Level 2) for a remote parent without the random flag; upstream services with other trace id schemes can make sampling inconsistent.",
      );
    }
    if (randomness < threshold) {
      return traceState ? { decision: 0 /* SamplingDecision.NOT_RECORD */, traceState } : { decision: 0 /* SamplingDecision.NOT_RECORD */ };
    }
    if (traceState === undefined) {
      this.#rootTraceState ??= setOtSubKey(EMPTY_TRACE_STATE, "th", this.#th);
      return { decision: 2 /* SamplingDecision.RECORD_AND_SAMPLED */, traceState: this.#rootTraceState };
    }
    return { decision: 2 /* SamplingDecision.RECORD_AND_SAMPLED */, traceState: setOtSubKey(traceState, "th", this.#th) };
  }

  /** `TraceIdRatioBased{<ratio>}`, as the spec's GetDescription requires. */
  toString(): string {
    return `TraceIdRatioBased{${this.#ratio}}`;
  }
}
