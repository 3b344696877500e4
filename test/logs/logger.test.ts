import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { diag } from "../../src/common/diag.ts";
import { toEpochMillis, toTime } from "../../src/common/time.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { setSpanContext } from "../../src/trace/span-in-context.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { resolveLogRecordLimits, sanitizeAnyValue, type LogRecordLimits } from "../../src/logs/log-record.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import type { EnvRecord } from "../../src/common/env.ts";

/** What init() does where the runtime has an environment: options completed from env, then resolved. */
const limitsFromEnv = (options: Partial<LogRecordLimits>, env: EnvRecord): LogRecordLimits =>
  resolveLogRecordLimits(ENV_SELECTION.settings("logLimits", options, env));
import { logs } from "../../src/logs/logs-api.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../../src/logs/types.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

function setup(limits?: { attributeCountLimit?: number; attributeValueLengthLimit?: number }) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: { attributes: { "service.name": "svc" } },
    processors: [new SimpleLogRecordProcessor(exporter)],
    limits,
  });
  return { exporter, provider, logger: provider.getLogger("test", "1.2.3", { schemaUrl: "https://s" }) };
}

test("emit records every field; defaults for times; scope and resource attached", async () => {
  const { exporter, logger, provider } = setup();
  const ts = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
  logger.emit({
    timestamp: ts,
    observedTimestamp: new Date(ts + 5),
    severityNumber: 13,
    severityText: "WARN",
    body: { msg: "disk", free: 12, tags: ["a", "b"] },
    attributes: { "disk.path": "/", nested: { a: [1, { b: true }] } },
    eventName: "disk.low",
  });
  const before = toTime();
  logger.emit({ body: "plain" });
  await provider.forceFlush();
  const [r, plain] = exporter.getFinishedLogRecords() as [ReadableLogRecord, ReadableLogRecord];
  assert.is(Math.round(toEpochMillis(r.timestamp)), ts);
  assert.is(Math.round(toEpochMillis(r.observedTimestamp)), ts + 5);
  assert.is(r.severityNumber, 13);
  assert.is(r.severityText, "WARN");
  assert.equal(r.body, { msg: "disk", free: 12, tags: ["a", "b"] });
  assert.equal(r.attributes, { "disk.path": "/", nested: { a: [1, { b: true }] } });
  assert.is(r.eventName, "disk.low");
  assert.is(r.droppedAttributesCount, 0);
  assert.is(r.spanContext, undefined);
  assert.is(r.resource, provider.resource);
  assert.is(r.instrumentationScope.name, "test");
  assert.is(r.instrumentationScope.version, "1.2.3");
  assert.is(r.instrumentationScope.schemaUrl, "https://s");
  // Without times, both are "now" and equal (the JS SDK's behaviour).
  assert.ok(plain.observedTimestamp >= before);
  assert.is(plain.timestamp, plain.observedTimestamp);
  assert.is(plain.severityNumber, undefined);
});

test("values are deep-copied: later mutation by the caller does not change the record", () => {
  const { exporter, logger } = setup();
  const body = { list: [1, 2], inner: { x: 1 } };
  const attributes = { obj: { y: 2 } };
  logger.emit({ body, attributes });
  body.list.push(3);
  body.inner.x = 99;
  attributes.obj.y = 99;
  const r = exporter.getFinishedLogRecords()[0]!;
  assert.equal(r.body, { list: [1, 2], inner: { x: 1 } });
  assert.equal(r.attributes, { obj: { y: 2 } });
});

test("attribute count and value length limits, nested strings truncated; body not limited", () => {
  const { exporter, logger } = setup({ attributeCountLimit: 2, attributeValueLengthLimit: 3 });
  logger.emit({ body: "a long body stays", attributes: { a: "abcdef", b: { deep: ["wxyz"] }, c: 1, d: 2 } });
  const r = exporter.getFinishedLogRecords()[0]!;
  assert.equal(r.attributes, { a: "abc", b: { deep: ["wxy"] } });
  assert.is(r.droppedAttributesCount, 2);
  assert.is(r.body, "a long body stays");
});

