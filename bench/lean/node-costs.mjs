// What each Node guarantee costs in program-node.ts (the "Node quick start" program on the lean
// core): the program bundled as scripts/size.mjs bundles it (`platform: "node"`), then again with
// each guarantee cut out by a source edit, min / gzip differences. `node bench/lean/node-costs.mjs`
import { printCosts } from "./costs.mjs";

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

await printCosts("program-node.ts", "node", Object.fromEntries(CUTS));
