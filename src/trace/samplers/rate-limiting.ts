/**
 * A rate-limiting sampler: at most N new traces per second, by a token bucket (as Jaeger's
 * "ratelimiting" sampler). Meant as the `root` of a {@link ParentBasedSampler}, so children
 * follow their root's decision: every call is one decision and spends one token.
 *
 * The bucket holds max(1, rate) tokens, starts full and refills continuously from a
 * monotonic clock (`performance.now()`; wall-clock jumps must not grant or steal tokens).
 * A rate below 1/s still admits one trace at a time: e.g. 0.5 → one trace every 2 s.
 */
import type { Context } from "../../context/context.ts";
import { eraseOtSubKey, thresholdOf } from "./ot-trace-state.ts";
import { parentSpanContext, type Sampler, type SamplingResult } from "./sampler.ts";

/** Options for {@link RateLimitingSampler}. */
export interface RateLimitingSamplerOptions {
  /** Monotonic clock in milliseconds (default `performance.now()`); injectable for tests. */
  now?: () => number;
}

/**
 * Samples at most `tracesPerSecond` traces per second.
 *
 * @example
 * ```ts
 * const sampler = new ParentBasedSampler({ root: new RateLimitingSampler(10) });
 * ```
 */
export class RateLimitingSampler implements Sampler {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  /**
   * @param tracesPerSecond a finite number >= 0; 0 samples nothing
   * @throws RangeError when `tracesPerSecond` is not a finite number >= 0
   */
  constructor(tracesPerSecond: number, options: RateLimitingSamplerOptions = {}) {
    if (typeof tracesPerSecond !== "number" || !Number.isFinite(tracesPerSecond) || tracesPerSecond < 0) {
      throw new RangeError(`Cannot create RateLimitingSampler: tracesPerSecond must be a finite number >= 0, got ${String(tracesPerSecond)}.`);
    }
    const now = options?.now ?? defaultClock();
    if (typeof now !== "function") throw new TypeError("Cannot create RateLimitingSampler: options.now must be a function returning milliseconds.");
    this.#rate = tracesPerSecond;
    this.#capacity = Math.max(1, tracesPerSecond);
    this.#now = now;
    this.#tokens = tracesPerSecond === 0 ? 0 : this.#capacity;
    this.#last = now();
  }

  /** Spends a token if one is available: RECORD_AND_SAMPLED, otherwise NOT_RECORD. */
  shouldSample(context: Context): SamplingResult {
    const traceState = parentSpanContext(context)?.traceState;
    if (!this.#take()) return traceState ? { decision: 0 /* SamplingDecision.NOT_RECORD */, traceState } : { decision: 0 /* SamplingDecision.NOT_RECORD */ };
    // Rate limiting is not probability sampling: its spans have no known adjusted count, so an
    // incoming `ot=th:` must not be propagated (probability sampling, "General requirements").
    if (traceState === undefined) return { decision: 2 /* SamplingDecision.RECORD_AND_SAMPLED */ };
    return {
      decision: 2 /* SamplingDecision.RECORD_AND_SAMPLED */,
      traceState: thresholdOf(traceState) === undefined ? traceState : eraseOtSubKey(traceState, "th"),
    };
  }

  /** `RateLimitingSampler{<tracesPerSecond>}`. */
  toString(): string {
    return `RateLimitingSampler{${this.#rate}}`;
  }

  #take(): boolean {
    if (this.#rate === 0) return false;
    let now: number;
    try {
      now = this.#now();
    } catch {
      now = this.#last; // a broken clock must not break span creation
    }
    if (typeof now !== "number" || !Number.isFinite(now)) now = this.#last;
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (elapsed * this.#rate) / 1000);
      this.#last = now;
    } else if (elapsed < 0) {
      this.#last = now; // a clock that went backwards re-anchors without granting tokens
    }

    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }
}

function defaultClock(): () => number {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  if (perf && typeof perf.now === "function") return () => perf.now!();
  return () => Date.now();
}
