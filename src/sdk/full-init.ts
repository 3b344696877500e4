/**
 * The `init()` of the entries where size matters less than completeness (the core entry, and
 * through it Node, Deno and Bun): all three signals, every choice by name from `OTEL_*`, and
 * the `bridgeConsole` option.
 */
import { envString } from "../common/env.ts";
import type { ConfigOption } from "../config/config-init.ts";
import type { ConfigFilePart } from "../config/config-part.ts";
import { consoleBridge } from "./console-bridge-part.ts";
import { ENV_SELECTION } from "./env-selection.ts";
import { initSdk, type FullSdk, type RuntimePreset } from "./init.ts";
import { checkInitOptions } from "./option-checks.ts";
import { logsSdk } from "./logs-part.ts";
import { metricsSdk } from "./metrics-part.ts";
import type { InitOptions } from "./options.ts";
import type { SdkPart } from "./part.ts";
import { tracesSdk } from "./traces-part.ts";

/** The parts of a complete SDK: the three signals, and the console bridge when `options` ask for it. */
export function allParts(options: InitOptions): SdkPart[] {
  const parts = [tracesSdk(), metricsSdk(), logsSdk()];
  if (options.bridgeConsole) parts.push(consoleBridge());
  return parts;
}

/**
 * The `init()` of the Node, Bun and Deno entries: {@link initFull}, or, when `options.config`
 * or `OTEL_CONFIG_FILE` gives a configuration file, the SDK that file describes — built by the
 * `configFile()` part, which the program must pass (it is what bundles the file reader).
 *
 * @throws TypeError when a configuration file is given without the `configFile()` part.
 */
export function initFullOrFromFile(options: InitOptions & ConfigOption, preset: Omit<RuntimePreset, "parts" | "select">, readText: (path: string) => string): FullSdk {
  const path = options.config === undefined ? envString(options.env, "OTEL_CONFIG_FILE") : undefined;
  if (options.config === undefined && path === undefined) return initFull(options, preset);
  const reader = options.parts?.find((part): part is ConfigFilePart => part.kind === "config");
  if (reader === undefined) {
    const given = path === undefined ? "options.config" : `OTEL_CONFIG_FILE=${path}`;
    throw new TypeError(`Cannot init: ${given} is a configuration file, which this program does not import the reader of: import { configFile } from "otel-edge" and pass parts: [configFile()].`);
  }
  return reader.initFromConfig(options, { ...preset, check: checkInitOptions }, readText);
}

/** {@link initSdk} with every signal, the by-name selection and every option checked, for an entry's `preset`. */
export function initFull(options: InitOptions, preset: Omit<RuntimePreset, "parts" | "select">): FullSdk {
  return initSdk(options, { check: checkInitOptions, ...preset, select: ENV_SELECTION, parts: allParts(options) }) as FullSdk;
}

/**
 * Starts the SDK — traces, metrics and logs, configured from the options, then `OTEL_*`
 * variables of `options.env` — and registers it globally.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge";
 * const sdk = init({ serviceName: "checkout" });
 * await trace.getTracer("app").startActiveSpan("work", async (span) => {
 *   try { await doWork(); } finally { span.end(); }
 * });
 * await sdk.flush();
 * ```
 */
export function init(options: InitOptions = {}): FullSdk {
  return initFull(options, {});
}
