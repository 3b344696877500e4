// instrumentFetch against a real HTTP server on 127.0.0.1: CLIENT span attributes, status
// rules, redaction, propagateTo/ignore, double wrapping, suppression, Request inputs, streaming
// bodies, abort signals, `this`, and the duration histogram.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { context } from "../../src/context/context-api.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";
import { SpanKind, SpanStatusCode } from "../../src/trace/types.ts";
import { instrumentFetch, installFetchInstrumentation, isInstrumentedFetch } from "../../src/instrument/fetch.ts";
import { HTTP_DURATION_BUCKETS, redactUrl, createQueryRedactor } from "../../src/instrument/http-semconv.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, finishedSpans, histogram, startServer, type TestServer } from "./helpers.ts";

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider };
const spans = (): Promise<ReadableSpan[]> => finishedSpans(t);
let server: TestServer;
let other: TestServer;

test.before(async () => {
  server = await startServer();
  other = await startServer();
});
test.after(async () => {
  await server.close();
  await other.close();
});
test.before.each(async () => {
  await t.tracerProvider.forceFlush();
  t.exporter.reset();
  server.seen.length = 0;
  other.seen.length = 0;
});

test("GET: one CLIENT span with semconv attributes; traceparent carries its ids", async () => {
  const f = instrumentFetch(fetch, opts);
  const res = await f(`${server.url}/items?x=1`);
  assert.is(await res.text(), "ok");
  const [span] = (await spans());
  assert.is((await spans()).length, 1);
  assert.is(span.name, "GET");
  assert.is(span.kind, SpanKind.CLIENT);
  const port = Number(new URL(server.url).port);
  assert.equal(span.attributes, {
    "http.request.method": "GET",
    "url.full": `${server.url}/items?x=1`,
    "server.address": "127.0.0.1",
    "server.port": port,
    "url.scheme": "http",
    "http.response.status_code": 200,
  });
  assert.is(span.status.code, SpanStatusCode.UNSET);
  const sc = span.spanContext();
  assert.match(String(server.seen[0].headers.traceparent), new RegExp(`^00-${sc.traceId}-${sc.spanId}-0[13]$`));
});

