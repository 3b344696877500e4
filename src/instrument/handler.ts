/**
 * Traced request handlers: `instrumentHandler(handler)` wraps a fetch-style handler
 * `(request: Request, ...rest) => Response | Promise<Response>` — the shape of `Deno.serve`,
 * `Bun.serve`, Workers `fetch` and Hono `app.fetch` — in a SERVER span per the stable HTTP
 * server semantic conventions (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server),
 * continuing the caller's trace from the request headers and recording
 * `http.server.request.duration`.
 *
 * Streaming responses: the span ends when the handler hands back its `Response` (the status
 * and headers are final then), not when the body finishes. Wrapping every body in a
 * TransformStream would cost a pipe per response and defeat runtimes' native body
 * pass-through (workerd streams a fetched body without JavaScript when it is untouched), so
 * the duration is "time to response headers"; long streams should open their own span.
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { monotonicNow } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import { context } from "../context/context-api.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { isSpanContextValid } from "../trace/span-context.ts";
import { setSpan } from "../trace/span-in-context.ts";
import type { Tracer } from "../trace/tracer.ts";
import type { Span } from "../trace/types.ts";
import type { Histogram } from "../metrics/instruments.ts";
import {
  createQueryRedactor,
  durationHistogram,
  errorMessage,
  errorType,
  instrumentationTracer,
  methodAttributes,
  normalizedMethod,
  seconds,
  spanMethod,
  urlPort,
  type InstrumentationProviders,
} from "./http-semconv.ts";
import { redactedException, redactUrlsInText } from "./redact-text.ts";
import {
  capturedHeaderAttributes,
  compileHeaderCapture,
  fetchHeadersReader,
  type HeaderCapture,
  type HeaderCaptureOptions,
  type HeaderReader,
} from "./http-headers.ts";

/** Options of {@link instrumentHandler}. */
export interface HandlerInstrumentationOptions<Rest extends unknown[] = unknown[]> extends InstrumentationProviders, HeaderCaptureOptions {
  /** The matched route template (`/users/:id`), for `http.route` and the span name. Never the raw path. */
  route?: string | ((request: Request, ...rest: Rest) => string | undefined);
  /** Add a W3C Trace Context Level 2 `traceresponse` header to the response. Default false. */
  traceResponse?: boolean;
  /** The peer address (`client.address`), e.g. from `info.remoteAddr` (Deno) or `server.requestIP()` (Bun). */
  clientAddress?: (request: Request, ...rest: Rest) => string | undefined;
  /** More query keys whose values are recorded as `REDACTED` in `url.query`. */
  redactQueryKeys?: readonly string[];
}

/** What the shared server-span code needs to know about one incoming request. */
export interface ServerRequestInfo {
  readonly method: string;
  /** Absolute request URL, if it could be parsed. */
  readonly url: URL | undefined;
  /** The headers carrier for context extraction (Headers, or node's header object). */
  readonly carrier: unknown;
  readonly userAgent: string | undefined;
  readonly route: string | undefined;
  readonly clientAddress: string | undefined;
  /** Reads a request header, for `captureRequestHeaders`. */
  readonly requestHeader?: HeaderReader;
}

/** A started server span and how to finish it. */
export interface ServerSpanHandle {
  readonly span: Span;
  /** The context to run the handler in (extracted parent + the server span). */
  readonly context: Context;
  /**
   * Ends span and records the duration; only the first call counts. `responseHeader` reads
   * the response's headers for `captureResponseHeaders`.
   */
  end(status: number | undefined, error?: unknown, type?: string, responseHeader?: HeaderReader): void;
  /** The `traceresponse` header value, or undefined when the span context is invalid. */
  traceResponse(): string | undefined;
}

const SCOPE = "otel-edge/instrument/handler";

/**
 * Starts a SERVER span for `info` (used by {@link instrumentHandler} and the Node listener
 * adapter, so both record identical attributes and metrics).
 */
export function startServerSpan(
  tracer: Tracer,
  histogram: Histogram,
  info: ServerRequestInfo,
  redactSearch: (search: string) => string,
  headerCapture?: HeaderCapture,
): ServerSpanHandle {
  const parent = propagation.extract(context.active(), info.carrier);
  const attributes: Attributes = methodAttributes(info.method);
  const metricAttributes: Attributes = { "http.request.method": normalizedMethod(info.method) };
  const url = info.url;
  if (url !== undefined) {
    const scheme = url.protocol.slice(0, -1);
    attributes["url.path"] = url.pathname;
    if (url.search !== "") attributes["url.query"] = redactSearch(url.search).slice(1);
    attributes["url.scheme"] = scheme;
    attributes["server.address"] = url.hostname;
    const port = urlPort(url);
    if (port !== undefined) attributes["server.port"] = port;
    metricAttributes["url.scheme"] = scheme;
  }
  if (info.route !== undefined && info.route !== "") {
    attributes["http.route"] = info.route;
    metricAttributes["http.route"] = info.route;
  }
  if (info.userAgent !== undefined) attributes["user_agent.original"] = info.userAgent;
  if (info.clientAddress !== undefined && info.clientAddress !== "") attributes["client.address"] = info.clientAddress;
  if (headerCapture !== undefined && headerCapture.request.length > 0 && info.requestHeader !== undefined) {
    Object.assign(attributes, capturedHeaderAttributes(headerCapture.request, info.requestHeader));
  }
  const method = spanMethod(info.method);
  const name = info.route !== undefined && info.route !== "" ? `${method} ${info.route}` : method;
  const span = tracer.startSpan(name, { kind: 1 /* SpanKind.SERVER */, attributes }, parent);
  const ctx = setSpan(parent, span);
  const started = monotonicNow();
  let ended = false;
  return {
    span,
    context: ctx,
    end(status, error, type, responseHeader) {
      if (ended) return;
      ended = true;
      try {
        if (headerCapture !== undefined && headerCapture.response.length > 0 && responseHeader !== undefined) {
          span.setAttributes(capturedHeaderAttributes(headerCapture.response, responseHeader));
        }
        if (status !== undefined) {
          span.setAttribute("http.response.status_code", status);
          metricAttributes["http.response.status_code"] = status;
        }
        // Semconv: for servers only 5xx is an error (4xx is the client's fault).
        const errType = type ?? (error !== undefined ? errorType(error) : status !== undefined && status >= 500 ? String(status) : undefined);
        if (errType !== undefined) {
          span.setAttribute("error.type", errType);
          metricAttributes["error.type"] = errType;
          // Redacted: an error message quoting a URL must not carry its credentials or tokens.
          if (error !== undefined) span.recordException(redactedException(error, redactSearch));
          span.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: error !== undefined ? redactUrlsInText(errorMessage(error), redactSearch) : undefined });
        }
        span.end();
        histogram.record(seconds(started, monotonicNow()), metricAttributes, ctx);
      } catch (err) {
        diagOnce("warn", "instrument-server:end", "HTTP server instrumentation: recording the response failed.", err);
      }
    },
    traceResponse() {
      const sc = span.spanContext();
      if (!isSpanContextValid(sc)) return undefined;
      return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
    },
  };
}

