/**
 * The OTLP/JSON `ExportTraceServiceRequest` body (POST `/v1/traces`) for a batch of spans,
 * byte for byte what the product's encoder (src/export/otlp/trace-encoder.ts) writes.
 *
 * Written for bytes, not speed: the request is built as plain objects and serialized by one
 * `JSON.stringify`. That is byte-identical to the product's hand-written UTF-8 writer because
 * - every field the proto3 JSON mapping omits (empty strings and lists, zero counts, UNSET
 *   status) is set to `undefined`, which `JSON.stringify` leaves out, so one object literal
 *   per message keeps the product's field order;
 * - `JSON.stringify` escapes strings as the product does (RFC 8259 §7), and `Number#toString`
 *   is what it writes for a double;
 * - the replacer makes every string well-formed (lone surrogates → U+FFFD, as the product and
 *   `TextEncoder` do): the Collector's protojson rejects a `\udXXX` escape without its pair,
 *   failing the whole request. Where `toWellFormed` is missing (pre-2023 engines; not workerd)
 *   such a string goes out escaped.
 *
 * Proto3 JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): ids as
 * lowercase hex, enums as numbers (`SpanKind` is ours + 1), 64-bit integers (`fixed64` times,
 * `int64` values) as decimal strings, doubles as numbers or "NaN"/"Infinity"/"-Infinity",
 * bytes as base64. Hostile input never fails the batch: a span whose fields throw, or whose
 * ids are invalid (the receiver would reject the whole request), is dropped; a link or event
 * likewise, counted in the span's dropped count; an attribute whose getter throws, a cyclic
 * value, or one nested deeper than 32 levels is left out. Each kind is reported once.
 */
import type { ReadableSpan } from "./contract.ts";
import { warnOnce } from "./diag.ts";
import { toEpochNanos } from "./time.ts";

/** A JSON object being built (`undefined` fields are left out by `JSON.stringify`). */
type Json = Record<string, unknown>;
type Item = Json | undefined;

// int64 is [-2^63, 2^63); both bounds are exact doubles, and compare exactly with a bigint.
const INT64 = 2 ** 63;
/** Nesting allowed inside one attribute value (log bodies can be arbitrary objects). */
const MAX_DEPTH = 32;

const drop = (what: string): undefined => void warnOnce("OTLP: dropped " + what);
/** `read()`, or `fallback` when it throws (a getter or proxy trap), reported once. */
function attempt<R>(read: () => R, fallback?: R): R | undefined {
  try {
    return read();
  } catch {
    drop("unreadable data");
    return fallback;
  }
}
const str = (v: unknown): string => (typeof v == "string" ? v : "");
/** A non-empty string, else undefined (the empty string is the proto3 default, omitted). */
const text = (v: unknown): string | undefined => str(v) || undefined;
/** An OTLP `uint32` dropped count: positive, floored, at most 2^32 - 1; else omitted. */
const count = (n: unknown): number | undefined => (typeof n == "number" && n >= 1 ? Math.min(Math.floor(n), 4294967295) : undefined);
/** `id` when it is `len` lowercase hex digits, not all zero (W3C Trace Context §3.2.2.3/4), else undefined. */
const hex = (id: unknown, len: number): string | undefined => (typeof id == "string" && id.length == len && /^(?!0+$)[\da-f]+$/.test(id) ? id : undefined);
/** A non-empty list, else undefined (an empty repeated field is the proto3 default, omitted). */
const some = (list: Json[]): Json[] | undefined => (list.length ? list : undefined);
/** An array or kvlist's content: `{}` when it is empty. */
const values = (list: Json[] | undefined): Json => (list ? { values: list } : {});

/**
 * One value as an OTLP `AnyValue`; undefined when it cannot be encoded (undefined, symbol,
 * function, an invalid Date, a cycle, too deep, unreadable). `null` is the empty AnyValue.
 */
