/**
 * `init()`: the one call users make. It reads options first, then the `env` record the
 * caller passes (any runtime: `process.env`, `Deno.env.toObject()`, a Workers `env`),
 * builds the resource, sampler, processors and exporter, registers the global tracer
 * provider, context manager and propagator, and returns handles to flush and shut down.
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import type { Attributes } from "./common/attributes.ts";
import { diag } from "./common/diag.ts";
import type { EnvRecord } from "./common/env.ts";
import { context } from "./context/context-api.ts";
import { ENV_SELECTION, type EnvSelection } from "./env-selection.ts";
import type { ContextManager } from "./context/manager.ts";
import { ConsoleSpanExporter } from "./export/console-exporter.ts";
import { ConsoleMetricExporter } from "./export/console-metric-exporter.ts";
import { batchSettings } from "./export/batch-settings.ts";
import type { Exporter } from "./export/exporter.ts";
import { resolveOtlpConfig, type OtlpExporterOptions, type OtlpSignal } from "./export/otlp-config.ts";
import { createOtlpTraceExporter } from "./export/otlp-http-exporter.ts";
import { createOtlpLogExporter } from "./export/otlp/otlp-logs-exporter.ts";
import { createOtlpMetricExporter } from "./export/otlp/otlp-metrics-exporter.ts";
import { checkInitOptions } from "./init-options-check.ts";
import { BatchLogRecordProcessor, DEFAULT_BLRP_OPTIONS, type BatchLogRecordProcessorOptions } from "./logs/batch-log-processor.ts";
import { bridgeConsole, type BridgeConsoleOptions } from "./logs/console-bridge.ts";
import { JsonLinesLogProcessor } from "./logs/json-lines.ts";
import type { LogRecordLimits } from "./logs/log-record.ts";
import { LoggerProvider } from "./logs/logger-provider.ts";
import { logs } from "./logs/logs-api.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "./logs/types.ts";
import type { ExemplarFilter } from "./metrics/exemplar.ts";
import { MeterProvider } from "./metrics/meter-provider.ts";
import { metrics } from "./metrics/metrics-api.ts";
import { PeriodicExportingMetricReader } from "./metrics/periodic-reader.ts";
import type { MetricReader } from "./metrics/reader.ts";
import type { TemporalityOption } from "./metrics/temporality.ts";
import type { ResourceMetrics } from "./metrics/types.ts";
import type { View } from "./metrics/view.ts";
import { propagation } from "./propagation/propagation-api.ts";
import type { TextMapPropagator } from "./propagation/text-map.ts";
import { buildResourceWith } from "./resource/detect.ts";
import type { Resource } from "./resource/resource.ts";
import { emptySignalStats, sumBatcherStats, sumReaderStats, type HasBatcherStats, type HasReaderStats, type SdkStats } from "./sdk-stats.ts";
import { exporterTypeName, SELF_OBSERVABILITY_SCOPE, SelfObservability, type SelfObservedExport } from "./self-observability.ts";
import { BatchSpanProcessor, DEFAULT_BSP_OPTIONS, type BatchSpanProcessorOptions } from "./trace/batch-span-processor.ts";
import type { IdGenerator } from "./trace/ids.ts";
import type { SpanLimits } from "./trace/limits.ts";
import type { Sampler } from "./trace/samplers/sampler.ts";
import { SimpleSpanProcessor } from "./trace/simple-span-processor.ts";
import { trace } from "./trace/trace-api.ts";
import { BasicTracerProvider } from "./trace/tracer-provider.ts";
import type { ReadableSpan, SpanProcessor } from "./trace/types.ts";
import { VERSION } from "./version.ts";

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
  /** Turn `console.*` calls into log records (restored on `shutdown()`). Default off. */
  bridgeConsole?: boolean | BridgeConsoleOptions;
  /**
   * Report the SDK's own queues and exports as metrics following the OpenTelemetry semantic
   * conventions for SDK metrics (`otel.sdk.processor.span.queue.size`, `otel.sdk.exporter.span.exported`
   * with `error.type`, `otel.sdk.metric_reader.collection.duration`, ...), through this SDK's
   * meter provider. Default off.
   */
  selfObservability?: boolean;
}

