/**
 * How a reader picks aggregation temporality per instrument kind (spec: Metrics SDK
 * "MetricReader" — "AggregationTemporality as a function of instrument kind"). A reader takes
 * a preset name or its own selector; the presets are the OTLP exporter's
 * (`temporality-preference.ts`): `cumulative` (default), `delta` (counters and histograms
 * delta, up-down counters cumulative: the spec's "Delta" preference, for serverless push)
 * and `lowmemory`.
 */
import type { AggregationKind } from "./aggregation/aggregator.ts";
import { temporalitySelector, type TemporalityPreference, type TemporalitySelector } from "./temporality-preference.ts";
import type { AggregationTemporality, InstrumentType } from "./types.ts";

export type { TemporalityPreference, TemporalitySelector };

/** What a reader's `temporality` option accepts: a preset name or a selector function. */
export type TemporalityOption = TemporalityPreference | TemporalitySelector;

/** Resolves a reader's `temporality` option (default cumulative). Throws TypeError for an unknown preset. */
export function resolveTemporalitySelector(option: TemporalityOption | undefined): TemporalitySelector {
  if (option === undefined) return temporalitySelector("cumulative");
  if (typeof option === "function") return option;
  return temporalitySelector(option);
}

/**
 * The temporality a stream actually uses for a reader. A selector that throws or returns
 * something else falls back to cumulative (the spec default). Summaries are always
 * cumulative: their count and sum are running totals and their quantiles cover a sliding
 * window, so "delta" has no meaning for them (Prometheus summaries are cumulative too).
 */
export function streamTemporality(select: TemporalitySelector, type: InstrumentType, kind: AggregationKind): AggregationTemporality {
  if (kind === "summary") return "cumulative";
  let t: unknown;
  try {
    t = select(type);
  } catch {
    return "cumulative";
  }
  return t === "delta" ? "delta" : "cumulative";
}
