/**
 * The OTLP/HTTP JSON body of an `ExportMetricsServiceRequest` (POST `/v1/metrics`), written
 * by hand as UTF-8 bytes, like the trace encoder (json-writer.ts says why bytes).
 *
 * Field names and types follow opentelemetry-proto metrics/v1/metrics.proto under the OTLP
 * JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lower
 * camelCase names, enums as integers (`AggregationTemporality` DELTA = 1, CUMULATIVE = 2),
 * trace and span ids as lowercase hex, and every 64-bit integer — `fixed64` times and
 * counts, `sfixed64` `asInt`, `repeated fixed64`/`uint64` bucket counts — as a decimal
 * string (exact past 2^53; DESIGN). Doubles are JSON numbers, and NaN/±Infinity the proto3
 * JSON strings "NaN"/"Infinity"/"-Infinity".
 *
 * What is written even when zero: counts, `sum`, `scale`, `zeroCount`, bucket `offset`,
 * `isMonotonic` (they carry meaning, and the official exporter writes them too). What is
 * omitted at its proto3 default: empty `description`/`unit`, empty lists, `flags`,
 * `zeroThreshold` 0, and `min`/`max` when the data model has none (`optional double`).
 */
import type { InstrumentationScope } from "../../trace/types.ts";
import type { Resource } from "../../resource/resource.ts";
import type {
  DataPoint,
  Exemplar,
  ExponentialBuckets,
  ExponentialHistogramValue,
  HistogramValue,
  MetricData,
  ResourceMetrics,
  SummaryValue,
} from "../../metrics/types.ts";
import { integerText } from "./any-value.ts";
import { ascii, byte, double, epochNanos, hexField, openObject, pos, rewind, string, uint, utf8Text } from "./json-writer.ts";
import { dropped, unreadable, writeList } from "./write-items.ts";
import { attributeList, stringField, writeRequest } from "./resource-scope.ts";

/** One metric with the resource and scope it was collected under, for `writeRequest`. */
interface ScopedMetric {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly metric: MetricData;
}

/**
 * The OTLP/JSON `ExportMetricsServiceRequest` body for one or more collections as UTF-8 bytes
 * (what the OTLP metric exporter sends; byte for byte `TextEncoder` of {@link encodeMetrics}), grouped by
 * resource (object identity) and instrumentation scope (name, version, schemaUrl), so two
 * collections of the same provider share one `ResourceMetrics` entry.
 *
 * Never throws, and writes no point the receiver could reject the whole request for: a data
 * point with an unreadable or invalid value (non-numeric, a negative or fractional count,
 * bucket counts that do not match the bounds) is dropped, a metric with an unknown type or
 * temporality or without a name is dropped, and a metric, scope or resource left with no
 * points is omitted; each cause is reported once through `diag`. `encodeMetrics([])`
 * and inputs without any point return the valid empty request `{"resourceMetrics":[]}`,
 * which callers must not send (`unlessEmpty`; DESIGN: never send an empty payload).
 *
 * @example
 * const body = encodeMetricsBytes([collection]);
 * await fetch("http://127.0.0.1:4318/v1/metrics", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeMetricsBytes(collections: readonly ResourceMetrics[]): Uint8Array {
  return writeRequest("metrics", "Metrics", "metrics", flatten(collections), (item: ScopedMetric) => writeMetric(item.metric));
}

/**
 * The OTLP/JSON `ExportMetricsServiceRequest` body as a string: the text of
 * {@link encodeMetricsBytes} (same rules; use the bytes form to send it).
 *
 * @example
 * const request = JSON.parse(encodeMetrics([collection]));
 */
export function encodeMetrics(collections: readonly ResourceMetrics[]): string {
  return utf8Text(encodeMetricsBytes(collections));
}

function flatten(collections: readonly ResourceMetrics[]): ScopedMetric[] {
  const out: ScopedMetric[] = [];
  if (!Array.isArray(collections)) return out;
  for (let r = 0; r < collections.length; r++) {
    try {
      const rm = collections[r]!;
      const resource = rm.resource;
      const scopes = rm.scopeMetrics;
      for (let s = 0; s < scopes.length; s++) {
        const sm = scopes[s]!;
        const scope = sm.scope;
        const metrics = sm.metrics;
        for (let m = 0; m < metrics.length; m++) out.push({ resource, instrumentationScope: scope, metric: metrics[m]! });
      }
    } catch {
      unreadable("a collection");
    }
  }
  return out;
}

type PointWriter<T> = (point: DataPoint<T>, int: boolean) => boolean;

/**
 * The point writer of each `dataPointType`, which is also the metric's field name
 * (`"sum":{"dataPoints":[..]}`); sums and histograms carry a temporality, gauges and
 * summaries do not (metrics.proto).
 */
const POINT_WRITERS: Readonly<Record<MetricData["dataPointType"], PointWriter<never>>> = {
  sum: numberPoint,
  gauge: numberPoint,
  histogram: histogramPoint,
  exponentialHistogram: exponentialPoint,
  summary: summaryPoint,
};

