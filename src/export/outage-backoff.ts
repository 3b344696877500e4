/**
 * How long a batcher waits before its next timer- or size-triggered export while the collector
 * is unavailable, so a long outage costs one failing request every 30 s instead of one per batch
 * (and the queue keeps the oldest items for delivery once the collector is back).
 *
 * "Unavailable" is what OTLP/HTTP calls retryable (429, 502, 503, 504) plus network errors and
 * timeouts (https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling). The wait starts at
 * 1 s and doubles up to 30 s; any other outcome (a success, or a non-retryable status whose
 * batch was dropped) resets it. An explicit flush ignores it: the caller asked to try now.
 */
import { monotonicNow } from "../common/time.ts";

const UNAVAILABLE: ReadonlySet<string> = /* @__PURE__ */ new Set(["network", "timeout", "429", "502", "503", "504"]);
const INITIAL_MILLIS = 1000;
const MAX_MILLIS = 30_000;

/** Exponential backoff after exports that found the collector unavailable. */
export class OutageBackoff {
  #until = 0; // monotonic ms; 0 = not backing off
  #millis = 0;

  /** Records an export's outcome: `errorType` of a wholly failed export, else undefined. */
  record(errorType: string | undefined): void {
    if (errorType === undefined || !UNAVAILABLE.has(errorType)) {
      this.#millis = 0;
      this.#until = 0;
      return;
    }
    this.#millis = Math.min(MAX_MILLIS, this.#millis > 0 ? this.#millis * 2 : INITIAL_MILLIS);
    this.#until = monotonicNow() + this.#millis;
  }

  /** Milliseconds left to wait before the next unrequested export; 0 = go ahead. */
  remainingMillis(): number {
    if (this.#until === 0) return 0;
    const wait = this.#until - monotonicNow();
    if (wait > 0) return wait;
    this.#until = 0;
    return 0;
  }
}
