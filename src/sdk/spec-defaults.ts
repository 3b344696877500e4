/**
 * What the spec makes the default where nothing is configured (SDK environment variables,
 * "General SDK Configuration"): ParentBased(root = AlwaysOn), W3C tracecontext + baggage — and
 * `SPEC_DEFAULTS`, the selection of an entry without an environment (the browser): no level
 * change, OTLP exporters configured by the options alone, every other setting from its option,
 * else its default. Nothing here reads `OTEL_*`.
 */
import { W3CBaggagePropagator } from "../propagation/baggage-propagator.ts";
import { CompositePropagator } from "../propagation/composite.ts";
import type { TextMapPropagator } from "../propagation/text-map.ts";
import { W3CTraceContextPropagator } from "../propagation/trace-context.ts";
import { AlwaysOnSampler } from "../trace/samplers/always.ts";
import { ParentBasedSampler } from "../trace/samplers/parent-based.ts";
import type { Sampler } from "../trace/samplers/sampler.ts";
import type { EnvSelection } from "./env-selection.ts";

/** The spec's default sampler, `parentbased_always_on`. */
export const DEFAULT_SAMPLER = (): Sampler => new ParentBasedSampler({ root: new AlwaysOnSampler() });

/** The spec's default propagators, `tracecontext,baggage`. */
export const DEFAULT_PROPAGATOR = (): TextMapPropagator =>
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

/** The selection of an entry without an environment: the options, else the spec defaults. */
export const SPEC_DEFAULTS: EnvSelection = {
  logLevel: () => {},
  exporters: () => undefined,
  sampler: DEFAULT_SAMPLER,
  propagator: DEFAULT_PROPAGATOR,
  otlp: (_signal, options) => options ?? {},
  resource: () => ({}),
  disabled: () => undefined,
  choice: () => undefined,
  settings: (_group, options) => options ?? {},
};
