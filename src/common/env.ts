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

/** Bounds for {@link envNumber}. */
export interface NumberRule {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Only whole numbers are accepted. */
  integer?: boolean;
}

/** A number read from `name`; invalid values warn and give undefined. */
export function envNumber(env: EnvRecord | undefined, name: string, rule: NumberRule = {}): number | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.min === undefined || n >= rule.min);
  if (!ok) {
    const form = `${rule.integer ? "an integer" : "a number"}${rule.min !== undefined ? ` >= ${rule.min}` : ""}`;
    warnEnv(name, value, form);
    return undefined;
  }
  return n;
}

/** A boolean read from `name` (`true`/`false`, any case); other values warn and give undefined. */
export function envBoolean(env: EnvRecord | undefined, name: string): boolean | undefined {
  const value = envString(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
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
  const value = envString(env, name)?.toLowerCase();
  if (value === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value);
  if (match === undefined) {
    warnEnv(name, value, `one of ${allowed.join(", ")}`);
  }
  return match;
}

/**
 * Parses a W3C-Baggage-style `key1=value1,key2=value2` list, as used by
 * `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`. Keys and values are
 * trimmed and percent-decoded; malformed entries are skipped with one warning naming
 * `name`. Values are never echoed in the warning (headers can hold credentials).
 */
export function parseKeyValueList(value: string | undefined, name: string): Record<string, string> {
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
  if (bad > 0) diagOnce("warn", `env:${name}=${value.slice(0, 256)}`, `Ignored ${bad} malformed entr${bad === 1 ? "y" : "ies"} in ${name}: expected comma-separated key=value pairs (percent-encoded).`);
  return out;
}


/**
 * Per field, the variables that set it (most specific first) and the smallest accepted
 * integer: `{ maxQueueSize: [1, "OTEL_BSP_MAX_QUEUE_SIZE"] }`.
 */
export type IntegerVariables<T> = { readonly [K in keyof T]-?: readonly [min: number, ...names: string[]] };

/**
 * `options` with each field of `variables` it leaves unset (undefined or null) read as an
 * integer from the first of its variables holding a valid one. Invalid values warn (see
 * {@link envNumber}) and are skipped; a field no variable sets stays unset, for the caller's default.
 */
export function integersFromEnv<T extends object>(env: EnvRecord | undefined, options: T | undefined, variables: IntegerVariables<T>): T {
  const out = { ...options } as Record<string, unknown>;
  for (const key of Object.keys(variables)) {
    if (out[key] != null) continue;
    const [min, ...names] = variables[key as keyof T];
    for (const name of names) {
      const value = envNumber(env, name, { integer: true, min });
      if (value !== undefined) {
        out[key] = value;
        break;
      }
    }
  }
  return out as T;
}
