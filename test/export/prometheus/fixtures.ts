// Hand-built metric snapshots for the Prometheus renderer tests (not a suite).
import type { Attributes } from "../../../src/common/attributes.ts";
import type { DataPoint, Exemplar, HistogramValue, MetricData, ResourceMetrics, ScopeMetrics } from "../../../src/metrics/types.ts";

export const DEFAULT_BOUNDARIES: readonly number[] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

export function point<T>(value: T, attributes: Attributes = {}, exemplars: Exemplar[] = []): DataPoint<T> {
  return { attributes, startTime: 0, time: 1000, value, exemplars };
}

export function counter(name: string, points: DataPoint<number>[], unit = "", description = "a counter"): MetricData {
  return { descriptor: { name, description, unit, type: "counter", valueType: 1 }, dataPointType: "sum", temporality: "cumulative", isMonotonic: true, dataPoints: points };
}

export function upDown(name: string, points: DataPoint<number>[], unit = ""): MetricData {
  return { descriptor: { name, description: "an up-down counter", unit, type: "updowncounter", valueType: 1 }, dataPointType: "sum", temporality: "cumulative", isMonotonic: false, dataPoints: points };
}

export function gauge(name: string, points: DataPoint<number>[], unit = "", description = "a gauge"): MetricData {
  return { descriptor: { name, description, unit, type: "gauge", valueType: 1 }, dataPointType: "gauge", dataPoints: points };
}

/** Histogram value from raw observations. */
export function histValue(values: number[], boundaries: readonly number[] = DEFAULT_BOUNDARIES): HistogramValue {
  const counts = new Array(boundaries.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < boundaries.length && v > boundaries[i]!) i++;
    counts[i]++;
  }
  return {
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: values.length ? Math.min(...values) : undefined,
    max: values.length ? Math.max(...values) : undefined,
    boundaries,
    bucketCounts: counts,
  };
}

export function histogram(name: string, points: DataPoint<HistogramValue>[], unit = "", temporality: "cumulative" | "delta" = "cumulative"): MetricData {
  return { descriptor: { name, description: "a histogram", unit, type: "histogram", valueType: 1 }, dataPointType: "histogram", temporality, dataPoints: points };
}

export function scope(name: string, metrics: MetricData[], version?: string): ScopeMetrics {
  return { scope: version === undefined ? { name } : { name, version }, metrics };
}

export function collection(scopes: ScopeMetrics[], resource: Attributes = { "service.name": "svc" }): ResourceMetrics {
  return { resource: { attributes: resource }, scopeMetrics: scopes };
}

/** Parses an exposition into samples: `{ name, labels, value, exemplar? }` (a small test-only parser). */
export function parseSamples(text: string): Array<{ name: string; labels: Record<string, string>; value: string; exemplar?: string }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: string; exemplar?: string }> = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)(?: # (.*))?$/.exec(line);
    if (!m) throw new Error(`unparseable line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let l: RegExpExecArray | null;
      while ((l = re.exec(m[2]))) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    }
    const sample: { name: string; labels: Record<string, string>; value: string; exemplar?: string } = { name: m[1]!, labels, value: m[3]! };
    if (m[4] !== undefined) sample.exemplar = m[4];
    out.push(sample);
  }
  return out;
}