/** What {@link init} returns. */
export interface Sdk {
  /** The tracer provider (also registered globally, so `trace.getTracer()` uses it). */
  readonly tracerProvider: BasicTracerProvider;
  /** The meter provider (registered globally for `metrics.getMeter()`). */
  readonly meterProvider: MeterProvider;
  /** The logger provider (registered globally for `logs.getLogger()` and `createLog()`). */
  readonly loggerProvider: LoggerProvider;
  /** The resource every signal carries. */
  readonly resource: Resource;
  /** True when the SDK was disabled (`OTEL_SDK_DISABLED=true` or `disabled: true`). */
  readonly disabled: boolean;
  /** Exports every span, log record and metric recorded so far. Resolves (never rejects) when done or timed out. */
  flush(): Promise<void>;
  /** Flushes, then stops all processing. Later spans are not recorded. Never rejects. */
  shutdown(): Promise<void>;
  /**
   * Per signal: queue size and capacity, items in flight, exported, dropped and failed, with
   * the causes (`queue_full`, `timeout`, `"503"`, `rejected`, ...). See {@link SdkStats}.
   *
   * @example
   * ```ts
   * const { traces } = sdk.stats();
   * if (traces.dropped > 0) console.warn("spans dropped", traces.droppedByReason);
   * ```
   */
  stats(): SdkStats;
}

/** What a runtime entry (`src/runtime/*`) adds to `init()`: its defaults, not the user's. */
export interface RuntimeDefaults {
  /** `telemetry.sdk.language`, e.g. `nodejs`. */
  sdkLanguage?: string;
  /** `service.name` when none is configured, e.g. `unknown_service:node`. */
  defaultServiceName?: string;
  /**
   * What `init()` uses where the options leave the log level, exporters, sampler or
   * propagators open: the entries with an environment pass {@link ENV_SELECTION} (`OTEL_*`
   * variables, then the spec defaults); the browser passes the spec defaults only, so it
   * bundles none of the by-name selection.
   */
  select: EnvSelection;
}

let current: Sdk | undefined;

/**
 * Starts the SDK and registers it globally.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge";
 * const sdk = init({ serviceName: "checkout" });
 * await trace.getTracer("app").startActiveSpan("work", async (span) => {
 *   try { await doWork(); } finally { span.end(); }
 * });
 * await sdk.flush();
 * ```
 */
export function init(options: InitOptions = {}): Sdk {
  return initForRuntime(options, { select: ENV_SELECTION });
}

