// init(): options, then the env record, then defaults — verified end to end against the
// embedded OTLP/HTTP JSON receiver on 127.0.0.1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startDevReceiver } from "../scripts/dev-receiver.mjs";
import { init } from "../mod.ts";
import { trace } from "../src/trace/trace-api.ts";
import { propagation } from "../src/propagation/propagation-api.ts";
import { context } from "../src/context/context-api.ts";
import { diag } from "../src/common/diag.ts";
import { AsyncLocalStorageContextManager } from "../src/context/async-local-storage-manager.ts";
import { AsyncLocalStorage } from "node:async_hooks";
import { InMemorySpanExporter } from "../src/export/in-memory-exporter.ts";
import { metrics } from "../src/metrics/metrics-api.ts";
import { createLog } from "../src/logs/friendly-logger.ts";
import { captureDiag } from "./helpers/capture-diag.ts";

function attr(list: Array<{ key: string; value: Record<string, unknown> }>, key: string): unknown {
  const v = list.find((a) => a.key === key)?.value;
  return v && Object.values(v)[0];
}

test("exports to OTEL_EXPORTER_OTLP_ENDPOINT with the resource from env; nested spans keep their parent", async () => {
  const receiver = await startDevReceiver();
  try {
    const sdk = init({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: "from-env",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=staging,team=a%20b",
      },
      contextManager: new AsyncLocalStorageContextManager(AsyncLocalStorage),
    });
    const tracer = trace.getTracer("sdk-test", "0.0.1");
    await tracer.startActiveSpan("outer", async (outer) => {
      await new Promise((r) => setTimeout(r, 2));
      tracer.startActiveSpan("inner", (inner) => inner.end());
      outer.end();
    });
    await sdk.flush();
    assert.is(receiver.traces.length, 1);
    const rs = receiver.traces[0].resourceSpans[0];
    assert.is(attr(rs.resource.attributes, "service.name"), "from-env");
    assert.is(attr(rs.resource.attributes, "deployment.environment.name"), "staging");
    assert.is(attr(rs.resource.attributes, "team"), "a b", "OTEL_RESOURCE_ATTRIBUTES is percent-decoded");
    assert.is(attr(rs.resource.attributes, "telemetry.sdk.name"), "otel-edge");
    assert.is(rs.scopeSpans[0].scope.name, "sdk-test");
    const spans = rs.scopeSpans[0].spans;
    const outer = spans.find((s: { name: string }) => s.name === "outer");
    const inner = spans.find((s: { name: string }) => s.name === "inner");
    assert.is(inner.parentSpanId, outer.spanId);
    assert.is(inner.traceId, outer.traceId);
    await sdk.shutdown();
    assert.is(tracer.startSpan("after").isRecording(), false, "no recording after shutdown");
    await sdk.flush(); // still resolves
  } finally {
    await receiver.close();
  }
});

test("options win over env: serviceName, exporter instance, sampler from env honoured", async () => {
  const exporter = new InMemorySpanExporter();
  const sdk = init({
    serviceName: "from-options",
    traceExporter: exporter,
    env: { OTEL_SERVICE_NAME: "from-env", OTEL_TRACES_SAMPLER: "always_off" },
  });
  trace.getTracer("t").startSpan("dropped").end();
  await sdk.flush();
  assert.is(exporter.getFinishedSpans().length, 0, "OTEL_TRACES_SAMPLER=always_off applies");
  assert.is(sdk.resource.attributes["service.name"], "from-options");
  await sdk.shutdown();
});

