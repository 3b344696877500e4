/**
 * Aggregations chosen by name, for configuration read at run time (views written as data,
 * e.g. in a configuration file). Importing this module brings
 * every aggregation into the bundle: programs that choose in code import the aggregation
 * itself (`exponentialHistogram()`, `summary()`) instead.
 */
import { InstrumentType } from "../types.ts";
import { view, type View, type ViewOptions } from "../view.ts";
import type { Aggregation } from "./aggregator.ts";
import { createAggregator, type AggregationConfig } from "./default-aggregation.ts";
import { exponentialHistogram } from "./exponential-histogram.ts";
import { summary } from "./summary.ts";

/**
 * The aggregation `config` names, with its options (checked now).
 *
 * @example
 * ```ts
 * aggregationByName({ type: "exponentialHistogram", maxSize: 80 }); // same as exponentialHistogram({ maxSize: 80 })
 * ```
 * @throws TypeError for an unknown type; TypeError/RangeError for invalid options.
 */
export function aggregationByName(config: AggregationConfig): Aggregation {
  if (config?.type === "exponentialHistogram") return exponentialHistogram(config);
  if (config?.type === "summary") return summary({ ...config, quantiles: config.quantiles?.slice() });
  createAggregator(config, InstrumentType.HISTOGRAM); // throws for unknown types and invalid options
  return { type: config.type, create: (type, advice) => createAggregator(config, type, advice) };
}

/**
 * Builds views from definitions written as data, every aggregation given by name resolved
 * through {@link aggregationByName}.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: viewsByName([{ instrumentName: "latency", aggregation: { type: "exponentialHistogram" } }]) });
 * ```
 */
export function viewsByName(definitions: readonly ViewOptions[]): View[] {
  return definitions.map((v) =>
    view(v?.aggregation !== undefined && typeof (v.aggregation as Partial<Aggregation>).create !== "function" ? { ...v, aggregation: aggregationByName(v.aggregation as AggregationConfig) } : v),
  );
}