/** {@link init} with a runtime entry's defaults. */
export function initForRuntime(options: InitOptions, runtime: RuntimeDefaults): Sdk {
  // Malformed options are configuration errors: thrown before anything is registered.
  checkInitOptions(options);
  const env = options.env;
  const select = runtime.select;
  select.logLevel(env);

  const resource =
    options.resource ??
    buildResourceWith(
      {
        serviceName: options.serviceName,
        serviceVersion: options.serviceVersion,
        deploymentEnvironment: options.deploymentEnvironment,
        attributes: options.resourceAttributes,
        sdkVersion: VERSION,
        sdkLanguage: runtime.sdkLanguage,
        defaultServiceName: runtime.defaultServiceName,
      },
      select.resource(env),
    );

  if (current) diag.warn("init() called again while the previous SDK is running: the new one replaces it globally; the old one keeps its queued data until you shut it down.");

  const disabled = options.disabled ?? select.disabled(env) ?? false;
  if (disabled) {
    // Spec: OTEL_SDK_DISABLED gives a no-op SDK for all signals; globals are left untouched.
    const provider = new BasicTracerProvider({ resource, sampler: ALWAYS_DROP });
    const meterProvider = new MeterProvider({ resource });
    const loggerProvider = new LoggerProvider({ resource });
    void provider.shutdown();
    void meterProvider.shutdown();
    void loggerProvider.shutdown();
    const stats = (): SdkStats => ({ traces: emptySignalStats(), logs: emptySignalStats(), metrics: emptySignalStats() });
    return { tracerProvider: provider, meterProvider, loggerProvider, resource, disabled: true, flush: resolved, shutdown: resolved, stats };
  }

  const selfObs = options.selfObservability === true ? new SelfObservability() : undefined;
  const counted: Counted = { traces: [], logs: [], metrics: [] };
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (selfObs) processors.unshift(selfObs.liveSpanProcessor());
  for (const exporter of resolveExporters(options.traceExporter, env, "OTEL_TRACES_EXPORTER", select)) {
    if (exporter === "console") processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    else if (exporter !== "none") {
      const otlp = exporter === "otlp" ? select.otlp("traces", options.otlp, env) : undefined;
      const wiring = selfObserved(selfObs, "span", exporter, otlp);
      const processor = new BatchSpanProcessor(exporter === "otlp" ? createOtlpTraceExporter(otlp) : exporter, {
        ...batchSettings(options.batch, select.settings("spanBatch", options.batch, env), DEFAULT_BSP_OPTIONS, "OTEL_BSP_"),
        onExport: wiring?.onExport,
      });
      wiring?.attach(processor);
      counted.traces.push(processor);
      processors.push(processor);
    }
  }

  const sampler = options.sampler ?? select.sampler(env);
  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: selfObs ? selfObs.countingSampler(sampler) : sampler,
    spanLimits: select.settings("spanLimits", options.spanLimits, env),
    spanProcessors: processors,
    idGenerator: options.idGenerator,
  });

  const meterProvider = new MeterProvider({
    resource,
    readers: [...metricReaders(options, env, select, selfObs, counted), ...(options.metricReaders ?? [])],
    views: options.views,
    cardinalityLimit: options.cardinalityLimit,
    exemplarFilter: options.exemplarFilter ?? select.exemplarFilter(env),
    onCollect: selfObs?.onCollect,
  });

  const loggerProvider = new LoggerProvider({
    resource,
    limits: select.settings("logLimits", options.logLimits, env),
    processors: [
      ...(selfObs ? [selfObs.createdLogProcessor()] : []),
      ...(options.logProcessors ?? []),
      ...logProcessors(options, env, select, selfObs, counted),
    ],
  });
  selfObs?.register(meterProvider.getMeter(SELF_OBSERVABILITY_SCOPE, VERSION));

  if (options.contextManager) context.setGlobalContextManager(options.contextManager);
  propagation.setGlobalPropagator(options.propagator ?? select.propagator(env));
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  logs.setGlobalLoggerProvider(loggerProvider);

  const bridge = options.bridgeConsole;
  const restoreConsole = bridge ? bridgeConsole(bridge === true ? {} : bridge) : undefined;

  let shutdownPromise: Promise<void> | undefined;
  const sdk: Sdk = {
    tracerProvider,
    meterProvider,
    loggerProvider,
    resource,
    disabled: false,
    // The three signals flush concurrently; each is bounded by its own export timeout.
    flush: () => settle([tracerProvider.forceFlush(), loggerProvider.forceFlush(), meterProvider.forceFlush()]),
    shutdown: () => {
      if (current === sdk) current = undefined;
      restoreConsole?.();
      return (shutdownPromise ??= settle([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]));
    },
    stats: () => ({ traces: sumBatcherStats(counted.traces), logs: sumBatcherStats(counted.logs), metrics: sumReaderStats(counted.metrics) }),
  };
  return (current = sdk);
}

async function settle(work: Array<Promise<void>>): Promise<void> {
  await Promise.allSettled(work);
}

/** The exporting processors and readers `init()` created, whose counters `sdk.stats()` sums. */
interface Counted {
  traces: HasBatcherStats[];
  logs: HasBatcherStats[];
  metrics: HasReaderStats[];
}

/**
 * Self-observability wiring of one exporting pipeline; undefined when the option is off.
 * `otlp`: the options of the pipeline's OTLP exporter, undefined for another exporter.
 */
