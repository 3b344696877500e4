/**
 * Time for spans, events and log records.
 *
 * The wall clock is read once (`Date.now()`, the anchor) and every later timestamp is
 * the anchor plus a `performance.now()` delta (DESIGN: monotonic inside a process, no
 * drift between a span's start and end when the wall clock is adjusted). Internally a
 * timestamp is a number of milliseconds since the anchor: small enough that a double
 * keeps sub-nanosecond precision for weeks around the anchor (a time given explicitly
 * years away is still exact to well under a microsecond). On export it becomes a decimal string of
 * nanoseconds since the Unix epoch, built without float arithmetic on the large value
 * (OTLP `fixed64` fields; proto3 JSON writes 64-bit integers as strings).
 */

/** `[seconds, nanoseconds]`, as `HrTime` in `@opentelemetry/api`. */
export type HrTime = [number, number];

/**
 * A point in time as callers may give it: epoch milliseconds, a `performance.now()`
 * value, a `Date`, or an {@link HrTime} — the same forms `@opentelemetry/api` accepts.
 */
export type TimeInput = HrTime | number | Date;

interface Anchor {
  epochMillis: number; // integer wall-clock milliseconds at the anchor
  perf: number; // performance.now() at the anchor
}

let anchor: Anchor | undefined;

/** `performance` when it has `now()`, else `Date`: the monotonic clock where there is one. */
function currentClock(): { now(): number } {
  const p = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof p?.now === "function" ? (p as { now(): number }) : Date;
}

// The span clock, looked up once (on first use, not on import) instead of on every reading:
// a global property lookup plus a type check per call was a measurable part of a span's cost.
let clock: { now(): number } | undefined;

function perfNow(): number {
  return (clock ??= currentClock()).now();
}

function getAnchor(): Anchor {
  // Created on first use, not on import (DESIGN principle 5).
  return (anchor ??= { epochMillis: Date.now(), perf: perfNow() });
}

/**
 * Milliseconds from a monotonic clock (`performance.now()`, else `Date.now()`), for
 * durations, deadlines and backoff — not timestamps (see {@link now}). Looked up on each
 * call, unlike the span clock, so a page or test that replaces `performance` is followed.
 */
export function monotonicNow(): number {
  return currentClock().now();
}

/** The current time, in milliseconds since the SDK's anchor. */
export function now(): number {
  const a = anchor ?? getAnchor();
  return perfNow() - a.perf;
}

// Numbers at least this large are epoch milliseconds (after 1973-03-03); smaller numbers
// are `performance.now()` readings. The official SDK uses the same split via timeOrigin,
// which is 0 on some edge runtimes, so a fixed threshold is more portable.
const EPOCH_MILLIS_THRESHOLD = 1e11;

/** Converts a caller's {@link TimeInput} (or nothing, meaning now) to anchor-relative milliseconds. */
export function toTime(input?: TimeInput): number {
  return (input === undefined || input === null ? undefined : timeOf(input)) ?? now();
}

/**
 * `value` as anchor-relative milliseconds when it has the shape of a {@link TimeInput} (a
 * number, a `Date`, `[seconds, nanos]`), else `undefined`. A number or `Date` that is not a
 * finite time reads as now. Lets `addEvent` tell a time from attributes and convert it in one step.
 */
export function timeOf(value: unknown): number | undefined {
  const a = getAnchor();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return now();
    return value >= EPOCH_MILLIS_THRESHOLD ? value - a.epochMillis : value - a.perf;
  }
  try {
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isFinite(ms) ? ms - a.epochMillis : now();
    }
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number") {
      // Subtract in whole milliseconds first so the large values cancel exactly.
      return value[0] * 1000 - a.epochMillis + value[1] / 1e6;
    }
  } catch {
    // A throwing or revoked Proxy: not a time (recording never throws).
  }
  return undefined;
}

/**
 * A nanosecond timestamp split so that neither part loses precision in a double:
 * whole milliseconds since the epoch and the nanoseconds (0–999999) within that millisecond.
 * The decimal text is `millis` followed by `nanos` padded to 6 digits, or `nanos` alone when
 * `millis` is 0. Filled by {@link epochNanosParts} (an out-parameter, so the hot encoding
 * path allocates nothing per timestamp).
 */
export interface EpochNanosParts {
  millis: number;
  nanos: number;
}

/**
 * Anchor-relative milliseconds → nanoseconds since the Unix epoch, as {@link EpochNanosParts}
 * written into `out` (exact; no float rounding of the 19-digit value). Times before the
 * epoch clamp to 0; times past the end of `fixed64` to 2^64 - 1.
 */
export function epochNanosParts(time: number, out: EpochNanosParts): void {
  const a = getAnchor();
  let whole = Math.floor(time);
  let nanos = Math.round((time - whole) * 1e6);
  if (nanos >= 1e6) {
    whole += 1;
    nanos -= 1e6;
  }
  const millis = a.epochMillis + whole;
  if (millis < 0 || millis !== millis) {
    out.millis = 0;
    out.nanos = 0;
  } else if (millis >= MAX_EPOCH_MILLIS) {
    // fixed64 nanoseconds end at 2^64 - 1 = 18446744073709|551615 (year 2554); a later time (a
    // bogus number passed as a timestamp) is clamped there rather than sent as a value the
    // protobuf decoder wraps around.
    out.millis = MAX_EPOCH_MILLIS;
    out.nanos = MAX_EPOCH_NANOS_REST;
  } else {
    out.millis = millis;
    out.nanos = nanos;
  }
}

const scratchParts: EpochNanosParts = { millis: 0, nanos: 0 };

/**
 * Anchor-relative milliseconds → nanoseconds since the Unix epoch, as a decimal string
 * (exact; no float rounding of the 19-digit value). Times before the epoch clamp to "0".
 */
export function toEpochNanos(time: number): string {
  epochNanosParts(time, scratchParts);
  const n = String(scratchParts.nanos);
  if (scratchParts.millis === 0) return n;
  return String(scratchParts.millis) + "000000".slice(n.length) + n;
}

const MAX_EPOCH_MILLIS = 18446744073709;
const MAX_EPOCH_NANOS_REST = 551615;

/** Anchor-relative milliseconds → (fractional) epoch milliseconds, for display. */
export function toEpochMillis(time: number): number {
  return getAnchor().epochMillis + time;
}

/** Anchor-relative milliseconds → {@link HrTime}. */
export function toHrTime(time: number): HrTime {
  const a = getAnchor();
  const whole = Math.floor(time);
  const millis = a.epochMillis + whole;
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1e6 + Math.round((time - whole) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
