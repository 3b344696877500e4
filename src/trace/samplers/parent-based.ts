/**
 * ParentBased (spec: Tracing SDK "ParentBased"): a decorator that picks a delegate by the
 * parent's presence, remoteness and sampled flag.
 *
 * | parent  | isRemote | sampled | delegate                               |
 * |---------|----------|---------|----------------------------------------|
 * | absent  | –        | –       | `root`                                 |
 * | present | true     | true    | `remoteParentSampled` (AlwaysOn)       |
 * | present | true     | false   | `remoteParentNotSampled` (AlwaysOff)   |
 * | present | false    | true    | `localParentSampled` (AlwaysOn)        |
 * | present | false    | false   | `localParentNotSampled` (AlwaysOff)    |
 *
 * Probability sampling ("Parent-based threshold"): a sampled parent's `ot=th:` threshold is
 * passed through, except when it is apparently inconsistent (randomness below it while the
 * parent claims to be sampled), in which case it is erased rather than propagated.
 */
import { diagOnce } from "../../common/diag.ts";
import type { Attributes } from "../../common/attributes.ts";
import type { Context } from "../../context/context.ts";
import { isSampled, type SpanContext } from "../span-context.ts";
import type { Link, SpanKind } from "../types.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "./always.ts";
import { eraseOtSubKey, randomnessOf, thresholdOf } from "./ot-trace-state.ts";
import { parentSpanContext, type Sampler, type SamplingResult } from "./sampler.ts";

/** Delegates of a {@link ParentBasedSampler}. Only `root` is required. */
export interface ParentBasedSamplerConfig {
  /** Sampler for spans without a (valid) parent. */
  root: Sampler;
  /** Parent from another process, sampled. Default: AlwaysOn. */
  remoteParentSampled?: Sampler;
  /** Parent from another process, not sampled. Default: AlwaysOff. */
  remoteParentNotSampled?: Sampler;
  /** Parent in this process, sampled. Default: AlwaysOn. */
  localParentSampled?: Sampler;
  /** Parent in this process, not sampled. Default: AlwaysOff. */
  localParentNotSampled?: Sampler;
}

// `root`, then the optional delegates: remote before local, sampled before not sampled.
const SAMPLERS = ["root", "remoteParentSampled", "remoteParentNotSampled", "localParentSampled", "localParentNotSampled"] as const;

/**
 * Follows the parent's sampling decision; asks `root` for new traces.
 *
 * @example
 * ```ts
 * const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) });
 * ```
 */
export class ParentBasedSampler implements Sampler {
  // Indexed like SAMPLERS: also what parentBasedSamplers() returns.
  readonly #samplers: readonly Sampler[];

  /** @throws TypeError when `root` (or a given delegate) is not a sampler */
  constructor(config: ParentBasedSamplerConfig) {
    const c = (config ?? {}) as Partial<Record<keyof ParentBasedSamplerConfig, unknown>>;
    // The spec's defaults: AlwaysOn for sampled parents, AlwaysOff for the others.
    this.#samplers = SAMPLERS.map((name, i) => {
      const s = c[name] as Sampler | undefined;
      if (s === undefined && i) return i % 2 ? new AlwaysOnSampler() : new AlwaysOffSampler();
      if (typeof s?.shouldSample === "function") return s;
      throw new TypeError(`Cannot create ParentBasedSampler: "${name}" must be a sampler.`);
    });
    SAMPLERS_OF.set(this, this.#samplers);
  }

  /** Delegates by the parent, as in the table above. */
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = parentSpanContext(context);
    const sampled = parent !== undefined && isSampled(parent);
    const delegate = this.#samplers[parent === undefined ? 0 : (parent.isRemote ? 1 : 3) + (sampled ? 0 : 1)]!;
    const result = delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (sampled && result.decision === 2 /* SamplingDecision.RECORD_AND_SAMPLED */) return checkThreshold(parent!, result);
    return result;
  }

  /** `ParentBased{root=…, remoteParentSampled=…, …}`, like the official JS SDK. */
  toString(): string {
    return `ParentBased{${SAMPLERS.map((name, i) => `${name}=${this.#samplers[i]!.toString()}`).join(", ")}}`;
  }
}

const SAMPLERS_OF = new WeakMap<ParentBasedSampler, readonly Sampler[]>();

/**
 * The samplers a {@link ParentBasedSampler} delegates to: `[root, remoteParentSampled,
 * remoteParentNotSampled, localParentSampled, localParentNotSampled]`; `undefined` for
 * any other sampler. Lets the tracer decide without a call when they are all constant.
 */
export function parentBasedSamplers(sampler: Sampler): readonly Sampler[] | undefined {
  return sampler instanceof ParentBasedSampler && sampler.constructor === ParentBasedSampler ? SAMPLERS_OF.get(sampler) : undefined;
}

// Spec, probability sampling "General requirements": a parent-based sampler that propagates a
// sampled context with a threshold should check `R >= th` and erase the threshold when it
// fails. Only applies when the delegate kept the parent's tracestate (the default AlwaysOn).
function checkThreshold(parent: SpanContext, result: SamplingResult): SamplingResult {
  const traceState = parent.traceState;
  if (traceState === undefined || (result.traceState !== undefined && result.traceState !== traceState)) return result;
  const threshold = thresholdOf(traceState);
  if (threshold === undefined || randomnessOf(parent.traceId, traceState) >= threshold) return result;
  diagOnce("debug", "ParentBasedSampler: erased a sampled parent's ot=th above its randomness.");
  return { ...result, traceState: eraseOtSubKey(traceState, "th") };
}
