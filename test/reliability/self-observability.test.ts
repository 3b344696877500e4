// SDK self-observability: init({ parts: [selfObservability()] }) reports the SDK's queues and
// exports as metrics named as in the OpenTelemetry semantic conventions for SDK metrics, and
// sdk.stats() reports the same counters. Checked end to end: in the OTLP/JSON export a real
// collector stand-in receives, and in the Prometheus text output (parsed by promtool).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { init, selfObservability } from "../../mod.ts";
import { context } from "../../src/context/context-api.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { renderPrometheusText } from "../../src/export/prometheus/text-format.ts";
import { prometheusHandler } from "../../src/export/prometheus/handler.ts";
import { ManualMetricReader, type MetricReader } from "../../src/metrics/reader.ts";
import { PeriodicExportingMetricReader } from "../../src/metrics/periodic-reader.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { promtoolCheckMetrics } from "../../scripts/prometheus-tools.mjs";
import { VERSION } from "../../src/version.ts";
import { startFaultServer } from "./fault-server.ts";
import { measure } from "../../scripts/size.mjs";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

diag.setLogger({ error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.NONE);

type Point = { attributes: Record<string, unknown>; value: number };
interface Metric {
  name: string;
  unit: string;
  kind: "sum" | "histogram" | "gauge";
  monotonic?: boolean;
  temporality?: number;
  points: Point[];
}

// int64 attribute values arrive as decimal strings (proto3 JSON): compare them as numbers.
const flat = (attrs: Array<{ key: string; value: Record<string, unknown> }>) =>
  Object.fromEntries(attrs.map((a) => [a.key, "intValue" in a.value ? Number(a.value.intValue) : Object.values(a.value)[0]]));

/** The SDK metrics (scope otel-edge) of one OTLP/JSON metrics request, by name. */
function sdkMetrics(body: any): Map<string, Metric> {
  const out = new Map<string, Metric>();
  for (const rm of body.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      if (sm.scope.name !== "otel-edge") continue;
      for (const m of sm.metrics) {
        const data = m.sum ?? m.histogram ?? m.gauge;
        const kind = m.sum ? "sum" : m.histogram ? "histogram" : "gauge";
        out.set(m.name, {
          name: m.name,
          unit: m.unit,
          kind,
          monotonic: m.sum?.isMonotonic,
          temporality: data.aggregationTemporality,
          points: data.dataPoints.map((p: any) => ({ attributes: flat(p.attributes ?? []), value: Number(p.asInt ?? p.asDouble ?? p.count) })),
        });
      }
    }
  }
  return out;
}

function value(m: Metric | undefined, attrs: Record<string, unknown>): number | undefined {
  return m?.points.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v) && Object.keys(p.attributes).length === Object.keys(attrs).length)?.value;
}

