/**
 * A fetch-style `/metrics` handler: `(Request) => Promise<Response>`, so it plugs into
 * Deno.serve, Bun.serve, Cloudflare Workers, Hono and (through `toNodeListener`) node:http.
 * Web APIs only.
 */
import { diag } from "../../common/diag.ts";
import { acceptsGzip, constantTimeEqual, OPENMETRICS_CONTENT_TYPE, prefersOpenMetrics, TEXT_CONTENT_TYPE } from "./negotiate.ts";
import { collectAll, resolveCollector, type MetricsSource } from "./source.ts";
import { renderStream, type PrometheusRenderOptions } from "./text-format.ts";
import { utf8 } from "./utf8.ts";

/** Credentials the handler requires: a bearer token, or HTTP Basic user and password. */
export type PrometheusAuth = { readonly bearerToken: string } | { readonly basic: { readonly username: string; readonly password: string } };

/** Options for {@link prometheusHandler}. */
export interface PrometheusHandlerOptions extends PrometheusRenderOptions {
  /** `negotiate` (default): OpenMetrics when `Accept` asks for it; `always`/`never` force a format. */
  readonly openMetrics?: "negotiate" | "always" | "never";
  /** Require credentials (401 with `WWW-Authenticate` otherwise). */
  readonly auth?: PrometheusAuth;
  /** Gzip the body when the client accepts it and `CompressionStream` exists (default true). */
  readonly compression?: boolean;
}

interface ExpectedAuthorization {
  /** The scheme, lower-cased. */
  scheme: string;
  credentials: string;
  challenge: string;
}

function expectedAuthorization(auth: PrometheusAuth): ExpectedAuthorization {
  const where = "prometheusHandler: auth";
  if (auth === null || typeof auth !== "object") throw new TypeError(`${where} must be { bearerToken } or { basic: { username, password } }`);
  if ("bearerToken" in auth) {
    // A token with whitespace or control characters could never be presented in the header (RFC 6750 §2.1).
    if (typeof auth.bearerToken !== "string" || !/^[\x21-\x7e]+$/.test(auth.bearerToken)) throw new TypeError(`${where}.bearerToken must be visible ASCII characters, no spaces`);
    return { scheme: "bearer", credentials: auth.bearerToken, challenge: 'Bearer realm="metrics"' };
  }
  const basic = (auth as { basic?: { username?: unknown; password?: unknown } }).basic;
  if (!basic || typeof basic.username !== "string" || typeof basic.password !== "string" || basic.username.includes(":")) {
    throw new TypeError(`${where}.basic needs a string username without ':' and a string password (RFC 7617)`);
  }
  // RFC 7617 §2.1 with charset="UTF-8": base64 of the UTF-8 bytes (btoa takes them as Latin-1 characters).
  const credentials = btoa(String.fromCharCode(...utf8.encode(basic.username + ":" + basic.password)));
  return { scheme: "basic", credentials, challenge: 'Basic realm="metrics", charset="UTF-8"' };
}

function authorized(header: string | null, expected: ExpectedAuthorization): boolean {
  const [scheme = "", credentials = ""] = (header ?? "").trim().split(/ +(.*)/);
  // Both checks always run: the scheme check must not shortcut the constant-time comparison.
  const credentialsOk = constantTimeEqual(credentials.trim(), expected.credentials);
  return scheme.toLowerCase() === expected.scheme && credentialsOk;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/**
 * Creates a `/metrics` handler. Given a meter provider (or an SDK with `meterProvider`), it
 * registers one cumulative manual reader the first time; given a reader, it uses it. Each
 * GET collects and streams the exposition as it renders it (no `Content-Length`); HEAD
 * collects and answers the same status and headers without a body; other methods get 405.
 * The response never echoes request input.
 *
 * @example
 * ```ts
 * const metrics = prometheusHandler(sdk, { auth: { bearerToken: "s3cret" } });
 * Deno.serve((req) => new URL(req.url).pathname === "/metrics" ? metrics(req) : app(req));
 * ```
 */
export function prometheusHandler(source: MetricsSource, options: PrometheusHandlerOptions = {}): (request: Request) => Promise<Response> {
  const collector = resolveCollector(source, "prometheusHandler");
  const mode = options.openMetrics ?? "negotiate";
  if (mode !== "negotiate" && mode !== "always" && mode !== "never") throw new TypeError(`prometheusHandler: openMetrics must be "negotiate", "always" or "never"`);
  // Only `undefined` means "no auth": a null or empty value must not silently serve metrics unprotected.
  const auth = options.auth !== undefined ? expectedAuthorization(options.auth) : undefined;
  const compression = options.compression !== false;
  return async (request: Request): Promise<Response> => {
    try {
      const method = request.method.toUpperCase();
      if (method !== "GET" && method !== "HEAD") return plain(405, "Method Not Allowed\n", { Allow: "GET, HEAD" });
      if (auth && !authorized(request.headers.get("authorization"), auth)) {
        // Constant body and headers: nothing of the request is reflected.
        return plain(401, "Unauthorized\n", { "WWW-Authenticate": auth.challenge, "Cache-Control": "no-store" });
      }
      const om = mode === "always" || (mode === "negotiate" && prefersOpenMetrics(request.headers.get("accept")));
      const { collections, errors } = await collectAll(collector);
      if (errors.length > 0) diag.warn(`prometheusHandler: ${errors.length} error(s) during collection; serving what was collected.`, errors);
      const headers: Record<string, string> = {
        "Content-Type": om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
        "Cache-Control": "no-store",
        Vary: "Accept, Accept-Encoding",
      };
      const gzip = compression && typeof CompressionStream === "function" && acceptsGzip(request.headers.get("accept-encoding"));
      if (gzip) headers["Content-Encoding"] = "gzip";
      // Streamed (chunked, no Content-Length): rendered slice by slice as the client reads,
      // with a turn of the event loop between slices (see renderStream).
      let body: ReadableStream | null = null;
      if (method === "GET") {
        body = renderStream(collections, om, options);
        if (gzip) body = body.pipeThrough(new CompressionStream("gzip"));
      }
      return new Response(body, { status: 200, headers });
    } catch (error) {
      diag.error("prometheusHandler: collecting metrics failed.", error);
      return plain(500, "Internal Server Error\n");
    }
  };
}
