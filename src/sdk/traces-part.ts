/**
 * The traces part: a {@link BasicTracerProvider} with the sampler, limits and id generator of
 * the options (else the selection's), the user's span processors, and one exporting pipeline
 * per chosen exporter — OTLP by default, batched. Registered as the global tracer provider.
 */
import { batchSettings } from "../export/batch-settings.ts";
import { createOtlpTraceExporter } from "../export/otlp-http-exporter.ts";
import { BatchSpanProcessor, DEFAULT_BSP_OPTIONS } from "../trace/batch-span-processor.ts";
import type { Sampler } from "../trace/samplers/sampler.ts";
import { trace } from "../trace/trace-api.ts";
import { BasicTracerProvider } from "../trace/tracer-provider.ts";
import type { SpanProcessor } from "../trace/types.ts";
import { chosenExporters, consolePipeline } from "./exporter-choice.ts";
import type { SdkPart } from "./part.ts";
import { sumBatcherStats, type HasBatcherStats } from "./sdk-stats.ts";

const ALWAYS_DROP: Sampler = { shouldSample: () => ({ decision: 0 }), toString: () => "AlwaysOff" };

/**
 * Tracing: spans from `trace.getTracer()`, exported as the options (or `OTEL_TRACES_EXPORTER`)
 * say — OTLP/HTTP JSON by default. Every runtime entry's `init()` has it.
 *
 * @example
 * ```ts
 * import { init, tracesSdk, metricsSdk } from "otel-edge/workers";
 * init({ env, parts: [tracesSdk(), metricsSdk()] });
 * ```
 */
export function tracesSdk(): SdkPart {
  return {
    kind: "traces",
    start(build) {
      const { options, env, resource, select, selfObservability: selfObs } = build;
      if (build.disabled) {
        const provider = (build.tracerProvider = new BasicTracerProvider({ resource, sampler: ALWAYS_DROP }));
        void provider.shutdown();
        return;
      }
      const exporting: HasBatcherStats[] = [];
      const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
      if (selfObs) processors.unshift(selfObs.liveSpanProcessor());
      for (const choice of chosenExporters(build, options.traceExporter, "OTEL_TRACES_EXPORTER")) {
        if (choice === "none") continue;
        if (choice === "console") {
          const processor = consolePipeline(select.consoleSpans, options.traceExporter !== undefined, "traceExporter", "OTEL_TRACES_EXPORTER");
          if (processor) processors.push(processor);
          continue;
        }
        const otlp = choice === "otlp" ? select.otlp("traces", options.otlp, env) : undefined;
        const exporter = otlp ? createOtlpTraceExporter(otlp) : (choice as Exclude<typeof choice, string>);
        const wiring = selfObs?.exportPipeline("span", exporter, otlp);
        const processor = new BatchSpanProcessor(exporter, {
          ...batchSettings(options.batch, select.settings("spanBatch", options.batch, env), DEFAULT_BSP_OPTIONS, "OTEL_BSP_"),
          onExport: wiring?.onExport,
        });
        wiring?.attach(processor);
        exporting.push(processor);
        processors.push(processor);
      }
      const sampler = options.sampler ?? select.sampler(env);
      const provider = (build.tracerProvider = new BasicTracerProvider({
        resource,
        sampler: selfObs ? selfObs.countingSampler(sampler) : sampler,
        spanLimits: select.settings("spanLimits", options.spanLimits, env),
        spanProcessors: processors,
        idGenerator: options.idGenerator,
      }));
      return {
        register: () => void trace.setGlobalTracerProvider(provider),
        flush: () => provider.forceFlush(),
        shutdown: () => provider.shutdown(),
        stats: () => sumBatcherStats(exporting),
      };
    },
  };
}
