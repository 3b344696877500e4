/**
 * The batching processor settings `init()` builds: the options given in code, completed from
 * `OTEL_BSP_*` (spans) or `OTEL_BLRP_*` (log records) where the runtime has an environment
 * (see `src/env-selection.ts`), over the spec defaults.
 *
 * Spec (SDK environment variables, "Batch Span Processor", "Batch LogRecord Processor"): the
 * batch size must not exceed the queue size. An environment value never makes `init()` throw:
 * a batch size from env above the queue size is clamped to it (as the official JS SDK does),
 * with a warning — silently when the batch size is the default, since nothing the user set is
 * wrong — and a queue size from env below an explicit `maxExportBatchSize` option is ignored.
 * Both set in code and conflicting stay a configuration error, thrown by the processor.
 *
 * Reads no environment itself, so the browser (which has none) bundles no variable parsing.
 */
import { diagOnce } from "../common/diag.ts";

// Not common/env.ts's warnEnv: a page has no environment, and this file is in its bundle.
const ignoring = (name: string, value: number, expected: string, fallback: string): void =>
  diagOnce("warn", `env:${name}=${value}`, `Ignoring ${name}="${value}": expected ${expected}; ${fallback}.`);

/** The four batching settings. */
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
 * Resolves each setting from `completed` (the options, with the fields they left unset filled
 * from the environment), else `defaults`, then reconciles the batch and queue sizes as the
 * module doc says. `options` tells which fields came from code; `prefix` names the variables
 * in warnings. Never throws.
 *
 * @example
 * ```ts
 * batchSettings({}, { maxQueueSize: 100 }, defaults, "OTEL_BSP_").maxExportBatchSize; // 100 (clamped, no warning)
 * ```
 */
export function batchSettings(
  options: Partial<BatchSettings> | undefined,
  completed: Partial<BatchSettings>,
  defaults: Readonly<BatchSettings>,
  prefix: "OTEL_BSP_" | "OTEL_BLRP_",
): BatchSettings {
  const out = { ...defaults };
  for (const key in defaults) out[key as keyof BatchSettings] = completed[key as keyof BatchSettings] ?? defaults[key as keyof BatchSettings];
  const { maxQueueSize: queue, maxExportBatchSize: batch } = out;
  if (batch > queue) {
    if (options?.maxExportBatchSize == null) {
      if (completed.maxExportBatchSize != null) ignoring(`${prefix}MAX_EXPORT_BATCH_SIZE`, batch, `at most the queue size (${queue})`, `using ${queue}`);
      out.maxExportBatchSize = queue;
    } else if (options.maxQueueSize == null && completed.maxQueueSize != null) {
      // The explicit option wins: the conflicting env queue size counts as unset.
      ignoring(`${prefix}MAX_QUEUE_SIZE`, queue, `at least the maxExportBatchSize option (${batch})`, "using the default");
      out.maxQueueSize = defaults.maxQueueSize;
    }
  }
  return out;
}
