// Hostile input, public API: DESIGN principle 3 ("recording never throws") driven through the
// real providers with values a buggy or malicious caller can hand us — thrown values that
// cannot be turned into a string (prototype-less objects, throwing Proxies and toString,
// revoked Proxies, Symbols), throwing getters on options and records, user exporters,
// processors, samplers, propagators, carriers and metric callbacks that throw, return
// garbage or never settle. Each case asserts (a) no throw and no rejection, (b) the valid part
// of the data still arrives at an in-memory exporter, (c) the problem was reported once
// through `diag` (when the SDK can see it). User errors thrown inside `startActiveSpan` and
// `context.with` callbacks propagate unchanged. (test/fuzz/attributes.test.ts covers hostile
// attribute keys and values on every recording path; this file covers everything around them.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { describe } from "../../src/common/describe.ts";
import { formatSpan } from "../../src/export/console-exporter.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { encodeLogs } from "../../src/export/otlp/logs-encoder.ts";
import { cycle } from "../export/otlp/kitchen-sink.ts";
import { encodeMetrics } from "../../src/export/otlp/metrics-encoder.ts";
import { encodeTraces } from "../../src/export/otlp/trace-encoder.ts";
import type { Exporter, ExportResult } from "../../src/export/exporter.ts";
import { BatchLogRecordProcessor } from "../../src/logs/batch-log-processor.ts";
import { bridgeConsole } from "../../src/logs/console-bridge.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../../src/logs/types.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { PeriodicExportingMetricReader } from "../../src/metrics/periodic-reader.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { DataPoint, ResourceMetrics } from "../../src/metrics/types.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { W3CTraceContextPropagator } from "../../src/propagation/trace-context.ts";
import { init } from "../../mod.ts";
import { BatchSpanProcessor } from "../../src/trace/batch-span-processor.ts";
import { RateLimitingSampler } from "../../src/trace/samplers/rate-limiting.ts";
import type { Sampler } from "../../src/trace/samplers/sampler.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { getSpan } from "../../src/trace/span-in-context.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import type { ReadableSpan, Span, SpanProcessor } from "../../src/trace/types.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

// ---- hostile values ---------------------------------------------------------------------
const boom = (): never => {
  throw new Error("hostile");
};

/** A Proxy every trap of which throws. */
function throwingProxy<T extends object>(target: T = {} as T): T {
  return new Proxy(target, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom, set: boom, apply: boom });
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function unprintable(): object {
  return { toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom };
}

function throwingGetters<T extends object>(o: T, ...keys: string[]): T {
  for (const k of keys) Object.defineProperty(o, k, { enumerable: true, get: boom });
  return o;
}

/** Values that break `String(x)`, `${x}`, `x.message`, `x instanceof Error` or JSON.stringify. */
function hostileThrowables(): Array<[string, unknown]> {
  const errorWithThrowingMessage = new Error("x");
  Object.defineProperty(errorWithThrowingMessage, "message", { get: boom });
  const errorProxy = new Proxy(new Error("proxied"), { get: boom, getPrototypeOf: boom, has: boom });
  return [
    ["a prototype-less object", Object.create(null)],
    ["a Proxy whose traps throw", throwingProxy()],
    ["a revoked Proxy", revokedProxy()],
    ["an object whose toString/valueOf/toPrimitive throw", unprintable()],
    ["a Symbol", Symbol("thrown")],
    ["a BigInt", 10n],
    ["undefined", undefined],
    ["null", null],
    ["an Error whose message getter throws", errorWithThrowingMessage],
    ["a Proxy around an Error", errorProxy],
    ["a circular object", cycle()],
    ["a frozen prototype-less object", Object.freeze(Object.create(null))],
  ];
}

/** Values no recording API accepts as a number, name, time or object. */
function hostileValues(): Array<[string, unknown]> {
  const sparse: unknown[] = [];
  sparse[5] = "x";
  return [
    ...hostileThrowables(),
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["a huge string", "x".repeat(2 * 1024 * 1024)],
    ["a sparse array", sparse],
    ["a mixed-type array", [1, "a", null, {}, 2n, Symbol("s")]],
    ["an object with throwing getters", throwingGetters({ ok: 1 }, "bad")],
    ["a frozen object", Object.freeze({ a: 1 })],
    ["an invalid Date", new Date(NaN)],
    ["a function", () => 1],
  ];
}

function count(messages: string[], pattern: RegExp): number {
  return messages.filter((m) => pattern.test(m)).length;
}

