/**
 * The slot holding the globally registered meter provider, apart from the `metrics` API.
 *
 * Why a file of its own: instrumentations (HTTP server and client durations, Workers, RUM)
 * record metrics only where the program asked for them. Reading this slot costs a few bytes,
 * whereas importing the `metrics` API brings its proxy meters into every bundle — a traces-only
 * Worker or page would then carry the metrics API for measurements that go nowhere.
 */
import type { Meter } from "./meter.ts";
import type { MeterOptions } from "./meter-provider.ts";

/** Anything that hands out meters (our `MeterProvider`, or another implementation). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: MeterOptions): Meter;
}

let registered: MeterProviderLike | undefined;

/** The meter provider registered with `metrics.setGlobalMeterProvider()`, or undefined when none is. */
export function registeredMeterProvider(): MeterProviderLike | undefined {
  return registered;
}

/** Sets (or clears, with undefined) the registered provider; called by the `metrics` API only. */
export function setRegisteredMeterProvider(provider: MeterProviderLike | undefined): void {
  registered = provider;
}
