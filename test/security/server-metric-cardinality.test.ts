// Metric cardinality poisoning through the request line (issue 18): the attributes of
// `http.server.request.duration` take values only from what the server knows — the socket's
// scheme, a known method or `_OTHER`, the route template, the status code — so a client that
// varies the request line cannot fill the stream's cardinality limit and push legitimate series
// into the overflow series. Against a real node:http server on 127.0.0.1, driven with a raw
// socket (node:http accepts an absolute-form target such as `GET qwerty://h/ HTTP/1.1`, and
// methods such as PROPFIND or PURGE that are not in semconv's list).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { instrumentNodeListener } from "../../src/instrument/node-listener.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { HistogramMetricData } from "../../src/metrics/types.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";

// Semconv http.request.method: RFC 9110's methods, PATCH (RFC 5789) and QUERY.
const KNOWN = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY", "_OTHER"]);
// Methods node:http's parser accepts that semconv does not list.
const ODD_METHODS = ["PROPFIND", "PURGE", "MKCOL", "SEARCH", "M-SEARCH", "LINK", "UNLINK", "NOTIFY", "REPORT", "LOCK", "UNLOCK", "COPY", "MOVE"];
const LIMIT = 10;

function telemetry() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new ManualMetricReader();
  // A small limit: a client able to vary one attribute would overflow it within a dozen requests.
  const meterProvider = new MeterProvider({ readers: [reader], cardinalityLimit: LIMIT });
  return { exporter, tracerProvider, meterProvider, reader };
}

async function durationPoints(reader: ManualMetricReader) {
  const { resourceMetrics } = await reader.collect();
  const m = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === "http.server.request.duration") as HistogramMetricData | undefined;
  assert.ok(m, "http.server.request.duration recorded");
  return m!.dataPoints;
}

/** Sends `raw` on a fresh connection and resolves with the response text once the server closes. */
function rawRequest(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(raw));
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

function assertOnlyServerKnownValues(points: Awaited<ReturnType<typeof durationPoints>>): void {
  for (const p of points) {
    assert.is(p.attributes["otel.metric.overflow"], undefined, "no overflow series");
    assert.ok(KNOWN.has(String(p.attributes["http.request.method"])), `method ${String(p.attributes["http.request.method"])}`);
    assert.ok(p.attributes["url.scheme"] === undefined || p.attributes["url.scheme"] === "http" || p.attributes["url.scheme"] === "https", `scheme ${String(p.attributes["url.scheme"])}`);
    for (const key of Object.keys(p.attributes)) {
      assert.ok(["http.request.method", "url.scheme", "http.route", "http.response.status_code", "error.type"].includes(key), `unexpected metric attribute ${key}`);
    }
  }
}

test("instrumentNodeListener: absolute-form targets and odd methods from a raw socket stay inside a few series", async () => {
  const t = telemetry();
  const listener = instrumentNodeListener(
    (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader("connection", "close");
      res.end("ok");
    },
    { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, route: "/r" },
  );
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const sent: string[] = [];
    // 40 schemes and 13 methods a client chose: before the fix each scheme was its own series.
    // (llhttp takes letters only in a scheme: qwertyaa, qwertyba, ...)
    const letters = (i: number) => String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26));
    for (let i = 0; i < 40; i++) sent.push(`GET qwerty${letters(i)}://h${i}/p?x=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    for (const method of ODD_METHODS) sent.push(`${method} /p HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    sent.push(`GET /p HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    for (const raw of sent) assert.match(await rawRequest(port, raw), /^HTTP\/1\.1 200 /);

    const points = await durationPoints(t.reader);
    assertOnlyServerKnownValues(points);
    const series = points.map((p) => `${String(p.attributes["http.request.method"])} ${String(p.attributes["url.scheme"])}`).sort();
    assert.equal(series, ["GET http", "_OTHER http"], "two series: GET and _OTHER, on the socket's scheme");
    assert.is(points.reduce((n, p) => n + p.value.count, 0), sent.length, "every request counted");

    // Spans keep what semconv asks of them: the socket's scheme, the original method aside.
    const spans = t.exporter.getFinishedSpans();
    assert.is(spans.length, sent.length);
    for (const s of spans) assert.is(s.attributes["url.scheme"], "http");
    const odd = spans.find((s) => s.attributes["http.request.method_original"] === "PROPFIND");
    assert.ok(odd, "PROPFIND kept as http.request.method_original on the span");
    assert.is(odd!.attributes["http.request.method"], "_OTHER");
    assert.is(odd!.name, "HTTP /r");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("instrumentHandler: a request URL with a client-chosen scheme and custom methods add no series", async () => {
  const t = telemetry();
  const h = instrumentHandler(() => new Response("ok"), { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  for (let i = 0; i < 30; i++) await h(new Request(`qwerty${i}://h/p`));
  for (let i = 0; i < 30; i++) await h(new Request("https://h/p", { method: `X-CUSTOM-${i}` }));
  await h(new Request("https://h/p"));
  const points = await durationPoints(t.reader);
  assertOnlyServerKnownValues(points);
  const series = points.map((p) => `${String(p.attributes["http.request.method"])} ${String(p.attributes["url.scheme"])}`).sort();
  assert.equal(series, ["GET https", "GET undefined", "_OTHER https"]);
  const spans = t.exporter.getFinishedSpans();
  assert.is(spans[0].attributes["url.scheme"], undefined, "an unknown scheme is not recorded on the span either");
  assert.is(spans[0].attributes["url.path"], "/p");
});

test.run();
