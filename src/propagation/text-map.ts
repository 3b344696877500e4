/**
 * The text-map propagation interfaces (OTel spec "Propagators API" §TextMap Propagator),
 * shape-compatible with `TextMapPropagator`, `TextMapGetter` and `TextMapSetter` in
 * `@opentelemetry/api`, plus a default getter/setter that understand every carrier an
 * edge runtime hands us: a fetch `Headers`, a `Map`, or a plain object such as Node's
 * `IncomingHttpHeaders` (whose values may be arrays).
 *
 * HTTP field names are case-insensitive (RFC 9110 §5.1), so lookups on Maps and plain
 * objects are too; keys that differ only by case are reported as repeated field lines,
 * which is what they are on the wire. None of this ever throws.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";

/** Reads values from a carrier (e.g. incoming request headers). */
export interface TextMapGetter<Carrier = unknown> {
  /** The keys present in `carrier`. */
  keys(carrier: Carrier): string[];
  /** The value(s) of `key` in `carrier`; an array when the field was repeated. */
  get(carrier: Carrier, key: string): string | string[] | undefined;
}

/** Writes values into a carrier (e.g. outgoing request headers). */
export interface TextMapSetter<Carrier = unknown> {
  /** Sets `key` to `value` in `carrier`, replacing any previous value. */
  set(carrier: Carrier, key: string, value: string): void;
}

/** Injects context into, and extracts context from, a string key/value carrier. */
export interface TextMapPropagator<Carrier = unknown> {
  /** Writes the cross-cutting concerns of `context` into `carrier`. */
  inject(context: Context, carrier: Carrier, setter: TextMapSetter<Carrier>): void;
  /** Returns `context` extended with what `carrier` holds (or `context` itself when nothing valid). */
  extract(context: Context, carrier: Carrier, getter: TextMapGetter<Carrier>): Context;
  /** The keys this propagator writes, so carriers can be pre-allocated or cleared. */
  fields(): string[];
}

/** True for an object with `inject` and `extract` methods (what a {@link TextMapPropagator} must have). */
export function isPropagator(p: unknown): p is TextMapPropagator<unknown> {
  return typeof (p as TextMapPropagator)?.inject === "function" && typeof (p as TextMapPropagator)?.extract === "function";
}

interface HeadersLike {
  get(key: string): unknown;
  set?(key: string, value: string): void;
  forEach?(fn: (value: string, key: string) => void): void;
  keys?(): Iterable<string>;
}
type Carrier = Map<unknown, unknown> | Record<string, unknown>;

/** A fetch `Headers` or the like: its own `get` (case-insensitive, joining repeated lines with ", "). */
const isHeadersLike = (c: object): c is HeadersLike => !(c instanceof Map) && typeof (c as HeadersLike).get === "function";
const keysOf = (c: Carrier): Iterable<unknown> => (c instanceof Map ? c.keys() : Object.keys(c));
const valueOf = (c: Carrier, key: string): unknown => (c instanceof Map ? c.get(key) : c[key]);

/** The strings a carrier value holds: a string, a number (Node's `content-length`), an array's strings. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "bigint") return [String(value)];
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}

/** One string, several (repeated field lines) or none, as the getter contract wants them. */
const asGot = (values: string[]): string | string[] | undefined => (values.length > 1 ? values : values[0]);

/** The keys of a Map or plain object equal to `name` but for case. */
function keysNamed(carrier: Carrier, name: string): string[] {
  const wanted = name.toLowerCase();
  // toLowerCase changes a string's length only for U+0130 (to "i" U+0307), so unless `wanted`
  // holds U+0307 a key of another length never matches: most keys of a large carrier are
  // skipped without lower-casing them, and each lookup is one cheap pass.
  const anyLength = wanted.includes("\u0307");
  return [...keysOf(carrier)].filter((k): k is string => typeof k === "string" && (anyLength || k.length === wanted.length) && k.toLowerCase() === wanted);
}

/** `read()`, or `fallback` when the carrier throws (reported once). */
function tried<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (err) {
    diagOnce("warn", "Propagation: the carrier threw; skipped what failed.", undefined, err);
    return fallback;
  }
}

/** True for a carrier we can read or write: an object. */
const isObject = (carrier: unknown): carrier is object => carrier !== null && typeof carrier === "object";

/** The default {@link TextMapGetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapGetter: TextMapGetter<unknown> = {
  keys: (carrier: unknown): string[] =>
    isObject(carrier)
      ? tried(() => {
          let keys: unknown[] = [];
          if (!isHeadersLike(carrier)) keys = [...keysOf(carrier as Carrier)];
          else if (typeof carrier.forEach === "function") carrier.forEach((_v, k) => keys.push(k));
          else if (typeof carrier.keys === "function") keys = [...carrier.keys()];
          return keys.filter((k): k is string => typeof k === "string");
        }, [])
      : [],
  get: (carrier: unknown, key: string): string | string[] | undefined =>
    isObject(carrier) && typeof key === "string"
      ? tried(() => {
          if (isHeadersLike(carrier)) return asGot(strings(carrier.get(key)));
          // Field names are case-insensitive (RFC 9110 §5.1); keys differing by case are repeated lines.
          const values: string[] = [];
          // A loop, not push(...): spreading a huge array overflows the argument limit.
          for (const k of keysNamed(carrier as Carrier, key)) for (const v of strings(valueOf(carrier as Carrier, k))) values.push(v);
          return asGot(values);
        }, undefined)
      : undefined,
};

/** The default {@link TextMapSetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapSetter: TextMapSetter<unknown> = {
  set(carrier: unknown, key: string, value: string): void {
    if (!isObject(carrier) || typeof key !== "string") return;
    try {
      if (isHeadersLike(carrier) && typeof carrier.set === "function") return carrier.set(key, value);
      // Drop other-cased duplicates so the field is sent once.
      const c = carrier as Carrier;
      for (const k of keysNamed(c, key)) if (k !== key) c instanceof Map ? c.delete(k) : delete c[k];
      c instanceof Map ? c.set(key, value) : (c[key] = value);
    } catch (err) {
      // e.g. an immutable Headers (the guard of a received Request).
      diagOnce("warn", `Propagation: could not set "${key}" (an immutable carrier?).`, undefined, err);
    }
  },
};

/**
 * The values of several fields of `carrier`, as `getter.get` gives them one by one. With the
 * default getter on a Map or plain-object carrier, which has to scan every key per `get`
 * (field names are case-insensitive), all names are answered from one pass instead, so
 * reading many fields of a carrier with many keys stays linear. Never throws.
 */
export function getFields(carrier: unknown, getter: TextMapGetter<unknown>, names: readonly string[]): Array<string | string[] | undefined> {
  if (getter !== defaultTextMapGetter || !isObject(carrier) || isHeadersLike(carrier) || names.length < 2) {
    return names.map((name) => getter.get(carrier, name));
  }
  return tried(() => {
    const found = new Map(names.map((name) => [name.toLowerCase(), [] as string[]]));
    for (const k of keysOf(carrier as Carrier)) {
      const list = typeof k === "string" ? found.get(k.toLowerCase()) : undefined;
      if (list) for (const v of strings(valueOf(carrier as Carrier, k as string))) list.push(v);
    }
    return names.map((name) => asGot(found.get(name.toLowerCase())!));
  }, names.map(() => undefined));
}
