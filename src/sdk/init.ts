/**
 * The core of `init()`: builds the resource, sets the context manager and the propagator, and
 * starts the parts it was given. It imports no signal, exporter, sampler or propagator of its
 * own: the runtime entries (`src/runtime/*`, and `mod.ts` for the core entry) are the presets
 * that pass what their users need, and a program adds or replaces parts with `options.parts`
 * (see `part.ts`). `initSdk` is what the entries call; users call their entry's `init`.
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import { diag } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import type { LoggerProvider } from "../logs/logger-provider.ts";
import type { MeterProvider } from "../metrics/meter-provider.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { buildResourceWith } from "../resource/detect.ts";
import type { Resource } from "../resource/resource.ts";
import type { BasicTracerProvider } from "../trace/tracer-provider.ts";
import { VERSION } from "../version.ts";
import type { EnvSelection } from "./env-selection.ts";
import type { InitOptions } from "./options.ts";
import type { PartHandle, PartKind, SdkBuild, SdkPart, SdkPreparation } from "./part.ts";
import { emptySignalStats, type SdkStats } from "./sdk-stats.ts";

/** What `init()` returns. A signal's provider is there when the SDK has that signal's part. */
export interface Sdk {
  /** The tracer provider (registered globally, so `trace.getTracer()` uses it), with the traces part. */
  readonly tracerProvider?: BasicTracerProvider;
  /** The meter provider (registered globally for `metrics.getMeter()`), with the metrics part. */
  readonly meterProvider?: MeterProvider;
  /** The logger provider (registered globally for `logs.getLogger()` and `createLog()`), with the logs part. */
  readonly loggerProvider?: LoggerProvider;
  /** The resource every signal carries. */
  readonly resource: Resource;
  /** True when the SDK was disabled (`OTEL_SDK_DISABLED=true` or `disabled: true`). */
  readonly disabled: boolean;
  /** Exports every span, log record and metric recorded so far. Resolves (never rejects) when done or timed out. */
  flush(): Promise<void>;
  /** Flushes, then stops all processing. Later spans are not recorded. Never rejects. */
  shutdown(): Promise<void>;
  /**
   * Per signal: queue size and capacity, items in flight, exported, dropped and failed, with
   * the causes (`queue_full`, `timeout`, `"503"`, `rejected`, ...). See {@link SdkStats}.
   *
   * @example
   * ```ts
   * const { traces } = sdk.stats();
   * if (traces.dropped > 0) console.warn("spans dropped", traces.droppedByReason);
   * ```
   */
  stats(): SdkStats;
}

/** The SDK of the entries that start all three signals (Node, Deno, Bun, the core entry). */
export interface FullSdk extends Sdk {
  /** The tracer provider (also registered globally, so `trace.getTracer()` uses it). */
  readonly tracerProvider: BasicTracerProvider;
  /** The meter provider (registered globally for `metrics.getMeter()`). */
  readonly meterProvider: MeterProvider;
  /** The logger provider (registered globally for `logs.getLogger()` and `createLog()`). */
  readonly loggerProvider: LoggerProvider;
}

/** What a runtime entry passes to {@link initSdk}: its defaults, not the user's. */
export interface RuntimePreset {
  /** `telemetry.sdk.language`, e.g. `nodejs`. */
  sdkLanguage?: string;
  /** `service.name` when none is configured, e.g. `unknown_service:node`. */
  defaultServiceName?: string;
  /** How settings the options leave open are chosen; a `selection` part replaces it. */
  select: EnvSelection;
  /** The entry's parts; the user's `options.parts` add to them or replace one of the same kind. */
  parts: SdkPart[];
  /** Option defaults of the entry (e.g. no batch timer on Workers); the user's options win. */
  defaults?: InitOptions;
  /**
   * Validates the user's options before anything is built (`checkInitOptions` on the entries
   * that check every option; the Workers and browser entries rely on the types).
   */
  check?(options: InitOptions): void;
}

/**
 * The part that reads option `key`, by the option's name (`metric*`, `log*`, ...); the options
 * the core reads itself have none.
 */
function readBy(key: string): PartKind | undefined {
  if (/^(metric|views|cardinality|exemplar)/.test(key)) return "metrics";
  if (/^log/.test(key)) return "logs";
  if (/^(traceExporter|batch|span|sampler|idGenerator)/.test(key)) return "traces";
  if (key === "bridgeConsole") return "consoleBridge";
  if (key === "selfObservability") return key;
}

// The order parts start in: signals first, so the parts that use their providers
// (self-observability, the console bridge) find them.
const START_ORDER = "traces metrics logs selection selfObservability consoleBridge config";

