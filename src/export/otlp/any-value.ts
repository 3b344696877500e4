/**
 * OTLP `AnyValue` and `KeyValue` lists as JSON text, shared by the trace, metric and log
 * encoders (opentelemetry-proto common/v1/common.proto; JSON form per the proto3 JSON
 * mapping, https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
 *
 * The output is written as UTF-8 bytes, without an intermediate
 * object tree (json-writer.ts says why bytes), and encoding never throws: a getter or proxy
 * trap that throws drops that entry, a cycle or a branch deeper than
 * {@link MAX_ANY_VALUE_DEPTH} is dropped, and each cause is reported once.
 */
import { encodeBase64 } from "./base64.ts";
import { dropped, unreadable } from "./write-items.ts";
import { ascii, byte, bytes, bytesSince, double, pos, rewind, string, utf8Text, written } from "./json-writer.ts";

/**
 * How deeply arrays and maps may nest inside one value (log bodies can be arbitrary
 * objects); deeper branches are dropped rather than risking a stack overflo
 */
export const MAX_ANY_VALUE_DEPTH = 32;

// int64 is [-2^63, 2^63 - 1]. Both bounds are exact doubles; 2^63 - 1 is not, so the upper
// test is "strictly below 2^63".
const INT64_END = 2 ** 63;
const INT64_END_BIG = 2n ** 63n;

/**
 * The exact decimal text of `n` when it is an integer number in [`min`, `end`) — the range of
 * a proto integer type, int64 unless given (proto3 JSON writes 64-bit integers as strings) —
 * else `undefined`. `-0` gives `"0"`. Past 2^53, `String(n)` would print the shortest
 * round-tripping digits (2^62 → "4611686018427388000"), not the value the double holds, so
 * BigInt prints it exactly.
 */
export function integerText(n: unknown, min: number = -INT64_END, end: number = INT64_END): string | undefined {
  // Number.isInteger is false for anything but a number.
  if (!Number.isInteger(n) || (n as number) < min || (n as number) >= end) return undefined;
  return Number.isSafeInteger(n) ? String(n) : BigInt(n as number).toString();
}

/**
 * One value as an OTLP `AnyValue` JSON object:
 * string → `stringValue`; boolean → `boolValue`; integral number within int64 →
 * `intValue` (decimal string); other numbers → `doubleValue` (`NaN`, `Infinity`,
 * `-Infinity` as strings, per proto3 JSON); bigint → `intValue` when it fits int64,
 * else its decimal `stringValue`; `Uint8Array` → `bytesValue` (base64); array →
 * `arrayValue`; `Date` → ISO `stringValue`; other objects → `kvlistValue` of their own
 * enumerable string keys. `null`, `undefined` and values that cannot be encoded (symbols,
 * functions, cycles, too deep) → the empty AnyValue `{}`.
 *
 * @example
 * encodeAnyValue(42); // '{"intValue":"42"}'
 */
export function encodeAnyValue(value: unknown): string {
  return utf8Text(written(undefined, () => writeAnyValueOrEmpty(value)));
}

/**
 * An attribute map (or any object) as an OTLP `KeyValue` list: the JSON array text
 * `[{"key":"k","value":{...}},...]`, `"[]"` when nothing is left. Entries whose value is
 * `undefined` (unset), not encodable, or whose getter throws are skipped; `null` becomes
 * the empty AnyValue.
 *
 * @example
 * encodeKeyValueList({ "http.status_code": 200 });
 * // '[{"key":"http.status_code","value":{"intValue":"200"}}]'
 */
export function encodeKeyValueList(map: unknown): string {
  return utf8Text(
    written(undefined, () => {
      byte(91); // [
      writeKeyValues(map);
      byte(93); // ]
    }),
  );
}

/** {@link encodeAnyValue}, written: the AnyValue object, `{}` for a value that is dropped. */
export function writeAnyValueOrEmpty(value: unknown): void {
  if (!anyValue(value)) ascii("{}");
}

/**
 * The comma-separated `KeyValue` objects of `map` (no brackets), as in
 * {@link encodeKeyValueList}; returns whether any was written. Never throws.
 */
export function writeKeyValues(map: unknown): boolean {
  if (map === null || typeof map !== "object") return false;
  // The map itself is not put on the cycle path (hot: once per span, event and link); a
  // value that contains the map is then written once, one level down, and stops there.
  const start = pos;
  try {
    return keyValues(map);
  } catch {
    rewind(start);
    unreadable("a value");
    return false;
  }
}

// Objects on the current encoding path, for cycle detection; the path is short (bounded by
// MAX_ANY_VALUE_DEPTH), so a linear search beats a Set. Encoding is synchronous.
const ancestors: object[] = [];

