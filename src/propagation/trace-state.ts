/**
 * The W3C `tracestate` header as an immutable {@link TraceState}, per W3C Trace Context
 * Level 2 §3.3 (https://www.w3.org/TR/trace-context-2/#tracestate-header).
 *
 * One member grammar (`key=value`, {@link MEMBER}) serves parsing and `set`. An invalid list
 * member or more than 32 members make the whole header invalid, and the result is an empty
 * TraceState (§3.3.1.2 list, as the official test suite checks). A key that repeats keeps its
 * first occurrence and the rest of the header (see {@link createTraceState}). Empty
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

// list-member = key "=" value (Level 2 §3.3.1.3):
//   key     = ( lcalpha / DIGIT ) 0*255 ( keychar ), keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//   value   = 0*255 ( chr ) nblk-chr: printable ASCII but "," and "=", the last one not a space
// Level 1's `tenant@system` key (241 + 14 characters) is a special case of the key; Level 2
// also accepts `foo@`, `a@b@c` and a `t…@v…` key of any split up to 256 characters. Neither
// part holds "=", so the first "=" splits; one character class per part, length-bounded:
// linear, nothing to backtrack into.
const MEMBER = /^([a-z\d][a-z\d_\-*/@]{0,255})=([ -+\--<>-~]{0,255}[!-+\--<>-~])$/;

const isString = (x: unknown): x is string => typeof x === "string";

/** The key and value of a valid `key=value` list member, or null. */
const member = (key: unknown, value: unknown): RegExpExecArray | null => (isString(key) && isString(value) ? MEMBER.exec(key + "=" + value) : null);

/**
 * True for a valid tracestate key (Level 2 §3.3.1.3.1): a lowercase letter or a digit, then up
 * to 255 of lowercase letters, digits, `_`, `-`, `*`, `/` and `@`.
 */
export function isValidTraceStateKey(key: string): boolean {
  return !!member(key, "v");
}

/**
 * True for a valid tracestate value (§3.3.1.3.2): `value = 0*255(chr) nblk-chr`, where
 * `nblk-chr` is printable ASCII except `,` and `=`, and `chr` also allows a space.
 */
export function isValidTraceStateValue(value: string): boolean {
  return !!member("k", value);
}

/** A TraceState over `entries` (key → value, left-most first), which it owns. */
function traceState(entries: Map<string, string>): TraceState {
  const without = (key: string): [string, string][] => [...entries].filter((e) => e[0] !== key);
  const self: TraceState = {
    // A modified key moves to the front; past 32 members the right-most is removed (§3.5
    // Mutating the tracestate Field).
    set: (key, value) =>
      member(key, value)
        ? traceState(new Map([[key, value] as [string, string], ...without(key)].slice(0, TRACE_STATE_MAX_MEMBERS)))
        : (diagOnce("warn", "TraceState.set: ignored an invalid key or value."), self),
    unset: (key) => (entries.has(key) ? traceState(new Map(without(key))) : self),
    get: (key) => entries.get(key),
    // §3.3.1.5 tracestate Limits: while the serialized form exceeds 512 characters, remove the
    // right-most member longer than 128 characters; when none is left, members from the right.
    serialize() {
      const out = [...entries].map((e) => e.join("="));
      for (let i = out.length; out.join().length > TRACE_STATE_MAX_LENGTH; ) --i < 0 ? out.pop() : out[i]!.length > 128 && out.splice(i, 1);
      return out.join();
    },
  };
  return self;
}

/**
 * The empty {@link TraceState}. Code that only builds a tracestate up (samplers) starts from
 * it instead of `createTraceState()`, so bundles without a propagator leave the parser out.
 */
export const EMPTY_TRACE_STATE: TraceState = /* @__PURE__ */ traceState(/* @__PURE__ */ new Map());

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
  const entries = new Map<string, string>();
  let members = 0;
  let invalid = !isString(raw) && raw != null;
  if (raw && !invalid) {
    // Empty list members are allowed (§3.3.1.1) and skipped; a 33rd member or one that is not
    // `key=value` makes the header invalid.
    forEachListMember(raw, (text) => {
      const m = ++members <= TRACE_STATE_MAX_MEMBERS && MEMBER.exec(text);
      if (!m) return (invalid = true);
      if (!entries.has(m[1]!)) entries.set(m[1]!, m[2]!);
    });
  }
  if (invalid) diagOnce("debug", "Discarded an invalid tracestate header.");
  return invalid || !entries.size ? EMPTY_TRACE_STATE : traceState(entries);
}