function anyValue(v: unknown, path: readonly object[]): Item {
  switch (typeof v) {
    case "string":
      return { stringValue: v };
    case "boolean":
      return { boolValue: v };
    case "bigint":
      return v >= -INT64 && v < INT64 ? { intValue: v + "" } : { stringValue: v + "" };
    case "number":
      // BigInt prints integers past 2^53 exactly (String(2 ** 62) is "4611686018427388000").
      return Number.isInteger(v) && v >= -INT64 && v < INT64 ? { intValue: BigInt(v) + "" } : { doubleValue: v - v == 0 ? v : v + "" };
    case "object":
      // A proxy whose traps throw, a revoked proxy, an invalid Date: the value is dropped.
      return v ? attempt(() => objectValue(v, path)) : {};
  }
}

/**
 * An object value (bytes, Date, array, kvlist) inside the objects `path` (its ancestors, for
 * cycles and depth); throws when it cannot be read.
 */
function objectValue(v: object, path: readonly object[]): Item {
  if (v instanceof Uint8Array) {
    let s = "";
    for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
    return { bytesValue: btoa(s) };
  }
  // An invalid Date throws (RangeError) and is dropped, as the product drops it.
  if (v instanceof Date) return { stringValue: v.toISOString() };
  if (path.length >= MAX_DEPTH || path.includes(v)) return drop("a cyclic or too deep value");
  path = [...path, v];
  if (Array.isArray(v)) {
    const list: Json[] = [];
    // Positions are kept: an element that cannot be encoded is the empty AnyValue.
    for (let i = 0, n = v.length; i < n; i++) list.push(anyValue(attempt(() => v[i]), path) ?? {});
    return { arrayValue: values(some(list)) };
  }
  return { kvlistValue: values(keyValues(v, path)) };
}

/** The own enumerable entries of `map` as `KeyValue`s, undefined when none; an unreadable or unencodable entry is left out. Throws when `map` itself cannot be read. */
function keyValues(map: object, path: readonly object[] = []): Json[] | undefined {
  const out: Json[] = [];
  // for-in + own check: the keys and order of Object.keys, as the product reads them.
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue;
    // undefined (unset) and unencodable values are left out.
    const value = anyValue(attempt(() => (map as Json)[key]), path);
    if (value) out.push({ key, value });
  }
  return some(out);
}

/** `attributes` and `droppedAttributesCount` of a resource, scope, span, event or link. */
function attributes(holder: unknown): Json {
  const h = holder as { attributes?: unknown; droppedAttributesCount?: unknown } | undefined;
  const map = h?.attributes;
  // The top-level map is not on the cycle path (as in the product): a value containing it is written once, one level down.
  return { attributes: map && typeof map == "object" ? attempt(() => keyValues(map)) : undefined, droppedAttributesCount: count(h?.droppedAttributesCount) };
}

/**
 * `items` through `write`, and how many were left out (a falsy result, or a throw) plus
 * `dropped`, as an OTLP count. Indexes like the product does (an array-like is read by length).
 */
function list<T>(items: readonly T[] | null | undefined, write: (item: T) => Item, dropped?: unknown): [Json[] | undefined, number | undefined] {
  const out: Json[] = [];
  let n = typeof dropped == "number" ? dropped : 0;
  if (items != null) {
    for (let i = 0; i < items.length; i++) {
      const item = attempt(() => write(items[i]!));
      item ? out.push(item) : n++;
    }
  }
  return [some(out), count(n)];
}

/** The start of a span or link (`traceId`, `spanId`, `traceState`); undefined (and reported) when an id is invalid. */
function ids(ctx: unknown): Item {
  const c = ctx as ReturnType<ReadableSpan["spanContext"]>;
  const traceId = typeof c == "object" ? hex(c?.traceId, 32) : undefined;
  const spanId = traceId && hex(c.spanId, 16);
  return spanId ? { traceId, spanId, traceState: text(attempt(() => c.traceState?.serialize())) } : drop("a span or link with an invalid id");
}

/**
 * trace.proto `SpanFlags`: bits 0–7 the W3C trace flags; 0x100 (HAS_IS_REMOTE) always, since
 * a runtime span knows; 0x200 (IS_REMOTE) when the parent (Span.flags) or the linked span
 * (Link.flags) is remote.
 */
