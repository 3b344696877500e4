// Runs the shared scenario inside Bun, importing the package the way Bun users do:
// `import * as otel from "otel-edge"` resolves through the `bun` export condition to
// dist/node.js (AsyncLocalStorage from `node:async_hooks`, `process.env`).
// Usage: bun run-scenario.mjs <receiver url> <backend url>
// Prints one JSON line `{ resolved, traceId, bun }` on success; exits non-zero on failure.
import * as otel from "otel-edge";
import { runScenario } from "../scenario.mjs";

const [endpoint, backendUrl] = process.argv.slice(2);
const { sdk, traceId } = await runScenario(otel, { endpoint, backendUrl, runtime: "bun" });
await sdk.shutdown();
console.log(JSON.stringify({ resolved: Bun.resolveSync("otel-edge", import.meta.dir), traceId, bun: Bun.version }));
