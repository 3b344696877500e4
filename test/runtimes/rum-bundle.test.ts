// What a default initRum() page bundles (scripts/size.mjs "Browser initRum()", bundled as a page
// gets it): the logs part (errors and browser.web_vital events are log records), and nothing of
// the metrics pipeline — the web_vitals.* histograms and the metrics part come only with the
// program's own imports (webVitalHistograms, metricsSdk).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { measureProgram } from "../../scripts/size.mjs";

type Measured = { metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> } };

test("a default initRum() bundles the logs part and no metrics part, metric reader, metrics encoder or web-vital histograms", async () => {
  const { metafile } = (await measureProgram("Browser initRum()")) as Measured;
  const inputs = Object.entries(Object.values(metafile.outputs)[0]!.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path]) => path);
  assert.ok(inputs.includes("src/sdk/logs-part.ts"), "errors and vitals are log records");
  assert.ok(inputs.includes("src/runtime/rum/web-vitals.ts"));
  const forbidden = [/^src\/sdk\/metrics-part\.ts$/, /web-vital-histograms\.ts$/, /^src\/metrics\/periodic-reader\.ts$/, /^src\/export\/otlp\/(metrics-encoder|otlp-metrics-exporter)\.ts$/, /^src\/metrics\/view\.ts$/];
  assert.equal(inputs.filter((p) => forbidden.some((re) => re.test(p))), []);
});

test.run();