test("OTEL_SDK_DISABLED=true gives a no-op SDK and sends nothing", async () => {
  const receiver = await startDevReceiver();
  try {
    const sdk = init({ env: { OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    assert.is(sdk.disabled, true);
    const span = sdk.tracerProvider.getTracer("x").startSpan("s");
    assert.is(span.isRecording(), false);
    span.end();
    await sdk.flush();
    await sdk.shutdown();
    assert.is(receiver.requests.length, 0);
  } finally {
    await receiver.close();
  }
});

test("OTEL_TRACES_EXPORTER=console prints spans; none exports nothing; unknown names warn", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    const sdk = init({ env: { OTEL_TRACES_EXPORTER: "console" } });
    trace.getTracer("t").startSpan("printed-span").end();
    await sdk.shutdown();
  } finally {
    console.log = original;
  }
  assert.ok(lines.some((l) => l.includes("printed-span")), "the console exporter printed the span");

  const messages = captureDiag();
  const receiver = await startDevReceiver();
  try {
    const sdk = init({ env: { OTEL_TRACES_EXPORTER: "none,zipkin", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    trace.getTracer("t").startSpan("not-exported").end();
    await sdk.shutdown();
    assert.is(receiver.requests.length, 0);
    assert.ok(messages.some((m) => m.includes("OTEL_TRACES_EXPORTER") && m.includes("zipkin")));
  } finally {
    await receiver.close();
    diag.setLogger();
  }
});

test("invalid env values warn, naming the variable, and fall back to defaults", async () => {
  const messages = captureDiag();
  const exporter = new InMemorySpanExporter();
  const sdk = init({
    traceExporter: exporter,
    env: {
      OTEL_BSP_MAX_QUEUE_SIZE: "lots",
      OTEL_BSP_SCHEDULE_DELAY: "-5",
      OTEL_TRACES_SAMPLER_ARG: "2",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "1",
      OTEL_LOG_LEVEL: "debug",
    },
  });
  trace.getTracer("t").startSpan("s", { attributes: { a: 1, b: 2 } }).end();
  await sdk.flush();
  assert.ok(messages.some((m) => m.includes("OTEL_BSP_MAX_QUEUE_SIZE")));
  assert.ok(messages.some((m) => m.includes("OTEL_BSP_SCHEDULE_DELAY")));
  assert.ok(messages.some((m) => m.includes("OTEL_TRACES_SAMPLER_ARG")));
  const [span] = exporter.getFinishedSpans();
  assert.ok(span, "the ratio fell back to 1.0, so the span was sampled");
  assert.is(Object.keys(span!.attributes).length, 1, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT applied");
  assert.is(span!.droppedAttributesCount, 1);
  await sdk.shutdown();
  diag.setLogger();
});

test("OTEL_BSP_MAX_EXPORT_BATCH_SIZE above the queue size warns and is clamped; batch options apply", async () => {
  const messages = captureDiag();
  const batches: number[] = [];
  const sdk = init({
    traceExporter: {
      export: async (items) => {
        batches.push(items.length);
        return { code: 0 };
      },
      shutdown: async () => {},
    },
    env: { OTEL_BSP_MAX_QUEUE_SIZE: "4", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "10", OTEL_BSP_SCHEDULE_DELAY: "60000" },
  });
  const tracer = trace.getTracer("t");
  for (let i = 0; i < 6; i++) tracer.startSpan(`s${i}`).end();
  await sdk.flush();
  assert.ok(messages.some((m) => m.includes("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")));
  assert.ok(batches.every((n) => n <= 4), `batches ${batches} never exceed the queue size`);
  assert.is(batches.reduce((a, b) => a + b, 0), 6, "a full batch is exported at once, making room");
  await sdk.shutdown();
  diag.setLogger();
});

test("OTEL_PROPAGATORS selects the global propagator", async () => {
  const sdk = init({ traceExporter: "none", env: { OTEL_PROPAGATORS: "b3multi" } });
  const span = trace.getTracer("t").startSpan("s");
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  assert.is(carrier["x-b3-traceid"], span.spanContext().traceId);
  assert.is(carrier.traceparent, undefined);
  span.end();
  await sdk.shutdown();
});

test("metrics and logs: one init exports all three signals; logs carry the span's ids; flush covers everything", async () => {
  const receiver = await startDevReceiver();
  try {
    const sdk = init({
      serviceName: "three-signals",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "delta" },
      contextManager: new AsyncLocalStorageContextManager(AsyncLocalStorage),
    });
    const meter = metrics.getMeter("orders");
    const counter = meter.createCounter("orders.placed", { unit: "{order}" });
    const histogram = meter.createHistogram("order.value", { unit: "USD" });
    const log = createLog({ name: "orders" });
    let traceId = "";
    let spanId = "";
    await trace.getTracer("orders").startActiveSpan("place order", async (span) => {
      traceId = span.spanContext().traceId;
      spanId = span.spanContext().spanId;
      await new Promise((r) => setTimeout(r, 1));
      counter.add(2, { region: "eu" });
      histogram.record(30, { region: "eu" });
      log.info("order placed", { "order.id": "o-1" });
      span.end();
    });
    log.warn("outside any span");
    await sdk.flush();

    const metric = (name: string) =>
      receiver.metrics.flatMap((m: any) => m.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics))).find((m: any) => m.name === name);
    const sum = metric("orders.placed");
    assert.ok(sum, "the counter arrived");
    assert.is(sum.sum.aggregationTemporality, 1, "delta temporality from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE");
    assert.is(sum.sum.isMonotonic, true);
    const point = sum.sum.dataPoints[0];
    assert.is(Number(point.asInt ?? point.asDouble), 2);
    const hist = metric("order.value");
    assert.is(hist.histogram.dataPoints[0].count, "1");
    assert.is(hist.histogram.dataPoints[0].exemplars?.[0]?.traceId, traceId, "exemplar from the sampled span");

    const records = receiver.logs.flatMap((l: any) => l.resourceLogs.flatMap((r: any) => r.scopeLogs.flatMap((s: any) => s.logRecords)));
    const placed = records.find((r: any) => r.body?.stringValue === "order placed");
    assert.is(placed.traceId, traceId);
    assert.is(placed.spanId, spanId);
    const outside = records.find((r: any) => r.body?.stringValue === "outside any span");
    assert.is(outside.traceId, undefined, "no ids outside a span");
    await sdk.shutdown();
  } finally {
    await receiver.close();
  }
});

test("OTEL_METRICS_EXPORTER=prometheus pushes nothing; OTEL_LOGS_EXPORTER=console writes JSON lines", async () => {
  const receiver = await startDevReceiver();
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    const sdk = init({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: "prometheus", OTEL_LOGS_EXPORTER: "console", OTEL_TRACES_EXPORTER: "none" },
    });
    metrics.getMeter("m").createCounter("c").add(1);
    createLog().info("hello json", { k: 1 });
    await sdk.flush();
    await sdk.shutdown();
    assert.is(receiver.requests.length, 0, "no OTLP push for a pull exporter");
  } finally {
    console.log = original;
    await receiver.close();
  }
  const line = lines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((o) => o?.msg === "hello json");
  assert.ok(line, "a JSON line was written");
  assert.is(line.level, "info");
  assert.is(line.k, 1);
});

test("bridgeConsole option turns console calls into log records and is restored on shutdown", async () => {
  const receiver = await startDevReceiver();
  const originalWarn = console.warn;
  try {
    const sdk = init({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: "none" }, bridgeConsole: { passthrough: false } });
    assert.is.not(console.warn, originalWarn, "console patched");
    console.warn("disk %s at %d%%", "sda", 91);
    await sdk.flush();
    await sdk.shutdown();
    assert.is(console.warn, originalWarn, "console restored by shutdown");
    const records = receiver.logs.flatMap((l: any) => l.resourceLogs.flatMap((r: any) => r.scopeLogs.flatMap((s: any) => s.logRecords)));
    assert.is(records[0]?.body?.stringValue, "disk sda at 91%");
    assert.is(records[0]?.severityNumber, 13, "WARN");
  } finally {
    console.warn = originalWarn;
    await receiver.close();
  }
});

test.run();
