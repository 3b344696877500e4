// The "Workers init + traces + metrics" program (scripts/size.mjs) end to end, on the lean core
// (bench/lean/program-metrics.ts's code over metrics-api.ts, metrics-sdk.ts, workers-init.ts and
// trace-api.ts) and on the product (src/runtime/workers.ts), in one process with one
// fake clock and one stubbed `fetch`: each invocation's `flushInWaitUntil(ctx)` must send the
// same OTLP/JSON metrics body to the same URL (Workers default: delta temporality), the
// exporter's own fetch untraced, and nothing when nothing was recorded.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { now as productNow } from "../../src/common/time.ts";
import { diag } from "../../src/common/diag.ts";
import * as product from "../../src/runtime/workers.ts";
import { now as leanNow } from "../../bench/lean/time.ts";
import { active, SUPPRESS_KEY } from "../../bench/lean/context.ts";
import { metrics } from "../../bench/lean/metrics-api.ts";
import { metricsSdk } from "../../bench/lean/metrics-sdk.ts";
import { trace } from "../../bench/lean/trace-api.ts";
import { flushInWaitUntil, init } from "../../bench/lean/workers-init.ts";

let clock = 1000;
Object.defineProperty(performance, "now", { value: () => clock, configurable: true, writable: true });
const realNow = Date.now;
Date.now = () => 1765100000123;
productNow();
leanNow();
Date.now = realNow;
diag.disable();
console.warn = () => {};

const sent: Array<{ url: string; body: string; suppressed: unknown }> = [];
globalThis.fetch = (async (url: string, init: RequestInit) => {
  const body = typeof init.body == "string" ? init.body : new TextDecoder().decode(init.body as Uint8Array);
  sent.push({ url: String(url), body, suppressed: active().getValue(SUPPRESS_KEY) });
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
}) as typeof fetch;

type Api = { init: typeof init; flushInWaitUntil: typeof flushInWaitUntil; metrics: typeof metrics; metricsSdk: typeof metricsSdk; trace: typeof trace };

/** The measured program's code, over either implementation. */
function program({ init, flushInWaitUntil, metrics, metricsSdk, trace }: Api) {
  const meter = metrics.getMeter("edge-api");
  const requests = meter.createCounter("app.requests", { unit: "{request}" });
  const latency = meter.createHistogram("app.latency", { unit: "ms" });
  return {
    async fetch(request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }) {
      init({ env, serviceName: "edge-api", parts: [metricsSdk()] });
      const started = performance.now();
      try {
        return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
          try {
            clock += request.url.length; // the handler's work takes time
            return new Response("ok");
          } finally {
            span.end();
          }
        });
      } finally {
        requests.add(1, { "http.request.method": request.method });
        latency.record(performance.now() - started);
        flushInWaitUntil(ctx);
      }
    },
  };
}

const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.test:4318/base" };

/** Runs `requests` through `worker`, one invocation after another; the metrics requests sent. */
async function run(worker: ReturnType<typeof program>, requests: Request[][]): Promise<Array<{ url: string; body: string; suppressed: unknown }>> {
  sent.length = 0;
  clock = 5000;
  for (const batch of requests) {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) };
    // Concurrent invocations of one isolate.
    const responses = await Promise.all(batch.map((r) => worker.fetch(r, env, ctx)));
    for (const r of responses) assert.is(await r.text(), "ok");
    await Promise.all(pending);
    clock += 1000;
  }
  return sent.filter((s) => s.url.includes("/v1/metrics"));
}

const REQUESTS = [
  [new Request("http://a.test/")],
  [new Request("http://a.test/longer/path", { method: "POST" }), new Request("http://b.test/x", { method: "PUT" }), new Request("http://a.test/")],
  [],
  [new Request("http://a.test/" + "x".repeat(300), { method: "DELETE" })],
];

test("the program: the same metrics requests as the product's program (delta, per invocation)", async () => {
  const ours = await run(program(product as unknown as Api), REQUESTS);
  const lean = await run(program({ init, flushInWaitUntil, metrics, metricsSdk, trace }), REQUESTS);
  assert.ok(ours.length >= 3, `${ours.length} metrics requests from the product`);
  assert.equal(lean.map((s) => s.url), ours.map((s) => s.url));
  assert.is(lean[0]!.url, "http://collector.test:4318/base/v1/metrics");
  for (let i = 0; i < ours.length; i++) {
    const a = JSON.parse(lean[i]!.body);
    const b = JSON.parse(ours[i]!.body);
    // The resource is config.ts's (differential-tested there); compared apart.
    assert.equal(a.resourceMetrics[0].resource.attributes.find((x: { key: string }) => x.key == "service.name"), b.resourceMetrics[0].resource.attributes.find((x: { key: string }) => x.key == "service.name"));
    delete a.resourceMetrics[0].resource;
    delete b.resourceMetrics[0].resource;
    assert.equal(a, b, `request ${i}`);
    assert.is(lean[i]!.suppressed, true);
  }
  const first = JSON.parse(lean[0]!.body).resourceMetrics[0].scopeMetrics[0].metrics;
  assert.is(first[0].sum.aggregationTemporality, 1);
  assert.is(first[1].histogram.dataPoints[0].sum, "http://a.test/".length);
});

test("metricsSdk(): OTEL_* settings, nothing sent without data points, flushes asked for together share one export", async () => {
  const resource = { attributes: { "service.name": "unit" } };
  const start = (e: Record<string, unknown>, options = {}) => metricsSdk().start({ options, env: e, resource });
  assert.is(start({ OTEL_METRICS_EXPORTER: "none" }), undefined);
  assert.is(start({ OTEL_METRICS_EXPORTER: " None " }), undefined);
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{}, 1, "http://localhost:4318/v1/metrics"],
    [{ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "Cumulative", OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://m.test/custom" }, 2, "http://m.test/custom"],
    [{ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "lowmemory", OTEL_METRICS_EXPORTER: "otlp,console" }, 1, "http://localhost:4318/v1/metrics"],
    [{ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "sometimes" }, 2, "http://localhost:4318/v1/metrics"],
  ];
  for (const [e, temporality, url] of cases) {
    const part = start(e)!;
    sent.length = 0;
    await part.flush();
    assert.is(sent.length, 0, "nothing recorded: nothing sent");
    const counter = metrics.getMeter("unit").createCounter("c");
    counter.add(1);
    const flushes = [part.flush(), part.flush(), part.flush()];
    counter.add(2);
    await Promise.all(flushes);
    assert.is(sent.length, 1, "one export for flushes asked for together");
    assert.is(sent[0]!.url, url);
    const sum = JSON.parse(sent[0]!.body).resourceMetrics[0].scopeMetrics[0].metrics[0].sum;
    assert.is(sum.aggregationTemporality, temporality);
    assert.is(sum.dataPoints[0].asDouble, 3);
    counter.add(4);
    await part.flush();
    assert.is(JSON.parse(sent[1]!.body).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asDouble, temporality == 1 ? 4 : 7);
  }
});

test.after(() => void product.init().shutdown());
test.run();
