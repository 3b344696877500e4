/**
 * Span limits (spec: SDK "Span Limits"; defaults 128 each, no value-length limit), from
 * options, else the defaults. The `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*` variables are read by
 * `init()` where the runtime has an environment (`src/env-selection.ts`), so a program
 * that builds its tracer provider in code bundles no environment parsing.
 */
import type { AttributeLimits } from "../common/attributes.ts";

/** Limits applied to every recording span. */
export interface SpanLimits {
  /** Max attributes per span (default 128). */
  attributeCountLimit: number;
  /** Max length of string attribute values (default: unlimited). */
  attributeValueLengthLimit: number;
  /** Max events per span (default 128); the oldest are dropped first. */
  eventCountLimit: number;
  /** Max links per span (default 128). */
  linkCountLimit: number;
  /** Max attributes per event (default 128). */
  attributePerEventCountLimit: number;
  /** Max attributes per link (default 128). */
  attributePerLinkCountLimit: number;
}

/** The spec defaults. */
export const DEFAULT_SPAN_LIMITS: Readonly<SpanLimits> = /* @__PURE__ */ Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});

/**
 * Resolves limits: explicit `options`, then the defaults. Reads no environment: `init()`
 * completes `options` from `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*` first (see `src/env-selection.ts`).
 *
 * @throws RangeError when a limit is not a non-negative integer or Infinity.
 */
export function resolveSpanLimits(options: Partial<SpanLimits> = {}): SpanLimits {
  const limits = { ...DEFAULT_SPAN_LIMITS };
  for (const key in limits) {
    const value: unknown = options[key as keyof SpanLimits] ?? limits[key as keyof SpanLimits];
    if (!(typeof value === "number" && value >= 0 && (value === Infinity || Number.isInteger(value)))) {
      throw new RangeError(`Invalid span limit ${key}: ${String(value)}; expected a non-negative integer or Infinity.`);
    }
    limits[key as keyof SpanLimits] = value;
  }
  return limits;
}

/** {@link SpanLimits} with the per-target attribute limits precomputed once per tracer provider. */
export interface CompiledSpanLimits extends SpanLimits {
  readonly span: AttributeLimits;
  readonly event: AttributeLimits;
  readonly link: AttributeLimits;
}

/** Precomputes the attribute-limit objects so spans do not allocate them per call. */
export function compileSpanLimits(limits: SpanLimits): CompiledSpanLimits {
  const of = (countLimit: number): AttributeLimits => ({ countLimit, valueLengthLimit: limits.attributeValueLengthLimit });
  return { ...limits, span: of(limits.attributeCountLimit), event: of(limits.attributePerEventCountLimit), link: of(limits.attributePerLinkCountLimit) };
}
