/**
 * Attribute sets as metric storage keys. Two attribute objects with the same entries in any
 * key order are the same series (spec: data model, "attribute sets are unordered"), so the key
 * is a canonical string of the entries sorted by key. Values are sanitized like span
 * attributes: invalid ones are dropped with one diagnostic, `undefined`/`null` ones are unset.
 */
import { sanitizeAttributeValue, type Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";

/** A sanitized, frozen attribute set and its canonical key. */
export interface AttributeSet {
  readonly attributes: Attributes;
  readonly key: string;
}

/** The empty attribute set. */
export const EMPTY_SET: AttributeSet = /* @__PURE__ */ Object.freeze({ attributes: /* @__PURE__ */ Object.freeze({}) as Attributes, key: "" });

/**
 * Sanitizes `raw` into an {@link AttributeSet}, keeping only the keys in `keep` when given
 * (a view's `attributeKeys`). Never throws: a throwing getter drops that entry.
 */
export function toAttributeSet(raw: unknown, keep?: ReadonlySet<string>): AttributeSet {
  if (raw === undefined || raw === null) return EMPTY_SET;
  if (typeof raw !== "object") {
    diagOnce("warn", "metric-attrs-type", `Ignoring metric attributes of type ${typeof raw}: attributes must be an object.`);
    return EMPTY_SET;
  }
  let keys: string[];
  try {
    keys = Object.keys(raw);
  } catch {
    return EMPTY_SET;
  }
  if (keys.length === 0) return EMPTY_SET;
  if (keys.length > 1) sortKeys(keys);
  const attributes: Attributes = {};
  let key = "";
  for (const k of keys) {
    if (keep !== undefined && !keep.has(k)) continue;
    let value: unknown;
    try {
      value = (raw as Record<string, unknown>)[k];
    } catch {
      diagOnce("warn", `metric-attr-getter:${k}`, `Dropped metric attribute "${k}": reading it threw.`);
      continue;
    }
    if (value === undefined || value === null) continue;
    const clean = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : sanitizeAttributeValue(value);
    if (clean === undefined) {
      diagOnce("warn", `metric-attr-value:${k}`, `Dropped metric attribute "${k}": not a string, number, boolean or homogeneous array of them.`);
      continue;
    }
    if (k === "__proto__") Object.defineProperty(attributes, k, { value: clean, enumerable: true, writable: true, configurable: true });
    else attributes[k] = clean;
    // Length-prefixed entries in key order: unambiguous without escaping (a separator inside a
    // key or value cannot fake a boundary), and the type tag keeps "1", 1 and true apart.
    key += k.length + ":" + k + valueKey(clean);
  }
  if (key === "") return EMPTY_SET;
  return { attributes: Object.freeze(attributes), key };
}

function valueKey(v: unknown): string {
  if (typeof v === "string") return "s" + v.length + ":" + v;
  if (typeof v === "number") return "n" + String(v) + ";"; // String() spells NaN and ±Infinity distinctly
  if (typeof v === "boolean") return v ? "T" : "F";
  Object.freeze(v); // an array value: the stored set must not change under the caller
  const json = JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? `\u0000${String(x)}` : x));
  return "a" + json.length + ":" + json;
}

// Insertion sort: attribute sets are small, and this beats Array#sort's setup cost there.
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
}

/** The entries of `raw` whose keys are not in `keep`: what a view's attribute filter removed (for exemplars). */
export function filteredOut(raw: Attributes | undefined, keep: ReadonlySet<string> | undefined): Attributes {
  if (keep === undefined || raw === undefined || raw === null || typeof raw !== "object") return EMPTY_SET.attributes;
  const out: Attributes = {};
  let any = false;
  try {
    for (const key of Object.keys(raw)) {
      if (keep.has(key)) continue;
      const clean = sanitizeAttributeValue(raw[key]);
      if (clean === undefined || key === "__proto__") continue;
      out[key] = clean;
      any = true;
    }
  } catch {
    // a throwing getter: keep what was read
  }
  return any ? out : EMPTY_SET.attributes;
}

/**
 * The raw entries of `attrs` in iteration order (`[k0, v0, k1, v1, ...]`), for the storage's
 * same-object fast path: an object passed again is only reused when its entries are unchanged,
 * so mutating an attributes object between calls stays correct. Undefined when the object
 * cannot be cached safely (array values, which could change in place, or throwing getters).
 */
export function snapshot(attrs: object): unknown[] | undefined {
  const snap: unknown[] = [];
  try {
    for (const k in attrs) {
      const v = (attrs as Record<string, unknown>)[k];
      if (typeof v === "object" && v !== null) return undefined;
      snap.push(k, v);
    }
  } catch {
    return undefined;
  }
  return snap;
}

/** True when `attrs` still has exactly the entries of `snap`, in the same order. */
export function sameAsSnapshot(attrs: object, snap: unknown[]): boolean {
  let i = 0;
  for (const k in attrs) {
    if (snap[i] !== k || snap[i + 1] !== (attrs as Record<string, unknown>)[k]) return false;
    i += 2;
  }
  return i === snap.length;
}
