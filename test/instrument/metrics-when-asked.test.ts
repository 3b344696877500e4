// The HTTP and Workers instrumentations record their duration histograms only through a meter
// provider that is there (issue 16): an explicit `meterProvider`, else the one registered with
// `metrics.setGlobalMeterProvider()` — looked up at each recording — and none at all when the
// program did not ask for metrics. Their bundles never carry the metrics API or SDK.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { metrics } from "../../src/metrics/metrics-api.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import { registeredMeterProvider } from "../../src/metrics/registered-meter-provider.ts";
import { createTelemetry, histogramCount, startServer } from "./helpers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const t = createTelemetry();

test.after.each(() => metrics.disable());

test("no meter provider anywhere: spans are recorded, no duration, nothing thrown", async () => {
  assert.is(registeredMeterProvider(), undefined);
  const handler = instrumentHandler(() => new Response("ok"), { tracerProvider: t.tracerProvider });
  assert.is(await handler(new Request("http://app.test/a")).text(), "ok");
  const server = await startServer();
  try {
    const traced = instrumentFetch(fetch, { tracerProvider: t.tracerProvider });
    assert.is((await traced(`${server.url}/status/200`)).status, 200);
  } finally {
    await server.close();
  }
  await t.tracerProvider.forceFlush();
  assert.equal(t.exporter.getFinishedSpans().map((s) => s.kind).sort(), [1, 2]);
});

test("a meter provider registered after the instrumentation started is used from then on, until disabled", async () => {
  const handler = instrumentHandler(() => new Response("ok"), { tracerProvider: t.tracerProvider });
  await handler(new Request("http://app.test/before"));
  const reader = new ManualMetricReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  await handler(new Request("http://app.test/one"));
  await handler(new Request("http://app.test/two"));
  assert.is(await histogramCount(reader, "http.server.request.duration"), 2);
  metrics.disable();
  await handler(new Request("http://app.test/after"));
  assert.is(await histogramCount(reader, "http.server.request.duration"), 2);
});

test("an explicit meterProvider wins over the registered one", async () => {
  const registered = new ManualMetricReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [registered] }));
  const handler = instrumentHandler(() => new Response("ok"), { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  await handler(new Request("http://app.test/explicit"));
  assert.is(await histogramCount(t.reader, "http.server.request.duration"), 1);
  assert.is(await histogramCount(registered, "http.server.request.duration"), 0);
});

test("bundles of the instrumentations carry neither the metrics API nor the metrics SDK", async () => {
  const programs = {
    "fetch + handler": `import { instrumentFetch, instrumentHandler, instrumentNodeListener } from "./mod.ts"; export { instrumentFetch, instrumentHandler, instrumentNodeListener };`,
    "Workers instrument": `import { instrument } from "./src/runtime/workers.ts"; export default instrument({ async fetch() { return new Response("ok"); }, async scheduled() {}, async queue() {} }, (env) => ({ env, serviceName: "edge-api" }));`,
  };
  for (const [name, contents] of Object.entries(programs)) {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: "js" },
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      external: ["node:*"],
      logLevel: "silent",
    });
    const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
      .filter(([, info]) => info.bytesInOutput > 0)
      .map(([path]) => path);
    const metricsModules = inputs.filter((p) => p.includes("src/metrics/") && !p.endsWith("registered-meter-provider.ts") && !p.endsWith("temporality-preference.ts"));
    assert.equal(metricsModules, [], `${name} bundles ${metricsModules.join(", ")}`);
  }
});

test.run();
