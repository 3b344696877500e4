// The package as users get it: `npm pack` holds only dist/ (bundles, chunks, .d.ts),
// README.md, LICENSE and package.json; the tarball installs offline into a fresh project
// (no dependencies); every entry imports and works in Node and in Bun, each export condition
// resolves to the bundle it should (Node, Bun and a bundler's conditions); and TypeScript
// users get types for every entry — under `nodenext` and `bundler` resolution, in a browser
// project (DOM lib, no Node types) and in a Workers project (@cloudflare/workers-types,
// no DOM, no Node types).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findBun } from "./bun/find-bun.mjs";
import { cleanEnv, describeRun, runChild } from "./bun/run-child.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** Entry specifier → the bundle Node and Bun must load for it. */
const RUNTIME_RESOLUTION: Record<string, string> = {
  "otel-edge": "dist/node.js",
  "otel-edge/node": "dist/node.js",
  "otel-edge/deno": "dist/deno.js",
  "otel-edge/workers": "dist/workers.js",
  "otel-edge/browser": "dist/browser.js",
  "otel-edge/prometheus": "dist/prometheus.js",
  "otel-edge/opentracing": "dist/opentracing.js",
};
const ENTRIES = Object.keys(RUNTIME_RESOLUTION);

/**
 * Runs in Node and in Bun inside the consumer project: imports every entry, records where
 * it resolved and calls one small function of each. Prints one JSON line.
 */
const CHECK_SCRIPT = `import { fileURLToPath } from "node:url";
const entries = ${JSON.stringify(ENTRIES)};
const resolve = typeof Bun !== "undefined"
  ? (spec) => Bun.resolveSync(spec, import.meta.dir)
  : (spec) => fileURLToPath(import.meta.resolve(spec));
function smoke(spec, m) {
  if (spec === "otel-edge/prometheus") {
    return m.sanitizeMetricName("http.server duration") === "http_server_duration" && typeof m.prometheusHandler === "function";
  }
  if (spec === "otel-edge/opentracing") {
    return m.FORMAT_HTTP_HEADERS === "http_headers" && typeof new m.OpenTracingTracer().startSpan("s").context().toTraceId() === "string";
  }
  // A real span from a provider of this entry (the global API is a no-op until init()).
  const span = new m.BasicTracerProvider().getTracer("pack-check").startSpan("s", { kind: m.SpanKind.SERVER });
  const ok = m.isSpanContextValid(span.spanContext()) && typeof m.init === "function" && typeof m.trace.getTracer === "function";
  span.end();
  return ok;
}
const out = { engine: typeof Bun !== "undefined" ? "bun " + Bun.version : "node " + process.versions.node };
const modules = {};
for (const spec of entries) {
  try {
    const m = await import(spec);
    modules[spec] = m;
    out[spec] = { resolved: resolve(spec), smoke: smoke(spec, m) };
  } catch (err) {
    out[spec] = { resolved: "", smoke: false, error: String(err && err.stack || err) };
  }
}
out.sameGlobals = !!modules["otel-edge"] && modules["otel-edge"].trace === modules["otel-edge/node"]?.trace;
// The OpenTracing bridge records through the provider registered with \`otel-edge\` (one global state).
try {
  const core = modules["otel-edge"];
  core.trace.setGlobalTracerProvider(new core.BasicTracerProvider());
  const bridged = new modules["otel-edge/opentracing"].OpenTracingTracer().startSpan("s");
  out.bridgeRecords = bridged.getSpan().isRecording() && core.isSpanContextValid(bridged.getSpan().spanContext());
  bridged.finish();
  core.trace.disable();
} catch (err) {
  out.bridgeRecords = String(err && err.stack || err);
}
console.log(JSON.stringify(out));
`;

