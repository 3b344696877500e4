// A downstream HTTP service on 127.0.0.1 for the runtime scenario: answers 200 and records
// the `traceparent` header of every request, so the test can check what the traced fetch sent.
import { createServer } from "node:http";

export async function startBackend() {
  const traceparents = [];
  const server = createServer((req, res) => {
    traceparents.push(req.headers.traceparent);
    res.writeHead(200, { "content-type": "text/plain", "access-control-allow-origin": "*", "access-control-allow-headers": "*" });
    res.end("ok");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/backend`,
    traceparents,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
