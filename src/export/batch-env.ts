/**
 * Batching processor settings from `OTEL_BSP_*` (spans) or `OTEL_BLRP_*` (log records), below
 * the options given in code (spec: SDK environment variables, "Batch Span Processor" and
 * "Batch LogRecord Processor"):
 *
 * - `SCHEDULE_DELAY`: Duration, integer ms >= 0;
 * - `EXPORT_TIMEOUT`: Timeout, integer ms >= 0, `0` = no limit;
 * - `MAX_QUEUE_SIZE`, `MAX_EXPORT_BATCH_SIZE`: positive integers, the batch size at most the
 *   queue size.
 *
 * Invalid values warn and are ignored. An environment value never makes `init()` throw: a batch
 * size from env above the queue size is clamped to it (as the official JS SDK does), and a queue
 * size from env below an explicit `maxExportBatchSize` option is ignored.
 */
import { envInteger, envTimeout, warnEnv, type EnvRecord } from "../common/env.ts";

/** The four batching settings, resolved. */
export interface BatchSettings {
  /** Delay before a partial batch is exported. */
  scheduledDelayMillis: number;
  /** Time an export may take before it counts as failed. */
  exportTimeoutMillis: number;
  /** Queue capacity. */
  maxQueueSize: number;
  /** Largest batch per export. */
  maxExportBatchSize: number;
}

/**
 * Resolves each setting: `options`, then `<prefix>SCHEDULE_DELAY`, `<prefix>EXPORT_TIMEOUT`,
 * `<prefix>MAX_QUEUE_SIZE`, `<prefix>MAX_EXPORT_BATCH_SIZE` in `env`, then `defaults`.
 * Never throws; invalid options are left for the processor to reject.
 *
 * @example
 * ```ts
 * resolveBatchEnv("OTEL_BSP_", {}, { OTEL_BSP_MAX_QUEUE_SIZE: "100" }, defaults).maxExportBatchSize; // 100 (clamped)
 * ```
 */
export function resolveBatchEnv(
  prefix: "OTEL_BSP_" | "OTEL_BLRP_",
  options: Partial<BatchSettings>,
  env: EnvRecord | undefined,
  defaults: Readonly<BatchSettings>,
): BatchSettings {
  const n = (name: string, min: number) => envInteger(env, prefix + name, min);
  const queue = options.maxQueueSize === undefined ? n("MAX_QUEUE_SIZE", 1) : undefined;
  const batch = options.maxExportBatchSize === undefined ? n("MAX_EXPORT_BATCH_SIZE", 1) : undefined;
  const out: BatchSettings = {
    scheduledDelayMillis: options.scheduledDelayMillis ?? n("SCHEDULE_DELAY", 0) ?? defaults.scheduledDelayMillis,
    exportTimeoutMillis: options.exportTimeoutMillis ?? envTimeout(env, prefix + "EXPORT_TIMEOUT") ?? defaults.exportTimeoutMillis,
    maxQueueSize: options.maxQueueSize ?? queue ?? defaults.maxQueueSize,
    maxExportBatchSize: options.maxExportBatchSize ?? batch ?? defaults.maxExportBatchSize,
  };
  if (out.maxExportBatchSize > out.maxQueueSize) {
    if (options.maxExportBatchSize === undefined) {
      // A default batch size above a small queue is clamped silently: only a set value is wrong.
      if (batch !== undefined) warnEnv(prefix + "MAX_EXPORT_BATCH_SIZE", String(batch), `at most the queue size (${out.maxQueueSize})`, `using ${out.maxQueueSize}`);
      out.maxExportBatchSize = out.maxQueueSize;
    } else if (queue !== undefined) {
      // The explicit option wins: the conflicting env queue size counts as unset.
      warnEnv(prefix + "MAX_QUEUE_SIZE", String(queue), `at least the maxExportBatchSize option (${out.maxExportBatchSize})`);
      out.maxQueueSize = defaults.maxQueueSize;
    }
  }
  return out;
}
