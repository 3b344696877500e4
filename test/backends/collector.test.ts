// Scenario 1 of the real-backends suite (issue 17): a real OpenTelemetry Collector (our minimal
// distribution, test/backends/collector: core otlpreceiver + contrib fileexporter, v0.161.0)
// receives all three signals from the SDK as OTLP/HTTP JSON, once plain and once gzip, and what
// it decoded and wrote back out (the file exporter's OTLP/JSON) is compared field by field with
// the request bodies we sent, then the values we meant are checked one by one: ids, timestamps,
// attributes of every value type, events, links, status, resource, scope, every instrument kind in
// both temporalities, exemplars, log bodies and severities. The Collector's log must hold no
// warning or error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gunzipSync } from "node:zlib";
import {
  BasicTracerProvider,
  BatchLogRecordProcessor,
  BatchSpanProcessor,
  LoggerProvider,
  MeterProvider,
  PeriodicExportingMetricReader,
  ROOT_CONTEXT,
  SeverityNumber,
  SpanKind,
  SpanStatusCode,
  ValueType,
  createLog,
  createOtlpLogExporter,
  createOtlpMetricExporter,
  createOtlpTraceExporter,
  createResource,
  diag,
  exponentialHistogram,
  summary,
  trace,
  view,
  type Context,
  type HrTime,
} from "../../mod.ts";
import { poll, startCollector, type Collector, setUpReporting } from "./peers.ts";

type Signal = "traces" | "metrics" | "logs";
const SIGNALS: Signal[] = ["traces", "metrics", "logs"];
const TOP: Record<Signal, string> = { traces: "resourceSpans", metrics: "resourceMetrics", logs: "resourceLogs" };

const diagLines: string[] = [];
diag.setLogger({
  error: (m: string) => diagLines.push(`error ${m}`),
  warn: (m: string) => diagLines.push(`warn ${m}`),
  info: () => {},
  debug: () => {},
  verbose: () => {},
});

/** A `fetch` that records each OTLP request body (un-gzipped, parsed) before sending it on. */
function teeFetch(sent: Record<Signal, any[]>, encodings: string[]): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const signal = SIGNALS.find((s) => url.endsWith(`/v1/${s}`))!;
    const raw = new Uint8Array(await new Response(init!.body).arrayBuffer());
    const encoding = new Headers(init!.headers).get("content-encoding") ?? "none";
    encodings.push(encoding);
    sent[signal].push(JSON.parse(Buffer.from(encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8")));
    return fetch(input, { ...init, body: raw });
  };
}

// Canonical OTLP/JSON, so our request and the Collector's re-encoding compare field by field:
// proto3 JSON omits default values (the Collector does; we may not), int64 may be a string or a
// number, and doubles may be NaN/Infinity strings.
const INT64 = new Set(["intValue", "timeUnixNano", "startTimeUnixNano", "endTimeUnixNano", "observedTimeUnixNano", "count", "bucketCounts", "asInt", "zeroCount"]);
const DOUBLE = new Set(["doubleValue", "asDouble", "sum", "min", "max", "explicitBounds", "value", "quantile", "zeroThreshold"]);
function canon(v: unknown, key = ""): unknown {
  if (Array.isArray(v)) return v.map((x) => canon(x, key));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canon((v as Record<string, unknown>)[k], k);
      const empty = c === "" || c === "0" || c === 0 || c === false || c === null || (Array.isArray(c) && c.length === 0) || (typeof c === "object" && c !== null && !Array.isArray(c) && Object.keys(c).length === 0);
      // An AnyValue's oneof keeps its zero value (intValue "0" is not an unset value).
      if (!empty || /Value$/.test(k)) out[k] = c;
    }
    return out;
  }
  if (INT64.has(key) && (typeof v === "string" || typeof v === "number")) return BigInt(v).toString();
  if (DOUBLE.has(key) && (typeof v === "string" || typeof v === "number")) return String(Number(v));
  return v;
}

function ofService(requests: any[], signal: Signal, service: string): any[] {
  return requests
    .flatMap((r) => r[TOP[signal]] ?? [])
    .filter((rs: any) => rs.resource?.attributes?.some((a: any) => a.key === "service.name" && a.value.stringValue === service));
}

