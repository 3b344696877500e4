// Size report: the gzip size of the programs users write (DESIGN.md, "Pay for what you use";
// issue 16), each bundled the way the user's tool bundles it, beside the incumbents doing the
// same job and the target. Sizes are part of the API: test/size.test.ts enforces them.
//
// Every program imports `otel-edge` exactly as the README shows; the import is resolved through
// the package's own `exports` map with the conditions of the user's tool, to the SOURCE file of
// that entry (so no build is needed and the figures follow the code). Then esbuild bundles it:
// `bundle`, `minify`, tree-shaking, `format: "esm"`, `target: "es2022"`, no legal comments,
// gzip level 9. Per program:
// - Workers: as wrangler does it — conditions `workerd`, `worker`, `browser`; esbuild's default
//   platform (browser);
// - pages: `platform: "browser"`;
// - Node: `platform: "node"`;
// - hand-wired: `platform: "neutral"` (the core entry).
// The incumbents' figures are the smallest build of the same job (ESM through the `module`
// condition, tree-shaken, newest line that runs here), measured side by side by bench/sizes.mjs
// on 2026-12-06 with the versions named (bench/README.md).
//
// Usage: node scripts/size.mjs [--json] [--breakdown[=N]] [--no-check]
//   --breakdown[=N]  per-module contribution (top N, default 25) of each program
//   --json           machine-readable result on stdout
//   --no-check       print only; exit 0 even over a target
//   --markdown       docs/programs.md: each program as the user writes it, with its figures
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);

const KiB = 1024;

/** How each kind of program is bundled (see the header). */
const TOOLS = {
  workers: { conditions: ["workerd", "worker", "browser"] },
  browser: { platform: "browser" },
  node: { platform: "node" },
  neutral: { platform: "neutral" },
};

/**
 * The programs users write, as the README shows them. `target`: the gzip size to stay under
 * (issue 16); `incumbent`: the smallest incumbent doing the same job.
 */
export const programs = {
  "Workers instrument(handler)": {
    tool: "workers",
    target: 9 * KiB,
    incumbent: "18.4 KB official 3.1 / 16.7 KB otel-cf-workers rc.52",
    source: `import { instrument } from "otel-edge";

export default instrument(
  {
    async fetch(request, env, ctx) { return new Response("ok"); },
    async scheduled(controller, env, ctx) {},
    async queue(batch, env, ctx) {},
  },
  (env) => ({ env, serviceName: "edge-api" }),
);
`,
  },
  "Workers init + traced handler": {
    tool: "workers",
    target: 8 * KiB,
    incumbent: "18.1 KB official 3.1 / 16.7 KB otel-cf-workers rc.52",
    source: `import { init, flushInWaitUntil, trace } from "otel-edge";

export default {
  async fetch(request, env, ctx) {
    init({ env, serviceName: "edge-api" }); // once per isolate; later calls return the same SDK
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      flushInWaitUntil(ctx);
    }
  },
};
`,
  },
  "Workers init + traces + metrics": {
    tool: "workers",
    target: 14 * KiB,
    incumbent: "31.1 KB official 3.1",
    source: `import { init, flushInWaitUntil, metrics, metricsSdk, trace } from "otel-edge";

const meter = metrics.getMeter("edge-api");
const requests = meter.createCounter("app.requests", { unit: "{request}" });
const latency = meter.createHistogram("app.latency", { unit: "ms" });

export default {
  async fetch(request, env, ctx) {
    init({ env, serviceName: "edge-api", parts: [metricsSdk()] });
    const started = performance.now();
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      requests.add(1, { "http.request.method": request.method });
      latency.record(performance.now() - started);
      flushInWaitUntil(ctx);
    }
  },
};
`,
  },
  "Browser init + traced fetch": {
    tool: "browser",
    target: 8 * KiB,
    incumbent: "22.2 KB official 3.0 (web)",
    source: `import { init, installFetchInstrumentation } from "otel-edge";

init({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
installFetchInstrumentation({ propagateTo: [location.origin] });
`,
  },
  "Browser initRum()": {
    tool: "browser",
    target: 16 * KiB,
    incumbent: "23.3 KB Elastic RUM 5.17, 57 KB Sentry, 67 KB Datadog",
    source: `import { initRum } from "otel-edge";

initRum({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
`,
  },
  "Traces only, hand-wired": {
    tool: "neutral",
    target: 8 * KiB,
    incumbent: "15.2 KB official 3.1",
    source: `import { BasicTracerProvider, BatchSpanProcessor, createOtlpTraceExporter, trace } from "otel-edge";

const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(createOtlpTraceExporter({ endpoint: "http://127.0.0.1:4318" }))],
});
trace.setGlobalTracerProvider(provider);
export { provider };
`,
  },
  "Node quick start": {
    tool: "node",
    target: 40 * KiB,
    incumbent: "36.8 KB official 3.1 (ESM; 86 KB as CommonJS 2.x)",
    source: `import { init, trace, metrics, createLog, SpanStatusCode } from "otel-edge";

const sdk = init({ serviceName: "checkout", serviceVersion: "1.4.0" });
const tracer = trace.getTracer("checkout");
const orders = metrics.getMeter("checkout").createCounter("orders.placed", { unit: "{order}" });
const log = createLog({ name: "checkout" });

export async function handle(orderId) {
  return tracer.startActiveSpan("process order", { attributes: { "order.id": orderId } }, async (span) => {
    try {
      orders.add(1, { "payment.method": "card" });
      log.info("order placed", { "order.id": orderId });
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      log.error("payment failed", err);
      throw err;
    } finally {
      span.end();
    }
  });
}

process.on("SIGTERM", () => sdk.shutdown());
`,
  },
  "Prometheus only": {
    tool: "node",
    target: 10 * KiB,
    incumbent: "19.0 KB prom-client 15.1",
    source: `import { MeterProvider, metrics } from "otel-edge";
import { prometheusHandler, toNodeListener } from "otel-edge/prometheus";
import { createServer } from "node:http";

const meterProvider = new MeterProvider();
metrics.setGlobalMeterProvider(meterProvider);
const meter = metrics.getMeter("checkout");
export const orders = meter.createCounter("orders.placed", { unit: "{order}" });
export const latency = meter.createHistogram("http.server.request.duration", { unit: "s" });

createServer(toNodeListener(prometheusHandler({ meterProvider }))).listen(9464);
`,
  },
};

