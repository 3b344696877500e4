// The Worker for test/concurrency/workers-isolate.test.ts: bundled like wrangler bundles
// (`otel-edge` → dist/workers.js) and run by miniflare in ONE workerd isolate, which serves
// many requests concurrently. Each request interleaves with the others (timers and
// microtasks), opens two nested spans, emits a log record, records a histogram and a counter
// (exemplars) and fetches a real backend through the wrapper's traced global fetch. The
// request id comes from the URL only; the test joins everything back to it.
import { instrument, logs, logsSdk, metrics, metricsSdk, trace } from "otel-edge";

const tracer = trace.getTracer("isolate.test");
const logger = logs.getLogger("isolate.test");
let histogram;
let counter;

/** A deterministic interleaving point for request `id`, step `step`: a microtask or a 0–4 ms timer. */
function interleave(id, step) {
  const r = (id * 7919 + step * 104729) % 7;
  if (r < 2) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, r - 2));
}

export default instrument(
  {
    async fetch(request, env) {
      const id = Number(new URL(request.url).pathname.slice("/r/".length));
      histogram ??= metrics.getMeter("isolate.test").createHistogram("work.value", { advice: { explicitBucketBoundaries: Array.from({ length: 399 }, (_, i) => i + 1) } });
      counter ??= metrics.getMeter("isolate.test").createCounter("work.count");
      await interleave(id, 0);
      return tracer.startActiveSpan(`a-${id}`, async (a) => {
        await interleave(id, 1);
        const status = await tracer.startActiveSpan(`b-${id}`, async (b) => {
          await interleave(id, 2);
          logger.emit({ body: `log-${id}`, attributes: { "req.id": id } });
          await interleave(id, 3);
          histogram.record(id, { shard: id % 10 });
          counter.add(id + 1, { shard: id % 10 });
          await interleave(id, 4);
          const res = await fetch(`${env.BACKEND_URL}?id=${id}`);
          await res.text();
          await interleave(id, 5);
          b.end();
          return res.status;
        });
        await interleave(id, 6);
        a.end();
        return new Response(String(status));
      });
    },
  },
  // Metrics and logs are parts the Worker imports (the Workers entry starts traces only).
  (env) => ({ serviceName: env.SERVICE_NAME, parts: [metricsSdk(), logsSdk()] }),
);
