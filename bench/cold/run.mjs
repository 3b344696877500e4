// Cold start side by side (issue 16): import + init() of each program of scripts/size.mjs,
// bundled, against the incumbents' best build of the same job (bench/programs.mjs: ESM,
// tree-shaken, the newest line that runs here), measured in one run.
//
// Each program is bundled exactly as bench/sizes.mjs measures it (scripts/size.mjs `measure()`,
// the user's tool settings, minified ESM), plus what Node needs to run it: on every side a
// banner giving the bundle a `require` (esbuild turns a CommonJS package's `require("events")`
// into a call that fails in an ES module otherwise), and `cloudflare:*` imports bundled from
// stubs (workerd provides them, Node cannot load them; only otel-cf-workers imports one). The
// Prometheus program listens on port 0 instead of 9464 (runs must not collide). Then
// `node bench/cold/harness.mjs <bundle> <tool>` is spawned for every contender, round after
// round, the contender order rotated each round, and also with an empty module per tool (the
// baseline: Node's own start-up plus the harness's). Per contender: the median wall time of the
// process minus the baseline's, and the median in-process time from before the import to the
// end of init (and of the first request, for Workers), which process start-up noise does not
// touch.
//
// Usage: node bench/cold/run.mjs [program-substring]   (BENCH_COLD_RUNS rounds, default 41;
// run `node bench/install.mjs` first)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { nodeLinePath } from "../../scripts/node-lines.mjs";
import { measure, programs } from "../../scripts/size.mjs";
import { incumbentPrograms } from "../programs.mjs";
import { measureIncumbent } from "../sizes.mjs";

const benchDir = new URL("..", import.meta.url).pathname;
const outDir = `${benchDir}.tmp/cold/`;
const harness = `${benchDir}cold/harness.mjs`;

const REQUIRE_BANNER = `import { createRequire as __coldCreateRequire } from "node:module"; const require = __coldCreateRequire(import.meta.url);`;

/** Bundles `cloudflare:workers` from a stub: workerd provides it, Node cannot load it. */
const cloudflareStub = {
  name: "cloudflare-stub",
  setup(b) {
    b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cloudflare-stub" }));
    b.onLoad({ filter: /.*/, namespace: "cloudflare-stub" }, () => ({ contents: "export class DurableObject {} export class WorkerEntrypoint {}", loader: "js" }));
  },
};

/** Programs not timed in Node, and why. */
const NOT_IN_NODE = {
  "Browser initRum()": "Elastic's init() does nothing outside a browser (it checks for one), so Node cannot compare them; RUM start-up is measured in Chromium (issue 16)",
};

/**
 * The size-first core's versions of the programs (bench/lean, issue 16), timed beside ours and the
 * incumbents where they exist: the file, relative to the repository root, exporting the program.
 */
const LEAN_PROGRAMS = {
  "Workers instrument(handler)": "bench/lean/program.ts",
  "Workers init + traced handler": "bench/lean/program-init.ts",
  "Workers init + traces + metrics": "bench/lean/program-metrics.ts",
  "Browser init + traced fetch": "bench/lean/program-browser.ts",
  "Traces only, hand-wired": "bench/lean/program-hand-wired.ts",
  "Prometheus only": "bench/lean/program-prometheus.ts",
  "Node quick start": "bench/lean/program-node.ts",
};

