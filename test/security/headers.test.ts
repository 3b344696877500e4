// Opt-in header capture (semconv http.request.header.<key> / http.response.header.<key>) on the
// three HTTP instrumentations, against real node:http servers on 127.0.0.1: listed headers are
// recorded as string[] under the lowercase name; credential headers and baggage/tracestate are
// never recorded even when listed (one diag warning each); bad lists throw TypeError.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { instrumentNodeListener } from "../../src/instrument/node-listener.ts";
import { MAX_CAPTURED_HEADER_LENGTH, NEVER_CAPTURED_HEADERS } from "../../src/instrument/http-headers.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, takeSpans, startServer } from "../instrument/helpers.ts";

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider };
const SECRETS = ["Bearer tok-123456", "sid=cookie-secret", "Basic cHJveHk6cHc=", "key-abcdef", "auth-ghijkl", "ses-tok", "csrf-1", "secret.tenant=acme", "vendor=opaque"];
const HOSTILE = {
  authorization: SECRETS[0], cookie: SECRETS[1], "proxy-authorization": SECRETS[2], "x-api-key": SECRETS[3],
  "x-auth-token": SECRETS[4], "x-amz-security-token": SECRETS[5], "x-csrf-token": SECRETS[6], baggage: SECRETS[7], tracestate: SECRETS[8],
};
const ALL_LISTED = ["Authorization", "COOKIE", "Proxy-Authorization", "X-Api-Key", "x-auth-token", "x-amz-security-token", "x-csrf-token", "baggage", "tracestate", "Set-Cookie", "Content-Type", "X-Request-Id"];

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);

const spans = (): Promise<ReadableSpan[]> => takeSpans(t);

function assertNoSecrets(attributes: Record<string, unknown>): void {
  const text = JSON.stringify(attributes);
  for (const s of SECRETS) assert.not.ok(text.includes(s), `secret ${s} recorded: ${text}`);
  for (const name of NEVER_CAPTURED_HEADERS) {
    assert.is(attributes[`http.request.header.${name}`], undefined, name);
    assert.is(attributes[`http.response.header.${name}`], undefined, name);
  }
}

test("instrumentHandler: listed headers as string[] under lowercase keys; credentials never, even when listed", async () => {
  warnings.length = 0;
  const h = instrumentHandler(() => new Response("ok", { headers: { "content-type": "text/plain", "set-cookie": "sid=cookie-secret", "x-request-id": "r-2" } }), {
    ...opts,
    captureRequestHeaders: ALL_LISTED,
    captureResponseHeaders: ALL_LISTED,
  });
  await h(new Request("http://shop.example/a", { headers: { ...HOSTILE, "content-type": "application/json", "x-request-id": "r-1" } }));
  const [span] = await spans();
  assert.equal(span.attributes["http.request.header.content-type"], ["application/json"]);
  assert.equal(span.attributes["http.request.header.x-request-id"], ["r-1"]);
  assert.equal(span.attributes["http.response.header.content-type"], ["text/plain"]);
  assert.equal(span.attributes["http.response.header.x-request-id"], ["r-2"]);
  assertNoSecrets(span.attributes);
  // One warning per ignored name per process, naming the header, never its value.
  for (const name of ["authorization", "cookie", "set-cookie", "baggage"]) {
    assert.ok(warnings.some((w) => w.includes(`"${name}"`) && w.includes("never recorded")), name);
  }
  for (const w of warnings) for (const s of SECRETS) assert.not.ok(w.includes(s));
  const before = warnings.length;
  instrumentHandler(() => new Response(""), { ...opts, captureRequestHeaders: ["authorization"] });
  assert.is(warnings.length, before, "warned once only");
});

test("instrumentHandler: nothing captured by default; long values are cut", async () => {
  const h = instrumentHandler(() => new Response("ok"), { ...opts, captureRequestHeaders: ["x-long"] });
  await h(new Request("http://shop.example/a", { headers: { ...HOSTILE, "x-long": "y".repeat(10_000), "content-type": "text/plain" } }));
  const [span] = await spans();
  assert.is((span.attributes["http.request.header.x-long"] as string[])[0].length, MAX_CAPTURED_HEADER_LENGTH);
  const plain = instrumentHandler(() => new Response("ok", { headers: { "set-cookie": "sid=cookie-secret" } }), opts);
  await plain(new Request("http://shop.example/a", { headers: { ...HOSTILE, "content-type": "text/plain" } }));
  const [other] = await spans();
  assert.equal(Object.keys(other.attributes).filter((k) => k.includes(".header.")), []);
  assertNoSecrets(other.attributes);
});

test("instrumentNodeListener over real node:http: request and response headers, repeated values kept, credentials never", async () => {
  const server: Server = createServer(
    instrumentNodeListener((_req, res) => {
      res.setHeader("set-cookie", ["sid=cookie-secret", "b=2"]);
      res.setHeader("x-multi", ["a", "b"]);
      res.setHeader("content-type", "text/plain");
      res.end("ok");
    }, { ...opts, captureRequestHeaders: ALL_LISTED, captureResponseHeaders: [...ALL_LISTED, "x-multi"] }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/n", headers: { ...HOSTILE, "x-request-id": "n-1", "content-type": "text/csv" } }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
    const [span] = await spans();
    assert.equal(span.attributes["http.request.header.x-request-id"], ["n-1"]);
    assert.equal(span.attributes["http.request.header.content-type"], ["text/csv"]);
    assert.equal(span.attributes["http.response.header.x-multi"], ["a", "b"]);
    assert.equal(span.attributes["http.response.header.content-type"], ["text/plain"]);
    assertNoSecrets(span.attributes);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("instrumentFetch against a real server: sent and received headers, credentials never", async () => {
  const server = await startServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "set-cookie": "sid=cookie-secret", "x-served-by": "s1", authorization: "Bearer tok-123456" });
    res.end("ok");
  });
  try {
    const f = instrumentFetch(fetch, { ...opts, captureRequestHeaders: [...ALL_LISTED, "traceparent"], captureResponseHeaders: [...ALL_LISTED, "x-served-by"] });
    await (await f(`${server.url}/c`, { headers: { ...HOSTILE, "x-request-id": "c-1" } })).text();
    const req = new Request(`${server.url}/d`, { headers: { "x-request-id": "c-2", authorization: SECRETS[0] } });
    await (await f(req)).text();
    const [a, b] = await spans();
    assert.equal(a.attributes["http.request.header.x-request-id"], ["c-1"]);
    assert.equal(b.attributes["http.request.header.x-request-id"], ["c-2"]);
    assert.equal(a.attributes["http.response.header.x-served-by"], ["s1"]);
    assert.equal(a.attributes["http.response.header.content-type"], ["text/plain"]);
    for (const s of [a, b]) assertNoSecrets(s.attributes);
  } finally {
    await server.close();
  }
});

test("bad capture lists throw TypeError naming the option", () => {
  assert.throws(() => instrumentHandler(() => new Response(""), { captureRequestHeaders: "content-type" as never }), (e: Error) => e instanceof TypeError && e.message.includes("captureRequestHeaders"));
  assert.throws(() => instrumentFetch(fetch, { captureResponseHeaders: ["bad header"] }), (e: Error) => e instanceof TypeError && e.message.includes("captureResponseHeaders"));
  assert.throws(() => instrumentNodeListener(() => {}, { captureRequestHeaders: [42 as never] }), TypeError);
  assert.throws(() => instrumentHandler(() => new Response(""), { captureResponseHeaders: ["a\r\nb"] }), TypeError);
});

test.run();
