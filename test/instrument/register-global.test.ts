import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import * as api from "@opentelemetry/api";
import * as apiLogs from "@opentelemetry/api-logs";
import { diag as ourDiag, DiagLogLevel } from "../../src/common/diag.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { context as ourContext } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT as OUR_ROOT } from "../../src/context/context.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { registerGlobal } from "../../src/instrument/register-global.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { logs as ourLogs } from "../../src/logs/logs-api.ts";
import { metrics as ourMetrics } from "../../src/metrics/metrics-api.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import { propagation as ourPropagation } from "../../src/propagation/propagation-api.ts";
import { init, type FullSdk as Sdk } from "../../mod.ts";
import { trace as ourTrace } from "../../src/trace/trace-api.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";

const warnings: string[] = [];
ourDiag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

/** The API surface the workload is written against: the official types, whichever implementation is behind them. */
interface Apis {
  trace: typeof api.trace;
  context: typeof api.context;
  propagation: typeof api.propagation;
  metrics: typeof api.metrics;
  logs: typeof apiLogs.logs;
  ROOT_CONTEXT: api.Context;
}
const official: Apis = { trace: api.trace, context: api.context, propagation: api.propagation, metrics: api.metrics, logs: apiLogs.logs, ROOT_CONTEXT: api.ROOT_CONTEXT };
const ours = {
  trace: ourTrace,
  context: ourContext,
  propagation: ourPropagation,
  metrics: ourMetrics,
  logs: ourLogs,
  ROOT_CONTEXT: OUR_ROOT,
} as unknown as Apis;

const REMOTE = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true };

// A tracer obtained at "module load", before anything is registered (as instrumentations do).
const earlyTracer = api.trace.getTracer("interop", "1.0.0");

/** Typical instrumented code, using only the API it is given. */
async function workload(a: Apis, meterName: string): Promise<Record<string, string>> {
  const tracer = a === official ? earlyTracer : a.trace.getTracer("interop", "1.0.0");
  const meter = a.metrics.getMeter(meterName);
  const requests = meter.createCounter("app.requests", { unit: "{request}", description: "requests" });
  const latency = meter.createHistogram("app.latency", { unit: "ms" });
  const logger = a.logs.getLogger("interop-logs");
  const carrier: Record<string, string> = {};

  await tracer.startActiveSpan("GET /orders", { kind: api.SpanKind.SERVER, attributes: { "http.request.method": "GET" } }, async (server) => {
    requests.add(1, { route: "/orders" });
    await new Promise((r) => setTimeout(r, 2));
    await tracer.startActiveSpan("load orders", async (child) => {
      child.setAttribute("db.system", "postgresql");
      latency.record(12.5, { route: "/orders" });
      await Promise.resolve();
      // Nested once more, across an await, still through the active context.
      await tracer.startActiveSpan("decode", async (grandchild) => {
        await new Promise((r) => setTimeout(r, 1));
        logger.emit({ body: "decoded", severityNumber: apiLogs.SeverityNumber.INFO, attributes: { rows: 3 } });
        grandchild.end();
      });
      const withBaggage = a.propagation.setBaggage(a.context.active(), a.propagation.createBaggage({ "tenant.tier": { value: "gold" } }));
      a.propagation.inject(withBaggage, carrier);
      child.end();
    });
    requests.add(2, { route: "/orders" });
    // context.with an explicit context holding a remote parent.
    const remote = a.trace.setSpanContext(a.ROOT_CONTEXT, REMOTE);
    a.context.with(remote, () => tracer.startSpan("under remote", { kind: api.SpanKind.CONSUMER }).end());
    // Continue what was injected above, as the next service would.
    const extracted = a.propagation.extract(a.ROOT_CONTEXT, carrier);
    a.context.with(extracted, () => {
      const span = tracer.startSpan("from extracted", { kind: api.SpanKind.CLIENT });
      span.setAttribute("tenant.tier", a.propagation.getActiveBaggage()?.getEntry("tenant.tier")?.value ?? "none");
      span.end();
    });
    server.setStatus({ code: api.SpanStatusCode.ERROR, message: "partial failure" });
    server.end();
  });
  return carrier;
}

