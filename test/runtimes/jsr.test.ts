// JSR readiness with the real Deno toolchain (the `deno` binary from npm), fully offline:
// `deno check` of every entry in deno.json `exports`, and `deno publish --dry-run`, which
// type-checks again and rejects "slow types" (exports whose types need inference). A
// negative control proves the slow-types check really runs offline here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runDeno } from "./deno/deno-tool.mjs";

const denoDir = mkdtempSync(join(tmpdir(), "otel-edge-jsr-"));
const denoJson = JSON.parse(readFileSync(join(repoRoot, "deno.json"), "utf8"));
const entries: string[] = Object.values(denoJson.exports as Record<string, string>);

// runDeno uses cwd as HOME and cwd/.deno-dir as DENO_DIR; for the repo, point both at the temp dir.
function run(args: string[], cwd: string) {
  return runDeno(args, { cwd, timeoutMs: 90000, denoDir });
}

test("deno check passes for every deno.json export", async () => {
  assert.ok(entries.length >= 6, `deno.json exports: ${entries.join(", ")}`);
  const { code, output } = await run(["check", "--no-remote", "--no-lock", ...entries], repoRoot);
  assert.is(code, 0, output);
  for (const entry of entries) assert.ok(output.includes(`Check ${entry.replace(/^\.\//, "")}`), `${entry} was checked:\n${output}`);
});

test("deno publish --dry-run passes offline: no slow types, every export included", async () => {
  const { code, output } = await run(["publish", "--dry-run", "--allow-dirty", "--no-remote"], repoRoot);
  assert.is(code, 0, output);
  assert.match(output, /Checking for slow types in the public API/);
  assert.match(output, /Success Dry run complete/);
  assert.not.match(output, /error\[/);
  for (const entry of entries) assert.ok(output.includes(join(repoRoot, entry.replace(/^\.\//, ""))), `${entry} is in the package`);
  assert.not.ok(output.includes(`${repoRoot}/test/`), "tests are not published");
});

test("negative control: the offline dry run does reject a slow type", async () => {
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-slow-"));
  try {
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ name: "@otel-edge/slow-control", version: "0.0.0", exports: "./mod.ts" }));
    writeFileSync(join(dir, "mod.ts"), "/** Inferred return type: a slow type. */\nexport function answer() {\n  return 42;\n}\n");
    const { code, output } = await run(["publish", "--dry-run", "--allow-dirty", "--no-remote"], dir);
    assert.is.not(code, 0, output);
    assert.match(output, /missing-explicit-return-type/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.after(() => rmSync(denoDir, { recursive: true, force: true }));
test.run();
