// The lean "Workers init + traces + metrics" program (bench/lean/program-metrics.ts) inside workerd
// (miniflare), flushed in `ctx.waitUntil` per invocation with no timer: with delta temporality
// (the Workers default) every invocation's measurements must arrive exactly once — the counter's
// points sum to the number of invocations, the histogram's counts too — with every span, over
// concurrent invocations whose exports outlast them (workerd cancels the I/O of an invocation
// whose waitUntil promises settled).
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const entry = fileURLToPath(new URL("../../bench/lean/program-metrics.ts", import.meta.url));
const bundlePath = fileURLToPath(new URL("./workers/program-metrics.bundle.mjs", import.meta.url));

async function bundle(): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", target: "es2022", conditions: ["workerd", "worker", "browser"], external: ["node:*"], write: false, logLevel: "silent" });
  return r.outputFiles[0]!.text;
}

async function collector() {
  const bodies: Array<{ url: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ url: req.url!, body: Buffer.concat(chunks).toString() });
      // A slow collector: exports outlast the invocations that start them.
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 30);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, bodies, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
}

type Point = { asDouble?: number; count?: string; attributes?: Array<{ key: string; value: { stringValue: string } }> };
const metricPoints = (bodies: Array<{ url: string; body: string }>, name: string): Point[] =>
  bodies
    .filter((b) => b.url == "/v1/metrics")
    .flatMap((b) => JSON.parse(b.body).resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics.filter((m: any) => m.name == name).flatMap((m: any) => (m.sum ?? m.histogram).dataPoints))));

test("60 concurrent invocations: every measurement arrives once (delta), every span too", async () => {
  const c = await collector();
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: bundlePath, contents: await bundle() }],
    compatibilityDate: "2025-07-18",
    compatibilityFlags: ["nodejs_als"],
    bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${c.port}` },
  });
  try {
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => mf.dispatchFetch(`http://w.test/?id=${i}`, { method: i % 3 ? "GET" : "POST" })));
    for (const r of responses) assert.is(await r.text(), "ok");
    const requests = () => metricPoints(c.bodies, "app.requests").reduce((n, p) => n + p.asDouble!, 0);
    const spans = () => c.bodies.filter((b) => b.url == "/v1/traces").flatMap((b) => JSON.parse(b.body).resourceSpans[0].scopeSpans[0].spans).length;
    await until(() => requests() >= 60 && spans() >= 60, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.is(requests(), 60, "app.requests sums to the invocations");
    assert.is(metricPoints(c.bodies, "app.latency").reduce((n, p) => n + +p.count!, 0), 60, "app.latency counts every invocation");
    const byMethod: Record<string, number> = {};
    for (const p of metricPoints(c.bodies, "app.requests")) byMethod[p.attributes![0]!.value.stringValue] = (byMethod[p.attributes![0]!.value.stringValue] ?? 0) + p.asDouble!;
    assert.equal(byMethod, { POST: 20, GET: 40 });
    assert.is(spans(), 60);
    const first = JSON.parse(c.bodies.find((b) => b.url == "/v1/metrics")!.body).resourceMetrics[0].scopeMetrics[0].metrics[0].sum;
    assert.is(first.aggregationTemporality, 1, "delta");
  } finally {
    await mf.dispose();
    await c.close();
  }
});

test.run();
