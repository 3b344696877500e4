/**
 * The Deno entry: everything from the core, with `init()` wired to Deno 2 — context across
 * `await` from `AsyncLocalStorage` (`node:async_hooks`, built into Deno), `OTEL_*` settings
 * from `Deno.env` only when the env permission is already granted (never a prompt, never a
 * crash), and a flush when the program is about to exit. The package's `deno` export
 * condition, and the JSR package's `./deno` export, point here.
 *
 * `telemetry.sdk.language` is `nodejs`: the semantic conventions' list has no Deno value, and
 * the JavaScript values mean "server" (`nodejs`) versus "browser" (`webjs`); Deno runs this
 * SDK as a server runtime. `process.runtime.name` = `deno` (with `process.runtime.version`)
 * tells Deno apart from Node.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { diagOnce } from "../common/diag.ts";
import type { EnvRecord } from "../common/env.ts";
import { AsyncLocalStorageContextManager } from "../context/async-local-storage-manager.ts";
import { releaseContextManager } from "../context/context-api.ts";
import { initFullOrFromFile } from "../sdk/full-init.ts";
import type { FullSdk } from "../sdk/init.ts";
import { eventLoopDelayFrom, withRuntimeMetrics, type RuntimeInitOptions, type RuntimeReadings } from "./runtime-metrics.ts";

/** The part of the `Deno` namespace this entry uses; reached through `globalThis` so plain tsc needs no Deno types. */
interface DenoLike {
  readonly version?: { readonly deno?: string };
  readonly env?: { toObject(): Record<string, string> };
  readonly permissions?: { querySync?(descriptor: { name: "env" }): { readonly state: string } };
  memoryUsage?(): { rss: number };
  cpuUsage?(): { user: number; system: number };
}

function denoNamespace(): DenoLike | undefined {
  return (globalThis as { Deno?: DenoLike }).Deno;
}

/** Options of the Deno `init()`: the core's, plus `runtimeMetrics`. */
export type DenoInitOptions = RuntimeInitOptions;

/**
 * `Deno.env` as a record when the env permission is granted; else an empty record and one
 * info line. It asks `Deno.permissions.querySync` first because `Deno.env.toObject()`
 * without the permission either throws (`--no-prompt`, Deno Deploy) or prompts the user
 * on a terminal — an SDK must do neither.
 */
export function denoEnv(): EnvRecord {
  const deno = denoNamespace();
  if (!deno?.env) return {};
  try {
    const state = deno.permissions?.querySync?.({ name: "env" }).state ?? "granted";
    if (state !== "granted") {
      diagOnce(
        "info",
        "deno-env-permission",
        `Deno: the env permission is "${state}", so OTEL_* environment variables are not read (run with --allow-env to use them, or pass init() options).`,
      );
      return {};
    }
    return deno.env.toObject();
  } catch (e) {
    diagOnce("info", "deno-env-permission", "Deno: reading the environment failed, so OTEL_* environment variables are not read.", e);
    return {};
  }
}

/** Runtime metrics readings in Deno: `Deno.memoryUsage()`, CPU time and event-loop delay where Deno provides them. */
export function denoRuntimeReadings(): RuntimeReadings {
  const deno = denoNamespace();
  const readings: RuntimeReadings = { startEventLoopDelay: () => eventLoopDelayFrom(monitorEventLoopDelay) };
  if (typeof deno?.memoryUsage === "function") readings.memoryRss = () => deno.memoryUsage!().rss;
  if (typeof deno?.cpuUsage === "function") {
    // Microseconds since the process started, like Node's process.cpuUsage().
    readings.cpuTime = () => {
      const { user, system } = deno.cpuUsage!();
      return { user: user / 1e6, system: system / 1e6 };
    };
  }
  return readings;
}

// One AsyncLocalStorage for every init(), as in node.ts: a new one per init/shutdown cycle
// may outlive its SDK on long-lived async resources.
let asyncContext: AsyncLocalStorageContextManager | undefined;

/**
 * Starts the SDK for Deno: like the core `init`, with AsyncLocalStorage context, `Deno.env`
 * configuration (when permitted) and a flush before exit.
 *
 * Flush guarantees: on `beforeunload` (the event loop has run out of work — Deno's
 * `beforeExit`) the entry cancels the exit once, so queued telemetry is exported and the
 * program waits for it, then exits. `Deno.exit()` and signals skip
 * `beforeunload`; the `unload` event that still fires cannot wait for anything, so it only
 * starts a last export that may not complete. Call `await sdk.shutdown()` before
 * `Deno.exit()` to be sure. No signal listener is installed: one would keep the process alive
 * and replace Deno's default SIGTERM behaviour.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge";
 * const sdk = init({ serviceName: "api", runtimeMetrics: true });
 * trace.getTracer("api").startActiveSpan("boot", (span) => span.end());
 * await sdk.shutdown();
 * ```
 */
export function init(options: DenoInitOptions = {}): FullSdk {
  const deno = denoNamespace();
  const { runtimeMetrics, ...core } = options;
  const runtimeAttributes = { "process.runtime.name": "deno", ...(deno?.version?.deno ? { "process.runtime.version": deno.version.deno } : {}) };
  const sdk = withRuntimeMetrics(
    initFullOrFromFile(
      {
        ...core,
        env: core.env ?? denoEnv(),
        contextManager: core.contextManager ?? (asyncContext ??= new AsyncLocalStorageContextManager(AsyncLocalStorage)),
        resourceAttributes: { ...runtimeAttributes, ...core.resourceAttributes },
      },
      // Spec (Resource semantic conventions): unknown_service:<process.executable.name>.
      { sdkLanguage: "nodejs", defaultServiceName: "unknown_service:deno" },
      // node:fs works in Deno; without --allow-read the error names the file and the cause.
      (path) => readFileSync(path, "utf8"),
    ),
    runtimeMetrics,
    denoRuntimeReadings,
  );
  if (sdk.disabled || typeof globalThis.addEventListener !== "function") return sdk;
  // Deno dispatches `beforeunload` when the event loop is out of work and exits right after
  // unless the event is cancelled: cancelling keeps the loop running, so the export's fetch
  // completes; then the loop empties again and the program exits (`once`: no second hold).
  // Shutdown removes both listeners and releases the context manager, as in node.ts.
  const beforeUnload = (event: Event): void => {
    event.preventDefault();
    void sdk.flush();
  };
  const unload = (): void => void sdk.flush();
  globalThis.addEventListener("beforeunload", beforeUnload, { once: true });
  globalThis.addEventListener("unload", unload, { once: true });
  return {
    ...sdk,
    shutdown: () => {
      globalThis.removeEventListener("beforeunload", beforeUnload);
      globalThis.removeEventListener("unload", unload);
      return sdk.shutdown().then(() => releaseContextManager(asyncContext));
    },
  };
}

export type { ConfigInput, ConfigOption } from "../config/config-init.ts";
export { configFile, type ConfigFilePart } from "../config/config-part.ts";
export * from "../../mod.ts";
