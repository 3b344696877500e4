/**
 * Where the Prometheus handler and the Pushgateway client get their metrics: a reader the
 * caller already registered, or a meter provider (or SDK) to which we attach one
 * cumulative manual reader — once per provider, shared by every handler and push, because
 * each reader keeps its own cumulative state and a provider should not pay for it twice.
 */
import type { ResourceMetrics } from "../../metrics/types.ts";
import { ManualMetricReader, type MetricReader } from "../../metrics/reader.ts";

/** Anything that can collect a snapshot (a metric reader). */
export interface MetricCollector {
  collect(): Promise<{ readonly resourceMetrics: ResourceMetrics | readonly ResourceMetrics[]; readonly errors?: readonly unknown[] }>;
}

/** A meter provider (anything that accepts a metric reader). */
export interface MetricReaderHost {
  addMetricReader(reader: MetricReader): void;
}

/** What the handler and Pushgateway client accept: a reader, a meter provider, or an SDK with `meterProvider`. */
export type MetricsSource = MetricCollector | MetricReaderHost | { readonly meterProvider?: MetricReaderHost };

const readers = new WeakMap<object, MetricCollector>();

/**
 * Returns the collector for `source`, registering one cumulative {@link ManualMetricReader}
 * with a provider the first time it is seen. Throws TypeError for anything else
 * (configuration error at construction).
 */
export function resolveCollector(source: MetricsSource, what: string): MetricCollector {
  if (source === null || typeof source !== "object") throw new TypeError(`${what}: expected a meter provider, an SDK with meterProvider, or a metric reader`);
  // A provider (or SDK) first: it might also have a `collect` of another shape.
  const host = typeof (source as MetricReaderHost).addMetricReader === "function"
    ? (source as MetricReaderHost)
    : (source as { meterProvider?: MetricReaderHost }).meterProvider;
  if (!host || typeof host.addMetricReader !== "function") {
    if (typeof (source as MetricCollector).collect === "function") return source as MetricCollector;
    if ("meterProvider" in source) throw new TypeError(`${what}: this SDK has no metrics: pass the metrics part to init(), parts: [metricsSdk()]`);
    throw new TypeError(`${what}: expected a meter provider, an SDK with meterProvider, or a metric reader`);
  }
  let reader = readers.get(host);
  if (reader === undefined) {
    const manual = new ManualMetricReader({ temporality: "cumulative" });
    host.addMetricReader(manual);
    reader = manual;
    readers.set(host, reader);
  }
  return reader;
}

/** Collects from `collector` and normalizes to a list of resource snapshots. */
export async function collectAll(collector: MetricCollector): Promise<{ collections: readonly ResourceMetrics[]; errors: readonly unknown[] }> {
  const result = await collector.collect();
  const rm = result.resourceMetrics;
  const collections = Array.isArray(rm) ? (rm as readonly ResourceMetrics[]) : [rm as ResourceMetrics];
  return { collections, errors: result.errors ?? [] };
}