function withTraceResponse(response: Response, value: string): Response {
  try {
    response.headers.set("traceresponse", value);
    return response;
  } catch {
    // Immutable headers (a fetched or redirect Response): answer with a copy instead.
    try {
      const copy = new Response(response.body, response);
      copy.headers.set("traceresponse", value);
      return copy;
    } catch (err) {
      diagOnce("info", "instrument-handler:traceresponse", "instrumentHandler: could not add the traceresponse header to this response.", err);
      return response;
    }
  }
}

function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === "object" && typeof (value as Response).status === "number";
}

/**
 * Wraps a fetch-style handler in a SERVER span. The span is active while the handler runs;
 * thrown errors are recorded and rethrown, 5xx responses mark the span as an error. The
 * wrapper returns synchronously when the handler does.
 *
 * @example
 * ```ts
 * Deno.serve(instrumentHandler((req) => new Response("hi"), { route: "/", traceResponse: true }));
 * export default { fetch: instrumentHandler(app.fetch) }; // Hono on Workers
 * instrumentHandler(app.fetch, { captureRequestHeaders: ["x-request-id"] }); // never "authorization"
 * ```
 */
export function instrumentHandler<Rest extends unknown[], R extends Response | Promise<Response>>(
  handler: (request: Request, ...rest: Rest) => R,
  options: HandlerInstrumentationOptions<Rest> = {},
): (request: Request, ...rest: Rest) => R {
  if (typeof handler !== "function") throw new TypeError("Cannot instrument handler: expected a function");
  const route = options.route;
  if (route !== undefined && typeof route !== "string" && typeof route !== "function") {
    throw new TypeError("Cannot instrument handler: route must be a string or a function");
  }
  const tracer = instrumentationTracer(SCOPE, options);
  const histogram = durationHistogram("server", SCOPE, options);
  const redact = createQueryRedactor(options.redactQueryKeys);
  const headerCapture = compileHeaderCapture(options, "Cannot instrument handler");
  const traceResponse = options.traceResponse === true;

  return function instrumentedHandler(this: unknown, request: Request, ...rest: Rest): R {
    let handle: ServerSpanHandle;
    try {
      let url: URL | undefined;
      try {
        url = new URL(request.url);
      } catch {
        url = undefined;
      }
      const pick = <T>(fn: ((request: Request, ...rest: Rest) => T) | undefined): T | undefined => {
        try {
          return fn?.(request, ...rest);
        } catch (err) {
          diagOnce("warn", "instrument-handler:option", "instrumentHandler: a route/clientAddress callback threw; ignoring it.", err);
          return undefined;
        }
      };
      handle = startServerSpan(tracer, histogram, {
        method: typeof request.method === "string" ? request.method : "GET",
        url,
        carrier: request.headers,
        userAgent: request.headers?.get("user-agent") ?? undefined,
        route: typeof route === "function" ? pick(route) : route,
        clientAddress: pick(options.clientAddress),
        requestHeader: fetchHeadersReader(request.headers),
      }, redact, headerCapture);
    } catch (err) {
      diagOnce("warn", "instrument-handler:start", "instrumentHandler: could not read the request; handling it untraced.", err);
      return handler.call(this, request, ...rest);
    }

    const done = (response: unknown): unknown => {
      if (!isResponse(response)) {
        handle.end(undefined, undefined, "_OTHER");
        return response;
      }
      const value = traceResponse ? handle.traceResponse() : undefined;
      const out = value !== undefined ? withTraceResponse(response, value) : response;
      handle.end(response.status, undefined, undefined, fetchHeadersReader(out.headers));
      return out;
    };
    let result: R;
    try {
      result = context.with(handle.context, () => handler.call(this, request, ...rest));
    } catch (error) {
      handle.end(undefined, error);
      throw error;
    }
    if (result !== null && typeof (result as { then?: unknown }).then === "function") {
      return (result as Promise<Response>).then(done, (error: unknown) => {
        handle.end(undefined, error);
        throw error;
      }) as R;
    }
    return done(result) as R;
  };
}
