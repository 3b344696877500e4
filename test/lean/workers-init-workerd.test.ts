// The measured program bench/lean/program-init.ts (init + trace + flushInWaitUntil), bundled as
// wrangler bundles it, inside workerd (miniflare) with the OTLP endpoint as an env binding: every
// invocation's "handle" span arrives at the collector — 40 concurrent invocations too (the shared
// drain keeps each waitUntil alive while the exports it may carry run) — with the resource of the
// options, and one SDK per isolate (the options of later calls are the same: nothing reported).
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const entry = fileURLToPath(new URL("../../bench/lean/program-init.ts", import.meta.url));

async function collector() {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString());
      // A slow collector: exports outlast the invocations that start them.
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, bodies, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

test("program-init in workerd: every invocation's span arrives, 40 concurrent ones included", async () => {
  const c = await collector();
  const r = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", target: "es2022", conditions: ["workerd", "worker", "browser"], external: ["node:*"], write: false, logLevel: "silent" });
  const warnings: string[] = [];
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: fileURLToPath(new URL("./workers/program-init.bundle.mjs", import.meta.url)), contents: r.outputFiles[0]!.text }],
    compatibilityDate: "2025-07-18",
    compatibilityFlags: ["nodejs_als"],
    bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${c.port}`, OTEL_RESOURCE_ATTRIBUTES: "team=edge" },
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", (d) => warnings.push(String(d)));
      stderr.on("data", (d) => warnings.push(String(d)));
    },
  });
  try {
    assert.is(await (await mf.dispatchFetch("http://w.test/first")).text(), "ok");
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => mf.dispatchFetch(`http://w.test/?id=${i}`)));
    for (const response of responses) assert.is(await response.text(), "ok");
    const spans = () => c.bodies.flatMap((b) => JSON.parse(b).resourceSpans.flatMap((rs: { scopeSpans: Array<{ spans: unknown[] }> }) => rs.scopeSpans.flatMap((s) => s.spans)));
    for (const end = Date.now() + 15_000; spans().length < 41 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    const got = spans() as Array<{ name: string; spanId: string }>;
    assert.is(got.length, 41, `${got.length} of 41 spans arrived`);
    assert.is(new Set(got.map((s) => s.spanId)).size, 41, "none twice");
    assert.ok(got.every((s) => s.name == "handle"));
    const resource = Object.fromEntries(JSON.parse(c.bodies[0]!).resourceSpans[0].resource.attributes.map((a: { key: string; value: { stringValue: string } }) => [a.key, a.value.stringValue]));
    assert.is(resource["service.name"], "edge-api");
    assert.is(resource["team"], "edge");
    assert.is(JSON.parse(c.bodies[0]!).resourceSpans[0].scopeSpans[0].scope.name, "edge-api");
    assert.not.ok(warnings.join("").includes("options of this call ignored"), "the same options on every call: nothing reported");
  } finally {
    await mf.dispose();
    await c.close();
  }
});

test.run();
