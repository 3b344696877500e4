// Size of every lean program and of each lean module, bundled as the user's tool does (the
// settings of scripts/size.mjs: wrangler's conditions for Workers, `platform: "browser"` for
// pages, `platform: "neutral"` for the hand-wired core, `platform: "node"` for node servers), beside the product's program of the
// same name (scripts/size.mjs `measureProgram(name)`): `node bench/lean/measure.mjs [--browser|--node] [module.ts …]`.
// With module names, each is bundled alone with all its exports kept (its own cost; Workers
// settings, or the browser's with --browser, node's with --node).
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { measureProgram, programs } from "../../scripts/size.mjs";

const here = new URL(".", import.meta.url).pathname;
const common = { bundle: true, minify: true, format: "esm", target: "es2022", write: false, metafile: true, external: ["node:*"], legalComments: "none", logLevel: "silent" };
/** scripts/size.mjs's tools: wrangler's conditions; esbuild's browser and neutral platforms with their default conditions. */
const TOOLS = {
  workers: { ...common, conditions: ["workerd", "worker", "browser"] },
  browser: { ...common, platform: "browser" },
  neutral: { ...common, platform: "neutral" },
  node: { ...common, platform: "node" },
};
/** Each lean program and the product's program (scripts/size.mjs) doing the same job. */
const PROGRAMS = [
  ["program.ts", "Workers instrument(handler)"],
  ["program-init.ts", "Workers init + traced handler"],
  ["program-metrics.ts", "Workers init + traces + metrics"],
  ["program-browser.ts", "Browser init + traced fetch"],
  ["program-rum.ts", "Browser initRum()"],
  ["program-hand-wired.ts", "Traces only, hand-wired"],
  ["program-prometheus.ts", "Prometheus only"],
  ["program-node.ts", "Node quick start"],
];
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
async function size(entry, tool) {
  const r = await build({ ...TOOLS[tool], entryPoints: [here + entry] });
  const code = r.outputFiles[0].contents;
  const inputs = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).map(([f, v]) => [f.replace(/^.*bench\/lean\//, ""), v.bytesInOutput]);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}
const browserOnly = process.argv.includes("--browser");
const nodeOnly = process.argv.includes("--node");
const modules = process.argv.slice(2).filter((a) => a != "--browser" && a != "--node");
if (modules.length) {
  for (const m of modules) { const s = await size(m, browserOnly ? "browser" : nodeOnly ? "node" : "workers"); console.log(`${m}: ${s.min} B min, ${s.gzip} B gzip (${kib(s.gzip)})`); }
} else {
  const rows = [];
  for (const [file, name] of PROGRAMS) {
    if (!existsSync(here + file)) { console.log(`bench/lean/${file} not written yet`); continue; }
    const { tool, target, incumbent } = programs[name];
    const lean = await size(file, tool);
    const ours = await measureProgram(name);
    rows.push({ name, file, tool, lean, ours, target, incumbent });
    console.log(`${name} (bundled as ${tool})`);
    console.log(`  lean (bench/lean/${file}):`.padEnd(44) + `${lean.min} B min, ${lean.gzip} B gzip (${kib(lean.gzip)})`);
    console.log(`  ours (scripts/size.mjs):`.padEnd(44) + `${ours.min} B min, ${ours.gzip} B gzip (${kib(ours.gzip)})`);
    for (const [f, b] of lean.inputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(b).padStart(6)}  ${f}`);
  }
  console.log("\n| program | lean min / gzip | product min / gzip | target (gzip) | incumbent |\n|---|---|---|---|---|");
  for (const r of rows)
    console.log(`| ${r.name} (\`${r.file}\`) | ${r.lean.min} / ${r.lean.gzip} B (${kib(r.lean.gzip)}) | ${r.ours.min} / ${r.ours.gzip} B (${kib(r.ours.gzip)}) | ${kib(r.target)} | ${r.incumbent} |`);
}
