// The measured program: scripts/size.mjs's "Workers init + traced handler", on the lean core.
import { flushInWaitUntil, init, type WaitUntilContext } from "./workers-init.ts";
import { trace } from "./trace-api.ts";

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: WaitUntilContext) {
    init({ env, serviceName: "edge-api" }); // once per isolate; later calls return the same SDK
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      flushInWaitUntil(ctx);
    }
  },
};
