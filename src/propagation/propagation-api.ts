/**
 * The global `propagation` API, shape-compatible with `propagation` in `@opentelemetry/api`.
 *
 * Unlike the official API (whose default is a no-op), the default global propagator is
 * W3C Trace Context + W3C Baggage, the `OTEL_PROPAGATORS` default: an edge handler that
 * never configures anything still continues incoming traces. As with our `trace` and
 * `context` APIs, `setGlobalPropagator` replaces the current propagator (so a second
 * `init()` takes effect), and `disable()` restores the default.
 * `inject`/`extract` never throw (DESIGN principle 3).
 */
import type { Context } from "../context/context.ts";
import { diag, diagOnce } from "../common/diag.ts";
import {
  createBaggage,
  deleteBaggage,
  getActiveBaggage,
  getBaggage,
  setBaggage,
  type Baggage,
  type BaggageEntry,
} from "./baggage.ts";
import { W3CBaggagePropagator } from "./baggage-propagator.ts";
import { CompositePropagator } from "./composite.ts";
import { defaultTextMapGetter, defaultTextMapSetter, isPropagator, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from "./text-map.ts";
import { W3CTraceContextPropagator } from "./trace-context.ts";

/** The global propagation API. */
export interface PropagationAPI {
  /** Injects `context` into `carrier` with the global propagator (default setter: Headers/Map/object). */
  inject<Carrier>(context: Context, carrier: Carrier, setter?: TextMapSetter<Carrier>): void;
  /** Extracts from `carrier` into `context` with the global propagator (default getter: Headers/Map/object). */
  extract<Carrier>(context: Context, carrier: Carrier, getter?: TextMapGetter<Carrier>): Context;
  /** The fields the global propagator writes. */
  fields(): string[];
  /** Makes `propagator` the global propagator (replacing any). False, with an error to `diag`, for a non-propagator. */
  setGlobalPropagator(propagator: TextMapPropagator<unknown>): boolean;
  /** The baggage in `ctx`, if any. */
  getBaggage(ctx: Context): Baggage | undefined;
  /** The baggage in the active context, if any. */
  getActiveBaggage(): Baggage | undefined;
  /** A new context with `baggage` set. */
  setBaggage(ctx: Context, baggage: Baggage): Context;
  /** A new context without baggage. */
  deleteBaggage(ctx: Context): Context;
  /** Creates a Baggage from `entries`. */
  createBaggage(entries?: Record<string, BaggageEntry>): Baggage;
  /** Unregisters the global propagator, restoring the default (trace context + baggage). */
  disable(): void;
}

let registered: TextMapPropagator<unknown> | undefined;
let defaultPropagator: TextMapPropagator<unknown> | undefined;

/** The registered propagator, else the default (W3C Trace Context then W3C Baggage), made on first use (DESIGN principle 5). */
const current = (): TextMapPropagator<unknown> =>
  registered ?? (defaultPropagator ??= new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

/** `f()`, or `fallback` (with a warning, once per method) when the propagator throws. */
function guard<T>(method: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (err) {
    diagOnce("warn", `propagation.${method}: the propagator threw; skipped.`, undefined, err);
    return fallback;
  }
}

/**
 * The global propagation API.
 *
 * @example
 * ```ts
 * const ctx = propagation.extract(context.active(), request.headers);
 * const headers = new Headers();
 * propagation.inject(ctx, headers);
 * ```
 */
export const propagation: PropagationAPI = {
  inject: (ctx, carrier, setter) => guard("inject", undefined, () => current().inject(ctx, carrier, (setter ?? defaultTextMapSetter) as TextMapSetter<unknown>)),
  extract: (ctx, carrier, getter) =>
    guard("extract", ctx, () => {
      const out = current().extract(ctx, carrier, (getter ?? defaultTextMapGetter) as TextMapGetter<unknown>);
      return typeof out?.getValue === "function" ? out : ctx;
    }),
  fields: () =>
    guard("fields", [], () => {
      const fields = current().fields();
      return Array.isArray(fields) ? [...fields] : [];
    }),
  setGlobalPropagator(propagator) {
    if (!isPropagator(propagator)) {
      diag.error("propagation.setGlobalPropagator: ignored a non-propagator (no inject/extract).");
      return false;
    }
    registered = propagator;
    return true;
  },
  getBaggage,
  getActiveBaggage,
  setBaggage,
  deleteBaggage,
  createBaggage,
  disable(): void {
    registered = undefined;
  },
};