test("self-observability metrics reach the collector over OTLP with the semantic-convention names, units and attributes", async () => {
  // Every trace export is partially rejected (1 span), every log export succeeds.
  const server = await startFaultServer((path) => (path === "/v1/traces" ? { kind: "partial", rejected: 1 } : { kind: "ok" }));
  try {
    const sdk = init({
      env: {},
      serviceName: "self-obs",
      parts: [selfObservability()],
      otlp: { endpoint: server.url, timeoutMillis: 2000 },
      batch: { maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMillis: 10_000, exportTimeoutMillis: 2000 },
      logBatch: { maxQueueSize: 50, maxExportBatchSize: 10, scheduledDelayMillis: 10_000, exportTimeoutMillis: 2000 },
      metricExportIntervalMillis: 60_000,
      metricExportTimeoutMillis: 2000,
    });
    const tracer = sdk.tracerProvider.getTracer("app");
    for (let i = 0; i < 5; i++) tracer.startSpan(`root-${i}`).end();
    // A child of a remote parent (extracted traceparent) and one still open.
    const remote = propagation.extract(context.active(), { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }, { get: (c: any, k) => c[k], keys: (c: any) => Object.keys(c) });
    tracer.startSpan("child-of-remote", {}, remote).end();
    const open = tracer.startSpan("still-open");
    const logger = sdk.loggerProvider.getLogger("app");
    for (let i = 0; i < 4; i++) logger.emit({ body: `log-${i}` });

    await sdk.flush(); // spans, logs (and a first metric export) go out
    await sdk.flush(); // this collection sees the finished span/log exports
    const last = server.on("/v1/metrics").at(-1)!;
    const m = sdkMetrics(last.body);
    const bsp = { "otel.component.type": "batching_span_processor", "otel.component.name": "batching_span_processor/0" };
    const blp = { "otel.component.type": "batching_log_processor", "otel.component.name": "batching_log_processor/0" };
    const srv = { "server.address": "127.0.0.1", "server.port": server.port };
    const spanExp = { "otel.component.type": "otlp_http_json_span_exporter", "otel.component.name": "otlp_http_json_span_exporter/0", ...srv };
    const logExp = { "otel.component.type": "otlp_http_json_log_exporter", "otel.component.name": "otlp_http_json_log_exporter/0", ...srv };
    const metricExp = { "otel.component.type": "otlp_http_json_metric_exporter", "otel.component.name": "otlp_http_json_metric_exporter/0", ...srv };

    const expectShape: Array<[string, string, Metric["kind"], boolean | undefined]> = [
      ["otel.sdk.span.live", "{span}", "sum", false],
      ["otel.sdk.span.started", "{span}", "sum", true],
      ["otel.sdk.processor.span.queue.size", "{span}", "sum", false],
      ["otel.sdk.processor.span.queue.capacity", "{span}", "sum", false],
      ["otel.sdk.processor.span.processed", "{span}", "sum", true],
      ["otel.sdk.exporter.span.inflight", "{span}", "sum", false],
      ["otel.sdk.exporter.span.exported", "{span}", "sum", true],
      ["otel.sdk.log.created", "{log_record}", "sum", true],
      ["otel.sdk.processor.log.queue.size", "{log_record}", "sum", false],
      ["otel.sdk.processor.log.queue.capacity", "{log_record}", "sum", false],
      ["otel.sdk.processor.log.processed", "{log_record}", "sum", true],
      ["otel.sdk.exporter.log.inflight", "{log_record}", "sum", false],
      ["otel.sdk.exporter.log.exported", "{log_record}", "sum", true],
      ["otel.sdk.exporter.metric_data_point.inflight", "{data_point}", "sum", false],
      ["otel.sdk.exporter.metric_data_point.exported", "{data_point}", "sum", true],
      ["otel.sdk.exporter.operation.duration", "s", "histogram", undefined],
      ["otel.sdk.metric_reader.collection.duration", "s", "histogram", undefined],
    ];
    for (const [name, unit, kind, monotonic] of expectShape) {
      const metric = m.get(name);
      assert.ok(metric, `${name} exported`);
      assert.is(metric!.unit, unit, `${name} unit`);
      assert.is(metric!.kind, kind, `${name} kind`);
      if (monotonic !== undefined) assert.is(metric!.monotonic, monotonic, `${name}: ${monotonic ? "Counter" : "UpDownCounter"}`);
    }

    assert.is(value(m.get("otel.sdk.span.live"), { "otel.span.sampling_result": "RECORD_AND_SAMPLE" }), 1, "one span still open");
    assert.is(value(m.get("otel.sdk.span.started"), { "otel.span.sampling_result": "RECORD_AND_SAMPLE", "otel.span.parent.origin": "none" }), 6, "otel.sdk.span.started { otel.span.sampling_result: RECORD_AND_SAMPLE, otel.span.parent.origin: none }");
    assert.is(value(m.get("otel.sdk.span.started"), { "otel.span.sampling_result": "RECORD_AND_SAMPLE", "otel.span.parent.origin": "remote" }), 1, "otel.sdk.span.started { otel.span.sampling_result: RECORD_AND_SAMPLE, otel.span.parent.origin: remote }");
    assert.is(value(m.get("otel.sdk.processor.span.queue.capacity"), bsp), 100, "otel.sdk.processor.span.queue.capacity bsp");
    assert.is(value(m.get("otel.sdk.processor.span.queue.size"), bsp), 0, "otel.sdk.processor.span.queue.size bsp");
    assert.is(value(m.get("otel.sdk.processor.span.processed"), bsp), 6, "otel.sdk.processor.span.processed bsp");
    assert.is(value(m.get("otel.sdk.exporter.span.inflight"), spanExp), 0, "otel.sdk.exporter.span.inflight spanExp");
    assert.is(value(m.get("otel.sdk.exporter.span.exported"), spanExp), 5, "non-rejected spans count as exported");
    assert.is(value(m.get("otel.sdk.exporter.span.exported"), { ...spanExp, "error.type": "rejected" }), 1, "rejected spans count as failed");
    assert.is(value(m.get("otel.sdk.log.created"), {}), 4, "otel.sdk.log.created {}");
    assert.is(value(m.get("otel.sdk.processor.log.queue.capacity"), blp), 50, "otel.sdk.processor.log.queue.capacity blp");
    assert.is(value(m.get("otel.sdk.processor.log.processed"), blp), 4, "otel.sdk.processor.log.processed blp");
    assert.is(value(m.get("otel.sdk.exporter.log.exported"), logExp), 4, "otel.sdk.exporter.log.exported logExp");
    assert.ok(value(m.get("otel.sdk.exporter.metric_data_point.exported"), metricExp)! > 0, "the first metric export is counted");
    const duration = m.get("otel.sdk.exporter.operation.duration")!;
    assert.is(value(duration, { ...spanExp, "error.type": "rejected", "http.response.status_code": 200 }), 1, "one span export, partially rejected (not a full success)");
    assert.is(value(duration, { ...logExp, "http.response.status_code": 200 }), 1, "one log export, full success: no error.type");
    // The periodic reader's first collection (the one this export carries is recorded after it
    // was taken): one successful collection, no error.type.
    const collection = m.get("otel.sdk.metric_reader.collection.duration")!;
    const reader = { "otel.component.type": "periodic_metric_reader", "otel.component.name": "periodic_metric_reader/0" };
    assert.equal(collection.points.map((p) => [p.attributes, p.value]), [[reader, 1]]);

    // sdk.stats() reports the same counters.
    const s = sdk.stats();
    assert.equal(
      { exported: s.traces.exported, failed: s.traces.failedByReason, capacity: s.traces.capacity },
      { exported: 5, failed: { rejected: 1 }, capacity: 100 },
    );
    assert.equal({ exported: s.logs.exported, capacity: s.logs.capacity, queued: s.logs.queued }, { exported: 4, capacity: 50, queued: 0 });
    open.end();
    await sdk.shutdown();
  } finally {
    await server.close();
  }
});

