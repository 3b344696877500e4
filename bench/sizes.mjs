// Case 10: bundle sizes. Ours come from `scripts/size.mjs --json` (bundled from source);
// the official SDK's are the same two programs written with the official packages, bundled
// with the same esbuild settings (minify, tree-shaking, ESM, es2022, no legal comments),
// except `platform: "browser"` so the official packages resolve their fetch/browser builds
// (our size script uses "neutral"; our packages have no platform split for these programs).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";

const benchDir = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;

/** The official equivalents of the programs in scripts/size.mjs. */
export const officialPrograms = {
  "Traces only, hand-wired": [
    `import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";`,
    `import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";`,
    `import { trace, context } from "@opentelemetry/api";`,
    `const provider = new BasicTracerProvider({`,
    `  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: "http://127.0.0.1:4318/v1/traces" }))],`,
    `});`,
    `trace.setGlobalTracerProvider(provider);`,
    `export { trace, context, provider };`,
  ].join("\n"),
  // Traces, metrics and logs exported as OTLP/JSON plus Prometheus text rendering: the
  // official SDK has no `init()` for browsers/edge (sdk-node is Node-only), so the program
  // wires the providers by hand — less than our `init()` does (no env config, no resource
  // detection), which flatters the official number.
  "full SDK": [
    `import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";`,
    `import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";`,
    `import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";`,
    `import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";`,
    `import { LoggerProvider, BatchLogRecordProcessor } from "@opentelemetry/sdk-logs";`,
    `import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";`,
    `import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus/build/src/PrometheusSerializer.js";`,
    `import { trace, metrics } from "@opentelemetry/api";`,
    `import { logs } from "@opentelemetry/api-logs";`,
    `const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });`,
    `const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })] });`,
    `const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(new OTLPLogExporter())] });`,
    `trace.setGlobalTracerProvider(tracerProvider);`,
    `metrics.setGlobalMeterProvider(meterProvider);`,
    `logs.setGlobalLoggerProvider(loggerProvider);`,
    `export const serializer = new PrometheusSerializer();`,
    `export { trace, metrics, logs };`,
  ].join("\n"),
};

async function measureOfficial(contents) {
  const result = await build({
    stdin: { contents, resolveDir: benchDir, sourcefile: "official-size-program.mjs", loader: "js" },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Rows `{ name, ours: {min, gzip}, official?: {min, gzip} }`. */
export async function sizes() {
  const out = execFileSync(process.execPath, ["scripts/size.mjs", "--json", "--no-check"], { cwd: root, encoding: "utf8" });
  const ours = JSON.parse(out).rows;
  const rows = [];
  for (const r of ours) {
    const program = officialPrograms[r.name];
    let official;
    if (program) {
      try {
        official = await measureOfficial(program);
      } catch (e) {
        official = { error: String(e.message ?? e).split("\n")[0] };
      }
    }
    rows.push({ name: r.name, ours: { min: r.min, gzip: r.gzip }, official });
  }
  return rows;
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(JSON.stringify(await sizes(), null, 2));
