/**
 * Aggregation temporality per instrument kind, from the OTLP metrics exporter's temporality
 * preference (spec: metrics/sdk_exporters/otlp.md, "Additional Configuration",
 * `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, case-insensitive, default `cumulative`):
 *
 * | preference   | Counter | Async Counter | Histogram | UpDownCounter | Async UpDownCounter |
 * |--------------|---------|---------------|-----------|---------------|---------------------|
 * | `cumulative` | C       | C             | C         | C             | C                   |
 * | `delta`      | Delta   | Delta         | Delta     | C             | C                   |
 * | `lowmemory`  | Delta   | C             | Delta     | C             | C                   |
 *
 * The spec names no temporality for gauges (OTLP gauges carry none); they get cumulative in
 * every preset — the spec's default — so a last-value series is reported at every collection
 * whether or not it was updated since the previous one (as the Go SDK does).
 */
import { envEnum } from "../common/env.ts";
import type { EnvRecord } from "../common/env.ts";
import type { AggregationTemporality, InstrumentType } from "./types.ts";

/** The recognized values of `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, lower-cased. */
export type TemporalityPreference = "cumulative" | "delta" | "lowmemory";

/** Picks the aggregation temporality a reader uses for an instrument kind. */
export type TemporalitySelector = (instrumentType: InstrumentType) => AggregationTemporality;

const PREFERENCES: readonly TemporalityPreference[] = ["cumulative", "delta", "lowmemory"];

const cumulative: TemporalitySelector = () => "cumulative";

// "Choose Delta aggregation temporality for Counter, Asynchronous Counter and Histogram
// instrument kinds, choose Cumulative aggregation for UpDownCounter and Asynchronous
// UpDownCounter instrument kinds."
const delta: TemporalitySelector = (type) =>
  type === "counter" || type === "observablecounter" || type === "histogram" ? "delta" : "cumulative";

// "Delta aggregation temporality for Synchronous Counter and Histogram and ... Cumulative
// aggregation temporality for Synchronous UpDownCounter, Asynchronous Counter, and
// Asynchronous UpDownCounter": no cumulative-to-delta state for asynchronous counters.
const lowMemory: TemporalitySelector = (type) => (type === "counter" || type === "histogram" ? "delta" : "cumulative");

/**
 * The selector for a preference (the spec's three presets).
 *
 * @example
 * temporalitySelector("delta")("counter"); // "delta"
 * temporalitySelector("delta")("updowncounter"); // "cumulative"
 * @throws TypeError when `preference` is not `cumulative`, `delta` or `lowmemory` (any case).
 */
export function temporalitySelector(preference: TemporalityPreference): TemporalitySelector {
  const value = typeof preference === "string" ? preference.toLowerCase() : preference;
  if (value === "cumulative") return cumulative;
  if (value === "delta") return delta;
  if (value === "lowmemory") return lowMemory;
  throw new TypeError(
    `Cannot configure metrics temporality: preference must be "cumulative", "delta" or "lowmemory", got ${JSON.stringify(String(preference))}`,
  );
}

/**
 * The selector configured by `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` in `env`:
 * cumulative when unset or empty; an unrecognized value is reported and ignored (cumulative).
 *
 * @example
 * const select = temporalityFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "LowMemory" });
 * select("counter"); // "delta"
 * select("observablecounter"); // "cumulative"
 */
export function temporalityFromEnv(env: EnvRecord | undefined): TemporalitySelector {
  return temporalitySelector(preferenceFromEnv(env) ?? "cumulative");
}

/** The preference named by `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, or undefined when unset or invalid (warned). */
export function preferenceFromEnv(env: EnvRecord | undefined): TemporalityPreference | undefined {
  return envEnum(env, "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", PREFERENCES);
}