function selfObserved(selfObs: SelfObservability | undefined, signal: "span" | "log" | "metric", exporter: unknown, otlp: OtlpExporterOptions | undefined): SelfObservedExport | undefined {
  if (!selfObs) return undefined;
  if (!otlp) return selfObs.exportPipeline(signal, exporterTypeName(exporter, signal));
  const otlpSignal: OtlpSignal = signal === "span" ? "traces" : signal === "log" ? "logs" : "metrics";
  return selfObs.exportPipeline(signal, `otlp_http_json_${signal}_exporter`, resolveOtlpConfig(otlpSignal, otlp).url);
}

function metricReaders(options: InitOptions, env: EnvRecord | undefined, select: EnvSelection, selfObs: SelfObservability | undefined, counted: Counted): MetricReader[] {
  const readers: MetricReader[] = [];
  const settings = select.settings("metricReader", { exportIntervalMillis: options.metricExportIntervalMillis, exportTimeoutMillis: options.metricExportTimeoutMillis }, env);
  const interval = settings.exportIntervalMillis ?? 60000;
  const timeout = settings.exportTimeoutMillis ?? 30000;
  for (const choice of resolveExporters(options.metricExporter, env, "OTEL_METRICS_EXPORTER", select)) {
    if (choice === "none") continue;
    let exporter: Exporter<ResourceMetrics>;
    let temporality = options.metricTemporality;
    const otlp = choice === "otlp" ? select.otlp("metrics", options.otlp, env) : undefined;
    if (choice === "otlp") {
      const otlpExporter = createOtlpMetricExporter(otlp);
      temporality ??= (type) => otlpExporter.selectAggregationTemporality(type);
      exporter = otlpExporter;
    } else exporter = choice === "console" ? new ConsoleMetricExporter() : choice;
    const wiring = choice === "console" ? undefined : selfObserved(selfObs, "metric", choice, otlp);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: interval,
      // Spec: the timeout must not exceed the interval.
      exportTimeoutMillis: Math.min(timeout, interval),
      temporality,
      onExport: wiring?.onExport,
    });
    wiring?.attach(reader);
    if (choice !== "console") counted.metrics.push(reader);
    readers.push(reader);
  }
  return readers;
}

function logProcessors(options: InitOptions, env: EnvRecord | undefined, select: EnvSelection, selfObs: SelfObservability | undefined, counted: Counted): LogRecordProcessor[] {
  const processors: LogRecordProcessor[] = [];
  for (const choice of resolveExporters(options.logExporter, env, "OTEL_LOGS_EXPORTER", select)) {
    if (choice === "none") continue;
    if (choice === "console") processors.push(new JsonLinesLogProcessor());
    else {
      const otlp = choice === "otlp" ? select.otlp("logs", options.otlp, env) : undefined;
      const exporter = choice === "otlp" ? createOtlpLogExporter(otlp) : choice;
      const wiring = selfObserved(selfObs, "log", choice, otlp);
      const processor = new BatchLogRecordProcessor(exporter, {
        ...batchSettings(options.logBatch, select.settings("logBatch", options.logBatch, env), DEFAULT_BLRP_OPTIONS, "OTEL_BLRP_"),
        onExport: wiring?.onExport,
      });
      wiring?.attach(processor);
      counted.logs.push(processor);
      processors.push(processor);
    }
  }
  return processors;
}

const resolved = (): Promise<void> => Promise.resolve();
const ALWAYS_DROP: Sampler = { shouldSample: () => ({ decision: 0 }), toString: () => "AlwaysOff" };

/**
 * The exporters for one signal: the option if given, else those the `OTEL_*_EXPORTER` list in
 * `variable` names (where the runtime reads its environment), else OTLP.
 */
function resolveExporters<T>(option: ExporterChoice<T> | undefined, env: EnvRecord | undefined, variable: string, select: EnvSelection): ExporterChoice<T>[] {
  return option !== undefined ? [option] : (select.exporters(env, variable) ?? ["otlp"]);
}
