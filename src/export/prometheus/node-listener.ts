/**
 * Adapts a fetch-style handler to a node:http request listener. Only structural types of
 * `IncomingMessage`/`ServerResponse` are used (no `node:` import), so this file bundles for
 * every platform; it is only useful on Node (and runtimes emulating node:http).
 */
import { diag } from "../../common/diag.ts";
import { utf8 } from "./utf8.ts";

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
  /** Writes a piece of the body; false when the socket's buffer is full (wait for `drain`). */
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array | string): unknown;
  /** `drain`: the buffer emptied; `close`: the response finished or the client went away. */
  on(event: "drain" | "close", listener: () => void): unknown;
  destroy?(error?: Error): unknown;
}

/** Largest request body the adapter buffers (the metrics handler needs none). */
const MAX_BODY = 1 << 20;

function readBody(req: NodeRequestLike): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on("data", (chunk) => {
      const bytes = typeof chunk === "string" ? utf8.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size <= MAX_BODY) chunks.push(bytes);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return reject(new RangeError("request body too large"));
      resolve(new Blob(chunks as BlobPart[]));
    });
    req.on("error", reject);
  });
}

function toRequest(req: NodeRequestLike, body: Blob | undefined): Request {
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
  if (body?.size) init.body = body; // only read for methods other than GET and HEAD
  return new Request(url, init);
}

/**
 * Turns a fetch-style handler into a `(req, res) => void` listener for
 * `http.createServer`. Errors become a 500 (never a crash). The response body is streamed
 * as the handler produces it, waiting for `drain` when the client reads slowly and stopping
 * (cancelling the body) when it goes away; an error mid-body destroys the connection, so the
 * client sees a cut response, not a short one that looks complete.
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
        let body: Blob | undefined;
        if (method === "GET" || method === "HEAD") req.resume?.();
        else body = await readBody(req);
        const response = await handler(toRequest(req, body));
        const headers: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        const setCookie = (response.headers as Headers & { getSetCookie?: () => string[] }).getSetCookie?.();
        if (setCookie && setCookie.length > 0) headers["set-cookie"] = setCookie;
        res.writeHead(response.status, headers);
        const stream = method === "HEAD" ? null : response.body;
        if (stream === null) return void res.end();
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
        const tooLarge = error instanceof RangeError;
        if (!tooLarge) diag.error("toNodeListener: the handler failed.", error);
        try {
          if (res.headersSent) throw error; // mid-body: cut the connection
          res.writeHead(tooLarge ? 413 : 500, { "content-type": "text/plain; charset=utf-8" });
          res.end(tooLarge ? "Payload Too Large\n" : "Internal Server Error\n");
        } catch {
          res.destroy?.();
        }
      }
    })();
  };
}
