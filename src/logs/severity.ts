/**
 * Log severities: the numbers of the OTel Logs Data Model ("Field: SeverityNumber",
 * https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber), identical
 * to `SeverityNumber` in `@opentelemetry/api-logs` and to logs.proto, plus the short names the
 * data model recommends for display ("Displaying Severity": TRACE … FATAL4).
 */

/** Severity numbers 0–24, numerically identical to `SeverityNumber` in `@opentelemetry/api-logs`. */
export const SeverityNumber: {
  readonly UNSPECIFIED: 0;
  readonly TRACE: 1;
  readonly TRACE2: 2;
  readonly TRACE3: 3;
  readonly TRACE4: 4;
  readonly DEBUG: 5;
  readonly DEBUG2: 6;
  readonly DEBUG3: 7;
  readonly DEBUG4: 8;
  readonly INFO: 9;
  readonly INFO2: 10;
  readonly INFO3: 11;
  readonly INFO4: 12;
  readonly WARN: 13;
  readonly WARN2: 14;
  readonly WARN3: 15;
  readonly WARN4: 16;
  readonly ERROR: 17;
  readonly ERROR2: 18;
  readonly ERROR3: 19;
  readonly ERROR4: 20;
  readonly FATAL: 21;
  readonly FATAL2: 22;
  readonly FATAL3: 23;
  readonly FATAL4: 24;
} = {
  UNSPECIFIED: 0,
  TRACE: 1,
  TRACE2: 2,
  TRACE3: 3,
  TRACE4: 4,
  DEBUG: 5,
  DEBUG2: 6,
  DEBUG3: 7,
  DEBUG4: 8,
  INFO: 9,
  INFO2: 10,
  INFO3: 11,
  INFO4: 12,
  WARN: 13,
  WARN2: 14,
  WARN3: 15,
  WARN4: 16,
  ERROR: 17,
  ERROR2: 18,
  ERROR3: 19,
  ERROR4: 20,
  FATAL: 21,
  FATAL2: 22,
  FATAL3: 23,
  FATAL4: 24,
};

/** One of the {@link SeverityNumber} values. */
export type SeverityNumber = (typeof SeverityNumber)[keyof typeof SeverityNumber];

/** The six severity ranges, lower case, as the friendly logger's methods are named. */
export type LevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

const RANGES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;

/** True when `n` is an integer severity number in 0–24. */
export function isSeverityNumber(n: unknown): n is SeverityNumber {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 24;
}

/**
 * The data model's short display name for a severity number (`9` → `"INFO"`, `10` →
 * `"INFO2"`), or undefined for 0 (unspecified) and non-severity values.
 */
export function severityName(n: unknown): string | undefined {
  if (!isSeverityNumber(n) || n === 0) return undefined;
  const range = RANGES[(n - 1) >> 2]!;
  const step = (n - 1) & 3;
  return step === 0 ? range : range + String(step + 1);
}

/** The lower-case range name of a severity number (`10` → `"info"`), or undefined for 0. */
export function levelName(n: unknown): LevelName | undefined {
  if (!isSeverityNumber(n) || n === 0) return undefined;
  return RANGES[(n - 1) >> 2]!.toLowerCase() as LevelName;
}

// Common aliases from other logging libraries (syslog, log4j, Python logging, pino).
const ALIASES: Record<string, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  information: 9,
  notice: 10,
  warn: 13,
  warning: 13,
  error: 17,
  err: 17,
  fatal: 21,
  critical: 21,
  crit: 21,
  alert: 22,
  emergency: 23,
  emerg: 23,
};

/**
 * Parses a level for a minimum-level setting: a range name (`info`, `WARN`, any case), a
 * data-model short name (`INFO3`), a common alias (`warning`, `critical`), or a number
 * 1–24. `all` gives 1 (everything); `off`/`none`/`silent` give 25 (nothing passes).
 * Returns undefined for anything else, so the caller can warn and keep its default.
 */
export function parseSeverity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 1 && value <= 25 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) return parseSeverity(Number(text));
  if (text === "all") return 1;
  if (text === "off" || text === "none" || text === "silent") return 25;
  if (Object.prototype.hasOwnProperty.call(ALIASES, text)) return ALIASES[text];
  const m = /^(trace|debug|info|warn|error|fatal)([2-4])$/.exec(text);
  if (m) return ALIASES[m[1]!]! + Number(m[2]) - 1;
  return undefined;
}
