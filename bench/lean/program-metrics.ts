// The measured program: scripts/size.mjs's "Workers init + traces + metrics", on the lean core.
import { metrics } from "./metrics-api.ts";
import { metricsSdk } from "./metrics-sdk.ts";
import { trace } from "./trace-api.ts";
import { flushInWaitUntil, init, type WaitUntilContext } from "./workers-init.ts";

const meter = metrics.getMeter("edge-api");
const requests = meter.createCounter("app.requests", { unit: "{request}" });
const latency = meter.createHistogram("app.latency", { unit: "ms" });

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: WaitUntilContext) {
    init({ env, serviceName: "edge-api", parts: [metricsSdk()] });
    const started = performance.now();
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      requests.add(1, { "http.request.method": request.method });
      latency.record(performance.now() - started);
      flushInWaitUntil(ctx);
    }
  },
};
