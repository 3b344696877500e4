// A local OTLP/HTTP receiver for the configuration tests: records each request's path,
// headers and (gunzipped) JSON body.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: Received[];
  /** The bodies posted to `path` (e.g. `/v1/traces`). */
  bodies(path: string): any[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      requests.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(raw.toString("utf8")) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bodies: (path) => requests.filter((r) => r.path === path).map((r) => r.body),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
