// Does the floor program do its job? `node bench/floor/check.mjs`: a receiver on 127.0.0.1 gets
// its OTLP body, the outgoing request carries the trace context and baggage.
import { createServer } from "node:http";
import { instrument } from "./workers-floor.mjs";
const bodies = [];
const server = createServer((req, res) => { let b = ""; req.on("data", (c) => (b += c)); req.on("end", () => { bodies.push({ url: req.url, headers: req.headers, body: b }); res.end("{}"); }); });
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
const pending = [];
const worker = instrument({ async fetch(req) { const r = await fetch(base + "/backend"); return new Response("ok " + r.status); } }, (env) => ({ serviceName: "edge-api" }));
const res = await worker.fetch(new Request("https://edge.example.com/orders?x=1", { headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", baggage: "user=alice" } }), { OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_HEADERS: "api-key=k" }, { waitUntil: (p) => pending.push(p) });
console.log(await res.text());
await Promise.all(pending);
const backend = bodies.find((b) => b.url === "/backend");
console.log("backend traceparent", backend.headers.traceparent, "baggage", backend.headers.baggage);
const otlp = JSON.parse(bodies.find((b) => b.url === "/v1/traces").body);
for (const s of otlp.resourceSpans[0].scopeSpans[0].spans) console.log(s.name, s.kind, s.traceId, s.spanId, s.parentSpanId, JSON.stringify(s.attributes).slice(0, 120));
console.log(bodies.find((b) => b.url === "/v1/traces").headers["api-key"]);
server.close();
