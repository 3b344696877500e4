// `npm run bench` (issue 8): builds the SDK, installs bench/ when needed, runs every case with
// each contender in fresh processes alternated round by round, and writes bench/RESULTS.md.
// Environment: BENCH_ROUNDS (default 5), BENCH_BUDGET_MS (timed window per process, default 500),
// BENCH_COLD_RUNS (cold-start rounds, default 41), BENCH_SKIP_BUILD=1 to reuse dist/,
// BENCH_ONLY=speed to run only the speed cases (1–7; then RESULTS.md and README.md are left
// alone and the ratios are printed). The speed and memory workers run on the Node 22 binary of
// scripts/node-lines.mjs when it is installed (the official 3.x line declares node >= 22.15),
// else on this process's Node, with a note in the report.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { cases } from "./cases.mjs";
import { baselineText, coldStart, coldTable } from "./cold/run.mjs";
import { install } from "./install.mjs";
import { incumbentDirs } from "./programs.mjs";
import { sizes, sizeTable } from "./sizes.mjs";
import { nodeLinePath } from "../scripts/node-lines.mjs";

const benchDir = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BUDGET = Number(process.env.BENCH_BUDGET_MS ?? 500);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 41);
const ONLY = process.env.BENCH_ONLY ?? "";
if (ONLY && ONLY !== "speed") throw new Error(`BENCH_ONLY=${ONLY}: only "speed" is known`);
/** The Node the workers run on: 22.x from scripts/node-lines.mjs (supported by official 3.x), else ours. */
const WORKER_NODE_VERSION = "22.23.5";
const workerNode = (() => {
  const path = nodeLinePath(WORKER_NODE_VERSION);
  if (existsSync(path)) return { path, note: `Node ${WORKER_NODE_VERSION} (${path}, from scripts/node-lines.mjs; the official 3.x line declares node >= 22.15)` };
  return {
    path: process.execPath,
    note: `Node ${process.version} (${process.execPath}): NOT a Node the official 3.x line supports (it declares node >= 22.15); run \`node scripts/node-lines.mjs\` to install Node ${WORKER_NODE_VERSION} for the workers`,
  };
})();
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const started = Date.now();
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

