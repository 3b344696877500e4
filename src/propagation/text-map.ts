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

/** A plain-object or Map value as the getter contract wants it. */
function normalize(value: unknown): string | string[] | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) {
    const strings = value.filter((v): v is string => typeof v === "string");
    return strings.length === 0 ? undefined : strings.length === 1 ? strings[0] : strings;
  }
  return undefined;
}

/**
 * True when `k` names the field `wanted` (already lower-cased) case-insensitively. For an
 * ASCII `wanted` (every header name) a different length can never match, so most keys of a
 * large carrier are skipped without lower-casing them: each `get` stays one cheap pass.
 */
function sameField(k: unknown, wanted: string, ascii: boolean): k is string {
  if (typeof k !== "string") return false;
  if (ascii && k.length !== wanted.length) return false;
  return k === wanted || k.toLowerCase() === wanted;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The values of all keys matching case-insensitively, keeping repeated lines apart. */
function collect(keys: Iterable<unknown>, read: (k: string) => unknown, key: string): string | string[] | undefined {
  const wanted = key.toLowerCase();
  const ascii = ASCII.test(wanted);
  let found: string | string[] | undefined;
  for (const k of keys) {
    if (!sameField(k, wanted, ascii)) continue;
    const v = normalize(read(k));
    if (v === undefined) continue;
    if (found === undefined) found = v;
    else if (Array.isArray(found)) {
      // `found` is our own copy (normalize copies arrays); a loop, since spreading a huge
      // array into push() overflows the argument limit.
      if (typeof v === "string") found.push(v);
      else for (const x of v) found.push(x);
    }
    else found = [found].concat(v);
  }
  return found;
}

/** The default {@link TextMapGetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapGetter: TextMapGetter<unknown> = {
  keys(carrier: unknown): string[] {
    if (carrier === null || typeof carrier !== "object") return [];
    try {
      if (isMap(carrier)) return [...carrier.keys()].filter((k): k is string => typeof k === "string");
      if (isHeadersLike(carrier)) {
        const out: string[] = [];
        if (typeof carrier.forEach === "function") carrier.forEach((_v, k) => out.push(k));
        else if (typeof carrier.keys === "function") for (const k of carrier.keys()) out.push(k);
        return out;
      }
      return Object.keys(carrier);
    } catch (err) {
      diagOnce("warn", "textmap.keys", "Propagation: the carrier's keys could not be read; treating it as empty.", err);
      return [];
    }
  },
  get(carrier: unknown, key: string): string | string[] | undefined {
    if (carrier === null || typeof carrier !== "object" || typeof key !== "string") return undefined;
    try {
      if (isMap(carrier)) return collect(carrier.keys(), (k) => carrier.get(k), key);
      // Headers.get is already case-insensitive and joins repeated lines with ", ".
      if (isHeadersLike(carrier)) return normalize(carrier.get(key));
      return collect(Object.keys(carrier), (k) => (carrier as Record<string, unknown>)[k], key);
    } catch (err) {
      diagOnce("warn", "textmap.get", "Propagation: a carrier value could not be read; ignoring it.", err);
      return undefined;
    }
  },
};

/** The default {@link TextMapSetter}: `Headers`, `Map` or plain object carriers; never throws. */
export const defaultTextMapSetter: TextMapSetter<unknown> = {
  set(carrier: unknown, key: string, value: string): void {
    if (carrier === null || typeof carrier !== "object" || typeof key !== "string") return;
    try {
      if (isMap(carrier)) {
        // Drop other-cased duplicates so the field is sent once.
        const wanted = key.toLowerCase();
        for (const k of [...carrier.keys()]) {
          if (typeof k === "string" && k !== key && k.toLowerCase() === wanted) carrier.delete(k);
        }
        carrier.set(key, value);
        return;
      }
      if (isHeadersLike(carrier) && typeof carrier.set === "function") {
        carrier.set(key, value);
        return;
      }
      const record = carrier as Record<string, unknown>;
      const wanted = key.toLowerCase();
      for (const k of Object.keys(record)) {
        if (k !== key && k.toLowerCase() === wanted) delete record[k];
      }
      record[key] = value;
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
    const keys: Iterable<unknown> = map ? map.keys() : Object.keys(carrier);
    for (const k of keys) {
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
    diagOnce("warn", "textmap.get", "Propagation: a carrier value could not be read; ignoring it.", err);
    return names.map(() => undefined);
  }
}
