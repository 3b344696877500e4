/**
 * The `/metrics` endpoint of the size-first core, as the product's (src/export/prometheus/
 * handler.ts, negotiate.ts, node-listener.ts): `prometheusHandler(source, options?)`, a
 * fetch-style `(Request) => Promise<Response>` handler (Deno.serve, Bun.serve, Workers, Hono),
 * and `toNodeListener(handler)` for node:http.
 *
 * - Format (OpenMetrics 1.0 "Protocol Negotiation"; RFC 9110 §12.5.1): OpenMetrics 1.0 when
 *   `Accept` ranks `application/openmetrics-text` (no version, or `1.0.0`) with q > 0 at least as
 *   high as the text format (`text/plain`, `text/*`, `*∕*`; no version or `0.0.4`), else 0.0.4.
 * - Gzip (RFC 9110 §12.5.3) when `Accept-Encoding` accepts it (`gzip`, `x-gzip`, else `*`, q > 0)
 *   and `CompressionStream` exists, unless `compression: false`. Prometheus asks for it.
 * - Streamed: the body is rendered slice by slice as the client reads it (prometheus.ts), with a
 *   turn of the event loop between slices; the node adapter waits for `drain` when the client
 *   reads slowly and stops rendering when it goes away.
 * - Never throws to the server: GET and HEAD collect (HEAD without a body), other methods get 405;
 *   a failure becomes a 500 with a constant body (nothing of the request echoed); a failure
 *   mid-body cuts the connection, so the client never takes a short body for a whole one. The
 *   node adapter buffers at most 1 MiB of a request body (413 beyond).
 * - Configuration errors throw a TypeError at construction (a source without `collect`, an
 *   unknown `openMetrics` mode).
 *
 * - `auth`: a bearer token or Basic credentials required (401 with `WWW-Authenticate`, the
 *   credentials compared in constant time); an invalid `auth` (null included) throws.
 *
 * Left out (one import away in the product): a metric
 * reader as the source (the lean provider is its own reader: its temporality, cumulative by
 * default, is the one shown; delta streams are dropped by the renderer), several `Set-Cookie`
 * headers through the adapter, collection errors reported (the lean provider's collect never
 * rejects and reports its own failures).
 */
import type { ResourceMetrics } from "../../src/metrics/types.ts";
import { warnOnce } from "./diag.ts";
import { render, type PrometheusRenderOptions } from "./prometheus.ts";

/** What the handler collects from: a meter provider (meter-provider.ts, metrics.ts), or an SDK with `meterProvider`. */
export type MetricsSource = { collect(timeout: number): Promise<ResourceMetrics> } | { readonly meterProvider: { collect(timeout: number): Promise<ResourceMetrics> } };

/** Credentials the handler requires: a bearer token, or HTTP Basic user and password. */
export type PrometheusAuth = { readonly bearerToken: string } | { readonly basic: { readonly username: string; readonly password: string } };

/** Options of {@link prometheusHandler}. */
export interface PrometheusHandlerOptions extends PrometheusRenderOptions {
  /** Require credentials (401 with `WWW-Authenticate` otherwise). */
  readonly auth?: PrometheusAuth;
  /** `negotiate` (default): OpenMetrics when `Accept` asks for it; `always` / `never` force one. */
  readonly openMetrics?: "negotiate" | "always" | "never";
  /** Gzip when the client accepts it (default true). */
  readonly compression?: boolean;
}

/** A fetch-style handler. */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

const TEXT = "text/plain; charset=utf-8";

/** The highest q among the ranges of an `Accept`-style header that `matches` (lower-cased type, `version`); -1 when none. */
function bestQ(header: string, matches: (type: string, version?: string) => boolean): number {
  let best = -1;
  for (const range of header.split(",")) {
    const [type, ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf("=");
      const name = param.slice(0, eq).trim();
      const value = param.slice(eq + 1).trim().replace(/^"|"$/g, "");
      if (eq < 0) continue;
      // Number(""): 0; NaN and ±Infinity (n - n is not 0): 0.
      if (name == "q") q = +value - +value == 0 ? Math.min(Math.max(+value, 0), 1) : 0;
      else if (name == "version") version = value;
    }
    if (type && matches(type, version)) best = Math.max(best, q);
  }
  return best;
}

/** True when `Accept` prefers OpenMetrics 1.0 (see the module doc). */
export function prefersOpenMetrics(accept: string | null): boolean {
  const om = accept ? bestQ(accept, (t, v) => t == "application/openmetrics-text" && (!v || v == "1.0.0")) : -1;
  return om > 0 && om >= bestQ(accept!, (t, v) => /^(text\/(plain|\*)|\*\/\*)$/.test(t) && (!v || v == "0.0.4"));
}

