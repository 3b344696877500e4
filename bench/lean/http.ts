/**
 * HTTP semantic conventions and URL redaction for the size-first core, as the product records
 * them (src/instrument/http-semconv.ts, redact-text.ts): the stable HTTP span attributes
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/), `error.type` per "Recording
 * errors on spans", and `url.full` / `url.query` / messages with credentials and sensitive
 * query values replaced by `REDACTED` (semconv `url.full`, `url.query`).
 */
import type { Attributes } from "./contract.ts";

// Semconv `http.request.method`: the known methods; anything else is `_OTHER`.
const KNOWN = "CONNECT DELETE GET HEAD OPTIONS PATCH POST PUT TRACE QUERY".split(" ");

/**
 * Sets `http.request.method` (a known method, upper-cased, else `_OTHER`) and, when `method`
 * is not a known method exactly as sent, `http.request.method_original`. Returns the method
 * for the span name: the known one, or `HTTP` for `_OTHER` (low cardinality).
 */
export function setMethod(method: string, attributes: Attributes): string {
  const upper = method.toUpperCase();
  const known = KNOWN.includes(upper);
  attributes["http.request.method"] = known ? upper : "_OTHER";
  if (!KNOWN.includes(method)) attributes["http.request.method_original"] = method;
  return known ? upper : "HTTP";
}

/** Sets `server.port`: the URL's explicit port, else its http(s) scheme's default (none for other schemes). */
export function setPort(url: URL, attributes: Attributes): void {
  const port = url.port ? +url.port : url.protocol == "https:" ? 443 : url.protocol == "http:" ? 80 : 0;
  if (port) attributes["server.port"] = port;
}

/**
 * Query keys whose values are recorded as `REDACTED` (case-insensitive): semconv's list
 * (`AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature`) plus common credential carriers
 * (OAuth 2.0 codes and tokens, API keys, AWS SigV4 presigned fields, passwords, secrets).
 * The product's DEFAULT_SENSITIVE_QUERY_KEYS.
 */
const SENSITIVE = new Set(
  ("sig signature awsaccesskeyid x-goog-signature x-amz-signature x-amz-security-token x-amz-credential " +
    "token access_token refresh_token id_token auth private_token code key api_key api-key apikey client_secret password secret").split(" "),
);

/**
 * A query string (with or without "?") with the values of sensitive keys replaced by
 * `REDACTED`; every other byte is kept (no re-encoding: the record matches what was sent).
 */
export const redactQuery = (search: string): string =>
  search.replace(/(^\??|&)([^&=]*)=[^&]*/g, (pair, lead: string, raw: string) => {
    let key = raw;
    try {
      key = decodeURIComponent(raw.replace(/\+/g, " "));
    } catch {}
    return SENSITIVE.has(key.toLowerCase()) ? lead + raw + "=REDACTED" : pair;
  });

/** `url.full`: credentials become `REDACTED:REDACTED`, sensitive query values `REDACTED`, no fragment. */
export const redactUrl = (url: URL): string =>
  url.protocol + "//" + (url.username || url.password ? "REDACTED:REDACTED@" : "") + url.host + url.pathname + redactQuery(url.search);

/**
 * `text` with the absolute URLs in it redacted as `url.full`, untouched where nothing is
 * secret (messages quote URLs: Node's fetch rejects `http://user:pass@host` quoting it whole).
 */
export function redactText(text: string): string {
  return text.includes("://")
    ? text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (match) => {
        try {
          const url = new URL(match);
          return url.username || url.password || url.hash || redactQuery(url.search) != url.search ? redactUrl(url) : match;
        } catch {
          return match.replace(/(:\/\/)[^\s/?#@"'<>`]*@/g, "$1REDACTED:REDACTED@");
        }
      })
    : text;
}

/** A low-cardinality `error.type`: the cause's system code, the error's code or name, its class, else `_OTHER`. */
export function errorType(error: unknown): string {
  const e = error as { cause?: { code?: unknown }; code?: unknown; name?: unknown; constructor?: { name?: unknown } } | null | undefined;
  const cause = e?.cause?.code;
  if (typeof cause == "string" && cause) return cause;
  const { code, name } = e ?? {};
  if (typeof code == "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
  if (typeof name == "string" && name && name != "Error") return name;
  const ctor = e?.constructor?.name;
  return typeof ctor == "string" && ctor && ctor != "Object" ? ctor : "_OTHER";
}

/** The ERROR status message for `error`: "Name: message" (or its text), URLs redacted. */
export function errorMessage(error: unknown): string {
  try {
    return redactText(error instanceof Error ? error.name + ": " + error.message : String(error));
  } catch {
    return "_OTHER"; // a toString that throws
  }
}

/** What `span.recordException` gets: name, code, message and stack read once, URLs redacted. */
export function redactedException(error: unknown): { name?: string; message?: string; stack?: string; code?: string } | string {
  if (error === null || typeof error != "object") return redactText(String(error));
  const out: { name?: string; message?: string; stack?: string; code?: string } = {};
  let name: unknown, message: unknown, stack: unknown, code: unknown;
  try {
    ({ name, message, stack, code } = error as Record<string, unknown>);
  } catch {} // a throwing getter: what could be read
  if (typeof message == "string") out.message = redactText(message);
  if (typeof name == "string") out.name = name;
  if (typeof stack == "string") out.stack = redactText(stack);
  if (typeof code == "string" || typeof code == "number") out.code = String(code);
  return out;
}
