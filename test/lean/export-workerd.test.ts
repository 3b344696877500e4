// bench/lean/export.ts inside workerd (miniflare): the lean sink as a Worker uses it, flushed in
// `ctx.waitUntil` at the end of each invocation with no timer of its own. Checks what only the
// runtime can show: every span of 60 concurrent invocations arrives (workerd cancels the I/O of an
// invocation whose waitUntil promises settled; the shared drain keeps each one alive while the
// exports it may carry run — the product measured 77 of 600 spans without it), URL credentials
// become Basic auth, a redirecting collector is not followed, lone surrogates leave as U+FFFD.
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const entry = fileURLToPath(new URL("./workers/export-worker.ts", import.meta.url));
const bundlePath = fileURLToPath(new URL("./workers/export-worker.bundle.mjs", import.meta.url));

async function bundle(): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "neutral", target: "es2022", conditions: ["workerd", "worker", "browser"], external: ["node:*"], write: false, logLevel: "silent" });
  return r.outputFiles[0]!.text;
}

async function collector(handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const bodies: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const open = { now: 0, max: 0 };
  const server = http.createServer((req, res) => {
    open.max = Math.max(open.max, ++open.now);
    res.on("close", () => open.now--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (handler) return handler(req, res);
      // A slow collector: exports outlast the invocations that start them.
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 30);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { port, bodies, open, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const names = (bodies: Array<{ body: string }>): string[] =>
  bodies.flatMap((b) => JSON.parse(b.body).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map((x: any) => x.name))));

async function worker(url: string, batch: number) {
  return new Miniflare({
    modules: [{ type: "ESModule", path: bundlePath, contents: await bundle() }],
    compatibilityDate: "2025-07-18",
    compatibilityFlags: ["nodejs_als"],
    bindings: { OTLP_URL: url, BATCH: String(batch) },
  });
}

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
}

test("60 concurrent invocations, batches of 4: every span arrives, one request at a time, with Basic auth from the URL", async () => {
  const c = await collector();
  const mf = await worker(`http://user:p%C3%A4ss@127.0.0.1:${c.port}/v1/traces`, 4);
  try {
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => mf.dispatchFetch(`http://w.test/?id=${i}&wait=${i % 7}`)));
    for (const r of responses) assert.is(await r.text(), "ok");
    await until(() => names(c.bodies).length >= 180, 20_000);
    const got = names(c.bodies);
    assert.is(got.length, 180, `${got.length} of 180 spans arrived`);
    assert.is(new Set(got).size, 180, "none twice");
    assert.is(c.open.max, 1, "one export in flight at a time");
    assert.ok(c.bodies.length >= 45, `${c.bodies.length} requests: batches of at most 4`);
    assert.is(c.bodies[0]!.headers.authorization, `Basic ${Buffer.from("user:päss").toString("base64")}`);
    assert.is(c.bodies[0]!.headers["x-api-key"], "k-1");
    assert.is(c.bodies[0]!.url, "/v1/traces");
    const attrs = JSON.parse(c.bodies[0]!.body).resourceSpans[0].scopeSpans[0].spans[0].attributes;
    assert.equal(attrs, [{ key: "lone", value: { stringValue: "\ufffd" } }, { key: "n", value: { intValue: "4611686018427387904" } }]);
  } finally {
    await mf.dispose();
    await c.close();
  }
});

test("a collector that redirects: workerd does not follow it (the other origin sees nothing)", async () => {
  const elsewhere = await collector();
  const c = await collector((_req, res) => void res.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/steal` }).end());
  const mf = await worker(`http://127.0.0.1:${c.port}/v1/traces`, 512);
  try {
    await (await mf.dispatchFetch("http://w.test/?id=r")).text();
    await until(() => c.bodies.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.is(c.bodies.length, 1, "not retried");
    assert.is(elsewhere.bodies.length, 0, "not followed");
  } finally {
    await mf.dispose();
    await c.close();
    await elsewhere.close();
  }
});

test.run();
