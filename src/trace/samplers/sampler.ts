/**
 * The sampler contract: the decision a tracer asks for before it creates a span.
 * Shape-compatible with `Sampler`, `SamplingDecision` and `SamplingResult` in
 * `@opentelemetry/sdk-trace-base`, so samplers written for the official SDK plug in unchanged.
 * Spec: https://opentelemetry.io/docs/specs/otel/trace/sdk/#sampler
 */
import type { Attributes } from "../../common/attributes.ts";
import type { Context } from "../../context/context.ts";
import { isSpanContextValid, type SpanContext, type TraceState } from "../span-context.ts";
import { getSpanContext } from "../span-in-context.ts";
import type { Link, SpanKind } from "../types.ts";

/**
 * A sampling decision, numerically identical to `SamplingDecision` in
 * `@opentelemetry/sdk-trace-base` (spec names: DROP, RECORD_ONLY, RECORD_AND_SAMPLE).
 *
 * The SDK's own modules write these values as literals with the name beside them
 * (`0` and a comment naming `SamplingDecision.NOT_RECORD`), so this table is only in bundles whose code names it.
 */
export const SamplingDecision: {
  /** DROP: the span is not recording and not sampled. */
  readonly NOT_RECORD: 0;
  /** RECORD_ONLY: the span records, but the sampled flag is not set (it is not exported). */
  readonly RECORD: 1;
  /** RECORD_AND_SAMPLE: the span records and the sampled flag is set. */
  readonly RECORD_AND_SAMPLED: 2;
} = { NOT_RECORD: 0, RECORD: 1, RECORD_AND_SAMPLED: 2 };
/** One of the {@link SamplingDecision} values. */
export type SamplingDecision = (typeof SamplingDecision)[keyof typeof SamplingDecision];

/** What a {@link Sampler} returns. */
export interface SamplingResult {
  /** Whether the span records and whether it is sampled. */
  readonly decision: SamplingDecision;
  /** Attributes added to the span (the tracer must not mutate them). */
  readonly attributes?: Readonly<Attributes>;
  /**
   * The tracestate of the new span. Samplers return the parent's tracestate when they do not
   * change it (spec: "samplers SHOULD normally return the passed-in Tracestate").
   */
  traceState?: TraceState;
}

/** Decides, before a span is created, whether it records and is sampled. */
export interface Sampler {
  /**
   * Returns the decision for a span about to be created.
   * @param context the parent context (its span, if any, is the parent)
   * @param traceId the trace id of the new span (the parent's, or a fresh one for a root)
   * @param spanName the span name
   * @param spanKind the span kind
   * @param attributes attributes given at span creation
   * @param links links given at span creation
   */
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult;
  /** The sampler's description, e.g. `TraceIdRatioBased{0.25}` (spec: GetDescription). */
  toString(): string;
}

/**
 * The parent span context a sampler should consider: the span context stored in `context`
 * when it is valid, otherwise undefined (a root span). Never throws.
 */
export function parentSpanContext(context: Context): SpanContext | undefined {
  try {
    const parent = context ? getSpanContext(context) : undefined;
    return parent && isSpanContextValid(parent) ? parent : undefined;
  } catch {
    return undefined; // a hostile span object in the context must not break span creation
  }
}
