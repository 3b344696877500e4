// The Workers entry's own behaviour, in Node (the real-engine run is workers.test.ts): init is
// memoized per isolate, nothing arms a timer between requests (spans, logs and metrics leave
// only on flush), metrics default to delta, configuration comes from the env record, and
// flushInWaitUntil hands the flush to ctx.waitUntil without ever throwing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../../src/common/diag.ts";
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { InMemoryLogRecordExporter } from "../../../src/logs/in-memory-log-exporter.ts";
import { InMemoryMetricExporter } from "../../../src/metrics/in-memory-metric-exporter.ts";
import { PeriodicExportingMetricReader } from "../../../src/metrics/periodic-reader.ts";
import type { ResourceMetrics } from "../../../src/metrics/types.ts";
import { createLog, flushInWaitUntil, init, logsSdk, metrics, metricsSdk, trace, type InitOptions, type Sdk } from "../../../src/runtime/workers.ts";

function exporters() {
  return { spans: new InMemorySpanExporter(), logs: new InMemoryLogRecordExporter(), metrics: new InMemoryMetricExporter() };
}

function start(e: ReturnType<typeof exporters>, options: InitOptions = {}): Sdk {
  return init({ traceExporter: e.spans, logExporter: e.logs, metricExporter: e.metrics, env: {}, parts: [metricsSdk(), logsSdk()], ...options });
}

function counterValues(exported: ResourceMetrics[], name: string): unknown[] {
  return exported.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)).filter((m) => m.descriptor.name === name).map((m) => m.dataPoints[0]!.value);
}

/** Counts setTimeout/setInterval calls while `fn` runs. */
async function countTimers(fn: () => unknown): Promise<number> {
  const g = globalThis as { setTimeout: typeof setTimeout; setInterval: typeof setInterval };
  const { setTimeout: realTimeout, setInterval: realInterval } = g;
  let armed = 0;
  g.setTimeout = ((...args: Parameters<typeof setTimeout>) => (armed++, realTimeout(...args))) as typeof setTimeout;
  g.setInterval = ((...args: Parameters<typeof setInterval>) => (armed++, realInterval(...args))) as typeof setInterval;
  try {
    await fn();
  } finally {
    g.setTimeout = realTimeout;
    g.setInterval = realInterval;
  }
  return armed;
}

let sdk: Sdk | undefined;
test.after.each(async () => {
  await sdk?.shutdown();
  sdk = undefined;
  diag.setLogger();
});

test("init() is memoized per isolate: later calls return the same SDK until it is shut down", async () => {
  sdk = start(exporters(), { serviceName: "first" });
  assert.is(init({ serviceName: "second" }), sdk);
  assert.is(sdk.resource.attributes["service.name"], "first");
  await sdk.shutdown();
  const next = init({ serviceName: "third", traceExporter: "none" });
  assert.is.not(next, sdk);
  assert.is(next.resource.attributes["service.name"], "third");
  sdk = next;
});

test("no timer is armed by init or by recording between requests; everything leaves on flush", async () => {
  const e = exporters();
  const armed = await countTimers(() => {
    sdk = start(e);
    trace.getTracer("t").startSpan("work").end();
    createLog({ name: "t" }).info("hello");
    metrics.getMeter("t").createCounter("requests").add(1);
  });
  assert.is(armed, 0, "a timer was armed between requests");
  assert.is(e.spans.getFinishedSpans().length, 0);
  assert.is(e.logs.getFinishedLogRecords().length, 0);
  assert.is(e.metrics.getMetrics().length, 0);
  await sdk!.flush();
  assert.equal(e.spans.getFinishedSpans().map((s) => s.name), ["work"]);
  assert.is(e.logs.getFinishedLogRecords().length, 1);
  assert.equal(counterValues(e.metrics.getMetrics(), "requests"), [1]);
});

test("a periodic reader with exportIntervalMillis: Infinity arms no timer and exports on forceFlush", async () => {
  const exporter = new InMemoryMetricExporter();
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Infinity });
  const armed = await countTimers(() => reader.setMetricProducer({ collect: async () => ({ resourceMetrics: { resource: { attributes: {} }, scopeMetrics: [] }, errors: [] }) } as never));
  assert.is(armed, 0);
  assert.throws(() => new PeriodicExportingMetricReader({ exporter, exportTimeoutMillis: Infinity }), RangeError);
  await reader.shutdown();
});

test("metrics default to delta temporality (each isolate is its own process); the env preference wins", async () => {
  let e = exporters();
  sdk = start(e);
  const c = metrics.getMeter("t").createCounter("requests");
  c.add(1);
  await sdk.flush();
  c.add(1);
  await sdk.flush();
  assert.equal(counterValues(e.metrics.getMetrics(), "requests"), [1, 1]);
  await sdk.shutdown();

  e = exporters();
  sdk = start(e, { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "cumulative" } });
  const c2 = metrics.getMeter("t").createCounter("requests");
  c2.add(1);
  await sdk.flush();
  c2.add(1);
  await sdk.flush();
  assert.equal(counterValues(e.metrics.getMetrics(), "requests"), [1, 2]);
});

test("configuration comes from the env record (string bindings only); resource says webjs", () => {
  sdk = start(exporters(), { env: { OTEL_SERVICE_NAME: "from-binding", OTEL_RESOURCE_ATTRIBUTES: "team=edge", KV: { get() {} }, COUNT: 3 } });
  assert.is(sdk.resource.attributes["service.name"], "from-binding");
  assert.is(sdk.resource.attributes["team"], "edge");
  assert.is(sdk.resource.attributes["telemetry.sdk.language"], "webjs");
});

test("service.name defaults to unknown_service:workerd in workerd (navigator.userAgent), else unknown_service", async () => {
  sdk = start(exporters());
  assert.is(sdk.resource.attributes["service.name"], "unknown_service");
  await sdk.shutdown();
  const g = globalThis as { navigator?: unknown };
  const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { userAgent: "Cloudflare-Workers" }, configurable: true, writable: true });
  try {
    sdk = start(exporters());
    assert.is(sdk.resource.attributes["service.name"], "unknown_service:workerd");
  } finally {
    if (saved) Object.defineProperty(globalThis, "navigator", saved);
    else delete g.navigator;
  }
});

test("flushInWaitUntil hands the flush promise to ctx.waitUntil; the export completes when it settles", async () => {
  const e = exporters();
  sdk = start(e);
  trace.getTracer("t").startSpan("request").end();
  const handed: Array<Promise<unknown>> = [];
  const returned = flushInWaitUntil({ waitUntil: (p) => void handed.push(p) });
  assert.is(handed.length, 1);
  assert.is(handed[0], returned);
  await handed[0];
  assert.equal(e.spans.getFinishedSpans().map((s) => s.name), ["request"]);
});

test("flushInWaitUntil never throws: a failing waitUntil is reported once and the flush still runs", async () => {
  const messages: string[] = [];
  const sink = (m: string) => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  diag.setLogger(logger, 9999);
  resetDiagOnce();
  const e = exporters();
  sdk = start(e);
  const ctx = {
    waitUntil() {
      throw new Error("outside a request");
    },
  };
  trace.getTracer("t").startSpan("a").end();
  await flushInWaitUntil(ctx);
  await flushInWaitUntil(ctx);
  assert.equal(e.spans.getFinishedSpans().map((s) => s.name), ["a"]);
  assert.is(messages.filter((m) => m.includes("ctx.waitUntil failed")).length, 1);
  // Without a running SDK it resolves at once.
  await sdk.shutdown();
  sdk = undefined;
  await flushInWaitUntil({ waitUntil: () => {} });
});

test.run();
