// Scenario 2 of the real-backends suite (issue 17): the shared runtime scenario
// (test/runtimes/scenario.mjs) exports to the real Collector instead of our own receiver, from
// Node, Deno and Bun, each importing the built package as its users do; assert-scenario.mjs then
// checks what the Collector decoded and wrote (tree, resource, attributes, metric values, log
// correlation), and the Collector must log no warning.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import * as otel from "otel-edge";
import { runScenario } from "../runtimes/scenario.mjs";
import { assertScenario } from "../runtimes/assert-scenario.mjs";
import { startBackend } from "../runtimes/backend.mjs";
import { createDenoProject, OFFLINE_FLAGS, repoFileUrl, repoRoot, runDeno } from "../runtimes/deno/deno-tool.mjs";
import { findBun } from "../runtimes/bun/find-bun.mjs";
import { cleanEnv, describeRun, runChild } from "../runtimes/bun/run-child.mjs";
import { bundleWorker } from "../runtimes/bundle-worker.ts";
import { INCOMING_TRACEPARENT } from "../runtimes/scenario.mjs";
import { Miniflare } from "miniflare";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startStaticServer } from "../runtimes/browser/static-server.mjs";
import { poll, startCollector, type Collector } from "./peers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** What the Collector wrote for `service`, in the receiver shape assert-scenario.mjs reads. */
async function received(collector: Collector, service: string): Promise<{ traces: any[]; metrics: any[]; logs: any[] }> {
  const pick = (signal: "traces" | "metrics" | "logs", top: string): any[] =>
    collector
      .written(signal)
      .map((r) => ({ [top]: (r[top] ?? []).filter((x: any) => x.resource?.attributes?.some((a: any) => a.key === "service.name" && a.value.stringValue === service)) }))
      .filter((r) => r[top].length > 0);
  // The file exporter flushes every 100 ms.
  return poll(`the Collector to write all three signals of ${service}`, () => {
    const r = { traces: pick("traces", "resourceSpans"), metrics: pick("metrics", "resourceMetrics"), logs: pick("logs", "resourceLogs") };
    return r.traces.length && r.metrics.length && r.logs.length ? r : undefined;
  });
}

async function withCollector(fn: (collector: Collector, backend: Awaited<ReturnType<typeof startBackend>>) => Promise<void>): Promise<void> {
  const collector = await startCollector();
  const backend = await startBackend();
  try {
    await fn(collector, backend);
    assert.equal(collector.problems(), [], collector.log());
  } finally {
    await backend.close();
    await collector.close();
  }
}

