/**
 * A metric exporter for development (`OTEL_METRICS_EXPORTER=console`): one readable line
 * per data point, written with `console.log` looked up at call time.
 */
import type { Exporter, ExportResult } from "./exporter.ts";
import type { DataPoint, MetricData, ResourceMetrics } from "../metrics/types.ts";

/** Prints collected metrics to the console. */
export class ConsoleMetricExporter implements Exporter<ResourceMetrics> {
  export(items: ResourceMetrics[]): Promise<ExportResult> {
    const log = (globalThis as { console?: { log?: (...a: unknown[]) => void } }).console?.log;
    if (typeof log === "function") {
      for (const rm of items) {
        for (const scope of rm.scopeMetrics) {
          for (const metric of scope.metrics) {
            for (const point of metric.dataPoints as ReadonlyArray<DataPoint<unknown>>) {
              try {
                log(formatPoint(metric, point));
              } catch {
                // A broken console must not fail the export loop.
              }
            }
          }
        }
      }
    }
    return Promise.resolve({ code: 0 /* ExportResultCode.SUCCESS */ });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** `name{k="v"} <value> [unit]` with a readable rendering of histogram and summary values. */
export function formatPoint(metric: MetricData, point: DataPoint<unknown>): string {
  const labels = Object.entries(point.attributes)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",");
  const { name, unit } = metric.descriptor;
  const v = point.value as Record<string, unknown> | number;
  let value: string;
  if (typeof v === "number") value = String(v);
  else if (metric.dataPointType === "summary") {
    const s = v as unknown as { count: number; sum: number; quantiles: Array<{ quantile: number; value: number }> };
    value = `count=${s.count} sum=${s.sum} ${s.quantiles.map((q) => `p${q.quantile * 100}=${q.value}`).join(" ")}`;
  } else {
    const h = v as { count?: number; sum?: number; min?: number; max?: number };
    value = `count=${h.count} sum=${h.sum} min=${h.min} max=${h.max}`;
  }
  return `${name}{${labels}} ${value}${unit ? ` ${unit}` : ""} (${metric.dataPointType})`;
}
