// The same program without metrics (init + traces only, on the stand-in), so the metrics
// figure is a difference: program-metrics.ts minus this.
import { flushInWaitUntil, init, trace } from "./workers-init-metrics.ts";

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }) {
    init({ env, serviceName: "edge-api" });
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => { try { return new Response("ok"); } finally { span.end(); } });
    } finally {
      flushInWaitUntil(ctx);
    }
  },
};
