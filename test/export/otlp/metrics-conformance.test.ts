// Conformance of encodeMetrics against real peers:
//  1. the official OTLP protobuf schema (opentelemetry-proto compiled by protobufjs, as shipped
//     in @opentelemetry/otlp-transformer 0.208.0): our JSON → fromObject → encode → decode →
//     toObject must give back exactly our JSON (fromObject silently drops unknown fields and
//     coerces wrong types, so any such field would make the round trip differ), and verify()
//     must accept it;
//  2. the official JSON serializer (JsonMetricsSerializer) fed the same collection in the shape
//     @opentelemetry/sdk-metrics 2.2.0 produces: same request field by field, except the
//     documented differences (tested explicitly at the end).
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../../src/common/diag.ts";
import { toEpochNanos, toHrTime } from "../../../src/common/time.ts";
import { encodeMetrics } from "../../../src/export/otlp/metrics-encoder.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { DataPoint, ExponentialHistogramValue, HistogramValue, MetricData, ResourceMetrics } from "../../../src/metrics/types.ts";
import { exemplar, exponential, exponentialValue, gauge, histogram, histogramValue, point, sum, summary, TRACE } from "./metric-fixtures.ts";
import { assertRoundTrips, decodeMessage, idsToBase64, jsonToRuntime, normalize, REQUEST, roundTrip } from "./proto-roundtrip.ts";
import type { NormalizeRules, RuntimeKeys } from "./proto-roundtrip.ts";

const require = createRequire(import.meta.url);
const { JsonMetricsSerializer } = require("@opentelemetry/otlp-transformer");
// Transitive dependency of otlp-transformer: its enums give the official MetricData shape.
const { AggregationTemporality: OfficialTemporality, DataPointType } = require("@opentelemetry/sdk-metrics");
const Req = REQUEST.metrics;

diag.disable();

const RES_A: Resource = {
  attributes: { "service.name": "checkout", "service.instance.id": "i-1", "process.pid": 1234 },
  schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
};
const RES_B: Resource = { attributes: { "service.name": "worker", "cloud.region": "eu-west-1" } };
const SCOPE_HTTP = { name: "http", version: "2.1.0", schemaUrl: "https://opentelemetry.io/schemas/1.24.0" };
const SCOPE_DB = { name: "db" };
const OTHER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** Every metric kind the official serializer knows (no summary, no exemplars), both temporalities. */
function commonMetrics(): MetricData[] {
  return [
    sum("http.server.requests", [
      point(120, { attributes: { "http.route": "/checkout", "http.response.status_code": 200 } }),
      point(3, { attributes: { "http.route": "/checkout", "http.response.status_code": 500, "error.type": 'q"b\\n\n' } }),
    ], { valueType: 0, temporality: "cumulative", description: "Requests served", unit: "{request}" }),
    sum("queue.depth", [point(-4, { startTime: 1500, time: 2500.000001 })], { valueType: 0, temporality: "delta", isMonotonic: false }),
    sum("bytes.ratio", [point(0.25), point(0)], { valueType: 1, temporality: "delta" }),
    gauge("cpu.temperature", [point(61.5, { attributes: { core: 0 } }), point(-0.5, { attributes: { core: 1 } })]),
    gauge("open.files", [point(17)], 0),
    histogram("http.server.duration", [
      point(histogramValue(), { attributes: { "http.route": "/a" } }),
      point(histogramValue({ count: 0, sum: 0, min: undefined, max: undefined, bucketCounts: [0, 0, 0, 0] }), { attributes: { "http.route": "/b" } }),
      point(histogramValue({ count: 2, sum: 3, min: 1, max: 2, boundaries: [], bucketCounts: [2] }), { attributes: { "http.route": "/c" } }),
    ], "cumulative"),
    exponential("rpc.latency", [
      point(exponentialValue()),
      point(exponentialValue({ count: 2, sum: 6, min: 2, max: 4, scale: -2, zeroCount: 0, positive: { offset: 0, bucketCounts: [1, 1] }, negative: { offset: 0, bucketCounts: [] } })),
    ], "delta"),
  ];
}

