import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce } from "../../../src/common/diag.ts";
import { toEpochNanos } from "../../../src/common/time.ts";
import { encodeMetrics } from "../../../src/export/otlp/metrics-encoder.ts";
import { unlessEmpty } from "../../../src/export/otlp-http-exporter.ts";
import type { MetricData, ResourceMetrics } from "../../../src/metrics/types.ts";
import {
  collection,
  exemplar,
  exponential,
  exponentialValue,
  gauge,
  histogram,
  histogramValue,
  point,
  RESOURCE,
  SCOPE,
  SPAN,
  sum,
  summary,
  TRACE,
} from "./metric-fixtures.ts";

const START = toEpochNanos(1000);
const END = toEpochNanos(2000.5);

function encode(collections: ResourceMetrics[]): any {
  return JSON.parse(encodeMetrics(collections));
}
/** The single metric of a one-metric request. */
function only(metric: MetricData): any {
  const out = encode([collection([metric])]);
  assert.is(out.resourceMetrics.length, 1);
  assert.is(out.resourceMetrics[0].scopeMetrics.length, 1);
  assert.is(out.resourceMetrics[0].scopeMetrics[0].metrics.length, 1);
  return out.resourceMetrics[0].scopeMetrics[0].metrics[0];
}
function quietDiag(): string[] {
  const messages: string[] = [];
  const sink = (m: string): void => void messages.push(m);
  diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink }, 9999);
  resetDiagOnce();
  return messages;
}
test.after.each(() => {
  diag.setLogger();
});

test("sum of an INT counter: asInt as a decimal string, times as nanosecond strings, temporality enum", () => {
  const metric = sum("http.requests", [point(42, { attributes: { route: "/a" } })], { valueType: 0, temporality: "delta", description: "Requests", unit: "{request}" });
  assert.equal(only(metric), {
    name: "http.requests",
    description: "Requests",
    unit: "{request}",
    sum: {
      dataPoints: [
        {
          attributes: [{ key: "route", value: { stringValue: "/a" } }],
          startTimeUnixNano: START,
          timeUnixNano: END,
          asInt: "42",
        },
      ],
      aggregationTemporality: 1,
      isMonotonic: true,
    },
  });
  assert.match(START, /^\d{19}$/);
  assert.is(BigInt(END) - BigInt(START), 1_000_500_000n);
  const cumulative = only(sum("c", [point(1)], { temporality: "cumulative", isMonotonic: false }));
  assert.is(cumulative.sum.aggregationTemporality, 2);
  assert.is(cumulative.sum.isMonotonic, false); // written: an up-down counter must say so
  assert.not.ok("description" in cumulative); // empty strings are proto3 defaults
  assert.not.ok("unit" in cumulative);
  assert.not.ok("attributes" in cumulative.sum.dataPoints[0]);
});

test("int vs double: asInt only for integral int64 values of INT instruments", () => {
  const value = (v: number, valueType: 0 | 1): any => only(gauge("g", [point(v)], valueType)).gauge.dataPoints[0];
  assert.equal(pick(value(7, 0)), { asInt: "7" });
  assert.equal(pick(value(-7, 0)), { asInt: "-7" });
  assert.equal(pick(value(0, 0)), { asInt: "0" }); // a oneof member is written even at zero
  assert.equal(pick(value(-0, 0)), { asInt: "0" });
  assert.equal(pick(value(2 ** 62, 0)), { asInt: "4611686018427387904" }); // exact, not 4611686018427388000
  assert.equal(pick(value(-(2 ** 63), 0)), { asInt: "-9223372036854775808" });
  assert.equal(pick(value(2 ** 63, 0)), { asDouble: 2 ** 63 }); // outside int64
  assert.equal(pick(value(1.5, 0)), { asDouble: 1.5 }); // an INT instrument fed a fraction
  assert.equal(pick(value(3, 1)), { asDouble: 3 }); // DOUBLE instruments always use asDouble
  assert.equal(pick(value(0, 1)), { asDouble: 0 });
  assert.equal(pick(value(5e-324, 1)), { asDouble: 5e-324 });
  assert.equal(pick(value(1e21, 1)), { asDouble: 1e21 });
});
function pick(p: any): any {
  return "asInt" in p ? { asInt: p.asInt } : { asDouble: p.asDouble };
}

