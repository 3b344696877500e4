// The test Worker: bundled by workers.test.ts with esbuild the way wrangler bundles (export
// conditions workerd/worker/browser, platform neutral), so `otel-edge` resolves to the built
// dist/workers.js. Configuration comes from the `env` bindings only (OTEL_SERVICE_NAME,
// OTEL_EXPORTER_OTLP_ENDPOINT, ...), exactly as a deployed Worker gets it.
//
// Routes:
//   /work   the shared scenario handler; the SDK flushes inside ctx.waitUntil
//   /probe  does the active context survive `await`? (true only with AsyncLocalStorage)
//   /diag   the diagnostics the SDK reported so far (after calling init() again: memoized)
import * as otel from "otel-edge";
import { createScenarioHandler } from "../scenario.mjs";

// Capture diagnostics from module evaluation on (global scope; no I/O here).
const diagnostics = [];
const capture = (level) => (message) => diagnostics.push({ level, message: String(message) });
otel.diag.setLogger(
  { error: capture("error"), warn: capture("warn"), info: capture("info"), debug: () => {}, verbose: () => {} },
  otel.DiagLogLevel.INFO,
);

let handler;

export default {
  async fetch(request, env, ctx) {
    // Once per isolate in effect: later calls return the same SDK.
    // The shared scenario records all three signals: the Workers init() starts traces only.
    const sdk = otel.init({ env, serviceVersion: "1.0.0", parts: [otel.metricsSdk(), otel.logsSdk()] });
    const path = new URL(request.url).pathname;
    try {
      if (path === "/probe") return Response.json({
          contextFollowsAwait: await contextFollowsAwait(),
          hasGetBuiltinModule: typeof globalThis.process?.getBuiltinModule === "function",
        });
      if (path === "/diag") return Response.json({ diagnostics, sameSdk: otel.init({ env, parts: [otel.metricsSdk(), otel.logsSdk()] }) === sdk });
      handler ??= createScenarioHandler(otel, { backendUrl: env.BACKEND_URL, runtime: "workers", explicitContext: env.EXPLICIT_CONTEXT === "1" });
      return await handler(request);
    } finally {
      if (path === "/work") otel.flushInWaitUntil(ctx);
    }
  },
};

async function contextFollowsAwait() {
  const key = otel.createContextKey("probe");
  const ctx = otel.context.active().setValue(key, "here");
  return otel.context.with(ctx, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.resolve();
    return otel.context.active().getValue(key) === "here";
  });
}
