// Cold-start harness: `node harness.mjs <bundle.mjs> <tool>`. Imports the bundled program (which
// runs its init) and, for a Worker, serves one request, as the runtime would on an isolate's
// first request; prints the in-process time of that and exits at once (the exporters' timers and
// pending exports are not part of start-up). Node lacks what a page or a Worker provides, so
// the least of it is stubbed here, the same for every contender: `location` for pages; for
// Workers an `env`, an execution context whose `waitUntil` drops its promise, and `caches`
// (otel-cf-workers wraps it). Node loads fetch, Request and Response lazily (undici, ~10× a
// small SDK's start-up); a Worker or a page has them built in, so they are loaded before the
// clock starts, in the baseline too.
void [fetch, Request, Response, Headers];
new Response("warm");
const [bundle, tool] = process.argv.slice(2);
if (tool === "browser") globalThis.location = new URL("https://shop.example.com/cart");
if (tool === "workers") {
  const cache = { match: async () => undefined, put: async () => {}, delete: async () => false };
  globalThis.caches = { default: cache, open: async () => cache };
}
const started = performance.now();
const program = await import(new URL(bundle, `file://${process.cwd()}/`).href);
if (tool === "workers") {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SERVICE_NAME: "edge-api" };
  const ctx = { waitUntil() {}, passThroughOnException() {} };
  const response = await program.default.fetch(new Request("https://edge.example.com/orders"), env, ctx);
  if (!(response instanceof Response)) throw new Error("the handler returned no Response");
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
process.exit(0);
