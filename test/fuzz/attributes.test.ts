// Hostile input, attributes: seeded fuzzing of every public recording path (span, event and
// link attributes, span names/status/exceptions, log record attributes and bodies, metric
// attributes, resource attributes, baggage copied onto spans) with hostile keys and values:
// huge and lone-surrogate strings, NaN/±Infinity/-0, BigInt, cycles, throwing getters,
// throwing toString/Symbol.toPrimitive, throwing and revoked Proxies, __proto__/constructor/
// prototype keys, symbols. Recording never throws, nothing pollutes a prototype, and the
// OTLP we would send is JSON whose strings are all valid Unicode and which decodes with the
// official protobuf schema (test/export/otlp/proto-roundtrip.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { encodeLogs, encodeLogsBytes } from "../../src/export/otlp/logs-encoder.ts";
import { encodeMetrics, encodeMetricsBytes } from "../../src/export/otlp/metrics-encoder.ts";
import { encodeTraces, encodeTracesBytes } from "../../src/export/otlp/trace-encoder.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import { createBaggage, setBaggage, type BaggageEntry } from "../../src/propagation/baggage.ts";
import { buildResource } from "../../src/resource/detect.ts";
import { BaggageSpanProcessor } from "../../src/trace/baggage-span-processor.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { idsToBase64, jsonToRuntime, REQUEST, TO_OBJECT, type RuntimeKeys } from "../export/otlp/proto-roundtrip.ts";
import { Rng, withSeed } from "./prng.ts";

diag.disable();

const CASES = 2000;

// ---- hostile values ---------------------------------------------------------------------
function throwingProxy(target: object = {}): object {
  const boom = () => {
    throw new Error("trap");
  };
  return new Proxy(target, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom, set: boom, defineProperty: boom });
}

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  return proxy;
}

function cycle(): object {
  const o: Record<string, unknown> = { name: "loop" };
  o.self = o;
  o.list = [o, { back: o }];
  return o;
}

function throwingGetter(): object {
  const o = { ok: "fine" };
  Object.defineProperty(o, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
  return o;
}

function throwingConversions(): object {
  return {
    toString: () => { throw new Error("toString"); },
    valueOf: () => { throw new Error("valueOf"); },
    [Symbol.toPrimitive]: () => { throw new Error("toPrimitive"); },
    toJSON: () => { throw new Error("toJSON"); },
  };
}

function deep(n: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

function pollutingJson(): unknown {
  return JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}');
}

function throwingArray(): unknown {
  return new Proxy(["a", "b"], { get: (t, k) => { if (k === "1") throw new Error("index"); return Reflect.get(t, k); } });
}

function hostileValue(rng: Rng): unknown {
  switch (rng.int(30)) {
    case 0: return rng.codeUnits(rng.range(0, 40)); // lone surrogates and all of the BMP
    case 1: return "\ud800" + rng.nasty(5) + "\udfff";
    case 2: return rng.pick([NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 63, -(2 ** 63), 2 ** 53 + 1, 1e21, -1e-7]);
    case 3: return rng.pick([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n, -(2n ** 70n)]);
    case 4: return cycle();
    case 5: return throwingGetter();
    case 6: return throwingConversions();
    case 7: return throwingProxy();
    case 8: return throwingProxy([1, 2]);
    case 9: return revoked();
    case 10: return Symbol("s");
    case 11: return () => "fn";
    case 12: return pollutingJson();
    case 13: return deep(rng.pick([5, 40, 200]));
    case 14: return [1, "mixed", true, null];
    case 15: return [NaN, -0, Infinity, null, undefined];
    case 16: return ["\ud800", "ok", null];
    case 17: return throwingArray();
    case 18: return new Date(NaN);
    case 19: return new Date(0);
    case 20: return new Uint8Array([0, 255, 128]);
    case 21: return [[1, 2], { a: 1 }];
    case 22: return Object.create(null);
    case 23: return new Map([["k", "v"]]);
    case 24: return null;
    case 25: return undefined;
    case 26: return rng.bool() ? true : false;
    case 27: return "x".repeat(rng.pick([1, 1000, 70000]));
    case 28: return [rng.codeUnits(3), rng.codeUnits(3)];
    default: return rng.nasty(rng.range(0, 20));
  }
}

const KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "", " ", "a.b", "\ud800", "😀", "\0", "x".repeat(300), "polluted", "length", "0"];

