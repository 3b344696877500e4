import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { prometheusHandler } from "../../../src/export/prometheus/handler.ts";
import { prefersOpenMetrics, acceptsGzip, constantTimeEqual } from "../../../src/export/prometheus/negotiate.ts";
import { toNodeListener } from "../../../src/export/prometheus/node-listener.ts";
import { renderOpenMetrics, renderPrometheusText } from "../../../src/export/prometheus/text-format.ts";
import type { ResourceMetrics } from "../../../src/metrics/types.ts";
import { collection, counter, histValue, histogram, point, scope } from "./fixtures.ts";

function reader(value = 1) {
  let calls = 0;
  return {
    get calls() { return calls; },
    async collect() {
      calls++;
      return { resourceMetrics: collection([scope("s", [counter("hits", [point(value + calls, { path: "/" })], "", "Hits")])]), errors: [] };
    },
  };
}

const url = "http://localhost/metrics";

test("negotiation: Prometheus' Accept picks OpenMetrics; absent, */* and text/plain pick 0.0.4", () => {
  assert.ok(prefersOpenMetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
  assert.ok(prefersOpenMetrics("application/openmetrics-text"));
  assert.not.ok(prefersOpenMetrics(null));
  assert.not.ok(prefersOpenMetrics("*/*"));
  assert.not.ok(prefersOpenMetrics("text/plain;version=0.0.4"));
  assert.not.ok(prefersOpenMetrics("application/openmetrics-text;version=0.0.1"));
  assert.not.ok(prefersOpenMetrics("application/openmetrics-text;q=0.2, text/plain"));
  assert.not.ok(prefersOpenMetrics("application/openmetrics-text;q=0"));
  assert.ok(acceptsGzip("gzip, deflate, br"));
  assert.ok(acceptsGzip("*"));
  assert.not.ok(acceptsGzip("gzip;q=0"));
  assert.not.ok(acceptsGzip("identity"));
  assert.ok(constantTimeEqual("Bearer abc", "Bearer abc"));
  assert.not.ok(constantTimeEqual("Bearer abd", "Bearer abc"));
  assert.not.ok(constantTimeEqual("Bearer abc ", "Bearer abc"));
});

test("GET renders text 0.0.4 by default and OpenMetrics when asked; each request collects", async () => {
  const r = reader();
  const handler = prometheusHandler(r);
  const res = await handler(new Request(url));
  assert.is(res.status, 200);
  assert.is(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const body = await res.text();
  assert.ok(body.includes('hits_total{path="/",otel_scope_name="s"} 2\n'), body);
  // Streamed as rendered: no Content-Length (issue 18; it was the length of the joined text).
  assert.is(res.headers.get("content-length"), null);
  const om = await handler(new Request(url, { headers: { accept: "application/openmetrics-text; version=1.0.0" } }));
  assert.is(om.headers.get("content-type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  const omBody = await om.text();
  assert.ok(omBody.includes("# TYPE hits counter\n"));
  assert.ok(omBody.includes('hits_total{path="/",otel_scope_name="s"} 3\n'));
  assert.ok(omBody.endsWith("# EOF\n"));
  assert.is(r.calls, 2);
  const forced = await prometheusHandler(reader(), { openMetrics: "never" })(new Request(url, { headers: { accept: "application/openmetrics-text" } }));
  assert.ok((await forced.text()).includes("# TYPE hits_total counter"));
  const always = await prometheusHandler(reader(), { openMetrics: "always" })(new Request(url));
  assert.ok((await always.text()).endsWith("# EOF\n"));
});

test("405 for other methods, HEAD has headers but no body", async () => {
  const handler = prometheusHandler(reader());
  const post = await handler(new Request(url, { method: "POST", body: "<script>" }));
  assert.is(post.status, 405);
  assert.is(post.headers.get("allow"), "GET, HEAD");
  assert.not.ok((await post.text()).includes("script"));
  const head = await handler(new Request(url, { method: "HEAD" }));
  assert.is(head.status, 200);
  assert.is(head.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.is(await head.text(), "");
});

test("bearer and basic auth: 401 with WWW-Authenticate, never reflecting input; collects only when authorized", async () => {
  const r = reader();
  const handler = prometheusHandler(r, { auth: { bearerToken: "s3cret" } });
  const denied = await handler(new Request(url, { headers: { authorization: "Bearer <b>guess</b>" } }));
  assert.is(denied.status, 401);
  assert.is(denied.headers.get("www-authenticate"), 'Bearer realm="metrics"');
  assert.not.ok((await denied.text()).includes("guess"));
  assert.is((await handler(new Request(url))).status, 401);
  assert.is(r.calls, 0);
  assert.is((await handler(new Request(url, { headers: { authorization: "Bearer s3cret" } }))).status, 200);
  const basic = prometheusHandler(reader(), { auth: { basic: { username: "prom", password: "pä55" } } });
  const b401 = await basic(new Request(url, { headers: { authorization: "Basic " + btoa("prom:wrong") } }));
  assert.is(b401.status, 401);
  assert.ok(b401.headers.get("www-authenticate")!.startsWith("Basic realm="));
  const good = "Basic " + Buffer.from("prom:pä55", "utf8").toString("base64");
  assert.is((await basic(new Request(url, { headers: { authorization: good } }))).status, 200);
  assert.throws(() => prometheusHandler(reader(), { auth: { bearerToken: "" } }), TypeError);
  assert.throws(() => prometheusHandler(reader(), { auth: { basic: { username: "a:b", password: "x" } } }), TypeError);
});

test("gzip when accepted", async () => {
  const handler = prometheusHandler(reader());
  const res = await handler(new Request(url, { headers: { "accept-encoding": "gzip" } }));
  assert.is(res.headers.get("content-encoding"), "gzip");
  const raw = new Uint8Array(await res.arrayBuffer());
  assert.ok(gunzipSync(raw).toString("utf8").includes('hits_total{path="/",otel_scope_name="s"} 2\n'));
  const off = await prometheusHandler(reader(), { compression: false })(new Request(url, { headers: { "accept-encoding": "gzip" } }));
  assert.is(off.headers.get("content-encoding"), null);
});

test("a failing collect answers 500 without details; bad configuration throws at construction", async () => {
  const handler = prometheusHandler({ collect: async () => { throw new Error("secret internals"); } });
  const res = await handler(new Request(url));
  assert.is(res.status, 500);
  assert.not.ok((await res.text()).includes("secret"));
  assert.throws(() => prometheusHandler({} as never), TypeError);
  assert.throws(() => prometheusHandler(reader(), { openMetrics: "sometimes" as never }), TypeError);
});

function get(port: number, path: string, method = "GET", headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (data += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("toNodeListener serves the handler over real node:http", async () => {
  const server = createServer(toNodeListener(prometheusHandler(reader())));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    const res = await get(port, "/metrics", "GET", { accept: "application/openmetrics-text" });
    assert.is(res.status, 200);
    assert.is(res.headers["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert.ok(res.body.endsWith("# EOF\n"));
    const head = await get(port, "/metrics", "HEAD");
    assert.is(head.status, 200);
    assert.is(head.body, "");
    const post = await get(port, "/metrics", "POST", { "content-type": "text/plain" }, "x".repeat(1000));
    assert.is(post.status, 405);
    // Echo handler: request line, headers and body arrive intact.
    const echo = createServer(toNodeListener(async (req) => new Response(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search} ${req.headers.get("x-a")} ${await req.text()}`, { headers: { "x-b": "1" } })));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const e = await get((echo.address() as AddressInfo).port, "/p?q=1", "PUT", { "x-a": "hdr" }, "payload");
    assert.is(e.body, "PUT /p?q=1 hdr payload");
    assert.is(e.headers["x-b"], "1");
    const failing = createServer(toNodeListener(() => { throw new Error("boom"); }));
    await new Promise<void>((r) => failing.listen(0, "127.0.0.1", r));
    const f = await get((failing.address() as AddressInfo).port, "/");
    assert.is(f.status, 500);
    assert.not.ok(f.body.includes("boom"));
    echo.close();
    failing.close();
  } finally {
    server.close();
  }
});

// A scrape of many bytes in few series: fewer than 2,000 series, so main's renderer (which
// yielded once per 2,000 series, then joined and encoded the whole text) never yielded.
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
function large(): ResourceMetrics {
  const filler = "x".repeat(2000);
  return collection([scope("big", [
    counter("big.counter", Array.from({ length: 1500 }, (_, i) => point(i, { shard: String(i), note: filler + ' "q" \\ \n' }, [{ value: 1, time: 0, traceId: TRACE, spanId: "00f067aa0ba902b7", filteredAttributes: {} }]))),
    histogram("big.histogram", Array.from({ length: 300 }, (_, i) => point(histValue([i, i * 10, 0.5]), { shard: String(i), note: filler }, [{ value: i, time: 0, traceId: TRACE, spanId: "00f067aa0ba902b7", filteredAttributes: {} }])), "ms"),
  ])]);
}
const source = (rm: ResourceMetrics) => ({ collect: async () => ({ resourceMetrics: rm, errors: [] }) });

test("a large scrape streams: the body comes in slices, byte-identical to the one-string rendering, in both formats and gzipped", async () => {
  const rm = large();
  const text = renderPrometheusText([rm]);
  const om = renderOpenMetrics([rm]);
  assert.ok(text.length > 3_000_000, String(text.length));
  const handler = prometheusHandler(source(rm));
  const res = await handler(new Request(url));
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  assert.ok(Math.max(...chunks.map((c) => c.byteLength)) < 100_000, "no slice much larger than 64 K characters");
  assert.is(Buffer.concat(chunks).toString("utf8"), text);
  const omRes = await handler(new Request(url, { headers: { accept: "application/openmetrics-text; version=1.0.0" } }));
  assert.is(await omRes.text(), om);
  const gz = await handler(new Request(url, { headers: { "accept-encoding": "gzip" } }));
  assert.is(gunzipSync(new Uint8Array(await gz.arrayBuffer())).toString("utf8"), text);
});

test("the event loop gets a turn during a large scrape: a timer scheduled before it fires before its body completes", async () => {
  const handler = prometheusHandler(source(large()));
  let fired = false;
  const timer = setTimeout(() => (fired = true), 0);
  const res = await handler(new Request(url));
  const reader = res.body!.getReader();
  let firedBeforeEnd = false;
  for (let r = await reader.read(); !r.done; r = await reader.read()) firedBeforeEnd = fired;
  clearTimeout(timer);
  assert.ok(firedBeforeEnd, "the timer only ran after the whole body was rendered");
});

test("toNodeListener streams a large body over node:http, byte-identical, and stops rendering when the client goes away", async () => {
  const rm = large();
  let rendered = 0;
  // Count the points the renderer reaches (it reads each point's attributes once).
  const counted: ResourceMetrics = { ...rm, scopeMetrics: rm.scopeMetrics.map((sm) => ({ ...sm, metrics: sm.metrics.map((m) => ({ ...m, dataPoints: m.dataPoints.map((p) => ({ ...p, get attributes() { rendered++; return p.attributes; } })) })) })) } as ResourceMetrics;
  const server = createServer(toNodeListener(prometheusHandler(source(counted))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    const res = await get(port, "/metrics");
    assert.is(res.status, 200);
    assert.is(res.headers["transfer-encoding"], "chunked");
    assert.is(res.body, renderPrometheusText([rm]));
    const total = rendered;
    assert.is(total, 1800);
    // A client that reads the first bytes and hangs up.
    rendered = 0;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/metrics" }, (r) => r.once("data", () => { req.destroy(); resolve(); }));
      req.on("error", (e) => (req.destroyed ? undefined : reject(e)));
      req.end();
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(rendered < total, `rendered ${rendered} of ${total} points after the client left`);
  } finally {
    server.close();
  }
});

test.run();