/** Our collections: two resources, scopes with and without version and schemaUrl. */
function collections(withOurExtras: boolean): ResourceMetrics[] {
  const metrics = commonMetrics();
  const extras: MetricData[] = withOurExtras
    ? [
        summary("rpc.size", [point({ count: 10, sum: 55.5, quantiles: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 5 }, { quantile: 1, value: Infinity }] })]),
        gauge("with.exemplars", [
          point(2 ** 62, { exemplars: [exemplar(2 ** 62, { filteredAttributes: { "user.id": "u1" } }), exemplar(1, { traceId: OTHER_TRACE, spanId: "a3ce929d0e0e4736" })] }),
          point(NaN, { attributes: { nan: NaN, inf: -Infinity } }),
        ], 0),
        histogram("h.exemplars", [point(histogramValue({ sum: Infinity, max: Infinity }), { exemplars: [exemplar(0.5), exemplar(9, { spanId: "0000000000000000" })] })], "delta"),
        exponential("e.threshold", [point(exponentialValue({ zeroThreshold: 1e-12, min: -Infinity }), { exemplars: [exemplar(-2)] })], "cumulative"),
      ]
    : [];
  return [
    { resource: RES_A, scopeMetrics: [{ scope: SCOPE_HTTP, metrics: [...metrics.slice(0, 4), ...extras] }, { scope: SCOPE_DB, metrics: metrics.slice(4, 6) }] },
    { resource: RES_B, scopeMetrics: [{ scope: SCOPE_HTTP, metrics: metrics.slice(6) }] },
  ];
}

/** The 64-bit and double fields of metrics.proto, for verify(). */
const RUNTIME_KEYS: RuntimeKeys = {
  int64: new Set(["intValue", "asInt", "startTimeUnixNano", "timeUnixNano", "count", "zeroCount", "bucketCounts"]),
  double: new Set(["doubleValue", "asDouble", "sum", "min", "max", "zeroThreshold", "explicitBounds", "quantile", "value"]),
};

test("our JSON round-trips exactly through the official protobuf schema and verifies", () => {
  const ours = JSON.parse(encodeMetrics(collections(true)));
  assertRoundTrips(Req, idsToBase64(ours), RUNTIME_KEYS, 1000);
  // Every kind made it into the request (the round trip is not vacuous).
  const kinds = new Set<string>();
  for (const rm of ours.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const k of Object.keys(m)) kinds.add(k);
  for (const k of ["sum", "gauge", "histogram", "exponentialHistogram", "summary"]) assert.ok(kinds.has(k), k);
});

test("a tampered request does not round-trip (the check has teeth)", () => {
  const ours = idsToBase64(JSON.parse(encodeMetrics(collections(true))));
  const metric = (req: any, i: number): any => req.resourceMetrics[0].scopeMetrics[0].metrics[i];
  // A misspelled field is silently dropped by fromObject.
  const unknownField = structuredClone(ours);
  metric(unknownField, 0).sum.aggregation_temporality = 2;
  assert.not.equal(roundTrip(Req, unknownField), unknownField);
  // An enum written as a string is coerced.
  const enumName = structuredClone(ours);
  metric(enumName, 0).sum.aggregationTemporality = "AGGREGATION_TEMPORALITY_CUMULATIVE";
  assert.not.equal(roundTrip(Req, enumName), enumName);
  // Counts written as numbers come back as strings.
  const numericCount = structuredClone(ours);
  metric(numericCount, 0).sum.dataPoints[0].asInt = 120;
  assert.not.equal(roundTrip(Req, numericCount), numericCount);
  // A wrongly typed value fails verify().
  const wrongType = structuredClone(ours);
  metric(wrongType, 0).sum.isMonotonic = "true";
  assert.type(Req.verify(jsonToRuntime(wrongType, RUNTIME_KEYS)), "string");
  const wrongBuckets = structuredClone(ours);
  wrongBuckets.resourceMetrics[0].scopeMetrics[1].metrics[1].histogram.dataPoints[0].explicitBounds = ["1", "5", "10"];
  assert.type(Req.verify(jsonToRuntime(wrongBuckets, RUNTIME_KEYS)), "string");
});

