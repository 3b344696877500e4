// The shared runtime scenario in Node, through the built package exactly as users import it
// (`otel-edge` → the `node` export condition → dist/node.js with AsyncLocalStorage).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as otel from "otel-edge";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { runScenario } from "./scenario.mjs";
import { assertScenario } from "./assert-scenario.mjs";
import { startBackend } from "./backend.mjs";

test("Node: handler spans across await, metrics, correlated logs and a traced fetch arrive at the receiver", async () => {
  const receiver = await startDevReceiver();
  const backend = await startBackend();
  try {
    const { sdk } = await runScenario(otel, { endpoint: receiver.url, backendUrl: backend.url, runtime: "node" });
    await sdk.shutdown();
    const { server } = assertScenario(receiver, { runtime: "node", backendTraceparents: backend.traceparents, sdkLanguage: "nodejs" });
    assert.ok(server);
  } finally {
    await backend.close();
    await receiver.close();
  }
});

test.run();
