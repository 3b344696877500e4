/**
 * How `init()` fills in what the options leave open. Three selections, one per kind of entry:
 *
 * - {@link ENV_SETTINGS}: the settings `OTEL_*` variables give — the resource
 *   (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`), `OTEL_SDK_DISABLED`, `OTEL_LOG_LEVEL`, the
 *   OTLP exporters (`OTEL_EXPORTER_OTLP_*`), the batch processors (`OTEL_BSP_*`, `OTEL_BLRP_*`),
 *   the limits (`OTEL_SPAN_*`, `OTEL_LOGRECORD_*`, `OTEL_ATTRIBUTE_*`), the metric reader
 *   (`OTEL_METRIC_EXPORT_*`), `OTEL_METRICS_EXEMPLAR_FILTER` and the exporter lists
 *   (`otlp`/`none`) — with the spec's default sampler and propagators. What selects code by name
 *   (`OTEL_TRACES_SAMPLER`, `OTEL_PROPAGATORS` other than the default, `console` exporters) is
 *   not bundled: it warns once, saying which import brings it. The Workers entry uses it.
 * - {@link ENV_SELECTION}: the same, plus every choice by name; the Node, Deno, Bun and core
 *   entries use it, and the `selectByName()` part brings it anywhere.
 * - `SPEC_DEFAULTS` (`spec-defaults.ts`): no environment at all, for the browser.
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import type { Attributes } from "../common/attributes.ts";
import { parseDiagLogLevel, setDiagLogLevel } from "../common/diag.ts";
import { envBoolean, envEnum, envList, envString, integersFromEnv, warnEnv, type EnvRecord, type IntegerVariables } from "../common/env.ts";
import { otlpOptionsFromEnv, type OtlpExporterOptions, type OtlpSignal } from "../export/otlp-config.ts";
import type { OtlpMetricExporterOptions } from "../export/otlp/otlp-metrics-exporter.ts";
import type { BatchLogRecordProcessorOptions } from "../logs/batch-log-processor.ts";
import type { LogRecordLimits } from "../logs/log-record.ts";
import type { Exporter } from "../export/exporter.ts";
import type { LogRecordProcessor } from "../logs/types.ts";
import type { ResourceMetrics } from "../metrics/types.ts";
import { propagatorFromEnv } from "../propagation/from-env.ts";
import type { TextMapPropagator } from "../propagation/text-map.ts";
import { resourceAttributesFromEnv } from "../resource/detect.ts";
import { samplerFromEnv } from "../trace/samplers/from-env.ts";
import type { Sampler } from "../trace/samplers/sampler.ts";
import type { SpanProcessor } from "../trace/types.ts";
import { consoleLogProcessor, consoleMetricExporter, consoleSpanProcessor } from "./console-pipelines.ts";
import { DEFAULT_PROPAGATOR, DEFAULT_SAMPLER } from "./spec-defaults.ts";
import type { BatchSpanProcessorOptions } from "../trace/batch-span-processor.ts";
import type { SpanLimits } from "../trace/limits.ts";

/** A built-in exporter name. */
export type ExporterName = "otlp" | "console" | "none";