/** A run's spans as a tree of names, kinds, attributes and status, independent of ids and times. */
function shape(spans: ReadableSpan[]) {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (s: ReadableSpan) => {
    const p = s.parentSpanContext;
    if (p === undefined) return null;
    if (p.isRemote) return `remote:${p.spanId === REMOTE.spanId ? "REMOTE" : byId.has(p.spanId) ? byId.get(p.spanId)!.name : "?"}`;
    return byId.get(p.spanId)?.name ?? "?";
  };
  const traces = new Map<string, number>();
  const traceOf = (s: ReadableSpan) => {
    const id = s.spanContext().traceId;
    if (id === REMOTE.traceId) return "REMOTE";
    if (!traces.has(id)) traces.set(id, traces.size);
    return `T${traces.get(id)}`;
  };
  return [...spans]
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .map((s) => ({
      name: s.name,
      kind: s.kind,
      parent: parentOf(s),
      trace: traceOf(s),
      attributes: s.attributes,
      status: s.status,
      scope: s.instrumentationScope.name,
    }));
}

let sdk: Sdk;
const spanExporter = new InMemorySpanExporter();
const logExporter = new InMemoryLogRecordExporter();
const reader = new ManualMetricReader();

test.before(() => {
  sdk = init({
    env: {},
    serviceName: "interop",
    contextManager: new AsyncLocalStorageContextManager(AsyncLocalStorage),
    traceExporter: spanExporter,
    batch: { scheduledDelayMillis: Infinity },
    metricExporter: "none",
    metricReaders: [reader],
    logExporter,
    logBatch: { scheduledDelayMillis: Infinity },
  });
});

async function run(a: Apis, meterName: string) {
  spanExporter.reset();
  logExporter.reset();
  const carrier = await workload(a, meterName);
  await sdk.flush();
  return { carrier, spans: spanExporter.getFinishedSpans(), logs: logExporter.getFinishedLogRecords() };
}

test("before registerGlobal, the official API records nothing through us", async () => {
  const { spans, logs } = await run(official, "before");
  assert.is(spans.length, 0);
  assert.is(logs.length, 0);
});

test("registerGlobal registers every global; official-API code gives the same spans, tree, metrics and log correlation as our API", async () => {
  const result = registerGlobal(sdk, api, { logs: apiLogs.logs });
  assert.equal({ ...result, unregister: undefined }, { trace: true, context: true, propagation: true, metrics: true, logs: true, unregister: undefined });

  const viaOfficial = await run(official, "meter-official");
  const viaOurs = await run(ours, "meter-ours");

  // Spans: same names, kinds, attributes, status and parent/child tree.
  assert.is(viaOfficial.spans.length, 5);
  assert.equal(shape(viaOfficial.spans), shape(viaOurs.spans));
  const s = shape(viaOfficial.spans);
  assert.equal(
    s.map((x) => [x.name, x.parent, x.trace]),
    [
      ["GET /orders", null, "T0"],
      ["decode", "load orders", "T0"],
      ["from extracted", "remote:load orders", "T0"],
      ["load orders", "GET /orders", "T0"],
      ["under remote", "remote:REMOTE", "REMOTE"],
    ],
  );
  assert.equal(s.find((x) => x.name === "from extracted")!.attributes, { "tenant.tier": "gold" }, "baggage round-tripped through inject/extract");
  assert.equal(s.find((x) => x.name === "GET /orders")!.status, { code: 2, message: "partial failure" });
  assert.ok(viaOfficial.spans.every((x) => x.resource === sdk.resource), "spans come from our provider");

  // Propagation: the same headers, carrying the child span's ids.
  for (const r of [viaOfficial, viaOurs]) {
    const child = r.spans.find((x) => x.name === "load orders")!;
    const { traceId, spanId, traceFlags } = child.spanContext();
    assert.is(r.carrier.traceparent, `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, "0")}`);
    assert.is(traceFlags & 1, 1);
    assert.is(r.carrier.baggage, "tenant.tier=gold");
  }

  // Logs: emitted inside "decode", correlated with it.
  for (const r of [viaOfficial, viaOurs]) {
    assert.is(r.logs.length, 1);
    const decode = r.spans.find((x) => x.name === "decode")!;
    assert.is(r.logs[0].spanContext?.spanId, decode.spanContext().spanId);
    assert.is(r.logs[0].spanContext?.traceId, decode.spanContext().traceId);
    assert.is(r.logs[0].body, "decoded");
    assert.is(r.logs[0].severityNumber, 9);
    assert.equal(r.logs[0].attributes, { rows: 3 });
    assert.is(r.logs[0].instrumentationScope.name, "interop-logs");
  }

  // Metrics: the two meters hold identical streams.
  const { resourceMetrics } = await reader.collect();
  const scope = (name: string) => {
    const sm = resourceMetrics.scopeMetrics.find((x) => x.scope.name === name);
    assert.ok(sm, `scope ${name} collected`);
    return sm!.metrics.map((m) => ({
      ...m,
      descriptor: { ...m.descriptor },
      dataPoints: m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
    }));
  };
  const officialMetrics = scope("meter-official");
  assert.equal(officialMetrics, scope("meter-ours"));
  const names = officialMetrics.map((m) => (m as { descriptor: { name: string } }).descriptor.name).sort();
  assert.equal(names, ["app.latency", "app.requests"]);
  const counter = officialMetrics.find((m) => (m as { descriptor: { name: string } }).descriptor.name === "app.requests")!;
  assert.equal(counter.dataPoints, [{ attributes: { route: "/orders" }, value: 3 }]);
});

