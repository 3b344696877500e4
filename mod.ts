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
export { init, type InitOptions, type Sdk, type TraceExporterChoice } from "./src/sdk.ts";
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

// Resource
export { createResource, mergeResources, type Resource } from "./src/resource/resource.ts";
export { buildResource, type BuildResourceOptions } from "./src/resource/detect.ts";

// Export
export { ExportResultCode, type ExportResult, type Exporter } from "./src/export/exporter.ts";
export { ConsoleSpanExporter } from "./src/export/console-exporter.ts";
export { InMemorySpanExporter } from "./src/export/in-memory-exporter.ts";
export { OtlpHttpExporter, createOtlpTraceExporter } from "./src/export/otlp-http-exporter.ts";
export type { OtlpExporterOptions } from "./src/export/otlp-config.ts";
export { createFetchTransport, type FetchTransportOptions, type Transport, type TransportResult } from "./src/export/fetch-transport.ts";
export { encodeTraces } from "./src/export/otlp/trace-encoder.ts";