/** True when `Accept-Encoding` accepts gzip. */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  const gzip = bestQ(header, (t) => t == "gzip" || t == "x-gzip");
  return (gzip >= 0 ? gzip : bestQ(header, (t) => t == "*")) > 0;
}

const encoder = /* @__PURE__ */ new TextEncoder();

/** A configuration error, at construction. */
const invalid = (what: string): never => {
  throw new TypeError("prometheusHandler: invalid " + what);
};

/**
 * [scheme (lower case), credentials, challenge] of `auth`: a bearer token of visible ASCII (RFC 6750
 * §2.1: anything else could never be sent), or Basic (RFC 7617 with charset="UTF-8": base64 of the
 * UTF-8 bytes of `user:password`; no `:` in the user). A TypeError otherwise.
 */
function expected(auth: PrometheusAuth): string[] {
  // `in` throws a TypeError for a primitive; null and undefined fail the destructuring first.
  const { bearerToken: token, basic } = auth as { bearerToken?: unknown; basic?: { username?: unknown; password?: unknown } };
  if ("bearerToken" in auth ? typeof token == "string" && /^[\x21-\x7e]+$/.test(token) : typeof basic?.username == "string" && typeof basic.password == "string" && !basic.username.includes(":"))
    return token ? ["bearer", token as string, 'Bearer realm="metrics"'] : ["basic", btoa(String.fromCharCode(...encoder.encode(basic!.username + ":" + basic!.password))), 'Basic realm="metrics", charset="UTF-8"'];
  return invalid("auth: not { bearerToken } (visible ASCII) or { basic: { username (no ':'), password } }");
}

/** The bytes of `a` and `b` compared in time that depends on their lengths only (nothing of where they differ leaks). */
function equal(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length || i < y.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return !diff;
}

const plain = (status: number, text: string, headers?: Record<string, string>): Response => new Response(text, { status, headers: { "Content-Type": TEXT, ...headers } });

/** A full turn of the event loop (timers, I/O): `setImmediate` where there is one, else `setTimeout(0)`. */
const nextTurn = (): Promise<unknown> => new Promise((resolve) => ((globalThis as unknown as { setImmediate?: (f: () => void) => unknown }).setImmediate ?? setTimeout)(resolve));

/**
 * The exposition as a stream of UTF-8 bytes: each slice rendered when the consumer asks for
 * it, after a turn of the event loop (but the first). A throw while rendering errors the
 * stream (the consumer cuts the response).
 */
export function renderStream(collections: readonly ResourceMetrics[], om: boolean, options?: PrometheusRenderOptions, slice = 65536): ReadableStream<Uint8Array> {
  const slices = render(collections, om, options, slice);
  let first = true;
  return new ReadableStream({
    async pull(controller) {
      if (!first) await nextTurn();
      first = false;
      const next = slices.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel: () => void slices.return(),
  });
}

/**
 * A `/metrics` handler over `source`. Each GET collects (observable callbacks bounded by 10 s,
 * the product reader's default) and streams the exposition; HEAD answers the same status and
 * headers without a body; other methods get 405. Never rejects.
 *
 * @throws TypeError for a source without `collect`, or an unknown `openMetrics` mode.
 */
export function prometheusHandler(source: MetricsSource, options: PrometheusHandlerOptions = {}): (request: Request) => Promise<Response> {
  const provider = (source as { meterProvider?: unknown })?.meterProvider ?? source;
  const mode = options.openMetrics ?? "negotiate";
  if (typeof (provider as { collect?: unknown })?.collect != "function") invalid("source: not a meter provider");
  if (!/^(negotiate|always|never)$/.test(mode)) invalid("openMetrics");
  // Only `undefined` means no auth: null or an empty object must not serve metrics unprotected.
  const auth = options.auth !== undefined ? expected(options.auth) : undefined;
  return async (request) => {
    try {
      const method = request.method.toUpperCase();
      if (method != "GET" && method != "HEAD") return plain(405, "Method Not Allowed\n", { Allow: "GET, HEAD" });
      if (auth) {
        const [scheme = "", credentials = ""] = (request.headers.get("authorization") ?? "").trim().split(/ +(.*)/);
        // Both checks run: the scheme's must not shortcut the constant-time comparison. Nothing of the request is echoed.
        if (!equal(credentials.trim(), auth[1]!) || scheme.toLowerCase() != auth[0]) return plain(401, "Unauthorized\n", { "WWW-Authenticate": auth[2]!, "Cache-Control": "no-store" });
      }
      const om = mode == "always" || (mode == "negotiate" && prefersOpenMetrics(request.headers.get("accept")));
      const collected = await (provider as { collect(timeout: number): Promise<ResourceMetrics> }).collect(1e4);
      const gzip = options.compression != false && typeof CompressionStream == "function" && acceptsGzip(request.headers.get("accept-encoding"));
      const headers: Record<string, string> = {
        "Content-Type": om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8",
        "Cache-Control": "no-store",
        Vary: "Accept, Accept-Encoding",
      };
      let body: ReadableStream | null = null;
      if (gzip) headers["Content-Encoding"] = "gzip";
      if (method == "GET") {
        body = renderStream([collected], om, options);
        if (gzip) body = body.pipeThrough(new CompressionStream("gzip"));
      }
      return new Response(body, { headers });
    } catch {
      warnOnce("prometheusHandler: collection failed; 500");
      return plain(500, "Internal Server Error\n");
    }
  };
}

/** The parts of node:http `IncomingMessage` the adapter reads. */
export interface NodeRequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly socket?: unknown;
  on(event: "data" | "end" | "error", listener: (chunk?: unknown) => void): unknown;
  resume?(): unknown;
}

