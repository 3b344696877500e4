/**
 * Attribute values and the rules for recording them, shared by spans, events, links,
 * resources, metrics and logs (the design of the size-first core, bench/lean: one path
 * per rule, plus the plain-object fast path the span hot path needs).
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/common/#attribute — a value is a
 * string, boolean, double or int64, or a homogeneous array of one of those. `null`
 * and `undefined` are allowed inside arrays (kept as null). Keys are non-empty strings.
 * Anything else is dropped and reported once per key, never thrown. Spec (SDK Span Limits):
 * new keys past the count limit are dropped and counted (replacing a key is always allowed);
 * strings, also inside arrays, are cut to the value length limit without splitting a
 * surrogate pair.
 */
import { describeValue } from "./describe.ts";
import { diagOnce } from "./diag.ts";

/** A primitive attribute value or a homogeneous array of them, as in `@opentelemetry/api`. */
export type AttributeValue =
  | string
  | number
  | boolean
  | Array<null | undefined | string>
  | Array<null | undefined | number>
  | Array<null | undefined | boolean>;

/** A set of attributes. `undefined` values are accepted on input and ignored. */
export interface Attributes {
  [key: string]: AttributeValue | undefined;
}

/** Cuts `s` to at most `max` UTF-16 units, one less when the cut would leave a high surrogate. */
export function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - (s.charCodeAt(max - 1) >> 10 === 54 /* 0xd800 >> 10 */ ? 1 : 0)) : s;
}

/**
 * Returns `value` made valid for recording, or `undefined` when it cannot be recorded.
 * Strings (also inside arrays) are cut to `maxLength`; arrays are copied so later mutation
 * by the caller does not change what was recorded. Array entries are read by index (holes
 * read as null; a hostile `Symbol.iterator` is never called); a revoked Proxy or a throwing
 * getter makes the value unrecordable.
 */
export function sanitizeAttributeValue(value: unknown, maxLength: number = Infinity): AttributeValue | undefined {
  const t = typeof value;
  if (t === "string") return truncate(value as string, maxLength);
  if (t === "number" || t === "boolean") return value as number | boolean;
  try {
    if (Array.isArray(value)) {
      // Not recursive, preallocated, one guard for the loop: measurably faster than the lean
      // core's recursive form on array attributes (~15 % of a span with a few of them).
      const out: unknown[] = new Array(value.length);
      let kind: string | undefined;
      for (let i = 0; i < value.length; i++) {
        const x: unknown = value[i];
        if (x == null) out[i] = null;
        else {
          // The same primitive type as the first non-null entry; no nested arrays or objects.
          const type = typeof x;
          if ((type !== "string" && type !== "number" && type !== "boolean") || (kind ??= type) !== type) return undefined;
          out[i] = type === "string" ? truncate(x as string, maxLength) : x;
        }
      }
      return out as AttributeValue;
    }
  } catch {} // a revoked Proxy, or a throwing `length` or index getter
  return undefined;
}

/** Attribute limits applied when recording into an {@link Attributes} object. */
export interface AttributeLimits {
  /** Maximum number of distinct keys; further new keys are dropped and counted. */
  readonly countLimit: number;
  /** Maximum string length; longer strings are truncated. */
  readonly valueLengthLimit: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Sets `key` to `value` on `target`, which holds `size` keys, under `limits`. Returns the new
 * number of keys, or -1 when the count limit dropped a new key (the caller keeps `size` —
 * cheaper than counting keys on every call — and counts drops). `null`/`undefined` unset
 * nothing and are not reported (as `@opentelemetry/api`); invalid keys and values are
 * reported once (per key) and are not "dropped by the limit".
 */
export function setAttribute(target: Attributes, key: string, value: unknown, limits: AttributeLimits, size: number): number {
  if (typeof key !== "string" || !key) {
    diagOnce("warn", "attr-key", `Dropped attribute with invalid key ${describeValue(key)}.`);
    return size;
  }
  if (value == null) return size;
  const clean = sanitizeAttributeValue(value, limits.valueLengthLimit);
  if (clean === undefined) {
    diagOnce("warn", `attr-value:${key}`, `Dropped attribute "${key}": invalid value ${describeValue(value)}.`);
    return size;
  }
  const exists = hasOwn.call(target, key);
  if (!exists && size >= limits.countLimit) return -1;
  // `__proto__` as an own data property: an assignment would replace the object's prototype.
  if (key === "__proto__") Object.defineProperty(target, key, { value: clean, enumerable: true, writable: true, configurable: true });
  else target[key] = clean;
  return exists ? size : size + 1;
}

/**
 * Calls `fn` with each own enumerable key of `source` and its value, read once (nothing for a
 * non-object). An entry whose getter throws is skipped and reported once per key; a source
 * whose keys cannot be listed (a revoked Proxy) gives nothing.
 */
export function forEachAttribute(source: unknown, fn: (key: string, value: unknown) => void): void {
  if (source === null || typeof source !== "object") return;
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch {
    diagOnce("warn", "Dropped unreadable attributes.");
    return;
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = (source as Record<string, unknown>)[key];
    } catch {
      diagOnce("warn", `attr-getter:${key}`, `Dropped attribute "${key}": reading it threw.`);
      continue;
    }
    fn(key, value);
  }
}

/**
 * Copies every entry of `source` into a new attributes object under `limits`.
 * Returns the object and how many new keys the count limit dropped.
 */
export function copyAttributes(source: unknown, limits: AttributeLimits): { attributes: Attributes; dropped: number } {
  const plain = copyPlainAttributes(source, limits);
  if (plain !== undefined) return { attributes: plain, dropped: 0 };
  const attributes: Attributes = {};
  let dropped = 0;
  let size = 0;
  forEachAttribute(source, (key, value) => {
    const r = setAttribute(attributes, key, value, limits, size);
    r < 0 ? dropped++ : (size = r);
  });
  return { attributes, dropped };
}

/**
 * The fast path of copying attributes: when every own enumerable entry of `source` is a
 * non-empty key (not `__proto__`) with a number, boolean or string value within `limits`,
 * returns a shallow copy (and sets {@link plainCopy}`.count`); otherwise returns
 * `undefined` and the caller takes the general path (which drops, truncates, copies arrays
 * and reports). The copy is an object spread — one clone of the source's shape instead
 * of one shape transition per key — checked afterwards, so a getter runs once and a
 * throwing one sends the caller to the general path. Only the copy is read after the
 * spread: the caller cannot change what was checked.
 */
export function copyPlainAttributes(source: unknown, limits: AttributeLimits): Attributes | undefined {
  if (source === null || typeof source !== "object") return undefined;
  let copy: Record<string, unknown>;
  try {
    copy = { ...(source as Record<string, unknown>) };
  } catch {
    return undefined;
  }
  const maxLength = limits.valueLengthLimit;
  let count = 0;
  for (const key in copy) {
    // Inherited enumerable keys (a polluted prototype) or a symbol-keyed copy are left to the
    // general path. `hasOwnProperty.call`, not `Object.hasOwn`: measurably faster here.
    if (!hasOwn.call(copy, key) || key.length === 0 || key === "__proto__") return undefined;
    const value = copy[key];
    const type = typeof value;
    if (type === "string") {
      if ((value as string).length > maxLength) return undefined;
    } else if (type !== "number" && type !== "boolean") return undefined;
    count++;
  }
  if (count > limits.countLimit) return undefined;
  plainCopy.count = count;
  return copy as Attributes;
}

/** Side result of {@link copyPlainAttributes} (kept in one object so the hot path allocates nothing more). */
export const plainCopy: { count: number } = { count: 0 };
