/**
 * The OTLP/JSON `ExportMetricsServiceRequest` body (POST `/v1/metrics`) for collections of the
 * size-first metrics SDK (metrics.ts), byte for byte what the product's encoder
 * (src/export/otlp/metrics-encoder.ts) writes for the same data.
 *
 * Built as plain objects and serialized by one `JSON.stringify`, as otlp.ts does (it says why
 * that is byte-identical: `undefined` fields are left out, so one object literal per message
 * keeps the product's field order; strings are made well-formed). Proto3 JSON
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) and metrics.proto:
 * `AggregationTemporality` DELTA 1, CUMULATIVE 2; `fixed64` times and counts, `sfixed64` `asInt`
 * and `uint64` bucket counts as decimal strings; doubles as numbers or "NaN"/"Infinity"/"-Infinity";
 * `isMonotonic`, `count` and `sum` written even when false or zero (as the product and the
 * official exporter do); empty lists, strings and absent `min`/`max` omitted.
 *
 * The input is trusted: it comes from metrics.ts, whose attributes, descriptors and values are
 * already validated (the product's encoder also guards data from any user reader or producer,
 * which the Workers program does not have). Exemplars as metrics.ts keeps them (ids only when a span was linked). Each collection
 * is its own `ResourceMetrics` entry (the product merges collections of one resource; the lean
 * path exports one collection per request).
 */
import type { DataPoint, HistogramValue, MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { toEpochNanos } from "./time.ts";

type Json = Record<string, unknown>;

const INT64 = 2 ** 63;
const some = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);
/** A double as proto3 JSON writes it. */
const double = (v: number): number | string => (v - v != 0 ? v + "" : v);
/** An integer within [min, 2^63) as its exact decimal text (BigInt prints past 2^53 exactly), else undefined. */
const integer = (v: unknown, min = -INT64): string | undefined => (Number.isInteger(v) && (v as number) >= min && (v as number) < INT64 ? BigInt(v as number) + "" : undefined);

/** An attribute value (sanitized: string, boolean, number, or an array of them with nulls) as an `AnyValue`. */
function anyValue(v: unknown): Json {
  const i = integer(v);
  return typeof v == "string"
    ? { stringValue: v }
    : typeof v == "boolean"
      ? { boolValue: v }
      : typeof v == "number"
        ? i !== undefined ? { intValue: i } : { doubleValue: double(v) }
        : Array.isArray(v)
          ? { arrayValue: v.length ? { values: v.map(anyValue) } : {} }
          : {};
}

/** `KeyValue`s of an attributes object (own keys, in order), undefined when empty. */
const keyValues = (attributes: object | undefined): Json[] | undefined =>
  some(Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) })));

/** `asInt` (an INT instrument's integer) or `asDouble`. */
const value = (v: number, int: boolean): Json => {
  const i = int ? integer(v) : undefined;
  return { asInt: i, asDouble: i === undefined ? double(v) : undefined };
};

function point(p: DataPoint<unknown>, int: boolean): Json {
  const v = p.value;
  const h = v as HistogramValue;
  const head = { attributes: keyValues(p.attributes), startTimeUnixNano: toEpochNanos(p.startTime), timeUnixNano: toEpochNanos(p.time) };
  const exemplars = some(p.exemplars.map((e) => ({ filteredAttributes: keyValues(e.filteredAttributes), timeUnixNano: toEpochNanos(e.time), ...value(e.value, int), spanId: e.spanId, traceId: e.traceId })));
  if (typeof v == "number") return { ...head, ...value(v, int), exemplars };
  return {
    ...head,
    count: h.count + "",
    sum: double(h.sum),
    bucketCounts: some(h.bucketCounts.map(String)),
    explicitBounds: some(h.boundaries.map(double)),
    exemplars,
    min: h.min,
    max: h.max,
  };
}

function metric(m: MetricData): Json {
  const d = m.descriptor;
  const t = (m as { temporality?: string }).temporality;
  return {
    name: d.name,
    description: d.description || undefined,
    unit: d.unit || undefined,
    [m.dataPointType]: {
      dataPoints: (m.dataPoints as DataPoint<unknown>[]).map((p) => point(p, d.valueType === 0)),
      aggregationTemporality: t && (t == "delta" ? 1 : 2),
      isMonotonic: (m as { isMonotonic?: boolean }).isMonotonic,
    },
  };
}

/**
 * The request for `collections` as JSON text (`fetch` sends it as the product's UTF-8 bytes).
 * Metrics without points, scopes without metrics and resources without scopes are left out;
 * with nothing left it is `{"resourceMetrics":[]}`, which callers must not send.
 */
export function encodeMetrics(collections: readonly ResourceMetrics[]): string {
  const resourceMetrics = [];
  for (const { resource, scopeMetrics } of collections) {
    const scopes = [];
    for (const { scope, metrics } of scopeMetrics) {
      const kept = metrics.filter((m) => m.dataPoints.length).map(metric);
      if (kept.length)
        scopes.push({ scope: { name: scope.name, version: scope.version || undefined }, metrics: kept, schemaUrl: scope.schemaUrl || undefined });
    }
    if (scopes.length) resourceMetrics.push({ resource: { attributes: keyValues(resource.attributes) }, scopeMetrics: scopes, schemaUrl: resource.schemaUrl || undefined });
  }
  return JSON.stringify({ resourceMetrics }, (_, v) => (v as { toWellFormed?(): string } | null)?.toWellFormed?.() ?? v);
}
