// OTEL_CONFIG_FILE in the real engines, through the built package as their users resolve it:
// Bun (`bun` condition → dist/node.js) and Deno (`deno` condition → dist/deno.js, reading the
// file with node:fs under Deno's permissions).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fileURLToPath } from "node:url";
import { findBun } from "../runtimes/bun/find-bun.mjs";
import { cleanEnv, describeRun, runChild } from "../runtimes/bun/run-child.mjs";
import { createDenoProject, findDeno, OFFLINE_FLAGS, repoFileUrl, repoRoot } from "../runtimes/deno/deno-tool.mjs";
import { startReceiver } from "./receiver.ts";

const configFile = fileURLToPath(new URL("./engines/config.yaml", import.meta.url));
const program = `import * as otel from "otel-edge";\nimport { run } from ${JSON.stringify(repoFileUrl("test/config/engines/emit.mjs"))};\nawait run(otel);\n`;

function spanService(body: any): { name: string; service: string } {
  const resourceSpans = body.resourceSpans[0];
  const service = resourceSpans.resource.attributes.find((a: any) => a.key === "service.name").value.stringValue;
  return { name: resourceSpans.scopeSpans[0].spans[0].name, service };
}

test("Bun: init() builds the SDK the file names", async () => {
  const found = findBun();
  if (!found.bun) throw new Error(found.error);
  const receiver = await startReceiver();
  const project = createDenoProject({ "main.mjs": program });
  try {
    const run = await runChild(found.bun, ["--no-install", `${project.dir}/main.mjs`], {
      cwd: project.dir,
      env: cleanEnv({ BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", OTEL_CONFIG_FILE: configFile, RECEIVER: receiver.url, ENGINE: "bun", OTEL_SERVICE_NAME: "ignored" }),
    });
    assert.is(run.code, 0, describeRun(run));
    assert.equal(JSON.parse(run.stdout.trim().split("\n").at(-1)!), { service: "bun-from-file" });
    assert.equal(spanService(receiver.bodies("/v1/traces")[0]), { name: "configured", service: "bun-from-file" });
  } finally {
    project.close();
    await receiver.close();
  }
});

test("Deno: init() reads the file with --allow-read, and says why it cannot without", async () => {
  const receiver = await startReceiver();
  const project = createDenoProject({ "main.mjs": program });
  const denoDir = `${project.dir}/.deno-dir`;
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: denoDir, DENO_DIR: denoDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", OTEL_CONFIG_FILE: configFile, RECEIVER: receiver.url, ENGINE: "deno" };
  const flags = [...OFFLINE_FLAGS, "--no-check", "--config", `${project.dir}/deno.json`, "--allow-env", "--allow-net=127.0.0.1"];
  const reads = `--allow-read=${repoRoot}/dist,${repoRoot}/test/config,${project.dir}`;
  try {
    const run = await runChild(findDeno(), ["run", ...flags, reads, "main.mjs"], { cwd: project.dir, env, timeoutMs: 45000 });
    assert.is(run.code, 0, describeRun(run));
    assert.equal(JSON.parse(run.stdout.trim().split("\n").at(-1)!), { service: "deno-from-file" });
    assert.equal(spanService(receiver.bodies("/v1/traces")[0]), { name: "configured", service: "deno-from-file" });

    const denied = await runChild(findDeno(), ["run", ...flags, `--allow-read=${repoRoot}/dist,${repoRoot}/test/config/engines/emit.mjs,${project.dir}`, "main.mjs"], { cwd: project.dir, env, timeoutMs: 45000 });
    assert.is.not(denied.code, 0);
    assert.match(denied.stderr, `Cannot init: OTEL_CONFIG_FILE=${configFile} cannot be read`);
  } finally {
    project.close();
    await receiver.close();
  }
});

test.run();
