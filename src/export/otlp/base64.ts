/**
 * Standard base64 (RFC 4648 §4, with padding) for OTLP/JSON `bytesValue`: the proto3
 * JSON mapping writes `bytes` fields as base64 strings. Hand-written because `btoa`
 * needs a binary string first and `Buffer` is Node-only (DESIGN principle 1).
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `bytes` as standard, padded base64 text. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    // Past the end a typed array reads `undefined`, which shifts and ORs as 0; the last group
    // of 1 or 2 bytes then ends in "==" or "=" (RFC 4648 §4).
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + (i + 1 < n ? ALPHABET[(v >>> 6) & 63]! : "=") + (i + 2 < n ? ALPHABET[v & 63]! : "=");
  }
  return out;
}
