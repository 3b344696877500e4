/**
 * JSON string literals as text, for the JSON-lines log exporter and safe JSON of log bodies; the
 * OTLP encoders write the same escaping as bytes (json-writer.ts), and their tests compare the two.
 *
 * RFC 8259 §7: `"` and `\` and the control characters U+0000–U+001F must be escaped.
 * A lone surrogate has no UTF-8 form, and proto3 `string` fields must be valid UTF-8: the
 * Collector's protojson rejects a `\udXXX` escape without its pair as a syntax error, failing
 * the whole request. So lone surrogates are sent as U+FFFD (what `TextEncoder` and
 * `String.prototype.toWellFormed` make of them); valid pairs are kept. Most telemetry strings
 * need no escaping at all, so one regular-expression scan decides whether the (slower,
 * allocating) path is needed; measured faster than always calling `JSON.stringify`.
 */

// Characters that need an escape, plus every surrogate (pairs are checked on the slow path).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` as a JSON string literal, quotes included; always valid JSON and valid UTF-8, never throws. */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  // `toWellFormed` (ES2024) where the runtime has it: the regular expression's look-behind
  // costs ~1 µs per lone surrogate (0.5 s for a 1 MB string of them), toWellFormed ~4 ns.
  const wellFormed = (s as { toWellFormed?: () => string }).toWellFormed;
  return JSON.stringify(typeof wellFormed === "function" ? wellFormed.call(s) : s.replace(LONE_SURROGATE, "\ufffd"));
}
