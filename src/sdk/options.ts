/**
 * The options of `init()`. One flat set for every runtime entry and every part: each part
 * reads the options that concern it (the traces part `traceExporter`, `sampler`, `batch`, ...),
 * and `init()` refuses an option whose part the SDK does not have (see `init.ts`).
 */
import type { Attributes } from "../common/attributes.ts";
import type { EnvRecord } from "../common/env.ts";
import type { ContextManager } from "../context/manager.ts";
import type { Exporter } from "../export/exporter.ts";
import type { OtlpExporterOptions } from "../export/otlp-config.ts";
import type { BatchLogRecordProcessorOptions } from "../logs/batch-log-processor.ts";
import type { BridgeConsoleOptions } from "../logs/console-bridge.ts";
import type { LogRecordLimits } from "../logs/log-record.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../logs/types.ts";
import type { ExemplarFilter } from "../metrics/exemplar.ts";
import type { MetricReader } from "../metrics/reader.ts";
import type { TemporalityOption } from "../metrics/temporality.ts";
import type { ResourceMetrics } from "../metrics/types.ts";
import type { View } from "../metrics/view.ts";
import type { TextMapPropagator } from "../propagation/text-map.ts";
import type { Resource } from "../resource/resource.ts";
import type { BatchSpanProcessorOptions } from "../trace/batch-span-processor.ts";
import type { IdGenerator } from "../trace/ids.ts";
import type { SpanLimits } from "../trace/limits.ts";
import type { Sampler } from "../trace/samplers/sampler.ts";
import type { ReadableSpan, SpanProcessor } from "../trace/types.ts";
import type { SdkPart } from "./part.ts";

/** Where a signal goes: a built-in exporter by name, or your own. */
export type ExporterChoice<T> = "otlp" | "console" | "none" | Exporter<T>;
/** Where finished spans go. */
export type TraceExporterChoice = ExporterChoice<ReadableSpan>;

/** Options for {@link init}. Every field is optional; options win over `env`. */
export interface InitOptions {
  /** `service.name`; else `OTEL_SERVICE_NAME`, else `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service`. */
  serviceName?: string;
  /** `service.version`. */
  serviceVersion?: string;
  /** `deployment.environment.name`. */
  deploymentEnvironment?: string;
  /** Extra resource attributes (win over `OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes?: Attributes;
  /** A complete resource, replacing the one built from the fields above. */
  resource?: Resource;
  /** Environment variables to read `OTEL_*` settings from. Runtime entries pass theirs by default. */
  env?: EnvRecord;
  /** Disable the SDK (no-op tracer) regardless of `OTEL_SDK_DISABLED`. */
  disabled?: boolean;
  /** Span exporter; default `OTEL_TRACES_EXPORTER`, else `"otlp"`. */
  traceExporter?: TraceExporterChoice;
  /**
   * OTLP/HTTP JSON exporter settings, shared by the three signals: `endpoint` is the base URL
   * (`/v1/traces`, `/v1/metrics`, `/v1/logs` are appended), so a signal's full `url` is refused
   * here (give that signal its own exporter instead).
   */
  otlp?: Omit<OtlpExporterOptions, "url">;
  /** Batch span processor settings; default `OTEL_BSP_*`, else 5000 ms / 30000 ms / 2048 / 512. */
  batch?: Partial<BatchSpanProcessorOptions>;
  /** Extra span processors, called before the exporting one. */
  spanProcessors?: SpanProcessor[];
  /** Sampler; default `OTEL_TRACES_SAMPLER`/`_ARG`, else `parentbased_always_on`. */
  sampler?: Sampler;
  /** Span limits; default `OTEL_SPAN_*`/`OTEL_ATTRIBUTE_*`, else 128 each. */
  spanLimits?: Partial<SpanLimits>;
  /** Propagator; default `OTEL_PROPAGATORS`, else W3C tracecontext + baggage. */
  propagator?: TextMapPropagator;
  /** Context manager; default: detected from the runtime (runtime entries pass AsyncLocalStorage). */
  contextManager?: ContextManager;
  /** Trace/span id generator; default random. */
  idGenerator?: IdGenerator;

  /** Metric exporter, read periodically; default `OTEL_METRICS_EXPORTER`, else `"otlp"`. */
  metricExporter?: ExporterChoice<ResourceMetrics>;
  /**
   * Collection interval of the exporting reader; default `OTEL_METRIC_EXPORT_INTERVAL`, else
   * 60000 ms. `Infinity` arms no timer: metrics are exported on `flush()` only (Workers, serverless).
   */
  metricExportIntervalMillis?: number;
  /** Bound on one collect + export; default `OTEL_METRIC_EXPORT_TIMEOUT`, else 30000 ms. */
  metricExportTimeoutMillis?: number;
  /**
   * Temporality of the exporting reader: `"cumulative"`, `"delta"` (serverless push),
   * `"lowmemory"`, or a function of the instrument type. Default: the OTLP exporter's
   * preference (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`), else cumulative.
   */
  metricTemporality?: TemporalityOption;
  /** More metric readers (e.g. a `ManualMetricReader` for tests). */
  metricReaders?: MetricReader[];
  /** Views (rename, re-aggregate, filter attributes, drop). */
  views?: View[];
  /** Attribute sets per metric stream before the overflow series; default 2000. */
  cardinalityLimit?: number;
  /** Which measurements become exemplars; default `OTEL_METRICS_EXEMPLAR_FILTER`, else `trace_based`. */
  exemplarFilter?: ExemplarFilter;

  /** Log exporter; default `OTEL_LOGS_EXPORTER`, else `"otlp"`. `"console"` writes JSON lines. */
  logExporter?: ExporterChoice<ReadableLogRecord>;
  /** Batch log processor settings; default `OTEL_BLRP_*`, else 1000 ms / 30000 ms / 2048 / 512. */
  logBatch?: BatchLogRecordProcessorOptions;
  /** Extra log record processors, called before the exporting one. */
  logProcessors?: LogRecordProcessor[];
  /** Log record limits; default `OTEL_LOGRECORD_*` / `OTEL_ATTRIBUTE_*`, else 128 / unlimited. */
  logLimits?: Partial<LogRecordLimits>;
  /**
   * Turn `console.*` calls into log records (restored on `shutdown()`). Default off. The Node,
   * Deno and core entries add the {@link consoleBridge} part for it; elsewhere pass that part.
   */
  bridgeConsole?: boolean | BridgeConsoleOptions;
  /**
   * `false` turns the {@link selfObservability} part off. The metrics it reports
   * (`otel.sdk.processor.span.queue.size`, ...) come with that part, imported and passed in
   * `parts`; `true` without it throws, naming the import.
   */
  selfObservability?: boolean;
  /**
   * The parts this SDK is composed of, beside those the runtime entry passes: a signal
   * ({@link tracesSdk}, {@link metricsSdk}, {@link logsSdk}), the by-name `OTEL_*` selection
   * ({@link selectByName}), {@link selfObservability}, {@link consoleBridge}. A part replaces
   * the entry's part of the same kind. What the program does not import is not bundled.
   */
  parts?: SdkPart[];
}

