// What each Node guarantee costs in program-node.ts (the "Node quick start" program on the lean
// core): the program bundled as scripts/size.mjs bundles it (`platform: "node"`), then again with
// each guarantee cut out by a source edit, min / gzip differences. `node bench/lean/node-costs.mjs`
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const here = new URL(".", import.meta.url).pathname;
const common = { bundle: true, minify: true, format: "esm", target: "es2022", write: false, external: ["node:*"], legalComments: "none", logLevel: "silent", platform: "node" };
/** Each guarantee: [name, { file: [[from, to], …] }]. */
const CUTS = [
  ["OTEL_PROPAGATORS (W3C + B3 + Jaeger + global propagation API)", { "node-init.ts": [['propagation.setGlobalPropagator(propagatorFromEnv(read(env, "PROPAGATORS")));', ""]], "node.ts": [['export { propagation } from "./propagators.ts";', ""]] }],
  ["  of which B3 (single + multi) and Jaeger", { "propagators.ts": [["b3: b3(), b3multi: b3(1 as never), jaeger", ""]] }],
  ["OTEL_TRACES_SAMPLER (all samplers)", { "node-init.ts": [['config.sampler = envSampler(read(env, "TRACES_SAMPLER")?.toLowerCase(), read(env, "TRACES_SAMPLER_ARG"));', ""]] }],
  ["  of which the ratio sampler (consistent probability, ot=th)", { "samplers.ts": [[": ratio(p)", ": fixed(2)"]] }],
  ["console exporters (traces, logs)", { "node-init.ts": [['if (names.includes("console")) sinks.push({ onEnd: (s) => print(encodeSpans([s])), flush: async () => {} });', ""], ["if (toConsole) print(encodeLogs([r]));", ""]] }],
  ["exemplars (OTEL_METRICS_EXEMPLAR_FILTER, reservoirs; the encoder part stays)", { "node-init.ts": [['exemplars(read(env, "METRICS_EXEMPLAR_FILTER")?.toLowerCase())', "undefined"]] }],
  ["OTEL_LOG_LEVEL", { "node-init.ts": [['if (level == "none" || level == "error") mute();', ""], ['else if (level && !/^(warn|info|debug|verbose|all)$/.test(level)) warnOnce("ignored OTEL_LOG_LEVEL: unknown level");', ""]] }],
  ["timers (BSP/BLRP delays, metric interval, full batch) + beforeExit", { "node-init.ts": [["ms < 2 ** 31 && timers.push(setInterval(f, ms).unref())", "0"], ['process.once("beforeExit", flush);', ""], ['process.off("beforeExit", flush);', ""]] }],
];

async function size(cuts = {}) {
  const plugin = {
    name: "cut",
    setup(b) {
      b.onLoad({ filter: /bench\/lean\/[^/]+\.ts$/ }, (args) => {
        let text = readFileSync(args.path, "utf8");
        for (const [from, to] of cuts[args.path.slice(here.length)] ?? []) {
          if (!text.includes(from)) throw new Error(`${args.path}: not found: ${from}`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
  const r = await build({ ...common, entryPoints: [here + "program-node.ts"], plugins: [plugin] });
  const code = r.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const all = await size();
console.log(`program-node.ts: ${all.min} B min / ${all.gzip} B gzip\n\n| guarantee | min | gzip |\n|---|---|---|`);
for (const [name, cuts] of CUTS) {
  const s = await size(cuts);
  console.log(`| ${name} | ${all.min - s.min} | ${all.gzip - s.gzip} |`);
}