/** How `init()` fills in what the options leave open (see the module doc). */
export interface EnvSelection {
  /** Applies `OTEL_LOG_LEVEL` to `diag`; an invalid value warns and changes nothing. */
  logLevel(env: EnvRecord | undefined): void;
  /**
   * The exporters the comma-separated list in `variable` names; `undefined` when it names
   * none (unset or empty), for the default `otlp`. A name `pull` accepts (lower-cased) names a
   * pull exporter: nothing is pushed for it, and it is not reported as unknown.
   */
  exporters(env: EnvRecord | undefined, variable: string, pull?: (name: string) => boolean): ExporterName[] | undefined;
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
  /**
   * The value of `variable` among `allowed` (case-insensitive), e.g. `OTEL_METRICS_EXEMPLAR_FILTER`;
   * undefined when unset or invalid (an invalid value warns). The part that reads the variable
   * holds the allowed values, so a program without it bundles none.
   */
  choice<T extends string>(env: EnvRecord | undefined, variable: string, allowed: readonly T[]): T | undefined;
  /** The numeric settings of `group`: `options`, with the fields they leave unset read from the group's variables. */
  settings<G extends keyof EnvSettings>(group: G, options: EnvSettings[G] | undefined, env: EnvRecord | undefined): EnvSettings[G];
  /** The `console` span pipeline, where this selection chooses by name. */
  consoleSpans?(): SpanProcessor;
  /** The `console` metric exporter, where this selection chooses by name. */
  consoleMetrics?(): Exporter<ResourceMetrics>;
  /** The `console` log pipeline (JSON lines), where this selection chooses by name. */
  consoleLogs?(): LogRecordProcessor;
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
/** The variables of a batch processor, `OTEL_BSP_*` or `OTEL_BLRP_*`. */
function batchVariables(prefix: string): IntegerVariables<BatchSpanProcessorOptions> {
  return {
    scheduledDelayMillis: [0, prefix + "SCHEDULE_DELAY"],
    exportTimeoutMillis: ["timeout", prefix + "EXPORT_TIMEOUT"],
    maxQueueSize: [1, prefix + "MAX_QUEUE_SIZE"],
    maxExportBatchSize: [1, prefix + "MAX_EXPORT_BATCH_SIZE"],
  };
}

const INTEGER_SETTINGS: { readonly [G in keyof EnvSettings]: IntegerVariables<EnvSettings[G]> } = {
  spanBatch: /* @__PURE__ */ batchVariables("OTEL_BSP_"),
  logBatch: /* @__PURE__ */ batchVariables("OTEL_BLRP_"),
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

/**
 * Says once that `variable` chooses by name, which this program does not import, when it is set
 * to something other than the spec default `defaultValue`.
 */
function notByName(env: EnvRecord | undefined, variable: string, defaultValue: string): void {
  const value = envString(env, variable);
  if (value !== undefined && value.replace(/\s/g, "").toLowerCase() !== defaultValue) {
    warnEnv(variable, value, `${defaultValue}, or another value once the program imports the choice by name (parts: [selectByName()])`);
  }
}

/** The settings `OTEL_*` variables give, without the choices by name (see the module doc). */
export const ENV_SETTINGS: EnvSelection = {
  logLevel(env) {
    const name = envString(env, "OTEL_LOG_LEVEL");
    const level = parseDiagLogLevel(name);
    if (level !== undefined) setDiagLogLevel(level);
    else if (name !== undefined) warnEnv("OTEL_LOG_LEVEL", name, "none, error, warn, info, debug, verbose or all");
  },
  exporters: exportersFromEnv,
  sampler(env) {
    notByName(env, "OTEL_TRACES_SAMPLER", "parentbased_always_on");
    return DEFAULT_SAMPLER();
  },
  propagator(env) {
    notByName(env, "OTEL_PROPAGATORS", "tracecontext,baggage");
    return DEFAULT_PROPAGATOR();
  },
  otlp: (signal, options, env) => otlpOptionsFromEnv(signal, env, options),
  resource: resourceAttributesFromEnv,
  disabled: (env) => envBoolean(env, "OTEL_SDK_DISABLED"),
  choice: envEnum,
  settings: (group, options, env) => integersFromEnv(env, options, INTEGER_SETTINGS[group]),
};

/** {@link ENV_SETTINGS} with every choice by name: samplers, propagators, console exporters. */
export const ENV_SELECTION: EnvSelection = /* @__PURE__ */ Object.assign({}, ENV_SETTINGS, {
  sampler: samplerFromEnv,
  propagator: (env: EnvRecord | undefined) => propagatorFromEnv(envString(env, "OTEL_PROPAGATORS")),
  consoleSpans: consoleSpanProcessor,
  consoleMetrics: consoleMetricExporter,
  consoleLogs: consoleLogProcessor,
});

/**
 * The exporters named in `variable`. Unknown names warn and are skipped; `none` anywhere in
 * the list means none; a name `pull` accepts (the metrics part's `prometheus`) pushes nothing.
 */
function exportersFromEnv(env: EnvRecord | undefined, variable: string, pull?: (name: string) => boolean): ExporterName[] | undefined {
  const chosen = new Set<ExporterName>();
  const unknown: string[] = [];
  let pulled = false;
  for (const name of envList(env, variable) ?? []) {
    const lower = name.toLowerCase();
    if (lower === "otlp" || lower === "console" || lower === "none") chosen.add(lower);
    else if (pull?.(lower)) pulled = true;
    else unknown.push(name);
  }
  // One warning for the variable, however many names it got wrong.
  if (unknown.length > 0) warnEnv(variable, unknown.join(","), "a comma-separated list of otlp, console, none", chosen.size > 0 || pulled ? "skipped" : "using otlp");
  if (chosen.has("none") || (pulled && chosen.size === 0)) return ["none"];
  return chosen.size > 0 ? [...chosen] : undefined;
}