test("decoded protobuf values match the source collections", () => {
  const source = collections(true);
  const message = decodeMessage(Req, idsToBase64(JSON.parse(encodeMetrics(source))));
  assert.is(message.resourceMetrics.length, 2);
  let compared = 0;
  source.forEach((rm, r) => {
    const drm = message.resourceMetrics[r];
    assert.is(drm.schemaUrl ?? "", rm.resource.schemaUrl ?? "");
    rm.scopeMetrics.forEach((sm, s) => {
      const dsm = drm.scopeMetrics[s];
      assert.is(dsm.scope.name, sm.scope.name);
      assert.is(dsm.scope.version ?? "", sm.scope.version ?? "");
      assert.is(dsm.schemaUrl ?? "", sm.scope.schemaUrl ?? "");
      sm.metrics.forEach((metric, m) => {
        const dm = dsm.metrics[m];
        assert.is(dm.name, metric.descriptor.name);
        assert.is(dm.description ?? "", metric.descriptor.description);
        assert.is(dm.unit ?? "", metric.descriptor.unit);
        assert.is(dm.data, metric.dataPointType);
        const data = dm[metric.dataPointType];
        if ("temporality" in metric) assert.is(data.aggregationTemporality, metric.temporality === "delta" ? 1 : 2);
        if (metric.dataPointType === "sum") assert.is(data.isMonotonic, metric.isMonotonic);
        assert.is(data.dataPoints.length, metric.dataPoints.length);
        (metric.dataPoints as ReadonlyArray<DataPoint<any>>).forEach((p, i) => {
          const dp = data.dataPoints[i];
          assert.is(dp.startTimeUnixNano.toString(), toEpochNanos(p.startTime));
          assert.is(dp.timeUnixNano.toString(), toEpochNanos(p.time));
          assert.is(dp.attributes.length, Object.keys(p.attributes).length);
          comparePoint(metric, p, dp);
          compared++;
        });
      });
    });
  });
  assert.ok(compared >= 15, String(compared));
});

function same(decoded: number, expected: number, what: string): void {
  if (Number.isNaN(expected)) assert.ok(Number.isNaN(decoded), what);
  else assert.is(decoded, expected, what);
}

function comparePoint(metric: MetricData, p: DataPoint<any>, dp: any): void {
  const int = metric.descriptor.valueType === 0;
  if (metric.dataPointType === "sum" || metric.dataPointType === "gauge") {
    if (int && Number.isInteger(p.value)) assert.is(dp.asInt.toString(), BigInt(p.value).toString(), metric.descriptor.name);
    else same(dp.asDouble, p.value, metric.descriptor.name);
  } else if (metric.dataPointType === "histogram") {
    const h = p.value as HistogramValue;
    assert.is(dp.count.toString(), String(h.count));
    same(dp.sum, h.sum, "sum");
    assert.equal(dp.bucketCounts.map(String), h.bucketCounts.map(String));
    assert.equal(dp.explicitBounds, h.boundaries);
    assert.is(dp.min ?? undefined, h.min);
    assert.is(dp.max ?? undefined, h.max);
  } else if (metric.dataPointType === "exponentialHistogram") {
    const e = p.value as ExponentialHistogramValue;
    assert.is(dp.count.toString(), String(e.count));
    assert.is(dp.zeroCount.toString(), String(e.zeroCount));
    assert.is(dp.scale, e.scale);
    same(dp.sum, e.sum, "sum");
    assert.is(dp.zeroThreshold ?? 0, e.zeroThreshold); // omitted at its default, 0
    assert.is(dp.positive.offset, e.positive.offset);
    assert.equal(dp.positive.bucketCounts.map(String), e.positive.bucketCounts.map(String));
    assert.is(dp.negative.offset, e.negative.offset);
    assert.equal(dp.negative.bucketCounts.map(String), e.negative.bucketCounts.map(String));
    assert.is(dp.min, e.min);
    assert.is(dp.max, e.max);
  } else {
    assert.is(dp.count.toString(), String(p.value.count));
    same(dp.sum, p.value.sum, "sum");
    assert.equal(dp.quantileValues.map((q: any) => [q.quantile, q.value]), p.value.quantiles.map((q: any) => [q.quantile, q.value]));
  }
  if (metric.dataPointType === "summary") return; // SummaryDataPoint has no exemplars
  assert.is(dp.exemplars.length, p.exemplars.length);
  p.exemplars.forEach((e, i) => {
    const de = dp.exemplars[i];
    assert.is(de.timeUnixNano.toString(), toEpochNanos(e.time));
    if (int) assert.is(de.asInt.toString(), BigInt(e.value).toString());
    else assert.is(de.asDouble, e.value);
    const valid = e.spanId !== "0000000000000000";
    const hex = (bytes: Uint8Array | null): string => (bytes ? Buffer.from(bytes).toString("hex") : "");
    assert.is(hex(de.traceId), valid ? e.traceId : "");
    assert.is(hex(de.spanId), valid ? e.spanId : "");
    assert.is(de.filteredAttributes.length, Object.keys(e.filteredAttributes).length);
  });
}