test("NaN and ±Infinity are the proto3 JSON strings wherever a double goes", () => {
  const g = only(gauge("g", [point(NaN), point(Infinity), point(-Infinity)], 0)).gauge.dataPoints;
  assert.equal(g.map((p: any) => p.asDouble), ["NaN", "Infinity", "-Infinity"]);
  const body = encodeMetrics([collection([gauge("g", [point(NaN)])])]);
  assert.ok(body.includes('"asDouble":"NaN"'));
  const h = only(histogram("h", [point(histogramValue({ sum: Infinity, min: -Infinity, max: NaN, boundaries: [1], bucketCounts: [1, 3] }))])).histogram.dataPoints[0];
  assert.is(h.sum, "Infinity");
  assert.is(h.min, "-Infinity");
  assert.is(h.max, "NaN");
  const s = only(summary("s", [point({ count: 2, sum: NaN, quantiles: [{ quantile: 1, value: Infinity }] })])).summary.dataPoints[0];
  assert.is(s.sum, "NaN");
  assert.equal(s.quantileValues, [{ quantile: 1, value: "Infinity" }]);
});

test("histogram: counts as decimal strings, bounds as numbers, min/max only when present", () => {
  const metric = histogram("http.duration", [point(histogramValue(), { attributes: { code: 200 } })], "delta");
  assert.equal(only(metric), {
    name: "http.duration",
    description: "request duration",
    unit: "ms",
    histogram: {
      dataPoints: [
        {
          attributes: [{ key: "code", value: { intValue: "200" } }],
          startTimeUnixNano: START,
          timeUnixNano: END,
          count: "4",
          sum: 13.5,
          bucketCounts: ["1", "2", "1", "0"],
          explicitBounds: [1, 5, 10],
          min: 0.5,
          max: 9,
        },
      ],
      aggregationTemporality: 1,
    },
  });
  const empty = only(histogram("h", [point(histogramValue({ count: 0, sum: 0, min: undefined, max: undefined, bucketCounts: [0, 0, 0, 0] }))])).histogram.dataPoints[0];
  assert.is(empty.count, "0");
  assert.is(empty.sum, 0);
  assert.not.ok("min" in empty);
  assert.not.ok("max" in empty);
  // No boundaries: a single bucket, and no empty explicitBounds list.
  const single = only(histogram("h", [point(histogramValue({ boundaries: [], bucketCounts: [4] }))])).histogram.dataPoints[0];
  assert.equal(single.bucketCounts, ["4"]);
  assert.not.ok("explicitBounds" in single);
  // Counts past 2^53 stay exact (fixed64).
  const big = only(histogram("h", [point(histogramValue({ count: 2 ** 60, boundaries: [], bucketCounts: [2 ** 60] }))])).histogram.dataPoints[0];
  assert.is(big.count, "1152921504606846976");
  assert.equal(big.bucketCounts, ["1152921504606846976"]);
});

test("histogram points that a receiver would reject are dropped, siblings kept, reported once", () => {
  const messages = quietDiag();
  const bad = [
    histogramValue({ bucketCounts: [1, 2] }), // needs boundaries.length + 1 entries
    histogramValue({ count: -1 }),
    histogramValue({ count: 1.5 }),
    histogramValue({ bucketCounts: [1, 2, -1, 0] }),
    histogramValue({ count: NaN }),
  ];
  const out = only(histogram("h", [...bad.map((v) => point(v)), point(histogramValue({ count: 9 }))]));
  assert.equal(out.histogram.dataPoints.map((p: any) => p.count), ["9"]);
  assert.is(messages.filter((m) => m.includes("dropped a data point")).length, 1);
});

