/**
 * Time, as the product keeps it (src/common/time.ts): milliseconds since an anchor taken on
 * first use (`Date.now()` + a `performance.now()` delta: monotonic, no drift between a span's
 * start and end), and on export a decimal string of epoch nanoseconds built without float
 * arithmetic on the 19-digit value (OTLP fixed64; proto3 JSON writes it as a string).
 */
import type { TimeInput } from "./contract.ts";

let epoch: number | undefined; // integer wall-clock ms at the anchor
let perf0 = 0; // performance.now() at the anchor
const clock = (): number => (globalThis.performance ?? Date).now();
const anchor = (): number => (epoch ??= (perf0 = clock(), Date.now()));

/** Now, in ms since the anchor. */
export const now = (): number => (anchor(), clock() - perf0);

/**
 * A caller's time (epoch ms, a `performance.now()` reading, a `Date`, `[s, ns]`) in ms since the
 * anchor; `undefined` when `value` has no time's shape (so `addEvent` can tell time from
 * attributes). A non-finite number or an invalid Date reads as now.
 */
export function timeOf(value: unknown): number | undefined {
  const e = anchor();
  try {
    if (value instanceof Date) value = value.getTime();
    if (typeof value == "number") return value != value || value == 1 / 0 || value == -1 / 0 ? now() : value >= 1e11 ? value - e : value - perf0;
    if (Array.isArray(value) && value.length == 2 && typeof value[0] == "number" && typeof value[1] == "number") return value[0] * 1e3 - e + value[1] / 1e6;
  } catch {}
}

/** A caller's time, or now when absent or not a time. */
export const toTime = (input?: TimeInput): number => (input == null ? undefined : timeOf(input)) ?? now();

/** ms since the anchor → epoch nanoseconds as a decimal string, clamped to [0, 2^64 - 1]. */
export function toEpochNanos(time: number): string {
  let ms = Math.floor(time);
  let ns = Math.round((time - ms) * 1e6);
  if (ns >= 1e6) ms++, (ns -= 1e6);
  ms += anchor();
  if (!(ms >= 0)) return "0";
  if (ms >= 18446744073709) return "18446744073709551615";
  return ms ? ms + String(ns).padStart(6, "0") : String(ns);
}
