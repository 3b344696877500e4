/**
 * The metrics part: a {@link MeterProvider} with the options' views, cardinality limit and
 * exemplar filter, the user's readers, and one periodic exporting reader per chosen exporter —
 * OTLP by default. Registered as the global meter provider.
 */
import { diag } from "../common/diag.ts";
import { createOtlpMetricExporter } from "../export/otlp/otlp-metrics-exporter.ts";
import type { Exporter } from "../export/exporter.ts";
import { MeterProvider } from "../metrics/meter-provider.ts";
import { metrics } from "../metrics/metrics-api.ts";
import { PeriodicExportingMetricReader } from "../metrics/periodic-reader.ts";
import type { ExemplarFilter } from "../metrics/exemplar.ts";
import type { MetricReader } from "../metrics/reader.ts";
import type { ResourceMetrics } from "../metrics/types.ts";
import { chosenExporters, consolePipeline } from "./exporter-choice.ts";
import type { SdkPart } from "./part.ts";
import { SELF_OBSERVABILITY_SCOPE } from "./self-observability.ts";
import { sumReaderStats, type HasReaderStats } from "./sdk-stats.ts";
import { VERSION } from "../version.ts";

/** The values of `options.exemplarFilter` and `OTEL_METRICS_EXEMPLAR_FILTER` (spec: Metrics SDK, "ExemplarFilter"). */
const EXEMPLAR_FILTERS: readonly ExemplarFilter[] = ["trace_based", "always_on", "always_off"];

/**
 * Metrics: instruments from `metrics.getMeter()`, read periodically and exported as the options
 * (or `OTEL_METRICS_EXPORTER`) say — OTLP/HTTP JSON by default; `prometheusHandler(sdk)` serves
 * them to Prometheus. The Node, Deno, Bun and core entries have it; Workers and pages import it.
 *
 * @example
 * ```ts
 * import { init, metricsSdk, metrics } from "otel-edge/workers";
 * init({ env, parts: [metricsSdk()] });
 * metrics.getMeter("edge-api").createCounter("orders").add(1);
 * ```
 */
export function metricsSdk(): SdkPart {
  return {
    kind: "metrics",
    start(build) {
      const { options, env, resource, select, selfObservability: selfObs } = build;
      if (build.disabled) {
        const provider = (build.meterProvider = new MeterProvider({ resource }));
        void provider.shutdown();
        return;
      }
      const exporting: HasReaderStats[] = [];
      const readers: MetricReader[] = [];
      const settings = select.settings("metricReader", { exportIntervalMillis: options.metricExportIntervalMillis, exportTimeoutMillis: options.metricExportTimeoutMillis }, env);
      const interval = settings.exportIntervalMillis ?? 60000;
      const timeout = settings.exportTimeoutMillis ?? 30000;
      for (const choice of chosenExporters(build, options.metricExporter, "OTEL_METRICS_EXPORTER", prometheusPull)) {
        if (choice === "none") continue;
        let exporter: Exporter<ResourceMetrics> | undefined;
        const otlp = choice === "otlp" ? select.otlp("metrics", options.otlp, env) : undefined;
        // Without metricTemporality, the reader follows the OTLP exporter's temporalityPreference.
        if (otlp) exporter = createOtlpMetricExporter(otlp);
        else if (choice === "console") {
          exporter = consolePipeline(select.consoleMetrics, options.metricExporter !== undefined, "metricExporter", "OTEL_METRICS_EXPORTER");
          if (!exporter) continue;
        } else exporter = choice as Exporter<ResourceMetrics>;
        const wiring = choice === "console" ? undefined : selfObs?.exportPipeline("metric", exporter, otlp);
        const reader = new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: interval,
          // Spec: the timeout must not exceed the interval.
          exportTimeoutMillis: Math.min(timeout, interval),
          temporality: options.metricTemporality,
          onExport: wiring?.onExport,
        });
        wiring?.attach(reader);
        if (choice !== "console") exporting.push(reader);
        readers.push(reader);
      }
      const provider = (build.meterProvider = new MeterProvider({
        resource,
        readers: [...readers, ...(options.metricReaders ?? [])],
        views: options.views,
        cardinalityLimit: options.cardinalityLimit,
        exemplarFilter: options.exemplarFilter ?? select.choice(env, "OTEL_METRICS_EXEMPLAR_FILTER", EXEMPLAR_FILTERS),
        onCollect: selfObs?.onCollect,
      }));
      selfObs?.register(provider.getMeter(SELF_OBSERVABILITY_SCOPE, VERSION));
      return {
        register: () => void metrics.setGlobalMeterProvider(provider),
        flush: () => provider.forceFlush(),
        shutdown: () => provider.shutdown(),
        stats: () => sumReaderStats(exporting),
      };
    },
  };
}

/**
 * `prometheus` in `OTEL_METRICS_EXPORTER`: a pull exporter, so nothing is pushed; Prometheus
 * scrapes the handler the app serves. Said here, so programs without metrics do not carry it.
 */
function prometheusPull(name: string): boolean {
  if (name !== "prometheus") return false;
  diag.info('OTEL_METRICS_EXPORTER=prometheus: serve prometheusHandler(sdk) from "otel-edge/prometheus" for Prometheus to scrape.');
  return true;
}