test("Node: the shared scenario's spans, metrics and correlated logs, as the Collector decoded them", async () => {
  await withCollector(async (collector, backend) => {
    const { sdk } = await runScenario(otel, { endpoint: collector.endpoint, backendUrl: backend.url, runtime: "node" });
    await sdk.shutdown();
    const { server } = assertScenario(await received(collector, "scenario-node"), { runtime: "node", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
    assert.ok(server);
  });
});

test("Deno: the shared scenario exported to the Collector", async () => {
  await withCollector(async (collector, backend) => {
    const project = createDenoProject({
      "scenario_test.mjs": `import * as otel from "otel-edge";\nimport { registerDenoTests } from ${JSON.stringify(repoFileUrl("test/runtimes/deno/scenario-tests.mjs"))};\nregisterDenoTests(otel);\n`,
    });
    try {
      const { code, output } = await runDeno(
        ["test", ...OFFLINE_FLAGS, "--no-check", "--config", `${project.dir}/deno.json`, "--allow-net=127.0.0.1", `--allow-read=${repoRoot}/dist,${repoRoot}/test/runtimes,${project.dir}`, "scenario_test.mjs", "--", collector.endpoint, backend.url],
        { cwd: project.dir },
      );
      assert.is(code, 0, `deno test failed:\n${output}`);
      const { server } = assertScenario(await received(collector, "scenario-deno"), { runtime: "deno", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
      assert.ok(server);
    } finally {
      project.close();
    }
  });
});

test("Bun: the shared scenario exported to the Collector", async () => {
  const found = findBun();
  if (!found.bun) throw new Error(found.error);
  await withCollector(async (collector, backend) => {
    const run = await runChild(found.bun, ["--no-install", fileURLToPath(new URL("../runtimes/bun/run-scenario.mjs", import.meta.url)), collector.endpoint, backend.url], {
      cwd: root,
      env: cleanEnv({ BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" }),
      timeoutMs: 30000,
    });
    assert.is(run.code, 0, describeRun(run));
    const { server } = assertScenario(await received(collector, "scenario-bun"), { runtime: "bun", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
    assert.ok(server);
  });
});

test("Workers (workerd, nodejs_compat): the shared scenario exported to the Collector from ctx.waitUntil", async () => {
  const script = await bundleWorker(fileURLToPath(new URL("../runtimes/workers/worker.mjs", import.meta.url)));
  await withCollector(async (collector, backend) => {
    const mf = new Miniflare({
      // Same module name and compatibility date as test/runtimes/workers.test.ts.
      modules: [{ type: "ESModule", path: fileURLToPath(new URL("../runtimes/workers/worker.bundle.mjs", import.meta.url)), contents: script }],
      compatibilityDate: "2025-07-18",
      compatibilityFlags: ["nodejs_compat"],
      bindings: { OTEL_SERVICE_NAME: "scenario-workers", OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, BACKEND_URL: backend.url, EXPLICIT_CONTEXT: "0" },
    });
    try {
      const response = await mf.dispatchFetch("http://worker.test/work", { headers: { traceparent: INCOMING_TRACEPARENT } });
      assert.is(response.status, 200);
      const { traceId } = (await response.json()) as { traceId: string };
      // The flush runs on in ctx.waitUntil, after dispatchFetch returned: wait for the logs too.
      const got = await poll("the Worker's telemetry at the Collector", async () => {
        const r = await received(collector, "scenario-workers");
        return JSON.stringify(r.traces).includes(traceId) && JSON.stringify(r.logs).includes("backend answered") ? r : undefined;
      });
      const { server } = assertScenario(got, { runtime: "workers", backendTraceparents: backend.traceparents, sdkLanguage: "webjs" });
      assert.is(server.traceId, traceId);
    } finally {
      await Promise.race([mf.dispose(), new Promise((r) => setTimeout(r, 10000))]).catch(() => {});
    }
  });
});

const CHROMIUM = "/usr/bin/chromium";

/** Fails the test at once when Debian's Chromium is missing (before any server is started). */
function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`node scripts/ensure-test-tools.mjs\` as root (apt-get install chromium)`);
}

/** Debian's headless Chromium, as the browser suites launch it. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"], timeout: 20_000 });
}

test("Chromium: the page's page-hide flush (keepalive fetch, cross-origin) reaches the Collector with CORS allowing the page's origin", async () => {
  requireChromium();
  const site = await startStaticServer();
  const collector = await startCollector({ corsOrigins: [site.url] });
  const backend = await startBackend();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    // The same page as test/runtimes/browser.test.ts: runs the scenario, flushes only on page hide.
    await page.goto(`${site.url}/index.html?endpoint=${encodeURIComponent(collector.endpoint)}&backend=${encodeURIComponent(backend.url)}`);
    await page.evaluate(() => (globalThis as unknown as { scenarioDone: Promise<unknown> }).scenarioDone);
    await page.goto(`${site.url}/next.html`);
    const { server } = assertScenario(await received(collector, "scenario-browser"), { runtime: "browser", backendTraceparents: backend.traceparents, sdkLanguage: "webjs" });
    assert.ok(server);
    assert.equal(errors, []);
    assert.equal(collector.problems(), [], collector.log());
  } finally {
    await browser.close().catch(() => undefined);
    await backend.close();
    await collector.close();
    await site.close();
  }
});

test("Chromium, origin not in the Collector's CORS allow-list: each signal's failure is reported once, nothing is thrown, the page keeps working", async () => {
  requireChromium();
  const site = await startStaticServer();
  const collector = await startCollector({ corsOrigins: ["https://app.example.com"] });
  const backend = await startBackend();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    const ours: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    page.on("console", (m) => {
      if (m.text().startsWith("otel-edge:")) ours.push(m.text());
    });
    await page.goto(`${site.url}/index.html?endpoint=${encodeURIComponent(collector.endpoint)}&backend=${encodeURIComponent(backend.url)}`);
    await page.evaluate(() => (globalThis as unknown as { scenarioDone: Promise<unknown> }).scenarioDone);
    // Two flushes: both resolve (a failed export is not an exception), the second reports nothing new.
    const flush = (): Promise<string> => page.evaluate(() => (globalThis as any).__sdk.flush().then(() => "resolved", (e: unknown) => `rejected: ${e}`));
    assert.is(await flush(), "resolved");
    assert.is(await flush(), "resolved");
    const stats = await page.evaluate(() => (globalThis as any).__sdk.stats());
    for (const signal of ["traces", "metrics", "logs"]) {
      assert.is(stats[signal].exported, 0, signal);
      assert.ok(stats[signal].failed > 0, `${signal} failed count`);
    }
    // Once per signal, saying what failed and where (the browser hides the CORS reason from scripts).
    assert.is(ours.length, 3, ours.join("\n"));
    for (const path of ["/v1/traces", "/v1/metrics", "/v1/logs"]) assert.is(ours.filter((m) => m.includes(`${collector.endpoint}${path} failed`)).length, 1, ours.join("\n"));
    // The page still works: it navigates on, with no uncaught error or unhandled rejection.
    await page.goto(`${site.url}/next.html`);
    assert.equal(errors, []);
    assert.is(collector.written("traces").length, 0);
    assert.equal(collector.problems(), [], collector.log());
  } finally {
    await browser.close().catch(() => undefined);
    await backend.close();
    await collector.close();
    await site.close();
  }
});

// A workerd that failed to start can leave miniflare's handles open (as in workers.test.ts).
test.after(() => {
  setTimeout(() => process.exit(), 2000).unref();
});

test.run();
