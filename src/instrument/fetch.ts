/**
 * Traced `fetch`: one CLIENT span per call with the stable HTTP client semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client), the
 * `http.client.request.duration` histogram, and W3C context injection only for allowed
 * targets (`propagateTo`), so third-party APIs neither receive our headers nor fail CORS
 * preflight because of them.
 *
 * The span ends when the response headers arrive (the promise `fetch` returns settles):
 * reading the body is the caller's business and may never happen.
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { monotonicNow } from "../common/time.ts";
import { createContextKey, type Context } from "../context/context.ts";
import { context } from "../context/context-api.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { setSpan } from "../trace/span-in-context.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import { SpanKind, SpanStatusCode, type Span } from "../trace/types.ts";
import {
  clientTargetRules,
  createQueryRedactor,
  durationHistogram,
  errorMessage,
  errorType,
  instrumentationTracer,
  matchesUrl,
  methodAttributes,
  normalizedMethod,
  pageBase,
  redactUrl,
  seconds,
  spanMethod,
  urlPort,
  type InstrumentationProviders,
  type UrlMatchers,
} from "./http-semconv.ts";
import { redactedException, redactUrlsInText } from "./redact-text.ts";
import { capturedHeaderAttributes, compileHeaderCapture, fetchHeadersReader, type HeaderCaptureOptions } from "./http-headers.ts";

/** Options of {@link instrumentFetch} and {@link installFetchInstrumentation}. */
export interface FetchInstrumentationOptions extends InstrumentationProviders, HeaderCaptureOptions {
  /**
   * Targets that receive `traceparent`/`tracestate`/`baggage`. Default: every target on
   * servers; only the page's own origin in browsers (where `globalThis.location` exists).
   */
  propagateTo?: UrlMatchers;
  /** Requests that are not traced at all (no span, no headers). */
  ignore?: UrlMatchers;
  /** More query keys whose values are recorded as `REDACTED` (added to the default list). */
  redactQueryKeys?: readonly string[];
}

/** Marks a traced fetch: wrapping it again returns it unchanged. */
const INSTRUMENTED: unique symbol = /* @__PURE__ */ Symbol.for("otel-edge.instrumented-fetch") as never;
// Set while a traced fetch runs the underlying one: a traced fetch reached through some
// other wrapper inside it records nothing, so one call never makes two spans.
const IN_CLIENT_SPAN = /* @__PURE__ */ createContextKey("otel-edge fetch client span");
const SCOPE = "otel-edge/instrument/fetch";

type FetchFn = typeof fetch;

/** True when `fn` is a fetch returned by {@link instrumentFetch}. */
export function isInstrumentedFetch(fn: unknown): boolean {
  return typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] === true;
}

interface Target {
  readonly method: string;
  readonly url: URL;
}

function describe(input: unknown, init: RequestInit | undefined): Target | undefined {
  let href: string;
  let method: string | undefined = init?.method;
  if (typeof Request !== "undefined" && input instanceof Request) {
    href = input.url;
    method ??= input.method;
  } else if (input instanceof URL) href = input.href;
  else if (typeof input === "string") href = input;
  else if (input !== null && typeof input === "object" && typeof (input as { url?: unknown }).url === "string") {
    // A Request from another realm or polyfill.
    href = (input as { url: string }).url;
    const m = (input as { method?: unknown }).method;
    if (typeof m === "string") method ??= m;
  } else href = String(input);
  let url: URL;
  try {
    url = new URL(href, pageBase());
  } catch {
    return undefined; // fetch itself will reject this input; let it.
  }
  return { method: typeof method === "string" && method !== "" ? method : "GET", url };
}

/**
 * Adds the propagation headers. Never consumes a Request's body: the headers go in `init`,
 * which `fetch` applies on top of the Request (a copy of the Request's headers, plus ours).
 */
function withHeaders(input: unknown, init: RequestInit | undefined, ctx: Context): RequestInit {
  const base = init?.headers !== undefined
    ? init.headers
    : typeof Request !== "undefined" && input instanceof Request
      ? input.headers
      : undefined;
  const headers = new Headers(base);
  propagation.inject(ctx, headers);
  return { ...init, headers };
}

/** The headers the call sends before propagation (for header capture); undefined when unreadable. */
function sentHeaders(input: unknown, init: RequestInit | undefined): Headers | undefined {
  try {
    if (init?.headers !== undefined) return new Headers(init.headers);
    if (typeof Request !== "undefined" && input instanceof Request) return input.headers;
  } catch {
    // Headers fetch itself will reject: capture nothing.
  }
  return undefined;
}

/**
 * Returns a traced version of `fetchFn` (default: the current `globalThis.fetch`, captured
 * now). Calls keep `this`, `Request` inputs, streaming bodies and abort signals; anything the
 * original would throw is thrown unchanged. Requests made while tracing is suppressed (the
 * SDK's own exports) and `ignore`d targets pass straight through.
 *
 * @throws TypeError when there is no fetch to wrap or an option has the wrong type.
 * @example
 * ```ts
 * const tracedFetch = instrumentFetch(fetch, { propagateTo: ["https://api.example.com", /\.internal\//] });
 * const res = await tracedFetch("https://api.example.com/orders?token=abc"); // url.full ...?token=REDACTED
 * ```
 */
