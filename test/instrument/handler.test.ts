// instrumentHandler: SERVER span from the incoming traceparent, attributes, route naming,
// active context, thrown errors and 5xx, traceresponse (also on immutable headers), `this`,
// synchronous handlers, and http.server.request.duration.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trace } from "../../src/trace/trace-api.ts";
import { SpanKind, SpanStatusCode } from "../../src/trace/types.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { HTTP_DURATION_BUCKETS } from "../../src/instrument/http-semconv.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, finishedSpans, histogram } from "./helpers.ts";

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider };
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

const spans = (): Promise<ReadableSpan[]> => finishedSpans(t);
test.before.each(async () => {
  await t.tracerProvider.forceFlush();
  t.exporter.reset();
});

test("continues the incoming trace; semconv attributes; span active in the handler", async () => {
  let activeId: string | undefined;
  const h = instrumentHandler(async (req: Request, env: { n: number }) => {
    await new Promise((r) => setTimeout(r, 1));
    activeId = trace.getActiveSpan()?.spanContext().spanId;
    return new Response(`n=${env.n}`, { status: 201 });
  }, { ...opts, route: "/users/:id", clientAddress: (_req, env) => (env.n === 7 ? "10.0.0.7" : undefined) });
  const res = await h(
    new Request("https://shop.example.com:8443/users/42?q=1&token=secret", {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT}-01`, "user-agent": "curl/8", authorization: "Bearer x", cookie: "a=b" },
    }),
    { n: 7 },
  );
  assert.is(await res.text(), "n=7");
  const [span] = await spans();
  assert.is(span.name, "GET /users/:id");
  assert.is(span.kind, SpanKind.SERVER);
  assert.is(span.spanContext().traceId, TRACE_ID);
  assert.is(span.parentSpanContext?.spanId, PARENT);
  assert.is(activeId, span.spanContext().spanId);
  assert.equal(span.attributes, {
    "http.request.method": "GET",
    "url.path": "/users/42",
    "url.query": "q=1&token=REDACTED",
    "url.scheme": "https",
    "server.address": "shop.example.com",
    "server.port": 8443,
    "http.route": "/users/:id",
    "user_agent.original": "curl/8",
    "client.address": "10.0.0.7",
    "http.response.status_code": 201,
  });
  // No header values beyond the user agent are recorded (Authorization, Cookie never).
  assert.not.ok(JSON.stringify(span.attributes).includes("Bearer"));
  assert.is(span.status.code, SpanStatusCode.UNSET);
});

test("without a route the span is named after the method; route functions are called per request", async () => {
  const h = instrumentHandler(() => new Response("x"), { ...opts, route: (req) => (new URL(req.url).pathname === "/a" ? "/a" : undefined) });
  h(new Request("http://x/a", { method: "POST" }));
  h(new Request("http://x/b", { method: "DELETE" }));
  const [a, b] = await spans();
  assert.is(a.name, "POST /a");
  assert.is(b.name, "DELETE");
  assert.is(b.attributes["http.route"], undefined);
});

test("synchronous handlers stay synchronous; `this` is preserved", async () => {
  const app = {
    greeting: "hi",
    fetch(this: { greeting: string }, _req: Request): Response {
      return new Response(this.greeting);
    },
  };
  app.fetch = instrumentHandler(app.fetch, opts);
  const res = app.fetch(new Request("http://x/"));
  assert.instance(res, Response);
  assert.is(await res.text(), "hi");
});

test("5xx: ERROR with error.type; 4xx: not an error on the server side", async () => {
  const h = instrumentHandler((req: Request) => new Response("", { status: Number(new URL(req.url).pathname.slice(1)) }), opts);
  await h(new Request("http://x/502"));
  await h(new Request("http://x/404"));
  const [s502, s404] = await spans();
  assert.is(s502.status.code, SpanStatusCode.ERROR);
  assert.is(s502.attributes["error.type"], "502");
  assert.is(s404.status.code, SpanStatusCode.UNSET);
  assert.is(s404.attributes["error.type"], undefined);
});

test("thrown errors (sync and async): recorded, ERROR, rethrown unchanged", async () => {
  class PaymentError extends Error {
    override name = "PaymentError";
  }
  const boom = new PaymentError("card declined");
  const asyncH = instrumentHandler(async (_req: Request): Promise<Response> => {
    throw boom;
  }, opts);
  let caught: unknown;
  await asyncH(new Request("http://x/")).catch((e) => (caught = e));
  assert.is(caught, boom);
  const syncH = instrumentHandler((_req: Request): Response => {
    throw boom;
  }, opts);
  assert.throws(() => syncH(new Request("http://x/")), (e: unknown) => e === boom);
  const [a, s] = await spans();
  for (const span of [a, s]) {
    assert.is(span.status.code, SpanStatusCode.ERROR);
    assert.is(span.status.message, "PaymentError: card declined");
    assert.is(span.attributes["error.type"], "PaymentError");
    assert.is(span.events[0].name, "exception");
    assert.is(span.events[0].attributes["exception.message"], "card declined");
  }
});

test("traceresponse header (W3C Trace Context Level 2), also on a response with immutable headers", async () => {
  const h = instrumentHandler(() => new Response("x"), { ...opts, traceResponse: true });
  const res = await h(new Request("http://x/", { headers: { traceparent: `00-${TRACE_ID}-${PARENT}-01` } }));
  const [span] = await spans();
  assert.is(res.headers.get("traceresponse"), `00-${TRACE_ID}-${span.spanContext().spanId}-01`);
  // Response.redirect has immutable headers: the handler answers with a copy carrying the header.
  const r = instrumentHandler(() => Response.redirect("http://x/elsewhere", 302), { ...opts, traceResponse: true });
  const redirected = await r(new Request("http://x/"));
  assert.is(redirected.status, 302);
  assert.is(redirected.headers.get("location"), "http://x/elsewhere");
  assert.match(redirected.headers.get("traceresponse") ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/);
  // Off by default.
  const plain = await instrumentHandler(() => new Response("x"), opts)(new Request("http://x/"));
  assert.is(plain.headers.get("traceresponse"), null);
});

test("streaming response bodies pass through untouched", async () => {
  const enc = new TextEncoder();
  const h = instrumentHandler(() => new Response(new ReadableStream({
    start(c) {
      c.enqueue(enc.encode("a"));
      c.enqueue(enc.encode("b"));
      c.close();
    },
  })), { ...opts, traceResponse: true });
  const res = await h(new Request("http://x/"));
  assert.is(await res.text(), "ab");
});

test("http.server.request.duration: seconds, semconv buckets, route/status/scheme/error.type attributes", async () => {
  const fresh = createTelemetry();
  const h = instrumentHandler((req: Request) => (new URL(req.url).pathname === "/fail" ? new Response("", { status: 500 }) : new Response("ok")), {
    tracerProvider: fresh.tracerProvider, meterProvider: fresh.meterProvider, route: "/r",
  });
  await h(new Request("https://x/ok?id=1"));
  await h(new Request("https://x/fail"));
  const m = await histogram(fresh.reader, "http.server.request.duration");
  assert.ok(m);
  assert.is(m!.descriptor.unit, "s");
  assert.equal(m!.dataPoints[0].value.boundaries, [...HTTP_DURATION_BUCKETS]);
  const ok = m!.dataPoints.find((p) => p.attributes["http.response.status_code"] === 200)!;
  assert.equal(ok.attributes, { "http.request.method": "GET", "url.scheme": "https", "http.route": "/r", "http.response.status_code": 200 });
  const failed = m!.dataPoints.find((p) => p.attributes["http.response.status_code"] === 500)!;
  assert.is(failed.attributes["error.type"], "500");
  assert.is(ok.value.count, 1);
});

test("a throwing route callback is ignored, the request still handled", async () => {
  const h = instrumentHandler(() => new Response("fine"), { ...opts, route: () => { throw new Error("bad router"); } });
  assert.is(await (await h(new Request("http://x/"))).text(), "fine");
  assert.is((await spans())[0].name, "GET");
});

test("invalid options throw TypeError", () => {
  assert.throws(() => instrumentHandler(42 as never), TypeError);
  assert.throws(() => instrumentHandler(() => new Response(""), { route: 5 as never }), /route/);
});

test.run();
