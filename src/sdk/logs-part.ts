/**
 * The logs part: a {@link LoggerProvider} with the options' limits, the user's processors, and
 * one exporting pipeline per chosen exporter — OTLP by default, batched. Registered as the
 * global logger provider (`logs.getLogger()`, `createLog()`).
 */
import { batchSettings } from "../export/batch-settings.ts";
import { createOtlpLogExporter } from "../export/otlp/otlp-logs-exporter.ts";
import { BatchLogRecordProcessor, DEFAULT_BLRP_OPTIONS } from "../logs/batch-log-processor.ts";
import { LoggerProvider } from "../logs/logger-provider.ts";
import { logs } from "../logs/logs-api.ts";
import type { LogRecordProcessor } from "../logs/types.ts";
import { chosenExporters, consolePipeline } from "./exporter-choice.ts";
import type { SdkPart } from "./part.ts";
import { sumBatcherStats, type HasBatcherStats } from "./sdk-stats.ts";

/**
 * Logs: records from `createLog()` and `logs.getLogger()`, carrying the active span's ids,
 * exported as the options (or `OTEL_LOGS_EXPORTER`) say — OTLP/HTTP JSON by default. The Node,
 * Deno, Bun and core entries have it; Workers and pages import it.
 *
 * @example
 * ```ts
 * import { init, logsSdk, createLog } from "otel-edge/workers";
 * init({ env, parts: [logsSdk()] });
 * createLog({ name: "edge-api" }).info("request handled");
 * ```
 */
export function logsSdk(): SdkPart {
  return {
    kind: "logs",
    start(build) {
      const { options, env, resource, select, selfObservability: selfObs } = build;
      if (build.disabled) {
        const provider = (build.loggerProvider = new LoggerProvider({ resource }));
        void provider.shutdown();
        return;
      }
      const exporting: HasBatcherStats[] = [];
      const processors: LogRecordProcessor[] = [...(selfObs ? [selfObs.createdLogProcessor()] : []), ...(options.logProcessors ?? [])];
      for (const choice of chosenExporters(build, options.logExporter, "OTEL_LOGS_EXPORTER")) {
        if (choice === "none") continue;
        if (choice === "console") {
          const processor = consolePipeline(select.consoleLogs, options.logExporter !== undefined, "logExporter", "OTEL_LOGS_EXPORTER");
          if (processor) {
            processors.push(processor);
            build.logsToConsole = true;
          }
          continue;
        }
        const otlp = choice === "otlp" ? select.otlp("logs", options.otlp, env) : undefined;
        const exporter = otlp ? createOtlpLogExporter(otlp) : (choice as Exclude<typeof choice, string>);
        const wiring = selfObs?.exportPipeline("log", exporter, otlp);
        const processor = new BatchLogRecordProcessor(exporter, {
          ...batchSettings(options.logBatch, select.settings("logBatch", options.logBatch, env), DEFAULT_BLRP_OPTIONS, "OTEL_BLRP_"),
          onExport: wiring?.onExport,
        });
        wiring?.attach(processor);
        exporting.push(processor);
        processors.push(processor);
      }
      const provider = (build.loggerProvider = new LoggerProvider({
        resource,
        limits: select.settings("logLimits", options.logLimits, env),
        processors,
      }));
      return {
        register: () => void logs.setGlobalLoggerProvider(provider),
        flush: () => provider.forceFlush(),
        shutdown: () => provider.shutdown(),
        stats: () => sumBatcherStats(exporting),
      };
    },
  };
}