function assertNoThrow(fn: () => unknown, why: string): void {
  try {
    fn();
  } catch (error) {
    assert.unreachable(`${why}: threw ${describe(error)}`);
  }
}

// ---- the shared formatter ----------------------------------------------------------------
test("describe() turns every hostile thrown value into a string and never throws", () => {
  for (const [name, value] of hostileValues()) {
    let text: unknown;
    assertNoThrow(() => (text = describe(value)), name);
    assert.type(text, "string", name);
  }
  assert.is(describe(new Error("plain")), "plain");
  assert.is(describe("text"), "text");
});

// ---- trace: exporters --------------------------------------------------------------------
function spanSetup(exporter: Exporter<ReadableSpan>, options: { batch?: boolean; sampler?: Sampler; processors?: SpanProcessor[] } = {}) {
  const processor = options.batch === false ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, { exportTimeoutMillis: 50, scheduledDelayMillis: Infinity });
  const provider = new BasicTracerProvider({ spanProcessors: [...(options.processors ?? []), processor], sampler: options.sampler });
  return { provider, tracer: provider.getTracer("hostile") };
}

/** An exporter that behaves as `misbehave` for its first call, then delivers to `good`. */
function flakyExporter<T>(misbehave: (items: T[]) => Promise<ExportResult>, good: { export(items: T[]): Promise<ExportResult> }): Exporter<T> & { calls: number } {
  const exporter = {
    calls: 0,
    export(items: T[]): Promise<ExportResult> {
      exporter.calls++;
      return exporter.calls === 1 ? misbehave(items) : good.export(items);
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  return exporter;
}

for (const batch of [true, false]) {
  const kind = batch ? "BatchSpanProcessor" : "SimpleSpanProcessor";
  test(`${kind}: an exporter throwing any hostile value synchronously or as a rejection: flush resolves, reported once, the next span is exported`, async () => {
    for (const [name, thrown] of hostileThrowables()) {
      for (const how of ["sync", "async"] as const) {
        const diagMessages = captureDiag();
        const good = new InMemorySpanExporter();
        const exporter = flakyExporter<ReadableSpan>(() => {
          if (how === "sync") throw thrown;
          return Promise.reject(thrown);
        }, good);
        const { provider, tracer } = spanSetup(exporter, { batch });
        tracer.startSpan("lost").end();
        await provider.forceFlush();
        tracer.startSpan("kept").end();
        await provider.forceFlush();
        assert.equal(good.getFinishedSpans().map((s) => s.name), ["kept"], `${name} (${how})`);
        assert.ok(diagMessages.length >= 1, `${name} (${how}): reported`);
        await provider.shutdown();
      }
    }
  });
}

test("BatchSpanProcessor: an exporter returning garbage results counts them failed and keeps going", async () => {
  const garbage: unknown[] = [undefined, null, 42, "ok", { code: "x" }, throwingProxy(), revokedProxy(), { code: 1, error: throwingProxy() }, { code: 1, error: unprintable() }, { code: 1, get error() { return boom(); } }, { get code() { return boom(); } }];
  for (const result of garbage) {
    const diagMessages = captureDiag();
    const good = new InMemorySpanExporter();
    const { provider, tracer } = spanSetup(flakyExporter<ReadableSpan>(() => Promise.resolve(result as ExportResult), good));
    tracer.startSpan("lost").end();
    await provider.forceFlush();
    tracer.startSpan("kept").end();
    await provider.forceFlush();
    assert.equal(good.getFinishedSpans().map((s) => s.name), ["kept"]);
    assert.is(count(diagMessages, /Unexpected error/), 0, `garbage result ${describe(result)} hit a catch-all`);
    await provider.shutdown();
  }
});

test("BatchSpanProcessor: an export that never settles: flush and shutdown resolve within their timeout", async () => {
  const diagMessages = captureDiag();
  const exporter: Exporter<ReadableSpan> = { export: () => new Promise(() => {}), shutdown: () => new Promise(() => {}) };
  const { provider, tracer } = spanSetup(exporter);
  tracer.startSpan("stuck").end();
  await provider.forceFlush();
  await provider.shutdown();
  assert.ok(count(diagMessages, /timed out|did not finish/) >= 1, diagMessages.join("\n"));
});

test("exporter shutdown/forceFlush throwing hostile values: provider shutdown resolves", async () => {
  for (const [name, thrown] of hostileThrowables()) {
    for (const batch of [true, false]) {
      captureDiag();
      const exporter = { export: () => Promise.resolve({ code: 0 }), shutdown: () => { throw thrown; }, forceFlush: () => { throw thrown; } } as Exporter<ReadableSpan>;
      const { provider, tracer } = spanSetup(exporter, { batch });
      tracer.startSpan("s").end();
      await provider.forceFlush();
      await provider.shutdown();
      void name;
    }
  }
});

// ---- trace: processors and samplers ---------------------------------------------------------
test("a span processor whose onStart/onEnd throw hostile values: the span still reaches the next processor", async () => {
  for (const [name, thrown] of hostileThrowables()) {
    const diagMessages = captureDiag();
    const exporter = new InMemorySpanExporter();
    const bad: SpanProcessor = { onStart: () => { throw thrown; }, onEnd: () => { throw thrown; }, forceFlush: () => Promise.reject(thrown), shutdown: () => Promise.reject(thrown) };
    const { provider, tracer } = spanSetup(exporter, { processors: [bad] });
    let span: Span | undefined;
    assertNoThrow(() => (span = tracer.startSpan("s")), name);
    assertNoThrow(() => span!.end(), name);
    assertNoThrow(() => tracer.startSpan("t").end(), name);
    await provider.forceFlush();
    assert.equal(exporter.getFinishedSpans().map((s) => s.name), ["s", "t"], name);
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
    await provider.shutdown();
  }
});

test("a sampler throwing or returning garbage: startSpan returns a span, reported once", async () => {
  const results: Array<[string, () => unknown]> = [
    ["undefined", () => undefined],
    ["null", () => null],
    ['{decision: "x"}', () => ({ decision: "x" })],
    ["{decision: 7}", () => ({ decision: 7 })],
    ["a throwing Proxy", () => throwingProxy()],
    ["a revoked Proxy", () => revokedProxy()],
    ["a throwing decision getter", () => throwingGetters({}, "decision")],
    ["throwing attributes", () => ({ decision: 2, attributes: throwingProxy() })],
    ["a throwing attributes getter", () => throwingGetters({ decision: 2 }, "attributes")],
    ["a throwing traceState getter", () => throwingGetters({ decision: 2 }, "traceState")],
    ["garbage traceState", () => ({ decision: 2, traceState: "not a trace state" })],
    ...hostileThrowables().map(([name, thrown]): [string, () => unknown] => [`throwing ${name}`, () => { throw thrown; }]),
  ];
  for (const [name, result] of results) {
    const diagMessages = captureDiag();
    const exporter = new InMemorySpanExporter();
    const sampler = { shouldSample: result, toString: () => "hostile" } as unknown as Sampler;
    const { provider, tracer } = spanSetup(exporter, { sampler, batch: false });
    for (let i = 0; i < 3; i++) {
      let span: Span | undefined;
      assertNoThrow(() => (span = tracer.startSpan("s", { attributes: { ok: 1 } })), name);
      assertNoThrow(() => span!.setAttribute("k", "v").end(), name);
      const headers: Record<string, string> = {};
      assertNoThrow(() => propagation.inject(context.active(), headers), name);
    }
    await provider.forceFlush();
    for (const s of exporter.getFinishedSpans()) assert.is(s.attributes.ok, 1, `${name}: the valid attributes are kept`);
    assert.ok(diagMessages.length >= 1 && diagMessages.length <= 3, `${name}: reported once (${diagMessages.length}: ${diagMessages.join(" | ")})`);
    await provider.shutdown();
  }
});

test("RateLimitingSampler with a clock returning NaN, Infinity, garbage or throwing: startSpan never throws", async () => {
  for (const later of [() => NaN, () => Infinity, () => -Infinity, () => "soon" as unknown as number, boom]) {
    captureDiag();
    let calls = 0;
    const now = () => (calls++ === 0 ? 0 : later()); // a sane first reading: the constructor reads it
    const exporter = new InMemorySpanExporter();
    const { tracer } = spanSetup(exporter, { sampler: new RateLimitingSampler(5, { now }), batch: false });
    for (let i = 0; i < 20; i++) assertNoThrow(() => tracer.startSpan("s").end(), String(later));
  }
});

// ---- trace: span options and span methods --------------------------------------------------
test("startSpan/startActiveSpan with hostile options: a span with the valid fields, never a throw", async () => {
  const options: Array<[string, unknown]> = [
    ["a throwing Proxy", throwingProxy()],
    ["a revoked Proxy", revokedProxy()],
    ["throwing getters", throwingGetters({}, "kind", "attributes", "links", "startTime", "root")],
    ["a throwing root getter", throwingGetters({ attributes: { ok: 1 } }, "root")],
    ["a throwing kind getter", throwingGetters({ attributes: { ok: 1 } }, "kind")],
    ["throwing attributes", { attributes: throwingProxy(), kind: 1 }],
    ["throwing links", { links: throwingProxy([]), attributes: { ok: 1 } }],
    ["garbage links", { links: [null, 1, throwingProxy(), { context: throwingProxy() }, { context: null }], attributes: { ok: 1 } }],
    ...hostileValues().map(([name, v]): [string, unknown] => [`startTime ${name}`, { startTime: v, attributes: { ok: 1 } }]),
    ...hostileValues().map(([name, v]): [string, unknown] => [`kind ${name}`, { kind: v, attributes: { ok: 1 } }]),
  ];
  for (const [name, option] of options) {
    captureDiag();
    const exporter = new InMemorySpanExporter();
    const { provider, tracer } = spanSetup(exporter, { batch: false });
    assertNoThrow(() => tracer.startSpan("s", option as never).end(), `startSpan: ${name}`);
    let ran = false;
    assertNoThrow(() => tracer.startActiveSpan("a", option as never, (span: Span) => { ran = true; span.end(); }), `startActiveSpan: ${name}`);
    assert.ok(ran, `${name}: the callback ran`);
    await provider.forceFlush();
    assert.equal(exporter.getFinishedSpans().map((s) => s.name), ["s", "a"], name);
    for (const span of exporter.getFinishedSpans()) assertNoThrow(() => formatSpan(span), `console exporter: ${name}`);
    assertNoThrow(() => encodeTraces(exporter.getFinishedSpans()), `OTLP encoder: ${name}`);
    await provider.shutdown();
  }
});

test("every span method with every hostile value: no throw, the span ends and is exported with its valid data", async () => {
  const diagMessages = captureDiag();
  const exporter = new InMemorySpanExporter();
  const { provider, tracer } = spanSetup(exporter, { batch: false });
  for (const [name, v] of hostileValues()) {
    const span = tracer.startSpan("s");
    const calls: Array<[string, () => unknown]> = [
      ["setAttribute key", () => span.setAttribute(v as string, "x")],
      ["setAttribute value", () => span.setAttribute("k", v as string)],
      ["setAttributes", () => span.setAttributes(v as never)],
      ["addEvent name", () => span.addEvent(v as string)],
      ["addEvent attributes", () => span.addEvent("e", v as never)],
      ["addEvent time", () => span.addEvent("e", {}, v as never)],
      ["addLink", () => span.addLink(v as never)],
      ["addLinks", () => span.addLinks(v as never)],
      ["addLink context", () => span.addLink({ context: v } as never)],
      ["setStatus", () => span.setStatus(v as never)],
      ["setStatus code", () => span.setStatus({ code: v } as never)],
      ["setStatus message", () => span.setStatus({ code: 2, message: v } as never)],
      ["updateName", () => span.updateName(v as string)],
      ["recordException", () => span.recordException(v as never)],
      ["recordException time", () => span.recordException("e", v as never)],
      ["isRecording/spanContext", () => [span.isRecording(), span.spanContext()]],
    ];
    for (const [what, call] of calls) assertNoThrow(call, `${what} with ${name}`);
    span.setAttribute("valid", name);
    assertNoThrow(() => span.end(v as never), `end with ${name}`);
    assertNoThrow(() => span.end(), `second end after ${name}`);
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  assert.is(spans.length, hostileValues().length, "every span ended and was exported");
  assert.equal(spans.map((s) => s.attributes.valid), hostileValues().map(([name]) => name));
  assert.is(count(diagMessages, /Unexpected/), 0, diagMessages.join("\n"));
  await provider.shutdown();
});

test("startActiveSpan/context.with: a user error (any value) propagates unchanged, the span ends and the context is restored", async () => {
  const exporter = new InMemorySpanExporter();
  const { provider, tracer } = spanSetup(exporter, { batch: false });
  const outer = context.active();
  for (const [name, thrown] of hostileThrowables()) {
    captureDiag();
    let caught: unknown = "nothing";
    try {
      tracer.startActiveSpan("sync", (span: Span) => {
        try {
          throw thrown;
        } finally {
          span.end();
        }
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(Object.is(caught, thrown), `startActiveSpan: ${name} propagated unchanged`);
    assert.is(context.active(), outer, `startActiveSpan: ${name}: context restored`);

    caught = "nothing";
    const p = tracer.startActiveSpan("async", async (span: Span) => {
      try {
        await Promise.resolve();
        throw thrown;
      } finally {
        span.end();
      }
    });
    await p.catch((error: unknown) => {
      caught = error; // not returned: awaiting a throwing Proxy would read its `then`
    });
    assert.ok(Object.is(caught, thrown), `startActiveSpan async: ${name} propagated unchanged`);

    caught = "nothing";
    try {
      context.with(ROOT_CONTEXT, () => {
        throw thrown;
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(Object.is(caught, thrown), `context.with: ${name} propagated unchanged`);
    assert.is(context.active(), outer, `context.with: ${name}: context restored`);
  }
  await provider.forceFlush();
  assert.is(exporter.getFinishedSpans().length, hostileThrowables().length * 2, "every span ended");
  await provider.shutdown();
});

test("context.with / startActiveSpan with a hostile context or callback arguments: no throw from the SDK", () => {
  const { tracer } = spanSetup(new InMemorySpanExporter(), { batch: false });
  for (const [name, v] of hostileValues()) {
    assertNoThrow(() => tracer.startActiveSpan("x", {}, v as never, (span: Span) => span.end()), `startActiveSpan ctx ${name}`);
    assertNoThrow(() => tracer.startSpan("x", {}, v as never).end(), `startSpan ctx ${name}`);
    assertNoThrow(() => tracer.startActiveSpan("x", v as never), `startActiveSpan fn ${name}`);
    assertNoThrow(() => getSpan(context.active()), name);
  }
});

test("getTracer/getMeter/getLogger with hostile names, versions and options: a working tracer, meter and logger", async () => {
  const spans = new InMemorySpanExporter();
  const { provider: tracerProvider } = spanSetup(spans, { batch: false });
  const reader = new ManualMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const { exporter: logs, provider: loggerProvider } = logSetup();
  const optionValues = [...hostileValues(), ["throwing getters", throwingGetters({}, "schemaUrl", "includeTraceContext", "scopeAttributes")] as [string, unknown]];
  for (const [name, v] of optionValues) {
    captureDiag();
    for (const args of [[v], ["ok", v], ["ok", "1", v]] as unknown[][]) {
      const [n, version, options] = args as [string, string, never];
      assertNoThrow(() => tracerProvider.getTracer(n, version, options).startSpan(`span ${name}`).end(), `getTracer ${name}`);
      assertNoThrow(() => meterProvider.getMeter(n, version, options).createCounter("c").add(1), `getMeter ${name}`);
      assertNoThrow(() => loggerProvider.getLogger(n, version, options).emit({ body: `log ${name}` }), `getLogger ${name}`);
    }
  }
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
  const n = optionValues.length * 3;
  assert.is(spans.getFinishedSpans().length, n, "every span recorded");
  assert.is(logs.getFinishedLogRecords().length, n, "every record emitted");
  assertNoThrow(() => encodeTraces(spans.getFinishedSpans()), "encoding the spans");
  assertNoThrow(() => encodeLogs(logs.getFinishedLogRecords()), "encoding the log records");
  const { resourceMetrics } = await reader.collect();
  assert.ok(points(resourceMetrics, "c").length >= 1);
  assertNoThrow(() => encodeMetrics([resourceMetrics]), "encoding the metrics");
});

// ---- propagation ---------------------------------------------------------------------------
test("propagation.inject/extract with carriers, getters and setters that throw any hostile value", async () => {
  const exporter = new InMemorySpanExporter();
  const { provider, tracer } = spanSetup(exporter, { batch: false });
  const span = tracer.startSpan("parent");
  const ctx = propagation.setBaggage(context.active().setValue(Symbol("x"), 1), propagation.createBaggage({ k: { value: "v" } }));
  const active = (await import("../../src/trace/span-in-context.ts")).setSpan(ctx, span);
  for (const [name, thrown] of hostileThrowables()) {
    const diagMessages = captureDiag();
    const thrower = () => {
      throw thrown;
    };
    const carriers: unknown[] = [throwingProxy(), revokedProxy(), Object.create(null), throwingGetters({}, "traceparent", "baggage"), { get: thrower, set: thrower, forEach: thrower, keys: thrower }, new Proxy(new Map(), { get: thrower })];
    for (const carrier of carriers) {
      assertNoThrow(() => propagation.inject(active, carrier), `inject into carrier (${name})`);
      assertNoThrow(() => propagation.inject(active, carrier, { set: thrower }), `inject with setter (${name})`);
      let out: unknown;
      assertNoThrow(() => (out = propagation.extract(ROOT_CONTEXT, carrier)), `extract from carrier (${name})`);
      assert.ok(out !== undefined && typeof (out as { getValue?: unknown }).getValue === "function", `${name}: a context`);
      assertNoThrow(() => propagation.extract(ROOT_CONTEXT, carrier, { get: thrower, keys: thrower }), `extract with getter (${name})`);
    }
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
  }
  // A getter that fails for one field only: the other propagator's data is still extracted.
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  const picky = { get: (_c: unknown, key: string) => (key === "traceparent" ? boom() : headers[key]), keys: () => Object.keys(headers) };
  const extracted = propagation.extract(ROOT_CONTEXT, headers, picky);
  assert.is(propagation.getBaggage(extracted)?.getEntry("k")?.value, "v", "baggage still extracted when traceparent's get throws");
  span.end();
  await provider.shutdown();
});

test("a registered propagator throwing hostile values or returning garbage: inject/extract still return", () => {
  for (const [name, thrown] of hostileThrowables()) {
    captureDiag();
    const thrower = () => {
      throw thrown;
    };
    for (const p of [{ inject: thrower, extract: thrower, fields: thrower }, { inject: () => undefined, extract: () => thrown, fields: () => thrown }]) {
      propagation.setGlobalPropagator(p as never);
      assertNoThrow(() => propagation.inject(ROOT_CONTEXT, {}), `inject ${name}`);
      let out: unknown;
      assertNoThrow(() => (out = propagation.extract(ROOT_CONTEXT, {})), `extract ${name}`);
      assert.is(out, ROOT_CONTEXT, name);
      assertNoThrow(() => propagation.fields(), `fields ${name}`);
    }
  }
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  propagation.disable();
});

// ---- metrics -------------------------------------------------------------------------------
function points(rm: ResourceMetrics, name: string): Array<DataPoint<unknown>> {
  return rm.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<DataPoint<unknown>>);
}

test("counter.add / histogram.record / gauge.record with hostile values and attributes: valid measurements kept, reported once", async () => {
  const diagMessages = captureDiag();
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter("hostile");
  const counter = meter.createCounter("c");
  const histogram = meter.createHistogram("h");
  const gauge = meter.createGauge("g");
  const updown = meter.createUpDownCounter("u");
  for (let round = 0; round < 2; round++) {
    for (const [name, v] of hostileValues()) {
      for (const instrument of [counter, histogram, gauge, updown]) {
        const record = "add" in instrument ? instrument.add.bind(instrument) : instrument.record.bind(instrument);
        assertNoThrow(() => record(v as number), `value ${name}`);
        assertNoThrow(() => record(1, v as never), `attributes ${name}`);
        assertNoThrow(() => record(1, { k: v } as never), `attribute value ${name}`);
        assertNoThrow(() => record(1, {}, v as never), `context ${name}`);
      }
    }
  }
  counter.add(5, { ok: "yes" });
  histogram.record(5, { ok: "yes" });
  const { resourceMetrics } = await reader.collect();
  const ok = points(resourceMetrics, "c").find((p) => p.attributes.ok === "yes");
  assert.is(ok?.value, 5, "the valid measurement is counted");
  assert.ok(count(diagMessages, /Unexpected|Failed to record/) <= 4, diagMessages.join("\n"));
  await provider.shutdown();
});

test("createX with hostile names, options and advice: an instrument that records or a no-op, never a throw", async () => {
  captureDiag();
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter("hostile");
  const options: unknown[] = [throwingProxy(), revokedProxy(), throwingGetters({}, "unit", "description", "valueType", "advice"), { advice: throwingProxy() }, { advice: { explicitBucketBoundaries: throwingProxy([]) } }, { advice: { explicitBucketBoundaries: [3, 1, NaN, unprintable()] } }, { unit: unprintable(), description: 10n }];
  for (const [name, v] of [...hostileValues(), ...options.map((o, i): [string, unknown] => [`options #${i}`, o])]) {
    for (const create of ["createCounter", "createHistogram", "createGauge", "createUpDownCounter", "createObservableCounter", "createObservableGauge", "createObservableUpDownCounter"] as const) {
      assertNoThrow(() => meter[create](v as string), `${create} name ${name}`);
      assertNoThrow(() => meter[create]("n", v as never), `${create} options ${name}`);
    }
  }
  meter.createCounter("valid").add(1);
  const { resourceMetrics } = await reader.collect();
  assert.is(points(resourceMetrics, "valid")[0]?.value, 1);
  await provider.shutdown();
});

test("observable callbacks throwing hostile values, observing garbage or never resolving: collect resolves with the valid observations", async () => {
  for (const [name, thrown] of hostileThrowables()) {
    const diagMessages = captureDiag();
    const reader = new ManualMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter("hostile");
    const good = meter.createObservableGauge("good");
    good.addCallback((r) => r.observe(7, { ok: "yes" }));
    const bad = meter.createObservableGauge("bad");
    bad.addCallback(() => {
      throw thrown;
    });
    bad.addCallback(() => Promise.reject(thrown));
    bad.addCallback(() => new Promise(() => {}));
    bad.addCallback((r) => {
      r.observe(thrown as number, thrown as never);
      r.observe(1, { k: thrown } as never);
    });
    meter.addBatchObservableCallback(() => {
      throw thrown;
    }, [good, bad]);
    meter.addBatchObservableCallback((r) => r.observe(thrown as never, 1), [good]);
    for (let i = 0; i < 2; i++) {
      let collected: Awaited<ReturnType<typeof reader.collect>> | undefined;
      try {
        collected = await reader.collect({ timeoutMillis: 50 });
      } catch (error) {
        assert.unreachable(`${name}: collect rejected with ${describe(error)}`);
      }
      assert.is(points(collected!.resourceMetrics, "good").find((p) => p.attributes.ok === "yes")?.value, 7, `${name}: the good callback's observation`);
    }
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
    await provider.shutdown();
  }
});

test("PeriodicExportingMetricReader: an exporter throwing hostile values or never settling: forceFlush and shutdown resolve", async () => {
  for (const [name, thrown] of [...hostileThrowables(), ["never settles", "never"] as [string, unknown]]) {
    const diagMessages = captureDiag();
    const good = new InMemoryMetricExporter();
    const exporter = flakyExporter<ResourceMetrics>(() => {
      if (thrown === "never") return new Promise(() => {});
      throw thrown;
    }, good);
    (exporter as { shutdown: () => Promise<void> }).shutdown = () => {
      throw thrown;
    };
    (exporter as { forceFlush: () => Promise<void> }).forceFlush = () => Promise.reject(thrown);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Infinity, exportTimeoutMillis: 50 });
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter("m").createCounter("c").add(1);
    await provider.forceFlush();
    // A stuck export keeps its slot for a grace period after its timeout (one export on the
    // wire); the cumulative data then goes out with a later flush.
    for (let i = 0; i < 5 && good.getMetrics().length === 0; i++) await provider.forceFlush();
    assert.ok(good.getMetrics().length >= 1, `${name}: a later export delivered`);
    await provider.shutdown();
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
  }
});

// ---- logs ----------------------------------------------------------------------------------
function logSetup(processors: LogRecordProcessor[] = []) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [...processors, new SimpleLogRecordProcessor(exporter)] });
  return { exporter, provider, logger: provider.getLogger("hostile") };
}

test("logger.emit with hostile records, bodies, attributes and times: never throws, the valid fields arrive", async () => {
  const diagMessages = captureDiag();
  const { exporter, provider, logger } = logSetup();
  const records: Array<[string, unknown]> = [
    ...hostileValues().map(([name, v]): [string, unknown] => [`record ${name}`, v]),
    ["throwing getters", throwingGetters({ body: "ok" }, "attributes", "timestamp", "severityNumber", "context")],
  ];
  for (const [name, v] of records) assertNoThrow(() => logger.emit(v as never), name);
  for (const [name, v] of hostileValues()) {
    for (const field of ["body", "attributes", "timestamp", "observedTimestamp", "severityNumber", "severityText", "eventName", "context", "exception"]) {
      assertNoThrow(() => logger.emit({ [field]: v, attributes: field === "attributes" ? (v as never) : { ok: name, field } } as never), `${field}: ${name}`);
    }
    assertNoThrow(() => logger.emit({ body: { nested: v, list: [v, 1] }, attributes: { a: v, ok: name, field: "nested" } } as never), `nested ${name}`);
  }
  logger.emit({ body: cycle() as never, attributes: { cycle: cycle(), ok: "circular" } as never });
  await provider.forceFlush();
  const got = exporter.getFinishedLogRecords();
  for (const [name] of hostileValues()) {
    for (const field of ["body", "timestamp", "severityNumber", "eventName", "nested"]) {
      assert.ok(got.some((r) => r.attributes?.ok === name && r.attributes?.field === field), `${field}: ${name}: the record arrived with its valid attributes`);
    }
  }
  assert.ok(got.some((r) => r.attributes?.ok === "circular"), "a circular body and attribute do not lose the record");
  assert.is(count(diagMessages, /Unexpected/), 0, diagMessages.join("\n"));
  await provider.shutdown();
});

test("a log processor whose onEmit/forceFlush/shutdown throw hostile values: the next processor still gets the record", async () => {
  for (const [name, thrown] of hostileThrowables()) {
    const diagMessages = captureDiag();
    const bad: LogRecordProcessor = { onEmit: () => { throw thrown; }, forceFlush: () => { throw thrown; }, shutdown: () => Promise.reject(thrown) } as LogRecordProcessor;
    const { exporter, provider, logger } = logSetup([bad]);
    assertNoThrow(() => logger.emit({ body: "a" }), name);
    assertNoThrow(() => logger.emit({ body: "b" }), name);
    await provider.forceFlush();
    assert.equal(exporter.getFinishedLogRecords().map((r) => r.body), ["a", "b"], name);
    await provider.shutdown();
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
  }
});

test("BatchLogRecordProcessor: an exporter throwing hostile values or never settling: flush resolves, the next record is delivered", async () => {
  for (const [name, thrown] of [...hostileThrowables(), ["never settles", "never"] as [string, unknown]]) {
    const diagMessages = captureDiag();
    const good = new InMemoryLogRecordExporter();
    const exporter = flakyExporter<ReadableLogRecord>(() => {
      if (thrown === "never") return new Promise(() => {});
      throw thrown;
    }, good);
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter, { exportTimeoutMillis: 50, scheduledDelayMillis: Infinity })] });
    const logger = provider.getLogger("l");
    logger.emit({ body: "lost" });
    await provider.forceFlush();
    logger.emit({ body: "kept" });
    await provider.forceFlush();
    assert.equal(good.getFinishedLogRecords().map((r) => r.body), ["kept"], name);
    await provider.shutdown();
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
  }
});

