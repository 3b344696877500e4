/**
 * Adapts a fetch-style handler to a node:http request listener. Only structural types of
 * `IncomingMessage`/`ServerResponse` are used (no `node:` import), so this file bundles for
 * every platform; it is only useful on Node (and runtimes emulating node:http).
 */
import { diag } from "../../common/diag.ts";

/** The parts of node:http `IncomingMessage` the adapter reads. */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
  /** node:http's socket; `encrypted` is true on TLS sockets. */
  readonly socket?: unknown;
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
  resume?(): unknown;
}

/** The parts of node:http `ServerResponse` the adapter writes. */
export interface NodeResponseLike {
  readonly headersSent?: boolean;
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  end(chunk?: Uint8Array | string): unknown;
  destroy?(error?: Error): unknown;
}

/** Largest request body the adapter buffers (the metrics handler needs none). */
const MAX_BODY = 1 << 20;
const encoder = /* @__PURE__ */ new TextEncoder();

function readBody(req: NodeRequestLike): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on("data", (chunk) => {
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size <= MAX_BODY) chunks.push(bytes);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return reject(new RangeError("request body too large"));
      const body = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) {
        body.set(c, offset);
        offset += c.byteLength;
      }
      resolve(body);
    });
    req.on("error", reject);
  });
}

function toRequest(req: NodeRequestLike, body: Uint8Array | undefined): Request {
  const headers = new Headers();
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined) continue;
    // HTTP/2 pseudo-headers (":path") are not valid Fetch header names.
    if (name.startsWith(":")) continue;
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    } catch {
      // A header the Fetch API rejects is skipped, not fatal.
    }
  }
  const scheme = (req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? "https" : "http";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `${scheme}://${typeof req.headers.host === "string" ? req.headers.host : "localhost"}`);
  } catch {
    url = new URL(req.url?.startsWith("/") ? req.url : "/", `${scheme}://localhost`);
  }
  const method = (req.method ?? "GET").toUpperCase();
  const init: RequestInit = { method, headers };
  if (body !== undefined && body.byteLength > 0 && method !== "GET" && method !== "HEAD") init.body = body as BodyInit;
  return new Request(url, init);
}

/**
 * Turns a fetch-style handler into a `(req, res) => void` listener for
 * `http.createServer`. Errors become a 500 (never a crash); the response body is written
 * in one piece with the handler's headers.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * createServer(toNodeListener(prometheusHandler(sdk))).listen(9464, "127.0.0.1");
 * ```
 */
export function toNodeListener(handler: (request: Request) => Promise<Response> | Response): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    void (async () => {
      try {
        const method = (req.method ?? "GET").toUpperCase();
        let body: Uint8Array | undefined;
        if (method === "GET" || method === "HEAD") req.resume?.();
        else body = await readBody(req);
        const response = await handler(toRequest(req, body));
        const headers: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        const setCookie = (response.headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.();
        if (setCookie && setCookie.length > 0) headers["set-cookie"] = setCookie;
        const bytes = method === "HEAD" || response.body === null ? undefined : new Uint8Array(await response.arrayBuffer());
        res.writeHead(response.status, headers);
        res.end(bytes);
      } catch (error) {
        const tooLarge = error instanceof RangeError;
        if (!tooLarge) diag.error("toNodeListener: the handler failed.", error);
        try {
          if (!res.headersSent) res.writeHead(tooLarge ? 413 : 500, { "content-type": "text/plain; charset=utf-8" });
          res.end(tooLarge ? "Payload Too Large\n" : "Internal Server Error\n");
        } catch {
          res.destroy?.();
        }
      }
    })();
  };
}
