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

// RFC 7230 §3.2.6 tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA (a key); baggage-octet: %x21 / %x23-2B
// / %x2D-3A / %x3C-5B / %x5D-7E (a value). Neither holds SP, HTAB, "=" (a key) or ";", so each
// quantifier below ends where the next one must start, and an empty value is matched by the
// OWS alone: linear time, nothing to backtrack into on a long hostile member.
// A trimmed list-member: `key OWS "=" OWS value`, then what follows `OWS ";"` (the properties).
const MEMBER = /^([!#-'*+\-.0-9A-Z^-z|~]+)[ \t]*=[ \t]*(?:([!#-+\--:<-[\]-~]+)[ \t]*)?(?:;(.*))?$/;
// A trimmed property: `key [ OWS "=" OWS value ]`; its groups joined are its normal form.
const PROPERTY = /^([!#-'*+\-.0-9A-Z^-z|~]+)[ \t]*(?:(=)[ \t]*([!#-+\--:<-[\]-~]*))?$/;
// What inject percent-encodes: every code point (`u`: a surrogate pair is one) outside the
// sets above, and `%` always (§3.3.1.4.2), so any string round-trips.
const KEY_ESCAPE = /[^!#$&'*+\-.0-9A-Z^-z|~]/gu;
const VALUE_ESCAPE = /[^!#$&-+\--:<-[\]-~]/gu;

/** `s` percent-encoded (UTF-8) outside its set; undefined for a lone surrogate (no UTF-8 form). */
function encode(s: string, outside: RegExp): string | undefined {
  try {
    // encodeURIComponent leaves "(" and ")", which a key must not hold.
    return s.replace(outside, (c) => (c === "(" ? "%28" : c === ")" ? "%29" : encodeURIComponent(c)));
  } catch {
    return undefined;
  }
}

/**
 * `*( OWS ";" OWS property )` (after its first ";") in normal form, OWS and empty properties
 * removed; undefined when a property is invalid.
 */
function parseProperties(text: string): string | undefined {
  const out: string[] = [];
  for (const part of text.split(";")) {
    const property = trimOws(part);
    const m = PROPERTY.exec(property);
    if (m) out.push(m.slice(1).join(""));
    else if (property) return undefined;
  }
  return out.join(";");
}

const OVER_LIMIT = "Baggage: list-members beyond 64 or 8192 bytes were dropped (W3C Baggage §3.3.2).";

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
    let bytes = -1; // the length of members.join(",")
    for (const [key, entry] of baggage.getAllEntries()) {
      const k = encode(key, KEY_ESCAPE);
      const v = encode(entry?.value, VALUE_ESCAPE);
      if (!k || v === undefined) {
        diagOnce("warn", "Baggage: an entry with an empty key or a lone surrogate was not propagated.");
        continue;
      }
      let member = `${k}=${v}`;
      let meta: unknown;
      try {
        meta = entry.metadata?.toString();
      } catch {
        // user-supplied metadata whose toString throws: sent without it
      }
      if (typeof meta === "string" && meta) {
        // Metadata set in code is free text: send it only when it is a valid property list
        // (§3.3.1 `*( OWS ";" OWS property )`), normalised (OWS and empty properties removed).
        const props = parseProperties(meta);
        if (props === undefined) diagOnce("warn", "Baggage: metadata that is not a W3C property list was not propagated (W3C Baggage §3.3.1).");
        else if (props) member += `;${props}`;
      }
      // A smaller entry further on may still fit.
      if (members.length === BAGGAGE_MAX_ENTRIES || bytes + 1 + member.length > BAGGAGE_MAX_BYTES) diagOnce("warn", "baggage.inject", OVER_LIMIT);
      else {
        members.push(member);
        bytes += 1 + member.length;
      }
    }
    if (members.length) setter.set(carrier, BAGGAGE_HEADER, members.join(","));
  }

  /** Returns `context` with the baggage from `carrier` (replacing any), or `context` when there is none. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const header = joinFieldLines(getter.get(carrier, BAGGAGE_HEADER));
    if (typeof header !== "string") return context;
    const entries: Record<string, BaggageEntry> = Object.create(null);
    let count = 0;
    let bytes = -1; // of the members kept, joined with ","
    let invalid = false;
    let overLimit = false;
    forEachListMember(header, (member) => {
      // A member past the 64th (the scan stops there), or one that would pass 8192 bytes.
      if (count === BAGGAGE_MAX_ENTRIES) return (overLimit = true);
      if (bytes + 1 + member.length > BAGGAGE_MAX_BYTES) return void (overLimit = true);
      const m = MEMBER.exec(member);
      const key = m && percentDecode(m[1]!);
      const value = m && percentDecode(m[2] ?? "");
      const props = m?.[3] === undefined ? "" : parseProperties(m[3]);
      if (!key || value == null || props === undefined) return void (invalid = true);
      if (!(key in entries)) count++;
      entries[key] = props ? { value, metadata: baggageEntryMetadataFromString(props) } : { value };
      bytes += 1 + member.length;
    });
    if (invalid) diagOnce("debug", "Baggage: malformed list-members were dropped (W3C Baggage §3.3.1).");
    if (overLimit) diagOnce("debug", "baggage.extract", OVER_LIMIT);
    return count ? setBaggage(context, createBaggage(entries)) : context;
  }

  /** `["baggage"]`. */
  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
