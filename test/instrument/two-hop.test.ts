// End to end on 127.0.0.1: a traced client fetch → a Node server (instrumentNodeListener)
// that calls a downstream with a traced fetch → a second Node server running a fetch-style
// handler (instrumentHandler through toNodeListener). One trace, correct parent links,
// nested times. Plus the Node adapter's own behaviour: aborted requests, traceresponse,
// client.address, and thrown listener errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { SpanKind, SpanStatusCode } from "../../src/trace/types.ts";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { instrumentNodeListener } from "../../src/instrument/node-listener.ts";
import { toNodeListener } from "../../src/export/prometheus/node-listener.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, finishedSpans, histogramCount, startServer } from "./helpers.ts";

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider };
const spans = (): Promise<ReadableSpan[]> => finishedSpans(t);
test.before.each(async () => {
  await t.tracerProvider.forceFlush();
  t.exporter.reset();
});

test("client → Node server → client → fetch-style server: one trace id, parent links, nested durations", async () => {
  const tracedFetch = instrumentFetch(fetch, opts);
  const downstream = await startServer(
    toNodeListener(instrumentHandler(async (req: Request) => new Response(`downstream saw ${req.headers.get("traceparent") ? "a" : "no"} traceparent`), { ...opts, route: "/inventory" })),
  );
  const upstream = await startServer(
    instrumentNodeListener(async (_req: IncomingMessage, res: ServerResponse) => {
      const r = await tracedFetch(`${downstream.url}/inventory`);
      const text = await r.text();
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(text);
    }, { ...opts, route: "/checkout" }),
  );
  try {
    const res = await tracedFetch(`${upstream.url}/checkout?cart=1`);
    assert.is(await res.text(), "downstream saw a traceparent");
    // The upstream span ends on 'finish', which may come just after the client saw the response.
    for (let i = 0; i < 50 && (await spans()).length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await upstream.close();
    await downstream.close();
  }
  const all = await spans();
  assert.is(all.length, 4);
  const client1 = all.find((s) => s.kind === SpanKind.CLIENT && String(s.attributes["url.full"]).startsWith(upstream.url))!;
  const serverA = all.find((s) => s.name === "GET /checkout")!;
  const client2 = all.find((s) => s.kind === SpanKind.CLIENT && String(s.attributes["url.full"]).startsWith(downstream.url))!;
  const serverB = all.find((s) => s.name === "GET /inventory")!;
  assert.ok(client1 && serverA && client2 && serverB);
  const traceId = client1.spanContext().traceId;
  for (const s of all) assert.is(s.spanContext().traceId, traceId);
  assert.is(client1.parentSpanContext, undefined);
  assert.is(serverA.parentSpanContext?.spanId, client1.spanContext().spanId);
  assert.is(client2.parentSpanContext?.spanId, serverA.spanContext().spanId);
  assert.is(serverB.parentSpanContext?.spanId, client2.spanContext().spanId);
  assert.is(serverA.kind, SpanKind.SERVER);
  assert.is(serverB.kind, SpanKind.SERVER);
  assert.is(serverA.attributes["url.query"], "cart=1");
  assert.is(serverA.attributes["http.response.status_code"], 200);
  assert.is(serverB.attributes["http.response.status_code"], 200);
  for (const s of all) assert.ok(s.endTime > s.startTime, `${s.name} has a positive duration`);
  // Nesting that does not depend on event ordering between processes' sockets.
  assert.ok(serverA.startTime >= client1.startTime);
  assert.ok(client2.startTime >= serverA.startTime && client2.endTime <= serverA.endTime);
  assert.ok(serverB.startTime >= client2.startTime);
  assert.is(await histogramCount(t.reader, "http.server.request.duration"), 2);
  assert.is(await histogramCount(t.reader, "http.client.request.duration"), 2);
});

test("Node listener: traceresponse header, client.address from the socket, 5xx is ERROR", async () => {
  const server = await startServer(
    instrumentNodeListener((_req: IncomingMessage, res: ServerResponse) => {
      res.statusCode = 503;
      res.end("down");
    }, { ...opts, traceResponse: true }),
  );
  let res: Response;
  try {
    res = await fetch(`${server.url}/x`, { headers: { "user-agent": "probe/1" } });
    await res.text();
    for (let i = 0; i < 50 && (await spans()).length < 1; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await server.close();
  }
  const [span] = await spans();
  assert.match(res.headers.get("traceresponse") ?? "", new RegExp(`^00-${span.spanContext().traceId}-${span.spanContext().spanId}-0[13]$`));
  assert.is(span.attributes["client.address"], "127.0.0.1");
  assert.is(span.attributes["user_agent.original"], "probe/1");
  assert.is(span.attributes["url.path"], "/x");
  assert.is(span.attributes["http.response.status_code"], 503);
  assert.is(span.attributes["error.type"], "503");
  assert.is(span.status.code, SpanStatusCode.ERROR);
});

test("Node listener: a request aborted by the client ends the span with error.type aborted", async () => {
  let arrived!: () => void;
  const arrival = new Promise<void>((r) => (arrived = r));
  const server = await startServer(
    instrumentNodeListener((_req: IncomingMessage, _res: ServerResponse) => {
      arrived(); // never answers
    }, opts),
  );
  try {
    const req = httpRequest(`${server.url}/hang`);
    req.on("error", () => {});
    req.end();
    await arrival;
    req.destroy();
    for (let i = 0; i < 100 && (await spans()).length < 1; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await server.close();
  }
  const [span] = await spans();
  assert.ok(span, "the span ended on close");
  assert.is(span.attributes["error.type"], "aborted");
  assert.is(span.status.code, SpanStatusCode.ERROR);
});

test("Node listener: a synchronous throw is recorded and rethrown; context is active in the listener", async () => {
  const boom = new Error("listener failed");
  const listener = instrumentNodeListener((_req: IncomingMessage, _res: ServerResponse) => {
    throw boom;
  }, opts);
  const fakeReq = { method: "GET", url: "/t", headers: { host: "h:81" } } as unknown as IncomingMessage;
  const fakeRes = { statusCode: 200, once() {}, setHeader() {} } as unknown as ServerResponse;
  assert.throws(() => listener(fakeReq, fakeRes), (e: unknown) => e === boom);
  const [span] = await spans();
  assert.is(span.status.code, SpanStatusCode.ERROR);
  assert.is(span.attributes["server.address"], "h");
  assert.is(span.attributes["server.port"], 81);
});

test.run();
