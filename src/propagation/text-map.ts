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

/** Joins the values of all keys matching case-insensitively, keeping repeated lines apart. */
function collect(entries: Iterable<[unknown, unknown]>, key: string): string | string[] | undefined {
  const wanted = key.toLowerCase();
  let found: string | string[] | undefined;
  for (const [k, raw] of entries) {
    if (typeof k !== "string" || k.toLowerCase() !== wanted) continue;
    const v = normalize(raw);
    if (v === undefined) continue;
    if (found === undefined) found = v;
    else found = ([] as string[]).concat(found, v);
  }
  return found;
}

function objectEntries(c: object): Iterable<[unknown, unknown]> {
  return Object.keys(c).map((k): [unknown, unknown] => [k, (c as Record<string, unknown>)[k]]);
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
      if (isMap(carrier)) return collect(carrier.entries(), key);
      // Headers.get is already case-insensitive and joins repeated lines with ", ".
      if (isHeadersLike(carrier)) return normalize(carrier.get(key));
      return collect(objectEntries(carrier), key);
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
