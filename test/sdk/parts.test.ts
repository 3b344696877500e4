// init() as a composition of parts (src/sdk/): what each entry starts, what the program adds
// by import, what a missing part says, and that a configuration error in any part leaves
// nothing registered.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { logs } from "../../src/logs/logs-api.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { metrics } from "../../src/metrics/metrics-api.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { trace } from "../../src/trace/trace-api.ts";
import * as workers from "../../src/runtime/workers.ts";
import * as browser from "../../src/runtime/browser.ts";
import { init as coreInit, tracesSdk, type SdkPart } from "../../mod.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

const { consoleBridge, logsSdk, metricsSdk, selectByName, selfObservability } = workers;

/** Starts a Workers SDK and shuts it down after `run` (the Workers init() is memoized per isolate). */
async function withWorkersSdk(options: workers.InitOptions, run: (sdk: workers.Sdk) => Promise<void> | void): Promise<void> {
  const sdk = workers.init({ env: {}, ...options });
  try {
    await run(sdk);
  } finally {
    await sdk.shutdown();
  }
}

test("the Workers and browser init() start traces only; the providers of other signals are absent", async () => {
  await withWorkersSdk({ traceExporter: new InMemorySpanExporter() }, (sdk) => {
    assert.ok(sdk.tracerProvider);
    assert.is(sdk.meterProvider, undefined);
    assert.is(sdk.loggerProvider, undefined);
  });
  const page = browser.init({ traceExporter: new InMemorySpanExporter() });
  assert.ok(page.tracerProvider);
  assert.is(page.meterProvider, undefined);
  assert.is(page.loggerProvider, undefined);
  await page.shutdown();
});

test("metrics and logs come with the parts the program passes, and are exported on flush", async () => {
  const spans = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter();
  const logExporter = new InMemoryLogRecordExporter();
  await withWorkersSdk({ traceExporter: spans, metricExporter, logExporter, parts: [metricsSdk(), logsSdk()] }, async (sdk) => {
    assert.ok(sdk.meterProvider);
    assert.ok(sdk.loggerProvider);
    metrics.getMeter("t").createCounter("c").add(2);
    logs.getLogger("t").emit({ body: "hello" });
    trace.getTracer("t").startSpan("s").end();
    await sdk.flush();
    assert.equal(spans.getFinishedSpans().map((s) => s.name), ["s"]);
    assert.ok(metricExporter.getMetrics().some((rm) => rm.scopeMetrics.some((s) => s.metrics.some((m) => m.descriptor.name === "c"))));
    assert.equal(logExporter.getFinishedLogRecords().map((r) => r.body), ["hello"]);
    assert.equal(sdk.stats().metrics.exported > 0, true);
  });
});

test("an option read by a part the SDK does not have throws a TypeError naming the part to import", () => {
  const cases: Array<[workers.InitOptions, RegExp]> = [
    [{ metricExporter: new InMemoryMetricExporter() }, /options\.metricExporter is read by the metrics part.*import metricsSdk and pass parts: \[metricsSdk\(\)\]/],
    [{ logBatch: { maxQueueSize: 10 } }, /options\.logBatch is read by the logs part.*logsSdk/],
    [{ selfObservability: true }, /options\.selfObservability .*selfObservability\(\)/],
    [{ bridgeConsole: true }, /options\.bridgeConsole .*consoleBridge\(\)/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => workers.init({ env: {}, ...options }), (e: unknown) => e instanceof TypeError && message.test((e as Error).message), JSON.stringify(Object.keys(options)));
  }
  // "none" and false ask for nothing, which a missing part already gives.
  const sdk = workers.init({ env: {}, metricExporter: "none", logExporter: "none", selfObservability: false, bridgeConsole: false });
  void sdk.shutdown();
});

test("a configuration error in one part leaves nothing registered", () => {
  const before = trace.getTracerProvider();
  assert.throws(
    () => workers.init({ env: {}, traceExporter: new InMemorySpanExporter(), metricExportIntervalMillis: -1, parts: [metricsSdk()] }),
    (e: unknown) => e instanceof RangeError && /exportIntervalMillis/.test((e as Error).message),
  );
  assert.is(trace.getTracerProvider(), before, "the traces part started but did not register");
});

