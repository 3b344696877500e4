// instrument() / instrumentDurableObject() from the Workers entry, in Node (the real-engine
// run is test/instrument/workers-miniflare.test.ts): spans per trigger with the FaaS and
// messaging semantic conventions, outgoing fetch traced and propagated to a real 127.0.0.1
// server, everything flushed through ctx.waitUntil (also on throw), `this` and env untouched,
// config from env, and a broken config never breaking the handler.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createLog, init, instrument, instrumentDurableObject, logsSdk, metricsSdk, trace, type Sdk, type WorkersInstrumentConfig } from "../../src/runtime/workers.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

interface Exporters {
  spans: InMemorySpanExporter;
  metrics: InMemoryMetricExporter;
  logs: InMemoryLogRecordExporter;
}

function exporters(): Exporters {
  return { spans: new InMemorySpanExporter(), metrics: new InMemoryMetricExporter(), logs: new InMemoryLogRecordExporter() };
}

function config(e: Exporters, extra: WorkersInstrumentConfig = {}): WorkersInstrumentConfig {
  // The Workers entry starts traces only; metrics and logs are parts the program imports.
  return { serviceName: "worker-test", parts: [metricsSdk(), logsSdk()], traceExporter: e.spans, metricExporter: e.metrics, logExporter: e.logs, ...extra };
}

/** A fake ExecutionContext that keeps what waitUntil received. */
function executionContext() {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {} };
}

function byName(e: Exporters, name: string): ReadableSpan {
  const span = e.spans.getFinishedSpans().find((s) => s.name === name);
  assert.ok(span, `no span named ${name}; got ${e.spans.getFinishedSpans().map((s) => s.name).join(", ")}`);
  return span!;
}

function histogramCount(e: Exporters, name: string): Array<{ attributes: unknown; count: number }> {
  return e.metrics
    .getMetrics()
    .flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics))
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints.map((p) => ({ attributes: p.attributes, count: (p.value as { count: number }).count })));
}

