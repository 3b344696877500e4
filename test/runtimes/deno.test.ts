// The shared runtime scenario in real Deno (the `deno` binary from npm), through the built
// package as a Deno user's project resolves it (`otel-edge` → `deno` export condition →
// dist/deno.js), with least permissions: network to 127.0.0.1 only, reads limited to dist/
// and test/runtimes/, and no env permission at all (the entry must not crash or prompt).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { assertScenario } from "./assert-scenario.mjs";
import { startBackend } from "./backend.mjs";
import { createDenoProject, OFFLINE_FLAGS, repoFileUrl, repoRoot, runDeno } from "./deno/deno-tool.mjs";

const readScope = (dir: string) => `--allow-read=${repoRoot}/dist,${repoRoot}/test/runtimes,${dir}`;

function attrs(list: Array<{ key: string; value: Record<string, unknown> }> = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue]));
}

test("Deno: handler spans across await, metrics (incl. runtime memory), correlated logs and a traced fetch arrive at the receiver", async () => {
  const receiver = await startDevReceiver();
  const backend = await startBackend();
  const project = createDenoProject({
    "scenario_test.mjs": `import * as otel from "otel-edge";\nimport { registerDenoTests } from ${JSON.stringify(repoFileUrl("test/runtimes/deno/scenario-tests.mjs"))};\nregisterDenoTests(otel);\n`,
  });
  try {
    const { code, output } = await runDeno(
      ["test", ...OFFLINE_FLAGS, "--no-check", "--config", `${project.dir}/deno.json`, "--allow-net=127.0.0.1", readScope(project.dir), "scenario_test.mjs", "--", receiver.url, backend.url],
      { cwd: project.dir },
    );
    assert.is(code, 0, `deno test failed:\n${output}`);
    assert.match(output, /2 passed/);
    const { server } = assertScenario(receiver, { runtime: "deno", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
    assert.ok(server);

    const resource = attrs(receiver.traces[0].resourceSpans[0].resource.attributes);
    assert.is(resource["process.runtime.name"], "deno");
    assert.is(resource["service.name"], "scenario-deno");

    // Runtime metrics from Deno: memory (Deno.memoryUsage) at least, CPU time where Deno has it.
    const all = receiver.metrics.flatMap((m: any) => m.resourceMetrics).flatMap((rm: any) => rm.scopeMetrics);
    const runtimeScope = all.find((sm: any) => sm.scope.name === "otel-edge/runtime-metrics");
    assert.ok(runtimeScope, "runtime metrics scope arrived");
    const memory = runtimeScope.metrics.find((m: any) => m.name === "process.memory.usage");
    assert.is(memory.unit, "By");
    assert.is(memory.sum.isMonotonic, false);
    assert.ok(Number(memory.sum.dataPoints[0].asInt ?? memory.sum.dataPoints[0].asDouble) > 1024 * 1024, "rss in bytes");
    const cpu = runtimeScope.metrics.find((m: any) => m.name === "process.cpu.time");
    assert.ok(cpu, "process.cpu.time (Deno.cpuUsage)");
    assert.equal(cpu.sum.dataPoints.map((p: any) => attrs(p.attributes)["cpu.mode"]).sort(), ["system", "user"]);
  } finally {
    project.close();
    await backend.close();
    await receiver.close();
  }
});

test("Deno: a program that never flushes still delivers its telemetry (flush on beforeunload) and exits by itself", async () => {
  const receiver = await startDevReceiver();
  const project = createDenoProject({
    "main.mjs": `import * as otel from "otel-edge";\nimport { main } from ${JSON.stringify(repoFileUrl("test/runtimes/deno/exit-flush.mjs"))};\nmain(otel);\n`,
  });
  try {
    const { code, output } = await runDeno(["run", ...OFFLINE_FLAGS, "--config", `${project.dir}/deno.json`, "--allow-net=127.0.0.1", readScope(project.dir), "main.mjs", receiver.url], {
      cwd: project.dir,
      timeoutMs: 30000,
    });
    assert.is(code, 0, `deno run failed or hung:\n${output}`);
    assert.match(output, /recorded/);
    await receiver.waitFor((r: any) => r.traces.length > 0 && r.logs.length > 0, 5000);
    const spans = receiver.traces.flatMap((t: any) => t.resourceSpans).flatMap((rs: any) => rs.scopeSpans).flatMap((ss: any) => ss.spans);
    assert.ok(spans.some((s: any) => s.name === "recorded before exit"));
    const records = receiver.logs.flatMap((l: any) => l.resourceLogs).flatMap((rl: any) => rl.scopeLogs).flatMap((sl: any) => sl.logRecords);
    assert.ok(records.some((r: any) => r.body?.stringValue === "logged before exit"));
  } finally {
    project.close();
    await receiver.close();
  }
});

test.run();
