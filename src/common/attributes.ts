/**
 * Attribute values and the rules for recording them, shared by spans, events, links,
 * resources and (later) metrics and logs.
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

/**
 * Returns `value` made valid for recording, or `undefined` when it cannot be recorded.
 * Strings (also inside arrays) are truncated to `maxLength` UTF-16 code units, taking care
 * not to split a surrogate pair. Arrays are copied so later mutation by the caller does not
 * change what was recorded.
 */
export function sanitizeAttributeValue(value: unknown, maxLength: number = Infinity): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
      return value.length > maxLength ? truncate(value, maxLength) : value;
    case "number":
    case "boolean":
      return value;
    case "object":
      try {
        return Array.isArray(value) ? sanitizeArray(value, maxLength) : undefined;
      } catch {
        return undefined; // a revoked proxy, or an array proxy whose `length` trap throws
      }
    default:
      // undefined, bigint, symbol, function: not attribute values.
      return undefined;
  }
}

function sanitizeArray(values: unknown[], maxLength: number): AttributeValue | undefined {
  let kind: string | undefined;
  const out: Array<string | number | boolean | null> = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let v: unknown;
    try {
      v = values[i];
    } catch {
      return undefined; // a throwing getter on an index
    }
    if (v === null || v === undefined) {
      out[i] = null;
      continue;
    }
    const t = typeof v;
    if (t !== "string" && t !== "number" && t !== "boolean") return undefined;
    if (kind === undefined) kind = t;
    else if (kind !== t) return undefined; // mixed types are not a valid attribute array
    out[i] = t === "string" && (v as string).length > maxLength ? truncate(v as string, maxLength) : (v as string | number | boolean);
  }
  return out as AttributeValue;
}

/** Cuts `s` to at most `max` code units without leaving half of a surrogate pair at the end. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // high surrogate whose pair would be cut
  return s.slice(0, end);
}

/** Attribute limits applied when recording into an {@link Attributes} object. */
export interface AttributeLimits {
  /** Maximum number of distinct keys; further new keys are dropped and counted. */
  readonly countLimit: number;
  /** Maximum string length; longer strings are truncated. */
  readonly valueLengthLimit: number;
}

/** What {@link setAttribute} did with an attribute. */
export enum AttributeOutcome {
  /** Invalid key or value (reported through `diag`), or `null`/`undefined` (unset). */
  Ignored = 0,
  /** A new key was added. */
  Added = 1,
  /** An existing key got a new value. */
  Replaced = 2,
  /** A new key was dropped because `size` had reached the count limit. */
  DroppedByLimit = 3,
}

/**
 * Sets `key` to `value` on `target`, which currently holds `size` keys, under `limits`.
 * The caller keeps `size` (cheaper than counting keys on every call) and counts drops.
 * Invalid keys and values are dropped with one diagnostic and are not "dropped by limit".
 */
export function setAttribute(
  target: Attributes,
  key: string,
  value: unknown,
  limits: AttributeLimits,
  size: number,
): AttributeOutcome {
  if (typeof key !== "string" || key.length === 0) {
    diagOnce("warn", "attr-key", `Dropped attribute with invalid key ${describeValue(key)}: keys must be non-empty strings.`);
    return AttributeOutcome.Ignored;
  }
  if (value === undefined || value === null) return AttributeOutcome.Ignored; // "unset", as in @opentelemetry/api
  const clean = sanitizeAttributeValue(value, limits.valueLengthLimit);
  if (clean === undefined) {
    diagOnce(
      "warn",
      `attr-value:${key}`,
      `Dropped attribute "${key}": ${describeValue(value)} is not a valid attribute value (string, number, boolean or a homogeneous array of them).`,
    );
    return AttributeOutcome.Ignored;
  }
  const exists = hasOwn.call(target, key);
  if (!exists && size >= limits.countLimit) return AttributeOutcome.DroppedByLimit;
  if (key === "__proto__") {
    // Keep the data as an own property instead of replacing the object's prototype.
    Object.defineProperty(target, key, { value: clean, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = clean;
  }
  return exists ? AttributeOutcome.Replaced : AttributeOutcome.Added;
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
    diagOnce("warn", "Dropped unreadable attributes."); // a revoked Proxy, or one whose ownKeys trap throws
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
 * Returns the object and how many entries the count limit dropped.
 */
export function copyAttributes(source: unknown, limits: AttributeLimits): { attributes: Attributes; dropped: number } {
  const plain = copyPlainAttributes(source, limits);
  if (plain !== undefined) return { attributes: plain, dropped: 0 };
  const attributes: Attributes = {};
  let dropped = 0;
  let size = 0;
  forEachAttribute(source, (key, value) => {
    const outcome = setAttribute(attributes, key, value, limits, size);
    if (outcome === AttributeOutcome.Added) size++;
    else if (outcome === AttributeOutcome.DroppedByLimit) dropped++;
  });
  return { attributes, dropped };
}

const hasOwn = Object.prototype.hasOwnProperty;

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
    // Inherited enumerable keys (a polluted prototype) or a symbol-keyed copy are left to the general path.
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