async function startBackend(): Promise<{ url: string; headers: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("backend ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/items`,
    headers,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The wrapped handler as workerd calls it (the user's own methods may declare fewer parameters). */
interface Invocable {
  fetch(request: Request, env: unknown, ctx: unknown): Promise<Response>;
  scheduled(controller: unknown, env: unknown, ctx: unknown): Promise<void>;
  queue(batch: unknown, env: unknown, ctx: unknown): Promise<void>;
}
const invocable = (worker: object): Invocable => worker as Invocable;

let current: Sdk | undefined;
test.after.each(async () => {
  // init() is memoized per isolate: shutting down lets the next test start a fresh SDK.
  await (current ?? init({ traceExporter: "none" })).shutdown();
  current = undefined;
  diag.setLogger();
  resetDiagOnce();
});

test("fetch: false leaves globalThis.fetch alone; the isolate's first invocation is a cold start", async () => {
  const e = exporters();
  const before = globalThis.fetch;
  const ctx = executionContext();
  const worker = instrument({ fetch: () => new Response("ok") }, config(e, { fetch: false }));
  await invocable(worker).fetch(new Request("http://worker.test/"), {}, ctx);
  assert.is(globalThis.fetch, before);
  current = init();
  await Promise.all(ctx.pending);
  assert.is(e.spans.getFinishedSpans().length, 1);
  assert.is(e.spans.getFinishedSpans()[0]!.attributes["faas.coldstart"], true);
});

test("fetch: SERVER span continues the incoming traceparent; outgoing fetch is a child CLIENT span with traceparent; flushed in waitUntil", async () => {
  const backend = await startBackend();
  try {
    const e = exporters();
    const ctx = executionContext();
    const worker = instrument(
      {
        async fetch(request: Request, env: { BACKEND_URL: string }) {
          createLog({ name: "app" }).info("calling backend");
          const upstream = await fetch(env.BACKEND_URL);
          return new Response(`${request.method} ${await upstream.text()}`, { status: 200 });
        },
      },
      config(e),
    );
    const response = await invocable(worker).fetch(
      new Request("http://worker.test/items/7?token=secret", { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, "cf-connecting-ip": "203.0.113.9" } }),
      { BACKEND_URL: backend.url },
      ctx,
    );
    current = init();
    assert.is(await response.text(), "GET backend ok");
    // Nothing was exported before the invocation's waitUntil flush ran.
    assert.is(ctx.pending.length, 1, "one flush handed to waitUntil");
    await Promise.all(ctx.pending);

    const server = e.spans.getFinishedSpans().find((s) => s.kind === 1)!;
    const client = e.spans.getFinishedSpans().find((s) => s.kind === 2)!;
    assert.ok(server && client, "a SERVER and a CLIENT span");
    assert.is(server.spanContext().traceId, TRACE_ID);
    assert.is(server.parentSpanContext?.spanId, PARENT_ID);
    assert.is(client.spanContext().traceId, TRACE_ID);
    assert.is(client.parentSpanContext?.spanId, server.spanContext().spanId);
    assert.is(server.attributes["http.request.method"], "GET");
    assert.is(server.attributes["http.response.status_code"], 200);
    assert.is(server.attributes["client.address"], "203.0.113.9", "CF-Connecting-IP is the client address on Workers");
    assert.is(server.attributes["faas.coldstart"], false, "not the isolate's first invocation");
    assert.is(client.attributes["url.full"], backend.url);
    assert.is(backend.headers[0]!.traceparent, `00-${TRACE_ID}-${client.spanContext().spanId}-01`);
    // Logs and metrics leave in the same flush.
    assert.is(e.logs.getFinishedLogRecords().length, 1);
    assert.is(e.logs.getFinishedLogRecords()[0]!.spanContext?.spanId, server.spanContext().spanId);
    assert.ok(histogramCount(e, "http.server.request.duration").length > 0);
    assert.ok(histogramCount(e, "http.client.request.duration").length > 0);

    // The next invocation is flushed again.
    const ctx2 = executionContext();
    await invocable(worker).fetch(new Request("http://worker.test/again"), { BACKEND_URL: backend.url }, ctx2);
    await Promise.all(ctx2.pending);
    const servers = e.spans.getFinishedSpans().filter((s) => s.kind === 1);
    assert.is(servers.length, 2);
  } finally {
    await backend.close();
  }
});

test("fetch: the flush starts after the response is returned, not on its path (encode and send run in waitUntil)", async () => {
  const exported: number[] = [];
  const e = exporters();
  // An exporter that notes when an export starts, so the order against the response is visible.
  const spans = {
    export: (batch: ReadableSpan[]) => {
      exported.push(batch.length);
      return e.spans.export(batch);
    },
    shutdown: () => Promise.resolve(),
  };
  const ctx = executionContext();
  const worker = instrument({ fetch: () => new Response("ok") }, config(e, { traceExporter: spans }));
  const response = await invocable(worker).fetch(new Request("http://worker.test/"), {}, ctx);
  current = init();
  assert.is(await response.text(), "ok");
  assert.equal(exported, [], "no export began before the handler's promise settled");
  assert.is(ctx.pending.length, 1);
  await Promise.all(ctx.pending);
  assert.equal(exported, [1], "the invocation's span left in its waitUntil flush");
});

test("fetch: a throwing handler rethrows, the span is ERROR, and the flush still goes to waitUntil", async () => {
  const e = exporters();
  const ctx = executionContext();
  const worker = instrument({ fetch: async () => { throw new RangeError("boom"); } }, config(e));
  try {
    await invocable(worker).fetch(new Request("http://worker.test/fail"), {}, ctx);
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.instance(err, RangeError);
  }
  current = init();
  assert.is(ctx.pending.length, 1);
  await Promise.all(ctx.pending);
  const [span] = e.spans.getFinishedSpans();
  assert.is(span!.status.code, 2);
  assert.is(span!.attributes["error.type"], "RangeError");
});

test("the handler keeps `this`, its other properties, and receives env and ctx untouched", async () => {
  const e = exporters();
  const ctx = executionContext();
  const env = { KV: { store: new Map<string, string>(), get(this: { store: Map<string, string> }, k: string) { return this.store.get(k); } } };
  env.KV.store.set("greeting", "hello");
  const handler = {
    prefix: "says:",
    helper(value: string) { return `${this.prefix}${value}`; },
    async fetch(this: { helper(v: string): string }, _request: Request, receivedEnv: typeof env, receivedCtx: unknown) {
      assert.is(receivedEnv, env, "env passes through as the same object");
      assert.is(receivedCtx, ctx);
      const viaMethod = receivedEnv.KV.get("greeting");
      const viaBind = receivedEnv.KV.get.bind(receivedEnv.KV)("greeting");
      return new Response(this.helper(`${viaMethod}/${viaBind}`));
    },
  };
  const worker = instrument(handler, config(e));
  assert.is(worker.prefix, "says:");
  assert.is.not(worker, handler, "the user's object is not modified");
  assert.is(handler.fetch.name, "fetch");
  const response = await invocable(worker).fetch(new Request("http://worker.test/"), env, ctx);
  assert.is(await response.text(), "says:hello/hello");
  current = init();
});

test("config as a function of env: called once per isolate; OTEL_* string bindings configure the SDK", async () => {
  const e = exporters();
  let calls = 0;
  const worker = instrument({ fetch: () => new Response("ok") }, (env: { OTEL_SERVICE_NAME: string; VERSION: string }) => {
    calls++;
    return config(e, { serviceName: undefined, serviceVersion: env.VERSION });
  });
  const env = { OTEL_SERVICE_NAME: "from-binding", VERSION: "9.9.9" };
  for (let i = 0; i < 3; i++) {
    const ctx = executionContext();
    await invocable(worker).fetch(new Request("http://worker.test/"), env, ctx);
    await Promise.all(ctx.pending);
  }
  current = init();
  assert.is(calls, 1);
  assert.is(current.resource.attributes["service.name"], "from-binding");
  assert.is(current.resource.attributes["service.version"], "9.9.9");
  assert.is(e.spans.getFinishedSpans().length, 3);
});

test("scheduled: a `scheduled {cron}` span with faas.trigger=timer, faas.cron, faas.time; faas.invoke_duration; flushed in waitUntil", async () => {
  const e = exporters();
  const ctx = executionContext();
  let activeInside: string | undefined;
  const worker = instrument(
    {
      async scheduled(this: { marker: string }, controller: { cron: string }) {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        assert.is(this.marker, "mine");
        assert.is(controller.cron, "*/5 * * * *");
      },
      marker: "mine",
    },
    config(e),
  );
  const scheduledTime = Date.UTC(2025, 0, 2, 3, 4, 5);
  await invocable(worker).scheduled({ cron: "*/5 * * * *", scheduledTime, noRetry() {} }, {}, ctx);
  current = init();
  assert.is(ctx.pending.length, 1);
  await Promise.all(ctx.pending);
  const span = byName(e, "scheduled */5 * * * *");
  assert.is(span.kind, 1);
  assert.is(span.parentSpanContext, undefined, "a new local root");
  assert.is(activeInside, span.spanContext().spanId, "the span is active inside the handler");
  assert.equal(
    { trigger: span.attributes["faas.trigger"], cron: span.attributes["faas.cron"], time: span.attributes["faas.time"] },
    { trigger: "timer", cron: "*/5 * * * *", time: "2025-01-02T03:04:05.000Z" },
  );
  assert.equal(histogramCount(e, "faas.invoke_duration"), [{ attributes: { "faas.trigger": "timer" }, count: 1 }]);
});

test("a traces-only Worker (the default): spans as usual, no meter provider, no durations, nothing reported", async () => {
  const e = exporters();
  const errors: string[] = [];
  diag.setLogger({ error: (m) => errors.push(m), warn: (m) => errors.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  const ctx = executionContext();
  const worker = instrument(
    { fetch: () => new Response("ok"), scheduled: async () => {} },
    { serviceName: "traces-only", traceExporter: e.spans, fetch: false },
  );
  await invocable(worker).fetch(new Request("http://worker.test/"), {}, ctx);
  await invocable(worker).scheduled({ cron: "0 * * * *", scheduledTime: Date.now() }, {}, ctx);
  current = init();
  assert.is(current.meterProvider, undefined);
  await Promise.all(ctx.pending);
  assert.equal(e.spans.getFinishedSpans().map((s) => s.name).sort(), ["GET", "scheduled 0 * * * *"]);
  assert.equal(errors, []);
});

test("queue: a CONSUMER `process {queue}` span with messaging attributes; a throw is ERROR, rethrown, and still flushed", async () => {
  const e = exporters();
  const ok = executionContext();
  const worker = instrument(
    {
      async queue(batch: { queue: string; messages: Array<{ body: string }> }) {
        if (batch.messages.some((m) => m.body === "poison")) throw new TypeError("bad message");
      },
    },
    config(e),
  );
  await invocable(worker).queue({ queue: "orders", messages: [{ body: "a" }, { body: "b" }] }, {}, ok);
  const failing = executionContext();
  await invocable(worker).queue({ queue: "orders", messages: [{ body: "poison" }] }, {}, failing).then(
    () => assert.unreachable("should have thrown"),
    (err: unknown) => assert.instance(err, TypeError),
  );
  current = init();
  assert.is(ok.pending.length, 1);
  assert.is(failing.pending.length, 1);
  await Promise.all([...ok.pending, ...failing.pending]);
  const spans = e.spans.getFinishedSpans().filter((s) => s.name === "process orders");
  assert.is(spans.length, 2);
  const [good, bad] = spans;
  assert.is(good!.kind, 4);
  assert.equal(
    Object.fromEntries(["faas.trigger", "messaging.system", "messaging.operation.type", "messaging.destination.name", "messaging.batch.message_count"].map((k) => [k, good!.attributes[k]])),
    { "faas.trigger": "pubsub", "messaging.system": "cloudflare_queues", "messaging.operation.type": "process", "messaging.destination.name": "orders", "messaging.batch.message_count": 2 },
  );
  assert.is(good!.status.code, 0);
  assert.is(bad!.status.code, 2);
  assert.is(bad!.attributes["error.type"], "TypeError");
  const durations = histogramCount(e, "faas.invoke_duration");
  assert.equal(durations.map((d) => d.attributes).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
    { "error.type": "TypeError", "faas.trigger": "pubsub" },
    { "faas.trigger": "pubsub" },
  ]);
});

test("a config function that throws: reported once, the handler still runs (untraced)", async () => {
  const messages: string[] = [];
  diag.setLogger({ error: (m) => messages.push(m), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  const worker = instrument({ fetch: () => new Response("still works") }, () => {
    throw new Error("missing OTLP_URL binding");
  });
  for (let i = 0; i < 2; i++) {
    const ctx = executionContext();
    const response = await invocable(worker).fetch(new Request("http://worker.test/"), {}, ctx);
    assert.is(await response.text(), "still works");
  }
  assert.is(messages.filter((m) => m.includes("missing OTLP_URL binding")).length, 1);
});

test("instrument() rejects a non-object handler or a missing config at construction", () => {
  assert.throws(() => instrument(null as never, {}), (e: unknown) => e instanceof TypeError && /handler must be an object/.test((e as Error).message));
  assert.throws(() => instrument({}, null as never), (e: unknown) => e instanceof TypeError && /config must be/.test((e as Error).message));
});

test("instrumentDurableObject: a subclass whose fetch and alarm are traced and flushed through state.waitUntil; constructor, this and env are the user's", async () => {
  const e = exporters();
  const state = { ...executionContext(), id: "object-1", storage: new Map<string, number>() };
  class Counter {
    state: typeof state;
    env: { STEP: number };
    constructor(s: typeof state, env: { STEP: number }) {
      this.state = s;
      this.env = env;
    }
    async fetch(request: Request): Promise<Response> {
      const next = (this.state.storage.get("n") ?? 0) + this.env.STEP;
      this.state.storage.set("n", next);
      return new Response(`${new URL(request.url).pathname}=${next}`);
    }
    async alarm(): Promise<void> {
      this.state.storage.set("alarmed", 1);
    }
  }
  const Instrumented = instrumentDurableObject(Counter, (env) => config(e, { serviceName: `do-step-${env.STEP}` }));
  assert.is(Instrumented.name, "Counter");
  const object = new Instrumented(state, { STEP: 2 });
  assert.instance(object, Counter);
  const response = await object.fetch(new Request("http://do/count", { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } }));
  assert.is(await response.text(), "/count=2");
  await object.alarm();
  assert.is(state.storage.get("alarmed"), 1);
  current = init();
  assert.is(current.resource.attributes["service.name"], "do-step-2");
  assert.is(state.pending.length, 2, "one flush per call");
  await Promise.all(state.pending);
  const server = e.spans.getFinishedSpans().find((s) => s.kind === 1 && s.attributes["http.request.method"] === "GET")!;
  assert.ok(server);
  assert.is(server.spanContext().traceId, TRACE_ID);
  assert.is(server.parentSpanContext?.spanId, PARENT_ID);
  const alarm = byName(e, "alarm");
  assert.is(alarm.attributes["faas.trigger"], "timer");
});

test.run();