test("self-observability metrics in Prometheus text: names, unit suffixes, labels, and promtool accepts them", async () => {
  const reader = new ManualMetricReader();
  const sdk = init({
    env: {},
    serviceName: "self-obs-prom",
    parts: [selfObservability()],
    traceExporter: { export: async () => ({ code: 1, errorType: "503" }), shutdown: async () => {} },
    logExporter: "none",
    metricExporter: "none",
    metricReaders: [reader],
    batch: { maxQueueSize: 8, maxExportBatchSize: 4, scheduledDelayMillis: 10_000, exportTimeoutMillis: 1000 },
  });
  const tracer = sdk.tracerProvider.getTracer("app");
  for (let i = 0; i < 20; i++) tracer.startSpan(`s${i}`).end(); // 4 in flight + 8 queued; 8 dropped
  await sdk.flush();
  const { resourceMetrics } = await reader.collect();
  const text = renderPrometheusText([resourceMetrics]);
  const proc = 'otel_component_name="batching_span_processor/0",otel_component_type="batching_span_processor"';
  // A user exporter object literal: otel.component.type falls back to "span_exporter".
  const exp = 'otel_component_name="span_exporter/0",otel_component_type="span_exporter"';
  // Every sample also carries the scope labels (otel_scope_name/version), rendered last.
  const scopeLabels = `otel_scope_name="otel-edge",otel_scope_version="${VERSION}"`;
  const has = (line: string) => {
    const withScope = line.startsWith("#") ? line : line.replace(/\}( [^ ]+)$/, `,${scopeLabels}}$1`).replace(/^([a-z_]+) /, `$1{${scopeLabels}} `);
    assert.ok(text.split("\n").includes(withScope), `missing: ${withScope}\n${text}`);
  };
  has("# TYPE otel_sdk_processor_span_queue_capacity gauge");
  has(`otel_sdk_processor_span_queue_capacity{${proc}} 8`);
  has(`otel_sdk_processor_span_queue_size{${proc}} 0`);
  has("# TYPE otel_sdk_processor_span_processed_total counter");
  has(`otel_sdk_processor_span_processed_total{${proc}} 12`);
  has(`otel_sdk_processor_span_processed_total{error_type="queue_full",${proc}} 8`);
  has(`otel_sdk_exporter_span_exported_total{${exp}} 0`);
  has(`otel_sdk_exporter_span_exported_total{error_type="503",${exp}} 12`);
  has('otel_sdk_span_started_total{otel_span_parent_origin="none",otel_span_sampling_result="RECORD_AND_SAMPLE"} 20');
  has("# TYPE otel_sdk_exporter_operation_duration_seconds histogram");
  assert.match(text, /otel_sdk_exporter_operation_duration_seconds_count\{error_type="503",otel_component_name="span_exporter\/0",otel_component_type="span_exporter",otel_scope_name="otel-edge",[^}]*\} 3\n/);
  const { code, output } = await promtoolCheckMetrics(text);
  assert.is(code, 0, output);
  assert.is(output.trim(), "", output);
  const s = sdk.stats().traces;
  assert.equal({ dropped: s.droppedByReason, failed: s.failedByReason, queued: s.queued }, { dropped: { queue_full: 8 }, failed: { "503": 12 }, queued: 0 });
  await sdk.shutdown();
});

