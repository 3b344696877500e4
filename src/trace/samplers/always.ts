/**
 * The two constant samplers (spec: Tracing SDK, "AlwaysOn" / "AlwaysOff").
 * Neither touches the tracestate: AlwaysOn is the default delegate for sampled parents in
 * ParentBased, which must pass the parent's `ot=th:` threshold through unchanged.
 */
import type { Context } from "../../context/context.ts";
import { parentSpanContext, type SamplingDecision, type Sampler, type SamplingResult } from "./sampler.ts";

/** Samples every span. Description `AlwaysOnSampler`, as the spec requires. */
export class AlwaysOnSampler implements Sampler {
  /** Always RECORD_AND_SAMPLED; the parent's tracestate is kept. */
  shouldSample(context: Context): SamplingResult {
    return withParentTraceState(2 /* SamplingDecision.RECORD_AND_SAMPLED */, context);
  }

  /** `AlwaysOnSampler`. */
  toString(): string {
    return "AlwaysOnSampler";
  }
}

/** Drops every span. Description `AlwaysOffSampler`, as the spec requires. */
export class AlwaysOffSampler implements Sampler {
  /** Always NOT_RECORD; the parent's tracestate is kept. */
  shouldSample(context: Context): SamplingResult {
    return withParentTraceState(0 /* SamplingDecision.NOT_RECORD */, context);
  }

  /** `AlwaysOffSampler`. */
  toString(): string {
    return "AlwaysOffSampler";
  }
}

// Decisions as literals (RECORD_AND_SAMPLED 2, NOT_RECORD 0): a module-level property read
// counts as a side effect to bundlers and would keep these in every bundle.
const SAMPLED: SamplingResult = /* @__PURE__ */ Object.freeze({ decision: 2 });
const DROPPED: SamplingResult = /* @__PURE__ */ Object.freeze({ decision: 0 });

// Returns the parent's tracestate explicitly, so a tracer that treats a missing traceState
// as "clear it" and one that treats it as "keep the parent's" behave the same.
function withParentTraceState(decision: SamplingDecision, context: Context): SamplingResult {
  const traceState = parentSpanContext(context)?.traceState;
  if (traceState === undefined) return decision === 0 /* SamplingDecision.NOT_RECORD */ ? DROPPED : SAMPLED;
  return { decision, traceState };
}
