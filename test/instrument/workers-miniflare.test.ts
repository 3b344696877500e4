// instrument() and instrumentDurableObject() in workerd (miniflare 3 from npm), through the
// built package as a Worker bundle gets it (`otel-edge` → the `workerd` condition →
// dist/workers.js; `npm test` builds dist/ first). The Worker (test/runtimes/workers-instrument/
// worker.mjs) has no hand-made spans: a fetch invocation calling a real 127.0.0.1 backend and
// a Durable Object, a scheduled invocation and a queue invocation must each arrive at the dev
// receiver, flushed through ctx.waitUntil (which dispatchFetch does not wait for — so the test
// waits for the receiver, with a deadline), and the user's bindings (KV through `this` and
// `.bind`, a Durable Object stub) keep working.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { startBackend } from "../runtimes/backend.mjs";
import { bundleWorker } from "../runtimes/bundle-worker.ts";

const workerEntry = fileURLToPath(new URL("../runtimes/workers-instrument/worker.mjs", import.meta.url));
// The module's name inside workerd (its contents are the in-memory bundle; nothing is written).
const bundlePath = fileURLToPath(new URL("../runtimes/workers-instrument/worker.bundle.mjs", import.meta.url));
// workerd's own compatibility date (miniflare 3.20250718 ships workerd 1.20250718).
const COMPATIBILITY_DATE = "2025-07-18";
const INCOMING_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_TRACEPARENT = `00-${INCOMING_TRACE_ID}-00f067aa0ba902b7-01`;

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number };
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}
interface Receiver {
  url: string;
  traces: Array<{ resourceSpans: Array<{ resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }>;
  metrics: unknown[];
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function spans(r: Receiver): Array<OtlpSpan & { service: unknown }> {
  return r.traces.flatMap((t) =>
    t.resourceSpans.flatMap((rs) => {
      const service = attr(rs.resource.attributes, "service.name");
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
    }),
  );
}

function attr(attributes: OtlpSpan["attributes"], key: string): unknown {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}


const receiver = (await startDevReceiver()) as Receiver;
const backend = await startBackend();
const mf = new Miniflare({
  modules: [{ type: "ESModule", path: bundlePath, contents: await bundleWorker(workerEntry) }],
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: ["nodejs_compat"],
  bindings: {
    SERVICE_NAME: "instrumented-worker",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    BACKEND_URL: backend.url,
    STEP: "1",
  },
  kvNamespaces: ["KV"],
  durableObjects: { COUNTER: "CounterObject" },
});

test("fetch: SERVER span from the incoming traceparent, outgoing fetch CLIENT child with traceparent sent, Durable Object SERVER grandchild; KV via this and bind; flushed in waitUntil", async () => {
  const response = await withTimeout(mf.dispatchFetch("http://worker.test/work?token=abc", { headers: { traceparent: INCOMING_TRACEPARENT } }), 20000, "fetch invocation");
  assert.is(response.status, 200);
  const body = (await response.json()) as { traceId: string; upstreamText: string; viaMethod: string; viaBind: string; fromObject: { n: number; step: string; traceparent: string }; describe: string };
  assert.is(body.traceId, INCOMING_TRACE_ID);
  assert.is(body.upstreamText, "ok");
  assert.is(body.viaMethod, "hello");
  assert.is(body.viaBind, "hello");
  assert.is(body.describe, "app-this:x", "the handler's `this` is the user's object");
  assert.is(body.fromObject.n, 1);
  assert.is(body.fromObject.step, "1", "the object's own env");

  const inTrace = (r: Receiver) => spans(r).filter((s) => s.traceId === INCOMING_TRACE_ID);
  // Worker SERVER + CLIENT (backend) + Durable Object SERVER.
  await receiver.waitFor((r) => inTrace(r).length >= 3, 20000);
  const all = inTrace(receiver);
  const server = all.find((s) => s.kind === 2 && s.service === "instrumented-worker" && attr(s.attributes, "url.path") === "/work");
  assert.ok(server, `no worker SERVER span; got ${JSON.stringify(all.map((s) => [s.name, s.kind, s.service]))}`);
  assert.is(server!.parentSpanId, "00f067aa0ba902b7");
  assert.is(attr(server!.attributes, "http.response.status_code"), 200);
  assert.is(attr(server!.attributes, "faas.coldstart"), true);

  const client = all.find((s) => s.kind === 3 && s.parentSpanId === server!.spanId);
  assert.ok(client, "the outgoing fetch is a CLIENT child of the SERVER span");
  assert.is(attr(client!.attributes, "url.full"), backend.url);
  assert.ok(BigInt(client!.endTimeUnixNano) >= BigInt(client!.startTimeUnixNano));
  assert.ok(backend.traceparents.includes(`00-${INCOMING_TRACE_ID}-${client!.spanId}-01`), `backend got ${JSON.stringify(backend.traceparents)}`);

  const object = all.find((s) => s.kind === 2 && s.spanId !== server!.spanId);
  assert.ok(object, "the Durable Object's fetch is traced");
  assert.is(object!.parentSpanId, server!.spanId, "continues the trace injected by the caller");
  assert.is(body.fromObject.traceparent, `00-${INCOMING_TRACE_ID}-${server!.spanId}-01`);

  // The exporter's own requests to the receiver are never traced.
  assert.not.ok(spans(receiver).some((s) => String(attr(s.attributes, "url.full") ?? "").startsWith(receiver.url)), "an export request was traced");
  await receiver.waitFor((r) => JSON.stringify(r.metrics).includes("http.server.request.duration"), 20000);
});

test("scheduled: a `scheduled {cron}` span (faas.trigger=timer, faas.cron) arrives, flushed in waitUntil", async () => {
  const worker = await mf.getWorker();
  const result = await withTimeout(worker.scheduled({ cron: "*/10 * * * *", scheduledTime: new Date(Date.UTC(2025, 5, 1)) }), 20000, "scheduled invocation");
  assert.is(result.outcome, "ok");
  await receiver.waitFor((r) => spans(r).some((s) => s.name === "scheduled */10 * * * *"), 20000);
  const span = spans(receiver).find((s) => s.name === "scheduled */10 * * * *")!;
  assert.is(attr(span.attributes, "faas.trigger"), "timer");
  assert.is(attr(span.attributes, "faas.cron"), "*/10 * * * *");
  assert.is(attr(span.attributes, "faas.time"), "2025-06-01T00:00:00.000Z");
  assert.is(span.parentSpanId || undefined, undefined);
  const kv = await mf.getKVNamespace("KV");
  assert.is(await kv.get("last-cron"), "*/10 * * * *", "the handler ran with its KV binding");
});

test("queue: a CONSUMER `process {queue}` span with messaging attributes arrives, flushed in waitUntil", async () => {
  const worker = await mf.getWorker();
  const messages = [
    { id: "m1", timestamp: new Date(), body: { order: 1 }, attempts: 1 },
    { id: "m2", timestamp: new Date(), body: { order: 2 }, attempts: 1 },
  ];
  const result = await withTimeout(worker.queue("orders", messages), 20000, "queue invocation");
  assert.is(result.outcome, "ok");
  await receiver.waitFor((r) => spans(r).some((s) => s.name === "process orders"), 20000);
  const span = spans(receiver).find((s) => s.name === "process orders")!;
  assert.is(span.kind, 5, "OTLP SPAN_KIND_CONSUMER");
  assert.is(attr(span.attributes, "messaging.system"), "cloudflare_queues");
  assert.is(attr(span.attributes, "messaging.destination.name"), "orders");
  assert.is(attr(span.attributes, "messaging.batch.message_count"), 2);
  assert.is(attr(span.attributes, "faas.trigger"), "pubsub");
  const kv = await mf.getKVNamespace("KV");
  assert.is(await kv.get("message-m2"), JSON.stringify({ order: 2 }));
});

test.after(async () => {
  await withTimeout(mf.dispose(), 10000, "miniflare dispose").catch(() => {});
  await backend.close();
  await receiver.close();
  // A workerd that failed to start can leave handles open (the timer is unref'd).
  setTimeout(() => process.exit(), 2000).unref();
});

test.run();
