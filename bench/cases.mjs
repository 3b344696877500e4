// Case definitions for the side-by-side benchmarks (issue 8). Each case has contenders;
// each contender's `setup()` builds its SDK the same way as the others (same attributes,
// same sampler, same no-op or in-memory processor/reader, same number of series) and
// returns `{ op }` (sync: one operation per call, `i` is the call index) or
// `{ asyncOp }` (awaited once per call). `bench/worker.mjs` times it in a fresh process.
//
// Our SDK is imported from the BUILT package (`dist/`), the way users get it. The official
// contenders are the 3.x line pinned in bench/incumbents/official/ (its `engines`: node >= 22.15;
// `bench/run.mjs` runs the workers on Node 22 when scripts/node-lines.mjs has installed it).
// prom-client comes from bench/package.json.
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";

const officialDir = new URL("incumbents/official/node_modules/", import.meta.url);

/**
 * Imports `name` from bench/incumbents/official/ as Node's ESM resolver would from that folder:
 * the `exports["."]` entry under the `import` / `default` conditions (the ESM build), else `main`.
 * A bare `import()` from here would find bench/node_modules (the 2.x line) instead.
 */
export function importOfficial(name) {
  const dir = new URL(`${name}/`, officialDir);
  const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
  let entry = typeof pkg.exports === "string" || pkg.exports?.["."] === undefined ? pkg.exports : pkg.exports["."];
  while (entry && typeof entry === "object") entry = entry.import ?? entry.node ?? entry.default;
  return import(new URL(entry ?? pkg.main ?? "index.js", dir).href);
}

// `bench/run.mjs` points OTEL_EDGE_DIST at a snapshot of dist/ so a concurrent rebuild cannot
// pull the files away mid-run.
const dist = process.env.OTEL_EDGE_DIST ?? new URL("../dist/", import.meta.url).href;
const ours = () => import(new URL("mod.js", dist).href);
const oursProm = () => import(new URL("prometheus.js", dist).href);

/** The same five span attributes on both sides (a literal per call, as user code writes it). */
const spanAttrs = (i) => ({
  "http.request.method": "GET",
  "http.route": "/api/items/:id",
  "http.response.status_code": 200,
  "server.address": "api.example.com",
  "retry": (i & 1) === 0,
});

/** Three metric attributes; 4 methods × 1 route × 2 statuses = 8 series. Label-name safe for prom-client. */
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const metricAttrs = (i) => ({ method: METHODS[i & 3], route: "/api/items", status: (i & 4) === 0 ? 200 : 500 });
/** OTel's default explicit histogram boundaries (spec), given to prom-client too so both keep 16 buckets. */
const OTEL_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

const noopSpanProcessor = () => ({ onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} });
const noopLogProcessor = () => ({ onEmit() {}, forceFlush: async () => {}, shutdown: async () => {} });

async function oursTracer(sampler, processor = noopSpanProcessor()) {
  const m = await ours();
  const provider = new m.BasicTracerProvider({ sampler: sampler === "off" ? new m.AlwaysOffSampler() : new m.AlwaysOnSampler(), spanProcessors: [processor] });
  return { m, tracer: provider.getTracer("bench") };
}

async function officialTracer(sampler, processor = noopSpanProcessor()) {
  // 3.x: `TracerProvider` of @opentelemetry/sdk-trace (2.x: `BasicTracerProvider` of sdk-trace-base).
  const sdk = await importOfficial("@opentelemetry/sdk-trace");
  const provider = new sdk.TracerProvider({
    sampler: sampler === "off" ? new sdk.AlwaysOffSampler() : new sdk.AlwaysOnSampler(),
    spanProcessors: [processor],
  });
  return { sdk, tracer: provider.getTracer("bench") };
}

/** 512 finished spans with 8 attributes and 1 event each, kept by an in-memory processor. */
function makeSpans(tracer) {
  const spans = [];
  const keep = spans;
  for (let i = 0; i < 512; i++) {
    const span = tracer.startSpan(`GET /api/items/${i % 16}`, {
      kind: 1,
      attributes: {
        ...spanAttrs(i),
        "user.id": `user-${i}`,
        "db.rows": i * 3,
        "cache.hit_ratio": 0.75,
      },
    });
    span.addEvent("cache.miss", { "cache.key": `item:${i}` });
    span.end();
    keep.push(span);
  }
  return spans;
}