const attrsOf = (list: any[] | undefined): Record<string, any> => Object.fromEntries((list ?? []).map((a: any) => [a.key, a.value]));
const hr = (ns: bigint): HrTime => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
// A start time with every nanosecond digit in use, near now: the SDK keeps times relative to an
// anchor taken at first use, exact to the nanosecond within weeks of it (src/common/time.ts; a
// time a year away is off by a few nanoseconds, as documented there).
const T0 = BigInt(Math.floor(Date.now() / 1000) - 60) * 1_000_000_000n + 123_456_789n;

/** Everything the SDK records in one run, against the Collector at `endpoint`. */
async function record(endpoint: string, compression: "gzip" | "none", service: string) {
  const sent: Record<Signal, any[]> = { traces: [], metrics: [], logs: [] };
  const encodings: string[] = [];
  const f = teeFetch(sent, encodings);
  const resource = createResource({ "service.name": service, "service.version": "1.2.3", "deployment.environment.name": "test", "host.cpu.count": 2, "sample.ratio": 0.25, "feature.on": true });
  const delta = compression === "gzip"; // one run per temporality
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(createOtlpTraceExporter({ endpoint, compression, fetch: f }), { scheduledDelayMillis: Infinity })] });
  const metricExporter = createOtlpMetricExporter({ endpoint, compression, fetch: f, temporalityPreference: delta ? "delta" : "cumulative" });
  const meterProvider = new MeterProvider({
    resource,
    // No temporality on the reader: it takes the exporter's temporalityPreference.
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: Infinity })],
    views: [
      view({ instrumentName: "exp.latency", aggregation: exponentialHistogram({ maxSize: 20 }) }),
      view({ instrumentName: "summary.latency", aggregation: summary({ quantiles: [0.5, 0.9] }) }),
    ],
  });
  const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor(createOtlpLogExporter({ endpoint, compression, fetch: f }), { scheduledDelayMillis: Infinity })] });

  const tracer = tracerProvider.getTracer("backends.scope", "4.5.6", { schemaUrl: "https://opentelemetry.io/schemas/1.26.0" });
  const meter = meterProvider.getMeter("backends.meter", "7.8.9");
  const logger = loggerProvider.getLogger("backends.logger", "1.0.0");

  const linked = tracer.startSpan("linked producer", { kind: SpanKind.PRODUCER, startTime: hr(T0 - 1000n) }, ROOT_CONTEXT);
  linked.end(hr(T0 - 500n));
  const root = tracer.startSpan("GET /orders/{id}", {
    kind: SpanKind.SERVER,
    startTime: hr(T0),
    attributes: {
      "str": "text é € 😀 \"quoted\"\n",
      "int": 42,
      "int.neg": -7,
      "int.big": 9007199254740991,
      "double": 3.25,
      "bool.true": true,
      "bool.false": false,
      "str.array": ["a", "", "c"],
      "int.array": [1, 2, 3],
      "double.array": [1.5, -2.5],
      "bool.array": [true, false],
    },
    links: [{ context: linked.spanContext(), attributes: { "link.kind": "follows" } }],
  }, ROOT_CONTEXT);
  const rootCtx: Context = trace.setSpan(ROOT_CONTEXT, root);
  root.addEvent("cache miss", { "cache.key": "orders:1", "cache.size": 10 }, hr(T0 + 1_000_000n));
  const child = tracer.startSpan("SELECT orders", { kind: SpanKind.CLIENT, startTime: hr(T0 + 2_000_000n), attributes: { "db.system.name": "postgresql" } }, rootCtx);
  child.recordException(new TypeError("connection reset"), hr(T0 + 3_000_000n));
  child.setStatus({ code: SpanStatusCode.ERROR, message: "query failed" });
  child.end(hr(T0 + 4_000_000n));
  const internal = tracer.startSpan("render", { kind: SpanKind.INTERNAL, startTime: hr(T0 + 5_000_000n) }, rootCtx);
  internal.end(hr(T0 + 6_000_000n));
  const consumer = tracer.startSpan("consume", { kind: SpanKind.CONSUMER, startTime: hr(T0 + 6_000_000n) }, rootCtx);
  consumer.setStatus({ code: SpanStatusCode.OK });
  consumer.end(hr(T0 + 7_000_000n));
  root.setAttribute("http.response.status_code", 500);
  root.end(hr(T0 + 9_000_000n));

  const labels = { route: "/orders/{id}", ok: false };
  meter.createCounter("orders.placed", { unit: "{order}", description: "Orders placed", valueType: ValueType.INT }).add(3, labels);
  meter.createCounter("bytes.sent", { unit: "By" }).add(1.5);
  meter.createUpDownCounter("queue.depth", { valueType: ValueType.INT }).add(-4, labels);
  meter.createGauge("temperature", { unit: "Cel" }).record(21.5, { room: "a" });
  const hist = meter.createHistogram("http.server.request.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.2, 0.3, 2]) hist.record(v, labels, rootCtx); // sampled span: exemplars
  const exp = meter.createHistogram("exp.latency", { unit: "ms" });
  for (const v of [1, 2, 4, 1000]) exp.record(v);
  const summ = meter.createHistogram("summary.latency", { unit: "ms" });
  for (const v of [1, 2, 3, 4]) summ.record(v);
  meter.createObservableCounter("cpu.time", { unit: "s" }).addCallback((r) => r.observe(12.5, { cpu: 0 }));
  meter.createObservableUpDownCounter("connections", { valueType: ValueType.INT }).addCallback((r) => r.observe(7));
  meter.createObservableGauge("memory.usage", { unit: "By", valueType: ValueType.INT }).addCallback((r) => r.observe(1024));

  logger.emit({ body: "plain message", severityNumber: SeverityNumber.INFO, severityText: "INFO", timestamp: hr(T0 + 1_500_000n), context: rootCtx, attributes: { "order.id": 1, nested: { list: [1, "two", true, null], map: { k: 2.5 } } } });
  logger.emit({ body: { event: "structured", count: 2, bytes: new Uint8Array([0, 1, 254, 255]) }, severityNumber: SeverityNumber.ERROR2, severityText: "ERROR", eventName: "order.failed", timestamp: hr(T0 + 2_500_000n), context: trace.setSpan(ROOT_CONTEXT, child) });
  logger.emit({ body: ["a", 1], severityNumber: SeverityNumber.DEBUG });
  createLog({ name: "friendly", logger, level: "debug" }).withContext(rootCtx).warn("friendly warning", { retry: 2 });

  await tracerProvider.forceFlush();
  await meterProvider.forceFlush();
  await loggerProvider.forceFlush();
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
  return { sent, encodings, ids: { trace: root.spanContext().traceId, root: root.spanContext().spanId, child: child.spanContext().spanId, linked: linked.spanContext() } };
}