// ---- cross-check with the official JSON serializer ------------------------------------------

/** The same collection as @opentelemetry/sdk-metrics 2.2.0's ResourceMetrics: HrTime times, numeric enums. */
function toOfficial(rm: ResourceMetrics): unknown {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({ scope: sm.scope, metrics: sm.metrics.map(officialMetric) })),
  };
}

const OFFICIAL_TYPE = { sum: DataPointType.SUM, gauge: DataPointType.GAUGE, histogram: DataPointType.HISTOGRAM, exponentialHistogram: DataPointType.EXPONENTIAL_HISTOGRAM };

function officialMetric(metric: MetricData): unknown {
  const { name, description, unit, valueType } = metric.descriptor;
  const temporality = "temporality" in metric ? metric.temporality : "cumulative";
  return {
    descriptor: { name, description, unit, valueType },
    dataPointType: OFFICIAL_TYPE[metric.dataPointType as keyof typeof OFFICIAL_TYPE],
    aggregationTemporality: temporality === "delta" ? OfficialTemporality.DELTA : OfficialTemporality.CUMULATIVE,
    isMonotonic: metric.dataPointType === "sum" ? metric.isMonotonic : undefined,
    dataPoints: (metric.dataPoints as ReadonlyArray<DataPoint<any>>).map((p) => ({
      startTime: toHrTime(p.startTime),
      endTime: toHrTime(p.time),
      attributes: p.attributes,
      value: metric.dataPointType === "histogram" ? officialHistogram(p.value) : p.value,
    })),
  };
}

function officialHistogram(h: HistogramValue): unknown {
  return { buckets: { boundaries: h.boundaries, counts: h.bucketCounts }, count: h.count, sum: h.sum, min: h.min, max: h.max };
}

function official(list: ResourceMetrics[]): any {
  // JsonMetricsSerializer takes one ResourceMetrics per request; join them as one request.
  const requests = list.map((rm) => JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(toOfficial(rm)))));
  return { resourceMetrics: requests.flatMap((r) => r.resourceMetrics) };
}

/** Proto3 defaults of metrics.proto a writer may omit (zero dropped counts, empty description/unit), and 64-bit ints as exact strings. */
const NORMALIZE: NormalizeRules = {
  zero: new Set(["droppedAttributesCount"]),
  emptyString: new Set(["description", "unit"]),
  int64: new Set(["intValue", "asInt", "count", "zeroCount", "bucketCounts"]),
};

test("same request as the official JsonMetricsSerializer, field by field", () => {
  const source = collections(false);
  const theirs = normalize(official(source), NORMALIZE);
  const ours = normalize(JSON.parse(encodeMetrics(source)), NORMALIZE);
  assert.equal(ours, theirs);
  // The normalization did not hide a difference in shape: metrics and points line up.
  let points = 0;
  for (const rm of ours.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
    points += (m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram).dataPoints.length;
  }
  assert.is(points, 13);
  assert.is(ours.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt, "120");
});

