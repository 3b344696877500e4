// Independent validators for the propagation headers, written from the specs' grammars
// (not from our implementation), used as oracles by test/fuzz/propagators.test.ts.
//
// - W3C Trace Context Level 2, §3.2 traceparent and §3.3 tracestate:
//     traceparent = version "-" trace-id "-" parent-id "-" trace-flags   (all lowercase hex)
//     version = 2HEXDIGLC (ff forbidden); trace-id = 32HEXDIGLC, parent-id = 16HEXDIGLC (all
//     zeros forbidden); trace-flags = 2HEXDIGLC. §3.2.4: a higher version is parsed by the
//     version-00 layout, followed by the end of the value or "-".
//     list        = list-member 0*31( OWS "," OWS list-member )
//     list-member = (key "=" value) / OWS
//     key = ( lcalpha / DIGIT ) 0*255( keychar )      (§3.3.1.3.1)
//     keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
//     value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
//     One entry per key (§3.3.1.4): a repeated key keeps its first occurrence (later ones are
//     deleted, §3.5); repeats still count toward the 32 list members.
// - W3C Baggage §3.3.1:
//     baggage-string = list-member 0*179( OWS "," OWS list-member )
//     list-member = key OWS "=" OWS value *( OWS ";" OWS property )
//     property = key OWS "=" OWS value / key OWS
//     key = token (RFC 7230 §3.2.6); value = *baggage-octet
//     baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
// - B3 (openzipkin/b3-propagation): b3 = {TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]
//     or the lone {SamplingState}; TraceId = 16 or 32 lower-hex, SpanId/ParentSpanId = 16
//     lower-hex, SamplingState = "0" / "1" / "d". Multi: X-B3-TraceId, X-B3-SpanId (same
//     encodings), X-B3-Sampled = "1" / "0", X-B3-Flags = "1" (debug, implies sampled).
// - Jaeger (jaegertracing.io client libraries, "Propagation Format"):
//     uber-trace-id = {trace-id}:{span-id}:{parent-span-id}:{flags}; ids hex, 64/128-bit trace
//     id, 64-bit span id, leading zeros may be omitted, 0 invalid; flags one byte as one or
//     two hex digits (bit 0 sampled, bit 1 debug); the value may be URL-encoded.
//     uberctx-{key} = URL-encoded value.

/** SP / HTAB trimmed (RFC 7230 OWS); `String.prototype.trim` strips more than HTTP allows. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === " " || s[a] === "\t")) a++;
  while (b > a && (s[b - 1] === " " || s[b - 1] === "\t")) b--;
  return s.slice(a, b);
}

const ZEROS = /^0+$/;

export interface Ids {
  traceId: string;
  spanId: string;
  sampled: boolean;
  flags?: number;
}

// ---- W3C traceparent -------------------------------------------------------------------
const TRACEPARENT_ANY = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/;
/** The injected form: version 00 only. */
export const TRACEPARENT_00 = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** What a conforming receiver extracts from one traceparent value, or undefined. */
export function oracleTraceparent(value: string): Ids | undefined {
  const m = TRACEPARENT_ANY.exec(trimOws(value));
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff") return undefined;
  if (version === "00" && rest !== undefined) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  const f = parseInt(flags, 16);
  return { traceId, spanId, sampled: (f & 1) === 1, flags: version === "00" ? f : undefined };
}

// ---- W3C tracestate --------------------------------------------------------------------
const TS_KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const TS_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** The members of a combined tracestate value, or undefined when the header is invalid. */
export function oracleTracestate(value: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  let members = 0;
  for (const raw of value.split(",")) {
    const member = trimOws(raw);
    if (member === "") continue;
    members++;
    const eq = member.indexOf("=");
    if (eq < 0) return undefined;
    const key = member.slice(0, eq);
    const v = member.slice(eq + 1);
    if (!TS_KEY.test(key) || !TS_VALUE.test(v)) return undefined;
    if (!out.some(([k]) => k === key)) out.push([key, v]);
  }
  return members > 32 ? undefined : out;
}

/** True when `value` is a tracestate we may send: grammar, ≤ 32 unique keys, no empty members. */
export function isValidTracestateToSend(value: string): boolean {
  if (value === "") return false;
  const members = value.split(",");
  if (members.some((m) => m === "")) return false;
  const parsed = oracleTracestate(value);
  return parsed !== undefined && parsed.length === members.length;
}

// ---- W3C baggage -----------------------------------------------------------------------
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** A property (`key OWS ["=" OWS value]`), already split at ";". Empty ones are tolerated (see below). */
function isProperty(p: string): boolean {
  const t = trimOws(p);
  if (t === "") return true; // a trailing ";" — tolerated by receivers (as @opentelemetry/core does)
  const eq = t.indexOf("=");
  if (eq < 0) return TOKEN.test(t);
  return TOKEN.test(trimOws(t.slice(0, eq))) && OCTETS.test(trimOws(t.slice(eq + 1)));
}

/** One baggage list-member as [decoded key, decoded value], or undefined when it is invalid. */
export function oracleBaggageMember(member: string): [string, string] | undefined {
  const parts = member.split(";");
  const pair = parts[0]!;
  const eq = pair.indexOf("=");
  if (eq < 0) return undefined;
  const key = trimOws(pair.slice(0, eq));
  const value = trimOws(pair.slice(eq + 1));
  if (!TOKEN.test(key) || !OCTETS.test(value)) return undefined;
  if (!parts.slice(1).every(isProperty)) return undefined;
  const k = decode(key);
  const v = decode(value);
  return k === undefined || k === "" || v === undefined ? undefined : [k, v];
}

