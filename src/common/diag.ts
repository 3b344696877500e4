/**
 * Diagnostics: where the SDK reports its own problems (dropped attributes, failed
 * exports, bad configuration). Recording APIs never throw (DESIGN principle 3); they
 * report here instead, once per cause, so a hot loop cannot flood the sink.
 *
 * Shape-compatible with `diag` from `@opentelemetry/api`.
 */

/** Verbosity levels, numerically identical to `DiagLogLevel` in `@opentelemetry/api`. */
export const DiagLogLevel: {
  readonly NONE: 0;
  readonly ERROR: 30;
  readonly WARN: 50;
  readonly INFO: 60;
  readonly DEBUG: 70;
  readonly VERBOSE: 80;
  readonly ALL: 9999;
} = { NONE: 0, ERROR: 30, WARN: 50, INFO: 60, DEBUG: 70, VERBOSE: 80, ALL: 9999 };

/** One of the {@link DiagLogLevel} values. */
export type DiagLogLevel = (typeof DiagLogLevel)[keyof typeof DiagLogLevel];

/** A sink for diagnostic messages. `console` satisfies it (with `verbose` mapped to `debug`). */
export interface DiagLogger {
  error(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  verbose(message: string, ...args: unknown[]): void;
}

/** The global diagnostics API: a {@link DiagLogger} plus its configuration. */
export interface DiagAPI extends DiagLogger {
  /** Installs `logger` (default: the console) at `level` (default WARN). Returns true. */
  setLogger(logger?: DiagLogger, level?: DiagLogLevel | { logLevel?: DiagLogLevel }): boolean;
  /** Silences all diagnostics. */
  disable(): void;
}

type Method = keyof DiagLogger;
const METHOD_LEVEL: Record<Method, number> = { error: 30, warn: 50, info: 60, debug: 70, verbose: 80 };

// One arrow per level, calling `write` with the level's name: the console logger and `diag`
// are both this shape, so it is written once.
function levelMethods(write: (method: Method, message: string, args: unknown[]) => void): DiagLogger {
  return {
    error: (m, ...a) => write("error", m, a),
    warn: (m, ...a) => write("warn", m, a),
    info: (m, ...a) => write("info", m, a),
    debug: (m, ...a) => write("debug", m, a),
    verbose: (m, ...a) => write("verbose", m, a),
  };
}

// Console methods are looked up at call time, so a console bridge installed later (logs issue)
// sees our writes and can recognise them by `isDiagnosticWrite()`.
const consoleLogger: DiagLogger = /* @__PURE__ */ levelMethods(consoleWrite);

let writingDiagnostic = false;
function consoleWrite(method: Method, message: string, args: unknown[]): void {
  const c = (globalThis as unknown as { console?: Record<string, (...x: unknown[]) => void> }).console;
  // `console.verbose` does not exist: verbose goes to `console.debug`.
  const fn = c?.[method === "verbose" ? "debug" : method];
  if (typeof fn !== "function") return;
  writingDiagnostic = true;
  try {
    fn.call(c, `otel-edge: ${message}`, ...args);
  } catch {
    // A broken console must not break the caller.
  } finally {
    writingDiagnostic = false;
  }
}

/** True while the default diagnostic logger is writing to the console (lets a console bridge skip it). */
export function isDiagnosticWrite(): boolean {
  return writingDiagnostic;
}

let currentLogger: DiagLogger = consoleLogger;
let currentLevel: number = 50; // DiagLogLevel.WARN (a literal keeps this module tree-shakeable)

function emit(method: Method, message: string, args: unknown[]): void {
  if (METHOD_LEVEL[method] > currentLevel) return;
  try {
    currentLogger[method](message, ...args);
  } catch {
    // A diagnostic sink that throws must never reach the application.
  }
}

/** The global diagnostics API. */
export const diag: DiagAPI = {
  .../* @__PURE__ */ levelMethods(emit),
  setLogger(logger, level) {
    currentLogger = logger ?? consoleLogger;
    const lvl = typeof level === "object" ? level.logLevel : level;
    currentLevel = lvl ?? 50; // DiagLogLevel.WARN (literals: a property read keeps the DiagLogLevel table in every bundle)
    return true;
  },
  disable() {
    currentLevel = 0; // DiagLogLevel.NONE
  },
};

/** Changes only the level of the installed logger (used for `OTEL_LOG_LEVEL`). */
export function setDiagLogLevel(level: DiagLogLevel): void {
  currentLevel = level;
}

// Keys already reported by `diagOnce`. Bounded so that an attacker-controlled key space
// (e.g. attribute names) cannot grow it without limit; past the bound, reports are dropped.
const MAX_ONCE_KEYS = 1024;
const reported = new Set<string>();

/**
 * Reports `message` at `level` the first time `key` is seen, and never again for that key.
 * Used for recording-time problems that could otherwise repeat on every call. A message
 * without variable parts can be its own key (`diagOnce("warn", "Dropped …")`).
 */
export function diagOnce(level: Method, key: string, message: string = key, ...args: unknown[]): void {
  if (reported.has(key) || reported.size >= MAX_ONCE_KEYS) return;
  reported.add(key);
  emit(level, message, args);
}

/** Forgets which keys were reported (tests only). */
export function resetDiagOnce(): void {
  reported.clear();
}

/** Parses `OTEL_LOG_LEVEL` values (`none`, `error`, `warn`, `info`, `debug`, `verbose`, `all`). */
export function parseDiagLogLevel(value: string | undefined): DiagLogLevel | undefined {
  if (!value) return undefined;
  const key = value.trim().toUpperCase() as keyof typeof DiagLogLevel;
  return Object.prototype.hasOwnProperty.call(DiagLogLevel, key) ? DiagLogLevel[key] : undefined;
}
