/**
 * The W3C Baggage propagator (`baggage` header, W3C Baggage §3).
 *
 * Grammar (§3.3.1):
 *   baggage-string = list-member 0*179( OWS "," OWS list-member )
 *   list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
 *   property       = key OWS "=" OWS value / key OWS
 *   key            = token (RFC 7230 §3.2.6)
 *   value          = *baggage-octet   ; printable ASCII except DQUOTE "," ";" "\"
 * One part grammar ({@link PART}) serves a member's `key=value` and each of its properties.
 * Values (and, like @opentelemetry/core, keys) are percent-encoded UTF-8 outside their
 * allowed octets, `%` always (§3.3.1.4.2), so any string round-trips.
 *
 * Limits (§3.3.2): we propagate up to 64 list-members and 8192 bytes both ways; members
 * that do not fit are dropped, never the whole header. A malformed member (bad key, bad
 * octets, broken percent escape) drops only that member. Parsing is a linear scan, and
 * extracted entries keep the header's order.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import { baggageEntryMetadataFromString, baggageOf, getBaggage, setBaggage, type BaggageEntry } from "./baggage.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "./text-map.ts";
import { percentDecode } from "../common/percent-decode.ts";
import { forEachListMember, joinFieldLines, trimOws } from "./ows.ts";

/** The `baggage` header name. */
export const BAGGAGE_HEADER = "baggage";
/** Most list-members we propagate (W3C Baggage §3.3.2 "at least 64"). */
export const BAGGAGE_MAX_ENTRIES = 64;
/** Most bytes of `baggage-string` we propagate (W3C Baggage §3.3.2 "at least 8192"). */
export const BAGGAGE_MAX_BYTES = 8192;

// A trimmed part: `key OWS [ "=" OWS value ]` (a property; with "=", a member's key and value).
// key = tchar "!#$%&'*+-.^_`|~" DIGIT ALPHA; value = *baggage-octet: %x21 / %x23-2B / %x2D-3A /
// %x3C-5B / %x5D-7E. Neither holds SP, HTAB or "=", so each quantifier ends where the next
// starts: linear time, nothing to backtrack into on a long hostile member.
const PART = /^([!#-'*+\-.\dA-Z^-z|~]+)[ \t]*(?:(=)[ \t]*([!#-+\--:<-[\]-~]*))?$/;

/**
 * Properties (the parts after a member's first ";") in normal form, OWS and empty ones
 * removed (a valid property holds OWS only around its "="); undefined when one is invalid.
 */
function properties(parts: string[]): string | undefined {
  parts = parts.map((p) => trimOws(p)).filter(Boolean);
  return parts.every((p) => PART.test(p)) ? parts.join(";").replace(/[ \t]/g, "") : undefined;
}

/**
 * `s` percent-encoded (UTF-8) outside `allowed`, and "%" always (§3.3.1.4.2); throws on a lone
 * surrogate (no UTF-8 form) or a non-string.
 */
const encode = (s: string, allowed: RegExp): string => s.replace(allowed, encodeURIComponent);

const DROPPED = "Baggage: dropped ";
const OVER_LIMIT = DROPPED + "members past 64 or 8192 bytes (the W3C limits).";

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
    let bytes = -1; // members.join(",").length
    for (const [key, entry] of baggage.getAllEntries()) {
      let member: string | undefined;
      let meta: unknown;
      try {
        // encodeURIComponent leaves "(" and ")", which a key must not hold: `escape` gives their %XX.
        member = encode(key, /[^!#$&'*+\-.\dA-Z^-z|~]/gu).replace(/[()]/g, escape) + "=" + encode(entry.value, /[^!#$&-+\--:<-[\]-~]/gu);
        meta = entry.metadata?.toString(); // user metadata whose toString throws: sent without it
      } catch {}
      // No wire form: an empty key, a lone surrogate, not a string.
      if (!member || member[0] === "=") {
        diagOnce("warn", DROPPED + "an entry with an empty key or a lone surrogate.");
        continue;
      }
      // Metadata set in code is free text: sent only when it is a property list (§3.3.1), normalised.
      const props = typeof meta === "string" ? properties(meta.split(";")) : "";
      if (props === undefined) diagOnce("warn", DROPPED + "metadata that is not a property list.");
      else if (props) member += ";" + props;
      // Past the limits: not sent; a smaller entry further on may still fit.
      if (members.length === BAGGAGE_MAX_ENTRIES || bytes + 1 + member.length > BAGGAGE_MAX_BYTES) diagOnce("warn", "baggage.inject", OVER_LIMIT);
      else bytes += members.push(member) && 1 + member.length;
    }
    if (members.length) setter.set(carrier, BAGGAGE_HEADER, members.join(","));
  }

  /** Returns `context` with the baggage from `carrier` (replacing any), or `context` when there is none. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    const header = joinFieldLines(getter.get(carrier, BAGGAGE_HEADER));
    if (typeof header !== "string") return context;
    const entries = new Map<string, BaggageEntry>();
    let bytes = -1; // of the members kept, joined with ","
    let invalid: unknown;
    let overLimit: unknown;
    forEachListMember(header, (member) => {
      // A member past the 64th (the scan stops there), or one that would pass 8192 bytes (not
      // even parsed: a long header of valid members costs little; a smaller one may still fit).
      if (entries.size === BAGGAGE_MAX_ENTRIES) return (overLimit = true);
      if (bytes + 1 + member.length > BAGGAGE_MAX_BYTES) return void (overLimit = 1);
      // The key=value part is cut out by index: a hostile header of many small invalid members
      // costs one regex test each, no throw-away arrays.
      const semi = member.indexOf(";");
      const m = PART.exec(semi < 0 ? member : trimOws(member, 0, semi));
      const props = !m?.[2] ? undefined : semi < 0 ? "" : properties(member.slice(semi + 1).split(";"));
      // Keys and values percent-decoded; a broken escape drops the member.
      const key = props === undefined ? undefined : percentDecode(m![1]!);
      const value = key && percentDecode(m![3]!);
      if (!key || value === undefined) return void (invalid = 1);
      entries.set(key, props ? { value, metadata: baggageEntryMetadataFromString(props) } : { value });
      bytes += 1 + member.length;
    });
    if (invalid) diagOnce("debug", DROPPED + "malformed members.");
    if (overLimit) diagOnce("debug", "baggage.extract", OVER_LIMIT);
    return entries.size ? setBaggage(context, baggageOf(entries)) : context;
  }

  /** `["baggage"]`. */
  fields(): string[] {
    return [BAGGAGE_HEADER];
  }
}
