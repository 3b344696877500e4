/**
 * Traced node:http/https request listeners: `instrumentNodeListener(listener)` gives the
 * listener the same SERVER span, attributes and `http.server.request.duration` as
 * `instrumentHandler`. Only structural types of `IncomingMessage`/`ServerResponse` are used
 * (no `node:` import), so this file bundles for every platform.
 *
 * The span ends on the response's `finish` (the last byte was handed to the OS) or, if the
 * connection closes first, on `close` with `error.type` = `aborted` (the client went away
 * before the response completed; a custom low-cardinality value, as semconv allows).
 */
import { diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import type { InstrumentationProviders } from "./http-semconv.ts";
import { callOption, serverRecording, startServerSpan, traceResponseValue } from "./handler.ts";
import type { HeaderCaptureOptions, HeaderReader } from "./http-headers.ts";
import type { OperationSpan } from "./operation-span.ts";

/** The parts of node:http `IncomingMessage` the adapter reads. */
export interface NodeIncomingLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
  /** node:http's socket: `encrypted` is true on TLS sockets, `remoteAddress` is the peer. */
  readonly socket?: unknown;
}

/** The parts of node:http `ServerResponse` the adapter uses. */
export interface NodeOutgoingLike {
  readonly statusCode: number;
  readonly writableFinished?: boolean;
  setHeader?(name: string, value: string): unknown;
  /** Reads a response header set so far (for `captureResponseHeaders`). */
  getHeader?(name: string): unknown;
  once(event: "finish" | "close", listener: () => void): unknown;
}

/** Options of {@link instrumentNodeListener}. */
export interface NodeListenerInstrumentationOptions<Req extends NodeIncomingLike = NodeIncomingLike> extends InstrumentationProviders, HeaderCaptureOptions {
  /** The matched route template for `http.route` and the span name. */
  route?: string | ((req: Req) => string | undefined);
  /** Add a W3C Trace Context Level 2 `traceresponse` header. Default false. */
  traceResponse?: boolean;
  /** Override `client.address` (default: the socket's `remoteAddress`). */
  clientAddress?: (req: Req) => string | undefined;
  /** More query keys whose values are recorded as `REDACTED` in `url.query`. */
  redactQueryKeys?: readonly string[];
}

function header(req: NodeIncomingLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** node's `getHeader` returns a string, a number or a string[]. */
function nodeHeaderValue(value: unknown): string | readonly string[] | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(String);
  return undefined;
}

function requestUrl(req: NodeIncomingLike, scheme: string): URL | undefined {
  // HTTP/2 carries the authority in ":authority"; HTTP/1.1 in Host.
  const host = header(req, "host") ?? header(req, ":authority") ?? "localhost";
  try {
    // An absolute-form target (`GET qwerty://h/ HTTP/1.1`, which node:http accepts) keeps its
    // own scheme here; `url.scheme` is the socket's (see startServerSpan).
    return new URL(req.url ?? "/", `${scheme}://${host}`);
  } catch {
    return undefined;
  }
}

/**
 * Wraps a node:http request listener in a SERVER span, active while the listener runs and
 * ended when the response finishes or the connection closes.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(instrumentNodeListener((req, res) => res.end("ok"), { traceResponse: true })).listen(8080);
 * ```
 */
export function instrumentNodeListener<Req extends NodeIncomingLike, Res extends NodeOutgoingLike>(
  listener: (req: Req, res: Res) => void,
  options: NodeListenerInstrumentationOptions<Req> = {},
): (req: Req, res: Res) => void {
  const recording = serverRecording(listener, options, "Cannot instrument node listener", "otel-edge/instrument/node-listener");
  const route = options.route;

  return function instrumentedListener(this: unknown, req: Req, res: Res): void {
    let handle: OperationSpan;
    try {
      const socket = req.socket as { remoteAddress?: unknown; encrypted?: boolean } | null | undefined;
      const remote = socket?.remoteAddress;
      const scheme = socket?.encrypted ? "https" : "http";
      handle = startServerSpan(
        recording,
        req.method ?? "GET",
        requestUrl(req, scheme),
        req.headers,
        (name) => req.headers[name],
        typeof route === "function" ? callOption(route, [req]) : route,
        options.clientAddress ? callOption(options.clientAddress, [req]) : typeof remote === "string" ? remote : undefined,
        scheme,
      );
      const h = handle;
      const responseHeader: HeaderReader = (name) => nodeHeaderValue(res.getHeader?.(name));
      res.once("finish", () => h.end(res.statusCode, undefined, undefined, responseHeader));
      res.once("close", () => {
        // 'close' follows 'finish' on a completed response; alone, the client went away.
        if (res.writableFinished === false) h.end(res.statusCode, undefined, "aborted", responseHeader);
        else h.end(res.statusCode, undefined, undefined, responseHeader);
      });
      if (options.traceResponse === true) {
        const value = traceResponseValue(h.span);
        if (value !== undefined) res.setHeader?.("traceresponse", value);
      }
    } catch (err) {
      diagOnce("warn", "instrument-node:start", "instrumentNodeListener: could not read the request; handling it untraced.", err);
      return listener.call(this, req, res);
    }
    try {
      context.with(handle.context, () => listener.call(this, req, res));
    } catch (error) {
      handle.end(undefined, error);
      throw error;
    }
  };
}