if (!process.env.BENCH_SKIP_BUILD) {
  log("building the SDK (npm run build)");
  execFileSync(npm, ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
}
install(log);

// Snapshot dist/ (other work may rebuild it while we run) and import ours from the snapshot.
const tmp = `${benchDir}.tmp/`;
const snapshot = `${tmp}dist/`;
for (let i = 0; !existsSync(`${root}dist/mod.js`) || !existsSync(`${root}dist/prometheus.js`); i++) {
  if (i > 60) throw new Error("dist/ is missing; run npm run build");
  await new Promise((r) => setTimeout(r, 1000));
}
rmSync(snapshot, { recursive: true, force: true });
cpSync(`${root}dist/`, snapshot, { recursive: true });
process.env.OTEL_EDGE_DIST = new URL(`file://${snapshot}`).href;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

function runWorker(args, nodeFlags = []) {
  const r = spawnSync(workerNode.path, [...nodeFlags, `${benchDir}worker.mjs`, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`worker ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** Rounds × contenders, the contender order rotated every round (A B C, B C A, ...). */
function alternate(names, fn) {
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      results[name].push(fn(name));
    }
  }
  return results;
}

// Speed cases.
log(`workers run on ${workerNode.note}`);
const speed = {};
for (const [id, c] of Object.entries(cases)) {
  const names = Object.keys(c.contenders);
  log(`case ${id}: ${names.join(" vs ")}, ${ROUNDS} rounds`);
  const raw = alternate(names, (n) => runWorker([id, n, String(BUDGET)]).nsPerOp);
  speed[id] = Object.fromEntries(names.map((n) => [n, summary(raw[n])]));
}

if (ONLY === "speed") {
  // Speed cases only: print each contender's median and the ratios; RESULTS.md stays as it is.
  for (const [id, c] of Object.entries(cases)) {
    const r = speed[id];
    const scale = c.scale ?? 1;
    const parts = Object.entries(r).map(([n, s]) => `${n} ${(s.median * scale).toFixed(2)} (${(s.min * scale).toFixed(2)}–${(s.max * scale).toFixed(2)})`);
    const ratios = Object.keys(r).filter((n) => n !== "ours").map((n) => `ours ÷ ${n} ${(r.ours.median / r[n].median).toFixed(2)}`);
    process.stdout.write(`${c.title} [${c.unit}]: ${parts.join(", ")}; ${ratios.join(", ")}\n`);
  }
  process.stdout.write(`Workers on ${workerNode.note}; ${ROUNDS} rounds, ${BUDGET} ms budget.\n`);
  process.exit(0);
}

// Case 8: memory.
log("case memory");
const memNames = ["ours", "official", "plain object"];
const memRaw = alternate(memNames, (n) => runWorker(["memory", n], ["--expose-gc"]).bytesPerSpan);
const memory = Object.fromEntries(memNames.map((n) => [n, summary(memRaw[n])]));

// Case 9: cold start (bench/cold/run.mjs), from source like the sizes.
log(`case cold start: ${COLD_RUNS} rounds`);
const cold = await coldStart({ rounds: COLD_RUNS, log, node: workerNode.path });

// Case 10: sizes.
log("case bundle sizes");
const sizeRows = await sizes();

// Report.
const version = (pkg, dir = benchDir) => JSON.parse(readFileSync(`${dir}node_modules/${pkg}/package.json`, "utf8")).version;
const incumbentVersions = Object.keys(incumbentDirs)
  .filter((d) => d !== ".")
  .map((d) => {
    const dir = `${benchDir}incumbents/${d}/`;
    const pkgs = Object.keys(JSON.parse(readFileSync(`${dir}package.json`, "utf8")).dependencies);
    return `${d}: ${pkgs.map((p) => `\`${p}@${version(p, dir)}\``).join(", ")}`;
  });
const oursVersion = JSON.parse(readFileSync(`${root}package.json`, "utf8")).version;
const commit = (() => { try { return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim(); } catch { return "?"; } })();
const cpus = os.cpus();
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratioText = (r) => `${r.toFixed(2)} (${r <= 1 ? `${(1 / r).toFixed(1)}× faster` : `${r.toFixed(1)}× slower`})`;
const verdicts = [];
const whyShown = new Set();

const lines = [];
lines.push("# Benchmarks: otel-edge side by side with the incumbents");
lines.push("");
lines.push("Generated by `npm run bench` (`bench/run.mjs`) — do not edit by hand. Timings live here, never in tests.");
lines.push("");
lines.push(`- Machine: ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${os.platform()} ${os.release()}, Node ${process.version}`);
lines.push(`- Date: ${new Date().toISOString()}, otel-edge ${oursVersion} at commit ${commit} (imported from the built \`dist/\`)`);
const officialSpeedDir = `${benchDir}incumbents/official/`;
const officialSpeed = ["@opentelemetry/sdk-trace", "@opentelemetry/context-async-hooks", "@opentelemetry/otlp-transformer", "@opentelemetry/sdk-metrics", "@opentelemetry/exporter-prometheus", "@opentelemetry/sdk-logs", "@opentelemetry/api"];
lines.push(`- Incumbents of the speed and memory cases: official 3.x from bench/incumbents/official (${officialSpeed.map((d) => `\`${d}@${version(d, officialSpeedDir)}\``).join(", ")}); \`prom-client@${version("prom-client")}\` from bench/package.json`);
lines.push(`- Speed, memory and cold-start processes run on ${workerNode.note}; the orchestrator and the size measurements on Node ${process.version}`);
lines.push(`- Incumbents of the size and cold-start programs (bench/incumbents/*/package.json): ${incumbentVersions.join("; ")}; prom-client from bench/package.json`);
lines.push(`- Method: every contender runs in a fresh Node process per round, ${ROUNDS} rounds, the contender order rotated each round (A/B alternation). In each process: set-up, up to 1,000 untimed calls (≤ 20 ms, so one-off first-call work cannot shrink the batch to one call), batches sized to ≥ 5 ms, ~${Math.round(BUDGET / 3)} ms warm-up, then ${BUDGET} ms of timed batches; the process reports its median batch. Below: the median of the ${ROUNDS} process medians and their min–max. Ratio = ours ÷ theirs on the medians (below 1 = ours is faster). Identical work on both sides: same attributes, sampler, no-op/in-memory processor or reader, same series.`);
lines.push("");
lines.push("## Speed");
for (const [id, c] of Object.entries(cases)) {
  const r = speed[id];
  const scale = c.scale ?? 1;
  lines.push("");
  lines.push(`### ${c.title}`);
  lines.push("");
  lines.push(`What it measures: ${c.measures}`);
  lines.push("");
  lines.push(`| contender | median (${c.unit}) | min–max | ours ÷ this |`);
  lines.push("|---|---:|---:|---:|");
  for (const [name, s] of Object.entries(r)) {
    const ratio = r.ours.median / s.median;
    lines.push(`| ${name} | ${fmt(s.median * scale)} | ${fmt(s.min * scale)}–${fmt(s.max * scale)} | ${name === "ours" ? "—" : ratioText(ratio)} |`);
  }
  lines.push("");
  for (const t of [c.target].flat()) {
    const ratio = r.ours.median / r[t.vs].median;
    const met = ratio <= t.ratio;
    verdicts.push({ what: `${c.title.split(" ")[0]} ${c.title.slice(c.title.indexOf(" ") + 1)} — ${t.text}`, ratio, met });
    lines.push(`Target: ${t.text} (ratio ≤ ${t.ratio.toFixed(2)}): ratio ${ratio.toFixed(2)} — **${met ? "met" : "MISSED"}**.`);
    if (!met && c.why && !whyShown.has(id)) {
      whyShown.add(id);
      lines.push("");
      lines.push(`Why (evidence from profiling, not from this run): ${c.why}`);
    }
  }
}

lines.push("");
lines.push("## Memory");
lines.push("");
lines.push("### 8. Heap per buffered finished span (10,000 held, after GC)");
lines.push("");
lines.push("What it measures: `process.memoryUsage().heapUsed` growth (after 4× `gc()`, `--expose-gc`) divided by 10,000, while a processor holds 10,000 finished spans in an array (the same holding processor on both sides; each span: 5 attributes, no events, AlwaysOn). The reference is a plain object with the same data (name, kind, hex ids, times, 5 attributes, status, empty events/links).");
lines.push("");
lines.push("| contender | median (B/span) | min–max | ours ÷ this |");
lines.push("|---|---:|---:|---:|");
for (const [name, s] of Object.entries(memory)) {
  lines.push(`| ${name} | ${s.median.toFixed(0)} | ${s.min.toFixed(0)}–${s.max.toFixed(0)} | ${name === "ours" ? "—" : (memory.ours.median / s.median).toFixed(2)} |`);
}
{
  const met = memory.ours.median <= 550;
  verdicts.push({ what: "8. Heap per buffered span — ≤ 550 B", ratio: memory.ours.median / memory.official.median, met, value: `${memory.ours.median.toFixed(0)} B` });
  lines.push("");
  lines.push(`Target: ≤ 550 B per span: ${memory.ours.median.toFixed(0)} B — **${met ? "met" : "MISSED"}**.`);
}

lines.push("");
lines.push("## Cold start");
lines.push("");
lines.push("### 9. Import + init of each program, bundled, side by side (bench/cold/run.mjs)");
lines.push("");
lines.push(`What it measures: each program of \`scripts/size.mjs\` and its incumbents (\`bench/programs.mjs\`), bundled as for the sizes (from source, minified ESM, the user's tool settings), run by \`node bench/cold/harness.mjs\`: import of the bundle and its init (for Workers, also the first request), ${cold.rounds} rounds, every contender and the baseline (an empty module through the harness) once per round in rotated order. "In process": median time from before the import to the end of init, read inside the process (process start-up noise does not touch it). "Wall": median wall time of the process minus the baseline's. Target (issue 16): ours ≤ 0.5× the best official build of the same job. ${baselineText(cold)}.`);
lines.push("");
lines.push(...coldTable(cold));
for (const p of cold.programs) {
  const ours = p.contenders.find((c) => c.side === "ours" && !c.error);
  const official = p.contenders.find((c) => c.side.startsWith("official") && !c.error);
  if (!ours || !official) continue;
  const ratio = ours.inProcess / official.inProcess;
  verdicts.push({ what: `9. Cold start, ${p.name} — ≤ 0.5× official (in process)`, ratio, met: ratio <= 0.5 });
}

lines.push("");
lines.push("## Bundle size");
lines.push("");
lines.push("### 10. Bundle sizes side by side (gzip -9), bench/sizes.mjs");
lines.push("");
lines.push("What it measures: each program of `scripts/size.mjs` (ours, from source) and the same job written with each incumbent's newest packages (`bench/programs.mjs`), bundled by the same `measure()` with the same esbuild and tool settings. Ratio = ours ÷ incumbent; target from issue 16.");
lines.push("");
lines.push(...sizeTable(sizeRows));
lines.push("");
for (const r of sizeRows) for (const i of r.incumbents) if (i.note) lines.push(`- ${r.name}, ${i.name}: ${i.note}`);
lines.push("");
// The ratios at a glance: the end of RESULTS.md, and the generated part of bench/README.md.
const glance = ["| case — target | ours ÷ theirs | verdict |", "|---|---:|---|"];
for (const v of verdicts) glance.push(`| ${v.what} | ${v.ratio.toFixed(2)}${v.value ? ` (${v.value})` : ""} | ${v.met ? "met" : "**missed**"} |`);
const sizeGlance = sizeTable(sizeRows);
const coldGlance = coldTable(cold);
lines.push("## Targets at a glance");
lines.push("");
lines.push(...glance);
lines.push("");
lines.push(`Total run time: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
lines.push("");

writeFileSync(`${benchDir}RESULTS.md`, lines.join("\n"));
log(`wrote bench/RESULTS.md (${verdicts.filter((v) => v.met).length}/${verdicts.length} targets met)`);

const readmePath = `${benchDir}README.md`;
const START = "<!-- ratios:start (generated by npm run bench) -->";
const END = "<!-- ratios:end -->";
const readme = readFileSync(readmePath, "utf8");
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`bench/README.md lacks the ${START} ... ${END} markers`);
const ratios = [
  `From the run of ${new Date().toISOString().slice(0, 10)} at commit ${commit} (${cpus.length} cores; speed and memory workers on Node ${workerNode.path === process.execPath ? process.version : WORKER_NODE_VERSION}, the rest on Node ${process.version}); details in [RESULTS.md](RESULTS.md).`,
  "",
  ...glance,
  "",
  ...sizeGlance,
  "",
  ...coldGlance,
];
writeFileSync(readmePath, `${readme.slice(0, from + START.length)}\n${ratios.join("\n")}\n${readme.slice(to)}`);
log("updated the ratios in bench/README.md");
