/**
 * Percent-decoding for untrusted text (W3C Baggage values, `uberctx-*` headers,
 * `OTEL_RESOURCE_ATTRIBUTES`): a malformed escape gives `undefined` instead of the
 * `URIError` that `decodeURIComponent` throws, so one bad entry is dropped, not the caller.
 */
export function percentDecode(s: string): string | undefined {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
