// Sizes are part of the API (DESIGN.md, "Pay for what you use"): each program users write
// (scripts/size.mjs `programs`) stays under its target, or, while a target is not reached yet,
// under its regression ceiling; and what a program does not import is not in its bundle.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ceilings, measureProgram as bundleProgram, programs } from "../scripts/size.mjs";

type ProgramName = keyof typeof programs;
type Measured = { gzip: number; min: number; metafile: { inputs: Record<string, { imports: { path: string }[] }>; outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> } };

const root = new URL("..", import.meta.url).pathname;
const measured = new Map<ProgramName, Promise<Measured>>();

/** `name` bundled once for the whole suite (each bundle takes a second or more). */
function measureProgram(name: ProgramName): Promise<Measured> {
  let m = measured.get(name);
  if (m === undefined) measured.set(name, (m = bundleProgram(name) as Promise<Measured>));
  return m;
}

/** The source files `name` bundles (with bytes in the output). */
async function inputsOf(name: ProgramName): Promise<string[]> {
  const output = Object.values((await measureProgram(name)).metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path]) => path);
}

/** The files of `inputs` any of `forbidden` matches. */
function leaks(inputs: string[], forbidden: RegExp[]): string[] {
  return inputs.filter((p) => forbidden.some((re) => re.test(p)));
}

test("every program stays under its target, or its regression ceiling until the target is reached", async () => {
  for (const [name, program] of Object.entries(programs) as Array<[ProgramName, (typeof programs)[ProgramName]]>) {
    const { gzip } = await measureProgram(name);
    const limit = (ceilings as Record<string, number | undefined>)[name] ?? program.target;
    assert.ok(gzip <= limit, `${name}: ${gzip} B gzip > ${limit} B (${limit === program.target ? "target" : "ceiling"} in scripts/size.mjs)`);
  }
});

test("a ceiling is only kept while its program is over the target", async () => {
  for (const name of Object.keys(ceilings) as ProgramName[]) {
    const { gzip } = await measureProgram(name);
    assert.ok(gzip > programs[name].target, `${name} (${gzip} B) is at its target: remove its ceiling so the target holds`);
  }
});

test("the report prints every program beside its target and incumbent, and exits 1 naming those over target", () => {
  const r = spawnSync(process.execPath, ["scripts/size.mjs", "--json", "--no-check"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const { rows, over } = JSON.parse(r.stdout) as { rows: Array<{ name: string; gzip: number; target: number; incumbent: string }>; over: string[] };
  assert.equal(rows.map((x) => x.name), Object.keys(programs));
  for (const row of rows) assert.ok(row.gzip > 500 && row.target > 0 && row.incumbent.length > 0, row.name);
  assert.equal(over, rows.filter((x) => x.gzip > x.target).map((x) => x.name));
  const checked = spawnSync(process.execPath, ["scripts/size.mjs"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.is(checked.status, over.length > 0 ? 1 : 0);
  for (const name of over) assert.ok(checked.stderr.includes(name), `stderr names ${name}`);
});

test("a traces-only Worker or page carries no metrics, logs, console exporter, by-name selection or optional propagator", async () => {
  const forbidden = [
    // The slot instrumentations read, and the OTLP exporters' temporality-preference variable (a name list).
    /^src\/metrics\/(?!registered-meter-provider|temporality-preference)/,
    /^src\/logs\//,
    /^src\/export\/prometheus\//,
    /console/,
    /^src\/propagation\/(b3|jaeger|from-env)\.ts$/,
    /^src\/trace\/samplers\/(trace-id-ratio|rate-limiting|from-env)\.ts$/,
    /^src\/sdk\/(metrics-part|logs-part|self-observability|select-by-name|full-init)/,
  ];
  for (const name of ["Workers instrument(handler)", "Workers init + traced handler", "Browser init + traced fetch"] as const) {
    const inputs = await inputsOf(name);
    assert.ok(inputs.includes("src/sdk/traces-part.ts"), `${name} has the traces part`);
    assert.equal(leaks(inputs, forbidden), [], name);
  }
});

test("metrics come with the metrics part the Worker imports, and nothing of logs", async () => {
  const inputs = await inputsOf("Workers init + traces + metrics");
  assert.ok(inputs.includes("src/sdk/metrics-part.ts"));
  assert.ok(inputs.includes("src/export/otlp/metrics-encoder.ts"));
  assert.equal(leaks(inputs, [/^src\/logs\//, /console/, /^src\/sdk\/(logs-part|select-by-name)/]), []);
});

test("the hand-wired tracer carries no init(), metrics, logs or environment parsing", async () => {
  const inputs = await inputsOf("Traces only, hand-wired");
  assert.ok(inputs.includes("src/trace/span.ts"));
  assert.ok(inputs.includes("src/export/otlp/trace-encoder.ts"));
  assert.equal(leaks(inputs, [/^src\/sdk\//, /^src\/metrics\//, /^src\/logs\//, /^src\/common\/env\.ts$/, /from-env\.ts$/, /^src\/runtime\//]), []);
});

test("a page reads no environment: the browser programs bundle no OTEL_* parsing", async () => {
  for (const name of ["Browser init + traced fetch", "Browser initRum()"] as const) {
    const inputs = await inputsOf(name);
    assert.ok(inputs.includes("src/sdk/spec-defaults.ts"), name);
    assert.equal(leaks(inputs, [/^src\/common\/env\.ts$/, /^src\/sdk\/env-selection\.ts$/, /from-env\.ts$/]), [], name);
  }
});

test("the Node quick start selects by name from OTEL_* (complete where size matters less)", async () => {
  const inputs = await inputsOf("Node quick start");
  for (const needed of ["src/sdk/full-init.ts", "src/trace/samplers/from-env.ts", "src/propagation/from-env.ts", "src/sdk/console-pipelines.ts", "src/export/otlp/logs-encoder.ts"]) {
    assert.ok(inputs.includes(needed), needed);
  }
});

test("the core entry's programs bundle for platform neutral without any node: import", async () => {
  const m = await measureProgram("Traces only, hand-wired");
  const nodeImports = Object.values(m.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.path.startsWith("node:")));
  assert.equal(nodeImports, []);
});

test("docs/programs.md shows every program exactly as measured, and the README links it", () => {
  const doc = readFileSync(new URL("../docs/programs.md", import.meta.url), "utf8");
  for (const [name, program] of Object.entries(programs)) {
    assert.ok(doc.includes(`## ${name}\n\n\`\`\`js\n${program.source.trimEnd()}\n\`\`\``), `${name}: regenerate with node scripts/size.mjs --markdown > docs/programs.md`);
  }
  assert.ok(readFileSync(new URL("../README.md", import.meta.url), "utf8").includes("(docs/programs.md)"));
});

test.run();
