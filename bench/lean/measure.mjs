// Size of the lean Workers programs and of each lean module, bundled as wrangler does (the
// settings of scripts/size.mjs for Workers), beside ours: `node bench/lean/measure.mjs [module.ts …]`.
// With module names, each is bundled alone with all its exports kept (its own cost).
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
async function size(entry, contents) {
  const r = await build({ ...settings, ...(contents ? { stdin: { contents, resolveDir: here, loader: "ts" } } : { entryPoints: [here + entry] }) });
  const code = r.outputFiles[0].contents;
  const inputs = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).map(([f, v]) => [f.replace(/^.*bench\/lean\//, ""), v.bytesInOutput]);
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}
const modules = process.argv.slice(2);
if (modules.length) {
  for (const m of modules) { const s = await size(m); console.log(`${m}: ${s.min} B min, ${s.gzip} B gzip (${kib(s.gzip)})`); }
} else {
  // Each lean program beside ours (the scripts/size.mjs program it reproduces), by module.
  const programs = [
    ["program.ts", "Workers instrument(handler)", "instrument.ts"],
    ["program-metrics.ts", "Workers init + traces + metrics", "metrics.ts"],
  ];
  for (const [file, name, needs] of programs) {
    if (!existsSync(here + needs)) {
      console.log(`bench/lean/${needs} not written yet; pass module names to measure them alone`);
      continue;
    }
    const lean = await size(file);
    const ours = await measureProgram(name);
    console.log(`lean (bench/lean/${file}):`.padEnd(40) + `${lean.min} B min, ${lean.gzip} B gzip (${kib(lean.gzip)})`);
    console.log(`ours (${name}):`.padEnd(40) + `${ours.min} B min, ${ours.gzip} B gzip (${kib(ours.gzip)})`);
    for (const [f, b] of lean.inputs.sort((a, b) => b[1] - a[1])) console.log(`  ${String(b).padStart(6)}  ${f}`);
  }
}
