import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { OtlpHttpExporter, createOtlpTraceExporter, unlessEmpty } from "../../src/export/otlp-http-exporter.ts";
import { otlpOptionsFromEnv } from "../../src/export/otlp-config.ts";
import type { Transport, TransportResult } from "../../src/export/fetch-transport.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import { context } from "../../src/context/context-api.ts";
import { isTracingSuppressed } from "../../src/trace/suppress.ts";
import { diag } from "../../src/common/diag.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { encodeTraces } from "../../src/export/otlp/trace-encoder.ts";

diag.disable();

function stubTransport(results: TransportResult[] = [{ ok: true, status: 200 }]) {
  const bodies: Array<Uint8Array | string> = [];
  const suppressed: boolean[] = [];
  const transport: Transport = {
    async send(body) {
      bodies.push(body);
      suppressed.push(isTracingSuppressed(context.active()));
      return results[Math.min(bodies.length - 1, results.length - 1)]!;
    },
  };
  return { transport, bodies, suppressed };
}

test("encodes the batch and sends it; success maps to SUCCESS, with tracing suppressed", async () => {
  const { transport, bodies, suppressed } = stubTransport();
  const e = new OtlpHttpExporter<number>({ encode: (xs) => JSON.stringify({ xs }), transport });
  assert.equal(await e.export([1, 2]), { code: ExportResultCode.SUCCESS, status: 200 });
  assert.equal(bodies, ['{"xs":[1,2]}']);
  assert.equal(suppressed, [true]);
});

test("never sends an empty payload", async () => {
  const { transport, bodies } = stubTransport();
  let encoded = 0;
  const e = new OtlpHttpExporter<number>({ encode: () => (encoded++, "{}"), transport });
  assert.equal(await e.export([]), { code: ExportResultCode.SUCCESS });
  assert.is(encoded, 0);
  assert.equal(bodies, []);
});

test("maps partial success (rejected count) and failures", async () => {
  const err = new Error("OTLP export to http://x/v1/traces failed: HTTP 400");
  const { transport } = stubTransport([{ ok: true, status: 200, rejected: 4 }, { ok: false, status: 400, error: err }, { ok: false, status: 503 }]);
  const e = new OtlpHttpExporter<number>({ encode: () => "{}", transport });
  assert.equal(await e.export([1]), { code: ExportResultCode.SUCCESS, rejected: 4, status: 200 });
  assert.equal(await e.export([1]), { code: ExportResultCode.FAILED, error: err, errorType: "400", status: 400 });
  const third = await e.export([1]);
  assert.is(third.code, ExportResultCode.FAILED);
  assert.is(third.errorType, "503", "error.type falls back to the status when the transport gave none");
  assert.match(third.error!.message, /HTTP 503/);
});

test("the caller's abort signal reaches the transport; the failure carries errorType and status", async () => {
  const signals: Array<AbortSignal | undefined> = [];
  const transport: Transport = {
    async send(_body, signal) {
      signals.push(signal);
      return { ok: false, errorType: "aborted", error: new Error("aborted") };
    },
  };
  const e = new OtlpHttpExporter<number>({ encode: () => "{}", transport });
  const controller = new AbortController();
  const r = await e.export([1], { signal: controller.signal });
  assert.is(signals[0], controller.signal);
  assert.equal({ code: r.code, errorType: r.errorType }, { code: ExportResultCode.FAILED, errorType: "aborted" });
  await e.shutdown();
  const late = await e.export([1]);
  assert.equal({ code: late.code, errorType: late.errorType }, { code: ExportResultCode.FAILED, errorType: "already_shutdown" });
});

test("an encoder or transport that throws gives FAILED, never a rejection", async () => {
  const e1 = new OtlpHttpExporter<number>({
    encode: () => {
      throw new Error("bad item");
    },
    transport: stubTransport().transport,
  });
  const r1 = await e1.export([1]);
  assert.is(r1.code, ExportResultCode.FAILED);
  assert.match(r1.error!.message, /bad item/);
  const e2 = new OtlpHttpExporter<number>({ encode: () => "{}", transport: { send: () => Promise.reject(new Error("kaput")) } });
  const r2 = await e2.export([1]);
  assert.is(r2.code, ExportResultCode.FAILED);
  assert.match(r2.error!.message, /kaput/);
});

