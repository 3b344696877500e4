/**
 * The `selfObservability()` part: the SDK reports its own queues and exports as the
 * OpenTelemetry SDK metrics, through its own meter provider (see `self-observability.ts`).
 */
import type { SdkPart } from "./part.ts";
import { SelfObservability } from "./self-observability.ts";

/**
 * SDK self-observability metrics (`otel.sdk.processor.span.queue.size`,
 * `otel.sdk.exporter.span.exported` with `error.type`, ...). Needs the metrics part (which the
 * Node, Deno, Bun and core entries have). Off unless imported: most programs never read these.
 *
 * @example
 * ```ts
 * import { init, metricsSdk, selfObservability } from "otel-edge/workers";
 * init({ env, parts: [metricsSdk(), selfObservability()] });
 * ```
 */
export function selfObservability(): SdkPart {
  return {
    kind: "selfObservability",
    prepare(preparation) {
      if (preparation.options.selfObservability !== false) preparation.selfObservability = new SelfObservability();
    },
    start(build) {
      // Started after the signal parts (see initSdk): the metrics part has built the meter provider.
      if (build.selfObservability && !build.meterProvider) {
        throw new TypeError("Cannot init: selfObservability() reports through the SDK's meter provider: pass the metrics part too, parts: [metricsSdk(), selfObservability()].");
      }
    },
  };
}
