/**
 * Traced `fetch`: one CLIENT span per call with the stable HTTP client semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client), the
 * `http.client.request.duration` histogram where the program has a meter provider (see
 * `durationHistogram`), and W3C context injection only for allowed
 * targets (`propagateTo`), so third-party APIs neither receive our headers nor fail CORS
 * preflight because of them.
 *
 * The span ends when the response headers arrive (the promise `fetch` returns settles):
 * reading the body is the caller's business and may never happen.
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { createContextKey } from "../context/context.ts";
import { context } from "../context/context-api.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { isTracingSuppressed } from "../trace/suppress.ts";
import { clientTargetRules, matchesUrl, methodAttributes, normalizedMethod, pageBase, redactUrl, spanMethod, urlPort, type UrlMatchers } from "./http-semconv.ts";
import { capturedHeaderAttributes, fetchHeadersReader } from "./http-headers.ts";
import { operationRecording, startOperationSpan, type RecordingOptions } from "./operation-span.ts";

/** Options of {@link instrumentFetch} and {@link installFetchInstrumentation}. */
export interface FetchInstrumentationOptions extends RecordingOptions {
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

type FetchFn = typeof fetch;

/** True when `fn` is a fetch returned by {@link instrumentFetch}. */
export function isInstrumentedFetch(fn: unknown): boolean {
  return typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[INSTRUMENTED] === true;
}

/** A `Request` (also one from another realm or a polyfill): an object with a string `url`. */
interface RequestLike {
  readonly url: string;
  readonly method?: unknown;
  readonly headers?: HeadersInit;
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
  const recording = operationRecording("client", "otel-edge/instrument/fetch", options, "Cannot instrument fetch");

  function tracedFetch(this: unknown, input: RequestInfo | URL | string, init?: RequestInit): Promise<Response> {
    const active = context.active();
    const request = typeof (input as RequestLike | null)?.url === "string" ? (input as RequestLike) : undefined;
    let url: URL | undefined;
    let method: unknown;
    if (!isTracingSuppressed(active) && !active.getValue(IN_CLIENT_SPAN)) {
      try {
        method = init?.method ?? request?.method;
        // A URL or string input, else a Request's url; relative URLs resolve against the page.
        url = new URL(request ? request.url : String(input), pageBase());
        if (ignore && matchesUrl(ignore, url)) url = undefined;
      } catch {
        url = undefined; // an input fetch itself rejects (no URL, a throwing getter): it says why
      }
    }
    if (!url) return original.call(this, input as never, init);

    const verb = typeof method === "string" && method ? method : "GET";
    const metricAttributes: Attributes = { "http.request.method": normalizedMethod(verb), "server.address": url.hostname, "url.scheme": url.protocol.slice(0, -1) };
    const port = urlPort(url);
    if (port !== undefined) metricAttributes["server.port"] = port;
    // The headers the call sends before ours: init's, which fetch applies over a Request's own.
    const sent = init?.headers ?? request?.headers;
    const attributes: Attributes = {
      ...methodAttributes(verb),
      ...metricAttributes,
      "url.full": redactUrl(url, recording.redactSearch),
      // Read through a Headers made per captured name; headers fetch itself would reject are read as nothing.
      ...capturedHeaderAttributes(recording.requestHeaders, (name) => new Headers(sent).get(name), recording.redactSearch),
    };
    const handle = startOperationSpan(recording, spanMethod(verb), 2 /* SpanKind.CLIENT */, attributes, metricAttributes, active);
    let sendInit = init;
    if (propagateTo === undefined || matchesUrl(propagateTo, url)) {
      try {
        // Never consumes a Request's body: the headers go in `init`, which fetch applies on top
        // of the Request (a copy of the Request's headers, plus ours).
        const headers = new Headers(sent);
        propagation.inject(handle.context, headers);
        sendInit = { ...init, headers };
      } catch (err) {
        // Headers fetch itself would reject (bad names): send the call as given, and let fetch decide.
        diagOnce("warn", "instrumentFetch: could not add propagation headers; sending without them.", undefined, err);
      }
    }
    return Promise.resolve(
      handle.run(
        () => context.with(handle.context.setValue(IN_CLIENT_SPAN, true), () => original.call(this, input as never, sendInit)),
        (response: Response) => {
          handle.end(response?.status, undefined, undefined, fetchHeadersReader(response?.headers));
          return response;
        },
      ),
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
  if (isInstrumentedFetch(previous)) return () => {};
  // Throws the TypeError of instrumentFetch when there is no globalThis.fetch.
  const traced = instrumentFetch(previous, options);
  g.fetch = traced;
  return () => {
    if (g.fetch === traced) g.fetch = previous;
  };
}
