/**
 * HTTP content negotiation for the `/metrics` handler: OpenMetrics vs. text 0.0.4
 * (OpenMetrics 1.0, "Protocol Negotiation"; RFC 9110 §12.5.1 Accept and §12.5.3
 * Accept-Encoding) and a constant-time credential check.
 */
import { utf8 } from "./utf8.ts";

/** `Content-Type` of the text format 0.0.4. */
export const TEXT_CONTENT_TYPE: string = "text/plain; version=0.0.4; charset=utf-8";
/** `Content-Type` of OpenMetrics 1.0. */
export const OPENMETRICS_CONTENT_TYPE: string = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/**
 * The highest q (RFC 9110 §12.4.2) among the ranges of an `Accept`-style header that `matches`
 * accepts (by lower-cased type and `version` parameter); -1 when none does.
 */
function bestQ(header: string, matches: (type: string, version: string | undefined) => boolean): number {
  let best = -1;
  for (const range of header.split(",")) {
    const [type, ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf("=");
      const value = param.slice(eq + 1).trim().replace(/^"|"$/g, "");
      const name = param.slice(0, eq).trim();
      if (eq < 0) continue;
      if (name === "q") {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else if (name === "version") version = value;
    }
    if (type && matches(type, version)) best = Math.max(best, q);
  }
  return best;
}

/**
 * True when the `Accept` header prefers OpenMetrics 1.0 (`application/openmetrics-text`
 * without a version or with `version=1.0.0`) at least as much as the text format. An absent
 * header, `*∕*` alone or only other types select the text format, the safe default.
 */
export function prefersOpenMetrics(accept: string | null): boolean {
  if (!accept) return false;
  const om = bestQ(accept, (t, v) => t === "application/openmetrics-text" && (v === undefined || v === "1.0.0"));
  const text = bestQ(accept, (t, v) => (t === "text/plain" || t === "text/*" || t === "*/*") && (v === undefined || v === "0.0.4"));
  return om > 0 && om >= text;
}

/** True when `Accept-Encoding` accepts gzip (`gzip` or `*` with q > 0, RFC 9110 §12.5.3). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  const gzip = bestQ(acceptEncoding, (t) => t === "gzip" || t === "x-gzip");
  return (gzip >= 0 ? gzip : bestQ(acceptEncoding, (t) => t === "*")) > 0;
}

/**
 * Compares two strings in time that depends only on their lengths, not on where they
 * differ, so response timing does not leak how much of a guessed credential was right.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
