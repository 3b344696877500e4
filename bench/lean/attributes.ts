/**
 * Attributes for the size-first core: the rules of src/common/attributes.ts in one path.
 *
 * Spec (Common, Attribute): a value is a string, boolean, double or int64, or a homogeneous
 * array of one of those; `null`/`undefined` are allowed inside arrays (kept as null). Keys
 * are non-empty strings. Anything else is dropped and reported once, never thrown. Spec (SDK
 * Span Limits): new keys past the count limit are dropped and counted (replacing a key is
 * always allowed); strings, also inside arrays, are cut to the value length limit without
 * splitting a surrogate pair.
 *
 * One path for every input (the product also keeps a fast path for plain objects): an object
 * whose keys cannot be listed (a revoked or throwing Proxy) gives nothing, an entry whose
 * getter throws is skipped.
 */
import type { Attributes, AttributeValue, SpanLimits } from "./contract.ts";
import { warnOnce } from "./diag.ts";

/** `s` cut to at most `max` UTF-16 units, one less when the cut would leave a high surrogate. */
const cut = (s: string, max: number): string =>
  s.length > max ? s.slice(0, max - (s.charCodeAt(max - 1) >> 10 == 54 ? 1 : 0)) : s; // 54: 0xd800 >> 10

/** `v` made recordable (strings cut to `max`, arrays copied), or `undefined` when it is not an attribute value. */
function clean(v: unknown, max: number): AttributeValue | undefined {
  try {
    const t = typeof v;
    if (t == "string") return cut(v as string, max);
    if (t == "number" || t == "boolean") return v as number | boolean;
    if (Array.isArray(v)) {
      // Index reads, not the iterator: holes read as null, a hostile Symbol.iterator is not called.
      const out: unknown[] = [];
      let kind: string | undefined;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        const c = x == null ? null : (kind ??= typeof x) == typeof x && kind != "object" ? clean(x, max) : undefined;
        if (c === undefined) return; // a nested array or object, mixed types, or not a primitive
        out.push(c);
      }
      return out as AttributeValue;
    }
  } catch {} // a revoked Proxy, or a throwing `length` or index getter
}

/**
 * Sets `key` to `value` in `target`, which holds `n` keys, under a count limit and a value
 * length limit. Returns the new number of keys, or -1 when the count limit dropped a new key
 * (the caller counts drops). `null`/`undefined` unset nothing and are not reported (as the
 * official API); invalid keys and values are reported and not counted as dropped by a limit.
 */
export function put(target: Attributes, key: unknown, value: unknown, count: number, length: number, n: number): number {
  if (typeof key != "string" || !key) return warnOnce("invalid attribute key dropped"), n;
  if (value == null) return n;
  const v = clean(value, length);
  if (v === undefined) return warnOnce("invalid attribute value dropped"), n;
  const has = Object.hasOwn(target, key);
  if (!has && n >= count) return -1;
  // `__proto__` as an own data property: an assignment would replace the object's prototype.
  key == "__proto__" ? Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true }) : (target[key] = v);
  return has ? n : n + 1;
}

/**
 * Calls `fn` with each own enumerable string key of `source` and its value, read once; nothing
 * for a non-object. Unreadable entries (throwing getters, Proxy traps) are skipped and reported.
 */
export function each(source: unknown, fn: (key: string, value: unknown) => void): void {
  if (source && typeof source == "object") {
    let keys: string[] | undefined;
    // One guard for both reads: listing the keys (then nothing is read) and each value (then it is skipped).
    for (let i = 0; ; )
      try {
        keys ??= Object.keys(source);
        if (i == keys.length) return;
        const k = keys[i++]!;
        fn(k, (source as Record<string, unknown>)[k]);
      } catch {
        warnOnce("unreadable attributes dropped");
        if (!keys) return;
      }
  }
}

/** A clean copy of `source` under the limits, and how many new keys the count limit dropped. */
export function copy(source: unknown, count: number = 1 / 0, length: number = 1 / 0): [Attributes, number] {
  const out: Attributes = {};
  let n = 0;
  let dropped = 0;
  each(source, (k, v) => {
    const r = put(out, k, v, count, length, n);
    r < 0 ? dropped++ : (n = r);
  });
  return [out, dropped];
}

/**
 * A clean copy of `input` (e.g. the resource's attributes, config.ts) under
 * `limits.attributeCountLimit` and `limits.attributeValueLengthLimit` (default: none).
 */
export const sanitizeAttributes = (input: unknown, limits?: Partial<SpanLimits>): Attributes =>
  copy(input, limits?.attributeCountLimit, limits?.attributeValueLengthLimit)[0];
