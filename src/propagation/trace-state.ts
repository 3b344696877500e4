/**
 * The W3C `tracestate` header as an immutable {@link TraceState}, per W3C Trace Context
 * Level 2 §3.3 (https://www.w3.org/TR/trace-context-2/#tracestate-header).
 *
 * An invalid list member or more than 32 members make the whole header invalid, and the
 * result is an empty TraceState (§3.3.1.2 list, as the official test suite checks). A key
 * that repeats keeps its first occurrence and the rest of the header (see `parse`). Empty
 * (whitespace-only) members are allowed and ignored (§3.3.1.1). Validation uses
 * length-bounded regexes without nested quantifiers, so a hostile 1 MB header costs linear time.
 */
import { diagOnce } from "../common/diag.ts";
import type { TraceState } from "../trace/span-context.ts";
import { forEachListMember } from "./ows.ts";

/** Most list members a tracestate may carry (§3.3.1.2 list: `list-member 0*31(...)`). */
export const TRACE_STATE_MAX_MEMBERS = 32;
/** Serialized length vendors must propagate; longer values are truncated (§3.3.1.5 tracestate Limits). */
export const TRACE_STATE_MAX_LENGTH = 512;

type Entry = readonly [key: string, value: string];

// Level 2 §3.3.1.3.1 Key (https://www.w3.org/TR/trace-context-2/#key):
//   key     = ( lcalpha / DIGIT ) 0*255 ( keychar )
//   keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
// One character class, length-bounded: linear, nothing to backtrack into. Level 1's
// `tenant@system` key (241 + 14 characters) is a special case; Level 2 also accepts `foo@`,
// `a@b@c` and a `t…@v…` key of any split up to 256 characters.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// chr = printable ASCII except "," and "="; the last one (nblk-chr) also not a space (§3.3.1.3.2).
const VALUE = /^[ -+\--<>-~]{0,255}[!-+\--<>-~]$/;

/**
 * True for a valid tracestate key (Level 2 §3.3.1.3.1): a lowercase letter or a digit, then up
 * to 255 of lowercase letters, digits, `_`, `-`, `*`, `/` and `@`.
 */
export function isValidTraceStateKey(key: string): boolean {
  return typeof key === "string" && KEY.test(key);
}

/**
 * True for a valid tracestate value (§3.3.1.3.2): `value = 0*255(chr) nblk-chr`, where
 * `nblk-chr` is printable ASCII except `,` and `=`, and `chr` also allows a space.
 */
export function isValidTraceStateValue(value: string): boolean {
  return typeof value === "string" && VALUE.test(value);
}

/** A TraceState over `entries`, left-most first. */
function traceState(entries: readonly Entry[]): TraceState {
  const without = (key: string): Entry[] => entries.filter((e) => e[0] !== key);
  const self: TraceState = {
    set(key, value) {
      if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) {
        diagOnce("warn", "TraceState.set: ignored an invalid key or value (W3C Trace Context Level 2 §3.3.1.3).");
        return self;
      }
      // A modified key moves to the front; past 32 members the right-most is removed (§3.5
      // Mutating the tracestate Field).
      return traceState([[key, value] as const, ...without(key)].slice(0, TRACE_STATE_MAX_MEMBERS));
    },
    unset(key) {
      const next = without(key);
      return next.length === entries.length ? self : traceState(next);
    },
    get(key) {
      return entries.find((e) => e[0] === key)?.[1];
    },
    // §3.3.1.5 tracestate Limits: while the serialized form exceeds 512 characters, remove the
    // right-most member longer than 128 characters; when none is left, members from the right.
    serialize() {
      const out = entries.map((e) => e.join("="));
      let total = out.join(",").length;
      for (let i = out.length; i-- > 0 && total > TRACE_STATE_MAX_LENGTH; ) {
        if (out[i]!.length > 128) total -= out.splice(i, 1)[0]!.length + 1;
      }
      while (total > TRACE_STATE_MAX_LENGTH) total -= out.pop()!.length + 1;
      return out.join(",");
    },
  };
  return self;
}

/**
 * The empty {@link TraceState}. Code that only builds a tracestate up (samplers) starts from
 * it instead of `createTraceState()`, so bundles without a propagator leave the parser out.
 */
export const EMPTY_TRACE_STATE: TraceState = /* @__PURE__ */ traceState([]);

/**
 * Creates a {@link TraceState}, optionally parsed from a `tracestate` header value.
 * An invalid header yields an empty TraceState (reported once to `diag`); never throws.
 *
 * A repeated key: only one entry per key is allowed (§3.3.1.4 Combined Header Value), but a
 * repeat is what a proxy merging two `tracestate` headers, or one vendor's bug, produces, and
 * discarding the whole header for it would drop every other vendor's entry. So the first
 * occurrence is kept (entries are added on the left, so it is the most recent position) and
 * the later ones are dropped, a deletion §3.5 allows ("Any key/value pair MAY be deleted").
 * Repeats still count toward the 32 members of the list grammar (§3.3.1.2).
 *
 * @example
 * ```ts
 * const ts = createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
 * ts.set("ot", "th:8").serialize(); // "ot=th:8,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
 * ```
 */
export function createTraceState(raw?: string): TraceState {
  const entries: Entry[] = [];
  let members = 0;
  let invalid = typeof raw !== "string" && raw != null;
  // Empty list members are allowed (§3.3.1.1) and skipped.
  if (!invalid && raw) {
    forEachListMember(raw, (member) => {
      const eq = member.indexOf("=");
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      // A 33rd member, or a member that is not `key=value`: the header is invalid.
      if (++members > TRACE_STATE_MAX_MEMBERS || eq < 0 || !isValidTraceStateKey(key) || !isValidTraceStateValue(value)) {
        return (invalid = true);
      }
      // A repeated key: the first occurrence stands (see above). At most 32 entries to look through.
      if (!entries.some((e) => e[0] === key)) entries.push([key, value]);
    });
  }
  if (invalid) diagOnce("debug", "Discarded an invalid tracestate header (W3C Trace Context §3.3).");
  return invalid || !entries.length ? EMPTY_TRACE_STATE : traceState(entries);
}
