// What a metrics program bundles follows what it imports (DESIGN, "Pay for what you use"): a
// provider without views carries no view machinery, and the exponential histogram and summary
// aggregations come in only with their import. Bundled with esbuild as scripts/size.mjs does
// (ESM, tree-shaken, es2022), with syntax minification only, so kept declarations keep their names.
import { build } from "esbuild";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = new URL("../..", import.meta.url).pathname;

async function declarations(program: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: program, resolveDir: root, sourcefile: "program.mjs", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    treeShaking: true,
    minifySyntax: true,
    write: false,
    logLevel: "silent",
  });
  return [...result.outputFiles[0]!.text.matchAll(/^(?:var|let|const|function|async function|class) ([\w$]+)/gm)].map((m) => m[1]!);
}

const OPTIONAL = ["view", "createAggregator", "createExponentialHistogramAggregator", "createSummaryAggregator", "mapToIndex", "aggregationByName"];

test("a provider with the default aggregations bundles no view machinery and no other aggregation", async () => {
  const kept = await declarations(
    [
      `import { MeterProvider } from "./src/metrics/meter-provider.ts";`,
      `const meter = new MeterProvider().getMeter("app");`,
      `meter.createCounter("c").add(1);`,
      `meter.createHistogram("h").record(1);`,
      `meter.createGauge("g").record(1);`,
    ].join("\n"),
  );
  assert.ok(kept.includes("defaultAggregator"), "the default aggregations are there");
  assert.equal(kept.filter((d) => OPTIONAL.includes(d)), []);
});

test("a view with an imported exponential histogram brings that aggregation, not the summary or the by-name mapping", async () => {
  const kept = await declarations(
    [
      `import { MeterProvider } from "./src/metrics/meter-provider.ts";`,
      `import { view } from "./src/metrics/view.ts";`,
      `import { exponentialHistogram } from "./src/metrics/aggregation/exponential-histogram.ts";`,
      `export const provider = new MeterProvider({ views: [view({ instrumentName: "h", aggregation: exponentialHistogram() })] });`,
    ].join("\n"),
  );
  for (const d of ["view", "createExponentialHistogramAggregator"]) assert.ok(kept.includes(d), d);
  for (const d of ["createSummaryAggregator", "aggregationByName"]) assert.not.ok(kept.includes(d), d);
});

test.run();
