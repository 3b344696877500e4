// The shared runtime scenario in Bun (the pinned `bun` devDependency): a `bun` child process
// imports `otel-edge` from this repository (package self-reference, so the built package
// exactly as published) through the `bun` export condition → dist/node.js, with
// AsyncLocalStorage from `node:async_hooks`; the receiver and the backend run here in Node.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { assertScenario } from "./assert-scenario.mjs";
import { startBackend } from "./backend.mjs";
import { findBun } from "./bun/find-bun.mjs";
import { cleanEnv, describeRun, runChild } from "./bun/run-child.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = fileURLToPath(new URL("./bun/run-scenario.mjs", import.meta.url));

test("Bun: handler spans across await, metrics, correlated logs and a traced fetch arrive at the receiver", async () => {
  const found = findBun();
  if (!found.bun) throw new Error(found.error);
  const receiver = await startDevReceiver();
  const backend = await startBackend();
  try {
    // --no-install: never let Bun auto-install a missing import from a registry.
    const run = await runChild(found.bun, ["--no-install", script, receiver.url, backend.url], {
      cwd: root,
      env: cleanEnv({ BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" }),
      timeoutMs: 30000,
    });
    assert.is(run.code, 0, describeRun(run));
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
    // The `bun` condition, not `default` (dist/mod.js, no AsyncLocalStorage wiring).
    assert.ok(String(result.resolved).endsWith("/dist/node.js"), `otel-edge resolved to ${result.resolved} in Bun`);
    assert.is(result.bun, found.version);
    // The child flushed and shut down before exiting, so everything has arrived; the wait
    // only guards against a request still being parsed.
    await receiver.waitFor((r) => r.traces.length > 0 && r.metrics.length > 0 && r.logs.length > 0, 10000);
    const { server } = assertScenario(receiver, { runtime: "bun", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
    assert.is(server.traceId, result.traceId);
    // Bun sends its own User-Agent; make sure the data really came from the Bun process.
    const agents = receiver.requests.map((r: { headers: Record<string, unknown> }) => String(r.headers["user-agent"] ?? ""));
    assert.ok(agents.some((a: string) => /bun/i.test(a)), `user agents: ${agents.join(", ")}`);
  } finally {
    await backend.close();
    await receiver.close();
  }
});

test.run();