test("exponential histogram: scale, zeroCount, offsets (negative too), bucket counts as strings", () => {
  const metric = exponential("latency", [point(exponentialValue())]);
  assert.equal(only(metric).exponentialHistogram, {
    dataPoints: [
      {
        startTimeUnixNano: START,
        timeUnixNano: END,
        count: "7",
        sum: 20.25,
        scale: 3,
        zeroCount: "1",
        positive: { offset: 5, bucketCounts: ["1", "0", "3"] },
        negative: { offset: -2, bucketCounts: ["2"] },
        min: -2,
        max: 8,
      },
    ],
    aggregationTemporality: 1,
  });
  const p = only(exponential("e", [point(exponentialValue({ scale: -4, zeroThreshold: 1e-9, negative: { offset: 0, bucketCounts: [] } }))], "cumulative"))
    .exponentialHistogram.dataPoints[0];
  assert.is(p.scale, -4);
  assert.is(p.zeroThreshold, 1e-9); // written only when not the default 0
  assert.equal(p.negative, { offset: 0 });
  const messages = quietDiag();
  const dropped = [exponentialValue({ scale: 1.5 }), exponentialValue({ zeroCount: -1 }), exponentialValue({ positive: { offset: 0.5, bucketCounts: [1] } })];
  assert.equal(encode([collection([exponential("e", dropped.map((v) => point(v)))])]), { resourceMetrics: [] });
  assert.ok(messages.some((m) => m.includes("dropped a data point")));
});

test("summary: count, sum and quantile values; exemplars are not part of SummaryDataPoint", () => {
  const value = { count: 10, sum: 55, quantiles: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 5.5 }, { quantile: 1, value: 10 }] };
  assert.equal(only(summary("s", [point(value, { exemplars: [exemplar(3)] })])).summary, {
    dataPoints: [
      {
        startTimeUnixNano: START,
        timeUnixNano: END,
        count: "10",
        sum: 55,
        quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 5.5 }, { quantile: 1, value: 10 }],
      },
    ],
  });
});

test("exemplars: hex ids, typed like the instrument, filtered attributes, invalid ids left out", () => {
  const ex = [
    exemplar(3, { filteredAttributes: { "user.id": "u1" } }),
    exemplar(2.5),
    exemplar(4, { traceId: "00000000000000000000000000000000" }), // invalid: no ids written
    exemplar(5, { spanId: "00F067AA0BA902B7" }), // uppercase is not valid OTLP/JSON hex
  ];
  const p = only(sum("c", [point(10, { exemplars: ex })], { valueType: 0 })).sum.dataPoints[0];
  assert.equal(p.exemplars, [
    {
      filteredAttributes: [{ key: "user.id", value: { stringValue: "u1" } }],
      timeUnixNano: toEpochNanos(1500.25),
      asInt: "3",
      spanId: SPAN,
      traceId: TRACE,
    },
    { timeUnixNano: toEpochNanos(1500.25), asDouble: 2.5, spanId: SPAN, traceId: TRACE },
    { timeUnixNano: toEpochNanos(1500.25), asInt: "4" },
    { timeUnixNano: toEpochNanos(1500.25), asInt: "5" },
  ]);
  const h = only(histogram("h", [point(histogramValue(), { exemplars: [exemplar(0.75), exemplar(NaN)] })])).histogram.dataPoints[0];
  assert.equal(h.exemplars.map((e: any) => e.asDouble), [0.75, "NaN"]);
  const messages = quietDiag();
  const broken = only(gauge("g", [point(1, { exemplars: [exemplar("x" as unknown as number), exemplar(1, { time: NaN }), exemplar(2)] })])).gauge.dataPoints[0];
  assert.equal(broken.exemplars.map((e: any) => e.asDouble), [2]);
  assert.is(messages.filter((m) => m.includes("exemplar")).length, 1);
  assert.not.ok("exemplars" in only(gauge("g", [point(1)])).gauge.dataPoints[0]);
});

