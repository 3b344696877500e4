/**
 * The `init()` of the entries where size matters less than completeness (the core entry, and
 * through it Node, Deno and Bun): all three signals, every choice by name from `OTEL_*`, and
 * the `bridgeConsole` option.
 */
import { consoleBridge } from "./console-bridge-part.ts";
import { ENV_SELECTION } from "./env-selection.ts";
import { initSdk, type FullSdk, type RuntimePreset } from "./init.ts";
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

/** {@link initSdk} with every signal and the by-name selection, for an entry's `preset`. */
export function initFull(options: InitOptions, preset: Omit<RuntimePreset, "parts" | "select">): FullSdk {
  return initSdk(options, { ...preset, select: ENV_SELECTION, parts: allParts(options) }) as FullSdk;
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
