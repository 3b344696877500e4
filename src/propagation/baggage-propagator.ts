/**
 * The W3C Baggage propagator (`baggage` header, W3C Baggage §3).
 *
 * Grammar (§3.3.1):
 *   baggage-string = list-member 0*179( OWS "," OWS list-member )
 *   list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
 *   property       = key OWS "=" OWS value / key OWS
 *   key            = token (RFC 7230 §3.2.6)
 *   value          = *baggage-octet   ; printable ASCII except DQUOTE "," ";" "\"
 * Values (and, like @opentelemetry/core, keys) are percent-encoded UTF-8 outside their
 * allowed octets, `%` always (§3.3.1.4.2), so any string round-trips.
 *
 * Limits (§3.3.2): we propagate up to 64 list-members and 8192 bytes both ways; members
 * that do not fit are dropped, never the whole header. A malformed member (bad key, bad
 * octets, broken percent escape) drops only that member. Parsing is a linear scan.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import { baggageEntryMetadataFromString, createBaggage, getBaggage, setBaggage, type BaggageEntry } from "./baggage.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "./text-map.ts";
import { percentDecode } from "../common/percent-decode.ts";
import { forEachListMember, joinFieldLines, trimOws } from "./ows.ts";

/** The `baggage` header name. */
export const BAGGAGE_HEADER = "baggage";
/** Most list-members we propagate (W3C Baggage §3.3.2 "at least 64"). */
export const BAGGAGE_MAX_ENTRIES = 64;
/** Most bytes of `baggage-string` we propagate (W3C Baggage §3.3.2 "at least 8192"). */
export const BAGGAGE_MAX_BYTES = 8192;

