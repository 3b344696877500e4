/**
 * Span limits (spec: SDK "Span Limits"; defaults 128 each, no value-length limit), read
 * from options first, then `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*` environment variables.
 * Per the spec, the span-specific variables win over the general `OTEL_ATTRIBUTE_*` ones.
 */
import type { AttributeLimits } from "../common/attributes.ts";
import { envInteger, type EnvRecord } from "../common/env.ts";

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
 * Each limit's env variable `OTEL_<name>_LIMIT`, then the general one it falls back to (spec:
 * "Environment Variable Specification", Span Limits and Attribute Limits; events and links
 * have no general fallback).
 */
const ENV_NAMES: { readonly [K in keyof SpanLimits]: readonly [specific: string, general?: string] } = {
  attributeCountLimit: ["SPAN_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
  attributeValueLengthLimit: ["SPAN_ATTRIBUTE_VALUE_LENGTH", "ATTRIBUTE_VALUE_LENGTH"],
  eventCountLimit: ["SPAN_EVENT_COUNT"],
  linkCountLimit: ["SPAN_LINK_COUNT"],
  attributePerEventCountLimit: ["EVENT_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
  attributePerLinkCountLimit: ["LINK_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
};

/**
 * Resolves limits: explicit `options`, then `env` (the span variable, then the general
 * `OTEL_ATTRIBUTE_COUNT_LIMIT` / `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` for the attribute limits),
 * then the defaults. Invalid options throw RangeError.
 */
export function resolveSpanLimits(options: Partial<SpanLimits> = {}, env?: EnvRecord): SpanLimits {
  const count = (name: string | undefined) => (name ? envInteger(env, `OTEL_${name}_LIMIT`) : undefined);
  const limits = {} as SpanLimits;
  for (const key of Object.keys(DEFAULT_SPAN_LIMITS) as Array<keyof SpanLimits>) {
    const [specific, general] = ENV_NAMES[key];
    limits[key] = options[key] ?? count(specific) ?? count(general) ?? DEFAULT_SPAN_LIMITS[key];
  }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (value !== Infinity && !Number.isInteger(value))) {
      throw new RangeError(`Invalid span limit ${key}: ${String(value)}; expected a non-negative integer or Infinity.`);
    }
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
  const valueLengthLimit = limits.attributeValueLengthLimit;
  return Object.freeze({
    ...limits,
    span: Object.freeze({ countLimit: limits.attributeCountLimit, valueLengthLimit }),
    event: Object.freeze({ countLimit: limits.attributePerEventCountLimit, valueLengthLimit }),
    link: Object.freeze({ countLimit: limits.attributePerLinkCountLimit, valueLengthLimit }),
  });
}