function hostileKey(rng: Rng): string {
  return rng.bool(0.6) ? rng.pick(KEYS) : rng.pick([rng.codeUnits(rng.range(1, 6)), rng.nasty(rng.range(1, 6)), `k${rng.int(20)}`]);
}

/** An attribute map: a plain object with hostile keys and values, or something that is not a plain map at all. */
function hostileMap(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0: return throwingProxy();
    case 1: return revoked();
    case 2: return pollutingJson();
    case 3: return rng.pick([null, undefined, "str", 42, [1, 2], Symbol("m"), () => 1]);
    case 4: return throwingGetter();
    default: {
      const map: Record<string | symbol, unknown> = rng.bool(0.2) ? Object.create(null) : {};
      for (let i = rng.int(12); i > 0; i--) {
        const key = hostileKey(rng);
        // defineProperty: a literal assignment to "__proto__" would set the prototype instead.
        Object.defineProperty(map, key, { value: hostileValue(rng), enumerable: true, configurable: true, writable: true });
      }
      if (rng.bool(0.1)) map[Symbol("sym")] = "symbol key";
      if (rng.bool(0.1)) Object.defineProperty(map, "boom", { enumerable: true, get: () => { throw new Error("getter"); } });
      return map;
    }
  }
}

// ---- invariants -------------------------------------------------------------------------
function snapshot(o: object): string {
  return JSON.stringify(Reflect.ownKeys(o).map((k) => [String(k), typeof Object.getOwnPropertyDescriptor(o, k)?.value]));
}
const PROTOS: Array<[string, object]> = [["Object", Object.prototype], ["Array", Array.prototype], ["Function", Function.prototype], ["String", String.prototype]];
const BEFORE = PROTOS.map(([, p]) => snapshot(p));

function assertNoPollution(why: string): void {
  assert.is(({} as Record<string, unknown>).polluted, undefined, `${why}: Object.prototype polluted`);
  assert.is(([] as unknown as Record<string, unknown>).polluted, undefined, `${why}: Array.prototype polluted`);
  PROTOS.forEach(([name, p], i) => assert.is(snapshot(p), BEFORE[i], `${why}: ${name}.prototype changed`));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/** Every string in `v` (keys too) is well-formed UTF-16, i.e. has a UTF-8 form (proto3 `string`). */
function assertWellFormed(v: unknown, path: string): void {
  if (typeof v === "string") {
    assert.ok(isWellFormed(v), `${path}: lone surrogate in ${JSON.stringify(v.slice(0, 80))}`);
  } else if (Array.isArray(v)) v.forEach((x, i) => assertWellFormed(x, `${path}[${i}]`));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      assert.ok(isWellFormed(k), `${path}: lone surrogate in key`);
      assertWellFormed(x, `${path}.${k}`);
    }
  }
}

const KEYS_TRACES: RuntimeKeys = { int64: new Set(["intValue", "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano"]), double: new Set(["doubleValue"]), bytes: new Set(["bytesValue"]) };
const KEYS_LOGS: RuntimeKeys = { int64: new Set(["intValue", "timeUnixNano", "observedTimeUnixNano"]), double: new Set(["doubleValue"]), bytes: new Set(["bytesValue"]) };
const KEYS_METRICS: RuntimeKeys = {
  int64: new Set(["intValue", "asInt", "startTimeUnixNano", "timeUnixNano", "count", "zeroCount", "bucketCounts"]),
  double: new Set(["doubleValue", "asDouble", "sum", "min", "max", "zeroThreshold", "explicitBounds", "quantile", "value"]),
  bytes: new Set(["bytesValue"]),
};