let collector: Collector;
const runs: Record<string, Awaited<ReturnType<typeof record>>> = {};

test.before(() => setUpReporting(setUp));

async function setUp(): Promise<void> {
  collector = await startCollector();
  for (const compression of ["none", "gzip"] as const) runs[compression] = await record(collector.endpoint, compression, `backends-${compression}`);
  // The file exporter flushes every 100 ms: wait until every signal of both runs is on disk.
  await poll("the Collector to write all three signals of both runs", () => {
    for (const c of ["none", "gzip"]) for (const s of SIGNALS) if (ofService(collector.written(s), s, `backends-${c}`).length < ofService(runs[c]!.sent[s], s, `backends-${c}`).length) return undefined;
    return true;
  });
}

test.after(async () => {
  await collector?.close();
});

for (const compression of ["none", "gzip"] as const) {
  const service = `backends-${compression}`;

  test(`${compression}: every request was sent ${compression === "gzip" ? "gzip-compressed" : "uncompressed"} and accepted; no SDK diagnostics`, () => {
    const { sent, encodings } = runs[compression]!;
    for (const s of SIGNALS) assert.ok(sent[s].length >= 1, `${s} sent`);
    assert.ok(encodings.every((e) => e === compression), encodings.join());
    assert.equal(diagLines, []);
  });

  for (const signal of SIGNALS) {
    test(`${compression}: the Collector wrote exactly the ${signal} we sent, field by field`, () => {
      const ours = canon(ofService(runs[compression]!.sent[signal], signal, service));
      const theirs = canon(ofService(collector.written(signal), signal, service));
      assert.equal(theirs, ours);
    });
  }

  test(`${compression}: spans — ids, tree, kinds, timestamps, attributes of every type, events, links, status, resource, scope`, () => {
    const { ids } = runs[compression]!;
    const [rs] = ofService(collector.written("traces"), "traces", service);
    const resource = attrsOf(rs.resource.attributes);
    assert.equal(resource["service.version"], { stringValue: "1.2.3" });
    assert.equal(resource["host.cpu.count"], { intValue: "2" });
    assert.equal(resource["sample.ratio"], { doubleValue: 0.25 });
    assert.equal(resource["feature.on"], { boolValue: true });
    const ss = rs.scopeSpans[0];
    assert.equal(ss.scope, { name: "backends.scope", version: "4.5.6" });
    assert.is(ss.schemaUrl, "https://opentelemetry.io/schemas/1.26.0");
    const spans = Object.fromEntries(ss.spans.map((s: any) => [s.name, s]));
    const root = spans["GET /orders/{id}"];
    assert.is(root.traceId, ids.trace);
    assert.is(root.spanId, ids.root);
    assert.is(root.parentSpanId, undefined);
    assert.is(root.kind, 2);
    assert.is(root.startTimeUnixNano, T0.toString());
    assert.is(root.endTimeUnixNano, (T0 + 9_000_000n).toString());
    // W3C trace flags in the low byte: sampled (and random, Trace Context Level 2, bit 1).
    assert.is(root.flags & 0x01, 1, "sampled flag");
    const a = attrsOf(root.attributes);
    assert.equal(a.str, { stringValue: "text é € 😀 \"quoted\"\n" });
    assert.equal(a.int, { intValue: "42" });
    assert.equal(a["int.neg"], { intValue: "-7" });
    assert.equal(a["int.big"], { intValue: "9007199254740991" });
    assert.equal(a.double, { doubleValue: 3.25 });
    assert.equal(a["bool.true"], { boolValue: true });
    assert.equal(a["bool.false"], { boolValue: false });
    assert.equal(a["str.array"], { arrayValue: { values: [{ stringValue: "a" }, { stringValue: "" }, { stringValue: "c" }] } });
    assert.equal(a["int.array"], { arrayValue: { values: [{ intValue: "1" }, { intValue: "2" }, { intValue: "3" }] } });
    assert.equal(a["double.array"], { arrayValue: { values: [{ doubleValue: 1.5 }, { doubleValue: -2.5 }] } });
    assert.equal(a["bool.array"], { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } });
    assert.equal(a["http.response.status_code"], { intValue: "500" });
    assert.equal(root.events, [{ timeUnixNano: (T0 + 1_000_000n).toString(), name: "cache miss", attributes: [{ key: "cache.key", value: { stringValue: "orders:1" } }, { key: "cache.size", value: { intValue: "10" } }] }]);
    assert.is(root.links.length, 1);
    assert.is(root.links[0].traceId, ids.linked.traceId);
    assert.is(root.links[0].spanId, ids.linked.spanId);
    assert.equal(attrsOf(root.links[0].attributes), { "link.kind": { stringValue: "follows" } });
    const child = spans["SELECT orders"];
    assert.is(child.traceId, ids.trace);
    assert.is(child.spanId, ids.child);
    assert.is(child.parentSpanId, ids.root);
    assert.is(child.kind, 3);
    assert.equal(child.status, { code: 2, message: "query failed" });
    const exception = child.events.find((e: any) => e.name === "exception");
    assert.is(exception.timeUnixNano, (T0 + 3_000_000n).toString());
    assert.equal(attrsOf(exception.attributes)["exception.type"], { stringValue: "TypeError" });
    assert.equal(attrsOf(exception.attributes)["exception.message"], { stringValue: "connection reset" });
    assert.is(spans.render.kind, 1);
    assert.is(spans.consume.kind, 5);
    assert.equal(spans.consume.status, { code: 1 });
    assert.is(spans["linked producer"].kind, 4);
  });

  test(`${compression}: metrics — every instrument kind, ${compression === "gzip" ? "delta" : "cumulative"} temporality, values, buckets, exemplars`, () => {
    const { ids } = runs[compression]!;
    const temporality = compression === "gzip" ? 1 : 2;
    const metrics = ofService(collector.written("metrics"), "metrics", service).flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics.map((m: any) => ({ ...m, scope: sm.scope }))));
    // The first export of each metric (shutdown exports once more: in delta, an observable
    // counter that did not move then reports 0, as it should).
    const by: Record<string, any> = {};
    for (const m of metrics) by[m.name] ??= m;
    assert.equal(by["orders.placed"].scope, { name: "backends.meter", version: "7.8.9" });
    assert.is(by["orders.placed"].unit, "{order}");
    assert.is(by["orders.placed"].description, "Orders placed");
    const placed = by["orders.placed"].sum;
    assert.is(placed.isMonotonic, true);
    assert.is(placed.aggregationTemporality, temporality);
    assert.is(placed.dataPoints[0].asInt, "3");
    assert.equal(attrsOf(placed.dataPoints[0].attributes), { route: { stringValue: "/orders/{id}" }, ok: { boolValue: false } });
    assert.is(by["bytes.sent"].sum.dataPoints[0].asDouble, 1.5);
    assert.is(by["queue.depth"].sum.isMonotonic, undefined);
    assert.is(by["queue.depth"].sum.dataPoints[0].asInt, "-4");
    assert.is(by.temperature.gauge.dataPoints[0].asDouble, 21.5);
    const h = by["http.server.request.duration"].histogram;
    assert.is(h.aggregationTemporality, temporality);
    const hp = h.dataPoints[0];
    assert.is(hp.count, "4");
    assert.ok(Math.abs(hp.sum - 2.55) < 1e-9, String(hp.sum));
    assert.equal(hp.explicitBounds, [0.1, 0.5, 1]);
    assert.equal(hp.bucketCounts, ["1", "2", "0", "1"]);
    assert.is(hp.min, 0.05);
    assert.is(hp.max, 2);
    assert.ok(hp.exemplars?.length >= 1, "histogram exemplars");
    for (const e of hp.exemplars) {
      assert.is(e.traceId, ids.trace);
      assert.is(e.spanId, ids.root);
      assert.ok([0.05, 0.2, 0.3, 2].includes(e.asDouble));
    }
    const ep = by["exp.latency"].exponentialHistogram.dataPoints[0];
    assert.is(ep.count, "4");
    assert.is(ep.sum, 1007);
    // proto3 JSON leaves out a zero scale.
    assert.ok(Number.isInteger(ep.scale ?? 0) && ep.positive.bucketCounts.length <= 20, JSON.stringify(ep));
    assert.is(ep.positive.bucketCounts.reduce((n: number, c: string) => n + Number(c), 0), 4);
    const sp = by["summary.latency"].summary.dataPoints[0];
    assert.is(sp.count, "4");
    assert.is(sp.sum, 10);
    assert.equal(sp.quantileValues.map((q: any) => q.quantile), [0.5, 0.9]);
    assert.is(by["cpu.time"].sum.isMonotonic, true);
    assert.is(by["cpu.time"].sum.dataPoints[0].asDouble, 12.5);
    assert.is(by.connections.sum.dataPoints[0].asInt, "7");
    assert.is(by["memory.usage"].gauge.dataPoints[0].asInt, "1024");
  });

  test(`${compression}: logs — bodies of every shape, severities, event name, trace correlation, attributes`, () => {
    const { ids } = runs[compression]!;
    const records = ofService(collector.written("logs"), "logs", service).flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords.map((r: any) => ({ ...r, scope: sl.scope }))));
    assert.is(records.length, 4);
    const [plain, structured, list, friendly] = records;
    assert.equal(plain.scope, { name: "backends.logger", version: "1.0.0" });
    assert.equal(plain.body, { stringValue: "plain message" });
    assert.is(plain.severityNumber, 9);
    assert.is(plain.severityText, "INFO");
    assert.is(plain.timeUnixNano, (T0 + 1_500_000n).toString());
    assert.ok(BigInt(plain.observedTimeUnixNano) > 0n);
    assert.is(plain.traceId, ids.trace);
    assert.is(plain.spanId, ids.root);
    assert.is(plain.flags & 0x01, 1);
    assert.equal(attrsOf(plain.attributes).nested, {
      kvlistValue: {
        values: [
          { key: "list", value: { arrayValue: { values: [{ intValue: "1" }, { stringValue: "two" }, { boolValue: true }, {}] } } },
          { key: "map", value: { kvlistValue: { values: [{ key: "k", value: { doubleValue: 2.5 } }] } } },
        ],
      },
    });
    assert.equal(structured.body, { kvlistValue: { values: [{ key: "event", value: { stringValue: "structured" } }, { key: "count", value: { intValue: "2" } }, { key: "bytes", value: { bytesValue: "AAH+/w==" } }] } });
    assert.is(structured.severityNumber, 18);
    assert.is(structured.eventName, "order.failed");
    assert.is(structured.spanId, ids.child);
    assert.equal(list.body, { arrayValue: { values: [{ stringValue: "a" }, { intValue: "1" }] } });
    assert.is(list.severityNumber, 5);
    assert.is(list.traceId, undefined);
    assert.equal(friendly.body, { stringValue: "friendly warning" });
    assert.is(friendly.severityNumber, 13);
    assert.is(friendly.traceId, ids.trace);
    assert.equal(attrsOf(friendly.attributes).retry, { intValue: "2" });
  });
}

test("the Collector logged no warning or error", () => {
  assert.equal(collector.problems(), [], collector.log());
});

test.run();