test("collection duration in a Prometheus scrape (the handler's own reader): histogram in seconds per reader, promtool accepts it", async () => {
  const sdk = init({ env: {}, serviceName: "self-obs-scrape", parts: [selfObservability()], traceExporter: "none", logExporter: "none", metricExporter: "none" });
  // A callback that throws does not fail a collection: the other instruments are complete.
  sdk.meterProvider.getMeter("app").createObservableGauge("app.broken").addCallback(() => {
    throw new Error("callback failed");
  });
  const scrape = prometheusHandler(sdk);
  const first = await (await scrape(new Request("http://127.0.0.1/metrics"))).text();
  assert.not.match(first, /otel_sdk_metric_reader_collection_duration/, "recorded after a collection: the first scrape cannot contain itself");
  const text = await (await scrape(new Request("http://127.0.0.1/metrics"))).text();
  const labels = `otel_component_name="manual_metric_reader/0",otel_component_type="manual_metric_reader",otel_scope_name="otel-edge",otel_scope_version="${VERSION}"`;
  const lines = text.split("\n");
  assert.ok(lines.includes("# TYPE otel_sdk_metric_reader_collection_duration_seconds histogram"), text);
  assert.ok(lines.includes("# HELP otel_sdk_metric_reader_collection_duration_seconds The duration of the collect operation of the metric reader."), text);
  assert.ok(lines.includes(`otel_sdk_metric_reader_collection_duration_seconds_count{${labels}} 1`), text);
  assert.ok(lines.includes(`otel_sdk_metric_reader_collection_duration_seconds_bucket{${labels},le="+Inf"} 1`), text);
  assert.not.match(text, /collection_duration_seconds_count\{error_type/, "no error.type: the throwing callback did not fail the collection");
  const { code, output } = await promtoolCheckMetrics(text);
  assert.is(code, 0, output);
  assert.is(output.trim(), "", output);
  await sdk.shutdown();
});

test("otel.component.type of each reader: the console reader, a user's PeriodicExportingMetricReader, the Prometheus handler's, a reader class of the user's own", async () => {
  // A reader of the user's own, without componentType: its class name is not used (minified in bundles).
  class OwnReader implements MetricReader {
    readonly inner = new ManualMetricReader();
    selectAggregationTemporality: MetricReader["selectAggregationTemporality"] = (t) => this.inner.selectAggregationTemporality(t);
    setMetricProducer: MetricReader["setMetricProducer"] = (p) => this.inner.setMetricProducer(p);
    collect: MetricReader["collect"] = (o) => this.inner.collect(o);
    forceFlush = (): Promise<void> => Promise.resolve();
    shutdown = (): Promise<void> => this.inner.shutdown();
  }
  const own = new OwnReader();
  const userPeriodic = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(), exportIntervalMillis: 60_000 });
  const log = console.log;
  console.log = () => {}; // the console metric exporter prints
  try {
    const sdk = init({
      env: {},
      serviceName: "self-obs-readers",
      parts: [selfObservability()],
      traceExporter: "none",
      logExporter: "none",
      metricExporter: "console",
      metricExportIntervalMillis: 60_000,
      metricReaders: [userPeriodic, own],
    });
    const scrape = prometheusHandler(sdk);
    await sdk.flush(); // the console reader and the user's periodic reader collect
    await scrape(new Request("http://127.0.0.1/metrics"));
    await own.collect();
    const { resourceMetrics } = await own.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((mt) => mt.descriptor.name === "otel.sdk.metric_reader.collection.duration");
    const types = (metric?.dataPoints ?? []).map((p) => [p.attributes["otel.component.type"], p.attributes["otel.component.name"]]);
    types.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assert.equal(types, [
      ["manual_metric_reader", "manual_metric_reader/0"],
      ["metric_reader", "metric_reader/0"],
      ["periodic_metric_reader", "periodic_metric_reader/0"],
      ["periodic_metric_reader", "periodic_metric_reader/1"],
    ]);
    await sdk.shutdown();
  } finally {
    console.log = log;
  }
});

