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

function runDemo(extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A clean environment: no OTEL_* from the developer's shell may redirect or disable export.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OTEL_")) env[k] = v;
  env.NO_COLOR = "1";
  Object.assign(env, extraEnv);
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
  test("npm run demo prints the /checkout and /fail traces, each span's logs, RED metrics and the receiver's counts", async () => {
    const { code, stdout, stderr } = await runDemo();
    const context = `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
    assert.is(code, 0, `demo exited ${code}${context}`);
    assert.match(stdout, /^otel-edge demo: service demo-shop/, `title line${context}`);

    const sections = stdout.split(/\n\s*\n/);
    const blocks = sections.filter((b) => b.startsWith("trace "));
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

    // Each log line sits right under the span it was recorded in (matched by trace and span
    // id), one level deeper; /price's line is in the other process-side span of the same trace.
    const logsUnder = (i: number) => {
      const out: string[] = [];
      for (let j = i + 1; j < lines.length && lines[j].trimStart().startsWith("log "); j++) {
        assert.is(indentOf(lines[j]), indentOf(lines[i]) + 2, `log line indent: ${lines[j]}`);
        out.push(lines[j].trim());
      }
      return out;
    };
    assert.equal(logsUnder(root), ["log INFO order placed  demo.user=u-1024"]);
    assert.equal(logsUnder(auth), ["log INFO user verified  demo.user=u-1024"]);
    assert.equal(logsUnder(cart), ["log INFO cart loaded  demo.items=2"]);
    assert.equal(logsUnder(quote), []);
    assert.equal(logsUnder(client), []);
    assert.equal(logsUnder(price), ["log INFO price quoted  demo.total=25"]);
    assert.equal(logsUnder(pay), ["log INFO payment accepted  demo.amount=25"]);

    // /fail: ERROR on the server span (the instrumentation's: a 5xx, no description) and on
    // the inner span, with its exception event; the warning and the error log under their spans.
    const failLines = fails[0].split("\n");
    assert.match(failLines[1], /^GET \/fail \[server\] .*\bERROR\b/);
    assert.match(failLines[1], "http.response.status_code=500");
    assert.match(failLines[1], "error.type=500");
    assert.is(failLines[2].trim(), 'log ERROR request failed  exception.type=Error exception.message="inventory service unavailable"');
    const inner = failLines.findIndex((l) => l.trimStart().startsWith("inventory.reserve"));
    assert.ok(inner > 1 && indentOf(failLines[inner]) === 2, fails[0]);
    assert.match(failLines[inner], "ERROR: inventory service unavailable");
    assert.is(failLines[inner + 1].trim(), "! exception: Error: inventory service unavailable");
    assert.is(failLines[inner + 2].trim(), "log WARN inventory service did not answer  demo.sku=mug");
    assert.is(indentOf(failLines[inner + 2]), 4);

    // RED metrics per route, after the traces; each exemplar's trace id is a trace printed above,
    // and the right one: /fail's is the /fail trace, /checkout's and /price's are /checkout traces.
    const traceIdOf = (block: string) => /^trace ([0-9a-f]{32})/.exec(block)![1];
    const red = sections.findIndex((s) => s.startsWith("RED metrics per route"));
    assert.ok(red > sections.indexOf(fails[0]) && red > sections.indexOf(checkouts[1]), `RED after the traces${context}`);
    const redLines = sections[red].split("\n");
    assert.match(redLines[1], /^route +requests +errors +p50 +p99 +exemplar trace$/);
    const rows = new Map(
      redLines.slice(2).map((l) => {
        const m = /^(GET \/\w+) +(\d+) +(\d+) +([\d.]+) ms +([\d.]+) ms +([0-9a-f]{32})$/.exec(l);
        assert.ok(m, `RED row: ${l}${context}`);
        return [m![1], { requests: Number(m![2]), errors: Number(m![3]), p50: Number(m![4]), p99: Number(m![5]), trace: m![6] }];
      }),
    );
    assert.equal([...rows.keys()], ["GET /checkout", "GET /fail", "GET /price"]);
    assert.equal([rows.get("GET /checkout")!.requests, rows.get("GET /checkout")!.errors], [2, 0]);
    assert.equal([rows.get("GET /fail")!.requests, rows.get("GET /fail")!.errors], [1, 1]);
    assert.equal([rows.get("GET /price")!.requests, rows.get("GET /price")!.errors], [2, 0]);
    for (const row of rows.values()) assert.ok(row.p50 > 0 && row.p50 <= row.p99, `p50 <= p99: ${JSON.stringify(row)}`);
    // Every request sleeps at least 2 ms (auth) / 3 ms (price, inventory): the estimates say so.
    assert.ok(rows.get("GET /checkout")!.p50 >= 15, JSON.stringify(rows.get("GET /checkout")));
    assert.is(rows.get("GET /fail")!.trace, traceIdOf(fails[0]));
    const checkoutIds = checkouts.map(traceIdOf);
    assert.ok(checkoutIds.includes(rows.get("GET /checkout")!.trace), `checkout exemplar ${rows.get("GET /checkout")!.trace} not in ${checkoutIds}`);
    assert.ok(checkoutIds.includes(rows.get("GET /price")!.trace), `price exemplar ${rows.get("GET /price")!.trace} not in ${checkoutIds}`);

    // The receiver's counts per signal, last: 16 spans, 12 log records (each printed above), 3 series.
    const printedLogs = blocks.join("\n").split("\n").filter((l) => l.trimStart().startsWith("log ")).length;
    assert.is(printedLogs, 12, `log lines in the waterfalls${context}`);
    assert.match(
      stdout,
      /\nThe embedded receiver got:\n  traces   3 traces, 16 spans in \d+ export requests?\n  metrics  3 points of \d+ metrics? in \d+ export requests?\n  logs     12 records in \d+ export requests?\n?$/,
      `summary${context}`,
    );
  });

  test("with OTEL_EXPORTER_OTLP_ENDPOINT elsewhere: traces go there, metrics and logs only when asked, RED printed from in-process", async () => {
    const { startDevReceiver } = (await import(new URL("../../scripts/dev-receiver.mjs", import.meta.url).href)) as {
      startDevReceiver: () => Promise<{ url: string; traces: any[]; metrics: any[]; logs: any[]; close(): Promise<void> }>;
    };
    const elsewhere = await startDevReceiver();
    try {
      const { code, stdout, stderr } = await runDemo({ OTEL_EXPORTER_OTLP_ENDPOINT: elsewhere.url });
      const context = `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
      assert.is(code, 0, `demo exited ${code}${context}`);
      assert.match(stdout, `16 spans in 3 traces sent to ${elsewhere.url}/v1/traces`, context);
      assert.match(stdout, "Metrics and logs were not exported: set OTEL_METRICS_EXPORTER=otlp", context);
      const traceIds = new Set(
        elsewhere.traces.flatMap((r) => r.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((sp: any) => sp.traceId)))),
      );
      assert.is(traceIds.size, 3);
      assert.is(elsewhere.metrics.length, 0, "no metrics unless OTEL_METRICS_EXPORTER asks");
      assert.is(elsewhere.logs.length, 0, "no logs unless OTEL_LOGS_EXPORTER asks");
      const red = stdout.split(/\n\s*\n/).find((b) => b.startsWith("RED metrics per route"));
      assert.ok(red, `RED table${context}`);
      const rows = red!.split("\n").slice(2);
      assert.is(rows.length, 3, red);
      for (const row of rows) assert.ok(traceIds.has(row.slice(-32)), `exemplar of ${row} is a trace that was sent`);
    } finally {
      await elsewhere.close();
    }
  });
}

test.run();
