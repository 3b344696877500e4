/**
 * The one way the SDK turns a value it did not make — a thrown value, a user's bad argument —
 * into text for a diagnostic or an error message. Recording never throws (DESIGN principle 3),
 * yet `String(x)`, `${x}`, `x.message` and `x instanceof Error` all throw for some values:
 * an object without a prototype, a Proxy whose traps throw, a revoked Proxy, an object whose
 * `toString`/`Symbol.toPrimitive` throws. A catch block that formats what it caught with
 * those would itself throw, so every such place goes through {@link describe}.
 */

/**
 * An error's message (or name) and its `cause` when that says more, else the value as a
 * string; `[object Object]` when even that throws. Never throws.
 */
export function describe(error: unknown): string {
  try {
    if (error instanceof Error) {
      // undici puts the real reason (ECONNREFUSED, socket closed) in `cause`.
      const cause = (error as { cause?: unknown }).cause;
      const causeText = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "";
      return causeText && causeText !== error.message ? `${error.message} (${causeText})` : String(error.message || error.name);
    }
    return String(error);
  } catch {
    // Not Object.prototype.toString: it reads Symbol.toStringTag, which throws through a Proxy.
    return "[object Object]";
  }
}

/**
 * A value as configuration errors and dropped-input reports name it: a string quoted (its first
 * 64 characters: a message must not carry a huge or secret-bearing value whole), a number,
 * boolean or undefined as written, else `null`, `an array`, `an object` or `a <type>`. Never
 * throws, not even for a revoked Proxy.
 *
 * @example
 * describeValue("x".repeat(100)); // '"xxxx…"' (64 x)
 * describeValue(42); // "42"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.slice(0, 64));
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "object":
      if (value === null) return "null";
      try {
        return Array.isArray(value) ? "an array" : "an object";
      } catch {
        return "a revoked proxy";
      }
    default:
      return `a ${typeof value}`;
  }
}
