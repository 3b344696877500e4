// The Deno side of test/runtimes/deno.test.ts, run by `deno test` with least permissions
// (--allow-net=127.0.0.1, reads limited to dist/ and test/runtimes/, NO env permission).
// `otel` is the package as Deno resolves it: a generated wrapper in a temp project imports
// "otel-edge" from node_modules, so Deno picks the `deno` export condition → dist/deno.js.
// Deno.args: [receiverUrl, backendUrl].
import { runScenario } from "../scenario.mjs";

function check(ok, message) {
  if (!ok) throw new Error(message);
}

export function registerDenoTests(otel) {
  const [endpoint, backendUrl] = Deno.args;

  Deno.test("the deno export condition resolved to the Deno entry", () => {
    check(String(otel.init).includes("beforeunload"), "otel-edge did not resolve to dist/deno.js");
  });

  Deno.test("scenario: AsyncLocalStorage context, no env permission, runtime metrics; shutdown leaves nothing running", async () => {
    check(Deno.permissions.querySync({ name: "env" }).state !== "granted", "this test must run without --allow-env");
    const messages = [];
    const sink = (m) => messages.push(String(m));
    otel.diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink }, otel.DiagLogLevel.INFO);
    try {
      const { sdk } = await runScenario(otel, { endpoint, backendUrl, runtime: "deno", initOptions: { runtimeMetrics: true } });
      // Context followed `await`: the scenario's logs (taken from the active context) are
      // checked for correlation on the Node side; here, check the entry's own choices.
      check(sdk.resource.attributes["process.runtime.name"] === "deno", "process.runtime.name");
      check(sdk.resource.attributes["telemetry.sdk.language"] === "nodejs", "telemetry.sdk.language");
      await sdk.shutdown();
      const envNotes = messages.filter((m) => m.includes("env permission"));
      check(envNotes.length === 1, `expected one note about the missing env permission, got ${JSON.stringify(messages)}`);
    } finally {
      otel.diag.setLogger();
    }
    // Deno's op and resource sanitizers (on by default) fail this test if shutdown left a
    // timer, a fetch or the event-loop delay monitor running.
  });
}
