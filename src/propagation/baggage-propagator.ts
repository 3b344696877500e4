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
import { isOws, trimOws } from "./ows.ts";

/** The `baggage` header name. */
export const BAGGAGE_HEADER = "baggage";
/** Most list-members we propagate (W3C Baggage §3.3.2 "at least 64"). */
export const BAGGAGE_MAX_ENTRIES = 64;
/** Most bytes of `baggage-string` we propagate (W3C Baggage §3.3.2 "at least 8192"). */
export const BAGGAGE_MAX_BYTES = 8192;

/** A 128-entry ASCII membership table: 1 where `member(c)`. Built once, at module load. */
function asciiTable(member: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) if (member(c)) table[c] = 1;
  return table;
}

// Built by pure calls so a bundle that never parses baggage drops them (tree-shaking).
// RFC 7230 §3.2.6 tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA
const TCHAR = /* @__PURE__ */ asciiTable(
  (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)),
);
// baggage-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
const OCTET = /* @__PURE__ */ asciiTable((c) => c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c);

function allIn(table: Uint8Array, s: string, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || table[c] !== 1) return false;
  }
  return true;
}

/** Percent-encodes every code point outside `table`, and `%`; undefined for lone surrogates. */
function encode(s: string, table: Uint8Array): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      out += table[c] === 1 && c !== 0x25 ? s[i] : `%${c < 16 ? "0" : ""}${c.toString(16).toUpperCase()}`;
      continue;
    }
    // UTF-8 via encodeURIComponent, one code point (a surrogate pair is two code units).
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    try {
      out += encodeURIComponent(s.slice(i, i + pair));
    } catch {
      return undefined; // a lone surrogate has no UTF-8 form
    }
    i += pair - 1;
  }
  return out;
}

/** Validates and normalises `key OWS ["=" OWS value]` properties; undefined when one is invalid. */
function parseProperties(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const part of parts) {
    const p = trimOws(part);
    if (p === "") continue;
    const eq = p.indexOf("=");
    if (eq === -1) {
      if (!allIn(TCHAR, p)) return undefined;
      out.push(p);
      continue;
    }
    const key = trimOws(p.slice(0, eq));
    const value = trimOws(p.slice(eq + 1));
    if (key === "" || !allIn(TCHAR, key) || !allIn(OCTET, value)) return undefined;
    out.push(`${key}=${value}`);
  }
  return out.join(";");
}

/** Parses one trimmed list-member into `[key, entry]`, or undefined when it is malformed. */
function parseMember(member: string): [string, BaggageEntry] | undefined {
  const semi = member.indexOf(";");
  const pair = semi === -1 ? member : member.slice(0, semi);
  const eq = pair.indexOf("=");
  if (eq === -1) return undefined;
  const rawKey = trimOws(pair.slice(0, eq));
  const rawValue = trimOws(pair.slice(eq + 1));
  if (rawKey === "" || !allIn(TCHAR, rawKey) || !allIn(OCTET, rawValue)) return undefined;
  const key = percentDecode(rawKey);
  const value = percentDecode(rawValue);
  if (key === undefined || key === "" || value === undefined) return undefined;
  const entry: BaggageEntry = { value };
  if (semi !== -1) {
    const props = parseProperties(member.slice(semi + 1).split(";"));
    if (props === undefined) return undefined;
    if (props !== "") entry.metadata = baggageEntryMetadataFromString(props);
  }
  return [key, entry];
}

/** True when `s` holds anything but OWS and commas from `from` on. */
function hasMember(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isOws(c) && c !== 0x2c) return true;
  }
  return false;
}

/** The text of user-supplied metadata; "" when its toString is missing or throws. */
function metadataText(metadata: { toString(): string }): string {
  try {
    const text = metadata.toString();
    return typeof text === "string" ? text : "";
  } catch {
    return "";
  }
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
      const k = typeof key === "string" && key !== "" ? encode(key, TCHAR) : undefined;
      const v = typeof entry?.value === "string" ? encode(entry.value, OCTET) : undefined;
      if (k === undefined || v === undefined) {
        diagOnce("warn", "baggage.inject.invalid", "Baggage: an entry with an empty key or unencodable text was not propagated.");
        continue;
      }
      let member = `${k}=${v}`;
      const meta = entry.metadata === undefined ? "" : metadataText(entry.metadata);
      if (meta !== "") {
        // Metadata set in code is free text: send it only when it is a valid property list
        // (§3.3.1 `*( OWS ";" OWS property )`), normalised (OWS and empty properties removed).
        const props = parseProperties(meta.split(";"));
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
    const raw = getter.get(carrier, BAGGAGE_HEADER);
    const header = Array.isArray(raw) ? raw.join(",") : raw;
    if (typeof header !== "string" || header === "") return context;
    const entries: Record<string, BaggageEntry> = Object.create(null);
    let count = 0;
    let bytes = 0;
    let invalid = false;
    let overLimit = false;
    let start = 0;
    while (start <= header.length && count < BAGGAGE_MAX_ENTRIES) {
      let end = header.indexOf(",", start);
      if (end === -1) end = header.length;
      const member = trimOws(header.slice(start, end));
      start = end + 1;
      if (member === "") continue;
      const next = bytes + member.length + (count > 0 ? 1 : 0);
      if (next > BAGGAGE_MAX_BYTES) {
        overLimit = true;
        continue;
      }
      const parsed = parseMember(member);
      if (!parsed) {
        invalid = true;
        continue;
      }
      if (!(parsed[0] in entries)) count++;
      entries[parsed[0]] = parsed[1];
      bytes = next;
    }
    if (count === BAGGAGE_MAX_ENTRIES && hasMember(header, start)) overLimit = true;
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
