/**
 * Optional runtime metrics for long-running Node, Deno and Bun servers: process CPU time,
 * resident memory and event-loop delay, as observable instruments named by the OpenTelemetry
 * semantic conventions. This file is runtime-neutral: each runtime entry injects how to read
 * its numbers ({@link RuntimeReadings}), so the core never touches `process` or `Deno`.
 *
 * Names (semantic conventions, status Development — the only ones that exist for these):
 * - `process.cpu.time` — Counter, `s`, attribute `cpu.mode` = `user` | `system`
 *   (https://opentelemetry.io/docs/specs/semconv/system/process-metrics/#metric-processcputime)
 * - `process.memory.usage` — UpDownCounter, `By`, resident set size
 *   (https://opentelemetry.io/docs/specs/semconv/system/process-metrics/#metric-processmemoryusage)
 * - `nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99}` — Gauges, `s`, from
 *   `perf_hooks.monitorEventLoopDelay()` (https://opentelemetry.io/docs/specs/semconv/runtime/nodejs-metrics/).
 *   Deno and Bun implement the same Node API, so they report under the same names.
 *
 * `v8js.memory.heap.*` is not reported: the convention requires the `v8js.heap.space.name`
 * attribute, and `memoryUsage()` only has totals.
 */
import { diagOnce } from "../common/diag.ts";
import type { Meter } from "../metrics/meter.ts";
import type { BatchObservableCallback, Observable } from "../metrics/instruments.ts";
import type { FullSdk } from "../sdk/init.ts";
import type { ConfigOption } from "../config/config-init.ts";
import type { InitOptions } from "../sdk/options.ts";
import { VERSION } from "../version.ts";

/** CPU time the process has used since it started, in seconds. */
export interface CpuTimes {
  readonly user: number;
  readonly system: number;
}

/** Event-loop delay statistics over the last interval, in seconds. */
export interface EventLoopDelayStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** A running event-loop delay monitor (e.g. around `perf_hooks.monitorEventLoopDelay()`). */
export interface EventLoopDelayMonitor {
  /** Statistics since the last read (the monitor resets after each), or undefined when it has no samples yet. */
  read(): EventLoopDelayStats | undefined;
  /** Stops sampling; must release whatever keeps sampling going. */
  stop(): void;
}

/** How a runtime reads its numbers. Every reading is optional: what is missing is not reported. */
export interface RuntimeReadings {
  /** Cumulative CPU time of the process, in seconds. */
  cpuTime?: () => CpuTimes;
  /** Resident set size of the process, in bytes. */
  memoryRss?: () => number;
  /** Starts an event-loop delay monitor; undefined when the runtime cannot measure it. */
  startEventLoopDelay?: () => EventLoopDelayMonitor | undefined;
}

/** What {@link startRuntimeMetrics} returns. */
export interface RuntimeMetricsHandle {
  /** Unregisters the callbacks and stops the event-loop delay monitor. Idempotent. */
  stop(): void;
}

/** The `init()` option a runtime entry adds (Node, Bun, Deno). */
export interface RuntimeMetricsOption {
  /**
   * Report process CPU time, memory and event-loop delay (where the runtime measures it)
   * through the SDK's metric readers. Default off.
   */
  runtimeMetrics?: boolean;
}

/** Options of a runtime entry's `init()`: the core's, plus {@link RuntimeMetricsOption} and {@link ConfigOption}. */
export type RuntimeInitOptions = InitOptions & RuntimeMetricsOption & ConfigOption;

/** The instrumentation scope runtime metrics are reported under. */
export const RUNTIME_METRICS_SCOPE: string = "otel-edge/runtime-metrics";

const DELAY_STATS = ["min", "max", "mean", "stddev", "p50", "p90", "p99"] as const;

/**
 * Registers the runtime instruments on `meterProvider` and starts the event-loop delay
 * monitor. Values are read at each collection (observable instruments), so nothing runs
 * between collections except the runtime's own delay sampler.
 *
 * @example
 * ```ts
 * const handle = startRuntimeMetrics(sdk.meterProvider, { memoryRss: () => Deno.memoryUsage().rss });
 * // ... later
 * handle.stop();
 * ```
 */
