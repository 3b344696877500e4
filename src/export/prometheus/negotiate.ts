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

interface MediaRange {
  type: string;
  q: number;
  version: string | undefined;
}

function parseRanges(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(",")) {
    const params = part.split(";");
    const type = params[0]!.trim().toLowerCase();
    if (type === "") continue;
    let q = 1;
    let version: string | undefined;
    for (let i = 1; i < params.length; i++) {
      const eq = params[i]!.indexOf("=");
      if (eq < 0) continue;
      const name = params[i]!.slice(0, eq).trim().toLowerCase();
      const value = params[i]!.slice(eq + 1).trim().replace(/^"|"$/g, "");
      if (name === "q") {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else if (name === "version") version = value;
    }
    out.push({ type, q, version });
  }
  return out;
}

/**
 * True when the `Accept` header prefers OpenMetrics 1.0 (`application/openmetrics-text`
 * without a version or with `version=1.0.0`) at least as much as the text format. An absent
 * header, `*∕*` alone or only other types select the text format, the safe default.
 */
export function prefersOpenMetrics(accept: string | null): boolean {
  if (!accept) return false;
  let om = 0;
  let text = 0;
  for (const r of parseRanges(accept)) {
    if (r.type === "application/openmetrics-text") {
      if (r.version === undefined || r.version === "1.0.0") om = Math.max(om, r.q);
    } else if (r.type === "text/plain" || r.type === "text/*" || r.type === "*/*") {
      if (r.version === undefined || r.version === "0.0.4") text = Math.max(text, r.q);
    }
  }
  return om > 0 && om >= text;
}

/** True when `Accept-Encoding` accepts gzip (`gzip` or `*` with q > 0, RFC 9110 §12.5.3). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const r of parseRanges(acceptEncoding)) {
    if (r.type === "gzip" || r.type === "x-gzip") gzip = Math.max(gzip ?? 0, r.q);
    else if (r.type === "*") any = r.q;
  }
  return (gzip ?? any ?? 0) > 0;
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