/** The valid members of a combined baggage value, in order (invalid ones are skipped). */
export function oracleBaggage(value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of value.split(",")) {
    const member = trimOws(raw);
    if (member === "") continue;
    const parsed = oracleBaggageMember(member);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** True when `value` is a baggage-string we may send (strict grammar, no empty property). */
export function isValidBaggageToSend(value: string): boolean {
  const members = value.split(",");
  if (members.length > 180) return false;
  return members.every((m) => {
    const parts = m.split(";");
    const pair = parts[0]!;
    const eq = pair.indexOf("=");
    if (eq < 0 || !TOKEN.test(trimOws(pair.slice(0, eq))) || !OCTETS.test(trimOws(pair.slice(eq + 1)))) return false;
    return parts.slice(1).every((p) => trimOws(p) !== "" && isProperty(p));
  });
}

// ---- B3 --------------------------------------------------------------------------------
const B3_SINGLE = /^([0-9a-f]{32}|[0-9a-f]{16})-([0-9a-f]{16})(?:-([01d])(?:-([0-9a-f]{16}))?)?$/;
/** A valid b3 header to send (ids and optional state/parent, or the lone sampling state). */
export const B3_SINGLE_TO_SEND = /^(?:(?:[0-9a-f]{32}|[0-9a-f]{16})-[0-9a-f]{16}(?:-[01d](?:-[0-9a-f]{16})?)?|[01d])$/;
export const B3_TRACE_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{16})$/;
export const B3_SPAN_ID = /^[0-9a-f]{16}$/;

function pad32(id: string): string {
  return id.length === 16 ? "0".repeat(16) + id : id;
}

/** The context and debug flag of a single b3 value, or undefined. */
export function oracleB3Single(value: string): (Ids & { debug: boolean }) | undefined {
  const m = B3_SINGLE.exec(trimOws(value));
  if (!m) return undefined;
  const traceId = pad32(m[1]!);
  const spanId = m[2]!;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, sampled: m[3] === "1" || m[3] === "d", debug: m[3] === "d" };
}

/** The context of the multi-header form, from the single value of each header (or undefined). */
export function oracleB3Multi(h: { traceId?: string; spanId?: string; sampled?: string; flags?: string }): (Ids & { debug: boolean }) | undefined {
  if (h.traceId === undefined || h.spanId === undefined) return undefined;
  const t = trimOws(h.traceId);
  const s = trimOws(h.spanId);
  if (!B3_TRACE_ID.test(t) || !B3_SPAN_ID.test(s)) return undefined;
  const traceId = pad32(t);
  if (ZEROS.test(traceId) || ZEROS.test(s)) return undefined;
  const debug = h.flags !== undefined && trimOws(h.flags) === "1";
  // "true" is the legacy spelling of "1" (B3 spec, "Sampling State").
  const sampledValue = h.sampled === undefined ? "" : trimOws(h.sampled).toLowerCase();
  return { traceId, spanId: s, sampled: debug || sampledValue === "1" || sampledValue === "true", debug };
}

// ---- Jaeger ----------------------------------------------------------------------------
const UBER = /^([0-9a-fA-F]{1,32}):([0-9a-fA-F]{1,16}):([0-9a-fA-F]{1,16}):([0-9a-fA-F]{1,2})$/;
/** The injected uber-trace-id (lowercase, full-length ids). */
export const UBER_TO_SEND = /^[0-9a-f]{1,32}:[0-9a-f]{1,16}:[0-9a-f]{1,16}:[0-9a-f]{1,2}$/;
/** encodeURIComponent's output alphabet: unreserved marks and %XX escapes. */
export const URL_ENCODED = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-F]{2})*$/;

/** The context in an uber-trace-id value (plain or URL-encoded), or undefined. */
export function oracleUberTraceId(value: string): Ids | undefined {
  const v = trimOws(value);
  const decoded = v.includes("%") ? decode(v) : v;
  if (decoded === undefined) return undefined;
  const m = UBER.exec(decoded);
  if (!m) return undefined;
  const traceId = m[1]!.toLowerCase().padStart(32, "0");
  const spanId = m[2]!.toLowerCase().padStart(16, "0");
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  const flags = parseInt(m[4]!, 16);
  return { traceId, spanId, sampled: (flags & 3) !== 0 };
}

/** An HTTP field value we may send: visible ASCII, SP and HTAB, no OWS at either end (RFC 9110 §5.5). */
export function isFieldValue(v: string): boolean {
  return v === "" || /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/.test(v);
}

/** An independent check of a span context we were handed (W3C §3.2.2: lowercase hex, not all zero). */
export function isValidSpanContextShape(sc: { traceId: unknown; spanId: unknown; traceFlags: unknown; isRemote?: unknown }): boolean {
  return (
    typeof sc.traceId === "string" &&
    /^[0-9a-f]{32}$/.test(sc.traceId) &&
    !ZEROS.test(sc.traceId) &&
    typeof sc.spanId === "string" &&
    /^[0-9a-f]{16}$/.test(sc.spanId) &&
    !ZEROS.test(sc.spanId) &&
    typeof sc.traceFlags === "number" &&
    Number.isInteger(sc.traceFlags) &&
    sc.traceFlags >= 0 &&
    sc.traceFlags <= 255 &&
    sc.isRemote === true
  );
}
