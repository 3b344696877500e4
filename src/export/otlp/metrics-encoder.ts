/**
 * The OTLP/HTTP JSON body of an `ExportMetricsServiceRequest` (POST `/v1/metrics`), written
 * by hand into one string, like the trace encoder.
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
import { diagOnce } from "../../common/diag.ts";
import { toEpochNanos } from "../../common/time.ts";
import { isValidSpanId, isValidTraceId } from "../../trace/span-context.ts";
import type { InstrumentationScope } from "../../trace/types.ts";
import type { Resource } from "../../resource/resource.ts";
import { ValueType } from "../../metrics/types.ts";
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
import { encodeKeyValueList, int64String } from "./any-value.ts";
import { jsonString } from "./json-string.ts";
import { encodeGrouped, signalKeys, str } from "./resource-scope.ts";
import type { SignalKeys } from "./resource-scope.ts";

const METRIC_KEYS: SignalKeys = /* @__PURE__ */ signalKeys("resourceMetrics", "scopeMetrics", "metrics");

/** One metric with the resource and scope it was collected under, for `encodeGrouped`. */
interface ScopedMetric {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly metric: MetricData;
}

/**
 * The OTLP/JSON `ExportMetricsServiceRequest` body for one or more collections, grouped by
 * resource (object identity) and instrumentation scope (name, version, schemaUrl), so two
 * collections of the same provider share one `ResourceMetrics` entry.
 *
 * Never throws, and writes no point the receiver could reject the whole request for: a data
 * point with an unreadable or invalid value (non-numeric, a negative or fractional count,
 * bucket counts that do not match the bounds) is dropped, a metric with an unknown type or
 * temporality or without a name is dropped, and a metric, scope or resource left with no
 * points is omitted; each cause is reported once through `diagOnce`. `encodeMetrics([])`
 * and inputs without any point return the valid empty request `{"resourceMetrics":[]}`,
 * which callers must not send (`unlessEmpty`; DESIGN: never send an empty payload).
 *
 * @example
 * const body = encodeMetrics([collection]);
 * await fetch("http://127.0.0.1:4318/v1/metrics", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeMetrics(collections: readonly ResourceMetrics[]): string {
  return encodeGrouped(flatten(collections), METRIC_KEYS, encodeScopedMetric);
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
      diagOnce("warn", "otlp-metrics-collection", "OTLP metrics encoder: dropped a collection whose resource or scopes could not be read.");
    }
  }
  return out;
}

function encodeScopedMetric(item: ScopedMetric): string | undefined {
  return encodeMetric(item.metric);
}

/** One `Metric` JSON object, or undefined when it has no point left or cannot be encoded. */
function encodeMetric(metric: MetricData): string | undefined {
  const descriptor = metric.descriptor;
  const name = descriptor?.name;
  if (typeof name !== "string" || name === "") {
    diagOnce("warn", "otlp-metric-name", "OTLP metrics encoder: dropped a metric without a name.");
    return undefined;
  }
  const int = descriptor.valueType === ValueType.INT;
  let data: string;
  switch (metric.dataPointType) {
    case "sum": {
      const t = temporality(metric.temporality);
      if (t === undefined) return undefined;
      const points = encodePoints(metric.dataPoints, int, numberPoint);
      if (points === "") return undefined;
      data = '"sum":{"dataPoints":[' + points + '],"aggregationTemporality":' + t + ',"isMonotonic":' + (metric.isMonotonic === true) + "}";
      break;
    }
    case "gauge": {
      const points = encodePoints(metric.dataPoints, int, numberPoint);
      if (points === "") return undefined;
      data = '"gauge":{"dataPoints":[' + points + "]}";
      break;
    }
    case "histogram": {
      const t = temporality(metric.temporality);
      if (t === undefined) return undefined;
      const points = encodePoints(metric.dataPoints, int, histogramPoint);
      if (points === "") return undefined;
      data = '"histogram":{"dataPoints":[' + points + '],"aggregationTemporality":' + t + "}";
      break;
    }
    case "exponentialHistogram": {
      const t = temporality(metric.temporality);
      if (t === undefined) return undefined;
      const points = encodePoints(metric.dataPoints, int, exponentialPoint);
      if (points === "") return undefined;
      data = '"exponentialHistogram":{"dataPoints":[' + points + '],"aggregationTemporality":' + t + "}";
      break;
    }
    case "summary": {
      const points = encodePoints(metric.dataPoints, int, summaryPoint);
      if (points === "") return undefined;
      data = '"summary":{"dataPoints":[' + points + "]}";
      break;
    }
    default:
      diagOnce("warn", "otlp-metric-type", "OTLP metrics encoder: dropped a metric of an unknown type.");
      return undefined;
  }
  const description = str(descriptor.description);
  const unit = str(descriptor.unit);
  return (
    '{"name":' + jsonString(name) +
    (description === "" ? "" : ',"description":' + jsonString(description)) +
    (unit === "" ? "" : ',"unit":' + jsonString(unit)) +
    "," + data + "}"
  );
}

