/**
 * The global `logs` API, shape-compatible with `logs` in `@opentelemetry/api-logs`.
 *
 * `logs.getLogger()` may be called at module load, before `init()`: it returns a logger that
 * looks up the global provider at each emit, so records emitted after `init()` are recorded
 * even through a logger obtained earlier (the official API's ProxyLogger does the same).
 * Before a provider is set, records are dropped.
 */
import type { Logger, LoggerOptions, LoggerProvider, LogRecord } from "./types.ts";

/** The global logs API. */
export interface LogsAPI {
  /** A logger that emits through whatever provider is global at the time of each emit. */
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger;
  /** The global provider (a no-op one before any is set). */
  getLoggerProvider(): LoggerProvider;
  /** Sets the global provider, replacing any previous one; returns it, as the official API does. */
  setGlobalLoggerProvider(provider: LoggerProvider): LoggerProvider;
  /** Removes the global provider: records are dropped again. */
  disable(): void;
}

const noopLogger: Logger = { emit: () => {} };
const noopProvider: LoggerProvider = { getLogger: () => noopLogger };
let globalProvider: LoggerProvider | undefined;
let generation = 0; // bumps whenever the provider changes, so proxies re-resolve

/** A logger that resolves the real one lazily from the global provider, again after each change. */
function proxyLogger(name: string, version: string | undefined, options: LoggerOptions | undefined): Logger {
  let delegate: Logger | undefined;
  let seen = -1;
  return {
    emit(logRecord: LogRecord): void {
      try {
        if (seen !== generation || delegate === undefined) {
          delegate = (globalProvider ?? noopProvider).getLogger(name, version, options);
          seen = generation;
        }
        delegate.emit(logRecord);
      } catch {
        // A third-party provider that throws must not reach the application.
      }
    },
  };
}

/** The global logs API. */
export const logs: LogsAPI = {
  getLogger: proxyLogger,
  getLoggerProvider: () => globalProvider ?? noopProvider,
  setGlobalLoggerProvider(provider) {
    globalProvider = provider;
    generation++;
    return provider;
  },
  disable() {
    globalProvider = undefined;
    generation++;
  },
};