/**
 * Regression ceilings (gzip bytes) for the programs not yet at their target: today's size
 * rounded up to the next half KiB. test/size.test.ts fails when a program grows past its
 * ceiling, and when a program at its target grows past the target. Lower a ceiling whenever a
 * change shrinks a program; raise one only for a feature that needs the bytes, and say so in
 * the commit message. A program without a ceiling is held to its target.
 */
export const ceilings = {
  "Workers instrument(handler)": 27.5 * KiB,
  "Workers init + traced handler": 23.5 * KiB,
  "Workers init + traces + metrics": 34 * KiB,
  "Browser init + traced fetch": 25 * KiB,
  "Browser initRum()": 34 * KiB,
  "Traces only, hand-wired": 15 * KiB,
  "Node quick start": 44.5 * KiB,
  "Prometheus only": 15 * KiB,
};

/** package.json `exports` target (dist file) → the source file it is built from (scripts/build.mjs). */
const SOURCE_OF = {
  "./dist/mod.js": "./mod.ts",
  "./dist/node.js": "./src/runtime/node.ts",
  "./dist/deno.js": "./src/runtime/deno.ts",
  "./dist/workers.js": "./src/runtime/workers.ts",
  "./dist/browser.js": "./src/runtime/browser.ts",
  "./dist/prometheus.js": "./src/export/prometheus/mod.ts",
  "./dist/opentracing.js": "./src/opentracing/mod.ts",
};

const packageExports = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).exports;

