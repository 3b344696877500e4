/**
 * What `init()` is composed of. `init()` itself builds only the resource and sets the context
 * manager and propagator; everything else — a signal's pipeline, the by-name `OTEL_*`
 * selection, self-observability, the console bridge — is a part the program imports and
 * passes (or that its runtime entry passes for it). A part that is never imported is never
 * bundled: choosing with a run-time value (`metricExporter: "none"`) cannot shrink a bundle,
 * choosing with an import can (DESIGN, "Pay for what you use").
 *
 * The shape follows the OpenTelemetry browser SIG (`startTracesSdk`, `startLogsSdk` combined by
 * a small core) and Sentry's integrations (plain values passed to `init()`).
 */
import type { EnvRecord } from "../common/env.ts";
import type { LoggerProvider } from "../logs/logger-provider.ts";
import type { MeterProvider } from "../metrics/meter-provider.ts";
import type { Resource } from "../resource/resource.ts";
import type { BasicTracerProvider } from "../trace/tracer-provider.ts";
import type { EnvSelection } from "./env-selection.ts";
import type { InitOptions } from "./options.ts";
import type { SelfObservability } from "./self-observability.ts";
import type { SignalStats } from "./sdk-stats.ts";

/** The kinds of part; one part of each kind per SDK (a later one replaces an earlier one). */
export type PartKind = "traces" | "metrics" | "logs" | "selection" | "selfObservability" | "consoleBridge" | "config";

/**
 * One piece of the SDK. `prepare` runs for every part before any `start`, so parts that
 * change how others are built (the by-name selection, self-observability) take effect
 * whatever their order in `parts`.
 */
export interface SdkPart {
  /** What the part provides; a part of the same kind given later replaces this one. */
  readonly kind: PartKind;
  /** Adjusts how the SDK is built before any part starts (e.g. replaces `select`). */
  prepare?(preparation: SdkPreparation): void;
  /** Builds and registers the part; what it returns is flushed, shut down and counted by the SDK. */
  start(build: SdkBuild): PartHandle | void;
}

/** What a started part gives back to the SDK. */
export interface PartHandle {
  /**
   * Makes the part global (`trace.setGlobalTracerProvider`, ...). Called once every part has
   * started, so a configuration error in any part leaves nothing registered.
   */
  register?(): void;
  /** Exports what the part holds. Never rejects. */
  flush?(): Promise<void>;
  /** Flushes, then stops the part. Never rejects. */
  shutdown?(): Promise<void>;
  /** The part's export counters, for `sdk.stats()`. */
  stats?(): SignalStats;
}

/** What the parts may change before the SDK is built (see {@link SdkPart.prepare}). */
export interface SdkPreparation {
  /** The user's options, completed with the runtime entry's defaults. */
  readonly options: InitOptions;
  /** Where `OTEL_*` variables are read from (undefined: nowhere). */
  readonly env: EnvRecord | undefined;
  /** How settings the options leave open are chosen (environment, by name, or spec defaults). */
  select: EnvSelection;
  /** Set by the self-observability part: the signal parts wire their pipelines to it. */
  selfObservability?: SelfObservability;
}

/** The state parts share while `init()` builds the SDK. */
export interface SdkBuild extends SdkPreparation {
  /** The resource every signal carries. */
  readonly resource: Resource;
  /** True when the SDK is disabled: signal parts build providers that record nothing. */
  readonly disabled: boolean;
  /** Set by the traces part. */
  tracerProvider?: BasicTracerProvider;
  /** Set by the metrics part. */
  meterProvider?: MeterProvider;
  /** Set by the logs part. */
  loggerProvider?: LoggerProvider;
  /** Set by the logs part when it prints records as JSON lines on the console (the `console` exporter). */
  logsToConsole?: boolean;
}