test("the official API and ours share one active context both ways", async () => {
  const tracer = api.trace.getTracer("mix");
  await tracer.startActiveSpan("official-outer", async (outer) => {
    await new Promise((r) => setTimeout(r, 1));
    assert.is(ourTrace.getActiveSpan()?.spanContext().spanId, outer.spanContext().spanId, "ours sees the official active span");
    await ourTrace.getTracer("mix").startActiveSpan("ours-inner", async (inner) => {
      await Promise.resolve();
      assert.is(api.trace.getActiveSpan()?.spanContext().spanId, inner.spanContext().spanId, "official sees our active span");
      inner.end();
    });
    outer.end();
  });
  const bound = api.context.bind(ourTrace.setSpanContext(OUR_ROOT, REMOTE), () => ourTrace.getActiveSpan()?.spanContext().spanId);
  assert.is(bound(), REMOTE.spanId);
});

test("propagation follows our global propagator, also when it changes after registration", () => {
  const seen: string[] = [];
  ourPropagation.setGlobalPropagator({
    inject: (_c, carrier, setter) => setter.set(carrier, "x-custom", "1"),
    extract: (c) => (seen.push("extract"), c),
    fields: () => ["x-custom"],
  });
  try {
    const carrier: Record<string, string> = {};
    api.propagation.inject(api.context.active(), carrier);
    assert.equal(carrier, { "x-custom": "1" });
    api.propagation.extract(api.ROOT_CONTEXT, {});
    assert.equal(seen, ["extract"]);
    assert.equal(api.propagation.fields(), ["x-custom"]);
  } finally {
    ourPropagation.disable();
  }
});

test("a second registerGlobal replaces what is registered (disable + register), reported through diag", async () => {
  warnings.length = 0;
  const other = init({ env: {}, serviceName: "second", traceExporter: spanExporter, batch: { scheduledDelayMillis: Infinity }, metricExporter: "none", logExporter: "none" });
  const result = registerGlobal(other, api, { logs: apiLogs.logs });
  assert.ok(result.trace && result.context && result.propagation && result.metrics && result.logs);
  for (const name of ["tracer provider", "meter provider", "logger provider", "context manager", "propagator"]) {
    assert.ok(warnings.some((w) => w.includes(`already had a global ${name}`)), `warned about ${name}`);
  }
  spanExporter.reset();
  api.trace.getTracer("t").startSpan("to the second sdk").end();
  await other.flush();
  const spans = spanExporter.getFinishedSpans();
  assert.equal(spans.map((x) => x.name), ["to the second sdk"]);
  assert.is(spans[0].resource.attributes["service.name"], "second");
  // The official API disabling its context global leaves our manager working.
  result.unregister();
  await ourTrace.getTracer("t").startActiveSpan("still works", async (span) => {
    await new Promise((r) => setTimeout(r, 1));
    assert.is(ourTrace.getActiveSpan(), span);
    span.end();
  });
  const after = api.trace.getTracer("t").startSpan("after unregister");
  assert.is(after.isRecording(), false, "the official API is back to no-op");
  await other.shutdown();
});

test("parts may be left out; a refused registration is reported and returns false", () => {
  warnings.length = 0;
  const refusing = { setGlobalTracerProvider: () => false, disable() {} };
  const result = registerGlobal({ tracerProvider: sdk.tracerProvider }, { trace: refusing });
  assert.equal({ ...result, unregister: undefined }, { trace: false, context: false, propagation: false, metrics: false, logs: false, unregister: undefined });
  assert.ok(warnings.some((w) => w.includes("refused otel-edge's tracer provider")));
});

test.after(async () => {
  await sdk.shutdown();
});

test.run();