export const cases = {
  "span": {
    title: "1. Span start + end, 5 attributes, always-on sampler, no-op processor",
    measures: "`tracer.startSpan(name, { attributes: {5 attributes} }).end()` per op; AlwaysOn sampler, a processor whose onStart/onEnd do nothing.",
    unit: "ns/op",
    target: { vs: "official", ratio: 1 / 5, text: "≥ 5× faster than official" },
    why: "Profile of ours (`node --cpu-prof bench/worker.mjs span ours`, self time): the two clock readings (`performance.now()` at start and end, Node's perf_hooks brand check included) ~24%; the two random ids (refilling the 16 KiB random block, its hex text, the slices) ~20%; the attribute copy (object spread, then a check of every value) ~18%; `startSpan` and the span object ~27%. Instructions per op (`bench/icount.mjs` under callgrind): ours ~4,700, official ~17,100. The clock and the ids are paid on both sides and bound the ratio; ids are generated eagerly for recording spans because every exporting processor reads them in `onEnd` (deferring them would only move the cost out of this no-op-processor case).",
    contenders: {
      ours: async () => {
        const { tracer } = await oursTracer("on");
        return { op: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
      },
      official: async () => {
        const { tracer } = await officialTracer("on");
        return { op: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
      },
    },
  },
  "parent-child": {
    title: "2. Parent + child through the active context (AsyncLocalStorage)",
    measures: "`startActiveSpan(parent, p => { startSpan(child).end(); p.end() })` per op, context kept in an AsyncLocalStorage context manager on both sides (ours: `AsyncLocalStorageContextManager`; official: `@opentelemetry/context-async-hooks`), AlwaysOn, no-op processor.",
    unit: "ns/pair",
    target: { vs: "official", ratio: 1 / 4, text: "≥ 4× faster than official" },
    contenders: {
      ours: async () => {
        const { m, tracer } = await oursTracer("on");
        m.context.setGlobalContextManager(new m.AsyncLocalStorageContextManager(AsyncLocalStorage));
        const child = () => tracer.startSpan("child").end();
        return { op: () => tracer.startActiveSpan("parent", (p) => { child(); p.end(); }) };
      },
      official: async () => {
        const api = await importOfficial("@opentelemetry/api");
        const { AsyncLocalStorageContextManager } = await importOfficial("@opentelemetry/context-async-hooks");
        api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        const { tracer } = await officialTracer("on");
        const child = () => tracer.startSpan("child").end();
        return { op: () => tracer.startActiveSpan("parent", (p) => { child(); p.end(); }) };
      },
    },
  },
  "sampled-out": {
    title: "3. Sampled-out span",
    measures: "`tracer.startSpan(name, { attributes: {5 attributes} }).end()` with the AlwaysOff sampler on both sides (a non-recording span).",
    unit: "ns/op",
    target: { vs: "official", ratio: 1 / 10, text: "≥ 10× faster than official" },
    contenders: {
      ours: async () => {
        const { tracer } = await oursTracer("off");
        return { op: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
      },
      official: async () => {
        const { tracer } = await officialTracer("off");
        return { op: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
      },
    },
  },
  "otlp-encode": {
    title: "4. OTLP/JSON encoding of 512 finished spans (8 attributes, 1 event each)",
    measures: "One export body per op, as UTF-8 bytes (what goes on the wire), encoded from scratch every op: ours = `encodeTracesBytes(spans)`, the function the OTLP trace exporter sends with (it writes the UTF-8 JSON straight into one `Uint8Array`, src/export/otlp/json-writer.ts; what is kept across calls is only bytes that do not depend on the spans: one `{\"key\":..,\"value\":{\"stringValue\":` prefix per attribute key, as the string encoder kept key prefixes); official = `JsonTraceSerializer.serializeRequest(spans)` from otlp-transformer (which returns bytes itself); reference = `JSON.stringify` of the equivalent plain OTLP object (our body parsed back) + `TextEncoder.encode`. Spans come from each side's own SDK with the same names, attributes and events.",
    unit: "µs/batch",
    scale: 1e-3,
    target: [
      { vs: "official", ratio: 1 / 2, text: "≥ 2× faster than official" },
      { vs: "JSON.stringify", ratio: 1.2, text: "≤ 1.2× JSON.stringify reference" },
    ],
    contenders: {
      ours: async () => {
        const spans = [];
        const { m, tracer } = await oursTracer("on", { ...noopSpanProcessor(), onEnd: (s) => spans.push(s) });
        makeSpans(tracer);
        return { op: () => m.encodeTracesBytes(spans) };
      },
      official: async () => {
        const spans = [];
        const { JsonTraceSerializer } = await importOfficial("@opentelemetry/otlp-transformer");
        const { tracer } = await officialTracer("on", { ...noopSpanProcessor(), onEnd: (s) => spans.push(s) });
        makeSpans(tracer);
        return { op: () => JsonTraceSerializer.serializeRequest(spans) };
      },
      "JSON.stringify": async () => {
        const spans = [];
        const { m, tracer } = await oursTracer("on", { ...noopSpanProcessor(), onEnd: (s) => spans.push(s) });
        makeSpans(tracer);
        const plain = JSON.parse(m.encodeTraces(spans));
        const te = new TextEncoder();
        return { op: () => te.encode(JSON.stringify(plain)) };
      },
    },
  },
  "counter": {
    title: "5a. `counter.add(1, 3 attributes)`",
    measures: "One add per op with a fresh 3-attribute literal cycling over 8 series; one cumulative in-memory/manual reader registered (ours: `ManualMetricReader`; official: a `MetricReader` subclass that never exports); prom-client: `Counter.inc(labels, 1)` with the same 3 label names.",
    unit: "ns/op",
    target: [
      { vs: "official", ratio: 1 / 10, text: "≥ 10× faster than official" },
      { vs: "prom-client", ratio: 1 / 2, text: "≥ 2× faster than prom-client" },
    ],
    contenders: {
      ours: async () => {
        const m = await ours();
        const provider = new m.MeterProvider({ readers: [new m.ManualMetricReader()] });
        const c = provider.getMeter("bench").createCounter("requests");
        return { op: (i) => c.add(1, metricAttrs(i)) };
      },
      official: async () => {
        const c = (await officialMeter()).createCounter("requests");
        return { op: (i) => c.add(1, metricAttrs(i)) };
      },
      "prom-client": async () => {
        const prom = await import("prom-client");
        const c = new prom.Counter({ name: "requests", help: "requests", labelNames: ["method", "route", "status"], registers: [new prom.Registry()] });
        return { op: (i) => c.inc(metricAttrs(i), 1) };
      },
    },
  },
  "histogram": {
    title: "5b. `histogram.record(v, 3 attributes)`",
    measures: "One record per op, value cycling 0–999, same 3-attribute literals and 8 series as 5a, OTel default boundaries on all sides (prom-client given the same 15 boundaries via `buckets`).",
    unit: "ns/op",
    target: [
      { vs: "official", ratio: 1 / 8, text: "≥ 8× faster than official" },
      { vs: "prom-client", ratio: 1 / 3, text: "≥ 3× faster than prom-client" },
    ],
    contenders: {
      ours: async () => {
        const m = await ours();
        const provider = new m.MeterProvider({ readers: [new m.ManualMetricReader()] });
        const h = provider.getMeter("bench").createHistogram("latency");
        return { op: (i) => h.record(i % 1000, metricAttrs(i)) };
      },
      official: async () => {
        const h = (await officialMeter()).createHistogram("latency");
        return { op: (i) => h.record(i % 1000, metricAttrs(i)) };
      },
      "prom-client": async () => {
        const prom = await import("prom-client");
        const h = new prom.Histogram({ name: "latency", help: "latency", labelNames: ["method", "route", "status"], buckets: OTEL_BUCKETS, registers: [new prom.Registry()] });
        return { op: (i) => h.observe(metricAttrs(i), i % 1000) };
      },
    },
  },
  "prometheus": {
    title: "6. Prometheus text rendering of 1,000 series (10 families × 100 label sets)",
    measures: "One scrape per op: 5 counter families and 5 default-bucket histogram families, 100 label sets each, filled before timing. ours = `reader.collect()` + `renderPrometheusText`; prom-client = `registry.metrics()`; official = `reader.collect()` + `PrometheusSerializer.serialize` (exporter-prometheus). Text format 0.0.4 everywhere.",
    unit: "µs/scrape",
    scale: 1e-3,
    target: { vs: "prom-client", ratio: 1 / 2, text: "≥ 2× faster than prom-client" },
    contenders: {
      ours: async () => {
        const m = await ours();
        const { renderPrometheusText } = await oursProm();
        const reader = new m.ManualMetricReader({ temporality: "cumulative" });
        const meter = new m.MeterProvider({ readers: [reader] }).getMeter("bench");
        fillFamilies((n) => meter.createCounter(n), (n) => meter.createHistogram(n), (c, a) => c.add(1, a), (h, a, v) => h.record(v, a));
        return { asyncOp: async () => renderPrometheusText([(await reader.collect()).resourceMetrics]) };
      },
      "prom-client": async () => {
        const prom = await import("prom-client");
        const registry = new prom.Registry();
        const labelNames = ["route", "shard"];
        fillFamilies(
          (n) => new prom.Counter({ name: `${n}_total`, help: n, labelNames, registers: [registry] }),
          (n) => new prom.Histogram({ name: n, help: n, labelNames, buckets: OTEL_BUCKETS, registers: [registry] }),
          (c, a) => c.inc(a, 1),
          (h, a, v) => h.observe(a, v),
        );
        return { asyncOp: () => registry.metrics() };
      },
      official: async () => {
        const { PrometheusSerializer } = await importOfficial("@opentelemetry/exporter-prometheus");
        const { meter, reader } = await officialMeterWithReader();
        fillFamilies((n) => meter.createCounter(n), (n) => meter.createHistogram(n), (c, a) => c.add(1, a), (h, a, v) => h.record(v, a));
        const serializer = new PrometheusSerializer();
        return { asyncOp: async () => serializer.serialize((await reader.collect()).resourceMetrics) };
      },
    },
  },
  "log": {
    title: "7. Log record emit with 3 attributes",
    measures: "`logger.emit({ severityNumber: INFO, severityText: \"INFO\", body, attributes: {3 attributes} })` per op, a processor whose onEmit does nothing, on both sides.",
    unit: "ns/op",
    target: { vs: "official", ratio: 1 / 4, text: "≥ 4× faster than official" },
    contenders: {
      ours: async () => {
        const m = await ours();
        const logger = new m.LoggerProvider({ processors: [noopLogProcessor()] }).getLogger("bench");
        return { op: (i) => logger.emit(logRecord(i)) };
      },
      official: async () => {
        const { LoggerProvider } = await importOfficial("@opentelemetry/sdk-logs");
        const logger = new LoggerProvider({ processors: [noopLogProcessor()] }).getLogger("bench");
        return { op: (i) => logger.emit(logRecord(i)) };
      },
    },
  },
};

const logRecord = (i) => ({
  severityNumber: 9,
  severityText: "INFO",
  body: "request served",
  attributes: { "http.route": "/api/items", "http.response.status_code": 200, "user.id": (i & 1023) },
});

/** 10 families × 100 label sets: families 0–4 counters, 5–9 histograms. */
function fillFamilies(counter, histogram, add, record) {
  for (let f = 0; f < 10; f++) {
    const name = `bench_family_${f}`;
    const inst = f < 5 ? counter(name) : histogram(name);
    for (let s = 0; s < 100; s++) {
      const attrs = { route: `/api/r${s % 25}`, shard: String(s) };
      for (let k = 0; k < 3; k++) f < 5 ? add(inst, attrs) : record(inst, attrs, (s * 37 + k * 101) % 2000);
    }
  }
}

async function officialMeterWithReader() {
  const sdk = await importOfficial("@opentelemetry/sdk-metrics");
  // A reader that only collects on demand, like our ManualMetricReader (cumulative by default).
  class ManualReader extends sdk.MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const reader = new ManualReader();
  const provider = new sdk.MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter("bench"), reader };
}

async function officialMeter() {
  return (await officialMeterWithReader()).meter;
}

/** Case 8 (memory): how each contender makes one finished span that a processor then holds. */
export const memoryContenders = {
  ours: async () => {
    const held = [];
    const { tracer } = await oursTracer("on", { ...noopSpanProcessor(), onEnd: (s) => held.push(s) });
    return { held, make: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
  },
  official: async () => {
    const held = [];
    const { tracer } = await officialTracer("on", { ...noopSpanProcessor(), onEnd: (s) => held.push(s) });
    return { held, make: (i) => tracer.startSpan("GET /api/items/:id", { attributes: spanAttrs(i) }).end() };
  },
  "plain object": async () => {
    const { randomBytes } = await import("node:crypto");
    const held = [];
    const t0 = performance.timeOrigin;
    return {
      held,
      make: (i) => held.push({
        name: "GET /api/items/:id",
        kind: 0,
        traceId: randomBytes(16).toString("hex"),
        spanId: randomBytes(8).toString("hex"),
        traceFlags: 1,
        startTime: t0 + performance.now(),
        endTime: t0 + performance.now(),
        attributes: spanAttrs(i),
        status: { code: 0 },
        events: [],
        links: [],
      }),
    };
  },
};