export function instrumentFetch(fetchFn?: FetchFn, options: FetchInstrumentationOptions = {}): FetchFn {
  const candidate = fetchFn ?? (globalThis as { fetch?: FetchFn }).fetch;
  if (typeof candidate !== "function") throw new TypeError("Cannot instrument fetch: no fetch function was given and globalThis.fetch is missing");
  if (isInstrumentedFetch(candidate)) return candidate;
  const original: FetchFn = candidate;
  const { propagateTo, ignore } = clientTargetRules(options, "Cannot instrument fetch");
  const redact = createQueryRedactor(options.redactQueryKeys);
  const headerCapture = compileHeaderCapture(options, "Cannot instrument fetch");
  const tracer = instrumentationTracer(SCOPE, options);
  const histogram = durationHistogram("client", SCOPE, options);

  function tracedFetch(this: unknown, input: RequestInfo | URL | string, init?: RequestInit): Promise<Response> {
    const active = context.active();
    let info: Target | undefined;
    if (!isTracingSuppressed(active) && active.getValue(IN_CLIENT_SPAN) !== true) {
      try {
        info = describe(input, init);
        if (info !== undefined && ignore !== undefined && matchesUrl(ignore, info.url)) info = undefined;
      } catch (err) {
        diagOnce("warn", "instrument-fetch:describe", "instrumentFetch: could not read the request; sending it untraced.", err);
        info = undefined;
      }
    }
    if (info === undefined) return original.call(this, input as never, init);

    const { method, url } = info;
    const attributes: Attributes = {
      ...methodAttributes(method),
      "url.full": redactUrl(url, redact),
      "server.address": url.hostname,
      "url.scheme": url.protocol.slice(0, -1),
    };
    const port = urlPort(url);
    if (port !== undefined) attributes["server.port"] = port;
    const metricAttributes: Attributes = {
      "http.request.method": normalizedMethod(method),
      "server.address": url.hostname,
      "url.scheme": attributes["url.scheme"] as string,
    };
    if (port !== undefined) metricAttributes["server.port"] = port;

    if (headerCapture.request.length > 0) Object.assign(attributes, capturedHeaderAttributes(headerCapture.request, fetchHeadersReader(sentHeaders(input, init))));
    const span = tracer.startSpan(spanMethod(method), { kind: 2 /* SpanKind.CLIENT */, attributes }, active);
    const spanCtx = setSpan(active, span).setValue(IN_CLIENT_SPAN, true);
    const started = monotonicNow();
    let sendInit = init;
    if (propagateTo === undefined || matchesUrl(propagateTo, url)) {
      try {
        sendInit = withHeaders(input, init, spanCtx);
      } catch (err) {
        // Headers fetch itself would reject (bad names): send the call as given, and let fetch decide.
        diagOnce("warn", "instrument-fetch:headers", "instrumentFetch: could not add propagation headers; sending without them.", err);
        sendInit = init;
      }
    }

    const finish = (status: number | undefined, error: unknown, response?: Response): void => {
      try {
        if (response !== undefined && headerCapture.response.length > 0) {
          span.setAttributes(capturedHeaderAttributes(headerCapture.response, fetchHeadersReader(response.headers)));
        }
        if (status !== undefined) {
          span.setAttribute("http.response.status_code", status);
          metricAttributes["http.response.status_code"] = status;
        }
        // Semconv: on the client side every 4xx and 5xx is an error.
        const type = error !== undefined ? errorType(error) : status !== undefined && status >= 400 ? String(status) : undefined;
        if (type !== undefined) {
          span.setAttribute("error.type", type);
          metricAttributes["error.type"] = type;
          // Redacted: Node's fetch quotes the whole URL, credentials included, when it rejects one.
          if (error !== undefined) span.recordException(redactedException(error, redact));
          span.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: error !== undefined ? redactUrlsInText(errorMessage(error), redact) : undefined });
        }
        span.end();
        histogram.record(seconds(started, monotonicNow()), metricAttributes, spanCtx);
      } catch (err) {
        diagOnce("warn", "instrument-fetch:finish", "instrumentFetch: recording the response failed.", err);
      }
    };

    let pending: Promise<Response>;
    try {
      pending = context.with(spanCtx, () => original.call(this, input as never, sendInit));
    } catch (error) {
      finish(undefined, error);
      throw error;
    }
    return Promise.resolve(pending).then(
      (response) => {
        finish(typeof response?.status === "number" ? response.status : undefined, undefined, response);
        return response;
      },
      (error: unknown) => {
        finish(undefined, error);
        throw error;
      },
    );
  }
  Object.defineProperty(tracedFetch, INSTRUMENTED, { value: true });
  return tracedFetch as FetchFn;
}

/** Undoes {@link installFetchInstrumentation}. */
export type UninstallFetch = () => void;

/**
 * Replaces `globalThis.fetch` with a traced one (opt-in). `uninstall()` restores the
 * previous fetch, unless something else replaced ours since (then it leaves that alone).
 * Installing twice keeps the first traced fetch (no double spans).
 *
 * @example
 * ```ts
 * const uninstall = installFetchInstrumentation({ propagateTo: /^https:\/\/api\.example\.com\// });
 * ```
 */
export function installFetchInstrumentation(options: FetchInstrumentationOptions = {}): UninstallFetch {
  const g = globalThis as { fetch?: FetchFn };
  const previous = g.fetch;
  if (typeof previous !== "function") throw new TypeError("Cannot install fetch instrumentation: globalThis.fetch is missing");
  if (isInstrumentedFetch(previous)) return () => {};
  const traced = instrumentFetch(previous, options);
  g.fetch = traced;
  return () => {
    if (g.fetch === traced) g.fetch = previous;
  };
}