test("reader component types survive minification (a browser bundle would otherwise report mangled class names)", async () => {
  // Bundled as a user's bundler would (esbuild --minify, scripts/size.mjs), then run in node.
  const program = `
    import { init, selfObservability, ManualMetricReader, PeriodicExportingMetricReader, InMemoryMetricExporter } from "./mod.ts";
    const manual = new ManualMetricReader();
    const periodic = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(), exportIntervalMillis: 60000 });
    const sdk = init({ env: {}, parts: [selfObservability()], traceExporter: "none", logExporter: "none", metricExporter: "none", metricReaders: [periodic, manual] });
    await sdk.flush();
    await manual.collect();
    const { resourceMetrics } = await manual.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((m) => m.descriptor.name === "otel.sdk.metric_reader.collection.duration");
    console.log(JSON.stringify(metric.dataPoints.map((p) => p.attributes["otel.component.type"]).sort()));
    await sdk.shutdown();
  `;
  const { code } = await measure(program);
  const source = new TextDecoder().decode(code);
  assert.not.match(source, /class ManualMetricReader/, "the bundle is minified");
  const dir = await mkdtemp(join(tmpdir(), "otel-edge-minified-"));
  try {
    const file = join(dir, "program.mjs");
    await writeFile(file, code);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [file], { timeout: 30_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
    });
    assert.equal(JSON.parse(stdout.trim()), ["manual_metric_reader", "periodic_metric_reader"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a collection whose callbacks outlive the collect timeout is recorded with error.type=timeout", async () => {
  const reader = new ManualMetricReader();
  const sdk = init({
    env: {},
    serviceName: "self-obs-timeout",
    parts: [selfObservability()],
    traceExporter: "none",
    logExporter: "none",
    metricExporter: { export: async () => ({ code: 0 }), shutdown: async () => {} },
    metricExportIntervalMillis: 60_000,
    metricExportTimeoutMillis: 50, // the periodic reader's collect timeout
    metricReaders: [reader],
  });
  let hang = true;
  sdk.meterProvider.getMeter("app").createObservableGauge("app.slow").addCallback((r) => (hang ? new Promise<void>(() => {}) : r.observe(1)));
  await sdk.flush(); // the periodic reader's collection times out
  hang = false;
  // The timed-out collection is recorded when its callbacks' time limit ends (not before the
  // flush's own limit, which may come first): collect until it shows (bounded).
  const collectionPoints = async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((mt) => mt.descriptor.name === "otel.sdk.metric_reader.collection.duration");
    return (metric?.dataPoints ?? []).map((p) => ({ attributes: { ...p.attributes } as Record<string, unknown>, count: (p.value as { count: number }).count }));
  };
  let points = await collectionPoints();
  for (let i = 0; i < 200 && !points.some((p) => p.attributes["error.type"] === "timeout"); i++) {
    await new Promise((r) => setTimeout(r, 10));
    points = await collectionPoints();
  }
  points = await collectionPoints(); // now also holds the manual reader's earlier collections
  const metric = points.find((p) => p.attributes["error.type"] === "timeout");
  assert.equal(metric, { attributes: { "otel.component.type": "periodic_metric_reader", "otel.component.name": "periodic_metric_reader/0", "error.type": "timeout" }, count: 1 }, JSON.stringify(points));
  // The manual reader's own collections succeeded: no error.type.
  const manual = points.find((p) => p.attributes["otel.component.type"] === "manual_metric_reader");
  assert.equal(Object.keys(manual!.attributes).sort(), ["otel.component.name", "otel.component.type"]);
  await sdk.shutdown();
});

test("off by default: no otel.sdk.* metrics, and stats() still works", async () => {
  const reader = new ManualMetricReader();
  const sdk = init({ env: {}, serviceName: "plain", traceExporter: "none", logExporter: "none", metricExporter: "none", metricReaders: [reader] });
  sdk.tracerProvider.getTracer("t").startSpan("x").end();
  const { resourceMetrics } = await reader.collect();
  assert.is(resourceMetrics.scopeMetrics.filter((s) => s.scope.name === "otel-edge").length, 0);
  assert.equal(sdk.stats().traces, { queued: 0, capacity: 0, inFlight: 0, exported: 0, dropped: 0, failed: 0, droppedByReason: {}, failedByReason: {} });
  await sdk.shutdown();
});

test("otel.component.type of a user's exporter: its componentType field, else its class name (semconv), else span_exporter", async () => {
  const ok = async () => ({ code: 0 as const });
  class QueueSpanExporter {
    export = ok;
    shutdown = async (): Promise<void> => {};
  }
  const cases: Array<[unknown, string]> = [
    [{ componentType: "queue_span_exporter", export: ok, shutdown: async () => {} }, "queue_span_exporter"],
    [new QueueSpanExporter(), "QueueSpanExporter"],
    [{ export: ok, shutdown: async () => {} }, "span_exporter"],
  ];
  for (const [exporter, expected] of cases) {
    const reader = new ManualMetricReader();
    const sdk = init({ env: {}, serviceName: "self-obs-exporter-type", parts: [selfObservability()], traceExporter: exporter as never, logExporter: "none", metricExporter: "none", metricReaders: [reader] });
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((mt) => mt.descriptor.name === "otel.sdk.exporter.span.inflight");
    assert.equal([...new Set((metric?.dataPoints ?? []).map((p) => p.attributes["otel.component.type"]))], [expected]);
    await sdk.shutdown();
  }
});

test.run();
