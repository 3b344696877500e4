// Incoming baggage and tracestate are untrusted input. End to end through instrumentHandler
// with a real outgoing traced fetch to a 127.0.0.1 server: huge and hostile headers produce
// spans whose attributes contain none of it (unless a BaggageSpanProcessor allowlists a key,
// then only that key, cut to its limit), the span's tracestate and the outgoing baggage and
// tracestate headers stay within the W3C limits, and a hostile header costs linear time.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { BaggageSpanProcessor } from "../../src/trace/baggage-span-processor.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { encodeTraces } from "../../src/export/otlp/trace-encoder.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, startServer, type TestServer } from "../instrument/helpers.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const MARK = "zq"; // every hostile key/value carries it, so a leak is easy to spot

// 300 members, ~120 KiB: far past 64 members / 8192 bytes, with markup, CRLF and quotes (percent-encoded).
const HOSTILE_BAGGAGE = [
  "tenant=" + "g".repeat(5000) + MARK,
  ...Array.from({ length: 300 }, (_, i) => `${MARK}k${i}=${encodeURIComponent(`<script>alert(${i})</script>\r\nX-Injected: ${MARK}`)}${"v".repeat(400)}`),
].join(",");
// 32 valid members of 200+ characters: valid (≤ 32 members), serialized far past 512 characters.
const LONG_TRACESTATE = Array.from({ length: 32 }, (_, i) => `${MARK}${i}=${"x".repeat(200)}`).join(",");
// 40 members: invalid as a whole (W3C §3.3.1.1), must be discarded.
const TOO_MANY_TRACESTATE = Array.from({ length: 40 }, (_, i) => `${MARK}m${i}=v`).join(",");

let upstream: TestServer;
test.before(async () => {
  upstream = await startServer();
});
test.after(async () => {
  await upstream.close();
});

function setup(allow?: string[]) {
  const t = createTelemetry();
  const exporter = new InMemorySpanExporter();
  const processors = allow ? [new BaggageSpanProcessor({ allow, maxValueLength: 64 }), new SimpleSpanProcessor(exporter)] : [new SimpleSpanProcessor(exporter)];
  const tracerProvider = new BasicTracerProvider({ spanProcessors: processors });
  const opts = { tracerProvider, meterProvider: t.meterProvider };
  const f = instrumentFetch(fetch, opts);
  const handler = instrumentHandler(async (req: Request) => {
    await (await f(`${upstream.url}/down?id=${req.headers.get("x-id")}`)).text();
    return new Response("ok");
  }, opts);
  return { exporter, handler };
}

function assertNothingHostile(spans: readonly ReadableSpan[]): void {
  for (const s of spans) {
    const text = JSON.stringify([s.name, s.attributes, s.events, s.status]);
    assert.not.ok(text.includes(MARK), `hostile input recorded: ${text.slice(0, 300)}`);
  }
}

test("no processor: hostile baggage and tracestate never reach attributes; outgoing headers within W3C limits", async () => {
  const { exporter, handler } = setup();
  const started = performance.now();
  await handler(new Request("http://edge.example/in", { headers: { traceparent: TRACEPARENT, tracestate: LONG_TRACESTATE, baggage: HOSTILE_BAGGAGE, "x-id": "a" } }));
  // Generous bound: a quadratic parser would take seconds on 120 KiB; linear takes milliseconds.
  assert.ok(performance.now() - started < 2000);
  const spans = exporter.getFinishedSpans();
  assert.is(spans.length, 2);
  assertNothingHostile(spans);
  assert.not.ok(spans.some((s) => Object.keys(s.attributes).some((k) => k === "tenant" || k.startsWith(MARK))));
  for (const s of spans) {
    assert.is(s.spanContext().traceId, TRACE_ID);
    assert.ok(s.spanContext().traceState!.serialize().length <= 512);
  }
  // What the exporter sends: the tracestate field is within 512 characters too.
  const payload = JSON.parse(encodeTraces(spans)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceState?: string }> }> }> };
  for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) for (const sp of ss.spans) assert.ok((sp.traceState ?? "").length <= 512);

  const seen = upstream.seen.find((r) => r.url === "/down?id=a")!;
  const baggage = String(seen.headers.baggage ?? "");
  assert.ok(new TextEncoder().encode(baggage).byteLength <= 8192, `baggage ${baggage.length} bytes`);
  assert.ok(baggage.split(",").length <= 64);
  // W3C Baggage §3.3.1: values are baggage-octets (no CTLs, whitespace, '"', ',', ';', '\\').
  assert.not.ok(/[\x00-\x20"\\;]/.test(baggage.replace(/,/g, "")), "outgoing baggage stays percent-encoded");
  const tracestate = String(seen.headers.tracestate ?? "");
  assert.ok(tracestate.length <= 512 && tracestate.split(",").length <= 32, `tracestate ${tracestate.length}`);
});

test("a tracestate over 32 members is discarded, not forwarded", async () => {
  const { exporter, handler } = setup();
  await handler(new Request("http://edge.example/in", { headers: { traceparent: TRACEPARENT, tracestate: TOO_MANY_TRACESTATE, "x-id": "b" } }));
  const spans = exporter.getFinishedSpans();
  assertNothingHostile(spans);
  const seen = upstream.seen.find((r) => r.url === "/down?id=b")!;
  assert.not.ok(String(seen.headers.tracestate ?? "").includes(MARK));
  for (const s of spans) assert.is(s.spanContext().traceState?.serialize() ?? "", "");
});

test("BaggageSpanProcessor: only the allowlisted key is copied, cut to maxValueLength; nothing else", async () => {
  const { exporter, handler } = setup(["tenant"]);
  await handler(new Request("http://edge.example/in", { headers: { traceparent: TRACEPARENT, baggage: HOSTILE_BAGGAGE, "x-id": "c" } }));
  const spans = exporter.getFinishedSpans();
  assert.is(spans.length, 2);
  for (const s of spans) {
    assert.is(s.attributes.tenant, "g".repeat(64));
    assert.not.ok(Object.keys(s.attributes).some((k) => k.startsWith(MARK)));
  }
  assertNothingHostile(spans);
});

test("the allowlisted key cannot overwrite attributes the instrumentation set", async () => {
  const { exporter, handler } = setup(["http.request.method", "url.path"]);
  await handler(new Request("http://edge.example/in", { headers: { baggage: "http.request.method=HACKED,url.path=%2Fhacked", "x-id": "d" } }));
  const server = exporter.getFinishedSpans().find((s) => s.kind === 1)!;
  assert.is(server.attributes["http.request.method"], "GET");
  assert.is(server.attributes["url.path"], "/in");
});

test.run();
