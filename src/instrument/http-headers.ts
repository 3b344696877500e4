/**
 * Opt-in HTTP header capture as `http.request.header.<key>` / `http.response.header.<key>`
 * (semconv https://opentelemetry.io/docs/specs/semconv/registry/attributes/http/: `string[]`
 * values, `<key>` the lowercase header name; "Instrumentations SHOULD require an explicit
 * configuration of which headers are to be captured").
 *
 * Some headers are never recorded, even when listed: they carry credentials or session state
 * (`authorization`, `proxy-authorization`, `cookie`, `set-cookie`, the common API-key headers),
 * or untrusted propagation data that only an explicit allowlist may copy onto spans
 * (`baggage` → `BaggageSpanProcessor`; `tracestate` travels in the span context, not in
 * attributes). Listing one is reported once through `diag` and ignored.
 */
import type { Attributes } from "../common/attributes.ts";
import { describeValue } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { redactUrlsInText } from "./redact-text.ts";

/**
 * Header names that are never captured, whatever the options say (lowercase).
 * Credentials: `authorization`, `proxy-authorization`, `cookie`, `set-cookie` (and the obsolete
 * `set-cookie2`), `x-api-key`, `x-auth-token`, `x-amz-security-token`, `x-goog-api-key`,
 * `x-csrf-token`/`x-xsrf-token`. Untrusted propagation data: `baggage`, `tracestate`.
 */
export const NEVER_CAPTURED_HEADERS: readonly string[] = /* @__PURE__ */ (
  "authorization proxy-authorization cookie set-cookie set-cookie2 " +
  "x-api-key x-auth-token x-amz-security-token x-goog-api-key x-csrf-token x-xsrf-token baggage tracestate"
).split(" ");

/** Captured header values longer than this many characters are cut: a client controls them. */
export const MAX_CAPTURED_HEADER_LENGTH = 1024;

// RFC 9110 §5.1: field-name = token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** One header to capture: its lowercase name and the attribute key it is recorded under. */
export interface CapturedHeader {
  readonly name: string;
  readonly key: string;
}

/** Compiled capture lists of one instrumentation (empty arrays: nothing captured). */
export interface HeaderCapture {
  readonly request: readonly CapturedHeader[];
  readonly response: readonly CapturedHeader[];
}

/** The options every HTTP instrumentation accepts for header capture. */
export interface HeaderCaptureOptions {
  /**
   * Request headers to record as `http.request.header.<name>` (case-insensitive names).
   * Credentials (`authorization`, `cookie`, ...) and `baggage`/`tracestate` are never recorded
   * even when listed (see {@link NEVER_CAPTURED_HEADERS}). Default: none.
   */
  captureRequestHeaders?: readonly string[];
  /** Response headers to record as `http.response.header.<name>`; same rules. Default: none. */
  captureResponseHeaders?: readonly string[];
}

/**
 * Checks and compiles `captureRequestHeaders`/`captureResponseHeaders` (construction time).
 *
 * @throws TypeError (prefixed with `what`) when a list is not an array of header names.
 */
export function compileHeaderCapture(options: HeaderCaptureOptions, what: string): HeaderCapture {
  const compile = (side: "request" | "response", option: "captureRequestHeaders" | "captureResponseHeaders"): CapturedHeader[] => {
    const names: unknown = options[option] ?? [];
    const out: CapturedHeader[] = [];
    // A value that is not an array fails the check as its own first element.
    for (const raw of Array.isArray(names) ? names : [names]) {
      if (!Array.isArray(names) || typeof raw !== "string" || !TOKEN.test(raw)) {
        throw new TypeError(`${what}: ${option} must be an array of HTTP header names such as "content-type", got ${describeValue(raw)}`);
      }
      const name = raw.toLowerCase();
      if (NEVER_CAPTURED_HEADERS.includes(name)) diagOnce("warn", `${what}: ${option} lists "${name}", which is never recorded (credentials or untrusted propagation data); ignoring it.`);
      else out.push({ name, key: `http.${side}.header.${name}` });
    }
    return out;
  };
  return { request: compile("request", "captureRequestHeaders"), response: compile("response", "captureResponseHeaders") };
}

/** Reads one header: a string, several strings, or nothing. */
export type HeaderReader = (name: string) => string | readonly string[] | null | undefined;

// A relative reference (`Location: /callback?code=...#access_token=...`) is redacted as a URL
// on this placeholder origin, which is then cut off again.
const PLACEHOLDER_ORIGIN = "http://rel.invalid"; // RFC 2606: .invalid never resolves

/**
 * A header value with the URLs in it redacted like `url.full` (`Referer`, `Location`,
 * `Content-Location`, `Link`, ...): credentials, sensitive query values and fragments of
 * absolute URLs anywhere in it, and of a value that is a relative reference.
 */
function redactHeaderValue(value: string, redactSearch: (search: string) => string): string {
  const relative = /^[/?]\S*$/.test(value);
  const text = redactUrlsInText(relative ? PLACEHOLDER_ORIGIN + value : value, redactSearch);
  return relative ? text.slice(PLACEHOLDER_ORIGIN.length) : text;
}

/**
 * The attributes for `list`, reading values through `read`. URLs in values are redacted like
 * `url.full` (`redactSearch` redacts a query), then values are cut at
 * {@link MAX_CAPTURED_HEADER_LENGTH} characters (redacting first: a cut could split a secret
 * out of recognition); a throwing reader records nothing.
 */
export function capturedHeaderAttributes(list: readonly CapturedHeader[], read: HeaderReader, redactSearch: (search: string) => string): Attributes {
  const out: Attributes = {};
  for (const { name, key } of list) {
    try {
      const raw = read(name);
      if (raw != null) out[key] = (Array.isArray(raw) ? raw.slice(0, 16 /* values kept of a repeated header (node:http) */) : [raw]).map((v) => redactHeaderValue(String(v), redactSearch).slice(0, MAX_CAPTURED_HEADER_LENGTH));
    } catch {
      // A broken headers object must not break the request: record nothing for it.
    }
  }
  return out;
}

/** A {@link HeaderReader} over a Fetch `Headers` (values of repeated headers arrive comma-joined). */
export function fetchHeadersReader(headers: Headers | null | undefined): HeaderReader {
  return (name) => headers?.get(name);
}