test("the span is a child of the active span; baggage and tracestate go out", async () => {
  const f = instrumentFetch(fetch, opts);
  const parent = t.tracerProvider.getTracer("test").startSpan("parent");
  let ctx = trace.setSpan(context.active(), parent);
  ctx = propagation.setBaggage(ctx, propagation.createBaggage({ "tenant.tier": { value: "gold" } }));
  await context.with(ctx, () => f(server.url));
  parent.end();
  const client = (await spans()).find((s) => s.name === "GET")!;
  assert.is(client.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.is(client.spanContext().traceId, parent.spanContext().traceId);
  assert.is(server.seen[0].headers.baggage, "tenant.tier=gold");
});

test("5xx and 4xx responses are errors on the client side, with error.type = status", async () => {
  const f = instrumentFetch(fetch, opts);
  await (await f(`${server.url}/status/503`)).text();
  await (await f(`${server.url}/status/404`)).text();
  const [s503, s404] = (await spans());
  assert.is(s503.status.code, SpanStatusCode.ERROR);
  assert.is(s503.attributes["error.type"], "503");
  assert.is(s404.status.code, SpanStatusCode.ERROR);
  assert.is(s404.attributes["error.type"], "404");
  assert.is(s404.attributes["http.response.status_code"], 404);
});

test("connection refused: the original rejection, span ERROR with error.type and the exception", async () => {
  const closed = await startServer();
  const url = closed.url;
  await closed.close();
  const f = instrumentFetch(fetch, opts);
  let caught: unknown;
  try {
    await f(`${url}/x`);
  } catch (err) {
    caught = err;
  }
  assert.instance(caught, TypeError); // what undici's fetch rejects with, unchanged
  const [span] = (await spans());
  assert.is(span.status.code, SpanStatusCode.ERROR);
  assert.is(span.attributes["error.type"], "ECONNREFUSED");
  assert.is(span.events[0]?.name, "exception");
  assert.is(span.attributes["http.response.status_code"], undefined);
});

test("url.full: credentials become REDACTED:REDACTED, sensitive query values REDACTED, fragment dropped", async () => {
  const redact = createQueryRedactor(["session"]);
  const url = new URL("https://user:pw@api.example.com:8443/p?a=1&token=abc&X-Amz-Signature=s&Sig=q&session=z&keep=token#access_token=t");
  assert.is(
    redactUrl(url, redact),
    "https://REDACTED:REDACTED@api.example.com:8443/p?a=1&token=REDACTED&X-Amz-Signature=REDACTED&Sig=REDACTED&session=REDACTED&keep=token",
  );
  // Through a real request, with an extra key from the options.
  const f = instrumentFetch(fetch, { ...opts, redactQueryKeys: ["session"] });
  await (await f(`${server.url}/q?api_key=k1&session=s1&page=2`)).text();
  const [span] = (await spans());
  assert.is(span.attributes["url.full"], `${server.url}/q?api_key=REDACTED&session=REDACTED&page=2`);
  assert.is(server.seen[0].url, "/q?api_key=k1&session=s1&page=2"); // the request itself is unchanged
});

test("propagateTo: string prefix, RegExp, function; other targets get no headers but are traced", async () => {
  const rules = [server.url, new RegExp(`^${other.url.replace(/\./g, "\\.")}/ok`), (u: URL) => u.pathname === "/fn"];
  const f = instrumentFetch(fetch, { ...opts, propagateTo: rules });
  await (await f(`${server.url}/a`)).text();
  await (await f(`${other.url}/ok`)).text();
  await (await f(`${other.url}/fn`)).text();
  await (await f(`${other.url}/third-party`)).text();
  assert.ok(server.seen[0].headers.traceparent);
  assert.ok(other.seen[0].headers.traceparent);
  assert.ok(other.seen[1].headers.traceparent);
  assert.is(other.seen[2].headers.traceparent, undefined);
  assert.is(other.seen[2].headers.baggage, undefined);
  assert.is((await spans()).length, 4);
  // A bare host string matches host:port.
  const byHost = instrumentFetch(fetch, { ...opts, propagateTo: new URL(other.url).host });
  await (await byHost(`${server.url}/b`)).text();
  await (await byHost(`${other.url}/c`)).text();
  assert.is(server.seen[1].headers.traceparent, undefined);
  assert.ok(other.seen[3].headers.traceparent);
});

test("propagateTo: an empty string or an empty list matches nothing (no target gets headers)", async () => {
  for (const propagateTo of ["", []]) {
    const f = instrumentFetch(fetch, { ...opts, propagateTo });
    const before = server.seen.length;
    await (await f(`${server.url}/none`)).text();
    assert.is(server.seen[before]!.headers.traceparent, undefined, JSON.stringify(propagateTo));
  }
});

test("propagateTo default: same-origin only when globalThis.location exists (browsers)", async () => {
  const g = globalThis as { location?: unknown };
  g.location = { origin: server.url, href: `${server.url}/page` };
  try {
    const f = instrumentFetch(fetch, opts);
    await (await f(`${server.url}/same`)).text();
    await (await f(`${other.url}/x`)).text();
    // Relative URLs (browsers resolve them against the page): recorded and matched resolved.
    const sent: Array<[unknown, RequestInit | undefined]> = [];
    const fake = ((input: unknown, init?: RequestInit) => (sent.push([input, init]), Promise.resolve(new Response("")))) as typeof fetch;
    await instrumentFetch(fake, opts)("/relative");
    assert.is(sent[0][0], "/relative"); // the input is passed on as given
    assert.ok(new Headers(sent[0][1]?.headers).get("traceparent"));
  } finally {
    delete g.location;
  }
  assert.ok(server.seen[0].headers.traceparent);
  assert.is(other.seen[0].headers.traceparent, undefined);
  assert.is((await spans())[2].attributes["url.full"], `${server.url}/relative`);
});

test("ignore: no span, no headers", async () => {
  const f = instrumentFetch(fetch, { ...opts, ignore: [/\/health$/] });
  await (await f(`${server.url}/health`)).text();
  assert.is((await spans()).length, 0);
  assert.is(server.seen[0].headers.traceparent, undefined);
});

test("suppressed tracing (the exporter's own requests): untraced, no headers", async () => {
  const f = instrumentFetch(fetch, opts);
  await context.with(suppressTracing(context.active()), async () => (await f(server.url)).text());
  assert.is((await spans()).length, 0);
  assert.is(server.seen[0].headers.traceparent, undefined);
});

test("wrapping twice, or a traced fetch reached through another wrapper, makes one span", async () => {
  const once = instrumentFetch(fetch, opts);
  const twice = instrumentFetch(once, opts);
  assert.is(twice, once);
  assert.ok(isInstrumentedFetch(once));
  await (await twice(server.url)).text();
  assert.is((await spans()).length, 1);
  // A user wrapper around a traced fetch, instrumented again: the inner one records nothing.
  const userWrapper = ((input: string, init?: RequestInit) => once(input, init)) as typeof fetch;
  const outer = instrumentFetch(userWrapper, opts);
  await (await outer(server.url)).text();
  assert.is((await spans()).length, 2);
  // One traceparent header, from the outer span.
  const outerSc = (await spans())[1].spanContext();
  assert.match(String(server.seen[1].headers.traceparent), `00-${outerSc.traceId}-${outerSc.spanId}-`);
});

test("installFetchInstrumentation patches globalThis.fetch once; uninstall restores it", async () => {
  const original = globalThis.fetch;
  const uninstall = installFetchInstrumentation(opts);
  try {
    assert.ok(isInstrumentedFetch(globalThis.fetch));
    const again = installFetchInstrumentation(opts);
    again(); // the second install is a no-op, and so is its uninstall
    assert.ok(isInstrumentedFetch(globalThis.fetch));
    await (await fetch(server.url)).text();
    assert.is((await spans()).length, 1);
  } finally {
    uninstall();
  }
  assert.is(globalThis.fetch, original);
});

test("Request inputs keep method, headers and body; our headers are merged in", async () => {
  const f = instrumentFetch(fetch, opts);
  const req = new Request(`${server.url}/post`, { method: "POST", headers: { "x-mine": "1" }, body: "payload" });
  await (await f(req)).text();
  const seen = server.seen[0];
  assert.is(seen.method, "POST");
  assert.is(seen.body, "payload");
  assert.is(seen.headers["x-mine"], "1");
  assert.ok(seen.headers.traceparent);
  assert.is((await spans())[0].name, "POST");
  // init.headers replaces the Request's headers, exactly as plain fetch does.
  const req2 = new Request(`${server.url}/put`, { method: "PUT", headers: { "x-mine": "1" }, body: "b2" });
  await (await f(req2, { headers: { "x-init": "2" } })).text();
  assert.is(server.seen[1].headers["x-mine"], undefined);
  assert.is(server.seen[1].headers["x-init"], "2");
  assert.is(server.seen[1].body, "b2");
  assert.ok(server.seen[1].headers.traceparent);
});

test("streaming request bodies (duplex: half) are sent", async () => {
  const f = instrumentFetch(fetch, opts);
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode("chunk1-"));
      controller.enqueue(enc.encode("chunk2"));
      controller.close();
    },
  });
  await (await f(`${server.url}/stream`, { method: "POST", body, duplex: "half" } as RequestInit)).text();
  assert.is(server.seen[0].body, "chunk1-chunk2");
  assert.ok(server.seen[0].headers.traceparent);
});

