/**
 * The `selectByName()` part: the choices `OTEL_*` variables make by name — exporters
 * (`OTEL_TRACES_EXPORTER=console`, ...), samplers (`OTEL_TRACES_SAMPLER`), propagators
 * (`OTEL_PROPAGATORS=b3,jaeger`) — and the `"console"` exporter options. The Node, Deno, Bun and
 * core entries have it; a Worker or a page that wants it imports it (it brings the console
 * exporters, B3, Jaeger, the ratio and rate-limiting samplers and their name parsing).
 */
import { ENV_SELECTION } from "./env-selection.ts";
import type { SdkPart } from "./part.ts";

/**
 * The by-name selection from `OTEL_*` variables, as a part.
 *
 * @example
 * ```ts
 * import { init, selectByName } from "otel-edge/workers";
 * init({ env, parts: [selectByName()] }); // OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, ... by name
 * ```
 */
export function selectByName(): SdkPart {
  return {
    kind: "selection",
    prepare(preparation) {
      // Keeps what the entry reads from the environment (the browser reads nothing): there, only
      // the console pipelines are added.
      const { consoleSpans, consoleMetrics, consoleLogs } = ENV_SELECTION;
      preparation.select = preparation.env === undefined ? { ...preparation.select, consoleSpans, consoleMetrics, consoleLogs } : ENV_SELECTION;
    },
    start() {},
  };
}