/** One `Metric` JSON object; false (nothing kept) when it has no point left or cannot be encoded. */
function writeMetric(metric: MetricData): boolean {
  const descriptor = metric.descriptor;
  const name = descriptor?.name;
  if (typeof name !== "string" || name === "") {
    dropped("a metric without a name");
    return false;
  }
  const type = metric.dataPointType;
  // Own keys only: a type such as "constructor" must not find Object.prototype's.
  if (typeof type !== "string" || !hasOwn.call(POINT_WRITERS, type)) {
    dropped("a metric of an unknown type");
    return false;
  }
  let t: 1 | 2 | undefined;
  if (type !== "gauge" && type !== "summary") {
    t = temporality(metric.temporality);
    if (t === undefined) return false;
  }
  ascii('{"name":');
  string(name);
  stringField(',"description":', descriptor.description);
  stringField(',"unit":', descriptor.unit);
  const mark = pos;
  const points = metric.dataPoints as ReadonlyArray<DataPoint<never>> | undefined;
  // Invalid points are left out (reported once); a metric without any point left is dropped.
  if (Array.isArray(points) && writeList(',"' + type + '":{"dataPoints":[', points, POINT_WRITERS[type], descriptor.valueType === 0 /* ValueType.INT */) > 0) {
    dropped("a data point with an invalid or unreadable value");
  }
  if (pos === mark) return false;
  if (t !== undefined) {
    ascii(',"aggregationTemporality":');
    uint(t);
  }
  if (type === "sum") ascii(metric.isMonotonic === true ? ',"isMonotonic":true' : ',"isMonotonic":false');
  ascii("}}");
  return true;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** metrics.proto `AggregationTemporality`; UNSPECIFIED (0) "MUST NOT be used", so unknown values drop the metric. */
function temporality(value: unknown): 1 | 2 | undefined {
  if (value === "delta") return 1;
  if (value === "cumulative") return 2;
  dropped("a metric whose aggregation temporality is neither delta nor cumulative");
  return undefined;
}

/**
 * Opens an object: `{`, then `"<list>":[..],` with the KeyValues of `attributes` when there
 * are any (an empty list is the proto3 default and is omitted), then `next`. `list` and
 * `next` are written with their leading comma, and the first comma becomes the `{`.
 */
function openWithAttributes(list: string, attributes: unknown, next: string): void {
  const mark = pos;
  attributeList(list, attributes);
  ascii(next);
  openObject(mark);
}

/** `{"attributes":[..],"startTimeUnixNano":"..","timeUnixNano":".."` (open object); false for bad times. */
function pointHead(point: DataPoint<unknown>): boolean {
  const start = point.startTime;
  const time = point.time;
  if (typeof start !== "number" || typeof time !== "number" || !Number.isFinite(start) || !Number.isFinite(time)) return false;
  openWithAttributes(',"attributes":[', point.attributes, ',"startTimeUnixNano":"');
  epochNanos(start);
  ascii('","timeUnixNano":"');
  epochNanos(time);
  byte(34);
  return true;
}

/** `,"asInt":".."` for an integral int64 value of an INT instrument, else `,"asDouble":..`. */
function valueField(value: number, int: boolean): void {
  if (int) {
    const s = integerText(value);
    if (s !== undefined) {
      ascii(',"asInt":"');
      ascii(s);
      byte(34);
      return;
    }
  }
  ascii(',"asDouble":');
  double(value);
}

/** A non-negative integer below 2^64 as its exact decimal text, else undefined. */
function uint64(n: unknown): string | undefined {
  return integerText(n, 0, 18446744073709551616); // 2^64, exact as a double
}

/**
 * `,"count":"<count>","sum":<sum>`: the head every histogram and summary point shares; false
 * (the point is dropped) for a count that is not a uint64 or a sum that is not a number.
 */
function countAndSum(count: unknown, sum: unknown): boolean {
  const text = uint64(count);
  if (text === undefined || typeof sum !== "number") return false;
  ascii(',"count":"');
  ascii(text);
  ascii('","sum":');
  double(sum);
  return true;
}

/** `NumberDataPoint` (sum, gauge). */
function numberPoint(point: DataPoint<number>, int: boolean): boolean {
  const value = point.value;
  if (typeof value !== "number" || !pointHead(point)) return false;
  valueField(value, int);
  return pointTail(point.exemplars, int);
}

// Each point writer below checks the point while it writes it: a point it rejects (false) or
// whose fields throw is taken back whole by writeList.

/** `HistogramDataPoint`: `bucket_counts` must have one more entry than `explicit_bounds` (or none). */
function histogramPoint(point: DataPoint<HistogramValue>, int: boolean): boolean {
  const h = point.value;
  const bounds = h.boundaries;
  const counts = h.bucketCounts;
  return (
    Array.isArray(bounds) &&
    Array.isArray(counts) &&
    (counts.length === 0 || counts.length === bounds.length + 1) &&
    pointHead(point) &&
    countAndSum(h.count, h.sum) &&
    valueList(BUCKET_COUNTS, counts, countItem) &&
    valueList(',"explicitBounds":[', bounds, doubleItem) &&
    pointTail(point.exemplars, int, h.min, h.max)
  );
}

/** `ExponentialHistogramDataPoint`. */
function exponentialPoint(point: DataPoint<ExponentialHistogramValue>, int: boolean): boolean {
  const e = point.value;
  const scale = e.scale;
  const zeroCount = uint64(e.zeroCount);
  if (!isInt32(scale) || zeroCount === undefined || !pointHead(point) || !countAndSum(e.count, e.sum)) return false;
  ascii(',"scale":');
  ascii(String(scale));
  ascii(',"zeroCount":"');
  ascii(zeroCount);
  ascii('","positive":');
  if (!buckets(e.positive)) return false;
  ascii(',"negative":');
  if (!buckets(e.negative)) return false;
  // A zeroThreshold of 0 is the proto3 default, omitted.
  return pointTail(point.exemplars, int, e.min, e.max, e.zeroThreshold !== 0 ? e.zeroThreshold : undefined);
}

/** `ExponentialHistogramDataPoint.Buckets`: `offset` is sint32, `bucket_counts` repeated uint64. False when invalid. */
function buckets(b: ExponentialBuckets | undefined): boolean {
  const offset = b?.offset;
  if (!isInt32(offset) || !Array.isArray(b!.bucketCounts)) return false;
  ascii('{"offset":');
  ascii(String(offset));
  if (!valueList(BUCKET_COUNTS, b!.bucketCounts, countItem)) return false;
  byte(125);
  return true;
}

/** `SummaryDataPoint` (no exemplars in the proto). */
function summaryPoint(point: DataPoint<SummaryValue>): boolean {
  const s = point.value;
  const quantiles = s.quantiles;
  return Array.isArray(quantiles) && pointHead(point) && countAndSum(s.count, s.sum) && valueList(',"quantileValues":[', quantiles, quantileItem) && pointTail();
}

/**
 * The end of a point: `,"exemplars":[..]` (nothing when there are none; unreadable exemplars
 * are dropped, reported once), then `,"min":..`, `,"max":..` and `,"zeroThreshold":..` for
 * those that are numbers (`optional double`s the data model may not have), then `}`. True.
 */
function pointTail(exemplars?: readonly Exemplar[], int?: boolean, min?: number, max?: number, zeroThreshold?: number): true {
  if (Array.isArray(exemplars) && writeList(',"exemplars":[', exemplars, exemplar, int!) > 0) dropped("an exemplar with an invalid value or time");
  doubleField(',"min":', min);
  doubleField(',"max":', max);
  doubleField(',"zeroThreshold":', zeroThreshold);
  byte(125);
  return true;
}

function isInt32(n: unknown): n is number {
  return integerText(n, -2147483648, 2147483648) !== undefined;
}

/**
 * `open`, each of `values` through `write`, comma-separated, and `]`; nothing for an empty
 * list (the proto3 default). False as soon as `write` rejects a value: the point is dropped.
 */
function valueList<T>(open: string, values: readonly T[], write: (value: T) => boolean): boolean {
  for (let i = 0; i < values.length; i++) {
    ascii(i === 0 ? open : ",");
    if (!write(values[i]!)) return false;
  }
  if (values.length !== 0) byte(93);
  return true;
}

const BUCKET_COUNTS = ',"bucketCounts":[';

/** A double (`explicit_bounds`). */
function doubleItem(value: unknown): boolean {
  if (typeof value !== "number") return false;
  double(value);
  return true;
}

/** A uint64 bucket count, as its decimal string (proto3 JSON). */
function countItem(value: unknown): boolean {
  const s = uint64(value);
  if (s === undefined) return false;
  byte(34);
  ascii(s);
  byte(34);
  return true;
}

/** A `SummaryDataPoint.ValueAtQuantile`. */
function quantileItem(q: SummaryValue["quantiles"][number]): boolean {
  if (typeof q?.quantile !== "number" || typeof q.value !== "number") return false;
  ascii('{"quantile":');
  double(q.quantile);
  ascii(',"value":');
  double(q.value);
  byte(125);
  return true;
}

/** `key` (a fragment such as `,"min":`) and the double `value` when it is a number, else nothing. */
function doubleField(key: string, value: unknown): void {
  if (typeof value === "number") {
    ascii(key);
    double(value);
  }
}

/**
 * `Exemplar`: the value typed like the instrument's points; `span_id`/`trace_id` (hex in
 * OTLP/JSON) only when both are valid — the proto makes them optional, and an invalid id
 * would make the receiver reject the request.
 */
function exemplar(e: Exemplar, int: boolean): boolean {
  const value = e.value;
  const time = e.time;
  if (typeof value !== "number" || typeof time !== "number" || !Number.isFinite(time)) return false;
  openWithAttributes(',"filteredAttributes":[', e.filteredAttributes, ',"timeUnixNano":"');
  epochNanos(time);
  byte(34);
  valueField(value, int);
  const mark = pos;
  if (!hexField(',"spanId":"', e.spanId, 16) || !hexField(',"traceId":"', e.traceId, 32)) rewind(mark);
  byte(125);
  return true;
}
