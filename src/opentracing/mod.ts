/**
 * The OpenTracing bridge of otel-edge: an OpenTracing `Tracer` (the `opentracing` 0.14 API,
 * which `jaeger-client` also implements) that records through our tracer, so code instrumented
 * with OpenTracing moves over without rewriting (OTel spec "OpenTracing Compatibility").
 * It needs no `opentracing` package at run time; its spans, links, status and events reach
 * the same exporters as the rest, and `inject`/`extract` use the configured propagator.
 *
 * @example
 * ```ts
 * import * as opentracing from "opentracing";
 * import { init, JaegerPropagator } from "otel-edge";
 * import { OpenTracingTracer, withActiveSpan } from "otel-edge/opentracing";
 *
 * init({ serviceName: "checkout", propagator: new JaegerPropagator() }); // uber-trace-id on the wire
 * const tracer = new OpenTracingTracer();
 * opentracing.initGlobalTracer(tracer);
 * ```
 * @module
 */
export { OpenTracingTracer, type OpenTracingTracerOptions, type OpenTracingSpanOptions } from "./tracer.ts";
export { OpenTracingSpan } from "./span.ts";
export { OpenTracingSpanContext } from "./span-context.ts";
export { Reference, childOf, followsFrom } from "./reference.ts";
export { contextWithSpan, withActiveSpan } from "./activate.ts";
export { FORMAT_BINARY, FORMAT_TEXT_MAP, FORMAT_HTTP_HEADERS, REFERENCE_CHILD_OF, REFERENCE_FOLLOWS_FROM, Tags } from "./constants.ts";
