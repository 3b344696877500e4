/**
 * `registerGlobal(sdk, api)`: makes the official `@opentelemetry/api` (and optionally
 * `@opentelemetry/api-logs`) use this SDK, so existing instrumentations and code written
 * against the official API record through our providers (DESIGN principle 2).
 *
 * The caller passes the API objects; nothing is imported here, so the SDK keeps zero
 * runtime dependencies and works with whichever copy of the API the application loaded.
 *
 * What is registered:
 * - `api.trace.setGlobalTracerProvider(sdk.tracerProvider)`;
 * - `api.metrics.setGlobalMeterProvider(sdk.meterProvider)`;
 * - `logs.setGlobalLoggerProvider(sdk.loggerProvider)` (from `@opentelemetry/api-logs`);
 * - `api.context.setGlobalContextManager(...)`: a manager that delegates to OUR global
 *   context API, i.e. the manager `init()` installed (or detected). Both APIs therefore see
 *   one active context. Its `enable`/`disable` leave our manager alone, so
 *   `api.context.disable()` does not break our own context propagation;
 * - `api.propagation.setGlobalPropagator(...)`: a propagator that delegates to OUR global
 *   propagation API (the `OTEL_PROPAGATORS` / `init({ propagator })` choice).
 *
 * The official API refuses a second registration (`setGlobal*` returns false and logs
 * "Attempted duplicate registration"; `logs.setGlobalLoggerProvider` returns the existing
 * provider). Because the caller asked for this SDK explicitly, the previous global is
 * disabled (`api.trace.disable()` etc.) and the registration retried; both steps are
 * reported through `diag`. A registration that still fails (an incompatible API version)
 * is reported as an error and shows as `false` in the result.
 */
import { diag } from "../common/diag.ts";
import { context as ourContext } from "../context/context-api.ts";
import type { Context } from "../context/context.ts";
import type { ContextManager } from "../context/manager.ts";
import type { LoggerProvider } from "../logs/types.ts";
import type { MeterProviderLike } from "../metrics/metrics-api.ts";
import { propagation as ourPropagation } from "../propagation/propagation-api.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "../propagation/text-map.ts";
import type { TracerProvider } from "../trace/tracer-provider.ts";

/** The providers to register; an `Sdk` from `init()` has all three. */
export interface RegistrableSdk {
  readonly tracerProvider?: TracerProvider;
  readonly meterProvider?: MeterProviderLike;
  readonly loggerProvider?: LoggerProvider;
}

/** The part of `trace` from `@opentelemetry/api` we call. */
export interface OfficialTraceApi {
  setGlobalTracerProvider(provider: TracerProvider): boolean;
  disable(): void;
}
/** The part of `context` from `@opentelemetry/api` we call. */
export interface OfficialContextApi {
  setGlobalContextManager(manager: ContextManager): boolean;
  disable(): void;
}
/** The part of `propagation` from `@opentelemetry/api` we call. */
export interface OfficialPropagationApi {
  setGlobalPropagator(propagator: TextMapPropagator): boolean;
  disable(): void;
}
/** The part of `metrics` from `@opentelemetry/api` we call. */
export interface OfficialMetricsApi {
  setGlobalMeterProvider(provider: MeterProviderLike): boolean;
  disable(): void;
}
/** The part of `logs` from `@opentelemetry/api-logs` we call (it returns the provider in effect). */
export interface OfficialLogsApi {
  setGlobalLoggerProvider(provider: LoggerProvider): unknown;
  disable(): void;
}

/** The official API objects: pass the `@opentelemetry/api` module; any part may be left out. */
export interface OfficialApi {
  readonly trace?: OfficialTraceApi;
  readonly context?: OfficialContextApi;
  readonly propagation?: OfficialPropagationApi;
  readonly metrics?: OfficialMetricsApi;
  /** `logs` from `@opentelemetry/api-logs`, if not given in the third argument. */
  readonly logs?: OfficialLogsApi;
}

/** Extra API objects that live in other packages. */
export interface OfficialApiExtras {
  /** `logs` from `@opentelemetry/api-logs`. */
  readonly logs?: OfficialLogsApi;
}

