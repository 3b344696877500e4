// Runs every uvu suite (test/**/*.test.ts) in its own Node process, so global state
// (context manager, diag logger) never leaks between suites, and prints one closing line
// `N passed, N failed` over all of them. Arguments filter suites by path substring.
//
// Node flags per suite: a suite may ask for extra `node` flags with a header comment among its
// first lines, e.g.
//   // @node-flags: --expose-gc --max-old-space-size=256
// They are added to the defaults (`--expose-gc`, so any suite may call `gc()`), before the file.
//
// Node lines (issue 17): after the suites on the machine's Node (`process.execPath`), the suites
// that exercise our code on Node (see `onNodeLines`) run again on each pinned Node release line
// (scripts/node-lines.mjs: 22, 24, 26), in the same parallel pool; each of those results is
// labelled `[node <version>]` and counted in the one closing line. A full run includes them; a
// run filtered by path includes them only with `--lines` (`--no-lines` leaves them out always).
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { cpus } from "node:os";
import { NODE_LINES, ensureNodeLine } from "./node-lines.mjs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const withLines = !args.includes("--no-lines") && (filters.length === 0 || args.includes("--lines"));

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

/**
 * Whether `file` runs on every Node line too: the suites whose subject is our code running in
 * Node. Left out are the suites that drive another engine or measure bundles, whose outcome
 * does not depend on the Node running the test harness:
 * - test/runtimes/ (Deno, Bun, workerd, Chromium, the npm tarball under Bun and tsc), except
 *   the shared scenario in Node (node.test.ts) and Node's runtime metrics (runtime-metrics.test.ts);
 * - test/backends/ (the Go-built Collector, Jaeger and Prometheus);
 * - test/concurrency/workers-*, test/instrument/workers-miniflare.test.ts and test/lean/*workerd* (workerd);
 * - test/lean/*chromium* (Chromium);
 * - test/export/prometheus/real-prometheus.test.ts (a Prometheus server and a Pushgateway);
 * - size, tree-shaking and pay-for-use (esbuild bundles: same bytes on every Node).
 * test/concurrency/node-interleaved.test.ts stays: it is AsyncLocalStorage under load, which
 * Node 24 reimplemented on AsyncContextFrame.
 */
function onNodeLines(file) {
  if (file.startsWith("test/runtimes/")) return file === "test/runtimes/node.test.ts" || file === "test/runtimes/runtime-metrics.test.ts";
  if (file.startsWith("test/backends/")) return false;
  if (file.startsWith("test/concurrency/workers-") || file === "test/instrument/workers-miniflare.test.ts") return false;
  if (file.startsWith("test/lean/") && /workerd|chromium/.test(file)) return false;
  if (file === "test/export/prometheus/real-prometheus.test.ts") return false;
  return !["test/size.test.ts", "test/tree-shaking.test.ts", "test/metrics/pay-for-use.test.ts"].includes(file);
}

// A suite that has not finished by then is killed (with its process group) and counted as failed,
// so one hung engine or server can never hang CI.
const SUITE_TIMEOUT_MS = Number(process.env.SUITE_TIMEOUT_MS) || 240_000;

/** Flags from a `// @node-flags: ...` line in the first 20 lines of `file` (see the header). */
function nodeFlags(file) {
  const head = readFileSync(join(root, file), "utf8").split("\n", 20);
  const line = head.find((l) => /^\s*\/\/\s*@node-flags:/.test(l));
  if (!line) return [];
  const flags = line.replace(/^\s*\/\/\s*@node-flags:/, "").trim().split(/\s+/).filter(Boolean);
  for (const f of flags) if (!f.startsWith("--")) throw new Error(`${file}: @node-flags accepts only --flags, got ${JSON.stringify(f)}`);
  return flags;
}

function runSuite(file, node = process.execPath) {
  return new Promise((resolve) => {
    const flags = [...new Set(["--expose-gc", ...nodeFlags(file)])];
    const child = spawn(node, [...flags, "--import", "./scripts/register.mjs", file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      output += `\n[suite killed after ${SUITE_TIMEOUT_MS / 1000} s]\n`;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, SUITE_TIMEOUT_MS);
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ file, passed: 0, failed: 1, skipped: 0, code, output });
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
/** The jobs, machine's Node first: `{ file, node, label }` (`label` names a Node line). */
const queue = suites.map((file) => ({ file, node: process.execPath, label: "" }));
if (withLines) {
  const lineSuites = suites.filter(onNodeLines);
  for (const version of lineSuites.length ? NODE_LINES : []) {
    const line = ensureNodeLine(version); // at once when scripts/ensure-test-tools.mjs installed it
    if (line.error) {
      // The line cannot run: one failure, with the reason, rather than silently testing less.
      console.log(`FAIL [node ${version}]  (not installed)\n    ${line.error.replace(/\n/g, "\n    ")}`);
      results.push({ file: `[node ${version}]`, passed: 0, failed: 1, skipped: 0 });
      continue;
    }
    for (const file of lineSuites) queue.push({ file, node: line.path, label: `[node ${version}] ` });
  }
}
const workers = Array.from({ length: Math.max(1, Math.min(4, cpus().length)) }, async () => {
  while (queue.length) {
    const { file, node, label } = queue.shift();
    const started = Date.now();
    const r = await runSuite(file, node);
    results.push(r);
    const mark = r.failed ? "FAIL" : "ok  ";
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${mark} ${label}${file}  (${r.passed} passed${r.failed ? `, ${r.failed} failed` : ""}${r.skipped ? `, ${r.skipped} skipped` : ""}; ${secs} s)`);
    if (r.failed) console.log(r.output.replace(/^/gm, "    "));
  }
});
await Promise.all(workers);

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
