/**
 * Drop aggregation (spec: Metrics SDK "Drop Aggregation"): ignores every measurement.
 * A view selecting it removes the stream entirely; the meter creates no storage for it,
 * so this aggregator exists for completeness and for code that wants a no-op aggregator.
 */
import type { Aggregator } from "./aggregator.ts";

/** The aggregator that keeps nothing. */
export const DROP_AGGREGATOR: Aggregator<undefined, undefined> = /* @__PURE__ */ Object.freeze({
  kind: "drop" as const,
  create: () => undefined,
  record: () => {},
  toValue: () => undefined,
  reset: () => {},
});
