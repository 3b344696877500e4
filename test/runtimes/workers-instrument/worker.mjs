// The Worker for test/instrument/workers-miniflare.test.ts: bundled with esbuild the way
// wrangler bundles (so `otel-edge` resolves to dist/workers.js) and run in workerd by
// miniflare. Instrumented with instrument()/instrumentDurableObject() only — no hand-made
// spans: the SERVER span, the outgoing fetch's CLIENT span, the scheduled and queue spans,
// and the Durable Object's SERVER span all come from the wrappers, flushed in ctx.waitUntil.
import { context, instrument, instrumentDurableObject, metricsSdk, propagation, trace } from "otel-edge";

/** A Durable Object counting requests in its storage; `this.state`/`this.env` are its own. */
class Counter {
  constructor(state, env) {
    this.state = state;
    this.env = env;
  }
  async fetch(request) {
    const n = ((await this.state.storage.get("n")) ?? 0) + 1;
    await this.state.storage.put("n", n);
    return Response.json({ n, step: this.env.STEP, traceparent: request.headers.get("traceparent") });
  }
}

export const CounterObject = instrumentDurableObject(Counter, () => ({ serviceName: "instrumented-object" }));

const app = {
  label: "app-this",
  describe(value) {
    return `${this.label}:${value}`;
  },
  async fetch(request, env) {
    // An outgoing fetch: traced by the wrapper's once-per-isolate fetch instrumentation.
    const upstream = await fetch(env.BACKEND_URL);
    const upstreamText = await upstream.text();

    // The user's bindings keep working: a KV namespace called as a method and through bind.
    await env.KV.put("greeting", "hello");
    const viaMethod = await env.KV.get("greeting");
    const get = env.KV.get.bind(env.KV);
    const viaBind = await get("greeting");

    // A Durable Object stub's fetch is a binding: propagate the trace by injecting headers.
    const stub = env.COUNTER.get(env.COUNTER.idFromName("counter"));
    const headers = {};
    propagation.inject(context.active(), headers);
    const fromObject = await (await stub.fetch("http://object/count", { headers })).json();

    return Response.json({
      traceId: trace.getActiveSpan()?.spanContext().traceId,
      upstreamText,
      viaMethod,
      viaBind,
      fromObject,
      describe: this.describe("x"),
    });
  },
  async scheduled(controller, env) {
    await env.KV.put("last-cron", controller.cron);
  },
  async queue(batch, env) {
    for (const message of batch.messages) {
      await env.KV.put(`message-${message.id}`, JSON.stringify(message.body));
      message.ack();
    }
  },
};

// The Worker asks for metrics (its durations arrive as OTLP metrics); the Durable Object above
// is traces only, the Workers default: its wrapper records no durations and needs no meter.
export default instrument(app, (env) => ({ serviceName: env.SERVICE_NAME, parts: [metricsSdk()] }));
