// The Worker app of test/lean/workerd.test.ts, instrumented twice (product.mjs, lean.mjs) so the
// two cores' telemetry can be compared invocation by invocation. No hand-made spans: everything
// comes from the wrapper (SERVER, CLIENT for the outgoing fetch, scheduled, queue).
export const app = {
  label: "app-this",
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === "/fail") throw new TypeError("handler failed");
    if (path === "/missing") return new Response("no", { status: 404 });
    const upstream = await fetch(env.BACKEND_URL + "?q=1&X-Goog-Signature=secret", { headers: { "x-from": "app" } });
    return new Response(`${this.label} ${await upstream.text()}`);
  },
  async scheduled(controller, env) {
    await env.KV.put("last-cron", controller.cron);
  },
  async queue(batch) {
    for (const message of batch.messages) message.ack();
  },
};

export const config = (env) => ({ env, serviceName: "edge-api" });
