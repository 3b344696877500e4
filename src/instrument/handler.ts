/**
 * Traced request handlers: `instrumentHandler(handler)` wraps a fetch-style handler
 * `(request: Request, ...rest) => Response | Promise<Response>` — the shape of `Deno.serve`,
 * `Bun.serve`, Workers `fetch` and Hono `app.fetch` — in a SERVER span per the stable HTTP
 * server semantic conventions (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-server),
 * continuing the caller's trace from the request headers and recording
 * `http.server.request.duration` where the program has a meter provider (see `durationHistogram`).
 *
 * Streaming responses: the span ends when the handler hands back its `Response` (the status
 * and headers are final then), not when the body finishes. Wrapping every body in a
 * TransformStream would cost a pipe per response and defeat runtimes' native body
 * pass-through (workerd streams a fetched body without JavaScript when it is untouched), so
 * the duration is "time to response headers"; long streams should open their own span.
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { formatTraceParent } from "../propagation/trace-context.ts";
import { isSpanContextValid } from "../trace/span-context.ts";
import type { Span } from "../trace/types.ts";
import { capturedHeaderAttributes, compileHeaderCapture, fetchHeadersReader, type CapturedHeader, type HeaderCaptureOptions, type HeaderReader } from "./http-headers.ts";
import {
  createQueryRedactor,
  durationHistogram,
  instrumentationTracer,
  methodAttributes,
  normalizedMethod,
  spanMethod,
  urlPort,
  type InstrumentationProviders,
} from "./http-semconv.ts";
import { startOperationSpan, type OperationRecording, type OperationSpan } from "./operation-span.ts";

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
  /**
   * `url.scheme` as the server knows it (Node: TLS socket or not), never the scheme of an
   * absolute-form request target the client wrote. Default: `url`'s, if `http` or `https`.
   */
  readonly scheme?: "http" | "https";
  /** The headers carrier for context extraction (Headers, or node's header object). */
  readonly carrier: unknown;
  readonly userAgent: string | undefined;
  readonly route: string | undefined;
  readonly clientAddress: string | undefined;
  /** Reads a request header, for `captureRequestHeaders`. */
  readonly requestHeader: HeaderReader;
}

/** A server instrumentation's checked options: how it records, and what it captures. */
export interface ServerRecording extends OperationRecording {
  readonly requestHeaders: readonly CapturedHeader[];
}

/**
 * Checks the options shared by {@link instrumentHandler} and the Node listener adapter and
 * compiles them once. `what` starts each TypeError message ("Cannot instrument handler").
 */
export function serverRecording(
  handler: unknown,
  options: InstrumentationProviders & HeaderCaptureOptions & { readonly route?: unknown; readonly redactQueryKeys?: readonly string[] },
  what: string,
  scope: string,
): ServerRecording {
  if (typeof handler !== "function") throw new TypeError(`${what}: expected a function`);
  const route = options.route;
  if (route !== undefined && typeof route !== "string" && typeof route !== "function") throw new TypeError(`${what}: route must be a string or a function`);
  const headers = compileHeaderCapture(options, what);
  return {
    tracer: instrumentationTracer(scope, options),
    histogram: durationHistogram("server", scope, options),
    redactSearch: createQueryRedactor(options.redactQueryKeys),
    // Semconv: for servers only 5xx is an error (4xx is the client's fault).
    errorStatus: 500,
    requestHeaders: headers.request,
    responseHeaders: headers.response,
  };
}

/**
 * Starts a SERVER span for `info` (used by {@link instrumentHandler} and the Node listener
 * adapter, so both record identical attributes and metrics), continuing the caller's trace.
 */
export function startServerSpan(recording: ServerRecording, info: ServerRequestInfo): OperationSpan {
  const { url, route } = info;
  const attributes: Attributes = methodAttributes(info.method);
  // The duration's attributes take values only from what the server knows — a known method or
  // `_OTHER`, the socket's scheme, the route template, the status — never free text from the
  // request line, which a client could vary to fill the stream's cardinality limit.
  const metricAttributes: Attributes = { "http.request.method": normalizedMethod(info.method) };
  const scheme = info.scheme ?? url?.protocol.slice(0, -1);
  if (scheme === "http" || scheme === "https") attributes["url.scheme"] = metricAttributes["url.scheme"] = scheme;
  if (url !== undefined) {
    attributes["url.path"] = url.pathname;
    if (url.search !== "") attributes["url.query"] = recording.redactSearch(url.search).slice(1);
    attributes["server.address"] = url.hostname;
    const port = urlPort(url);
    if (port !== undefined) attributes["server.port"] = port;
  }
  if (route) attributes["http.route"] = metricAttributes["http.route"] = route;
  if (info.userAgent !== undefined) attributes["user_agent.original"] = info.userAgent;
  if (info.clientAddress) attributes["client.address"] = info.clientAddress;
  if (recording.requestHeaders.length > 0) Object.assign(attributes, capturedHeaderAttributes(recording.requestHeaders, info.requestHeader, recording.redactSearch));
  const method = spanMethod(info.method);
  const parent = propagation.extract(context.active(), info.carrier);
  return startOperationSpan(recording, route ? `${method} ${route}` : method, 1 /* SpanKind.SERVER */, attributes, metricAttributes, parent);
}

/** The W3C Trace Context Level 2 `traceresponse` value for `span`, or undefined when its context is invalid. */
export function traceResponseValue(span: Span): string | undefined {
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? formatTraceParent(sc) : undefined;
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
  const recording = serverRecording(handler, options, "Cannot instrument handler", "otel-edge/instrument/handler");
  const { route, clientAddress, traceResponse } = options;

  return function instrumentedHandler(this: unknown, request: Request, ...rest: Rest): R {
    let handle: OperationSpan;
    try {
      let url: URL | undefined;
      try {
        url = new URL(request.url);
      } catch {
        url = undefined;
      }
      const pick = (fn: ((request: Request, ...rest: Rest) => string | undefined) | undefined): string | undefined => {
        try {
          return fn?.(request, ...rest);
        } catch (err) {
          diagOnce("warn", "instrument-handler:option", "instrumentHandler: a route/clientAddress callback threw; ignoring it.", err);
          return undefined;
        }
      };
      handle = startServerSpan(recording, {
        method: typeof request.method === "string" ? request.method : "GET",
        url,
        carrier: request.headers,
        userAgent: request.headers?.get("user-agent") ?? undefined,
        route: typeof route === "function" ? pick(route) : route,
        clientAddress: pick(clientAddress),
        requestHeader: fetchHeadersReader(request.headers),
      });
    } catch (err) {
      diagOnce("warn", "instrument-handler:start", "instrumentHandler: could not read the request; handling it untraced.", err);
      return handler.call(this, request, ...rest);
    }

    const done = (response: unknown): unknown => {
      if (!isResponse(response)) {
        handle.end(undefined, undefined, "_OTHER");
        return response;
      }
      const value = traceResponse === true ? traceResponseValue(handle.span) : undefined;
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

function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === "object" && typeof (value as Response).status === "number";
}