export function startRuntimeMetrics(meterProvider: { getMeter(name: string, version?: string): Meter }, readers: RuntimeReadings): RuntimeMetricsHandle {
  const meter = meterProvider.getMeter(RUNTIME_METRICS_SCOPE, VERSION);
  const registrations: Array<[BatchObservableCallback, Observable[]]> = [];
  const register = (observables: Observable[], callback: BatchObservableCallback): void => {
    meter.addBatchObservableCallback(callback, observables);
    registrations.push([callback, observables]);
  };
  // A reading that throws is reported once and skipped: collection never fails because of it.
  const safely = <T>(what: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (e) {
      diagOnce("warn", `runtime-metrics-${what}`, `Runtime metrics: reading ${what} failed; it is skipped.`, e);
      return undefined;
    }
  };

  const { cpuTime, memoryRss, startEventLoopDelay } = readers;
  if (cpuTime) {
    const cpu = meter.createObservableCounter("process.cpu.time", { description: "Total CPU seconds broken down by different CPU modes.", unit: "s" });
    register([cpu], (result) => {
      const t = safely("cpu time", cpuTime);
      if (!t) return;
      result.observe(cpu, t.user, { "cpu.mode": "user" });
      result.observe(cpu, t.system, { "cpu.mode": "system" });
    });
  }
  if (memoryRss) {
    const memory = meter.createObservableUpDownCounter("process.memory.usage", { description: "The amount of physical memory in use.", unit: "By" });
    register([memory], (result) => {
      const rss = safely("memory usage", memoryRss);
      if (rss !== undefined) result.observe(memory, rss);
    });
  }
  const monitor = startEventLoopDelay ? safely("event-loop delay", startEventLoopDelay) : undefined;
  if (monitor) {
    const gauges = DELAY_STATS.map((stat) =>
      meter.createObservableGauge(`nodejs.eventloop.delay.${stat}`, { description: `Event loop ${stat} delay.`, unit: "s" }),
    );
    register(gauges, (result) => {
      const stats = safely("event-loop delay", () => monitor.read());
      if (!stats) return;
      DELAY_STATS.forEach((stat, i) => result.observe(gauges[i]!, stats[stat]));
    });
  }

  let stopped = false;
  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      for (const [callback, observables] of registrations) meter.removeBatchObservableCallback(callback, observables);
      if (monitor) safely("event-loop delay stop", () => monitor.stop());
    },
  };
}

/**
 * What a runtime entry calls after `initForRuntime`: when `enabled`, starts runtime metrics
 * and returns the SDK with a `shutdown()` that stops them first (so the delay monitor never
 * outlives the SDK); otherwise returns `sdk` unchanged.
 */
export function withRuntimeMetrics(sdk: FullSdk, enabled: boolean | undefined, readings: () => RuntimeReadings): FullSdk {
  if (!enabled || sdk.disabled) return sdk;
  const handle = startRuntimeMetrics(sdk.meterProvider, readings());
  return {
    tracerProvider: sdk.tracerProvider,
    meterProvider: sdk.meterProvider,
    loggerProvider: sdk.loggerProvider,
    resource: sdk.resource,
    disabled: sdk.disabled,
    flush: () => sdk.flush(),
    stats: () => sdk.stats(),
    shutdown: () => {
      handle.stop();
      return sdk.shutdown();
    },
  };
}

/**
 * Turns a `perf_hooks.monitorEventLoopDelay()` histogram (nanoseconds) into an
 * {@link EventLoopDelayMonitor} (seconds, reset after each read, as the semantic conventions'
 * reference implementation does). Returns undefined when the runtime lacks or stubs it
 * (Bun has thrown "not implemented" for it).
 */
export function eventLoopDelayFrom(monitorEventLoopDelay: ((options?: { resolution?: number }) => IntervalHistogramLike) | undefined): EventLoopDelayMonitor | undefined {
  if (typeof monitorEventLoopDelay !== "function") return undefined;
  let histogram: IntervalHistogramLike;
  try {
    histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
  } catch {
    diagOnce("debug", "runtime-metrics-no-eld", "Runtime metrics: this runtime does not measure event-loop delay; nodejs.eventloop.delay.* is not reported.");
    return undefined;
  }
  const s = (ns: number): number => ns / 1e9;
  return {
    read(): EventLoopDelayStats | undefined {
      // No samples yet: min is 2^63 and mean NaN. Report nothing rather than garbage.
      if (!(histogram.mean > 0) || !Number.isFinite(histogram.max) || histogram.min > histogram.max) return undefined;
      const stats: EventLoopDelayStats = {
        min: s(histogram.min),
        max: s(histogram.max),
        mean: s(histogram.mean),
        stddev: s(Number.isFinite(histogram.stddev) ? histogram.stddev : 0),
        p50: s(histogram.percentile(50)),
        p90: s(histogram.percentile(90)),
        p99: s(histogram.percentile(99)),
      };
      histogram.reset();
      return stats;
    },
    stop(): void {
      histogram.disable();
    },
  };
}

/** The part of Node's `IntervalHistogram` (from `monitorEventLoopDelay`) that is used. */
export interface IntervalHistogramLike {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  percentile(p: number): number;
  reset(): void;
  enable(): boolean | void;
  disable(): boolean | void;
}
