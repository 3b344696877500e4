/**
 * JSON text for any value, never throwing: what the JSON-lines sink writes. Where
 * `JSON.stringify` would throw or lose information, this writes something useful instead:
 * cycles → `"[Circular]"`, bigint → its decimal string, `Error` → `{name, message, stack}`,
 * non-finite numbers → `"NaN"` / `"Infinity"` / `"-Infinity"`, `Uint8Array` → base64, a
 * throwing getter or `toJSON` → the key is left out, nesting deeper than 32 → `"[Truncated]"`.
 */
import { encodeBase64 } from "../export/otlp/base64.ts";
import { jsonString } from "../export/otlp/json-string.ts";

const MAX_DEPTH = 32;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `value` as JSON text (`undefined`, functions and symbols → `null` at the top level).
 *
 * @example
 * const a: Record<string, unknown> = { n: 1n }; a.self = a;
 * safeJsonValue(a); // '{"n":"1","self":"[Circular]"}'
 */
export function safeJsonValue(value: unknown): string {
  return write(value, [], true) ?? "null";
}

/** Like {@link safeJsonValue}, but `undefined` where an object member would be left out. */
export function safeJsonMember(value: unknown): string | undefined {
  return write(value, [], false);
}

/** The JSON for `value`, or undefined when it is to be left out (inside objects). */
function write(value: unknown, path: object[], inArray: boolean): string | undefined {
  switch (typeof value) {
    case "string":
      return jsonString(value);
    case "number":
      return Number.isFinite(value) ? String(value) : jsonString(String(value));
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return jsonString(value.toString());
    case "object":
      if (value === null) return "null";
      return writeObject(value, path);
    default:
      return inArray ? "null" : undefined;
  }
}

function writeObject(value: object, path: object[]): string | undefined {
  if (path.includes(value)) return '"[Circular]"';
  if (path.length >= MAX_DEPTH) return '"[Truncated]"';
  if (value instanceof Uint8Array) return jsonString(encodeBase64(value));
  if (value instanceof Error) return writeError(value, path);
  const depth = path.length;
  path.push(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      let replaced: unknown;
      try {
        replaced = toJSON.call(value);
      } catch {
        return undefined;
      }
      return write(replaced, path, false);
    }
    if (Array.isArray(value)) {
      let out = "[";
      for (let i = 0; i < value.length; i++) {
        let v: unknown;
        try {
          v = value[i];
        } catch {
          v = null;
        }
        out += (i === 0 ? "" : ",") + (write(v, path, true) ?? "null");
      }
      return out + "]";
    }
    let out = "{";
    let sep = "";
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      let v: unknown;
      try {
        v = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      const enc = write(v, path, false);
      if (enc === undefined) continue;
      out += sep + jsonString(key) + ":" + enc;
      sep = ",";
    }
    return out + "}";
  } catch {
    return undefined; // a proxy trap threw
  } finally {
    path.length = depth;
  }
}

function writeError(error: Error, path: object[]): string {
  let name = "Error";
  let message = "";
  let stack: unknown;
  try {
    name = String(error.name || "Error");
    message = String(error.message ?? "");
    stack = error.stack;
  } catch {
    // keep what was read
  }
  let out = '{"name":' + jsonString(name) + ',"message":' + jsonString(message);
  if (typeof stack === "string" && stack !== "") out += ',"stack":' + jsonString(stack);
  let cause: unknown;
  try {
    cause = (error as { cause?: unknown }).cause;
  } catch {
    cause = undefined;
  }
  if (cause !== undefined) {
    path.push(error);
    try {
      const enc = write(cause, path, false);
      if (enc !== undefined) out += ',"cause":' + enc;
    } finally {
      path.pop();
    }
  }
  return out + "}";
}