let current: Sdk | undefined;

/**
 * Starts an SDK of `preset`'s parts and the user's, and registers it globally. Configuration
 * errors (a malformed option, an option whose part is missing) throw before anything is
 * registered.
 */
export function initSdk(options: InitOptions, preset: RuntimePreset): Sdk {
  preset.check?.(options);
  // One part per kind, the user's last: it replaces the entry's.
  const byKind = new Map<PartKind, SdkPart>();
  for (const part of [...preset.parts, ...(options.parts ?? [])]) byKind.set(part.kind, part);
  for (const key in options) {
    const kind = readBy(key);
    const value = options[key as keyof InitOptions];
    // `false` and "none" ask for nothing, which a missing part already gives.
    if (kind && value !== undefined && value !== false && value !== "none" && !byKind.has(kind)) {
      // tracesSdk(), metricsSdk(), logsSdk(); the other parts are named as their kind.
      const factory = kind === "traces" || kind === "metrics" || kind === "logs" ? kind + "Sdk" : kind;
      throw new TypeError(`Cannot init: options.${key} is read by the ${kind} part, which this SDK was not given: import ${factory} and pass parts: [${factory}()].`);
    }
  }
  const parts = [...byKind.values()].sort((a, b) => START_ORDER.indexOf(a.kind) - START_ORDER.indexOf(b.kind));
  const merged = withDefaults(options, preset.defaults);
  const env = merged.env;
  const preparation: SdkPreparation = { options: merged, env, select: preset.select };
  for (const part of parts) part.prepare?.(preparation);
  const select = preparation.select;
  select.logLevel(env);

  const resource =
    merged.resource ??
    buildResourceWith(
      {
        serviceName: merged.serviceName,
        serviceVersion: merged.serviceVersion,
        deploymentEnvironment: merged.deploymentEnvironment,
        attributes: merged.resourceAttributes,
        sdkVersion: VERSION,
        sdkLanguage: preset.sdkLanguage,
        defaultServiceName: preset.defaultServiceName,
      },
      select.resource(env),
    );

  if (current) diag.warn("init() called again while the previous SDK is running: the new one replaces it globally; the old one keeps its queued data until you shut it down.");

  // Spec: OTEL_SDK_DISABLED gives a no-op SDK for all signals; globals are left untouched.
  const disabled = merged.disabled ?? select.disabled(env) ?? false;
  const build: SdkBuild = { ...preparation, resource, disabled };
  const handles: Array<[PartKind, PartHandle]> = [];
  for (const part of parts) {
    const handle = part.start(build);
    if (handle) handles.push([part.kind, handle]);
  }
  // A disabled SDK is a no-op: nothing registered, nothing to flush, empty stats.
  const live = disabled ? [] : handles;
  const each = async (method: "flush" | "shutdown"): Promise<void> => {
    await Promise.allSettled(live.map(([, h]) => h[method]?.()));
  };
  if (!disabled) {
    if (merged.contextManager) context.setGlobalContextManager(merged.contextManager);
    propagation.setGlobalPropagator(merged.propagator ?? select.propagator(env));
    for (const [, handle] of handles) handle.register?.();
  }

  let shutdownPromise: Promise<void> | undefined;
  const sdk: Sdk = {
    tracerProvider: build.tracerProvider,
    meterProvider: build.meterProvider,
    loggerProvider: build.loggerProvider,
    resource,
    disabled,
    // The signals flush concurrently; each is bounded by its own export timeout.
    flush: () => each("flush"),
    shutdown: () => {
      if (current === sdk) current = undefined;
      return (shutdownPromise ??= each("shutdown"));
    },
    stats: () => statsOf(live),
  };
  // A disabled SDK does not replace the running one (globals are left untouched).
  return disabled ? sdk : (current = sdk);
}

function statsOf(handles: Array<[PartKind, PartHandle]>): SdkStats {
  const stats: SdkStats = { traces: emptySignalStats(), logs: emptySignalStats(), metrics: emptySignalStats() };
  for (const [kind, handle] of handles) if (handle.stats && kind in stats) stats[kind as keyof SdkStats] = handle.stats();
  return stats;
}

/** `options` over `defaults`, one level deep for object options (`batch`, `otlp`, ...); an undefined option keeps the default. */
function withDefaults(options: InitOptions, defaults: InitOptions | undefined): InitOptions {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(options)) {
    const base = merged[key];
    if (value !== undefined) merged[key] = isPlain(base) && isPlain(value) ? { ...base, ...value } : value;
  }
  return merged;
}

const isPlain = (v: unknown): v is object => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;

