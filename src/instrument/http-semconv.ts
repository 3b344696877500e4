/**
 * Shared pieces of the HTTP instrumentation (client `fetch`, server handler, Node listener):
 * attribute helpers per the stable HTTP semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/), URL redaction, target
 * matching for `propagateTo`/`ignore`, and the duration histograms
 * (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/).
 */
import type { Attributes } from "../common/attributes.ts";
import type { Context } from "../context/context.ts";
import type { Histogram } from "../metrics/instruments.ts";
import type { Meter } from "../metrics/meter.ts";
import { registeredMeterProvider, type MeterProviderLike } from "../metrics/registered-meter-provider.ts";
import { trace } from "../trace/trace-api.ts";
import type { Tracer } from "../trace/tracer.ts";
import type { TracerProvider } from "../trace/tracer-provider.ts";
import { VERSION } from "../version.ts";

/** Semconv's advised buckets (seconds) for `http.client/server.request.duration` and `faas.invoke_duration`. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Query keys whose values are replaced by `REDACTED` in `url.full`/`url.query`, captured
 * headers and URLs quoted in error messages (lower case). Semconv (`url.query`, `url.full`)
 * lists `AWSAccessKeyId`, `Signature`, `sig` and `X-Goog-Signature`, as do the official
 * instrumentations; the rest are common credential carriers: API keys, OAuth 2.0 codes and
 * tokens (RFC 6749 §4.1.2, §5.1; OpenID Connect `id_token`), GitLab's `private_token`, AWS
 * SigV4 presigned-URL fields, passwords and secrets. Matched case-insensitively (semconv
 * suggests case-sensitive; redacting `SIG` as well costs nothing).
 */
export const DEFAULT_SENSITIVE_QUERY_KEYS: readonly string[] = /* @__PURE__ */ (
  "sig signature awsaccesskeyid x-goog-signature x-amz-signature x-amz-security-token x-amz-credential " +
  "token access_token refresh_token id_token auth private_token code key api_key api-key apikey client_secret password secret"
).split(" ");

/** A rule selecting request targets: a URL prefix or host, a RegExp tested on the URL, or a predicate. */
export type UrlMatcher = string | RegExp | ((url: URL) => boolean);

/** One {@link UrlMatcher} or several (any one matching is enough). */
export type UrlMatchers = UrlMatcher | readonly UrlMatcher[];

/**
 * Providers an instrumentation uses; default: the global ones (looked up lazily). Durations
 * are recorded only through a meter provider that is there: this one, else the one registered
 * with `metrics.setGlobalMeterProvider()` (by `init()` when the program asked for metrics).
 */
export interface InstrumentationProviders {
  tracerProvider?: TracerProvider;
  meterProvider?: MeterProviderLike;
}

// Semconv "http.request.method": the known methods; anything else is reported as _OTHER.
const KNOWN_METHODS = /* @__PURE__ */ new Set(/* @__PURE__ */ "CONNECT DELETE GET HEAD OPTIONS PATCH POST PUT TRACE QUERY".split(" "));

/** The normalized method value as recorded in `http.request.method`: a known method, else `_OTHER`. */
export function normalizedMethod(method: string): string {
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : "_OTHER";
}

/** The method attributes (`http.request.method`, plus `_original` when not a known method as sent). */
export function methodAttributes(method: string): Attributes {
  return KNOWN_METHODS.has(method)
    ? { "http.request.method": method }
    : { "http.request.method": normalizedMethod(method), "http.request.method_original": method };
}

/** The low-cardinality method for span names: a known method, or "HTTP" for _OTHER. */
export function spanMethod(method: string): string {
  const normalized = normalizedMethod(method);
  return normalized === "_OTHER" ? "HTTP" : normalized;
}

/** The port a URL targets: the explicit one, else the scheme's default (these helpers see http(s) URLs only). */
export function urlPort(url: URL): number | undefined {
  return url.port ? +url.port : url.protocol === "https:" ? 443 : url.protocol === "http:" ? 80 : undefined;
}

/**
 * Compiles the redaction key list once (default keys plus `extraKeys`, case-insensitive). The
 * redactor replaces the values of sensitive keys in a query string (with or without "?"),
 * leaving every other byte as it was (no re-encoding, so the recorded URL matches what was sent).
 */
export function createQueryRedactor(extraKeys?: readonly string[]): (search: string) => string {
  const keys = new Set(DEFAULT_SENSITIVE_QUERY_KEYS);
  for (const k of extraKeys ?? []) if (typeof k === "string") keys.add(k.toLowerCase());
  // Each `key=value` pair, after the start (and its "?") or an "&"; pairs without "=" are kept.
  return (search) =>
    search.replace(/(^\??|&)([^&=]*)=[^&]*/g, (pair, lead: string, rawKey: string) => {
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, " "));
      } catch {
        // A malformed escape: compare the raw key.
      }
      return keys.has(key.toLowerCase()) ? `${lead}${rawKey}=REDACTED` : pair;
    });
}

/**
 * `url.full` per semconv: credentials become `REDACTED:REDACTED`, sensitive query values
 * become `REDACTED`, and the fragment is dropped (it is never sent, and OAuth implicit flows
 * carry tokens there).
 */
export function redactUrl(url: URL, redactSearch: (search: string) => string): string {
  return `${url.protocol}//${url.username || url.password ? "REDACTED:REDACTED@" : ""}${url.host}${url.pathname}${redactSearch(url.search)}`;
}

