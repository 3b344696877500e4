/**
 * Reading `OTEL_*` configuration from an environment record the caller passes
 * (`process.env`, `Deno.env.toObject()`, a Workers `env` binding, or a plain object).
 *
 * Spec (SDK environment variables): an empty value is treated as unset; an invalid value
 * is reported and ignored, so the SDK runs on its defaults. Every warning names the
 * variable and the accepted form.
 */
import { diagOnce } from "./diag.ts";
import { percentDecode } from "./percent-decode.ts";

/** Environment variables as a read-only record. Non-string values (Workers bindings) are ignored. */
export type EnvRecord = Readonly<Record<string, unknown>>;

/** How a malformed value is shown in a warning: quoted, at most 64 characters (values can be huge). */
export function quoteEnvValue(value: string): string {
  return value.length > 64 ? JSON.stringify(value.slice(0, 64)) + "…" : JSON.stringify(value);
}

/**
 * Warns about a malformed `name=value` once per process: several components read the same
 * variable (`OTEL_ATTRIBUTE_COUNT_LIMIT` for spans and logs), and one warning is enough.
 */
export function warnEnv(name: string, value: string, expected: string, fallback = "using the default"): void {
  diagOnce("warn", `env:${name}=${value.slice(0, 256)}`, `Ignoring ${name}=${quoteEnvValue(value)}: expected ${expected}; ${fallback}.`);
}

/** The trimmed value of `name`, or undefined when unset, empty or not a string. */
export function envString(env: EnvRecord | undefined, name: string): string | undefined {
  const raw = env?.[name];
  if (typeof raw !== "string") return undefined;
  const value = raw.trim();
  return value === "" ? undefined : value;
}

/**
 * An integer read from `name`, at least `min` (spec: the numeric variables are integers —
 * counts, sizes and milliseconds); other values, floats included, warn and give undefined.
 */
export function envInteger(env: EnvRecord | undefined, name: string, min = 0): number | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= min) return n;
  warnEnv(name, value, `an integer >= ${min}`);
  return undefined;
}

/**
 * The largest delay `setTimeout` takes (2^31 − 1 ms, about 24.8 days). A Timeout variable set
 * to `0` means "no limit" (spec, "Timeout": implementations MAY substitute "a very long time",
 * e.g. "the maximum milliseconds representable by a 32-bit integer"); a larger value would make
 * timers fire at once.
 */
export const NO_TIMEOUT_MILLIS = 2_147_483_647;

/**
 * A Timeout variable (spec "Timeout": an integer number of milliseconds, non-negative; `0`
 * means no limit, which becomes {@link NO_TIMEOUT_MILLIS}); invalid values warn and give undefined.
 */
export function envTimeout(env: EnvRecord | undefined, name: string): number | undefined {
  const n = envInteger(env, name);
  return n === 0 ? NO_TIMEOUT_MILLIS : n;
}

/** A boolean read from `name` (`true`/`false`, any case); other values warn and give undefined. */
export function envBoolean(env: EnvRecord | undefined, name: string): boolean | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  // Spec (common configuration, "Enum"): errors show the value as the user wrote it.
  warnEnv(name, value, `"true" or "false"`);
  return undefined;
}

/** A comma-separated list read from `name`, trimmed, empty items removed. */
export function envList(env: EnvRecord | undefined, name: string): string[] | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** One of `allowed` read from `name` (case-insensitive); other values warn and give undefined. */
export function envEnum<T extends string>(env: EnvRecord | undefined, name: string, allowed: readonly T[]): T | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (match === undefined) {
    warnEnv(name, value, `one of ${allowed.join(", ")}`);
  }
  return match;
}

/**
 * Parses a W3C-Baggage-style `key1=value1,key2=value2` list, as used by
 * `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`. Keys and values are
 * trimmed and percent-decoded (a value may hold a raw `=`: only the first one splits).
 * A malformed entry (no `=`, empty key, bad percent-encoding) is skipped with one warning
 * naming `name` — or, with `discardAllOnError`, makes the whole value count as unset (an
 * error is reported). Values are never echoed (headers can hold credentials).
 */
export function parseKeyValueList(value: string | undefined, name: string, discardAllOnError?: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  let bad = 0;
  for (const item of value.split(",")) {
    if (item.trim() === "") continue;
    const eq = item.indexOf("=");
    const key = eq > 0 ? percentDecode(item.slice(0, eq).trim()) : undefined;
    const val = eq > 0 ? percentDecode(item.slice(eq + 1).trim()) : undefined;
    if (!key || val === undefined) {
      bad++;
      continue;
    }
    if (key === "__proto__") Object.defineProperty(out, key, { value: val, enumerable: true, writable: true, configurable: true });
    else out[key] = val;
  }
  if (bad > 0) {
    diagOnce(
      discardAllOnError ? "error" : "warn",
      `env:${name}=${value.slice(0, 256)}`,
      `${discardAllOnError ? "Ignoring all of" : "Ignored"} ${name}: ${bad} malformed entr${bad === 1 ? "y" : "ies"}; expected comma-separated key=value pairs (percent-encoded).`,
    );
    if (discardAllOnError) return {};
  }
  return out;
}


/**
 * Per field, the variables that set it (most specific first) and the smallest accepted
 * integer, or `"timeout"` for a spec Timeout (`0` = no limit, see {@link envTimeout}):
 * `{ maxQueueSize: [1, "OTEL_BSP_MAX_QUEUE_SIZE"], exportTimeoutMillis: ["timeout", "OTEL_BSP_EXPORT_TIMEOUT"] }`.
 */
export type IntegerVariables<T> = { readonly [K in keyof T]-?: readonly [min: number | "timeout", ...names: string[]] };

/**
 * `options` with each field of `variables` it leaves unset (undefined or null) read as an
 * integer from the first of its variables holding a valid one. Invalid values warn (see
 * {@link envInteger}) and are skipped; a field no variable sets stays unset, for the caller's default.
 */
export function integersFromEnv<T extends object>(env: EnvRecord | undefined, options: T | undefined, variables: IntegerVariables<T>): T {
  const out = { ...options } as Record<string, unknown>;
  for (const key of Object.keys(variables)) {
    if (out[key] != null) continue;
    const [min, ...names] = variables[key as keyof T];
    for (const name of names) {
      const value = min === "timeout" ? envTimeout(env, name) : envInteger(env, name, min);
      if (value !== undefined) {
        out[key] = value;
        break;
      }
    }
  }
  return out as T;
}