/** The OTLP text is JSON, all its strings have a UTF-8 form, and it round-trips through the official schema. */
function assertValidOtlp(text: string, Req: unknown, keys: RuntimeKeys, why: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    assert.unreachable(`${why}: not JSON (${(err as Error).message})`);
  }
  assertWellFormed(parsed, why);
  const request = idsToBase64(parsed);
  const R = Req as { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): unknown; toObject(m: unknown, o: unknown): unknown; verify(m: unknown): string | null };
  assert.is(R.verify(jsonToRuntime(request, keys)), null, `${why}: verify`);
  const back = R.toObject(R.decode(R.encode(R.fromObject(request)).finish()), TO_OBJECT);
  const diff = firstDiff(back, request, "");
  assert.is(diff, undefined, `${why}: the official schema decodes it differently at ${diff}`);
}

/** The path of the first difference between two JSON values, or undefined. */
function firstDiff(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

// ---- the recording paths ----------------------------------------------------------------
const SPAN_CONTEXT = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true };

function setup(rng: Rng) {
  const resource = buildResource({ attributes: hostileMap(rng) as never, serviceName: rng.bool(0.2) ? (hostileValue(rng) as never) : "svc", sdkVersion: "0" });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BaggageSpanProcessor({ allow: () => true }), new SimpleSpanProcessor(spans)],
  });
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor(logs)] });
  const reader = new ManualMetricReader();
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  return { spans, logs, reader, tracerProvider, loggerProvider, tracer: tracerProvider.getTracer(rng.codeUnits(4), "1"), logger: loggerProvider.getLogger("fuzz"), meter: meterProvider.getMeter("fuzz") };
}

function recordEverything(rng: Rng, env: ReturnType<typeof setup>, value: () => unknown, map: () => unknown, key: () => string): void {
  const { tracer, logger, meter } = env;
  const entries: Record<string, BaggageEntry> = {};
  for (let i = rng.int(4); i > 0; i--) Object.defineProperty(entries, key(), { value: { value: value() }, enumerable: true, configurable: true });
  const ctx = setBaggage(ROOT_CONTEXT, createBaggage(entries));
  const span = tracer.startSpan(
    rng.bool(0.8) ? "op" : (value() as string),
    { attributes: map() as never, links: [{ context: SPAN_CONTEXT, attributes: map() as never }, map() as never] },
    ctx,
  );
  span.setAttribute(key(), value() as never);
  span.setAttributes(map() as never);
  span.addEvent(rng.bool(0.8) ? "ev" : (value() as string), map() as never);
  span.addEvent("ev2", map() as never, value() as never);
  span.addLink({ context: SPAN_CONTEXT, attributes: map() as never });
  span.recordException(value() as never, rng.bool() ? undefined : (value() as never));
  span.setStatus({ code: rng.pick([0, 1, 2, 7, -1]) as never, message: value() as never });
  if (rng.bool(0.2)) span.updateName(value() as never);
  span.end();
  logger.emit({ body: value() as never, attributes: map() as never, severityText: rng.bool(0.8) ? "INFO" : (value() as never), eventName: rng.bool(0.8) ? undefined : (value() as never) });
  logger.emit(map() as never);
  meter.createCounter("c").add(rng.pick([1, 2.5, -1, NaN, Infinity]), map() as never);
  meter.createHistogram("h").record(rng.pick([1, 0, -0, NaN, Infinity, -5, 1e300]), map() as never);
  meter.createUpDownCounter("u").add(rng.pick([1, -1, NaN]), map() as never);
  meter.createGauge("g").record(rng.pick([1, NaN, -Infinity]), map() as never);
  const observable = meter.createObservableGauge("og");
  observable.addCallback((result) => result.observe(rng.pick([1, NaN]), map() as never));
}

const utf8 = new TextEncoder();