test("console bridge: console methods called with hostile arguments never throw, still print and still emit", async () => {
  captureDiag();
  const { exporter, provider, logger } = logSetup();
  const printed: unknown[][] = [];
  const fakeConsole = { log: (...a: unknown[]) => void printed.push(a), error: (...a: unknown[]) => void printed.push(a), warn: (...a: unknown[]) => void printed.push(a) };
  const restore = bridgeConsole({ console: fakeConsole, logger });
  try {
    for (const [name, v] of hostileValues()) {
      assertNoThrow(() => fakeConsole.log(v), `log(${name})`);
      assertNoThrow(() => fakeConsole.error("%s %d %i %f %j %o %O %c", v, v, v, v, v, v, v, v), `error(format, ${name})`);
      assertNoThrow(() => fakeConsole.warn(v, v), `warn(${name}, ${name})`);
    }
  } finally {
    restore();
  }
  await provider.forceFlush();
  const n = hostileValues().length * 3;
  assert.is(printed.length, n, "every call reached the original console");
  assert.is(exporter.getFinishedLogRecords().length, n, "every call emitted a record");
  await provider.shutdown();
});

// ---- the SDK -------------------------------------------------------------------------------
test("init(): exporters throwing hostile values, a fetch that throws synchronously: flush and shutdown resolve", async () => {
  for (const [name, thrown] of hostileThrowables()) {
    const diagMessages = captureDiag();
    const thrower = () => {
      throw thrown;
    };
    const sdk = init({
      env: {},
      otlp: { endpoint: "http://127.0.0.1:9", fetch: thrower as never, timeoutMillis: 100 },
      logExporter: { export: thrower, shutdown: thrower } as never,
      metricExporter: { export: thrower, shutdown: thrower, forceFlush: thrower } as never,
      metricExportIntervalMillis: 3_600_000,
      batch: { exportTimeoutMillis: 100 },
    });
    sdk.tracerProvider.getTracer("t").startSpan("s").end();
    sdk.loggerProvider.getLogger("l").emit({ body: "b" });
    sdk.meterProvider.getMeter("m").createCounter("c").add(1);
    try {
      await sdk.flush();
      await sdk.flush();
      await sdk.shutdown();
    } catch (error) {
      assert.unreachable(`${name}: rejected with ${describe(error)}`);
    }
    assert.ok(diagMessages.length >= 1, `${name}: reported`);
  }
});

test.run();
