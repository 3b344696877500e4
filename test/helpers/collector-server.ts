// A fake OTLP collector for the export suites: a real node:http server on 127.0.0.1 whose
// request i is answered by handlers[i] (the last one repeats), plus the pieces the hostile
// cases build on: a canned answer, a streamed body of any size, and a `fetch` that counts
// the body bytes its caller actually pulls.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the server received it, body included. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The server; `url` is its `/v1/traces`, `maxOpen()` the most requests it had open at once. */
export async function serveCollector(...handlers: Handler[]): Promise<{
  origin: string;
  url: string;
  port: number;
  received: Received[];
  maxOpen(): number;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = http.createServer((req, res) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on("close", () => open--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      handlers[Math.min(received.length - 1, handlers.length - 1)]!(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/v1/traces`,
    port,
    received,
    maxOpen: () => maxOpen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A handler answering `code` with a JSON content type, `body` and `headers`. */
export const status =
  (code: number, body = "", headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(code, { "content-type": "application/json", ...headers });
    res.end(body);
  };

/**
 * Writes `total` bytes of `chunk`s to `res` as fast as the client drains them (backpressure),
 * stopping when the client goes; `onWrite` sees each chunk's size.
 */
export function streamBody(res: http.ServerResponse, chunk: Buffer, total: number, onWrite?: (bytes: number) => void): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      onWrite?.(chunk.length);
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on("close", () => (sent = total));
  pump();
}

/** A `fetch` over `base` that counts the (decoded) body bytes its caller pulls out of each response. */
export function countingFetch(base: typeof fetch = fetch): { fetch: typeof fetch; counter: { bytes: number } } {
  const counter = { bytes: 0 };
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await base(input, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    const counted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          counter.bytes += value.byteLength;
          controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
  return { fetch: f, counter };
}
