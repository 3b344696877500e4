/**
 * `bridgeConsole()`: turns `console.debug/log/info/warn/error` calls into log records, so
 * code (and libraries) that log with `console` get severity, trace correlation and export
 * without changes. Opt-in: nothing is patched until it is called (DESIGN principle 5).
 *
 * - Severity comes from the method: debug → DEBUG, log/info → INFO, warn → WARN, error → ERROR.
 * - The body is the line `console` would print (format strings rendered, see `format.ts`);
 *   the first `Error` argument also gives `exception.*` attributes.
 * - The original output is kept unless `{ passthrough: false }`.
 * - It never loops: the SDK's own diagnostics (`isDiagnosticWrite()`), the JSON-lines sink's
 *   writes (`isInternalWrite()`) and any console call made while a record is being emitted
 *   (a re-entrancy flag) go straight to the original method, and are always printed.
 */
import { isDiagnosticWrite } from "../common/diag.ts";
import { isInternalWrite } from "./console-guard.ts";
import { exceptionAttributes } from "./friendly-logger.ts";
import { formatLogArguments } from "./format.ts";
import { logs } from "./logs-api.ts";
import { SeverityNumber } from "./severity.ts";
import type { LogAttributes, Logger, LogRecord } from "./types.ts";

/** The console methods that can be bridged. */
export type BridgedConsoleMethod = "debug" | "log" | "info" | "warn" | "error";

/** Options of {@link bridgeConsole}. */
export interface BridgeConsoleOptions {
  /** Where records go. Default `logs.getLogger("console")` (follows the global provider). */
  logger?: Logger;
  /** Also print to the original console method. Default true. */
  passthrough?: boolean;
  /** Which methods to bridge. Default all of debug, log, info, warn, error. */
  methods?: readonly BridgedConsoleMethod[];
  /** The console object to patch. Default `globalThis.console`. */
  console?: object;
}

// SeverityNumber.DEBUG, INFO, WARN, ERROR written out: a property read at module level
// counts as a side effect to bundlers and would keep this table in every bundle.
const SEVERITY: Record<BridgedConsoleMethod, readonly [SeverityNumber, string]> = {
  debug: [5, "DEBUG"],
  log: [9, "INFO"],
  info: [9, "INFO"],
  warn: [13, "WARN"],
  error: [17, "ERROR"],
};

// Shared by every bridge, so two bridges on one console cannot feed each other either.
let emitting = false;

type ConsoleFn = (...args: unknown[]) => void;

/**
 * Patches the console; returns a function that restores it (idempotent).
 *
 * @example
 * ```ts
 * const restore = bridgeConsole({ passthrough: false });
 * console.info("user %s signed in", user.id); // a record with severity INFO, not printed twice
 * restore();
 * ```
 */
export function bridgeConsole(options: BridgeConsoleOptions = {}): () => void {
  const target = (options.console ?? (globalThis as { console?: object }).console) as Record<string, unknown> | undefined;
  if (target === null || typeof target !== "object") return () => {};
  const logger = options.logger ?? logs.getLogger("console");
  const passthrough = options.passthrough !== false;
  const methods = options.methods ?? (Object.keys(SEVERITY) as BridgedConsoleMethod[]);
  let active = true;
  const installed: Array<{ method: string; original: unknown; wrapper: ConsoleFn }> = [];

  for (const method of methods) {
    if (!Object.prototype.hasOwnProperty.call(SEVERITY, method)) continue;
    const original = target[method];
    if (typeof original !== "function") continue;
    const [severityNumber, severityText] = SEVERITY[method];
    const callOriginal = (args: unknown[]): void => {
      (original as ConsoleFn).apply(target, args);
    };
    const wrapper: ConsoleFn = function (...args: unknown[]): void {
      if (!active || emitting || isDiagnosticWrite() || isInternalWrite()) {
        callOriginal(args);
        return;
      }
      emitting = true;
      try {
        try {
          logger.emit(toRecord(args, severityNumber as LogRecord["severityNumber"], severityText));
        } catch {
          // Recording never throws.
        }
        // Still flagged: if the original is another bridge's wrapper, it must not record the
        // same call a second time (one console call, one record).
        if (passthrough) callOriginal(args);
      } finally {
        emitting = false;
      }
    };
    try {
      target[method] = wrapper;
      installed.push({ method, original, wrapper });
    } catch {
      // A frozen console: leave that method alone.
    }
  }

  return () => {
    if (!active) return;
    active = false;
    for (const { method, original, wrapper } of installed) {
      // Only undo our own patch: if someone wrapped ours since, replacing theirs would drop
      // their wrapper; ours, now inactive, just passes calls through.
      if (target[method] === wrapper) target[method] = original;
    }
  };
}

function toRecord(args: unknown[], severityNumber: LogRecord["severityNumber"], severityText: string): LogRecord {
  const record: LogRecord = { severityNumber, severityText, body: formatLogArguments(args) };
  try {
    for (const a of args) {
      if (a instanceof Error) {
        const attributes: LogAttributes = exceptionAttributes(a);
        record.attributes = attributes;
        break;
      }
    }
  } catch {
    // `instanceof` on a Proxy whose getPrototypeOf trap throws: the record keeps its body.
  }
  return record;
}