/** Every entry with a few of its types; @ts-expect-error lines fail if the types were `any`. */
const ALL_ENTRIES_TS = `import { init, trace, context, SpanKind, SpanStatusCode, type InitOptions, type Sdk, type Span, type Tracer, type Context } from "otel-edge";
import * as node from "otel-edge/node";
import * as deno from "otel-edge/deno";
import * as workers from "otel-edge/workers";
import * as browser from "otel-edge/browser";
import { prometheusHandler, sanitizeMetricName, type PrometheusHandlerOptions } from "otel-edge/prometheus";
import { OpenTracingTracer, FORMAT_HTTP_HEADERS, type OpenTracingSpanOptions } from "otel-edge/opentracing";

const options: InitOptions = { serviceName: "consumer", otlp: { endpoint: "http://127.0.0.1:4318" } };
const starters: Array<typeof init> = [init, node.init];
const entryTracers: Tracer[] = [node, deno, workers, browser].map((e) => e.trace.getTracer("consumer"));
const tracer: Tracer = trace.getTracer("consumer", "1.0.0");
const span: Span = tracer.startSpan("work", { kind: SpanKind.SERVER });
span.setStatus({ code: SpanStatusCode.OK });
span.end();
const active: Context = context.active();
const name: string = sanitizeMetricName("a.b");
const handlerOptions: PrometheusHandlerOptions = { openMetrics: "never" };
const spanOptions: OpenTracingSpanOptions = { tags: { "span.kind": "server" }, startTime: Date.now() };
const otSpan = new OpenTracingTracer().startSpan("ot", spanOptions);
const headers: Record<string, string> = {};
otSpan.tracer().inject(otSpan.context(), FORMAT_HTTP_HEADERS, headers);
otSpan.finish();
// @ts-expect-error: setTag takes a key and a value
otSpan.setTag({});
export function serve(sdk: Sdk): (request: Request) => Promise<Response> {
  return prometheusHandler(sdk, handlerOptions);
}
// @ts-expect-error: SpanKind has no such member (fails if the types were any)
SpanKind.NOPE;
// @ts-expect-error: setAttribute takes a key and a value
span.setAttribute({});
export { options, starters, entryTracers, active, name, headers };
`;

/**
 * A Node user importing the bare specifier: the `node` condition's own `types` give the
 * Node entry's declarations (its `init` takes `runtimeMetrics`), matching dist/node.js.
 */
const NODE_USER_TS = `import { init, type Sdk } from "otel-edge";
export const sdk: Sdk = init({ serviceName: "node-user", runtimeMetrics: true });
`;

/** The browser and workers entries in a DOM project. */
const WEB_TS = `import * as browser from "otel-edge/browser";
import * as workers from "otel-edge/workers";
import { trace, type Span } from "otel-edge";

const span: Span = browser.trace.getTracer("web").startSpan("page");
addEventListener("pagehide", () => span.end());
document.title = workers.trace.getTracer("web") === trace.getTracer("web") ? "same" : "other";
export { span };
`;

/** The browser and workers entries in a Workers project. */
const WORKER_TS = `import * as workers from "otel-edge/workers";
import * as browser from "otel-edge/browser";
// Under the workerd condition the bare specifier is the workers entry, types included.
import { flushInWaitUntil, type Span } from "otel-edge";

interface Env { OTEL_SERVICE_NAME?: string }
const handler: ExportedHandler<Env> = {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const span: Span = workers.trace.getTracer("worker").startSpan(new URL(request.url).pathname);
    span.end();
    ctx.waitUntil(flushInWaitUntil(ctx));
    void env.OTEL_SERVICE_NAME;
    return new Response(String(browser.trace === workers.trace));
  },
};
export default handler;
`;

let work = "";
let project = "";
let tarball = "";
let packedFiles: string[] = [];

test.before(async () => {
  try {
    await prepare();
  } catch (err) {
    // uvu skips `after` when `before` fails: never leave the temp project behind.
    if (work) rmSync(work, { recursive: true, force: true });
    work = "";
    throw err;
  }
});