/** Node's rule: the first key of the conditions object that is active wins, recursively. */
function resolveExport(target, active) {
  if (typeof target === "string") return target;
  for (const [condition, next] of Object.entries(target)) {
    if (condition === "types") continue;
    if (active.has(condition)) {
      const found = resolveExport(next, active);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Resolves `otel-edge[/sub]` through the package's exports, with the tool's conditions, to the
 * entry's source file (`from: "dist"`: to the built file, what npm users install).
 */
function otelEdgeFromSource(active, from) {
  return {
    name: "otel-edge-from-source",
    setup(b) {
      b.onResolve({ filter: /^otel-edge(\/.*)?$/ }, (args) => {
        const sub = "." + args.path.slice("otel-edge".length);
        const entry = packageExports[sub];
        const dist = entry && resolveExport(entry, active);
        const source = dist && SOURCE_OF[dist];
        if (!source) return { errors: [{ text: `otel-edge has no export ${sub} for conditions ${[...active].join(", ")}` }] };
        return { path: new URL(from === "dist" ? dist : source, new URL("..", import.meta.url)).pathname };
      });
    },
  };
}

/** The conditions esbuild makes active for `tool` (its platform's, the tool's own, import + default). */
function activeConditions(tool) {
  const options = TOOLS[tool];
  const platform = options.platform ?? "browser";
  const platformConditions = platform === "node" ? ["node"] : platform === "browser" ? ["browser"] : [];
  return new Set([...(options.conditions ?? platformConditions), "import", "module", "default"]);
}

/**
 * Bundles `contents` (an ES module importing `otel-edge`) as `tool` does, and returns sizes and
 * the metafile. `overrides` change esbuild options (tests read the unminified bundle); `from`:
 * `"source"` (default) or `"dist"` (the built package).
 */
export async function measure(contents, tool = "neutral", overrides = {}, from = "source") {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: "size-program.mjs", loader: "js" },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    target: "es2022",
    external: ["node:*"],
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...TOOLS[tool],
    plugins: [otelEdgeFromSource(activeConditions(tool), from)],
    ...overrides,
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, code, metafile: result.metafile };
}

/** Bundles the program `name` of {@link programs}. */
export function measureProgram(name, overrides = {}) {
  const program = programs[name];
  return measure(program.source, program.tool, overrides);
}

/**
 * Per-module contribution: minified bytes from the metafile, and each module's gzip share
 * (its share of the minified bytes applied to the real gzip total: gzip has no per-module size).
 */
function breakdown(metafile, totalGzip) {
  const output = Object.values(metafile.outputs)[0];
  const rows = Object.entries(output.inputs)
    .map(([path, info]) => ({ path, min: info.bytesInOutput }))
    .filter((r) => r.min > 0)
    .sort((a, b) => b.min - a.min);
  const totalMin = rows.reduce((s, r) => s + r.min, 0);
  for (const r of rows) r.gzipShare = Math.round((r.min / totalMin) * totalGzip);
  return rows;
}

const kib = (n) => `${(n / KiB).toFixed(1)} KiB`;

/**
 * docs/programs.md: every program exactly as measured (test/size.test.ts checks the code blocks
 * against `programs`), so a user who copies one gets the measured size.
 */
export function programsMarkdown(rows) {
  const lines = [
    "# The programs users write, and what they weigh",
    "",
    "Each program below is bundled by `node scripts/size.mjs` exactly as written here, the way the",
    "user's tool bundles it (Workers: wrangler's conditions `workerd, worker, browser`; pages:",
    '`platform: "browser"`; Node: `platform: "node"`), minified, gzip -9. The targets are part of the',
    "API (DESIGN.md, \"Pay for what you use\"); `test/size.test.ts` holds every program to its target, or",
    "to a regression ceiling until the target is reached. Regenerate with",
    "`node scripts/size.mjs --markdown > docs/programs.md`.",
    "",
    "| program | bundled as | ours (gzip) | target | smallest incumbent doing the same job |",
    "|---|---|---:|---:|---|",
    ...rows.map((r) => `| ${r.name} | ${r.tool} | ${kib(r.gzip)} | ${kib(r.target)} | ${r.incumbent} |`),
    "",
  ];
  for (const [name, program] of Object.entries(programs)) {
    lines.push(`## ${name}`, "", "```js", program.source.trimEnd(), "```", "");
  }
  return lines.join("\n");
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const noCheck = args.includes("--no-check");
  const breakdownArg = args.find((a) => a.startsWith("--breakdown"));
  const top = breakdownArg ? Number(breakdownArg.split("=")[1] ?? 25) || 25 : 0;

  const rows = [];
  const measured = {};
  for (const [name, program] of Object.entries(programs)) {
    const m = await measureProgram(name);
    measured[name] = m;
    rows.push({ name, tool: program.tool, min: m.min, gzip: m.gzip, target: program.target, incumbent: program.incumbent });
  }
  const over = rows.filter((r) => r.gzip > r.target);

  if (args.includes("--markdown")) {
    console.log(programsMarkdown(rows));
  } else if (json) {
    console.log(JSON.stringify({ rows, over: over.map((r) => r.name) }, null, 2));
  } else {
    const width = Math.max(...rows.map((r) => r.name.length));
    console.log(`${"program (gzip -9)".padEnd(width)}  ${"bundled as".padEnd(10)}  ${"min".padStart(10)}  ${"gzip".padStart(10)}  ${"target".padStart(9)}  status              incumbent`);
    for (const r of rows) {
      const status = r.gzip > r.target ? `OVER by ${kib(r.gzip - r.target)}` : "ok";
      console.log(`${r.name.padEnd(width)}  ${r.tool.padEnd(10)}  ${kib(r.min).padStart(10)}  ${kib(r.gzip).padStart(10)}  ${kib(r.target).padStart(9)}  ${status.padEnd(18)}  ${r.incumbent}`);
    }
    if (top > 0) {
      for (const [name, m] of Object.entries(measured)) {
        console.log(`\n${name}: top ${top} modules (minified bytes; gzip share is proportional)`);
        for (const r of breakdown(m.metafile, m.gzip).slice(0, top)) {
          console.log(`  ${String(r.min).padStart(7)}  ${String(r.gzipShare).padStart(6)}  ${r.path}`);
        }
      }
    }
  }
  if (over.length > 0 && !noCheck) {
    console.error(`\nOver target: ${over.map((r) => `${r.name} ${kib(r.gzip)} > ${kib(r.target)}`).join("; ")}`);
    process.exit(1);
  }
}
