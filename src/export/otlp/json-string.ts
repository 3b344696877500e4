/**
 * JSON string literals for the hand-written OTLP/JSON encoders.
 *
 * RFC 8259 §7: `"` and `\` and the control characters U+0000–U+001F must be escaped.
 * ES2019 "well-formed JSON.stringify" also escapes lone surrogates (`\udXXX`), so the
 * output stays valid UTF-8 after `TextEncoder` (which would otherwise turn a lone
 * surrogate into U+FFFD and silently change the value). Most telemetry strings need
 * no escaping at all, so one regular-expression scan decides whether the (slower,
 * allocating) `JSON.stringify` call is needed; measured faster than always calling it.
 */

// Characters that need an escape, plus every surrogate (JSON.stringify keeps valid pairs
// as they are and escapes only lone halves; checking pairs here is not worth the code).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `s` as a JSON string literal, quotes included; always valid JSON, never throws. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}