/** The entry that bundles a lean program: its exports, its default export where it has one. */
const leanEntry = (file) =>
  `export * from "./${file}";` + (/^export default /m.test(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8")) ? ` export { default } from "./${file}";` : "");

/** The same edit on both sides: listen on a free port, not 9464 (runs and other work must not collide). */
const coldSource = (source) => source.replace(".listen(9464)", ".listen(0)");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The Node the harness runs on: 22.x from scripts/node-lines.mjs when installed (the official 3.x
 * line declares node >= 22.15), else the one running this script.
 */
export function coldNode() {
  const line = nodeLinePath("22.23.5");
  return existsSync(line) ? line : process.execPath;
}

/** Spawns the harness with `node`; returns wall and in-process milliseconds. */
function runOnce(bundle, tool, node) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, [harness, bundle, tool], { encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node harness.mjs ${bundle} ${tool} exited ${r.status}: ${r.stderr.trim().split("\n").slice(0, 6).join(" | ")}`);
  return { wall, inProcess: JSON.parse(r.stdout.trim().split("\n").pop()).ms };
}

/** Builds every contender's bundle; contenders that do not run in Node are reported, not timed. */
async function buildContenders(filter, log, node) {
  mkdirSync(outDir, { recursive: true });
  const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const groups = [];
  for (const [name, program] of Object.entries(programs)) {
    if (filter && !name.toLowerCase().includes(filter.toLowerCase())) continue;
    if (NOT_IN_NODE[name]) {
      log?.(`cold start: ${name}: not timed: ${NOT_IN_NODE[name]}`);
      groups.push({ name, tool: program.tool, skipped: NOT_IN_NODE[name], contenders: [] });
      continue;
    }
    const overrides = { banner: { js: REQUIRE_BANNER } };
    const contenders = [];
    const lean = LEAN_PROGRAMS[name];
    const sides = [
      { side: "ours", build: () => measure(coldSource(program.source), program.tool, overrides) },
      ...(lean && existsSync(new URL(`../../${lean}`, import.meta.url))
        ? [{ side: "lean core (bench/lean)", build: () => measure(leanEntry(lean), program.tool, overrides) }]
        : []),
      ...(incumbentPrograms[name] ?? []).map((inc) => ({
        side: inc.name,
        build: () => measureIncumbent({ ...inc, source: coldSource(inc.source) }, program.tool, { ...overrides, plugins: [cloudflareStub] }),
      })),
    ];
    for (const s of sides) {
      const file = `${outDir}${slug(name)}--${slug(s.side)}.mjs`;
      try {
        const m = await s.build();
        writeFileSync(file, m.code);
        runOnce(file, program.tool, node); // does it run here at all?
        contenders.push({ side: s.side, file, bytes: m.min, gzip: m.gzip });
      } catch (e) {
        contenders.push({ side: s.side, error: String(e.message ?? e).split("\n")[0].slice(0, 300) });
      }
    }
    log?.(`cold start: ${name}: ${contenders.map((c) => (c.error ? `${c.side} (does not run in Node: ${c.error.slice(0, 120)})` : c.side)).join(", ")}`);
    groups.push({ name, tool: program.tool, contenders });
  }
  return groups;
}

/**
 * Runs the comparison: `rounds` rounds; each round spawns the baseline and every runnable
 * contender of every program, the order rotated round by round. Returns
 * `{ rounds, baseline: { [tool]: median wall ms }, programs: [{ name, tool, contenders: [{ side, bytes, gzip, wall, inProcess, inProcessMin, aboveBaseline } | { side, error }], skipped? }] }`.
 */
export async function coldStart({ rounds = Number(process.env.BENCH_COLD_RUNS ?? 41), filter, log, node = coldNode() } = {}) {
  const groups = await buildContenders(filter, log, node);
  const empty = `${outDir}empty.mjs`;
  writeFileSync(empty, "export {};\n");
  const tools = [...new Set(groups.filter((g) => g.contenders.some((c) => !c.error)).map((g) => g.tool))];
  const jobs = tools.map((tool) => ({ key: `baseline\u0000${tool}`, file: empty, tool }));
  for (const g of groups) for (const c of g.contenders) if (!c.error) jobs.push({ key: `${g.name}\u0000${c.side}`, file: c.file, tool: g.tool });
  const samples = Object.fromEntries(jobs.map((j) => [j.key, { wall: [], inProcess: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(k + r) % jobs.length];
      const s = runOnce(job.file, job.tool, node);
      samples[job.key].wall.push(s.wall);
      samples[job.key].inProcess.push(s.inProcess);
    }
    if (log && (r + 1) % 10 === 0) log(`cold start: ${r + 1}/${rounds} rounds`);
  }
  const baseline = Object.fromEntries(tools.map((tool) => [tool, median(samples[`baseline\u0000${tool}`].wall)]));
  return {
    rounds,
    baseline,
    programs: groups.map((g) => ({
      name: g.name,
      tool: g.tool,
      skipped: g.skipped,
      contenders: g.contenders.map((c) => {
        if (c.error) return c;
        const s = samples[`${g.name}\u0000${c.side}`];
        const wall = median(s.wall);
        return { ...c, wall, aboveBaseline: wall - baseline[g.tool], inProcess: median(s.inProcess), inProcessMin: Math.min(...s.inProcess) };
      }),
    })),
  };
}

/** The baselines, one per tool: an empty module through the harness. */
export const baselineText = (result) =>
  `Baseline (an empty module through the harness), median wall time: ${Object.entries(result.baseline).map(([tool, ms]) => `${tool} ${ms.toFixed(1)} ms`).join(", ")}`;

/** Markdown table: per program and incumbent, ours ÷ incumbent on both measures (target ≤ 0.5). */
export function coldTable(result) {
  const f = (x) => x.toFixed(1);
  const lines = [
    `| program | contender | bundle (minified) | import + init in process, median (ms) | in process, min (ms) | process wall time minus baseline, median (ms) | ours ÷ this: in process median / min / wall |`,
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const p of result.programs) {
    if (p.skipped) {
      lines.push(`| ${p.name} | — | — | not timed: ${p.skipped} | — | — | — |`);
      continue;
    }
    const ours = p.contenders.find((c) => c.side === "ours");
    for (const c of p.contenders) {
      if (c.error) {
        lines.push(`| ${p.name} | ${c.side} | — | does not run in Node: ${c.error.replace(/\|/g, "/")} | — | — | — |`);
        continue;
      }
      const ratios = ours && !ours.error && c.side !== "ours" ? [ours.inProcess / c.inProcess, ours.inProcessMin / c.inProcessMin, ours.aboveBaseline / c.aboveBaseline].map((r) => r.toFixed(2)).join(" / ") : "—";
      lines.push(`| ${p.name} | ${c.side} | ${c.bytes} B | ${f(c.inProcess)} | ${f(c.inProcessMin)} | ${f(c.aboveBaseline)} | ${ratios} |`);
    }
  }
  return lines;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const log = (msg) => process.stderr.write(`${msg}\n`);
  const node = coldNode();
  const result = await coldStart({ filter: process.argv[2], log, node });
  console.log(`${baselineText(result)}; ${result.rounds} rounds, ${node}\n`);
  console.log(coldTable(result).join("\n"));
}