test("every point gets its own start and end time", () => {
  const points = [point(1, { startTime: 0, time: 10 }), point(2, { startTime: 5, time: 10 }), point(3, { startTime: 0, time: 20.000001 }), point(4, { startTime: 5, time: 10 })];
  const out = only(sum("c", points)).sum.dataPoints;
  assert.equal(out.map((p: any) => [p.startTimeUnixNano, p.timeUnixNano]), [
    [toEpochNanos(0), toEpochNanos(10)],
    [toEpochNanos(5), toEpochNanos(10)],
    [toEpochNanos(0), toEpochNanos(20.000001)],
    [toEpochNanos(5), toEpochNanos(10)],
  ]);
  assert.is(BigInt(out[2].timeUnixNano) - BigInt(out[0].timeUnixNano), 10_000_001n);
});

test("empty inputs give the empty request, which unlessEmpty refuses to send", () => {
  const empties: ResourceMetrics[][] = [
    [],
    [{ resource: RESOURCE, scopeMetrics: [] }],
    [collection([])],
    [collection([sum("c", []), gauge("g", []), histogram("h", []), exponential("e", []), summary("s", [])])],
  ];
  for (const input of empties) {
    const body = encodeMetrics(input);
    assert.is(body, '{"resourceMetrics":[]}');
    assert.is(unlessEmpty(body), undefined);
  }
  // An empty metric is skipped, its non-empty sibling kept; empty scopes/resources vanish.
  const out = encode([
    collection([sum("empty", []), sum("full", [point(1)])]),
    collection([gauge("g", [])], { attributes: { "service.name": "other" } }),
  ]);
  assert.is(out.resourceMetrics.length, 1);
  assert.equal(out.resourceMetrics[0].scopeMetrics[0].metrics.map((m: any) => m.name), ["full"]);
  assert.ok(unlessEmpty(encodeMetrics([collection([sum("full", [point(1)])])])));
});

test("names, descriptions, units, attribute keys and values are JSON-escaped", () => {
  const tricky = 'q"b\\n\n\u0001 \ud83d\ude00 \u2028 \ud800';
  const metric: MetricData = {
    descriptor: { name: tricky, description: tricky, unit: tricky, type: "counter", valueType: 1 },
    dataPointType: "sum",
    temporality: "delta",
    isMonotonic: true,
    dataPoints: [point(1, { attributes: { [tricky]: tricky } })],
  };
  const body = encodeMetrics([collection([metric], { attributes: { [tricky]: 1 } }, { name: tricky, version: tricky })]);
  assert.not.match(body, /[\u0000-\u001f]/); // control characters only as escapes
  assert.not.match(body, /[\ud800-\udbff](?![\udc00-\udfff])/); // no lone surrogate in the text
  const out = JSON.parse(body);
  const sent = tricky.slice(0, -1) + "\ufffd"; // the lone surrogate goes out as U+FFFD
  const m = out.resourceMetrics[0].scopeMetrics[0].metrics[0];
  assert.is(m.name, sent);
  assert.is(m.description, sent);
  assert.is(m.unit, sent);
  assert.equal(m.sum.dataPoints[0].attributes, [{ key: sent, value: { stringValue: sent } }]);
  assert.is(out.resourceMetrics[0].scopeMetrics[0].scope.name, sent);
  assert.is(out.resourceMetrics[0].resource.attributes[0].key, sent);
});

