/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`) in one text-map
 * propagator, for the size-first core. Same outcomes as the product's composite of
 * `W3CTraceContextPropagator` + `W3CBaggagePropagator` with the default getter/setter
 * (src/propagation/), in a fraction of the bytes: one member grammar per header, one list
 * scanner, plain closures.
 *
 * - https://www.w3.org/TR/trace-context-2/ §3.2 traceparent, §3.3 tracestate, §3.5 mutation
 * - https://www.w3.org/TR/baggage/ §3.3.1 grammar, §3.3.2 limits (64 members, 8192 bytes)
 *
 * Every parse is a linear scan with anchored, length-bounded regexes (no nested quantifiers),
 * so a hostile 1 MiB header costs linear time. Nothing here throws into the app: a carrier,
 * getter or setter that throws loses only the step it broke, reported once.
 *
 * The product's propagation layer (src/propagation/) was rebuilt on this design (one member
 * grammar per header, TraceState and Baggage as closures over a Map, header order kept), with
 * the product's behaviours where this module deviates (Map carriers read case-insensitively,
 * entries without `metadata` carry no such key, `end()` of the extracted span returns
 * undefined, invalid incoming headers reported at debug, a carrier that throws on `tracestate`
 * keeps the traceparent). This copy is kept because the product's public API (the propagator
 * classes, `CompositePropagator`, `TextMapGetter.keys`, the tracer's `NonRecordingSpan` with
 * deferred ids) costs the lean program more: re-exporting the product's composite of
 * `W3CTraceContextPropagator` + `W3CBaggagePropagator` with the default getter/setter here made
 * bench/lean/program.ts 31817 B min / 13041 B gzip against 25462 / 10931 (+6355 B min, +2110 B
 * gzip), measured 2026-12-07.
 */
import type { Baggage, BaggageEntry } from "../../src/propagation/baggage.ts";
import type { Context, Propagation, Span, SpanContext, TextMapGetter, TextMapSetter, TraceState } from "./contract.ts";
import { BAGGAGE_KEY, SPAN_KEY, SUPPRESS_KEY } from "./context-core.ts";
import { warnOnce } from "./diag.ts";

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
const BAGGAGE = "baggage";

/** Reports, once per kind, what was dropped: an invalid or over-limit header, or what a throwing carrier held. */
const dropped = (what: string): void => warnOnce("propagation: dropped " + what);

const isString = (x: unknown): x is string => typeof x == "string";

/** `f()`, or nothing when it throws (a hostile carrier, getter, setter or span): reported once. */
const guard = (f: () => void): void => {
  try {
    f();
  } catch {
    dropped("a step: carrier threw");
  }
};

// OWS = SP / HTAB (RFC 9110 §5.6.3) is the only white space trimmed (`trim()` strips more
// than HTTP allows). Both regexes fail at once on a position they cannot start from and
// backtrack only over trailing OWS: linear on any input, where `/[ \t]+$/` is quadratic on a
// long inner run of spaces.
/** `s` without leading and trailing OWS. */
export const trim = (s: string): string => (s.match(/[^ \t]([^]*[^ \t])?/) || [""])[0];

/** The non-empty OWS-trimmed members of a comma-separated list (RFC 9110 §5.6.1: empty ones are skipped). */
const list = (s: string): string[] => s.match(/[^, \t]([^,]*[^, \t])?/g) || [];

// ---- carriers ------------------------------------------------------------------------------

/** The keys of a plain-object carrier named `name` but for case (field names are case-insensitive, RFC 9110 §5.1). */
const named = (carrier: object, name: string): string[] => Object.keys(carrier).filter((k) => k.toLowerCase() == name);

/** The default setter: `Headers` (or anything with `set`), else a plain object, whose other-cased copies of the field go first so it is sent once. */
export const defaultSetter: TextMapSetter = {
  set(carrier: any, name, value) {
    guard(() => {
      if (typeof carrier.set == "function") return carrier.set(name, value);
      for (const k of named(carrier, name)) delete carrier[k];
      carrier[name] = value;
    });
  },
};

/**
 * The string values of `name` in `carrier`, by `getter` (which may answer a string, an array of
 * them, or nothing) or by default from a fetch `Headers` (or anything with `get`: its own
 * lookup, which joins repeated lines with ", "), else a plain object such as Node's
 * `IncomingHttpHeaders`, where keys differing only by case are repeated field lines, as the
 * product's `defaultTextMapGetter` reports them. A carrier that throws is caught by the caller.
 */
export const read = (getter: TextMapGetter | undefined, carrier: any, name: string): string[] =>
  ([] as unknown[])
    .concat(...(getter ? [getter.get(carrier, name)] : typeof carrier?.get == "function" ? [carrier.get(name)] : named(Object(carrier), name).map((k) => carrier[k])))
    .filter(isString);

// ---- traceparent (Trace Context §3.2) ------------------------------------------------------

// version "-" trace-id "-" parent-id "-" trace-flags, then the end or "-" (§3.2.4: a future
// version may append fields). Lowercase hex only; version ff and all-zero ids are invalid
// (§3.2.2). Fixed-length groups, anchored: constant work whatever the input's length.
const TRACEPARENT_RE = /^(?!ff)([\da-f]{2})-(?!0{32})([\da-f]{32})-(?!0{16})([\da-f]{16})-([\da-f]{2})(-|$)/;

/** The remote span context in a `traceparent` value (OWS-trimmed), or undefined when it must be ignored. */
const parseTraceParent = (value: unknown): SpanContext | undefined => {
  const m = isString(value) && TRACEPARENT_RE.exec((value = trim(value)));
  // Version 00 is exactly 55 characters; of a future version's flags only "sampled" is known (§3.2.4).
  if (m && (m[1] != "00" || !m[5])) return { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & (m[1] == "00" ? 255 : 1), isRemote: true };
};

// ---- tracestate (Trace Context Level 2 §3.3) -----------------------------------------------

// list-member = key "=" value. key = (lcalpha / DIGIT) 0*255(keychar), keychar = lcalpha /
// DIGIT / "_" / "-" / "*" / "/" / "@" (§3.3.1.3.1, which also covers Level 1's tenant@system);
// value = 0*255(chr) nblk-chr, printable ASCII but "," and "=", not ending in a space (§3.3.1.3.2).
const MEMBER_RE = /^([a-z\d][a-z\d_\-*/@]{0,255})=([ -+\--<>-~]{0,255}[!-+\--<>-~])$/;

/** An immutable TraceState over `members` (left-most first). */
const traceState = (members: Map<string, string>): TraceState => {
  const without = (key: string) => [...members].filter((e) => e[0] !== key);
  const self: TraceState = {
    get: (key) => members.get(key),
    // §3.5: a modified key moves to the front; past 32 members the right-most goes.
    set: (key, value) =>
      isString(key) && isString(value) && MEMBER_RE.test(key + "=" + value)
        ? traceState(new Map([[key, value] as [string, string], ...without(key)].slice(0, 32)))
        : (dropped(TRACESTATE), self),
    unset: (key) => (members.has(key) ? traceState(new Map(without(key))) : self),
    // §3.3.1.5 limits: past 512 characters, drop the right-most members longer than 128
    // characters, then members from the right, until it fits.
    serialize() {
      const out = [...members].map((e) => e.join("="));
      for (let i = out.length; out.join().length > 512; ) --i < 0 ? out.pop() : out[i]!.length > 128 && out.splice(i, 1);
      return out.join();
    },
  };
  return self;
};

/**
 * A TraceState, parsed from a `tracestate` value when given. An invalid member or more than 32
 * members invalidate the whole header (§3.3.1.2), which gives an empty TraceState; a repeated
 * key keeps its first occurrence (a deletion §3.5 allows) and still counts toward the 32.
 */
export const createTraceState = (text?: string): TraceState => {
  const members = new Map<string, string>();
  const all = list(String(text ?? ""));
  const ok =
    all.length < 33 &&
    all.every((member) => {
      const m = MEMBER_RE.exec(member);
      if (m && !members.has(m[1]!)) members.set(m[1]!, m[2]!);
      return m;
    });
  if (!ok) dropped(TRACESTATE);
  return traceState(ok ? members : new Map());
};

// ---- the span an extracted context carries -------------------------------------------------

/**
 * What users may call on `trace.getActiveSpan()` of an extracted context: every Span method,
 * doing nothing (`isRecording()` false; the others return the span, as the setters must).
 */
// Pure: a program that never extracts (the browser's) drops it.
const NON_RECORDING = /* @__PURE__ */ Object.fromEntries(
  /* @__PURE__ */ "setAttribute setAttributes addEvent addLink addLinks setStatus updateName end recordException isRecording"
    .split(" ")
    .map((name) => [name, name == "isRecording" ? () => false : function (this: Span) { return this; }]),
);

/**
 * A span that records nothing and carries `spanContext` (what `trace.wrapSpanContext` gives).
 * Exported so the tracer can make its sampled-out spans with it instead of a second copy.
 */
export const nonRecordingSpan = (spanContext: SpanContext): Span => ({ ...NON_RECORDING, spanContext: () => spanContext }) as Span;

// ---- baggage (W3C Baggage §3.3) ------------------------------------------------------------

// key OWS [ "=" OWS value ]: a property, or with "=" a list-member's key-value; key = token
// (RFC 9110 §5.6.2 tchar), value = *baggage-octet (%x21 / %x23-2B / %x2D-3A / %x3C-5B /
// %x5D-7E). Neither holds SP, HTAB or "=", so each quantifier ends where the next starts:
// linear, nothing to backtrack into.
const PART_RE = /^([!#-'*+\-.\dA-Z^-z|~]+)[ \t]*(?:(=)[ \t]*([!#-+\--:<-[\]-~]*))?$/;

/**
 * `;`-separated properties in normal form, empty ones and OWS removed (a valid property holds
 * OWS only around its "="); undefined when one is invalid.
 */
const properties = (parts: string[]): string | undefined =>
  (parts = parts.map(trim).filter(Boolean)).every((p) => PART_RE.test(p)) ? parts.join(";").replace(/[ \t]/g, "") : undefined;

/**
 * `s` percent-encoded (UTF-8) outside `allowed`, and "%" always (§3.3.1.4.2), so any string
 * round-trips; throws on a lone surrogate (no UTF-8 form).
 */
const encode = (s: string, allowed: RegExp): string => s.replace(allowed, encodeURIComponent);

/** A private copy of an entry (entries handed in or out cannot change a Baggage); undefined for a non-entry. */
const copy = (e: BaggageEntry | undefined): BaggageEntry | undefined => (isString(e?.value) ? { value: e.value, metadata: e.metadata } : undefined);

/** An immutable Baggage (the OTel Baggage API, as `propagation.getBaggage()` returns it) over `entries`, which it owns. */
const baggage = (entries: Map<string, BaggageEntry>): Baggage => {
  const remove = (...keys: string[]) => baggage(new Map([...entries].filter((e) => !keys.includes(e[0]))));
  const self: Baggage = {
    getEntry: (key) => copy(entries.get(key)),
    getAllEntries: () => [...entries].map(([k, e]) => [k, copy(e)!]),
    setEntry: (key, entry) => ((entry = copy(entry)!) && isString(key) ? baggage(new Map(entries).set(key, entry)) : (dropped(BAGGAGE), self)),
    removeEntry: remove,
    removeEntries: remove,
    clear: () => baggage(new Map()),
  };
  return self;
};

/** Baggage from a `baggage` value: valid members within the limits; any other member dropped alone. */
const parseBaggage = (header: string): Baggage | undefined => {
  const entries = new Map<string, BaggageEntry>();
  let bytes = -1; // of the members kept, joined with ","
  let lost: unknown;
  for (const member of list(header)) {
    // §3.3.2: at most 64 members (the scan stops) and 8192 bytes (a smaller member may still fit).
    if (entries.size > 63) {
      lost = 1;
      break;
    }
    let parts: string[] | undefined;
    let key: string | undefined;
    let value: string;
    // A member past 8192 bytes is not even parsed: a long header of valid members costs little.
    const m = bytes + member.length < 8192 && PART_RE.exec(trim((parts = member.split(";"))[0]!));
    const props = m && m[2] ? properties(parts!.slice(1)) : undefined;
    try {
      // Values, and like @opentelemetry/core keys, are percent-decoded (§3.3.1.4.2); a broken
      // escape drops the member. Only tried on a well-formed member: exceptions are slow.
      if (m && props != null) (value = decodeURIComponent(m[3]!)), (key = decodeURIComponent(m[1]!)); // key last: a throw leaves it unset
    } catch {}
    if (!key) lost = 1;
    else {
      entries.set(key, { value: value!, metadata: props ? { __TYPE__: BAGGAGE_KEY as never, toString: () => props } : undefined });
      bytes += 1 + member.length;
    }
  }
  if (lost) dropped(BAGGAGE);
  return entries.size ? baggage(entries) : undefined;
};

/** The `baggage` value for `bag`: members that have a wire form, in order, within the limits. */
const serializeBaggage = (bag: Baggage): string => {
  const out: string[] = [];
  let bytes = -1; // out.join().length
  for (const [key, entry] of bag.getAllEntries()) {
    let member: string | undefined;
    let meta: unknown;
    try {
      // encodeURIComponent leaves "(" and ")", which a key must not hold: `escape` gives their %XX.
      member = encode(key, /[^!#$&'*+\-.\dA-Z^-z|~]/gu).replace(/[()]/g, escape) + "=" + encode(entry.value, /[^!#$&-+\--:<-[\]-~]/gu);
      meta = entry.metadata?.toString(); // user metadata whose toString throws: sent without it
    } catch {}
    // Metadata set in code is free text: sent only when it is a property list (§3.3.1), normalised.
    const props = isString(meta) ? properties(meta.split(";")) : "";
    if (member && props) member += ";" + props;
    // No wire form (an empty key, a lone surrogate, not a string), or past the limits: not
    // sent; a smaller entry further on may still fit.
    const ok = member && member[0] != "=" && out.length < 64 && bytes + 1 + member.length <= 8192;
    if (ok) bytes += out.push(member!) && 1 + member!.length;
    if (!ok || props == null) dropped(BAGGAGE);
  }
  return out.join();
};

// ---- the propagator ------------------------------------------------------------------------
// W3C Trace Context + W3C Baggage, with a default getter/setter for `Headers` and plain-object
// carriers. `extract` puts a non-recording remote span under `SPAN_KEY` (read by the tracer as
// `getSpan(ctx)?.spanContext()`) and the baggage under `BAGGAGE_KEY`; `inject` writes nothing
// for an invalid span context or while tracing is suppressed (`SUPPRESS_KEY`). Both are
// exported alone too, so a program bundles only the direction it uses.

/**
 * Writes `context`'s span (`traceparent`, `tracestate`) and baggage into `carrier`: nothing for
 * an invalid span context or while tracing is suppressed (`SUPPRESS_KEY`). A program that only
 * sends (the browser's traced fetch) imports this alone, without the parsers of `extract`.
 */
export function inject(context: Context, carrier: unknown, setter: TextMapSetter = defaultSetter): void {
  const steps = () => {
    guard(() => {
      const sc = (context.getValue(SPAN_KEY) as Span | undefined)?.spanContext();
      const traceparent = sc && `00-${sc.traceId}-${sc.spanId}-${((sc.traceFlags & 255) | 256).toString(16).slice(1)}`;
      // A span context we would not accept is never sent: one grammar both ways.
      if (parseTraceParent(traceparent)) {
        setter.set(carrier, TRACEPARENT, traceparent!);
        const ts = sc!.traceState?.serialize();
        if (ts) setter.set(carrier, TRACESTATE, ts);
      }
    });
    guard(() => {
      const bag = context.getValue(BAGGAGE_KEY) as Baggage | undefined;
      const value = bag && serializeBaggage(bag);
      if (value) setter.set(carrier, BAGGAGE, value);
    });
  };
  // Nothing while tracing is suppressed (the exporter's own fetch); a broken context is caught too.
  guard(() => context.getValue(SUPPRESS_KEY) === true || steps());
}

/** `context` with the span context (a non-recording remote span under `SPAN_KEY`) and baggage read from `carrier`. */
export function extract(context: Context, carrier: unknown, getter?: TextMapGetter): Context {
  guard(() => {
    // Several traceparent lines are invalid (§3.2); tracestate lines form one list (§3.3.1).
    const tp = read(getter, carrier, TRACEPARENT);
    const sc = parseTraceParent(tp.length == 1 && tp[0]);
    const ts = sc && read(getter, carrier, TRACESTATE).join();
    if (ts) sc!.traceState = createTraceState(ts);
    if (sc) context = context.setValue(SPAN_KEY, nonRecordingSpan(sc));
    else if (tp.length) dropped(TRACEPARENT);
  });
  guard(() => {
    const bag = parseBaggage(read(getter, carrier, BAGGAGE).join());
    if (bag) context = context.setValue(BAGGAGE_KEY, bag);
  });
  return context;
}

/** The propagator as one object (the `Propagation` seam). */
export const w3c: Propagation = { inject, extract, fields: () => [TRACEPARENT, TRACESTATE, BAGGAGE] };