/** Packs the repository and installs the tarball into a fresh project under the OS temp dir. */
async function prepare(): Promise<void> {
  if (!existsSync(join(root, "dist/mod.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  work = mkdtempSync(join(tmpdir(), "otel-edge-pack-"));
  // --ignore-scripts: the pack itself must not need any lifecycle script.
  const pack = await runChild("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: root, env: { ...process.env }, timeoutMs: 60000 });
  assert.is(pack.code, 0, describeRun(pack));
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")))[0];
  tarball = join(work, info.filename);
  packedFiles = info.files.map((f: { path: string }) => f.path).sort();

  project = join(work, "app");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "otel-edge-consumer", private: true, type: "module" }, null, 2));
  // No registry is needed: the package has no dependencies.
  const install = await runChild("npm", ["install", tarball, "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"], {
    cwd: project,
    env: { ...process.env, npm_config_update_notifier: "false" },
    timeoutMs: 60000,
  });
  assert.is(install.code, 0, describeRun(install));
  // Type packages for the TypeScript projects, linked from this repository's devDependencies.
  for (const name of ["@types/node", "@cloudflare/workers-types"]) {
    mkdirSync(dirname(join(project, "node_modules", name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(project, "node_modules", name), "dir");
  }
  writeFileSync(join(project, "check.mjs"), CHECK_SCRIPT);
}

test.after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("npm pack holds only dist/ bundles, chunks and declarations, README.md, LICENSE and package.json", () => {
  const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/[a-z]+\.js$/, /^dist\/chunks\/[\w-]+\.js$/, /^dist\/types\/.+\.d\.ts$/];
  const stray = packedFiles.filter((f) => !allowed.some((re) => re.test(f)));
  assert.equal(stray, [], `unexpected files in the tarball: ${stray.join(", ")}`);
  for (const required of ["package.json", "README.md", "LICENSE"]) assert.ok(packedFiles.includes(required), `${required} is not packed`);
  // Every file the export map names (bundles and types, every condition) is in the tarball.
  const targets = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.add(value.replace(/^\.\//, ""));
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.main);
  walk(pkg.types);
  const missing = [...targets].filter((t) => !packedFiles.includes(t));
  assert.equal(missing, [], `export map targets not in the tarball: ${missing.join(", ")}`);
  // Each bundle's relative imports (its chunks) are packed too.
  for (const file of packedFiles.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))) {
    const text = readFileSync(join(project, "node_modules/otel-edge", file), "utf8");
    for (const [, spec] of text.matchAll(/from\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = join(dirname(file), spec).replace(/\\/g, "/");
      assert.ok(packedFiles.includes(target), `${file} imports ${spec}, which is not packed`);
    }
  }
  // No dependencies of any kind reach users.
  const installed = JSON.parse(readFileSync(join(project, "node_modules/otel-edge/package.json"), "utf8"));
  assert.equal(installed.dependencies ?? {}, {});
  assert.equal(installed.optionalDependencies ?? {}, {});
  assert.equal(installed.peerDependencies ?? {}, {});
});

/** Parses the JSON line check.mjs prints and checks it against RUNTIME_RESOLUTION. */
function assertEntries(stdout: string, engine: string): void {
  const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
  for (const spec of ENTRIES) {
    const entry = result[spec];
    assert.ok(entry, `${engine}: no result for ${spec}`);
    assert.ok(
      entry.resolved.replace(/\\/g, "/").endsWith(`/node_modules/otel-edge/${RUNTIME_RESOLUTION[spec]}`),
      `${engine}: ${spec} resolved to ${entry.resolved}, expected ${RUNTIME_RESOLUTION[spec]}`,
    );
    assert.is(entry.error, undefined, `${engine}: ${spec}: ${entry.error}`);
    assert.ok(entry.smoke, `${engine}: ${spec}: its function did not work`);
  }
  // `otel-edge` and `otel-edge/node` are one module here: one global state, not two SDKs.
  assert.ok(result.sameGlobals, `${engine}: otel-edge and otel-edge/node expose different trace APIs`);
  assert.is(result.bridgeRecords, true, `${engine}: otel-edge/opentracing does not record through the provider set with otel-edge`);
}

test("Node: every entry imports from the installed tarball, resolves to its bundle and works", async () => {
  const run = await runChild(process.execPath, ["check.mjs"], { cwd: project, env: cleanEnv(), timeoutMs: 30000 });
  assert.is(run.code, 0, describeRun(run));
  assertEntries(run.stdout, "Node");
});

test("Bun: every entry imports from the installed tarball, resolves through the bun condition and works", async () => {
  const found = findBun();
  if (!found.bun) throw new Error(found.error);
  const run = await runChild(found.bun, ["--no-install", "check.mjs"], {
    cwd: project,
    env: cleanEnv({ BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" }),
    timeoutMs: 30000,
  });
  assert.is(run.code, 0, describeRun(run));
  assertEntries(run.stdout, "Bun");
  assert.ok(JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}").engine.startsWith("bun "), "check.mjs did not run in Bun");
});

test("bundlers: each export condition of `otel-edge` picks its bundle (esbuild in the consumer project)", async () => {
  // What a bundler targeting each runtime sees: Wrangler uses workerd/worker/browser, a web
  // bundler browser, Deno deno, Bun bun; with no matching condition, `default`.
  const cases: Array<[string[], string]> = [
    [[], "dist/mod.js"],
    [["workerd", "worker", "browser"], "dist/workers.js"],
    [["worker"], "dist/workers.js"],
    [["browser"], "dist/browser.js"],
    [["deno"], "dist/deno.js"],
    [["bun"], "dist/node.js"],
    [["node"], "dist/node.js"],
  ];
  for (const [conditions, expected] of cases) {
    const result = await build({
      stdin: { contents: `export * from "otel-edge";`, resolveDir: project, loader: "js" },
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      conditions,
      external: ["node:*"],
      logLevel: "silent",
    });
    const bundles = Object.keys(result.metafile.inputs).filter((p) => /node_modules\/otel-edge\/dist\/[a-z]+\.js$/.test(p));
    assert.equal(bundles.map((p) => p.slice(p.indexOf("dist/"))), [expected], `conditions [${conditions.join(", ")}]`);
  }
});

test("TypeScript: every entry has types under nodenext (with Node types) and bundler (DOM, no Node types) resolution", async () => {
  writeFileSync(join(project, "all.ts"), ALL_ENTRIES_TS);
  writeFileSync(join(project, "node-user.ts"), NODE_USER_TS);
  const base = { target: "es2022", strict: true, noEmit: true, skipLibCheck: false, noUnusedLocals: false };
  writeFileSync(join(project, "tsconfig.nodenext.json"), JSON.stringify({ compilerOptions: { ...base, module: "nodenext", moduleResolution: "nodenext", lib: ["es2022"], types: ["node"] }, files: ["all.ts", "node-user.ts"] }));
  writeFileSync(join(project, "tsconfig.bundler.json"), JSON.stringify({ compilerOptions: { ...base, module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom"], types: [] }, files: ["all.ts"] }));
  const runs = await Promise.all(["tsconfig.nodenext.json", "tsconfig.bundler.json"].map((p) => runChild(process.execPath, [tsc, "-p", p], { cwd: project, env: cleanEnv(), timeoutMs: 60000 })));
  runs.forEach((run, i) => assert.is(run.code, 0, `${["nodenext", "bundler"][i]}: ${describeRun(run)}`));
});

test("TypeScript: the browser and workers entries type-check with the DOM lib alone and with @cloudflare/workers-types, without Node types", async () => {
  writeFileSync(join(project, "web.ts"), WEB_TS);
  writeFileSync(join(project, "worker.ts"), WORKER_TS);
  const base = { target: "es2022", module: "esnext", moduleResolution: "bundler", strict: true, noEmit: true, skipLibCheck: false };
  writeFileSync(join(project, "tsconfig.dom.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022", "dom"], types: [] }, files: ["web.ts"] }));
  // Workers: the runtime's own globals only (no DOM lib, no Node types).
  // Wrangler's conditions, so `otel-edge` itself must give the workers entry's declarations.
  writeFileSync(join(project, "tsconfig.workers.json"), JSON.stringify({ compilerOptions: { ...base, lib: ["es2022"], types: ["@cloudflare/workers-types"], customConditions: ["workerd", "worker", "browser"] }, files: ["worker.ts"] }));
  const runs = await Promise.all(["tsconfig.dom.json", "tsconfig.workers.json"].map((p) => runChild(process.execPath, [tsc, "-p", p], { cwd: project, env: cleanEnv(), timeoutMs: 60000 })));
  runs.forEach((run, i) => assert.is(run.code, 0, `${["DOM", "workers-types"][i]}: ${describeRun(run)}`));
});

test.run();
