// The shared runtime scenario in workerd (miniflare 3 from npm), through the built package as a
// Worker bundle gets it (`otel-edge` → the `workerd` export condition → dist/workers.js), three
// ways: with `nodejs_compat`, with `nodejs_als`, and with neither (the Worker must still load,
// fall back to explicit context, and say so once). Configuration reaches the SDK only through
// the Worker's `env` bindings; spans, logs and metrics leave in `ctx.waitUntil`, which
// `dispatchFetch` does not wait for — so the test waits for the receiver, with a deadline.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { INCOMING_TRACEPARENT } from "./scenario.mjs";
import { assertScenario } from "./assert-scenario.mjs";
import { startBackend } from "./backend.mjs";
import { bundleWorker } from "./bundle-worker.ts";

const workerEntry = fileURLToPath(new URL("./workers/worker.mjs", import.meta.url));
// The module's name inside workerd (its contents are the in-memory bundle; nothing is written).
// It must lie under miniflare's modules root (the working directory).
const bundlePath = fileURLToPath(new URL("./workers/worker.bundle.mjs", import.meta.url));
// workerd's own compatibility date (miniflare 3.20250718 ships workerd 1.20250718): the
// newest date it supports, so nodejs_compat gets process.getBuiltinModule.
const COMPATIBILITY_DATE = "2025-07-18";

interface Receiver {
  url: string;
  traces: unknown[];
  metrics: unknown[];
  logs: unknown[];
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let bundledOnce: Promise<string> | undefined;

/** The test Worker, bundled once for all configurations. */
function bundled(): Promise<string> {
  return (bundledOnce ??= bundleWorker(workerEntry));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

interface Run {
  probe: { contextFollowsAwait: boolean; hasGetBuiltinModule: boolean };
  diag: { diagnostics: Array<{ level: string; message: string }>; sameSdk: boolean };
  server: { spanId: string };
}

/** Runs the scenario once in a fresh workerd with `flags`, waits for its telemetry, asserts it. */
async function runInWorkerd(flags: string[], explicitContext: boolean): Promise<Run> {
  const script = await bundled();
  const receiver = (await startDevReceiver()) as Receiver;
  const backend = await startBackend();
  const mf = new Miniflare({
    // Modules given explicitly: the bundle's variable `import(specifier)` is resolved by workerd at run time.
    modules: [{ type: "ESModule", path: bundlePath, contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: flags,
    bindings: {
      // OTEL_* settings as a deployed Worker gets them: string bindings on `env`.
      OTEL_SERVICE_NAME: "scenario-workers",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      BACKEND_URL: backend.url,
      EXPLICIT_CONTEXT: explicitContext ? "1" : "0",
      // A non-string binding (like a KV namespace or a number) is ignored by the env reader.
      OTEL_BSP_MAX_QUEUE_SIZE: 7,
    },
  });
  try {
    const probe = await withTimeout(mf.dispatchFetch("http://worker.test/probe").then((r) => r.json()), 20000, "probe request");
    const response = await withTimeout(mf.dispatchFetch("http://worker.test/work", { headers: { traceparent: INCOMING_TRACEPARENT } }), 20000, "scenario request");
    assert.is(response.status, 200);
    const { traceId } = (await response.json()) as { traceId: string };
    // dispatchFetch returned with the response; the flush runs on in ctx.waitUntil.
    const hasTrace = (r: Receiver) => JSON.stringify(r.traces).includes(traceId);
    await receiver.waitFor((r) => hasTrace(r) && r.metrics.length > 0 && JSON.stringify(r.logs).includes("backend answered"), 20000);
    const { server } = assertScenario(receiver, { runtime: "workers", backendTraceparents: backend.traceparents, sdkLanguage: "webjs" });
    assert.is(server.traceId, traceId);
    const diag = await withTimeout(mf.dispatchFetch("http://worker.test/diag").then((r) => r.json()), 20000, "diag request");
    return { probe: probe as Run["probe"], diag: diag as Run["diag"], server };
  } finally {
    // Bounded: after a failed start, dispose() rejects with the start error or never settles.
    await withTimeout(mf.dispose(), 10000, "miniflare dispose").catch(() => {});
    await backend.close();
    await receiver.close();
  }
}

const FALLBACK = /No AsyncLocalStorage in this Worker/;

test("Workers with nodejs_compat: AsyncLocalStorage via process.getBuiltinModule; the tree, metrics and correlated logs arrive", async () => {
  const run = await runInWorkerd(["nodejs_compat"], false);
  assert.is(run.probe.hasGetBuiltinModule, true);
  // Without explicit context, "loaded the work item" (logged after an await) is correlated
  // with the server span only because context followed the await (asserted by assertScenario).
  assert.is(run.probe.contextFollowsAwait, true);
  assert.equal(run.diag.diagnostics.filter((d) => FALLBACK.test(d.message)), []);
  assert.is(run.diag.sameSdk, true, "init() is memoized per isolate");
});

test("Workers with nodejs_als only: AsyncLocalStorage via import(); the same tree without explicit context", async () => {
  const run = await runInWorkerd(["nodejs_als"], false);
  assert.is(run.probe.hasGetBuiltinModule, false, "nodejs_als offers only import(\"node:async_hooks\")");
  assert.is(run.probe.contextFollowsAwait, true);
  assert.equal(run.diag.diagnostics.filter((d) => FALLBACK.test(d.message)), []);
});

test("Workers without nodejs_compat/nodejs_als: loads, explicit context gives the same tree, the fallback is reported once", async () => {
  const run = await runInWorkerd([], true);
  assert.is(run.probe.contextFollowsAwait, false, "without AsyncLocalStorage the stack manager cannot follow await");
  const fallback = run.diag.diagnostics.filter((d) => FALLBACK.test(d.message));
  assert.is(fallback.length, 1, `expected the fallback once, got ${JSON.stringify(run.diag.diagnostics)}`);
  assert.is(fallback[0]!.level, "warn");
  assert.is(run.diag.sameSdk, true);
});

// A workerd that failed to start can leave miniflare's handles open: end the process shortly
// after the suite (the timer is unref'd, so a clean run exits at once without it).
test.after(() => {
  setTimeout(() => process.exit(), 2000).unref();
});

test.run();
