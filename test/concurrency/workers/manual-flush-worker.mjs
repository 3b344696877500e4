// The Worker for test/concurrency/workers-manual-flush.test.ts: the pattern the Workers
// entry documents for handlers that do not use instrument() — `init()` once per isolate and
// `ctx.waitUntil(sdk.flush())` per request — under many concurrent requests in one isolate.
import { init, trace } from "otel-edge";

const tracer = trace.getTracer("manual-flush.test");

export default {
  async fetch(request, env, ctx) {
    const sdk = init({ env, serviceName: env.SERVICE_NAME });
    const id = Number(new URL(request.url).pathname.slice("/r/".length));
    await new Promise((resolve) => setTimeout(resolve, id % 5));
    tracer.startActiveSpan(`req-${id}`, (span) => span.end());
    ctx.waitUntil(sdk.flush());
    return new Response("ok");
  },
};
