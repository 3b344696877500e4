import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { createBaggage, setBaggage } from "../../src/propagation/baggage.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { BaggageSpanProcessor, type BaggageSpanProcessorOptions } from "../../src/trace/baggage-span-processor.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));
const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

function setup(options: BaggageSpanProcessorOptions) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BaggageSpanProcessor(options), new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer("test"), provider };
}

async function finished(s: ReturnType<typeof setup>) {
  await s.provider.forceFlush();
  return s.exporter.getFinishedSpans();
}

function withBaggage(entries: Record<string, string>) {
  return setBaggage(ROOT_CONTEXT, createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))));
}

test("end to end: a real request's baggage header lands on every span of the request, allowed keys only", async () => {
  const { exporter, tracer, provider } = setup({ allow: ["tenant.tier", "chaos.experiment.id"] });
  const server = createServer((req: IncomingMessage, res) => {
    const incoming = propagation.extract(ROOT_CONTEXT, req.headers);
    void context.with(incoming, () =>
      tracer.startActiveSpan("GET /checkout", { kind: 1 }, async (span) => {
        await new Promise((r) => setTimeout(r, 1));
        await tracer.startActiveSpan("db.query", async (child) => {
          await Promise.resolve();
          child.end();
        });
        span.end();
        res.end("ok");
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/checkout`, {
      headers: {
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        baggage: "tenant.tier=gold,chaos.experiment.id=exp%2042;ttl=60,user.email=alice%40example.com,session=secret",
      },
    });
    assert.is(await response.text(), "ok");
  } finally {
    await new Promise((r) => server.close(r));
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.map((s) => s.name).sort(), ["GET /checkout", "db.query"]);
  for (const span of spans) {
    assert.is(span.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(span.attributes, { "tenant.tier": "gold", "chaos.experiment.id": "exp 42" }, `attributes of ${span.name}`);
  }
});

test("RegExp and predicate allowlists; nothing else is copied", async () => {
  const ctx = withBaggage({ "tenant.tier": "gold", "tenant.id": "42", other: "x" });
  const byPattern = setup({ allow: /^tenant\./g }); // the g flag must not make matching stateful
  for (let i = 0; i < 3; i++) byPattern.tracer.startSpan("s", {}, ctx).end();
  for (const s of (await finished(byPattern))) assert.equal(s.attributes, { "tenant.tier": "gold", "tenant.id": "42" });
  const byFn = setup({ allow: (k) => k === "other" });
  byFn.tracer.startSpan("s", {}, ctx).end();
  assert.equal((await finished(byFn))[0].attributes, { other: "x" });
  const none = setup({ allow: [] });
  none.tracer.startSpan("s", {}, ctx).end();
  assert.equal((await finished(none))[0].attributes, {});
});

test("baggage in the parent context only: a span started without it gets nothing", async () => {
  const s = setup({ allow: ["tenant.tier"] });
  s.tracer.startSpan("no-baggage", {}, ROOT_CONTEXT).end();
  assert.equal((await finished(s))[0].attributes, {});
});

test("size limits: values truncated, entries per span capped (reported once)", async () => {
  resetDiagOnce();
  const s = setup({ allow: /^k/, maxEntries: 2, maxValueLength: 4 });
  s.tracer.startSpan("s", {}, withBaggage({ k1: "abcdefgh", k2: "xy", k3: "zzz" })).end();
  assert.equal((await finished(s))[0].attributes, { k1: "abcd", k2: "xy" });
  assert.ok(warnings.some((w) => w.includes("more than 2 allowed baggage entries")));
});

test("prefix option, and attributes set at creation are never overwritten by baggage", async () => {
  const prefixed = setup({ allow: ["tier"], prefix: "baggage." });
  prefixed.tracer.startSpan("s", {}, withBaggage({ tier: "gold" })).end();
  assert.equal((await finished(prefixed))[0].attributes, { "baggage.tier": "gold" });
  const plain = setup({ allow: ["http.route"] });
  plain.tracer.startSpan("s", { attributes: { "http.route": "/users/:id" } }, withBaggage({ "http.route": "/evil" })).end();
  assert.equal((await finished(plain))[0].attributes, { "http.route": "/users/:id" });
});

test("a throwing predicate copies nothing and never reaches the caller", async () => {
  resetDiagOnce();
  const s = setup({ allow: () => { throw new Error("bad predicate"); } });
  s.tracer.startSpan("s", {}, withBaggage({ a: "1" })).end();
  assert.equal((await finished(s))[0].attributes, {});
  assert.ok(warnings.some((w) => w.includes("`allow` predicate threw")));
});

test("configuration errors throw with a reason", async () => {
  assert.throws(() => new BaggageSpanProcessor({} as BaggageSpanProcessorOptions), /`allow` must be an array of keys, a RegExp or a function/);
  assert.throws(() => new BaggageSpanProcessor({ allow: [1 as unknown as string] }), /`allow` must be/);
  assert.throws(() => new BaggageSpanProcessor({ allow: [], maxEntries: 0 }), /maxEntries must be a positive integer/);
});

test.run();
