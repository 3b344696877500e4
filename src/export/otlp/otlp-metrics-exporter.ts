/**
 * The OTLP/HTTP JSON metric exporter: `encodeMetricsBytes` + the shared fetch transport, posting
 * to `/v1/metrics` (spec: protocol/exporter.md; metrics/sdk_exporters/otlp.md).
 *
 * The spec makes the OTLP metrics exporter the owner of the temporality preference
 * ("MUST provide configuration to influence the MetricReader output temporality as a
 * function of instrument kind"), so the exporter carries it and a reader asks
 * `selectAggregationTemporality(instrumentType)`, as in the other OTel SDKs.
 */
import type { Exporter } from "../exporter.ts";
import { createOtlpExporter } from "../otlp-http-exporter.ts";
import type { OtlpExporterOptions } from "../otlp-config.ts";
import type { AggregationTemporality, InstrumentType, ResourceMetrics } from "../../metrics/types.ts";
import { temporalitySelector } from "../../metrics/temporality-preference.ts";
import type { TemporalityPreference } from "../../metrics/temporality-preference.ts";
import { encodeMetricsBytes } from "./metrics-encoder.ts";

/** Options of {@link createOtlpMetricExporter}: the OTLP/HTTP settings plus the temporality preference. */
export interface OtlpMetricExporterOptions extends OtlpExporterOptions {
  /**
   * Which instrument kinds report delta (spec presets; see `temporalitySelector`). Default
   * `cumulative`; `otlpOptionsFromEnv("metrics", env)` reads `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`.
   */
  temporalityPreference?: TemporalityPreference;
}

/** A metric exporter that also tells its reader which temporality to collect per instrument kind. */
export interface OtlpMetricExporter extends Exporter<ResourceMetrics> {
  /** The aggregation temporality the reader should use for `instrumentType`. */
  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality;
}

/**
 * The OTLP/HTTP JSON metric exporter, configured from `options`, else the defaults
 * (`http://localhost:4318/v1/metrics`, 10 s timeout, no compression, cumulative).
 * A batch whose collections hold no data point sends nothing. It reads no environment: pass
 * `otlpOptionsFromEnv("metrics", env, options)` to honour `OTEL_EXPORTER_OTLP_*`.
 *
 * @example
 * ```ts
 * const exporter = createOtlpMetricExporter({ endpoint: "https://collector.example.com", temporalityPreference: "delta" });
 * await exporter.export([collection]);
 * exporter.selectAggregationTemporality("counter"); // "delta"
 * ```
 * @throws TypeError/RangeError for invalid options (see `resolveOtlpConfig`), or an unknown `temporalityPreference`.
 */
export function createOtlpMetricExporter(options: OtlpMetricExporterOptions = {}): OtlpMetricExporter {
  const select = temporalitySelector(options.temporalityPreference ?? "cumulative");
  const exporter = createOtlpExporter<ResourceMetrics>("metrics", encodeMetricsBytes, options);
  return {
    export: (items, exportOptions) => exporter.export(items, exportOptions),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality: (instrumentType) => select(instrumentType),
  };
}