test("choices by name: reported once without selectByName(), applied with it", async () => {
  const messages = captureDiag();
  const env = { OTEL_TRACES_SAMPLER: "always_off", OTEL_PROPAGATORS: "b3", OTEL_TRACES_EXPORTER: "console" };
  const spans = new InMemorySpanExporter();
  await withWorkersSdk({ env, spanProcessors: [] }, async (sdk) => {
    trace.getTracer("t").startSpan("sampled").end();
    await sdk.flush();
    assert.equal(propagation.fields().sort(), ["baggage", "traceparent", "tracestate"], "the default propagators");
    for (const variable of ["OTEL_TRACES_SAMPLER", "OTEL_PROPAGATORS", "OTEL_TRACES_EXPORTER"]) {
      assert.is(messages.filter((m) => m.includes(variable) && m.includes("selectByName()")).length, 1, variable);
    }
  });
  await withWorkersSdk({ env: { ...env, OTEL_TRACES_EXPORTER: "otlp" }, traceExporter: spans, parts: [selectByName()] }, async (sdk) => {
    trace.getTracer("t").startSpan("dropped").end();
    await sdk.flush();
    assert.equal(spans.getFinishedSpans(), [], "OTEL_TRACES_SAMPLER=always_off applied");
    assert.ok(propagation.fields().includes("b3"), "OTEL_PROPAGATORS=b3 applied");
  });
});

test('traceExporter: "console" needs the by-name selection: a clear error without it, console output with it', async () => {
  assert.throws(() => workers.init({ env: {}, traceExporter: "console" }), /traceExporter "console" is a choice by name.*selectByName\(\).*new ConsoleSpanExporter\(\)/);
  const printed: unknown[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args);
  try {
    const page = browser.init({ traceExporter: "console", parts: [selectByName()] });
    trace.getTracer("t").startSpan("printed").end();
    await page.shutdown();
  } finally {
    console.log = original;
  }
  assert.ok(JSON.stringify(printed).includes("printed"));
});

test("a part replaces the entry's part of the same kind", async () => {
  let started = 0;
  const replacement: SdkPart = { kind: "traces", start: () => void started++ };
  await withWorkersSdk({ parts: [replacement] }, (sdk) => {
    assert.is(started, 1);
    assert.is(sdk.tracerProvider, undefined, "the entry's traces part did not run");
  });
});

test("selfObservability() needs the metrics part; with it the SDK reports its queues", async () => {
  assert.throws(() => workers.init({ env: {}, parts: [selfObservability()] }), /selfObservability\(\) reports through the SDK's meter provider.*metricsSdk\(\)/);
  const metricExporter = new InMemoryMetricExporter();
  await withWorkersSdk({ traceExporter: new InMemorySpanExporter(), metricExporter, parts: [metricsSdk(), selfObservability()] }, async (sdk) => {
    trace.getTracer("t").startSpan("s").end();
    await sdk.flush();
    const names = metricExporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
    assert.ok(names.includes("otel.sdk.span.started"), names.join(", "));
  });
});

test("consoleBridge() turns console calls into log records of the logs part, until shutdown", async () => {
  const logExporter = new InMemoryLogRecordExporter();
  const original = console.warn;
  await withWorkersSdk({ logExporter, parts: [logsSdk(), consoleBridge({ passthrough: false })] }, async (sdk) => {
    console.warn("bridged");
    await sdk.flush();
    assert.equal(logExporter.getFinishedLogRecords().map((r) => r.body), ["bridged"]);
  });
  assert.is(console.warn, original, "restored by shutdown()");
});

test("the core init() has every signal and the by-name selection; OTEL_SDK_DISABLED builds providers that record nothing", async () => {
  const sdk = coreInit({ env: {}, traceExporter: "none", metricExporter: "none", logExporter: "none" });
  assert.ok(sdk.tracerProvider && sdk.meterProvider && sdk.loggerProvider);
  await sdk.shutdown();
  const before = trace.getTracerProvider();
  const disabled = coreInit({ env: { OTEL_SDK_DISABLED: "true" } });
  assert.is(disabled.disabled, true);
  assert.ok(disabled.tracerProvider && disabled.meterProvider && disabled.loggerProvider);
  assert.is(trace.getTracerProvider(), before, "a disabled SDK registers nothing");
  assert.equal(disabled.stats().traces.exported, 0);
  // tracesSdk() is the same part every entry uses.
  assert.is(tracesSdk().kind, "traces");
});

test.run();