/** The parts of node:http `ServerResponse` the adapter writes. */
export interface NodeResponseLike {
  readonly headersSent?: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: string): unknown;
  on(event: "drain" | "close", listener: () => void): unknown;
  destroy?(error?: Error): unknown;
}

/** Largest request body buffered (a metrics handler reads none). */
const MAX_BODY = 1 << 20;

/** The request body as a Blob; rejects with a RangeError past {@link MAX_BODY} (read to its end, the excess not kept). */
const readBody = (req: NodeRequestLike): Promise<Blob> =>
  new Promise((resolve, reject) => {
    const chunks: BlobPart[] = [];
    let size = 0;
    req.on("data", (chunk) => {
      const part = chunk as Uint8Array<ArrayBuffer> | string;
      size += typeof part == "string" ? new Blob([part]).size : part.byteLength;
      if (size <= MAX_BODY) chunks.push(part);
    });
    req.on("end", () => (size > MAX_BODY ? reject(RangeError()) : resolve(new Blob(chunks))));
    req.on("error", reject);
  });

/** A Fetch Request of a node:http request: its headers (pseudo-headers and ones Fetch rejects skipped), URL and body. */
function toRequest(req: NodeRequestLike, method: string, body?: Blob): Request {
  const headers = new Headers();
  for (const name in req.headers) {
    const v = req.headers[name];
    if (v !== undefined && name[0] != ":")
      for (const one of [v].flat())
        try {
          headers.append(name, one);
        } catch {}
  }
  const base = ((req.socket as { encrypted?: boolean })?.encrypted ? "https" : "http") + "://";
  const host = req.headers.host;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", base + (typeof host == "string" ? host : "localhost"));
  } catch {
    url = new URL(req.url?.startsWith("/") ? req.url : "/", base + "localhost");
  }
  return new Request(url, { method, headers, body: body?.size ? body : undefined });
}

/**
 * A `(req, res) => void` listener for `http.createServer` over a fetch-style handler: the body
 * streamed as the handler produces it (see the module doc). Never throws.
 */
export function toNodeListener(handler: FetchHandler): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return async (req, res) => {
    try {
      const method = (req.method ?? "GET").toUpperCase();
      const read = method == "GET" || method == "HEAD";
      if (read) req.resume?.();
      const response = await handler(toRequest(req, method, read ? undefined : await readBody(req)));
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => (headers[k] = v));
      res.writeHead(response.status, headers);
      const stream = method == "HEAD" ? null : response.body;
      if (!stream) return void res.end();
      let gone = false;
      let wake = (): void => {};
      res.on("drain", () => wake());
      res.on("close", () => {
        gone = true;
        wake();
      });
      // Leaving the loop early (the client went away) cancels the body, which stops rendering.
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
        if (!res.write(chunk) && !gone) await new Promise<void>((resolve) => (wake = resolve));
        if (gone) return;
      }
      res.end();
    } catch (error) {
      const big = error instanceof RangeError;
      if (!big) warnOnce("toNodeListener: the handler failed; 500");
      try {
        if (res.headersSent) throw 0; // mid-body: cut the connection
        res.writeHead(big ? 413 : 500, { "content-type": TEXT });
        res.end(big ? "Payload Too Large\n" : "Internal Server Error\n");
      } catch {
        res.destroy?.();
      }
    }
  };
}
