/**
 * Attribute values and the rules for recording them, shared by spans, events, links,
 * resources, metrics and logs.
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/common/#attribute — a value is a
 * string, boolean, double or int64, or a homogeneous array of one of those. `null`
 * and `undefined` are allowed inside arrays (kept as null). Anything else is dropped
 * with one diagnostic, never thrown.
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

/** Attribute limits applied when recording into an {@link Attributes} object. */
export interface AttributeLimits {
  /** Maximum number of distinct keys; further new keys are dropped and counted. */
  readonly countLimit: number;
  /** Maximum string length; longer strings are truncated. */
  readonly valueLengthLimit: number;
}

/**
 * Returns `value` made valid for recording, or `undefined` when it cannot be recorded.
 * Strings (also inside arrays) are truncated to `maxLength` UTF-16 code units, taking care
 * not to split a surrogate pair. Arrays are copied so later mutation by the caller does not
 * change what was recorded.
 */
export function sanitizeAttributeValue(value: unknown, maxLength: number = Infinity): AttributeValue | undefined {
  const type = typeof value;
  if (type === "string") return truncate(value as string, maxLength);
  if (type === "number" || type === "boolean") return value as number | boolean;
  try {
    if (!Array.isArray(value)) return undefined; // undefined, bigint, symbol, function, object
    let kind: string | undefined;
    const out: Array<string | number | boolean | null> = [];
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const t = typeof v;
      if (v == null) out.push(null);
      else if ((t !== "string" && t !== "number" && t !== "boolean") || (kind ??= t) !== t) return undefined; // mixed types are not valid
      else out.push(t === "string" ? truncate(v as string, maxLength) : (v as number | boolean));
    }
    return out as AttributeValue;
  } catch {
    return undefined; // a revoked proxy, or an array proxy whose traps or getters throw
  }
}

/** Cuts `s` to at most `max` code units without leaving half of a surrogate pair at the end. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max); // a high surrogate whose pair would be cut
}

/**
 * Sets `key` to `value` on `target`, which currently holds `size` keys, under `limits`, and
 * returns what happened: 0 ignored (an invalid key or value, reported once; or `null`/`undefined`,
 * "unset"), 1 added, 2 replaced, 3 dropped by the count limit. The caller keeps `size` (cheaper
 * than counting keys on every call) and counts drops.
 */
export function setAttribute(target: Attributes, key: string, value: unknown, limits: AttributeLimits, size: number): 0 | 1 | 2 | 3 {
  if (typeof key !== "string" || key === "") {
    diagOnce("warn", "attr-key", `Dropped attribute with invalid key ${describeValue(key)}: keys must be non-empty strings.`);
    return 0;
  }
  if (value == null) return 0; // "unset", as in @opentelemetry/api
  const clean = sanitizeAttributeValue(value, limits.valueLengthLimit);
  if (clean === undefined) {
    diagOnce(
      "warn",
      `attr-value:${key}`,
      `Dropped attribute "${key}": ${describeValue(value)} is not a string, number, boolean or homogeneous array of them.`,
    );
    return 0;
  }
  const exists = Object.hasOwn(target, key);
  if (!exists && size >= limits.countLimit) return 3;
  // `__proto__`: kept as an own property instead of replacing the object's prototype.
  if (key === "__proto__") Object.defineProperty(target, key, { value: clean, enumerable: true, writable: true, configurable: true });
  else target[key] = clean;
  return exists ? 2 : 1;
}

/**
 * Calls `fn` with each own enumerable key and value of `source` (ignored unless an object).
 * An entry whose getter throws is skipped with one diagnostic; a source whose keys cannot
 * be listed (a revoked proxy) gives no entries.
 */
export function forEachAttribute(source: unknown, fn: (key: string, value: unknown) => void): void {
  if (source === null || typeof source !== "object") return;
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch {
    return diagOnce("warn", "Dropped unreadable attributes."); // a revoked Proxy, or one whose ownKeys trap throws
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
 * Returns the object and how many entries the count limit dropped.
 */
export function copyAttributes(source: unknown, limits: AttributeLimits): { attributes: Attributes; dropped: number } {
  let attributes = copyPlainAttributes(source, limits);
  let dropped = 0;
  if (!attributes) {
    const copy: Attributes = (attributes = {});
    let size = 0;
    forEachAttribute(source, (key, value) => {
      const outcome = setAttribute(copy, key, value, limits, size);
      if (outcome === 1) size++;
      else if (outcome === 3) dropped++;
    });
  }
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
  let count = 0;
  for (const key in copy) {
    // Inherited enumerable keys (a polluted prototype) or a symbol-keyed copy are left to the general path.
    if (!Object.hasOwn(copy, key) || key === "" || key === "__proto__") return undefined;
    const value = copy[key];
    const type = typeof value;
    if (type === "string" ? (value as string).length > limits.valueLengthLimit : type !== "number" && type !== "boolean") return undefined;
    count++;
  }
  if (count > limits.countLimit) return undefined;
  plainCopy.count = count;
  return copy as Attributes;
}

/** Side result of {@link copyPlainAttributes} (kept in one object so the hot path allocates nothing more). */
export const plainCopy: { count: number } = { count: 0 };