test("limits from env: OTEL_LOGRECORD_* win over OTEL_ATTRIBUTE_*; defaults 128 / unlimited; invalid warn", () => {
  assert.equal(limitsFromEnv({}, {}), { attributeCountLimit: 128, attributeValueLengthLimit: Infinity });
  assert.equal(limitsFromEnv({}, { OTEL_ATTRIBUTE_COUNT_LIMIT: "5", OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "10" }), {
    attributeCountLimit: 5,
    attributeValueLengthLimit: 10,
  });
  assert.equal(
    limitsFromEnv({}, { OTEL_ATTRIBUTE_COUNT_LIMIT: "5", OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: "7", OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: "9" }),
    { attributeCountLimit: 7, attributeValueLengthLimit: 9 },
  );
  assert.is(limitsFromEnv({ attributeCountLimit: 1 }, { OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: "7" }).attributeCountLimit, 1);
  const messages = captureDiag();
  assert.is(limitsFromEnv({}, { OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: "x" }).attributeCountLimit, 128);
  assert.ok(messages.some((m) => m.includes("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT")));
  diag.setLogger();
  assert.throws(() => resolveLogRecordLimits({ attributeCountLimit: -1 }), (e: unknown) => e instanceof RangeError && /attributeCountLimit/.test((e as Error).message));
  assert.throws(() => new LoggerProvider({ limits: { attributeValueLengthLimit: 1.5 } }), RangeError);
});

test("AnyValue sanitizing: cycles, throwing getters, functions, __proto__, bigint, Date, bytes, depth", () => {
  const messages = captureDiag();
  const cyclic: Record<string, unknown> = { name: "c" };
  cyclic.self = cyclic;
  cyclic.list = [1, cyclic, () => 1];
  const hostile = Object.defineProperty({ ok: 1 }, "bad", { enumerable: true, get() { throw new Error("boom"); } });
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) deep = { d: deep };
  const out = sanitizeAnyValue({
    cyclic,
    hostile,
    proto,
    fn: () => 1,
    sym: Symbol("s"),
    big: 12345678901234567890n,
    date: new Date(Date.UTC(2024, 0, 2)),
    bytes: new Uint8Array([1, 2, 3]),
    err: new TypeError("bad input"),
    deep,
  }) as Record<string, any>;
  assert.equal(out.cyclic, { name: "c", list: [1, null, null] });
  assert.equal(out.hostile, { ok: 1 });
  assert.ok(Object.prototype.hasOwnProperty.call(out.proto, "__proto__"));
  assert.equal(Object.getPrototypeOf(out.proto), Object.prototype);
  assert.is(({} as any).polluted, undefined);
  assert.is(out.proto.x, 1);
  assert.not.ok("fn" in out);
  assert.not.ok("sym" in out);
  assert.is(out.big, "12345678901234567890");
  assert.is(out.date, "2024-01-02T00:00:00.000Z");
  assert.ok(out.bytes instanceof Uint8Array);
  assert.equal([...out.bytes], [1, 2, 3]);
  assert.is(out.err, "TypeError: bad input");
  let depth = 0;
  for (let v = out.deep; v && typeof v === "object"; v = v.d) depth++;
  assert.ok(depth < 33 && depth > 25, String(depth));
  assert.ok(messages.some((m) => /cycle/.test(m)));
  assert.ok(messages.some((m) => /threw/.test(m)));
  diag.setLogger();
});

test("emit never throws: hostile record, invalid severity, throwing processor", async () => {
  const messages = captureDiag();
  const thrower: LogRecordProcessor = { onEmit() { throw new Error("nope"); }, forceFlush: async () => {}, shutdown: async () => {} };
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [thrower, new SimpleLogRecordProcessor(exporter)] });
  const logger = provider.getLogger("x");
  const hostile = new Proxy({}, { get() { throw new Error("trap"); } });
  logger.emit(hostile as any);
  logger.emit(undefined as any);
  logger.emit({ severityNumber: 99 as any, body: "kept" });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  assert.is(records.at(-1)!.body, "kept");
  assert.is(records.at(-1)!.severityNumber, undefined);
  assert.ok(messages.some((m) => /severityNumber 99/.test(m)));
  assert.ok(messages.some((m) => /processor threw/.test(m)));
  diag.setLogger();
});