test("shutdown waits for sends in progress, then later exports fail fast without sending", async () => {
  let release!: () => void;
  let sends = 0;
  const transport: Transport = {
    send: () => {
      sends++;
      return new Promise((r) => (release = () => r({ ok: true, status: 200 })));
    },
  };
  const e = new OtlpHttpExporter<number>({ encode: () => "{}", transport });
  const inFlight = e.export([1]);
  let shutDown = false;
  const s = e.shutdown().then(() => (shutDown = true));
  await new Promise((r) => setTimeout(r, 5));
  assert.is(shutDown, false, "waits for the send in progress");
  release();
  await s;
  assert.is((await inFlight).code, ExportResultCode.SUCCESS);
  const after = await e.export([2]);
  assert.is(after.code, ExportResultCode.FAILED);
  assert.is(sends, 1);
});

test("invalid construction throws TypeError", () => {
  assert.throws(() => new OtlpHttpExporter<number>({ encode: undefined as unknown as () => string, transport: stubTransport().transport }), TypeError);
});

function fakeSpan(name: string): ReadableSpan {
  return {
    name,
    kind: 2,
    spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: 10,
    endTime: 25,
    status: { code: 0 },
    attributes: { "http.request.method": "GET" },
    links: [],
    events: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    resource: { attributes: { "service.name": "checkout" } },
    instrumentationScope: { name: "test-scope" },
    ended: true,
  };
}

test("createOtlpTraceExporter: env-configured endpoint, headers and gzip against a real server", async () => {
  const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const exporter = createOtlpTraceExporter(
      otlpOptionsFromEnv("traces", {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc123",
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "gzip",
      }),
    );
    const result = await exporter.export([fakeSpan("GET /cart")]);
    assert.equal(result, { code: ExportResultCode.SUCCESS, status: 200 });
    assert.is(received.length, 1);
    const req = received[0]!;
    assert.is(req.url, "/v1/traces");
    assert.is(req.headers["x-api-key"], "abc123");
    assert.is(req.headers["content-encoding"], "gzip");
    const json = JSON.parse(gunzipSync(req.body).toString());
    const span = json.resourceSpans[0].scopeSpans[0].spans[0];
    assert.is(span.name, "GET /cart");
    assert.is(span.traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.is(json.resourceSpans[0].scopeSpans[0].scope.name, "test-scope");
    await exporter.shutdown();
    assert.is((await exporter.export([fakeSpan("late")])).code, ExportResultCode.FAILED);
    assert.is(received.length, 1);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("createOtlpTraceExporter uses the given fetch and options.url as-is", async () => {
  const urls: string[] = [];
  const fetchStub = (async (url: string) => {
    urls.push(url);
    return new Response("", { status: 200 });
  }) as unknown as typeof fetch;
  const exporter = createOtlpTraceExporter({ url: "http://127.0.0.1:1/custom/path", fetch: fetchStub });
  assert.is((await exporter.export([fakeSpan("a")])).code, ExportResultCode.SUCCESS);
  assert.equal(urls, ["http://127.0.0.1:1/custom/path"]);
});

test("createOtlpTraceExporter sends the encoder's UTF-8 bytes as the fetch body", async () => {
  const bodies: unknown[] = [];
  const fetchStub = (async (_url: string, init: RequestInit) => {
    bodies.push(init.body);
    return new Response("", { status: 200 });
  }) as unknown as typeof fetch;
  const spans = [fakeSpan("bytes \u00e9\ud800")];
  const exporter = createOtlpTraceExporter({ url: "http://127.0.0.1:1/v1/traces", fetch: fetchStub });
  assert.is((await exporter.export(spans)).code, ExportResultCode.SUCCESS);
  assert.is(bodies.length, 1);
  assert.instance(bodies[0], Uint8Array);
  assert.equal(bodies[0], new TextEncoder().encode(encodeTraces(spans)));
  assert.is(JSON.parse(new TextDecoder().decode(bodies[0] as Uint8Array)).resourceSpans[0].scopeSpans[0].spans[0].name, "bytes \u00e9\ufffd");
});

test("createOtlpTraceExporter sends nothing when every span in the batch is unencodable", async () => {
  let calls = 0;
  const fetchStub = (async () => {
    calls++;
    return new Response("", { status: 200 });
  }) as unknown as typeof fetch;
  const exporter = createOtlpTraceExporter({ url: "http://127.0.0.1:1/v1/traces", fetch: fetchStub });
  const invalid = { ...fakeSpan("bad"), spanContext: () => ({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 1 }) };
  assert.is((await exporter.export([invalid])).code, ExportResultCode.SUCCESS);
  assert.is(calls, 0, "an empty request is never sent");
  assert.is(unlessEmpty('{"resourceSpans":[]}'), undefined);
  assert.is(unlessEmpty('{"resourceLogs":[]}'), undefined);
  assert.is(unlessEmpty('{"resourceSpans":[{}]}'), '{"resourceSpans":[{}]}');
});

test.run();
