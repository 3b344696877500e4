/**
 * The Node.js (and Bun) entry: everything from the core, with `init()` wired to this
 * runtime — `AsyncLocalStorage` from `node:async_hooks` for context across `await`,
 * `process.env` for `OTEL_*` settings, and a flush of queued telemetry before the
 * process exits. The package's `node` export condition points `otel-edge` here, so a
 * plain `import { init } from "otel-edge"` gets this behaviour in Node.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { AsyncLocalStorageContextManager } from "../context/async-local-storage-manager.ts";
import { releaseContextManager } from "../context/context-api.ts";
import { initFullOrFromFile } from "../sdk/full-init.ts";
import type { FullSdk } from "../sdk/init.ts";
import { nodeRuntimeReadings } from "./node-runtime-readings.ts";
import { withRuntimeMetrics, type RuntimeInitOptions } from "./runtime-metrics.ts";

// One AsyncLocalStorage for every init(): Node never frees what each instance leaves on
// long-lived async resources, so a new one per init/shutdown cycle grows the heap.
let asyncContext: AsyncLocalStorageContextManager | undefined;

/**
 * Starts the SDK for Node.js: like the core `init`, with AsyncLocalStorage context,
 * `process.env` configuration (or the configuration file `OTEL_CONFIG_FILE` names, or
 * `options.config`) and a flush on `beforeExit`. `runtimeMetrics: true` adds
 * process CPU time, memory and event-loop delay metrics.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge";
 * const sdk = init({ serviceName: "api" });
 * trace.getTracer("api").startActiveSpan("boot", (span) => span.end());
 * ```
 */
export function init(options: RuntimeInitOptions = {}): FullSdk {
  const { runtimeMetrics, ...core } = options;
  const sdk = withRuntimeMetrics(
    initFullOrFromFile(
      { env: process.env, contextManager: (asyncContext ??= new AsyncLocalStorageContextManager(AsyncLocalStorage)), ...core },
      // Spec (Resource semantic conventions): unknown_service:<process.executable.name>.
      { sdkLanguage: "nodejs", defaultServiceName: "unknown_service:node" },
      (path) => readFileSync(path, "utf8"),
    ),
    // Off by default: process CPU, memory and event-loop delay (see runtime-metrics.ts).
    runtimeMetrics,
    nodeRuntimeReadings,
  );
  if (sdk.disabled) return sdk;
  // `beforeExit` fires when the event loop empties (our export timers are unref'd, so
  // they don't keep the process alive): export what is still queued, once. Shutdown removes
  // the listener and, unless a later init() replaced it, releases the context manager (its
  // async hook), so init/shutdown cycles (tests, hot reload) leave nothing behind.
  const flushOnExit = (): void => void sdk.flush();
  process.once("beforeExit", flushOnExit);
  return {
    ...sdk,
    shutdown: () => {
      process.off("beforeExit", flushOnExit);
      return sdk.shutdown().then(() => releaseContextManager(asyncContext));
    },
  };
}

export type { ConfigInput, ConfigOption } from "../config/config-init.ts";
export { configFile, type ConfigFilePart } from "../config/config-part.ts";
export * from "../../mod.ts";
