/**
 * Rate-limited diagnostics for failures that repeat (export failures during an outage,
 * partial-success warnings on every batch). DESIGN principle 3: causes go to `diag`
 * rate-limited, so an hour-long collector outage yields a handful of lines, not one per
 * batch. The first occurrence is reported at once; later ones at most once per interval,
 * with a count of what was suppressed in between.
 */
import { diag } from "../common/diag.ts";

/** Default minimum time between two reports of the same limiter. */
export const DEFAULT_REPORT_INTERVAL_MILLIS = 60_000;

/** Reports a repeating problem via `diag.warn`, at most once per interval. */
export class RateLimitedWarning {
  #lastReport = -Infinity;
  #suppressed = 0;
  readonly #intervalMillis: number;
  readonly #clock: () => number;

  /**
   * @param intervalMillis minimum time between two reports.
   * @param clock wall clock in milliseconds (injectable for tests).
   */
  constructor(intervalMillis: number = DEFAULT_REPORT_INTERVAL_MILLIS, clock: () => number = Date.now) {
    this.#intervalMillis = intervalMillis;
    this.#clock = clock;
  }

  /** Reports `message` now, or counts it when a report was made less than an interval ago. */
  warn(message: string): void {
    const t = this.#clock();
    if (t - this.#lastReport < this.#intervalMillis) {
      this.#suppressed++;
      return;
    }
    const note = this.#suppressed > 0 ? ` (${this.#suppressed} similar message${this.#suppressed === 1 ? "" : "s"} suppressed since the last report)` : "";
    this.#lastReport = t;
    this.#suppressed = 0;
    diag.warn(message + note);
  }
}