const hasOwn = Object.prototype.hasOwnProperty;

// Per attribute key, the bytes of `{"key":"<escaped>","value":{"stringValue":`: keys repeat
// across every span of a batch, and one copy of a cached prefix is cheaper than writing and
// escaping the key again, and most values are strings (together ~20 % of a 512-span body's
// encoding time). Bounded in count and key length because keys may come from untrusted input
// (log bodies); other keys are written directly.
const keyCache = /* @__PURE__ */ new Map<string, Uint8Array>();
const STRING_VALUE = '{"stringValue":';

/** The comma-separated KeyValue objects of `map`; false when none was written. */
function keyValues(map: object): boolean {
  let any = false;
  // for-in + own-property check: same keys and order as Object.keys, without allocating
  // the key array (measured ~3x faster per attribute map in V8).
  for (const key in map) {
    if (!hasOwn.call(map, key)) continue;
    let v: unknown;
    try {
      v = (map as Record<string, unknown>)[key];
    } catch {
      unreadable(`attribute "${key}"`, "otlp-getter");
      continue;
    }
    if (v === undefined) continue;
    const mark = pos;
    if (any) byte(44);
    const cached = keyCache.get(key);
    if (cached !== undefined) bytes(cached);
    else {
      const start = pos;
      ascii('{"key":');
      string(key);
      ascii(',"value":');
      ascii(STRING_VALUE);
      if (keyCache.size < 1024 && key.length <= 256) keyCache.set(key, bytesSince(start));
    }
    // Written up to `{"stringValue":`; any other value takes that part back.
    if (typeof v === "string") {
      string(v);
      ascii("}}");
    } else {
      rewind(pos - STRING_VALUE.length);
      if (!anyValue(v)) {
        rewind(mark);
        continue;
      }
      byte(125);
    }
    any = true;
  }
  return any;
}

/** The AnyValue JSON for `value`; false (nothing written) when the value must be dropped. */
function anyValue(value: unknown): boolean {
  switch (typeof value) {
    case "string":
      ascii(STRING_VALUE);
      string(value);
      byte(125);
      return true;
    case "number": {
      const int = integerText(value);
      if (int !== undefined) quoted('{"intValue":"', int);
      else {
        ascii('{"doubleValue":');
        double(value);
        byte(125);
      }
      return true;
    }
    case "boolean":
      ascii(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return true;
    case "bigint":
      quoted(value >= -INT64_END_BIG && value < INT64_END_BIG ? '{"intValue":"' : '{"stringValue":"', value.toString());
      return true;
    case "object":
      if (value === null) {
        ascii("{}");
        return true;
      }
      return objectValue(value);
    default:
      return false; // undefined, symbol, function
  }
}

/** `open` (such as `{"intValue":"`), ASCII `text` that needs no escaping, and `"}`. */
function quoted(open: string, text: string): void {
  ascii(open);
  ascii(text);
  ascii('"}');
}

function objectValue(value: object): boolean {
  const depth = ancestors.length;
  const start = pos;
  try {
    if (value instanceof Uint8Array) {
      quoted('{"bytesValue":"', encodeBase64(value));
      return true;
    }
    if (value instanceof Date) {
      const t = value.getTime();
      if (t !== t) return false;
      quoted('{"stringValue":"', value.toISOString());
      return true;
    }
    if (depth >= MAX_ANY_VALUE_DEPTH) {
      dropped(`a value nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
      return false;
    }
    if (ancestors.includes(value)) {
      dropped("a value that contains itself (a cycle)");
      return false;
    }
    ancestors.push(value);
    if (Array.isArray(value)) {
      arrayValue(value);
      return true;
    }
    ascii('{"kvlistValue":{"values":[');
    if (keyValues(value)) {
      ascii("]}}");
    } else {
      rewind(start);
      ascii('{"kvlistValue":{}}');
    }
    return true;
  } catch {
    // A proxy whose traps throw, a revoked proxy, a throwing getTime: drop the value
    // instead of failing the whole batch.
    rewind(start);
    unreadable("a value");
    return false;
  } finally {
    ancestors.length = depth;
  }
}

function arrayValue(values: readonly unknown[]): void {
  const n = values.length;
  if (n === 0) {
    ascii('{"arrayValue":{}}');
    return;
  }
  ascii('{"arrayValue":{"values":[');
  for (let i = 0; i < n; i++) {
    let v: unknown;
    try {
      v = values[i];
    } catch {
      v = undefined; // keep positions: an unreadable element becomes the empty AnyValue
    }
    if (i > 0) byte(44);
    writeAnyValueOrEmpty(v);
  }
  ascii("]}}");
}
