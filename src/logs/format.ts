/**
 * Rendering `console` arguments to one string the way `console.log` does (Node's
 * `util.format`, which Deno, Bun and browsers follow closely; WHATWG Console "Formatter"):
 * `%s %d %i %f %j %o %O %c %%` substitutions, then the remaining arguments joined by spaces,
 * strings as they are and other values inspected. Written here because `node:util` is not
 * available in `src/` (DESIGN principle 1). Never throws.
 */
import { describe } from "../common/describe.ts";

const MAX_DEPTH = 2; // Node's default inspect depth
const MAX_ITEMS = 100; // Node's default maxArrayLength
const MAX_STRING = 10_000;

/**
 * The string `console.log(...args)` would print.
 *
 * @example
 * formatLogArguments(["%s has %d items", "cart", 3]); // "cart has 3 items"
 */
export function formatLogArguments(args: readonly unknown[]): string {
  try {
    return format(args);
  } catch {
    return "[unformattable]";
  }
}

function format(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  const first = args[0];
  let out = "";
  let next = 1;
  if (typeof first === "string") {
    if (args.length === 1) return first;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37) continue; // '%'
      const c = first[i + 1];
      let piece: string | undefined;
      if (c === "%") {
        out += first.slice(last, i) + "%";
        last = i + 2;
        i++;
        continue;
      }
      if (next >= args.length) continue;
      const arg = args[next];
      try {
        switch (c) {
          case "s":
            piece = typeof arg === "string" ? arg : typeof arg === "bigint" ? `${arg}n` : typeof arg === "object" && arg !== null ? inspect(arg, 0) : inspect(arg);
            break;
          case "d":
            piece = typeof arg === "bigint" ? `${arg}n` : typeof arg === "symbol" ? "NaN" : formatNumber(Number(arg));
            break;
          case "i":
            piece = typeof arg === "bigint" ? `${arg}n` : typeof arg === "symbol" ? "NaN" : formatNumber(parseInt(String(arg), 10));
            break;
          case "f":
            piece = typeof arg === "symbol" ? "NaN" : formatNumber(parseFloat(String(arg)));
            break;
          case "j":
            piece = safeJson(arg);
            break;
          case "o":
          case "O":
            piece = inspect(arg, c === "o" ? 4 : MAX_DEPTH);
            break;
          case "c":
            piece = ""; // CSS styling: consumed, not printed
            break;
          default:
            continue;
        }
      } catch {
        // %d/%i/%f convert with Number()/String(), which throw for an object that cannot become
        // a primitive (no prototype, throwing toString or Proxy trap); Node throws there, we print NaN.
        piece = "NaN";
      }
      out += first.slice(last, i) + piece;
      last = i + 2;
      i++;
      next++;
    }
    out += first.slice(last);
  } else {
    out = inspect(first);
  }
  for (let i = next; i < args.length; i++) {
    const a = args[i];
    out += " " + (typeof a === "string" ? a : inspect(a));
  }
  return out;
}

function formatNumber(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

function safeJson(value: unknown): string {
  try {
    const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    return s === undefined ? "undefined" : s;
  } catch (error) {
    // Node prints '[Circular]' for a cyclic %j argument.
    return /circular|cyclic/i.test(describe(error)) ? "[Circular]" : "[unserializable]"; // describe: the error may come from a hostile toJSON
  }
}

/**
 * A short, `util.inspect`-like rendering of `value`: strings quoted inside structures,
 * `-0`, `1n`, `[Function: f]`, `[ 1, 2 ]`, `{ a: 1 }`, errors as their stack, cycles as
 * `[Circular]`, nesting beyond `depth` as `[Object]` / `[Array]`.
 */
export function inspect(value: unknown, depth: number = MAX_DEPTH): string {
  return render(value, depth, [], true);
}

function render(value: unknown, depth: number, seen: object[], top: boolean): string {
  switch (typeof value) {
    case "string": {
      const s = value.length > MAX_STRING ? value.slice(0, MAX_STRING) + "..." : value;
      return top ? s : "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
    }
    case "number":
      return formatNumber(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return `[Function: ${(value as { name?: string }).name || "(anonymous)"}]`;
  }
  if (value === null) return "null";
  try {
    return renderObject(value as object, depth, seen, top);
  } catch {
    // A Proxy whose traps throw, a revoked Proxy, an Error whose getters throw: that value is
    // unreadable, the rest of the line is kept.
    return describe(value);
  }
}

function renderObject(obj: object, depth: number, seen: object[], top: boolean): string {
  if (obj instanceof Error) {
    const stack = typeof obj.stack === "string" && obj.stack !== "" ? obj.stack : `${obj.name}: ${obj.message}`;
    return top ? stack : `[${stack.split("\n")[0]}]`;
  }
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (seen.includes(obj)) return "[Circular]";
  const isArray = Array.isArray(obj);
  if (depth < 0) return isArray ? "[Array]" : "[Object]";
  seen.push(obj);
  try {
    const parts: string[] = [];
    if (isArray) {
      const arr = obj as unknown[];
      const n = Math.min(arr.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) parts.push(render(arr[i], depth - 1, seen, false));
      if (arr.length > n) parts.push(`... ${arr.length - n} more items`);
      return parts.length === 0 ? "[]" : `[ ${parts.join(", ")} ]`;
    }
    if (obj instanceof Map) {
      for (const [k, v] of obj) parts.push(`${render(k, depth - 1, seen, false)} => ${render(v, depth - 1, seen, false)}`);
      return `Map(${obj.size}) {${parts.length ? ` ${parts.join(", ")} ` : ""}}`;
    }
    if (obj instanceof Set) {
      for (const v of obj) parts.push(render(v, depth - 1, seen, false));
      return `Set(${obj.size}) {${parts.length ? ` ${parts.join(", ")} ` : ""}}`;
    }
    for (const key of Object.keys(obj)) {
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        v = "[Getter threw]";
      }
      const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : "'" + key.replace(/'/g, "\\'") + "'";
      parts.push(`${k}: ${render(v, depth - 1, seen, false)}`);
      if (parts.length >= MAX_ITEMS) break;
    }
    return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
  } finally {
    seen.pop();
  }
}