test("correlation with AsyncLocalStorage: nested startActiveSpan across await; none outside", async () => {
  const { exporter, logger, provider } = setup();
  const tracer = new BasicTracerProvider().getTracer("t");
  logger.emit({ body: "outside" });
  const expected: Array<[string, string | undefined]> = [];
  await tracer.startActiveSpan("outer", async (outer) => {
    logger.emit({ body: "outer-1" });
    expected.push(["outer-1", outer.spanContext().spanId]);
    await sleep(1);
    await tracer.startActiveSpan("inner", async (inner) => {
      await sleep(1);
      logger.emit({ body: "inner" });
      expected.push(["inner", inner.spanContext().spanId]);
      inner.end();
    });
    await Promise.resolve();
    logger.emit({ body: "outer-2" });
    expected.push(["outer-2", outer.spanContext().spanId]);
    assert.is(outer.spanContext().traceId.length, 32);
    outer.end();
  });
  logger.emit({ body: "after" });
  await provider.forceFlush();
  const byBody = new Map(exporter.getFinishedLogRecords().map((r) => [r.body as string, r]));
  assert.is(byBody.get("outside")!.spanContext, undefined);
  assert.is(byBody.get("after")!.spanContext, undefined);
  const traceId = byBody.get("outer-1")!.spanContext!.traceId;
  for (const [body, spanId] of expected) {
    const sc = byBody.get(body)!.spanContext!;
    assert.is(sc.spanId, spanId, body);
    assert.is(sc.traceId, traceId, body);
    assert.is(sc.traceFlags & 1, 1, body);
  }
});

test("correlation with an explicit context (no AsyncLocalStorage) wins over the active one", async () => {
  const { exporter, logger, provider } = setup();
  const explicit = setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 });
  const tracer = new BasicTracerProvider().getTracer("t");
  tracer.startActiveSpan("active", (span) => {
    logger.emit({ body: "explicit", context: explicit });
    logger.emit({ body: "root", context: ROOT_CONTEXT });
    span.end();
  });
  // An invalid span context in the context gives no ids.
  logger.emit({ body: "invalid", context: setSpanContext(ROOT_CONTEXT, { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }) });
  await provider.forceFlush();
  const [a, b, c] = exporter.getFinishedLogRecords();
  assert.equal(a!.spanContext && { t: a!.spanContext.traceId, s: a!.spanContext.spanId, f: a!.spanContext.traceFlags }, {
    t: "0af7651916cd43dd8448eb211c80319c",
    s: "b7ad6b7169203331",
    f: 1,
  });
  assert.is(b!.spanContext, undefined);
  assert.is(c!.spanContext, undefined);
});

test("includeTraceContext: false leaves ids out", () => {
  const { exporter, provider } = setup();
  const logger = provider.getLogger("no-trace", undefined, { includeTraceContext: false });
  const explicit = setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 });
  logger.emit({ body: "x", context: explicit });
  assert.is(exporter.getFinishedLogRecords()[0]!.spanContext, undefined);
});

test("getLogger caches per scope; invalid name warns and still works", () => {
  const { provider, exporter } = setup();
  assert.is(provider.getLogger("a", "1"), provider.getLogger("a", "1"));
  assert.is.not(provider.getLogger("a", "1"), provider.getLogger("a", "2"));
  const messages = captureDiag();
  provider.getLogger(undefined as any).emit({ body: "x" });
  assert.ok(messages.some((m) => /invalid logger name/.test(m)));
  assert.is(exporter.getFinishedLogRecords()[0]!.instrumentationScope.name, "");
  diag.setLogger();
});

test("shutdown: processors shut down once, later records dropped; forceFlush reaches every processor", async () => {
  const calls: string[] = [];
  const p = (n: string): LogRecordProcessor => ({
    onEmit: () => void calls.push(`${n}:emit`),
    forceFlush: async () => void calls.push(`${n}:flush`),
    shutdown: async () => void calls.push(`${n}:shutdown`),
  });
  const provider = new LoggerProvider({ processors: [p("a"), p("b")] });
  const logger = provider.getLogger("x");
  logger.emit({ body: 1 });
  await provider.forceFlush();
  await Promise.all([provider.shutdown(), provider.shutdown()]);
  logger.emit({ body: 2 });
  assert.equal(calls, ["a:emit", "b:emit", "a:flush", "b:flush", "a:shutdown", "b:shutdown"]);
});

test("global logs API: proxy loggers obtained before the provider follow it; disable drops", () => {
  const early = logs.getLogger("early", "1");
  early.emit({ body: "dropped before provider" });
  const { provider, exporter } = setup();
  assert.is(logs.setGlobalLoggerProvider(provider), provider);
  assert.is(logs.getLoggerProvider(), provider);
  early.emit({ body: "through proxy" });
  logs.disable();
  early.emit({ body: "after disable" });
  const records = exporter.getFinishedLogRecords();
  assert.equal(records.map((r) => r.body), ["through proxy"]);
  assert.is(records[0]!.instrumentationScope.name, "early");
  // A provider that throws cannot break the caller.
  logs.setGlobalLoggerProvider({ getLogger: () => { throw new Error("bad provider"); } });
  logs.getLogger("x").emit({ body: "y" });
  logs.disable();
});

test.run();
