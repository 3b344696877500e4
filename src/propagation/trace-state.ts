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
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import type { TraceState } from "../trace/span-context.ts";
import { forEachListMember } from "./ows.ts";

/** Most list members a tracestate may carry (§3.3.1.2 list: `list-member 0*31(...)`). */
export const TRACE_STATE_MAX_MEMBERS = 32;
/** Serialized length vendors must propagate; longer values are truncated (§3.3.1.5 tracestate Limits). */
export const TRACE_STATE_MAX_LENGTH = 512;
/** Members longer than this are dropped first when truncating (§3.3.1.5). */
const TRUNCATE_FIRST_OVER = 128;

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

/**
 * Parses a header value; undefined when the header is invalid and must be discarded.
 *
 * A repeated key: only one entry per key is allowed (§3.3.1.4 Combined Header Value), but a
 * repeat is what a proxy merging two `tracestate` headers, or one vendor's bug, produces, and
 * discarding the whole header for it would drop every other vendor's entry. So the first
 * occurrence is kept (entries are added on the left, so it is the most recent position) and
 * the later ones are dropped, a deletion §3.5 allows ("Any key/value pair MAY be deleted").
 * Repeats still count toward the 32 members of the list grammar (§3.3.1.2).
 */
function parse(raw: string): Entry[] | undefined {
  const entries: Entry[] = [];
  let members = 0;
  let invalid = false;
  // Empty list members are allowed (§3.3.1.1) and skipped.
  forEachListMember(raw, (member) => {
    const eq = member.indexOf("=");
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    // A 33rd member, or a member that is not `key=value`.
    if (++members > TRACE_STATE_MAX_MEMBERS || eq === -1 || !isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return (invalid = true);
    // A repeated key: the first occurrence stands (see above). At most 32 entries to look through.
    if (!entries.some((e) => e[0] === key)) entries.push([key, value]);
  });
  return invalid ? undefined : entries;
}

/**
 * Applies the §3.3.1.5 truncation rule: while the serialized form exceeds 512 characters,
 * remove the right-most member longer than 128 characters; when none is left, remove
 * members from the right.
 */
function truncate(entries: readonly Entry[]): readonly Entry[] {
  const size = (e: Entry): number => e[0].length + 1 + e[1].length;
  // Serialized length: the members plus a "," before each but the first.
  let total = entries.reduce((sum, e) => sum + size(e) + 1, -1);
  if (total <= TRACE_STATE_MAX_LENGTH) return entries;
  const out = entries.slice();
  for (let i = out.length - 1; i >= 0 && total > TRACE_STATE_MAX_LENGTH; i--) {
    if (size(out[i]!) > TRUNCATE_FIRST_OVER) total -= size(out.splice(i, 1)[0]!) + 1;
  }
  while (total > TRACE_STATE_MAX_LENGTH) total -= size(out.pop()!) + 1;
  return out;
}

class W3CTraceState implements TraceState {
  readonly #entries: readonly Entry[];

  constructor(entries: readonly Entry[]) {
    this.#entries = entries;
  }

  set(key: string, value: string): TraceState {
    if (!isValidTraceStateKey(key)) {
      diagOnce("warn", "tracestate.set.key", `TraceState.set: ignoring invalid key ${JSON.stringify(describe(key).slice(0, 64))} (W3C Trace Context Level 2 §3.3.1.3.1).`);
      return this;
    }
    if (!isValidTraceStateValue(value)) {
      diagOnce("warn", "tracestate.set.value", `TraceState.set: ignoring invalid value for key "${key}" (W3C Trace Context §3.3.1.3.2).`);
      return this;
    }
    // A modified key moves to the front; past 32 members the right-most is removed (§3.5
    // Mutating the tracestate Field).
    const next: Entry[] = [[key, value], ...this.#entries.filter((e) => e[0] !== key)];
    return new W3CTraceState(next.slice(0, TRACE_STATE_MAX_MEMBERS));
  }

  unset(key: string): TraceState {
    const next = this.#entries.filter((e) => e[0] !== key);
    return next.length === this.#entries.length ? this : new W3CTraceState(next);
  }

  get(key: string): string | undefined {
    return this.#entries.find((e) => e[0] === key)?.[1];
  }

  serialize(): string {
    return truncate(this.#entries)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  }
}

/**
 * The empty {@link TraceState}. Code that only builds a tracestate up (samplers) starts from
 * it instead of `createTraceState()`, so bundles without a propagator leave the parser out.
 */
export const EMPTY_TRACE_STATE: TraceState = /* @__PURE__ */ new W3CTraceState([]);
const EMPTY = EMPTY_TRACE_STATE;

/**
 * Creates a {@link TraceState}, optionally parsed from a `tracestate` header value.
 * An invalid header yields an empty TraceState (reported once to `diag`); never throws.
 *
 * @example
 * ```ts
 * const ts = createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
 * ts.set("ot", "th:8").serialize(); // "ot=th:8,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
 * ```
 */
export function createTraceState(raw?: string): TraceState {
  if (raw === undefined || raw === null || raw === "") return EMPTY;
  // A non-string (which the type rules out) is as invalid as a malformed header.
  const entries = typeof raw === "string" ? parse(raw) : undefined;
  if (entries === undefined) {
    diagOnce("debug", "tracestate.invalid", "Discarding an invalid tracestate header (W3C Trace Context §3.3).");
    return EMPTY;
  }
  return entries.length === 0 ? EMPTY : new W3CTraceState(entries);
}