// RFC 7230 §3.2.6 tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA (a key).
const TOKEN = /^[!#-'*+\-.0-9A-Z^-z|~]+$/;
// baggage-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (a value).
const OCTETS = /^[!#-+\--:<-[\]-~]*$/;
// What inject percent-encodes: every code point (`u`: a surrogate pair is one) outside the
// sets above, and `%` always (§3.3.1.4.2), so any string round-trips.
const KEY_ESCAPE = /[^!#$&'*+\-.0-9A-Z^-z|~]/gu;
const VALUE_ESCAPE = /[^!#$&-+\--:<-[\]-~]/gu;

/** `%XX` UTF-8 escapes of one code point; `(` and `)`, which encodeURIComponent leaves, too. */
function percentEncode(c: string): string {
  return c === "(" ? "%28" : c === ")" ? "%29" : encodeURIComponent(c);
}

/** `s` percent-encoded outside its set; undefined for a lone surrogate (no UTF-8 form). */
function encode(s: string, outside: RegExp): string | undefined {
  try {
    return s.replace(outside, percentEncode);
  } catch {
    return undefined;
  }
}

/** `key OWS ["=" OWS value]` OWS-trimmed and validated as `[key]` or `[key, value]`; undefined when invalid. */
function parsePair(text: string): string[] | undefined {
  const eq = text.indexOf("=");
  const key = trimOws(eq === -1 ? text : text.slice(0, eq));
  if (eq === -1) return TOKEN.test(key) ? [key] : undefined;
  const value = trimOws(text.slice(eq + 1));
  return TOKEN.test(key) && OCTETS.test(value) ? [key, value] : undefined;
}

/** Validates and normalises `*( OWS ";" OWS property )` (empty properties removed); undefined when one is invalid. */
function parseProperties(text: string): string | undefined {
  const out: string[] = [];
  for (const part of text.split(";")) {
    if (trimOws(part) === "") continue;
    const pair = parsePair(part);
    if (!pair) return undefined;
    out.push(pair.join("="));
  }
  return out.join(";");
}

/** Parses one trimmed list-member into `[key, entry]`, or undefined when it is malformed. */
function parseMember(member: string): [string, BaggageEntry] | undefined {
  const semi = member.indexOf(";");
  const pair = parsePair(semi === -1 ? member : member.slice(0, semi));
  if (pair?.[1] === undefined) return undefined;
  const key = percentDecode(pair[0]);
  const value = percentDecode(pair[1]);
  if (!key || value === undefined) return undefined;
  const entry: BaggageEntry = { value };
  if (semi !== -1) {
    const props = parseProperties(member.slice(semi + 1));
    if (props === undefined) return undefined;
    if (props !== "") entry.metadata = baggageEntryMetadataFromString(props);
  }
  return [key, entry];
}

/**
 * The W3C Baggage propagator.
 *
 * @example
 * ```ts
 * const p = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
 * ```
 */
export class W3CBaggagePropagator implements TextMapPropagator<unknown> {
  /** Writes the baggage of `context` as one `baggage` header, within the W3C limits. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    const baggage = getBaggage(context);
    if (!baggage || isTracingSuppressed(context)) return;
    const members: string[] = [];
    let bytes = 0;
    let dropped = 0;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (members.length === BAGGAGE_MAX_ENTRIES) {
        dropped++;
        continue;
      }
      const k = typeof key === "string" ? encode(key, KEY_ESCAPE) : undefined;
      const v = typeof entry?.value === "string" ? encode(entry.value, VALUE_ESCAPE) : undefined;
      if (!k || v === undefined) {
        diagOnce("warn", "baggage.inject.invalid", "Baggage: an entry with an empty key or unencodable text was not propagated.");
        continue;
      }
      let member = `${k}=${v}`;
      let meta: unknown;
      try {
        meta = entry.metadata?.toString();
      } catch {
        // user-supplied metadata whose toString throws: sent without it
      }
      if (typeof meta === "string" && meta !== "") {
        // Metadata set in code is free text: send it only when it is a valid property list
        // (§3.3.1 `*( OWS ";" OWS property )`), normalised (OWS and empty properties removed).
        const props = parseProperties(meta);
        if (props === undefined) diagOnce("warn", "baggage.inject.metadata", "Baggage: metadata that is not a valid W3C property list was not propagated (W3C Baggage §3.3.1).");
        else if (props !== "") member += `;${props}`;
      }
      const next = bytes + member.length + (members.length > 0 ? 1 : 0);
      if (next > BAGGAGE_MAX_BYTES) {
        dropped++;
        continue; // a smaller entry further on may still fit
      }
      members.push(member);
      bytes = next;
    }
    if (dropped > 0) {
      diagOnce("warn", "baggage.inject.limit", `Baggage: entries beyond ${BAGGAGE_MAX_ENTRIES} or ${BAGGAGE_MAX_BYTES} bytes were not propagated (W3C Baggage §3.3.2).`);
    }
    if (members.length > 0) setter.set(carrier, BAGGAGE_HEADER, members.join(","));
  }

  /** Returns `context` with the baggage from `carrier` (replacing any), or `context` when there is none. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const header = joinFieldLines(getter.get(carrier, BAGGAGE_HEADER));
    if (typeof header !== "string" || header === "") return context;
    const entries: Record<string, BaggageEntry> = Object.create(null);
    let count = 0;
    let bytes = 0;
    let invalid = false;
    let overLimit = false;
    const rest = forEachListMember(header, (member) => {
      const next = bytes + member.length + (count > 0 ? 1 : 0);
      if (next > BAGGAGE_MAX_BYTES) {
        overLimit = true;
        return;
      }
      const parsed = parseMember(member);
      if (!parsed) {
        invalid = true;
        return;
      }
      if (!(parsed[0] in entries)) count++;
      entries[parsed[0]] = parsed[1];
      bytes = next;
      return count === BAGGAGE_MAX_ENTRIES;
    });
    // Members left after the 64th (anything but OWS and commas) are dropped too.
    if (count === BAGGAGE_MAX_ENTRIES && /[^ \t,]/.test(header.slice(rest))) overLimit = true;
    if (invalid) diagOnce("debug", "baggage.extract.invalid", "Baggage: dropped malformed list-members of a baggage header (W3C Baggage §3.3.1).");
    if (overLimit) diagOnce("debug", "baggage.extract.limit", `Baggage: dropped list-members beyond ${BAGGAGE_MAX_ENTRIES} entries or ${BAGGAGE_MAX_BYTES} bytes (W3C Baggage §3.3.2).`);
    if (count === 0) return context;
    return setBaggage(context, createBaggage(entries));
  }

  /** `["baggage"]`. */
  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
