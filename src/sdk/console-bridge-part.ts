/**
 * The `consoleBridge()` part: `console.*` calls become log records (restored on `shutdown()`).
 */
import { bridgeConsole, type BridgeConsoleOptions } from "../logs/console-bridge.ts";
import type { SdkPart } from "./part.ts";

/**
 * Bridges `console.debug/log/info/warn/error` into log records of the SDK's logs part, until
 * `sdk.shutdown()`. `options` default to `options.bridgeConsole` of `init()`; on the Node, Deno,
 * Bun and core entries, `bridgeConsole: true` adds this part. When the logs part prints the
 * records as JSON lines (the `console` exporter), the original calls are not printed too
 * (`passthrough: false`) unless the options set `passthrough`.
 *
 * @example
 * ```ts
 * import { init, logsSdk, consoleBridge } from "otel-edge/workers";
 * init({ env, parts: [logsSdk(), consoleBridge({ passthrough: true })] });
 * ```
 */
export function consoleBridge(options?: BridgeConsoleOptions): SdkPart {
  return {
    kind: "consoleBridge",
    start(build) {
      const flag = build.options.bridgeConsole;
      if (build.disabled || flag === false) return;
      // Issue 18: when the records themselves are printed as JSON lines (`logExporter: "console"`),
      // passing each call through too would print it twice, once as plain text: a collector
      // reading stdout would get duplicates and lines that are not JSON. A `passthrough` in the
      // options still wins.
      const restore = bridgeConsole({ passthrough: !build.logsToConsole, ...(options ?? (typeof flag == "object" ? flag : {})) });
      return { shutdown: async () => restore() };
    },
  };
}
