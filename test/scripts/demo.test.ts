// `node scripts/demo.mjs` end to end, as a child process: the built SDK (dist/, loaded as the
// package "otel-edge"), a real HTTP service, real OTLP/JSON export to the embedded receiver,
// and the printed waterfalls. It needs `npm run build` first; `npm test` builds before testing.
// Without dist/node.js the test is skipped with a loud note rather than failing confusingly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const built = existsSync(`${root}dist/node.js`);

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A clean environment: no OTEL_* from the developer's shell may redirect or disable export.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OTEL_")) env[k] = v;
  env.NO_COLOR = "1";
  return new Promise((resolve, reject) => {
    // Plain node, without the TS hook: the demo must run the way `npm run demo` runs it.
    const child = spawn(process.execPath, ["scripts/demo.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000); // a hang is a failure, not a timing assertion
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

if (!built) {
  console.warn("SKIPPED test/scripts/demo.test.ts: dist/node.js is missing — run `npm run build` (npm test builds first).");
  test.skip("npm run demo prints the /checkout and /fail traces (needs npm run build)", () => {});
} else {
  test("npm run demo prints the /checkout and /fail traces", async () => {
    const { code, stdout, stderr } = await runDemo();
    const context = `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
    assert.is(code, 0, `demo exited ${code}${context}`);
    assert.match(stdout, /^otel-edge demo: service demo-shop/, `title line${context}`);

    const blocks = stdout.split(/\n\s*\n/).filter((b) => b.startsWith("trace "));
    const checkouts = blocks.filter((b) => /^GET \/checkout \[server\]/m.test(b));
    const fails = blocks.filter((b) => /^GET \/fail \[server\]/m.test(b));
    assert.is(blocks.length, 3, `three traces${context}`);
    assert.is(checkouts.length, 2, `two /checkout traces${context}`);
    assert.is(fails.length, 1, `one /fail trace${context}`);

    for (const block of [...checkouts, ...fails]) assert.match(block, /^trace [0-9a-f]{32}  demo-shop  /, `header${context}`);

    // /checkout: the nested spans, and /price's server span under the client fetch, under pricing.quote.
    const lines = checkouts[0].split("\n");
    const at = (re: RegExp) => {
      const i = lines.findIndex((l) => re.test(l.trimStart()));
      assert.ok(i >= 0, `no ${re} in:\n${checkouts[0]}`);
      return i;
    };
    const root = at(/^GET \/checkout \[server\]/);
    const auth = at(/^auth\.verify /);
    const cart = at(/^cart\.load /);
    const quote = at(/^pricing\.quote /);
    const client = at(/^GET \[client\]/);
    const price = at(/^GET \/price \[server\]/);
    const pay = at(/^payment\.charge /);
    assert.ok(root < auth && auth < cart && cart < quote && quote < client && client < price && price < pay, `order${context}`);
    assert.is(indentOf(lines[root]), 0);
    for (const i of [auth, cart, quote, pay]) assert.is(indentOf(lines[i]), 2, `children of the server span: ${lines[i]}`);
    assert.is(indentOf(lines[client]), 4, "the fetch is inside pricing.quote");
    assert.is(indentOf(lines[price]), 6, "the /price server span is a child of the client span (traceparent propagated)");
    assert.match(lines[cart], "db.system=sqlite");
    assert.match(lines[root], "http.response.status_code=200");
    assert.not.match(checkouts[0], "ERROR");

    // /fail: ERROR on the server span and on the inner span, with its exception event.
    const failLines = fails[0].split("\n");
    assert.match(failLines[1], /^GET \/fail \[server\].*ERROR: inventory service unavailable/);
    assert.match(failLines[1], "http.response.status_code=500");
    const inner = failLines.findIndex((l) => l.trimStart().startsWith("inventory.reserve"));
    assert.ok(inner > 1 && indentOf(failLines[inner]) === 2, fails[0]);
    assert.match(failLines[inner], "ERROR: inventory service unavailable");
    assert.is(failLines[inner + 1].trim(), "! exception: Error: inventory service unavailable");

    assert.match(stdout, /\n3 traces, 16 spans received in \d+ export requests?\n?$/, `summary${context}`);
  });
}

test.run();
