/**
 * Turning what a caller emits into a {@link ReadableLogRecord}: log record limits
 * (spec: Logs SDK "LogRecord Limits"; `OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT` /
 * `_VALUE_LENGTH_LIMIT`, falling back to `OTEL_ATTRIBUTE_*`, default 128 / unlimited) and
 * sanitizing values under the `AnyValue` rules (common spec, "AnyValue": nested maps and
 * arrays are allowed in logs).
 *
 * Values are deep-copied, so a caller mutating an object after `emit` does not change what
 * is exported, and the copy is safe to encode anywhere: cycles, branches deeper than
 * {@link MAX_LOG_VALUE_DEPTH}, functions, symbols and throwing getters are dropped (reported
 * once), `__proto__` stays an own key. Nothing here throws.
 */
import { truncate } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import type { AnyValue, AnyValueMap } from "./types.ts";

/** Limits applied to every log record. */
export interface LogRecordLimits {
  /** Max attributes per record (default 128); further keys are dropped and counted. */
  attributeCountLimit: number;
  /** Max length of string values, applied to nested strings too (default: unlimited). */
  attributeValueLengthLimit: number;
}

/** The spec defaults. */
export const DEFAULT_LOG_RECORD_LIMITS: Readonly<LogRecordLimits> = /* @__PURE__ */ Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
});

/**
 * Resolves limits: explicit `options`, then the defaults. Reads no
 * environment: `init()` completes `options` from `OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT` /
 * `OTEL_ATTRIBUTE_*_LIMIT` first (see `src/env-selection.ts`).
 *
 * @throws RangeError when an option is not a non-negative integer or Infinity.
 */
export function resolveLogRecordLimits(options: Partial<LogRecordLimits> = {}): LogRecordLimits {
  const limits: LogRecordLimits = {
    attributeCountLimit: options.attributeCountLimit ?? DEFAULT_LOG_RECORD_LIMITS.attributeCountLimit,
    attributeValueLengthLimit: options.attributeValueLengthLimit ?? DEFAULT_LOG_RECORD_LIMITS.attributeValueLengthLimit,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!(value >= 0 && (value === Infinity || Number.isInteger(value)))) {
      throw new RangeError(`Invalid log record limit ${key}: ${String(value)}; expected a non-negative integer or Infinity.`);
    }
  }
  return limits;
}

/** How deeply maps and arrays may nest in a body or attribute value; deeper branches are dropped. */
const MAX_DEPTH = 32;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A deep copy of `value` that is a valid {@link AnyValue}, or `undefined` when nothing of it
 * can be kept. Strings (also nested) are cut to `maxLength`. `Date` → ISO string, `Error` →
 * `"Name: message"`, bigint → decimal string, `Uint8Array` (and other typed-array views) →
 * a `Uint8Array` copy; functions and symbols are dropped (inside arrays they become `null`,
 * keeping positions). Never throws.
 */
export function sanitizeAnyValue(value: unknown, maxLength: number = Infinity): AnyValue | undefined {
  // The common body, a string: no try.
  if (typeof value === "string") return truncate(value, maxLength);
  try {
    return copy(value, maxLength, []);
  } catch {
    diagOnce("warn", "log-value-throw", "Dropped a log value that could not be read.");
    return undefined;
  }
}

/** `obj[key]`, or undefined (reported once per key) when reading it throws. */
function read(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    diagOnce("warn", `log-value-getter:${key}`, `Dropped log field "${key}": reading it threw.`);
    return undefined;
  }
}

// `path`: the maps and arrays being copied, outermost first.
function copy(value: unknown, maxLength: number, path: object[]): AnyValue | undefined {
  const type = typeof value;
  if (type === "string") return truncate(value as string, maxLength);
  if (type === "number" || type === "boolean") return value as number | boolean;
  if (type === "bigint") return String(value);
  if (type !== "object") return undefined; // undefined, function, symbol
  if (value === null) return null;
  if (value instanceof Uint8Array) return value.slice();
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (value instanceof Date) return isNaN(value.getTime()) ? undefined : value.toISOString();
  if (value instanceof Error) return truncate(`${value.name || "Error"}: ${value.message}`, maxLength);
  if (path.length >= MAX_DEPTH || path.includes(value as object)) {
    diagOnce("warn", "log-value-shape", `Dropped a log value that contains itself (a cycle) or nests deeper than ${MAX_DEPTH} levels.`);
    return undefined;
  }
  path.push(value as object);
  try {
    if (Array.isArray(value)) {
      const out: AnyValue[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = copy(read(value, i), maxLength, path) ?? null;
      return out;
    }
    const out: AnyValueMap = {};
    for (const key in value) {
      const c = hasOwn.call(value, key) ? copy(read(value as object, key), maxLength, path) : undefined;
      if (c !== undefined) setOwn(out, key, c);
    }
    return out;
  } finally {
    path.pop();
  }
}

/** Sets `key` as an own, enumerable property, also for `__proto__` (never the prototype). */
function setOwn(target: AnyValueMap, key: string, value: AnyValue): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies `source` into `target` (empty) under `limits`. `undefined` and `null` values mean
 * "unset", as for span attributes; empty keys are dropped. Returns how many keys the count
 * limit dropped.
 */
export function addLogAttributes(target: AnyValueMap, source: unknown, limits: LogRecordLimits): number {
  let size = 0;
  let dropped = 0;
  if (source === null || typeof source !== "object") return dropped;
  try {
    for (const key in source) {
      const v = hasOwn.call(source, key) ? read(source, key) : undefined;
      if (v == null) continue;
      const clean = key ? sanitizeAnyValue(v, limits.attributeValueLengthLimit) : undefined;
      if (clean === undefined) diagOnce("warn", `log-attr:${key}`, `Dropped log attribute "${key}": ${key ? `a ${typeof v} is not a log value` : "an empty key"}.`);
      else if (size++ < limits.attributeCountLimit) setOwn(target, key, clean);
      else dropped++;
    }
  } catch {
    diagOnce("warn", "log-attr-throw", "Dropped log attributes whose keys could not be read.");
  }
  return dropped;
}
