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
  return (
    p !== null &&
    typeof p === "object" &&
    typeof (p as TextMapPropagator).inject === "function" &&
    typeof (p as TextMapPropagator).extract === "function"
  );
}

interface HeadersLike {
  get(key: string): string | null | undefined;
  set?(key: string, value: string): void;
  forEach?(fn: (value: string, key: string) => void): void;
  keys?(): Iterable<string>;
}

function isMap(c: object): c is Map<unknown, unknown> {
  return c instanceof Map || Object.prototype.toString.call(c) === "[object Map]";
}

function isHeadersLike(c: object): c is HeadersLike {
  return typeof (c as HeadersLike).get === "function";
}

/** The keys of a Map or plain-object carrier. */
function keysOf(c: object): Iterable<unknown> {
  return isMap(c) ? c.keys() : Object.keys(c);
}

/** A plain-object or Map value as the getter contract wants it. */
function normalize(value: unknown): string | string[] | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === "string");
    return strings.length > 1 ? strings : strings[0]; // undefined when there is none
  }
  return undefined;
}

const GET_FAILED = "Propagation: a carrier value could not be read; ignoring it.";
const ASCII = /^[\x00-\x7f]*$/;

/** The values of all keys of a Map or plain object matching `key` case-insensitively, keeping repeated lines apart. */
function collect(carrier: object, key: string): string | string[] | undefined {
  const wanted = key.toLowerCase();
  // For an ASCII `wanted` (every header name) a key of another length never matches, so most
  // keys of a large carrier are skipped without lower-casing them: each `get` is one cheap pass.
  const anyLength = !ASCII.test(wanted);
  const map = isMap(carrier) ? carrier : undefined;
  let found: string | string[] | undefined;
  for (const k of keysOf(carrier)) {
    if (typeof k !== "string" || (!anyLength && k.length !== wanted.length) || (k !== wanted && k.toLowerCase() !== wanted)) continue;
    const v = normalize(map ? map.get(k) : (carrier as Record<string, unknown>)[k]);
    if (v === undefined) continue;
    if (found === undefined) found = v;
    else {
      // `found` becomes our own array (normalize copies arrays); a loop, since spreading a huge
      // array into push() overflows the argument limit.
      if (typeof found === "string") found = [found];
      for (const x of typeof v === "string" ? [v] : v) found.push(x);
    }
  }
  return found;
}

/** The default {@link TextMapGetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapGetter: TextMapGetter<unknown> = {
  keys(carrier: unknown): string[] {
    if (carrier === null || typeof carrier !== "object") return [];
    const out: string[] = [];
    try {
      const add = (k: unknown): void => void (typeof k === "string" && out.push(k));
      if (isMap(carrier) || !isHeadersLike(carrier)) for (const k of keysOf(carrier)) add(k);
      else if (typeof carrier.forEach === "function") carrier.forEach((_v, k) => add(k));
      else if (typeof carrier.keys === "function") for (const k of carrier.keys()) add(k);
      return out;
    } catch (err) {
      diagOnce("warn", "textmap.keys", "Propagation: the carrier's keys could not be read; treating it as empty.", err);
      return [];
    }
  },
  get(carrier: unknown, key: string): string | string[] | undefined {
    if (carrier === null || typeof carrier !== "object" || typeof key !== "string") return undefined;
    try {
      // Headers.get is already case-insensitive and joins repeated lines with ", ".
      return isHeadersLike(carrier) && !isMap(carrier) ? normalize(carrier.get(key)) : collect(carrier, key);
    } catch (err) {
      diagOnce("warn", "textmap.get", GET_FAILED, err);
      return undefined;
    }
  },
};

/** The default {@link TextMapSetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapSetter: TextMapSetter<unknown> = {
  set(carrier: unknown, key: string, value: string): void {
    if (carrier === null || typeof carrier !== "object" || typeof key !== "string") return;
    try {
      const map = isMap(carrier) ? carrier : undefined;
      if (!map && isHeadersLike(carrier) && typeof carrier.set === "function") {
        carrier.set(key, value);
        return;
      }
      // Drop other-cased duplicates so the field is sent once (a Map iterator skips entries
      // deleted under it and Object.keys returns a fresh array, so no copy is needed).
      const record = carrier as Record<string, unknown>;
      const wanted = key.toLowerCase();
      for (const k of keysOf(carrier)) {
        if (typeof k === "string" && k !== key && k.toLowerCase() === wanted) map ? map.delete(k) : delete record[k];
      }
      if (map) map.set(key, value);
      else record[key] = value;
    } catch (err) {
      // e.g. an immutable Headers (the guard of a received Request).
      diagOnce("warn", "textmap.set", `Propagation: could not set "${key}" on the carrier (is it immutable?).`, err);
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
  if (getter !== defaultTextMapGetter || carrier === null || typeof carrier !== "object" || isHeadersLike(carrier) || names.length < 2) {
    return names.map((name) => getter.get(carrier, name));
  }
  try {
    const wanted = new Map<string, string | string[] | undefined>();
    for (const name of names) wanted.set(name.toLowerCase(), undefined);
    const map = isMap(carrier) ? carrier : undefined;
    for (const k of keysOf(carrier)) {
      if (typeof k !== "string") continue;
      const lower = k.toLowerCase();
      if (!wanted.has(lower)) continue;
      const v = normalize(map ? map.get(k) : (carrier as Record<string, unknown>)[k]);
      if (v === undefined) continue;
      const found = wanted.get(lower);
      wanted.set(lower, found === undefined ? v : ([] as string[]).concat(found, v));
    }
    return names.map((name) => wanted.get(name.toLowerCase()));
  } catch (err) {
    diagOnce("warn", "textmap.get", GET_FAILED, err);
    return names.map(() => undefined);
  }
}