/** metrics.proto `AggregationTemporality`; UNSPECIFIED (0) "MUST NOT be used", so unknown values drop the metric. */
function temporality(value: unknown): 1 | 2 | undefined {
  if (value === "delta") return 1;
  if (value === "cumulative") return 2;
  diagOnce("warn", "otlp-metric-temporality", "OTLP metrics encoder: dropped a metric whose aggregation temporality is neither delta nor cumulative.");
  return undefined;
}

/** The comma-separated encoded points; invalid points are skipped (reported once). */
function encodePoints<T>(
  points: ReadonlyArray<DataPoint<T>> | undefined,
  int: boolean,
  encode: (point: DataPoint<T>, int: boolean) => string | undefined,
): string {
  if (!Array.isArray(points)) return "";
  let out = "";
  for (let i = 0; i < points.length; i++) {
    let point: string | undefined;
    try {
      point = encode(points[i]!, int);
    } catch {
      point = undefined;
    }
    if (point === undefined) {
      diagOnce("warn", "otlp-metric-point", "OTLP metrics encoder: dropped a data point with an invalid or unreadable value.");
      continue;
    }
    out += (out === "" ? "" : ",") + point;
  }
  return out;
}

/** `{"attributes":[..],"startTimeUnixNano":"..","timeUnixNano":".."` (open object), or undefined for bad times. */
function pointHead(point: DataPoint<unknown>): string | undefined {
  const start = point.startTime;
  const time = point.time;
  if (typeof start !== "number" || typeof time !== "number" || !Number.isFinite(start) || !Number.isFinite(time)) return undefined;
  const attributes = encodeKeyValueList(point.attributes);
  return (
    (attributes === "[]" ? "{" : '{"attributes":' + attributes + ",") +
    '"startTimeUnixNano":"' + nanos(start) + '","timeUnixNano":"' + nanos(time) + '"'
  );
}

// Points of one collection share their start and end times: remember the last two
// conversions (start and end alternate) instead of formatting the same 19 digits per point.
let memoTime1 = NaN;
let memoNanos1 = "";
let memoTime2 = NaN;
let memoNanos2 = "";

function nanos(time: number): string {
  if (time === memoTime1) return memoNanos1;
  if (time === memoTime2) return memoNanos2;
  const s = toEpochNanos(time);
  memoTime2 = memoTime1;
  memoNanos2 = memoNanos1;
  memoTime1 = time;
  memoNanos1 = s;
  return s;
}

/** A `double` as proto3 JSON: a number, or "NaN" / "Infinity" / "-Infinity". */
function double(n: number): string {
  if (n - n === 0) return String(n);
  return n !== n ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

/** `,"asInt":".."` for an integral int64 value of an INT instrument, else `,"asDouble":..`. */
function valueField(value: number, int: boolean): string {
  if (int) {
    const s = int64String(value);
    if (s !== undefined) return ',"asInt":"' + s + '"';
  }
  return ',"asDouble":' + double(value);
}

const UINT64_END = 18446744073709551616; // 2^64, exact as a double

/** A non-negative integer below 2^64 as its exact decimal text, else undefined. */
function uint64(n: unknown): string | undefined {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return undefined;
  if (n <= 9007199254740991) return String(n);
  return n < UINT64_END ? BigInt(n).toString() : undefined;
}

/** `NumberDataPoint` (sum, gauge). */
function numberPoint(point: DataPoint<number>, int: boolean): string | undefined {
  const value = point.value;
  if (typeof value !== "number") return undefined;
  const head = pointHead(point);
  if (head === undefined) return undefined;
  return head + valueField(value, int) + exemplarsField(point.exemplars, int) + "}";
}

/** `HistogramDataPoint`: `bucket_counts` must have one more entry than `explicit_bounds` (or none). */
function histogramPoint(point: DataPoint<HistogramValue>, int: boolean): string | undefined {
  const h = point.value;
  const count = uint64(h.count);
  const bounds = h.boundaries;
  const counts = h.bucketCounts;
  if (count === undefined || typeof h.sum !== "number" || !Array.isArray(bounds) || !Array.isArray(counts)) return undefined;
  if (counts.length !== 0 && counts.length !== bounds.length + 1) return undefined;
  const head = pointHead(point);
  if (head === undefined) return undefined;
  let out = head + ',"count":"' + count + '","sum":' + double(h.sum);
  if (counts.length > 0) {
    const list = uint64List(counts);
    if (list === undefined) return undefined;
    out += ',"bucketCounts":[' + list + "]";
  }
  if (bounds.length > 0) {
    let list = "";
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i];
      if (typeof b !== "number") return undefined;
      list += (i === 0 ? "" : ",") + double(b);
    }
    out += ',"explicitBounds":[' + list + "]";
  }
  return out + exemplarsField(point.exemplars, int) + minMax(h.min, h.max) + "}";
}