test("grouping: one entry per resource object and per scope (name, version, schemaUrl), first-seen order", () => {
  const resB = { attributes: { "service.name": "worker" }, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" };
  const scopeV2 = { name: "shop", version: "2.0.0", schemaUrl: "https://opentelemetry.io/schemas/1.24.0" };
  const out = encode([
    collection([sum("a", [point(1)])]),
    collection([sum("b", [point(2)])], resB, scopeV2),
    // A second collection of the same resource and an equal (not identical) scope object.
    { resource: RESOURCE, scopeMetrics: [{ scope: { ...SCOPE }, metrics: [sum("c", [point(3)])] }, { scope: scopeV2, metrics: [gauge("d", [point(4)])] }] },
  ]);
  assert.is(out.resourceMetrics.length, 2);
  const [a, b] = out.resourceMetrics;
  assert.equal(a.resource, { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] });
  assert.not.ok("schemaUrl" in a);
  assert.equal(a.scopeMetrics.map((s: any) => [s.scope, s.metrics.map((m: any) => m.name)]), [
    [{ name: "shop", version: "1.2.3" }, ["a", "c"]],
    [{ name: "shop", version: "2.0.0" }, ["d"]],
  ]);
  assert.is(a.scopeMetrics[1].schemaUrl, scopeV2.schemaUrl);
  assert.is(b.schemaUrl, resB.schemaUrl);
  assert.equal(b.scopeMetrics[0].metrics.map((m: any) => m.name), ["b"]);
});

test("never throws: unreadable or malformed input is dropped and reported", () => {
  const messages = quietDiag();
  const throwing = Object.defineProperty({ descriptor: { name: "x" }, dataPointType: "gauge" }, "dataPoints", {
    get() {
      throw new Error("boom");
    },
  }) as MetricData;
  const throwingPoint = Object.defineProperty(point(1), "value", {
    get() {
      throw new Error("boom");
    },
  });
  const input: unknown[] = [
    null,
    { resource: RESOURCE, scopeMetrics: undefined },
    collection([
      throwing,
      { ...sum("no-temporality", [point(1)]), temporality: "sideways" } as unknown as MetricData,
      { ...gauge("unknown-type", [point(1)]), dataPointType: "heatmap" } as unknown as MetricData,
      gauge("", [point(1)]),
      { ...gauge("no-descriptor", [point(1)]), descriptor: undefined } as unknown as MetricData,
      gauge("bad-points", [point("1" as unknown as number), point(1, { time: NaN }), throwingPoint, null as any]),
      gauge("kept", [point(1)]),
    ]),
  ];
  const out = encode(input as ResourceMetrics[]);
  assert.equal(out.resourceMetrics[0].scopeMetrics[0].metrics.map((m: any) => m.name), ["kept"]);
  assert.ok(messages.length >= 5, messages.join("\n"));
  assert.ok(messages.some((m) => m.includes("temporality")));
  assert.ok(messages.some((m) => m.includes("unknown type")));
  assert.ok(messages.some((m) => m.includes("without a name")));
  assert.is(encodeMetrics(undefined as unknown as ResourceMetrics[]), '{"resourceMetrics":[]}');
});

test("the body is one valid JSON document whose every 64-bit integer is a string", () => {
  const body = encodeMetrics([
    collection([
      sum("s", [point(2 ** 62, { exemplars: [exemplar(2 ** 53 + 2)] })], { valueType: 0 }),
      histogram("h", [point(histogramValue())]),
      exponential("e", [point(exponentialValue())]),
      summary("q", [point({ count: 3, sum: 1, quantiles: [] })]),
    ]),
  ]);
  const int64Keys = new Set(["startTimeUnixNano", "timeUnixNano", "asInt", "count", "zeroCount", "bucketCounts", "intValue"]);
  let checked = 0;
  JSON.parse(body, function (key, value) {
    if (int64Keys.has(key)) {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) {
        assert.type(v, "string", key);
        assert.match(v, /^-?\d+$/);
        checked++;
      }
    }
    return value;
  });
  assert.ok(checked >= 20, String(checked));
  assert.ok(body.includes('"asInt":"4611686018427387904"'));
  assert.ok(body.includes('"asInt":"9007199254740994"'));
});

test.run();
