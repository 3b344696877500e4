// Size of the lean programs and of each lean module, bundled as the user's tool does (the
// settings of scripts/size.mjs: wrangler for the Workers programs, `platform: "neutral"` for the
// hand-wired one), beside ours: `node bench/lean/measure.mjs [module.ts …]`.
// With module names, each is bundled alone with all its exports kept (its own cost), as wrangler does.
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
async function size(entry, contents, platform) {
  const r = await build({ ...settings, ...(platform && { platform, conditions: [] }), ...(contents ? { stdin: { contents, resolveDir: here, loader: "ts" } } : { entryPoints: [here + entry] }) });
  const code = r.outputFiles[0].contents;
  const inputs = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).map(([f, v]) => [f.replace(/^.*bench\/lean\//, ""), v.bytesInOutput]);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}
const modules = process.argv.slice(2);
if (modules.length) {
  for (const m of modules) { const s = await size(m); console.log(`${m}: ${s.min} B min, ${s.gzip} B gzip (${kib(s.gzip)})`); }
} else {
  // Each lean program beside the product's program of the same name (scripts/size.mjs).
  const PROGRAMS = [
    ["program.ts", "Workers instrument(handler)"],
    ["program-init.ts", "Workers init + traced handler"],
    ["program-hand-wired.ts", "Traces only, hand-wired", "neutral"],
  ];
  for (const [file, name, platform] of PROGRAMS) {
    if (!existsSync(here + file)) continue;
    const lean = await size(file, undefined, platform);
    const ours = await measureProgram(name);
    console.log(`${name}`);
    console.log(`  lean (bench/lean/${file}): ${lean.min} B min, ${lean.gzip} B gzip (${kib(lean.gzip)})`);
    console.log(`  ours:${" ".repeat(file.length + 13)}${ours.min} B min, ${ours.gzip} B gzip (${kib(ours.gzip)})`);
    for (const [f, b] of lean.inputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(b).padStart(6)}  ${f}`);
  }
}
