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
