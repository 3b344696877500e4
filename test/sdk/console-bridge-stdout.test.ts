// Issue 18: `init({ bridgeConsole: true, logExporter: "console" })` printed every console call
// twice on stdout, as plain text and as its JSON line, so a collector reading stdout got
// duplicates and lines that are not JSON. Each scenario runs in a child Node process (its real
// stdout and stderr, the Node entry's init) and reads what it printed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const entry = new URL("../../src/runtime/node.ts", import.meta.url).href;

/** Runs `body` (module code, `init` in scope) in a child Node; resolves its stdout and stderr lines. */
function run(body: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const source = `import { init } from ${JSON.stringify(entry)};\n${body}`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OTEL_")) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "./scripts/register.mjs", "--input-type=module", "-e", source], {
      cwd: root,
      env: { ...childEnv, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = (s: string): string[] => s.split("\n").filter((l) => l !== "");
      resolve({ code, out: lines(out), err: lines(err) });
    });
  });
}

const CALLS = `
console.log("order %s placed", "A-1");
console.info("payment ok");
console.warn("stock low");
console.error("refund failed", new Error("card declined"));
console.debug("cache miss");
await sdk.shutdown();
`;

test('bridgeConsole: true with logExporter "console": stdout holds only JSON lines, one per call', async () => {
  const r = await run(`const sdk = init({ bridgeConsole: true, logExporter: "console", traceExporter: "none", metricExporter: "none" });${CALLS}`);
  assert.is(r.code, 0, r.err.join("\n"));
  const records = r.out.map((line) => {
    try {
      return JSON.parse(line) as { msg: string; level: string };
    } catch {
      throw new assert.Assertion({ message: `a stdout line that is not JSON: ${line}`, generated: false, operator: "json", expects: "JSON", actual: line });
    }
  });
  assert.equal(records.map((r) => [r.level, r.msg.split("\n")[0]]), [
    ["info", "order A-1 placed"],
    ["info", "payment ok"],
    ["warn", "stock low"],
    ["error", "refund failed Error: card declined"],
    ["debug", "cache miss"],
  ]);
  // Not printed as plain text anywhere else either (warn and error would go to stderr).
  assert.not.ok(r.err.some((l) => /stock low|refund failed/.test(l)), r.err.join("\n"));
});

test('OTEL_LOGS_EXPORTER=console has the same effect as logExporter "console"', async () => {
  const r = await run(`const sdk = init({ bridgeConsole: true, traceExporter: "none", metricExporter: "none" });\nconsole.log("hello");\nawait sdk.shutdown();`, { OTEL_LOGS_EXPORTER: "console" });
  assert.is(r.code, 0, r.err.join("\n"));
  assert.is(r.out.length, 1, r.out.join("\n"));
  assert.is(JSON.parse(r.out[0]!).msg, "hello");
});

test("the original call is still printed when the records go elsewhere, or when passthrough is asked for", async () => {
  const elsewhere = await run(`const sdk = init({ bridgeConsole: true, logExporter: "none", traceExporter: "none", metricExporter: "none" });\nconsole.log("plain %d", 1);\nawait sdk.shutdown();`);
  assert.is(elsewhere.code, 0, elsewhere.err.join("\n"));
  assert.equal(elsewhere.out, ["plain 1"]);
  const asked = await run(`const sdk = init({ bridgeConsole: { passthrough: true }, logExporter: "console", traceExporter: "none", metricExporter: "none" });\nconsole.log("twice");\nawait sdk.shutdown();`);
  assert.is(asked.code, 0, asked.err.join("\n"));
  assert.is(asked.out.length, 2, asked.out.join("\n"));
  assert.ok(asked.out.includes("twice"));
  assert.is(asked.out.filter((l) => l.startsWith("{")).length, 1);
});

test.run();
