import { MeterProvider, type MeterProviderOptions } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader, type MetricReaderOptions } from "../../src/metrics/reader.ts";
import type { DataPoint, MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
export { captureDiag } from "../helpers/capture-diag.ts";

export function setup(options: MeterProviderOptions = {}, readerOptions: MetricReaderOptions = {}) {
  const reader = new ManualMetricReader(readerOptions);
  const provider = new MeterProvider({ ...options, readers: [reader, ...(options.readers ?? [])] });
  const meter = provider.getMeter("test", "1.0.0");
  return { reader, provider, meter };
}

export function allMetrics(rm: ResourceMetrics): MetricData[] {
  return rm.scopeMetrics.flatMap((s) => s.metrics);
}

export async function collectMetrics(reader: ManualMetricReader): Promise<MetricData[]> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length) throw new Error(`unexpected errors: ${errors.map(String).join("; ")}`);
  return allMetrics(resourceMetrics);
}

export function metric(metrics: MetricData[], name: string): MetricData {
  const m = metrics.filter((x) => x.descriptor.name === name);
  if (m.length !== 1) throw new Error(`expected one metric ${name}, got ${m.length}: ${metrics.map((x) => x.descriptor.name).join(",")}`);
  return m[0];
}

/** Points as `{attrs-json: value}` for compact assertions. */
export function byAttrs(m: MetricData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of m.dataPoints as ReadonlyArray<DataPoint<unknown>>) out[JSON.stringify(sortObj(p.attributes))] = p.value;
  return out;
}

function sortObj(o: object): object {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The seeded PRNG, shared with the fuzz suites. */
export { mulberry32 } from "../fuzz/prng.ts";