const flags = (traceFlags: unknown, remote: unknown): number => (typeof traceFlags == "number" ? traceFlags & 255 : 0) | (remote === true ? 768 : 256);

function span(s: ReadableSpan): Item {
  const c = s.spanContext();
  const start = ids(c);
  if (!start) return;
  const parent = s.parentSpanContext;
  const kind = s.kind;
  // Status codes are ours (UNSET 0, OK 1, ERROR 2); the status is omitted when UNSET without a message.
  const code = s.status?.code;
  const status = { code: code === 1 || code === 2 ? code : undefined, message: text(s.status?.message) };
  const [events, droppedEventsCount] = list(s.events, (e) => ({ timeUnixNano: toEpochNanos(e.time), name: str(e.name), ...attributes(e) }), s.droppedEventsCount);
  const [links, droppedLinksCount] = list(
    s.links,
    (l) => {
      const lc = l?.context;
      const head = ids(lc);
      return head && { ...head, ...attributes(l), flags: flags(lc.traceFlags, lc.isRemote) };
    },
    s.droppedLinksCount,
  );
  return {
    ...start,
    parentSpanId: hex(parent?.spanId, 16),
    flags: flags(c.traceFlags, parent?.isRemote),
    name: str(s.name),
    kind: [0, 1, 2, 3, 4].includes(kind) ? kind + 1 : undefined,
    startTimeUnixNano: toEpochNanos(s.startTime),
    endTimeUnixNano: toEpochNanos(s.endTime),
    ...attributes(s),
    events,
    droppedEventsCount,
    links,
    droppedLinksCount,
    status: status.code || status.message ? status : undefined,
  };
}

/** A `schemaUrl` (of a resource or scope), omitted when empty or unreadable. */
const schemaUrl = (holder: unknown): string | undefined => attempt(() => text((holder as Json | undefined)?.schemaUrl));

type Scope = ReadableSpan["instrumentationScope"];

/**
 * The `ExportTraceServiceRequest` for `spans` as JSON text (send it as it is: `fetch` writes
 * it as the UTF-8 bytes the product's encoder makes). Spans are grouped by resource (object
 * identity) and then scope (name, version, schemaUrl), in order of first appearance; groups
 * left without spans are omitted. Never throws. With nothing to send it is
 * `{"resourceSpans":[]}` (20 characters), which callers must not send.
 */
export function encodeSpans(spans: readonly ReadableSpan[]): string {
  // Scope groups by key, per resource; a key is "" or starts with "[", so it is never an
  // integer-like or inherited property name and the object keeps insertion order.
  const groups = new Map<unknown, Record<string, [Scope, ReadableSpan[]]>>();
  for (const s of spans) {
    attempt(() => {
      const resource = s.resource;
      const scope = s.instrumentationScope;
      // JSON keeps the three parts apart whatever characters they hold.
      const key = scope && typeof scope == "object" ? JSON.stringify([str(scope.name), str(scope.version), str(scope.schemaUrl)]) : "";
      const scopes = groups.get(resource) ?? {};
      groups.set(resource, scopes);
      (scopes[key] ??= [scope, []])[1].push(s);
    });
  }
  const [resourceSpans = []] = list([...groups], ([resource, scopes]) => {
    const [scopeSpans] = list(Object.values(scopes), ([scope, items]) => {
      const [kept] = list(items, span);
      return kept && { scope: attempt((): Json => ({ name: str(scope?.name), version: text(scope?.version), ...attributes(scope) }), { name: "" }), spans: kept, schemaUrl: schemaUrl(scope) };
    });
    return scopeSpans && { resource: attempt(() => attributes(resource), {}), scopeSpans, schemaUrl: schemaUrl(resource) };
  });
  return JSON.stringify({ resourceSpans }, (_, v) => (v as { toWellFormed?(): string } | null)?.toWellFormed?.() ?? v);
}
