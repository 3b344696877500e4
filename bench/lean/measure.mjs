// Size of the lean Workers and browser programs and of each lean module, bundled as the user's
// tool does (the settings of scripts/size.mjs: wrangler's for Workers, `platform: "browser"` for
// pages), beside ours: `node bench/lean/measure.mjs [--browser] [module.ts …]`.
// With module names, each is bundled alone with all its exports kept (its own cost; Workers
// settings, or the browser's with --browser).
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { measureProgram } from "../../scripts/size.mjs";

const here = new URL(".", import.meta.url).pathname;
const settings = {
  bundle: true, minify: true, format: "esm", target: "es2022", write: false, metafile: true,
  conditions: ["workerd", "worker", "browser"], external: ["node:*"], legalComments: "none", logLevel: "silent",
};
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
// scripts/size.mjs's "browser" tool: esbuild's browser platform, its default conditions.
const { conditions, ...common } = settings;
const browserSettings = { ...common, platform: "browser" };
async function size(entry, contents, browser) {
  const r = await build({ ...(browser ? browserSettings : settings), ...(contents ? { stdin: { contents, resolveDir: here, loader: "ts" } } : { entryPoints: [here + entry] }) });
  const code = r.outputFiles[0].contents;
  const inputs = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).map(([f, v]) => [f.replace(/^.*bench\/lean\//, ""), v.bytesInOutput]);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}
const browserOnly = process.argv.includes("--browser");
const modules = process.argv.slice(2).filter((a) => a != "--browser");
if (modules.length) {
  for (const m of modules) { const s = await size(m, undefined, browserOnly); console.log(`${m}: ${s.min} B min, ${s.gzip} B gzip (${kib(s.gzip)})`); }
} else if (existsSync(here + "instrument.ts")) {
  const lean = await size("program.ts");
  const ours = await measureProgram("Workers instrument(handler)");
  console.log(`lean (bench/lean/program.ts):         ${lean.min} B min, ${lean.gzip} B gzip (${kib(lean.gzip)})`);
  console.log(`ours (Workers instrument(handler)):   ${ours.min} B min, ${ours.gzip} B gzip (${kib(ours.gzip)})`);
  for (const [f, b] of lean.inputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(b).padStart(6)}  ${f}`);
}
if (!modules.length && existsSync(here + "browser.ts")) {
  const lean = await size("program-browser.ts", undefined, true);
  const ours = await measureProgram("Browser init + traced fetch");
  console.log(`lean (bench/lean/program-browser.ts): ${lean.min} B min, ${lean.gzip} B gzip (${kib(lean.gzip)})`);
  console.log(`ours (Browser init + traced fetch):   ${ours.min} B min, ${ours.gzip} B gzip (${kib(ours.gzip)})`);
  for (const [f, b] of lean.inputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(b).padStart(6)}  ${f}`);
}
if (!modules.length && !existsSync(here + "instrument.ts")) console.log("bench/lean/instrument.ts not written yet; pass module names to measure them alone");
