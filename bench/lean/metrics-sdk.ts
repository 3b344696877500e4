/**
 * `metricsSdk()`: the metrics part `init()` starts when the program imports it
 * (`init({ env, parts: [metricsSdk()] })`), as the product's src/sdk/metrics-part.ts on the Workers
 * path (src/runtime/workers-init.ts): a meter provider registered as the global one (the
 * `metrics` API's proxies start recording), read and exported only when flushed — no timer
 * (the product's `metricExportIntervalMillis: Infinity`): `flushInWaitUntil(ctx)` collects and
 * exports once per invocation, after the response (a timer turn), over export.ts's transport
 * (retries, Retry-After, timeouts, redirects refused, the exporter's fetch not traced).
 *
 * Configuration, as the product's on Workers:
 * - `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (`cumulative`, `delta`, `lowmemory`, any
 *   case); unset, the Workers default is `delta` (an isolate's cumulative state is lost when it
 *   is evicted, so cumulative series would restart unnoticed); an invalid value is reported and
 *   cumulative (the OTLP exporter's default) is used;
 * - `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` / `_HEADERS` / `_TIMEOUT` and the generic variables
 *   (config.ts `otlpTarget`), the `otlp` option;
 * - `OTEL_METRICS_EXPORTER`: `none` exports nothing; only `otlp` is pushed here (others reported);
 * - `OTEL_METRIC_EXPORT_TIMEOUT` (default 30000): the bound of one collect+export.
 *
 * One collect+export in flight: flushes asked for while one runs share the next one, which
 * starts when it ends (or its time is up), so every flush covers what was recorded before it.
 * A collection without data points sends nothing.
 */
import type { Resource } from "./contract.ts";
import { otlpTarget, type LeanOptions } from "./config.ts";
import { warnOnce } from "./diag.ts";
import { createPost } from "./export.ts";
import { createMeterProvider, within, type MeterProviderConfig, type TemporalityPreference } from "./metrics.ts";
import { metrics } from "./metrics-api.ts";
import { encodeMetrics } from "./otlp-metrics.ts";

/** What `init()` hands each part it starts: the options it was given, their env, the resource it built. */
export interface PartContext {
  options: LeanOptions;
  env: Readonly<Record<string, unknown>> | undefined;
  resource: Resource;
}

/** A signal `init()` starts besides traces; `flushInWaitUntil` flushes it with the spans. */
export interface SdkPart {
  start(context: PartContext): { flush(): Promise<unknown> } | undefined;
}

const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The metrics part (see the module doc); `preferred`: the temporality when the env sets none
 * (Workers: delta, Node: cumulative); `exemplar`: the exemplar filter (metrics.ts; none by default).
 */
export function metricsSdk(preferred = "delta", exemplar?: MeterProviderConfig["exemplar"]): SdkPart {
  return {
    start({ options, env, resource }) {
      const read = (name: string): string | undefined => {
        const v = env?.["OTEL_" + name];
        return (typeof v == "string" && v.trim().toLowerCase()) || undefined;
      };
      const exporters = (read("METRICS_EXPORTER") ?? "otlp").split(",").map((s) => s.trim());
      for (const e of exporters) if (!/^(otlp|none)$/.test(e)) warnOnce("OTEL_METRICS_EXPORTER: " + e.slice(0, 32) + " not exported");
      if (!exporters.includes("otlp")) return;
      let temporality = (read("EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") ?? preferred) as TemporalityPreference;
      if (!/^(cumulative|delta|lowmemory)$/.test(temporality)) {
        warnOnce("ignored OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: not cumulative, delta or lowmemory");
        temporality = "cumulative";
      }
      const timeout = +read("METRIC_EXPORT_TIMEOUT")! > 0 ? +read("METRIC_EXPORT_TIMEOUT")! : 3e4;
      const provider = createMeterProvider({ resource, temporality, exemplar });
      const post = createPost(otlpTarget(options.otlp ?? {}, env, "metrics"));
      metrics.setGlobalMeterProvider(provider);

      /** One collect+export, after the response has gone (a timer turn). */
      const once = async (): Promise<void> => {
        await sleep(0);
        const body = encodeMetrics([await provider.collect(timeout)]);
        // `{"resourceMetrics":[]}`: no data point; never send an empty payload.
        if (body.length > 22) await post(body);
      };
      let chain: Promise<unknown> = Promise.resolve();
      let next: Promise<unknown> | undefined;
      return {
        flush: () =>
          (next ??= chain = chain
            .then(() => {
              next = undefined;
              // A hung export is abandoned when its time is up (its request is aborted by `post`).
              return within(once(), timeout);
            })
            .catch(() => {})),
      };
    },
  };
}
