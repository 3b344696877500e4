// The measured program: scripts/size.mjs's "Workers init + traces + metrics", on the lean core
// (init, flushInWaitUntil and trace from the stand-in workers-init-metrics.ts).
import { metrics } from "./metrics-api.ts";
import { metricsSdk } from "./metrics-sdk.ts";
import { flushInWaitUntil, init, trace } from "./workers-init-metrics.ts";

const meter = metrics.getMeter("edge-api");
const requests = meter.createCounter("app.requests", { unit: "{request}" });
const latency = meter.createHistogram("app.latency", { unit: "ms" });

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }) {
    init({ env, serviceName: "edge-api", parts: [metricsSdk()] });
    const started = performance.now();
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => { try { return new Response("ok"); } finally { span.end(); } });
    } finally {
      requests.add(1, { "http.request.method": request.method });
      latency.record(performance.now() - started);
      flushInWaitUntil(ctx);
    }
  },
};