test("documented differences from the official serializer", () => {
  const source = collections(true);
  const theirs = official(source);
  const ours = JSON.parse(encodeMetrics(source));
  const byName = (req: any): Map<string, any> => {
    const out = new Map<string, any>();
    for (const rm of req.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
    return out;
  };
  const t = byName(theirs);
  const o = byName(ours);
  // 64-bit integers: JSON numbers (exactness depends on the reader) vs exact decimal strings.
  assert.is(t.get("open.files").gauge.dataPoints[0].asInt, 17);
  assert.is(o.get("open.files").gauge.dataPoints[0].asInt, "17");
  assert.is(t.get("http.server.duration").histogram.dataPoints[0].count, 4);
  assert.equal(t.get("http.server.duration").histogram.dataPoints[0].bucketCounts, [1, 2, 1, 0]);
  assert.equal(o.get("http.server.duration").histogram.dataPoints[0].bucketCounts, ["1", "2", "1", "0"]);
  assert.is(o.get("with.exemplars").gauge.dataPoints[0].asInt, "4611686018427387904");
  // Non-finite doubles: JSON.stringify turns them into null (value lost); proto3 JSON uses strings.
  assert.is(t.get("with.exemplars").gauge.dataPoints[1].asInt, null);
  assert.is(o.get("with.exemplars").gauge.dataPoints[1].asDouble, "NaN");
  assert.is(t.get("h.exemplars").histogram.dataPoints[0].sum, null);
  assert.is(o.get("h.exemplars").histogram.dataPoints[0].sum, "Infinity");
  // Exemplars: the official SDK model has none to send; ours carries them with hex ids.
  assert.not.ok("exemplars" in t.get("h.exemplars").histogram.dataPoints[0]);
  assert.equal(o.get("h.exemplars").histogram.dataPoints[0].exemplars[0], {
    timeUnixNano: toEpochNanos(1500.25),
    asDouble: 0.5,
    spanId: "00f067aa0ba902b7",
    traceId: TRACE,
  });
  // zeroThreshold: not written by them; written by us when not 0.
  assert.not.ok("zeroThreshold" in t.get("e.threshold").exponentialHistogram.dataPoints[0]);
  assert.is(o.get("e.threshold").exponentialHistogram.dataPoints[0].zeroThreshold, 1e-12);
  // Summary: not an sdk-metrics point type; their serializer writes a metric without data.
  assert.equal(Object.keys(t.get("rpc.size")).sort(), ["description", "name", "unit"]);
  assert.equal(o.get("rpc.size").summary.dataPoints[0].quantileValues[2], { quantile: 1, value: "Infinity" });
  // They write the resource schema URL inside Resource too (no such field in resource.proto).
  assert.is(theirs.resourceMetrics[0].resource.schemaUrl, RES_A.schemaUrl);
  assert.not.ok("schemaUrl" in ours.resourceMetrics[0].resource);
  assert.is(ours.resourceMetrics[0].schemaUrl, RES_A.schemaUrl);
  // Proto3 defaults: they write empty description/unit and droppedAttributesCount 0; we omit them.
  assert.is(t.get("bytes.ratio").description, "");
  assert.not.ok("description" in o.get("bytes.ratio"));
});

test("an INT instrument with a fractional value: they send an invalid asInt, we send asDouble", () => {
  const source = [{ resource: RES_B, scopeMetrics: [{ scope: SCOPE_DB, metrics: [sum("odd", [point(1.5)], { valueType: 0 })] }] }];
  const theirs = official(source).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
  const ours = JSON.parse(encodeMetrics(source)).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
  assert.is(theirs.asInt, 1.5);
  assert.type(Req.verify(jsonToRuntime({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "odd", sum: { dataPoints: [theirs] } }] }] }] }, RUNTIME_KEYS)), "string");
  assert.is(ours.asDouble, 1.5);
  assert.not.ok("asInt" in ours);
});

test.run();
