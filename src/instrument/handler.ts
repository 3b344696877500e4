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
import { propagation } from "../propagation/propagation-api.ts";
import { context } from "../context/context-api.ts";
import { formatTraceParent } from "../propagation/trace-context.ts";
import { isSpanContextValid } from "../trace/span-context.ts";
import type { Span } from "../trace/types.ts";
import { capturedHeaderAttributes, fetchHeadersReader, type HeaderReader } from "./http-headers.ts";
import { methodAttributes, normalizedMethod, spanMethod, urlPort } from "./http-semconv.ts";
import { operationRecording, startOperationSpan, type OperationRecording, type OperationSpan, type RecordingOptions } from "./operation-span.ts";

/** Options of {@link instrumentHandler}. */
export interface HandlerInstrumentationOptions<Rest extends unknown[] = unknown[]> extends RecordingOptions {
  /** The matched route template (`/users/:id`), for `http.route` and the span name. Never the raw path. */
  route?: string | ((request: Request, ...rest: Rest) => string | undefined);
  /** Add a W3C Trace Context Level 2 `traceresponse` header to the response. Default false. */
  traceResponse?: boolean;
  /** The peer address (`client.address`), e.g. from `info.remoteAddr` (Deno) or `server.requestIP()` (Bun). */
  clientAddress?: (request: Request, ...rest: Rest) => string | undefined;
  /** More query keys whose values are recorded as `REDACTED` in `url.query`. */
  redactQueryKeys?: readonly string[];
}

/**
 * Checks the options shared by {@link instrumentHandler} and the Node listener adapter and
 * compiles them once. `what` starts each TypeError message ("Cannot instrument handler").
 */
export function serverRecording(handler: unknown, options: RecordingOptions & { readonly route?: unknown }, what: string, scope: string): OperationRecording {
  if (typeof handler !== "function") throw new TypeError(`${what}: expected a function`);
  const route = options.route;
  if (route !== undefined && typeof route !== "string" && typeof route !== "function") throw new TypeError(`${what}: route must be a string or a function`);
  return operationRecording("server", scope, options, what);
}

/** The value of a `route`/`clientAddress` callback option; one that throws is reported once and ignored. */
export function callOption<A extends unknown[]>(fn: ((...args: A) => string | undefined) | undefined, args: A): string | undefined {
  try {
    return fn?.(...args);
  } catch (err) {
    diagOnce("warn", "A route/clientAddress callback of an HTTP server instrumentation threw; ignoring it.", undefined, err);
  }
}

/**
 * Starts a SERVER span for one incoming request (used by {@link instrumentHandler} and the Node
 * listener adapter, so both record identical attributes and metrics), continuing the caller's
 * trace from `carrier` (the request's headers). `url` is the absolute request URL if it could
 * be parsed; `scheme` is `url.scheme` as the server knows it (Node: TLS socket or not), never
 * the scheme of an absolute-form target the client wrote; `read` reads a request header.
 */
export function startServerSpan(
  recording: OperationRecording,
  method: string,
  url: URL | undefined,
  carrier: unknown,
  read: HeaderReader,
  route: string | undefined,
  clientAddress: string | undefined,
  scheme: string | undefined = url?.protocol.slice(0, -1),
): OperationSpan {
  const attributes: Attributes = methodAttributes(method);
  // The duration's attributes take values only from what the server knows — a known method or
  // `_OTHER`, the socket's scheme, the route template, the status — never free text from the
  // request line, which a client could vary to fill the stream's cardinality limit.
  const metricAttributes: Attributes = { "http.request.method": normalizedMethod(method) };
  if (scheme === "http" || scheme === "https") attributes["url.scheme"] = metricAttributes["url.scheme"] = scheme;
  if (url) {
    attributes["url.path"] = url.pathname;
    if (url.search) attributes["url.query"] = recording.redactSearch(url.search).slice(1);
    attributes["server.address"] = url.hostname;
    const port = urlPort(url);
    if (port !== undefined) attributes["server.port"] = port;
  }
  if (route) attributes["http.route"] = metricAttributes["http.route"] = route;
  const userAgent = read("user-agent");
  if (userAgent != null) attributes["user_agent.original"] = String(userAgent);
  if (clientAddress) attributes["client.address"] = clientAddress;
  Object.assign(attributes, capturedHeaderAttributes(recording.requestHeaders, read, recording.redactSearch));
  const name = spanMethod(method);
  const parent = propagation.extract(context.active(), carrier);
  return startOperationSpan(recording, route ? `${name} ${route}` : name, 1 /* SpanKind.SERVER */, attributes, metricAttributes, parent);
}

/** The W3C Trace Context Level 2 `traceresponse` value for `span`, or undefined when its context is invalid. */
export function traceResponseValue(span: Span): string | undefined {
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? formatTraceParent(sc) : undefined;
}

/** `response` with a `traceresponse` header for `span` (a copy when its headers are immutable). */
function withTraceResponse(response: Response, span: Span): Response {
  const value = traceResponseValue(span);
  try {
    if (value) {
      try {
        response.headers.set("traceresponse", value);
      } catch {
        // Immutable headers (a fetched or redirect Response): answer with a copy instead.
        response = new Response(response.body, response);
        response.headers.set("traceresponse", value);
      }
    }
  } catch (err) {
    diagOnce("info", "instrumentHandler: could not add the traceresponse header to this response.", undefined, err);
  }
  return response;
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

  return function instrumentedHandler(this: unknown, ...args: [Request, ...Rest]): R {
    const [request] = args;
    const run = () => handler.apply(this, args);
    let handle: OperationSpan;
    try {
      let url: URL | undefined;
      try {
        url = new URL(request.url);
      } catch {
        // Not an absolute URL: recorded without the url.* attributes.
      }
      const headers = request.headers;
      const method = request.method;
      handle = startServerSpan(
        recording,
        typeof method === "string" ? method : "GET",
        url,
        headers,
        fetchHeadersReader(headers),
        typeof route === "function" ? callOption(route, args) : route,
        callOption(clientAddress, args),
      );
    } catch (err) {
      diagOnce("warn", "instrumentHandler: could not read the request; handling it untraced.", undefined, err);
      return run();
    }
    return handle.run(run, (response: unknown) => {
      // Not a Response (a bug in the handler): passed on as it is, the span ends with error.type _OTHER.
      if (typeof (response as Response | null)?.status !== "number") return handle.end(undefined, undefined, "_OTHER"), response;
      const out = traceResponse ? withTraceResponse(response as Response, handle.span) : (response as Response);
      handle.end(out.status, undefined, undefined, fetchHeadersReader(out.headers));
      return out;
    });
  };
}
