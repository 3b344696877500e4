/**
 * The OpenTelemetry `ot` entry of the W3C tracestate (spec: "TraceState Handling",
 * https://opentelemetry.io/docs/specs/otel/trace/tracestate-handling/): one entry,
 * `ot=key:value;key:value`, holding the sampling threshold `th` and the explicit
 * randomness `rv`. Setting a sub-key keeps every other sub-key and every other vendor's
 * entry; if the result would exceed 256 characters the update is abandoned, as advised.
 */
import { diagOnce } from "../../common/diag.ts";
import type { TraceState } from "../span-context.ts";
import { isValidRandomness, thToThreshold } from "./threshold.ts";

/** The tracestate key OpenTelemetry owns. */
export const OT_KEY = "ot";
/** Longest `ot` value the spec allows. */
const OT_MAX_LENGTH = 256;

/** The `;`-separated sub-key entries (`key:value`) of the `ot` entry of `traceState`; none without one. */
function otEntries(traceState: TraceState | undefined): readonly string[] {
  return traceState?.get(OT_KEY)?.split(";") ?? NO_ENTRIES;
}
// Shared, so a sampling decision without an `ot` entry (the common case) allocates nothing.
const NO_ENTRIES: readonly string[] = [];

/** Whether `entry` (`key:value`) is sub-key `key`. */
function isSubKey(entry: string, key: string): boolean {
  return entry.startsWith(key) && entry.charCodeAt(key.length) === 0x3a; /* ":" */
}

/** The value of sub-key `key` in the `ot` entry of `traceState`, if present. */
export function getOtSubKey(traceState: TraceState | undefined, key: string): string | undefined {
  for (const entry of otEntries(traceState)) if (isSubKey(entry, key)) return entry.slice(key.length + 1);
  return undefined;
}

/**
 * `traceState` without the sub-key `key` in its `ot` entry (the entry itself is removed when
 * nothing is left in it; other sub-keys and entries are kept); the same object when there is
 * no such sub-key.
 */
export function eraseOtSubKey(traceState: TraceState | undefined, key: string): TraceState | undefined {
  if (getOtSubKey(traceState, key) === undefined) return traceState;
  const next = otEntries(traceState).filter((entry) => entry !== "" && !isSubKey(entry, key)).join(";");
  return next === "" ? traceState?.unset(OT_KEY) : traceState?.set(OT_KEY, next);
}

/**
 * A tracestate with sub-key `key` of the `ot` entry set to `value` (placed first) or, when
 * `value` is undefined, removed ({@link eraseOtSubKey}). Other sub-keys and other entries are
 * kept. Returns `traceState` unchanged when nothing changes or when the new value would be
 * invalid (over 256 characters, reported once).
 *
 * To add an entry where there is no tracestate yet, pass `EMPTY_TRACE_STATE`: with `undefined`
 * there is nothing to set it on (the result is `undefined`). The empty tracestate stays the
 * caller's import so that the samplers that only erase a sub-key (ParentBased, RateLimiting)
 * do not pull the TraceState class into a bundle that never parses or builds a tracestate;
 * they call {@link eraseOtSubKey}, so they do not carry the setting path either.
 */
export function setOtSubKey(traceState: TraceState | undefined, key: string, value: string | undefined): TraceState | undefined {
  if (value === undefined) return eraseOtSubKey(traceState, key);
  const entry = `${key}:${value}`;
  const parts: string[] = [entry];
  for (const part of otEntries(traceState)) {
    if (part === entry) return traceState; // already set
    if (part !== "" && !isSubKey(part, key)) parts.push(part);
  }
  const next = parts.join(";");
  if (next.length > OT_MAX_LENGTH) {
    diagOnce("warn", "sampler.ot.too-long", `Not updating the "ot" tracestate entry: it would exceed ${OT_MAX_LENGTH} characters (OpenTelemetry TraceState Handling).`);
    return traceState;
  }
  return traceState?.set(OT_KEY, next);
}

/**
 * The 56-bit randomness R of a trace as 14 lowercase hex digits: the `rv` sub-key of the
 * `ot` entry when present and valid, otherwise the rightmost 7 bytes of the trace id
 * (spec: "Presumption of TraceID randomness"). An invalid `rv` is reported once and ignored.
 */
export function randomnessOf(traceId: string, traceState: TraceState | undefined): string {
  const rv = getOtSubKey(traceState, "rv");
  if (rv !== undefined) {
    if (isValidRandomness(rv)) return rv;
    diagOnce("warn", "sampler.ot.rv", `Ignored explicit randomness "ot=rv:${rv.slice(0, 32)}": not 14 lowercase hex digits; using the trace id.`);
  }
  return traceId.slice(traceId.length - 14);
}

/** The 14-digit threshold from the `th` sub-key of the `ot` entry, or undefined when absent/invalid. */
export function thresholdOf(traceState: TraceState | undefined): string | undefined {
  return thToThreshold(getOtSubKey(traceState, "th"));
}