/** `ExponentialHistogramDataPoint`. */
function exponentialPoint(point: DataPoint<ExponentialHistogramValue>, int: boolean): string | undefined {
  const e = point.value;
  const count = uint64(e.count);
  const zeroCount = uint64(e.zeroCount);
  const scale = e.scale;
  if (count === undefined || zeroCount === undefined || typeof e.sum !== "number" || !isInt32(scale)) return undefined;
  const positive = buckets(e.positive);
  const negative = buckets(e.negative);
  if (positive === undefined || negative === undefined) return undefined;
  const head = pointHead(point);
  if (head === undefined) return undefined;
  const zeroThreshold = e.zeroThreshold;
  return (
    head +
    ',"count":"' + count + '","sum":' + double(e.sum) +
    ',"scale":' + scale + ',"zeroCount":"' + zeroCount + '"' +
    ',"positive":' + positive + ',"negative":' + negative +
    exemplarsField(point.exemplars, int) +
    minMax(e.min, e.max) +
    (typeof zeroThreshold === "number" && zeroThreshold !== 0 ? ',"zeroThreshold":' + double(zeroThreshold) : "") +
    "}"
  );
}

/** `ExponentialHistogramDataPoint.Buckets`: `offset` is sint32, `bucket_counts` repeated uint64. */
function buckets(b: ExponentialBuckets | undefined): string | undefined {
  if (b === null || typeof b !== "object" || !isInt32(b.offset) || !Array.isArray(b.bucketCounts)) return undefined;
  if (b.bucketCounts.length === 0) return '{"offset":' + b.offset + "}";
  const list = uint64List(b.bucketCounts);
  return list === undefined ? undefined : '{"offset":' + b.offset + ',"bucketCounts":[' + list + "]}";
}

/** `SummaryDataPoint` (no exemplars in the proto). */
function summaryPoint(point: DataPoint<SummaryValue>): string | undefined {
  const s = point.value;
  const count = uint64(s.count);
  const quantiles = s.quantiles;
  if (count === undefined || typeof s.sum !== "number" || !Array.isArray(quantiles)) return undefined;
  const head = pointHead(point);
  if (head === undefined) return undefined;
  let out = head + ',"count":"' + count + '","sum":' + double(s.sum);
  if (quantiles.length > 0) {
    let list = "";
    for (let i = 0; i < quantiles.length; i++) {
      const q = quantiles[i]!;
      if (typeof q?.quantile !== "number" || typeof q.value !== "number") return undefined;
      list += (i === 0 ? "" : ",") + '{"quantile":' + double(q.quantile) + ',"value":' + double(q.value) + "}";
    }
    out += ',"quantileValues":[' + list + "]";
  }
  return out + "}";
}

function isInt32(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

/** Comma-separated decimal strings, or undefined when any entry is not a valid uint64. */
function uint64List(values: readonly number[]): string | undefined {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const s = uint64(values[i]);
    if (s === undefined) return undefined;
    out += (i === 0 ? '"' : ',"') + s + '"';
  }
  return out;
}

/** `,"min":..,"max":..` for the `optional double` fields the data model has (none when count is 0). */
function minMax(min: number | undefined, max: number | undefined): string {
  return (typeof min === "number" ? ',"min":' + double(min) : "") + (typeof max === "number" ? ',"max":' + double(max) : "");
}

/** `,"exemplars":[..]`, or "" when there are none; unreadable exemplars are dropped (reported once). */
function exemplarsField(exemplars: readonly Exemplar[] | undefined, int: boolean): string {
  if (!Array.isArray(exemplars) || exemplars.length === 0) return "";
  let out = "";
  for (let i = 0; i < exemplars.length; i++) {
    let e: string | undefined;
    try {
      e = exemplar(exemplars[i]!, int);
    } catch {
      e = undefined;
    }
    if (e === undefined) {
      diagOnce("warn", "otlp-metric-exemplar", "OTLP metrics encoder: dropped an exemplar with an invalid value or time.");
      continue;
    }
    out += (out === "" ? "" : ",") + e;
  }
  return out === "" ? "" : ',"exemplars":[' + out + "]";
}

/**
 * `Exemplar`: the value typed like the instrument's points; `span_id`/`trace_id` (hex in
 * OTLP/JSON) only when both are valid — the proto makes them optional, and an invalid id
 * would make the receiver reject the request.
 */
function exemplar(e: Exemplar, int: boolean): string | undefined {
  const value = e.value;
  const time = e.time;
  if (typeof value !== "number" || typeof time !== "number" || !Number.isFinite(time)) return undefined;
  const attributes = encodeKeyValueList(e.filteredAttributes);
  let out =
    (attributes === "[]" ? "{" : '{"filteredAttributes":' + attributes + ",") +
    '"timeUnixNano":"' + nanos(time) + '"' + valueField(value, int);
  if (isValidSpanId(e.spanId) && isValidTraceId(e.traceId)) out += ',"spanId":"' + e.spanId + '","traceId":"' + e.traceId + '"';
  return out + "}";
}
