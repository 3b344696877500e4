/**
 * Everything `init()` reads from `OTEL_*` variables: what they select by name — the diagnostic
 * level (`OTEL_LOG_LEVEL`), the exporters (`OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`,
 * `OTEL_LOGS_EXPORTER`), the sampler (`OTEL_TRACES_SAMPLER(_ARG)`), the propagators
 * (`OTEL_PROPAGATORS`) — and the settings they fill in where the options leave them open: the
 * resource (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`), `OTEL_SDK_DISABLED`, the OTLP
 * exporters (`OTEL_EXPORTER_OTLP_*`), the batch processors (`OTEL_BSP_*`, `OTEL_BLRP_*`), the
 * limits (`OTEL_SPAN_*`, `OTEL_LOGRECORD_*`, `OTEL_ATTRIBUTE_*`), the metric reader
 * (`OTEL_METRIC_EXPORT_INTERVAL`/`_TIMEOUT`) and `OTEL_METRICS_EXEMPLAR_FILTER`.
 *
 * The entries whose runtime has an environment (the core `init`, Node, Deno, Workers) pass
 * {@link ENV_SELECTION} to `initForRuntime`. The browser entry passes its own selection, the
 * spec defaults, because a page has no environment: it bundles none of this (no B3, Jaeger,
 * ratio or rate-limiting code, no name parsing, no environment parsing at all).
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import type { Attributes } from "./common/attributes.ts";
import { diag, parseDiagLogLevel, setDiagLogLevel } from "./common/diag.ts";
import { envBoolean, envEnum, envList, envString, integersFromEnv, warnEnv, type EnvRecord, type IntegerVariables } from "./common/env.ts";
import { otlpOptionsFromEnv, type OtlpExporterOptions, type OtlpSignal } from "./export/otlp-config.ts";
import type { OtlpMetricExporterOptions } from "./export/otlp/otlp-metrics-exporter.ts";
import type { BatchLogRecordProcessorOptions } from "./logs/batch-log-processor.ts";
import type { LogRecordLimits } from "./logs/log-record.ts";
import type { ExemplarFilter } from "./metrics/exemplar.ts";
import { propagatorFromEnv } from "./propagation/from-env.ts";
import type { TextMapPropagator } from "./propagation/text-map.ts";
import { samplerFromEnv } from "./trace/samplers/from-env.ts";
import type { Sampler } from "./trace/samplers/sampler.ts";
import { resourceAttributesFromEnv } from "./resource/detect.ts";
import type { BatchSpanProcessorOptions } from "./trace/batch-span-processor.ts";
import type { SpanLimits } from "./trace/limits.ts";

/** A built-in exporter name. */
export type ExporterName = "otlp" | "console" | "none";

/** The by-name selections `init()` makes from `env` (see the module doc). */
export interface EnvSelection {
  /** Applies `OTEL_LOG_LEVEL` to `diag`; an invalid value warns and changes nothing. */
  logLevel(env: EnvRecord | undefined): void;
  /**
   * The exporters the comma-separated list in `variable` names; `undefined` when it names
   * none (unset or empty), for the default `otlp`.
   */
  exporters(env: EnvRecord | undefined, variable: string): ExporterName[] | undefined;
  /** The sampler `OTEL_TRACES_SAMPLER(_ARG)` selects, else the spec default. */
  sampler(env: EnvRecord | undefined): Sampler;
  /** The propagator `OTEL_PROPAGATORS` selects, else W3C tracecontext + baggage. */
  propagator(env: EnvRecord | undefined): TextMapPropagator;
  /**
   * The options of the OTLP exporter for `signal`: `options`, completed from
   * `OTEL_EXPORTER_OTLP_*` (for metrics, with the temporality preference).
   */
  otlp(signal: OtlpSignal, options: OtlpExporterOptions | undefined, env: EnvRecord | undefined): OtlpMetricExporterOptions;
  /** Resource attributes from `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`. */
  resource(env: EnvRecord | undefined): Attributes;
  /** `OTEL_SDK_DISABLED`; undefined when unset or invalid. */
  disabled(env: EnvRecord | undefined): boolean | undefined;
  /** `OTEL_METRICS_EXEMPLAR_FILTER`; undefined when unset or invalid. */
  exemplarFilter(env: EnvRecord | undefined): ExemplarFilter | undefined;
  /** The numeric settings of `group`: `options`, with the fields they leave unset read from the group's variables. */
  settings<G extends keyof EnvSettings>(group: G, options: EnvSettings[G] | undefined, env: EnvRecord | undefined): EnvSettings[G];
}

/** The groups of numeric settings `init()` completes from the environment. */
export interface EnvSettings {
  /** `OTEL_BSP_*`. */
  spanBatch: BatchSpanProcessorOptions;
  /** `OTEL_BLRP_*`. */
  logBatch: BatchLogRecordProcessorOptions;
  /** `OTEL_SPAN_*_LIMIT`, `OTEL_EVENT_*`, `OTEL_LINK_*`, else `OTEL_ATTRIBUTE_*_LIMIT`. */
  spanLimits: Partial<SpanLimits>;
  /** `OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT`, else `OTEL_ATTRIBUTE_*_LIMIT`. */
  logLimits: Partial<LogRecordLimits>;
  /** `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT`. */
  metricReader: { exportIntervalMillis?: number; exportTimeoutMillis?: number };
}

