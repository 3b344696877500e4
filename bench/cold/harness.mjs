// Cold-start harness: `node harness.mjs <bundle.mjs> <tool>`. Imports the bundled program (which
// runs its init) and, for a Worker, serves one request, as the runtime would on an isolate's
// first request; prints the in-process time of that and exits at once (the exporters' timers and
// pending exports are not part of start-up).
//
// Node lacks what a page or a Worker provides, so the least of it is stubbed here, the same for
// every contender: `location` for pages; for Workers an `env`, an execution context whose
// `waitUntil` drops its promise, and `caches` (otel-cf-workers wraps it). What a Worker or a
// page has built in but Node loads lazily on first use is loaded before the clock starts (and
// in the baseline, an empty module run with the same tool): fetch, Request and Response
// (undici, including its connection pool: a first export calls fetch), and for Workers and
// pages the Web Crypto random source and `CompressionStream` (Node loads webcrypto and zlib with
// the web streams on first use). Elsewhere (Node, and the hand-wired core program, which runs
// anywhere) those are a real start-up cost of the program, so there they stay timed.
const [bundle, tool] = process.argv.slice(2);
new Response("warm");
void [Request, Headers];
await fetch("http://127.0.0.1:9/").catch(() => {}); // nothing listens on port 9 (discard)
if (tool === "workers" || tool === "browser") {
  crypto.getRandomValues(new Uint8Array(8));
  new CompressionStream("gzip");
}
if (tool === "browser") globalThis.location = new URL("https://shop.example.com/cart");
if (tool === "workers") {
  const cache = { match: async () => undefined, put: async () => {}, delete: async () => false };
  globalThis.caches = { default: cache, open: async () => cache };
}

const started = performance.now();
const program = await import(new URL(bundle, `file://${process.cwd()}/`).href);
if (tool === "workers" && program.default) {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SERVICE_NAME: "edge-api" };
  const ctx = { waitUntil() {}, passThroughOnException() {} };
  const response = await program.default.fetch(new Request("https://edge.example.com/orders"), env, ctx);
  if (!(response instanceof Response)) throw new Error("the handler returned no Response");
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
process.exit(0);