/** True when any matcher selects `url`. A throwing predicate counts as "no match". */
export function matchesUrl(rules: UrlMatchers, url: URL): boolean {
  return [rules].flat().some((rule) => {
    try {
      // A string is a full URL/origin prefix ("https://api.example.com/v1") or a bare host.
      if (typeof rule === "string") return rule.includes("://") ? url.href.startsWith(rule) : url.host === rule || url.hostname === rule;
      if (rule instanceof RegExp) {
        rule.lastIndex = 0; // a /g or /y RegExp keeps state between tests
        return rule.test(url.href);
      }
      return rule(url) === true;
    } catch {
      return false; // a user predicate that throws must not break the request
    }
  });
}

/** Throws TypeError unless `rules` is a matcher or an array of them (construction-time check). */
export function checkMatchers(rules: unknown, what: string): void {
  for (const r of [rules].flat()) {
    if (typeof r !== "string" && typeof r !== "function" && !(r instanceof RegExp)) {
      throw new TypeError(`${what}: expected a string, RegExp or function (or an array of them), got ${typeof r}`);
    }
  }
}

/** Which requests a client instrumentation traces and which get propagation headers. */
export interface ClientTargetRules {
  /** Targets that receive the propagation headers; undefined: every target. */
  readonly propagateTo: UrlMatchers | undefined;
  /** Requests that are not traced at all. */
  readonly ignore: UrlMatchers | undefined;
}

/**
 * Checks `propagateTo`/`ignore` (TypeError prefixed with `what`, at construction) and applies
 * the shared default: in browsers only the page's own origin gets `traceparent` & co., so
 * third-party endpoints neither see our ids nor get a CORS preflight caused by them
 * (https://www.w3.org/TR/trace-context/#privacy-considerations); elsewhere every target does.
 */
export function clientTargetRules(options: { readonly propagateTo?: UrlMatchers; readonly ignore?: UrlMatchers }, what: string): ClientTargetRules {
  const { propagateTo, ignore } = options;
  if (propagateTo !== undefined) checkMatchers(propagateTo, `${what}: propagateTo`);
  if (ignore !== undefined) checkMatchers(ignore, `${what}: ignore`);
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  const isPage = typeof origin === "string" && origin !== "null" && origin !== "";
  return { propagateTo: propagateTo ?? (isPage ? (u: URL) => u.origin === origin : undefined), ignore };
}

/** The page URL to resolve relative fetch URLs against (browsers and workers with `location`). */
export function pageBase(): string | undefined {
  const href = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof href === "string" ? href : undefined;
}

/** A tracer from the given provider, or the global (lazy) one. */
export function instrumentationTracer(name: string, providers: InstrumentationProviders | undefined): Tracer {
  return (providers?.tracerProvider ?? trace).getTracer(name, VERSION);
}

/** Records durations in seconds; see {@link durationHistogram}. */
export interface DurationHistogram {
  record(value: number, attributes: Attributes, context?: Context): void;
}

/**
 * The duration histogram of an instrumentation — `http.client.request.duration`,
 * `http.server.request.duration` or `faas.invoke_duration` — with semconv's unit and buckets.
 * It records on `meter` when one is given, else through `providers.meterProvider`, else
 * through the registered global meter provider, looked up at each recording (one registered
 * after the instrumentation started is used from then on); with none, nothing is recorded.
 * Reading the registered provider's slot, not the `metrics` API, keeps the metrics SDK out of
 * programs that only trace.
 */
export function durationHistogram(kind: "client" | "server" | "faas", scope: string, providers?: InstrumentationProviders, meter?: Meter): DurationHistogram {
  let source: unknown;
  let histogram: Histogram;
  return {
    record(value, attributes, ctx) {
      const current = meter ?? providers?.meterProvider ?? registeredMeterProvider();
      if (!current) return;
      if (current !== source) {
        const faas = kind === "faas";
        histogram = (meter ?? (current as MeterProviderLike).getMeter(scope, VERSION)).createHistogram(faas ? "faas.invoke_duration" : `http.${kind}.request.duration`, {
          description: faas ? "Measures the duration of the function's logic execution" : `Duration of HTTP ${kind} requests.`,
          unit: "s",
          advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
        });
        source = current;
      }
      histogram.record(value, attributes, ctx);
    },
  };
}

/**
 * A low-cardinality `error.type` for a thrown value: a system error code from the cause
 * (undici's `fetch failed` carries `ECONNREFUSED`, ...), else the error's name, else `_OTHER`.
 */
export function errorType(error: unknown): string {
  const e = error as { cause?: { code?: unknown }; code?: unknown; name?: unknown; constructor?: { name?: unknown } } | null | undefined;
  const causeCode = e?.cause?.code;
  if (typeof causeCode === "string" && causeCode) return causeCode;
  const { code, name } = e ?? {};
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
  if (typeof name === "string" && name && name !== "Error") return name;
  const ctor = e?.constructor?.name;
  return typeof ctor === "string" && ctor && ctor !== "Object" ? ctor : "_OTHER";
}

/** A short message for a span status (pass it through `redactUrlsInText` before recording). */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "_OTHER"; // an object whose toString throws
  }
}

/** Seconds between two `performance.now()`-style millisecond readings. */
export function seconds(startMs: number, endMs: number): number {
  return Math.max(0, endMs - startMs) / 1000;
}
