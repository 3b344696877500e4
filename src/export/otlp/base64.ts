/**
 * Standard base64 (RFC 4648 §4, with padding) for OTLP/JSON `bytesValue`: the proto3
 * JSON mapping writes `bytes` fields as base64 strings. `btoa` (HTML Standard, a global in
 * every runtime we support; not `Buffer`, which is Node-only: DESIGN principle 1) encodes a
 * binary string, one character per byte, built here in chunks that stay far below the
 * engines' limit on spread arguments.
 */

/** `bytes` as standard, padded base64 text. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
}