/** `bytes` is exactly the UTF-8 encoding of `text`. */
function assertUtf8Of(bytes: Uint8Array, text: string, why: string): void {
  const expected = utf8.encode(text);
  const at = bytes.length === expected.length ? bytes.findIndex((b, i) => b !== expected[i]) : Math.min(bytes.length, expected.length);
  assert.is(at, -1, `${why}: bytes differ from the text's UTF-8 at ${at}`);
}

async function assertExports(env: ReturnType<typeof setup>, why: string): Promise<void> {
  await env.tracerProvider.forceFlush();
  await env.loggerProvider.forceFlush();
  assert.ok(env.spans.getFinishedSpans().length > 0 && env.logs.getFinishedLogRecords().length > 0, `${why}: nothing was recorded`);
  const spans = env.spans.getFinishedSpans();
  const records = env.logs.getFinishedLogRecords();
  const traces = encodeTraces(spans);
  const logs = encodeLogs(records);
  assertValidOtlp(traces, REQUEST.traces, KEYS_TRACES, `${why} (traces)`);
  assertValidOtlp(logs, REQUEST.logs, KEYS_LOGS, `${why} (logs)`);
  const { resourceMetrics } = await env.reader.collect();
  const metrics = encodeMetrics([resourceMetrics]);
  assertValidOtlp(metrics, REQUEST.metrics, KEYS_METRICS, `${why} (metrics)`);
  // What the exporters send: the same request as UTF-8 bytes.
  assertUtf8Of(encodeTracesBytes(spans), traces, `${why} (trace bytes)`);
  assertUtf8Of(encodeLogsBytes(records), logs, `${why} (log bytes)`);
  assertUtf8Of(encodeMetricsBytes([resourceMetrics]), metrics, `${why} (metric bytes)`);
}

// ---- tests ------------------------------------------------------------------------------
test(
  "every recording path takes hostile keys, values and maps without throwing, polluting or breaking the OTLP",
  withSeed("attributes", async (rng) => {
    for (let batch = 0; batch < CASES / 20; batch++) {
      const env = setup(rng);
      const why = `batch ${batch}`;
      for (let i = 0; i < 20; i++) {
        recordEverything(rng, env, () => hostileValue(rng), () => hostileMap(rng), () => hostileKey(rng));
        assertNoPollution(`${why}, case ${i}`);
      }
      await assertExports(env, why);
      assertNoPollution(why);
    }
  }),
);

test(
  "10 MB strings and lone surrogates on every path: recorded, encoded as valid JSON with well-formed strings",
  withSeed("huge", async (rng) => {
    const huge = "\ud83d" + "€x".repeat(5 * 1024 * 1024) + "\udc00";
    const env = setup(rng);
    const values = [huge, "a\ud800b", "\udfff", ["\ud800", huge]];
    let n = 0;
    recordEverything(rng, env, () => values[n++ % values.length], () => ({ [huge.slice(0, 100)]: huge, lone: "\udbff", "\ud800": "k" }), () => "\ud800key");
    await assertExports(env, "huge");
    const text = encodeTraces(env.spans.getFinishedSpans());
    assert.ok(text.length > 10_000_000, "the 10 MB value was dropped, not encoded");
    assertNoPollution("huge");
  }),
);

test("JSON.parse-made __proto__ keys stay data: resource, span, log and metric attributes", async () => {
  const rng = new Rng(1);
  const env = setup(rng);
  const evil = () => pollutingJson();
  recordEverything(rng, env, () => "v", evil, () => "__proto__");
  assertNoPollution("__proto__");
  await env.tracerProvider.forceFlush();
  const span = env.spans.getFinishedSpans()[0]!;
  assert.ok(Object.prototype.hasOwnProperty.call(span.attributes, "__proto__") || !("__proto__" in Object.keys(span.attributes)));
  assert.is(Object.getPrototypeOf(span.attributes), Object.prototype);
  await assertExports(env, "__proto__");
});

test.run();
