/**
 * `MeterProvider` on the size-first core: the product's class (src/metrics/meter-provider.ts) as
 * a thin shell over metrics.ts's `createMeterProvider`, for programs that compose the SDK by hand
 * (spec: Metrics SDK "MeterProvider"): `new MeterProvider(options?)`, `getMeter(name, version?,
 * options?)`, `resource` (default `service.name=unknown_service`), and `collect(timeout)`, the
 * provider's one reader (the Prometheus handler and `metricsSdk()` read through it).
 *
 * Kept: `cardinalityLimit` checked at construction (a RangeError, as the product's), the
 * cumulative temporality the product's Prometheus reader asks for (default; `temporality` to
 * change it). Left out: `readers` / `addMetricReader` (one reader: `collect`), views, exemplar
 * filters, `onCollect`, `forceFlush` / `shutdown` (nothing is pushed; a program that pushes uses
 * `metricsSdk()`).
 */
import type { Resource } from "./contract.ts";
import { createMeterProvider, type LeanMeterProvider, type Meter, type TemporalityPreference } from "./metrics.ts";

/** Options of {@link MeterProvider} (the product's, without readers, views, exemplar filter, `onCollect`). */
export interface MeterProviderOptions {
  /** Default: `{ service.name: "unknown_service" }`. */
  resource?: Resource;
  /** Distinct attribute sets per stream before the overflow series (spec default 2000). */
  cardinalityLimit?: number;
  /** Default cumulative. */
  temporality?: TemporalityPreference;
}

/** The SDK's meter provider (see the module doc). */
export class MeterProvider implements LeanMeterProvider {
  declare readonly resource: Resource;
  declare getMeter: (name: string, version?: string, options?: { schemaUrl?: string }) => Meter;
  declare collect: LeanMeterProvider["collect"];

  /** @throws RangeError when `cardinalityLimit` is not a positive integer. */
  constructor(options: MeterProviderOptions = {}) {
    const { resource = { attributes: { "service.name": "unknown_service" } }, cardinalityLimit = 2e3, temporality } = options;
    if (!(Number.isInteger(cardinalityLimit) && cardinalityLimit > 0)) throw new RangeError("MeterProvider: cardinalityLimit not a positive integer");
    Object.assign(this, { resource }, createMeterProvider({ resource, cardinalityLimit, temporality }));
  }
}
