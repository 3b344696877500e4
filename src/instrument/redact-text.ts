/**
 * Redacting URLs inside free text (error messages, stack traces) the way `url.full` is
 * redacted (semconv https://opentelemetry.io/docs/specs/semconv/attributes-registry/url/):
 * credentials become `REDACTED:REDACTED`, sensitive query values `REDACTED`, the fragment is
 * dropped. Used wherever an instrumentation records a message that may quote a URL.
 */
import { redactUrl } from "./http-semconv.ts";

/** An exception as `span.recordException` takes it, with its URLs redacted. */
export interface RedactedException {
  name?: string;
  message?: string;
  stack?: string;
  code?: string;
}

// An absolute URL inside free text (an error message): scheme "://" then anything up to
// whitespace or a quote/bracket that commonly delimits it.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
// userinfo ("user:pass@") right after "://", for text that does not parse as a URL.
const USERINFO_IN_TEXT = /(:\/\/)[^\s/?#@"'<>`]*@/g;

/**
 * `text` with every absolute URL in it redacted like `url.full` ({@link redactUrl}), for
 * messages that may quote a URL: Node's fetch rejects `http://user:pass@host` with a
 * TypeError quoting the whole URL, and application errors often quote the request URL.
 */
export function redactUrlsInText(text: string, redactSearch: (search: string) => string): string {
  if (!text.includes("://")) return text;
  return text.replace(URL_IN_TEXT, (match) => {
    try {
      const url = new URL(match);
      // Untouched unless something is secret: parsing normalizes ("https://a.example" gains a
      // "/"), and a message or stack frame should read as it was written.
      return url.username || url.password || url.hash || redactSearch(url.search) !== url.search ? redactUrl(url, redactSearch) : match;
    } catch {
      return match.replace(USERINFO_IN_TEXT, "$1REDACTED:REDACTED@");
    }
  });
}

/**
 * A stand-in for `error` whose message and stack have their URLs redacted
 * ({@link redactUrlsInText}), for `span.recordException`; the name and code are kept.
 */
export function redactedException(error: unknown, redactSearch: (search: string) => string): RedactedException | string {
  if (error === null || typeof error !== "object") return redactUrlsInText(String(error), redactSearch);
  let name: unknown, message: unknown, stack: unknown, code: unknown;
  try {
    ({ name, message, stack, code } = error as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown });
  } catch {
    // A throwing getter: record what could be read.
  }
  const out: RedactedException = {};
  if (typeof message === "string") out.message = redactUrlsInText(message, redactSearch);
  if (typeof name === "string") out.name = name;
  if (typeof stack === "string") out.stack = redactUrlsInText(stack, redactSearch);
  if (typeof code === "string" || typeof code === "number") out.code = String(code);
  return out;
}
