// Debian's Chromium for the suites that drive a real browser through playwright-core, and a
// recording HTTP server for the pages they load. One place for the path and the flags: a
// headless, sandbox-less browser that talks to nothing but our 127.0.0.1 servers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** Debian's `chromium` (scripts/ensure-test-tools.mjs installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, no sandbox (CI runs as root), no QUIC, no background traffic. */
export const CHROMIUM_ARGS: string[] = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A request as {@link serve} records it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, unknown>;
}

/** A server on 127.0.0.1 recording each request's method, path and headers; `handle` answers. */
export async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, path: req.url!, headers: req.headers });
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, seen, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}