/**
 * Each setting's variables, most specific first, and its smallest accepted integer (spec:
 * "Environment Variable Specification": batch processors, Span Limits (the span variable wins
 * over the general `OTEL_ATTRIBUTE_*`; events and links have no general fallback), LogRecord
 * Limits, Periodic exporting MetricReader). Delays may be 0; sizes and intervals ≥ 1 (an
 * interval of 0 would collect in a loop without pause); timeouts are spec Timeouts, `0` = no limit.
 */
const INTEGER_SETTINGS: { readonly [G in keyof EnvSettings]: IntegerVariables<EnvSettings[G]> } = {
  spanBatch: {
    scheduledDelayMillis: [0, "OTEL_BSP_SCHEDULE_DELAY"],
    exportTimeoutMillis: ["timeout", "OTEL_BSP_EXPORT_TIMEOUT"],
    maxQueueSize: [1, "OTEL_BSP_MAX_QUEUE_SIZE"],
    maxExportBatchSize: [1, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"],
  },
  logBatch: {
    scheduledDelayMillis: [0, "OTEL_BLRP_SCHEDULE_DELAY"],
    exportTimeoutMillis: ["timeout", "OTEL_BLRP_EXPORT_TIMEOUT"],
    maxQueueSize: [1, "OTEL_BLRP_MAX_QUEUE_SIZE"],
    maxExportBatchSize: [1, "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"],
  },
  spanLimits: {
    attributeCountLimit: [0, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"],
    attributeValueLengthLimit: [0, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"],
    eventCountLimit: [0, "OTEL_SPAN_EVENT_COUNT_LIMIT"],
    linkCountLimit: [0, "OTEL_SPAN_LINK_COUNT_LIMIT"],
    attributePerEventCountLimit: [0, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"],
    attributePerLinkCountLimit: [0, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"],
  },
  logLimits: {
    attributeCountLimit: [0, "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"],
    attributeValueLengthLimit: [0, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"],
  },
  metricReader: {
    exportIntervalMillis: [1, "OTEL_METRIC_EXPORT_INTERVAL"],
    exportTimeoutMillis: ["timeout", "OTEL_METRIC_EXPORT_TIMEOUT"],
  },
};

const EXEMPLAR_FILTERS = ["trace_based", "always_on", "always_off"] as const;

const EXPORTER_NAMES = ["otlp", "console", "none"] as const;

/** Selection from `OTEL_*` variables, for the runtime entries that have an environment. */
export const ENV_SELECTION: EnvSelection = {
  logLevel(env) {
    const name = envString(env, "OTEL_LOG_LEVEL");
    const level = parseDiagLogLevel(name);
    if (level !== undefined) setDiagLogLevel(level);
    else if (name !== undefined) warnEnv("OTEL_LOG_LEVEL", name, "none, error, warn, info, debug, verbose or all");
  },
  exporters: exportersFromEnv,
  sampler: samplerFromEnv,
  propagator: (env) => propagatorFromEnv(envString(env, "OTEL_PROPAGATORS")),
  otlp: (signal, options, env) => otlpOptionsFromEnv(signal, env, options),
  resource: resourceAttributesFromEnv,
  disabled: (env) => envBoolean(env, "OTEL_SDK_DISABLED"),
  exemplarFilter: (env) => envEnum(env, "OTEL_METRICS_EXEMPLAR_FILTER", EXEMPLAR_FILTERS),
  settings: (group, options, env) => integersFromEnv(env, options, INTEGER_SETTINGS[group]),
};

/**
 * The exporters named in `variable`. Unknown names warn and are skipped; `none` anywhere in
 * the list means none; `prometheus` in `OTEL_METRICS_EXPORTER` pushes nothing (a pull exporter).
 */
function exportersFromEnv(env: EnvRecord | undefined, variable: string): ExporterName[] | undefined {
  const names = envList(env, variable);
  if (!names || names.length === 0) return undefined;
  const chosen: ExporterName[] = [];
  const unknown: string[] = [];
  let pull = false;
  for (const name of names) {
    const lower = name.toLowerCase();
    const known = EXPORTER_NAMES.find((n) => n === lower);
    if (known !== undefined) {
      if (!chosen.includes(known)) chosen.push(known);
    } else if (lower === "prometheus" && variable === "OTEL_METRICS_EXPORTER") {
      // A pull exporter: nothing is pushed; Prometheus scrapes the handler the app serves.
      pull = true;
      diag.info('OTEL_METRICS_EXPORTER=prometheus: serve prometheusHandler(sdk) from "otel-edge/prometheus" for Prometheus to scrape.');
    } else unknown.push(name);
  }
  if (unknown.length > 0) {
    // One warning for the variable, however many names it got wrong.
    warnEnv(variable, unknown.join(","), "a comma-separated list of otlp, console, none", chosen.length === 0 && !pull ? "using otlp" : "skipped");
  }
  if (chosen.length === 0) return pull ? ["none"] : undefined;
  return chosen.includes("none") ? ["none"] : chosen;
}