/** Which globals were registered, and how to undo it. */
export interface RegisterGlobalResult {
  readonly trace: boolean;
  readonly context: boolean;
  readonly propagation: boolean;
  readonly metrics: boolean;
  readonly logs: boolean;
  /** Disables every official global this call registered. */
  unregister(): void;
}

/**
 * Registers this SDK with the official OpenTelemetry API object(s) you pass.
 *
 * @example
 * ```ts
 * import * as api from "@opentelemetry/api";
 * import { logs } from "@opentelemetry/api-logs";
 * import { init, registerGlobal } from "otel-edge";
 * const sdk = init({ serviceName: "checkout" });
 * registerGlobal(sdk, api, { logs });
 * // instrumentations using @opentelemetry/api now record through otel-edge
 * ```
 */
export function registerGlobal(sdk: RegistrableSdk, api: OfficialApi, extras: OfficialApiExtras = {}): RegisterGlobalResult {
  const registered: Array<{ disable(): void }> = [];
  const attempt = <A extends { disable(): void }>(name: string, target: A | undefined, set: (target: A) => boolean): boolean => {
    if (target === undefined || target === null || typeof target.disable !== "function") return false;
    try {
      if (!set(target)) {
        diag.warn(`registerGlobal: @opentelemetry/api already had a global ${name}; disabling it and registering otel-edge's.`);
        target.disable();
        if (!set(target)) {
          diag.error(`registerGlobal: @opentelemetry/api refused otel-edge's ${name} (incompatible API version?); it was not registered.`);
          return false;
        }
      }
      registered.push(target);
      return true;
    } catch (err) {
      diag.error(`registerGlobal: registering the ${name} with @opentelemetry/api threw; it was not registered.`, err);
      return false;
    }
  };

  const tracerProvider = sdk?.tracerProvider;
  const meterProvider = sdk?.meterProvider;
  const loggerProvider = sdk?.loggerProvider;
  const logsApi = extras.logs ?? api?.logs;

  const result = {
    context: attempt("context manager", api?.context, (c) => c.setGlobalContextManager(DELEGATING_CONTEXT_MANAGER)),
    propagation: attempt("propagator", api?.propagation, (p) => p.setGlobalPropagator(DELEGATING_PROPAGATOR)),
    trace: tracerProvider !== undefined && attempt("tracer provider", api?.trace, (t) => t.setGlobalTracerProvider(tracerProvider)),
    metrics: meterProvider !== undefined && attempt("meter provider", api?.metrics, (m) => m.setGlobalMeterProvider(meterProvider)),
    // api-logs returns the provider in effect: ours on success, the previous one otherwise.
    logs: loggerProvider !== undefined && attempt("logger provider", logsApi, (l) => l.setGlobalLoggerProvider(loggerProvider) === loggerProvider),
  };
  return {
    ...result,
    unregister() {
      for (const target of registered.splice(0)) {
        try {
          target.disable();
        } catch (err) {
          diag.error("registerGlobal: disabling an official API global threw.", err);
        }
      }
    },
  };
}

/** The official API's view of our context: every call goes to our global context API. */
const DELEGATING_CONTEXT_MANAGER: ContextManager = {
  active: (): Context => ourContext.active(),
  with: (ctx, fn, thisArg, ...args) => ourContext.with(ctx, fn, thisArg, ...args),
  bind: (ctx, target) => ourContext.bind(ctx, target),
  enable() {
    return this;
  },
  // Our manager belongs to init()/the runtime entry; the official API disabling its global must not stop it.
  disable() {
    return this;
  },
};

/** The official API's propagator: every call goes to our global propagation API (never throws). */
const DELEGATING_PROPAGATOR: TextMapPropagator = {
  inject: (ctx: Context, carrier: unknown, setter: TextMapSetter<unknown>) => ourPropagation.inject(ctx, carrier, setter),
  extract: (ctx: Context, carrier: unknown, getter: TextMapGetter<unknown>) => ourPropagation.extract(ctx, carrier, getter),
  fields: () => ourPropagation.fields(),
};
