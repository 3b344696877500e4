/**
 * otel-edge: OpenTelemetry-compatible tracing with zero dependencies, for Node.js, Deno,
 * Bun, Cloudflare Workers and browsers. One `init()` call configures the SDK from options
 * and `OTEL_*` variables; `trace`, `context` and `propagation` have the same shape as
 * `@opentelemetry/api`; finished spans are batched in a ring buffer and exported as
 * OTLP/JSON with `fetch`.
 *
 * @example
 * ```ts
 * import { init, trace, SpanStatusCode } from "otel-edge";
 *
 * const sdk = init({ serviceName: "checkout", otlp: { endpoint: "http://localhost:4318" } });
 * const tracer = trace.getTracer("checkout");
 *
 * await tracer.startActiveSpan("charge card", async (span) => {
 *   try {
 *     await charge();
 *   } catch (err) {
 *     span.recordException(err as Error);
 *     span.setStatus({ code: SpanStatusCode.ERROR });
 *   } finally {
 *     span.end();
 *   }
 * });
 * await sdk.flush();
 * ```
 *
 * @module
 */

// SDK set-up
export { init } from "./src/sdk/full-init.ts";
export type { FullSdk, Sdk } from "./src/sdk/init.ts";
export type { ExporterChoice, InitOptions, TraceExporterChoice } from "./src/sdk/options.ts";
export type { PartHandle, PartKind, SdkBuild, SdkPart, SdkPreparation } from "./src/sdk/part.ts";
export type { EnvSelection, EnvSettings, ExporterName } from "./src/sdk/env-selection.ts";
export { tracesSdk } from "./src/sdk/traces-part.ts";
export { metricsSdk } from "./src/sdk/metrics-part.ts";
export { logsSdk } from "./src/sdk/logs-part.ts";
export { selectByName } from "./src/sdk/select-by-name.ts";
export { selfObservability } from "./src/sdk/self-observability-part.ts";
export { consoleBridge } from "./src/sdk/console-bridge-part.ts";
export type { SdkStats, SignalStats } from "./src/sdk/sdk-stats.ts";
export { VERSION } from "./src/version.ts";

// Diagnostics
export { diag, DiagLogLevel, type DiagAPI, type DiagLogger } from "./src/common/diag.ts";

// Common types
export type { Attributes, AttributeValue } from "./src/common/attributes.ts";
export { toEpochMillis, toEpochNanos, type HrTime, type TimeInput } from "./src/common/time.ts";
export type { EnvRecord } from "./src/common/env.ts";

// Context
export { ROOT_CONTEXT, createContextKey, type Context } from "./src/context/context.ts";
export { context, type ContextAPI } from "./src/context/context-api.ts";
export type { ContextManager } from "./src/context/manager.ts";
export { StackContextManager } from "./src/context/stack-manager.ts";
export {
  AsyncLocalStorageContextManager,
  type AsyncLocalStorageClass,
  type AsyncLocalStorageLike,
} from "./src/context/async-local-storage-manager.ts";
export {
  AsyncContextVariableManager,
  type AsyncContextVariableClass,
  type AsyncContextVariableLike,
} from "./src/context/async-context-manager.ts";

// Tracing API
export { trace, type TraceAPI } from "./src/trace/trace-api.ts";
export type { Tracer } from "./src/trace/tracer.ts";
export {
  SpanKind,
  SpanStatusCode,
  type Exception,
  type InstrumentationScope,
  type Link,
  type ReadableSpan,
  type RecordedLink,
  type Span,
  type SpanOptions,
  type SpanProcessor,
  type SpanStatus,
  type TimedEvent,
} from "./src/trace/types.ts";
export {
  INVALID_SPAN_CONTEXT,
  INVALID_SPAN_ID,
  INVALID_TRACE_ID,
  TraceFlags,
  isSpanContextValid,
  isValidSpanId,
  isValidTraceId,
  type SpanContext,
  type TraceState,
} from "./src/trace/span-context.ts";
export { isTracingSuppressed, suppressTracing, unsuppressTracing } from "./src/trace/suppress.ts";

