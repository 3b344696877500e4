// Bundles the floor program as wrangler does (the settings of scripts/size.mjs for Workers) and
// prints its size beside ours: `node bench/floor/measure.mjs`. See the "Floor" section of
// bench/README.md for what it is and is not.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { measureProgram } from "../../scripts/size.mjs";

const here = new URL(".", import.meta.url).pathname;
const source = `import { instrument } from "./workers-floor.mjs";
export default instrument({ async fetch() { return new Response("ok"); }, async scheduled() {}, async queue() {} }, (env) => ({ env, serviceName: "edge-api" }));`;
const result = await build({
  stdin: { contents: source, resolveDir: here, loader: "js" },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  write: false,
  conditions: ["workerd", "worker", "browser"],
  external: ["node:*"],
  legalComments: "none",
  logLevel: "silent",
});
const code = result.outputFiles[0].contents;
const ours = await measureProgram("Workers instrument(handler)");
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
console.log(`floor (bench/floor/workers-floor.mjs): ${code.length} B min, ${kib(gzipSync(code, { level: 9 }).length)} gzip -9`);
console.log(`ours  (Workers instrument(handler)):   ${ours.min} B min, ${kib(ours.gzip)} gzip -9`);