test("abort signals reach the request; the span records the AbortError", async () => {
  const f = instrumentFetch(fetch, opts);
  const controller = new AbortController();
  const pending = f(`${server.url}/slow`, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  let caught: unknown;
  try {
    await pending;
  } catch (err) {
    caught = err;
  }
  assert.is((caught as Error)?.name, "AbortError");
  const [span] = (await spans());
  assert.is(span.attributes["error.type"], "AbortError");
  assert.is(span.status.code, SpanStatusCode.ERROR);
});

test("`this` is passed to the wrapped fetch; synchronous throws are rethrown unchanged", async () => {
  let seenThis: unknown;
  const fake = function (this: unknown) {
    seenThis = this;
    return Promise.resolve(new Response("x", { status: 201 }));
  } as unknown as typeof fetch;
  const f = instrumentFetch(fake, opts);
  const holder = { f };
  await holder.f("http://127.0.0.1:1/x");
  assert.is(seenThis, holder);
  assert.is((await spans())[0].attributes["http.response.status_code"], 201);

  const boom = new Error("sync boom");
  const throwing = instrumentFetch((() => {
    throw boom;
  }) as unknown as typeof fetch, opts);
  assert.throws(() => throwing("http://127.0.0.1:1/y"), (e: unknown) => e === boom);
  assert.is((await spans())[1].status.code, SpanStatusCode.ERROR);
  // An unparsable URL goes to fetch untouched, which rejects it as it would without us.
  const plain = await fetch("not a url").catch((e: Error) => e.name);
  const traced = await instrumentFetch(fetch, opts)("not a url").catch((e: Error) => e.name);
  assert.is(traced, plain);
  assert.is((await spans()).length, 2);
});

test("http.client.request.duration: seconds, semconv buckets, method/status/server attributes", async () => {
  const fresh = createTelemetry();
  const f = instrumentFetch(fetch, { tracerProvider: fresh.tracerProvider, meterProvider: fresh.meterProvider });
  await (await f(`${server.url}/m`)).text();
  await (await f(`${server.url}/status/500`)).text();
  const h = await histogram(fresh.reader, "http.client.request.duration");
  assert.ok(h);
  assert.is(h!.descriptor.unit, "s");
  assert.equal(h!.dataPoints[0].value.boundaries, [...HTTP_DURATION_BUCKETS]);
  const ok = h!.dataPoints.find((p) => p.attributes["http.response.status_code"] === 200)!;
  const failed = h!.dataPoints.find((p) => p.attributes["http.response.status_code"] === 500)!;
  assert.is(ok.value.count, 1);
  assert.ok(ok.value.sum > 0);
  assert.is(ok.attributes["http.request.method"], "GET");
  assert.is(ok.attributes["server.address"], "127.0.0.1");
  assert.is(ok.attributes["url.full"], undefined); // high cardinality: not a metric attribute
  assert.is(failed.attributes["error.type"], "500");
});

test("unknown methods: span name HTTP, method _OTHER with the original kept", async () => {
  const f = instrumentFetch(((_: unknown) => Promise.resolve(new Response(""))) as unknown as typeof fetch, opts);
  await f("http://127.0.0.1:1/", { method: "PURGE" });
  const [span] = (await spans());
  assert.is(span.name, "HTTP");
  assert.is(span.attributes["http.request.method"], "_OTHER");
  assert.is(span.attributes["http.request.method_original"], "PURGE");
});

test("invalid options throw TypeError at construction", () => {
  assert.throws(() => instrumentFetch(fetch, { propagateTo: 42 as never }), /propagateTo/);
  assert.throws(() => instrumentFetch(fetch, { ignore: [null] as never }), /ignore/);
});

test("nothing to wrap: instrumentFetch and installFetchInstrumentation throw a TypeError naming globalThis.fetch", () => {
  const saved = globalThis.fetch;
  delete (globalThis as { fetch?: unknown }).fetch;
  try {
    assert.throws(() => instrumentFetch(), (e: unknown) => e instanceof TypeError && /globalThis\.fetch is missing/.test((e as Error).message));
    assert.throws(() => installFetchInstrumentation(), (e: unknown) => e instanceof TypeError && /globalThis\.fetch is missing/.test((e as Error).message));
  } finally {
    globalThis.fetch = saved;
  }
});

test.run();
