/**
 * `sdk.stats()`: what happened to the telemetry of each signal so far: how much waits in the
 * queue, how much was exported, dropped before export, or failed in export, and why.
 *
 * DESIGN principle 4 (bounded everything) means data is dropped on purpose when a collector
 * is down or slow; these counters make every dropped item visible to the application (health
 * endpoints, logs), with the same causes as the OpenTelemetry SDK self-observability metrics
 * (`error.type` in https://opentelemetry.io/docs/specs/semconv/otel/sdk-metrics/).
 */
import type { BatcherStats } from "../export/batcher.ts";
import type { PeriodicReaderStats } from "../metrics/periodic-reader.ts";

/**
 * Counters of one signal, summed over the exporting processors (readers) `init()` created.
 * Every span or log record handed to an exporting processor is in exactly one of `queued`,
 * `inFlight`, `exported`, `dropped`, `failed`. Metrics count data points and have no queue
 * (`queued` and `capacity` are 0). The fields and their causes are those of {@link BatcherStats}.
 */
export type SignalStats = BatcherStats;

/** What {@link Sdk.stats} returns: one {@link SignalStats} per signal. */
export interface SdkStats {
  /** Spans (sampled spans reaching the batch span processor). */
  traces: SignalStats;
  /** Log records (reaching the batch log record processor). */
  logs: SignalStats;
  /** Metric data points (exported by the periodic reader). */
  metrics: SignalStats;
}

/** Something with batcher counters (BatchSpanProcessor, BatchLogRecordProcessor). */
export interface HasBatcherStats {
  stats(): BatcherStats;
}

/** Something with periodic reader counters. */
export interface HasReaderStats {
  stats(): PeriodicReaderStats;
}

const COUNTS = ["queued", "capacity", "inFlight", "exported", "dropped", "failed"] as const;

/** A {@link SignalStats} with every count at zero. */
export function emptySignalStats(): SignalStats {
  const stats = { droppedByReason: {}, failedByReason: {} } as SignalStats;
  for (const k of COUNTS) stats[k] = 0;
  return stats;
}

/**
 * The sum of the sources' counters. Periodic readers have no queue and drop nothing before
 * export, so the counts their stats lack stay 0.
 */
function sumStats(sources: ReadonlyArray<{ stats(): Partial<SignalStats> }>): SignalStats {
  const out = emptySignalStats();
  for (const source of sources) {
    const s = source.stats();
    for (const k of COUNTS) out[k] += s[k] ?? 0;
    for (const by of ["droppedByReason", "failedByReason"] as const) {
      for (const [reason, n] of Object.entries(s[by] ?? {})) out[by][reason] = (out[by][reason] ?? 0) + n;
    }
  }
  return out;
}

/** The sum of the batchers' counters. */
export const sumBatcherStats: (sources: readonly HasBatcherStats[]) => SignalStats = sumStats;

/** The sum of the periodic readers' counters (data points). */
export const sumReaderStats: (sources: readonly HasReaderStats[]) => SignalStats = sumStats;
