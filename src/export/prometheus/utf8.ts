/**
 * One UTF-8 encoder for the Prometheus entry's files (body slices, credentials, request
 * bodies): stateless, so sharing it is safe, and each file need not carry its own.
 */

/** A shared `TextEncoder` (UTF-8). */
export const utf8: TextEncoder = /* @__PURE__ */ new TextEncoder();
