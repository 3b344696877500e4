// Runs every uvu suite (test/**/*.test.ts) in its own Node process, so global state
// (context manager, diag logger) never leaks between suites, and prints one closing line
// `N passed, N failed` over all of them. Arguments filter suites by path substring.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { cpus } from "node:os";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function findSuites(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findSuites(path));
    else if (name.endsWith(".test.ts") || name.endsWith(".test.mjs")) out.push(path);
  }
  return out;
}

const suites = findSuites(join(root, "test"))
  .map((p) => relative(root, p))
  .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f)));

function runSuite(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "./scripts/register.mjs", file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      const num = (label) => Number((output.match(new RegExp(`${label}:\\s+(\\d+)`)) || [])[1] ?? NaN);
      const total = num("Total");
      const passed = num("Passed");
      const skipped = num("Skipped") || 0;
      if (Number.isNaN(total) || Number.isNaN(passed)) {
        // The suite crashed before uvu could report: count it as one failure.
        resolve({ file, passed: 0, failed: 1, skipped: 0, code, output });
      } else {
        const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
        resolve({ file, passed, failed, skipped, code, output });
      }
    });
  });
}

const results = [];
const queue = [...suites];
const workers = Array.from({ length: Math.max(1, Math.min(4, cpus().length)) }, async () => {
  while (queue.length) {
    const file = queue.shift();
    const r = await runSuite(file);
    results.push(r);
    const mark = r.failed ? "FAIL" : "ok  ";
    console.log(`${mark} ${file}  (${r.passed} passed${r.failed ? `, ${r.failed} failed` : ""}${r.skipped ? `, ${r.skipped} skipped` : ""})`);
    if (r.failed) console.log(r.output.replace(/^/gm, "    "));
  }
});
await Promise.all(workers);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