// Tracing SDK
export {
  BasicTracerProvider,
  type TracerOptions,
  type TracerProvider,
  type TracerProviderOptions,
} from "./src/trace/tracer-provider.ts";
export { DEFAULT_SPAN_LIMITS, type SpanLimits } from "./src/trace/limits.ts";
export type { IdGenerator } from "./src/trace/ids.ts";
export { SamplingDecision, type Sampler, type SamplingResult } from "./src/trace/samplers/sampler.ts";
export { AlwaysOffSampler, AlwaysOnSampler } from "./src/trace/samplers/always.ts";
export { ParentBasedSampler, type ParentBasedSamplerConfig } from "./src/trace/samplers/parent-based.ts";
export { TraceIdRatioBasedSampler, type TraceIdRatioBasedSamplerOptions } from "./src/trace/samplers/trace-id-ratio.ts";
export { RateLimitingSampler, type RateLimitingSamplerOptions } from "./src/trace/samplers/rate-limiting.ts";
export { samplerFromEnv } from "./src/trace/samplers/from-env.ts";
export { BatchSpanProcessor, type BatchSpanProcessorOptions } from "./src/trace/batch-span-processor.ts";
export { SimpleSpanProcessor } from "./src/trace/simple-span-processor.ts";

// Propagation
export { propagation, type PropagationAPI } from "./src/propagation/propagation-api.ts";
export {
  defaultTextMapGetter,
  defaultTextMapSetter,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from "./src/propagation/text-map.ts";
export { W3CTraceContextPropagator } from "./src/propagation/trace-context.ts";
export { createTraceState } from "./src/propagation/trace-state.ts";
export {
  baggageEntryMetadataFromString,
  createBaggage,
  type Baggage,
  type BaggageEntry,
  type BaggageEntryMetadata,
} from "./src/propagation/baggage.ts";
export { W3CBaggagePropagator } from "./src/propagation/baggage-propagator.ts";
export { B3Propagator, type B3PropagatorOptions } from "./src/propagation/b3.ts";
export { JaegerPropagator } from "./src/propagation/jaeger.ts";
export { CompositePropagator, type CompositePropagatorOptions } from "./src/propagation/composite.ts";
export { propagatorFromEnv } from "./src/propagation/from-env.ts";

// Metrics
export { metrics, type MetricsAPI } from "./src/metrics/metrics-api.ts";
export type { Meter } from "./src/metrics/meter.ts";
export type {
  BatchObservableCallback,
  BatchObservableResult,
  BoundCounter,
  BoundRecorder,
  Counter,
  Gauge,
  Histogram,
  MetricAdvice,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableResult,
  ObservableUpDownCounter,
  UpDownCounter,
} from "./src/metrics/instruments.ts";
export { MeterProvider, type MeterOptions, type MeterProviderOptions } from "./src/metrics/meter-provider.ts";
export {
  ManualMetricReader,
  type CollectionEvent,
  type CollectionListener,
  type CollectionResult,
  type MetricReader,
  type MetricReaderOptions,
} from "./src/metrics/reader.ts";
export { PeriodicExportingMetricReader, type PeriodicExportingMetricReaderOptions, type PeriodicReaderStats } from "./src/metrics/periodic-reader.ts";
export { InMemoryMetricExporter } from "./src/metrics/in-memory-metric-exporter.ts";
export { view, type View, type ViewOptions } from "./src/metrics/view.ts";
export type { Aggregation } from "./src/metrics/aggregation/aggregator.ts";
export type { AggregationConfig } from "./src/metrics/aggregation/default-aggregation.ts";
export { exponentialHistogram, type ExponentialHistogramOptions } from "./src/metrics/aggregation/exponential-histogram.ts";
export { summary, type SummaryOptions } from "./src/metrics/aggregation/summary.ts";
export { aggregationByName, viewsByName } from "./src/metrics/aggregation/by-name.ts";
export type { ExemplarFilter } from "./src/metrics/exemplar.ts";
export type { TemporalityOption } from "./src/metrics/temporality.ts";
export {
  preferenceFromEnv,
  temporalityFromEnv,
  temporalitySelector,
  type TemporalityPreference,
  type TemporalitySelector,
} from "./src/metrics/temporality-preference.ts";
export {
  InstrumentType,
  ValueType,
  type AggregationTemporality,
  type DataPoint,
  type Exemplar,
  type ExponentialHistogramValue,
  type HistogramValue,
  type MetricData,
  type MetricDescriptor,
  type ResourceMetrics,
  type ScopeMetrics,
  type SummaryValue,
} from "./src/metrics/types.ts";
export type { AggregationKind } from "./src/metrics/aggregation/aggregator.ts";
export { ConsoleMetricExporter } from "./src/export/console-metric-exporter.ts";
export { encodeMetrics, encodeMetricsBytes } from "./src/export/otlp/metrics-encoder.ts";
export {
  createOtlpMetricExporter,
  type OtlpMetricExporter,
  type OtlpMetricExporterOptions,
} from "./src/export/otlp/otlp-metrics-exporter.ts";

// Logs
export { logs, type LogsAPI } from "./src/logs/logs-api.ts";
export { SeverityNumber, parseSeverity, severityName, type LevelName } from "./src/logs/severity.ts";
export type {
  AnyValue,
  LogAttributes,
  Logger,
  LoggerOptions,
  LogRecord,
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
} from "./src/logs/types.ts";
export { LoggerProvider, type LoggerProviderOptions } from "./src/logs/logger-provider.ts";
export { DEFAULT_LOG_RECORD_LIMITS, type LogRecordLimits } from "./src/logs/log-record.ts";
export { BatchLogRecordProcessor, type BatchLogRecordProcessorOptions } from "./src/logs/batch-log-processor.ts";
export { SimpleLogRecordProcessor } from "./src/logs/simple-log-processor.ts";
export { InMemoryLogRecordExporter } from "./src/logs/in-memory-log-exporter.ts";
export { LOG_LEVEL_ENV, createLog, type Log, type LogMethod, type LogOptions } from "./src/logs/friendly-logger.ts";
export {
  JsonLinesLogExporter,
  JsonLinesLogProcessor,
  formatJsonLine,
  type JsonLinesFieldNames,
  type JsonLinesOptions,
} from "./src/logs/json-lines.ts";
export { bridgeConsole, type BridgeConsoleOptions, type BridgedConsoleMethod } from "./src/logs/console-bridge.ts";
export { spanEventLogProcessor } from "./src/logs/span-event-log-processor.ts";
export { encodeLogs, encodeLogsBytes } from "./src/export/otlp/logs-encoder.ts";
export { createOtlpLogExporter } from "./src/export/otlp/otlp-logs-exporter.ts";

// Instrumentation and interop
export {
  installFetchInstrumentation,
  instrumentFetch,
  isInstrumentedFetch,
  type FetchInstrumentationOptions,
  type UninstallFetch,
} from "./src/instrument/fetch.ts";
export { instrumentHandler, type HandlerInstrumentationOptions } from "./src/instrument/handler.ts";
export {
  instrumentNodeListener,
  type NodeIncomingLike,
  type NodeListenerInstrumentationOptions,
  type NodeOutgoingLike,
} from "./src/instrument/node-listener.ts";
export {
  DEFAULT_SENSITIVE_QUERY_KEYS,
  HTTP_DURATION_BUCKETS,
  type UrlMatcher,
  type UrlMatchers,
} from "./src/instrument/http-semconv.ts";
export { MAX_CAPTURED_HEADER_LENGTH, NEVER_CAPTURED_HEADERS, type HeaderCaptureOptions } from "./src/instrument/http-headers.ts";
export { withFlush, type Flushable, type WithFlushOptions } from "./src/instrument/with-flush.ts";
export {
  registerGlobal,
  type OfficialApi,
  type OfficialApiExtras,
  type RegisterGlobalResult,
  type RegistrableSdk,
} from "./src/instrument/register-global.ts";
export {
  TailSamplingProcessor,
  type TailSamplingProcessorOptions,
  type TailSamplingStats,
} from "./src/trace/tail-sampling-processor.ts";
export {
  BaggageSpanProcessor,
  type BaggageKeyAllowlist,
  type BaggageSpanProcessorOptions,
} from "./src/trace/baggage-span-processor.ts";

// Resource
export { createResource, mergeResources, type Resource } from "./src/resource/resource.ts";
export { buildResource, type BuildResourceOptions } from "./src/resource/detect.ts";

// Export
export { ExportResultCode, type ExportOptions, type ExportResult, type Exporter } from "./src/export/exporter.ts";
export type { BatcherStats } from "./src/export/batcher.ts";
export type { ExportEvent, ExportHooks, ExportListener } from "./src/export/export-outcome.ts";
export { ConsoleSpanExporter } from "./src/export/console-exporter.ts";
export { InMemorySpanExporter } from "./src/export/in-memory-exporter.ts";
export { OtlpHttpExporter, createOtlpTraceExporter } from "./src/export/otlp-http-exporter.ts";
export { otlpOptionsFromEnv, type OtlpExporterOptions, type OtlpSignal } from "./src/export/otlp-config.ts";
export { createFetchTransport, type FetchTransportOptions, type Transport, type TransportResult } from "./src/export/fetch-transport.ts";
export { encodeTraces, encodeTracesBytes } from "./src/export/otlp/trace-encoder.ts";
