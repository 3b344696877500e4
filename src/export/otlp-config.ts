/**
 * OTLP/HTTP exporter settings: checking the options an exporter is created with, and reading
 * `OTEL_EXPORTER_OTLP_*` into such options ({@link otlpOptionsFromEnv}).
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/protocol/exporter/
 * - endpoint: the per-signal variable is used as-is; the general one is a base URL to
 *   which `v1/<signal>` is appended; default `http://localhost:4318/v1/<signal>`;
 * - headers: general merged with per-signal (per-signal wins);
 * - timeout: default 10 s, `0` = no limit; compression: `gzip` or `none` (any case);
 * - protocol: we only speak `http/json`; anything else is reported and ignored.
 * Options given in code win over the environment. DESIGN: invalid env values warn and are
 * ignored; invalid options throw at construction.
 *
 * The exporters take options only ({@link resolveOtlpConfig}); the environment is read by
 * {@link otlpOptionsFromEnv}, a separate step, so a program that configures its exporter in
 * code (or a page, which has no environment) bundles none of the variable parsing.
 */
import { diagOnce } from "../common/diag.ts";
import { envEnum, envString, envTimeout, parseKeyValueList, warnEnv } from "../common/env.ts";
import type { EnvRecord } from "../common/env.ts";
import { httpUrl, positiveMillis } from "./fetch-transport.ts";
import { preferenceFromEnv } from "../metrics/temporality-preference.ts";
import type { OtlpMetricExporterOptions } from "./otlp/otlp-metrics-exporter.ts";

/** The OTLP signals and their URL paths. */
export type OtlpSignal = "traces" | "metrics" | "logs";

/**
 * Options for an OTLP/HTTP JSON exporter. The exporter reads no environment: to honour
 * `OTEL_EXPORTER_OTLP_*`, pass {@link otlpOptionsFromEnv}'s result, where every field given
 * in code overrides the matching variable.
 */
export interface OtlpExporterOptions {
  /** Full URL of the signal's endpoint, used as-is (e.g. `https://collector:4318/v1/traces`). */
  url?: string;
  /** Base URL of the collector; `/v1/<signal>` is appended (like `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  endpoint?: string;
  /** Extra request headers (e.g. `authorization`); {@link otlpOptionsFromEnv} merges them over the env headers. */
  headers?: Record<string, string>;
  /** Overall time budget of one export, retries included. Default 10000 ms. */
  timeoutMillis?: number;
  /** Request body compression. Default none. */
  compression?: "gzip" | "none";
  /** The `fetch` to use; default `globalThis.fetch` at call time. */
  fetch?: typeof fetch;
  /** Send with `fetch(..., { keepalive: true })` (browsers: survives page unload; bodies ≤ 60 KiB). */
  keepalive?: boolean;
}

/** Settings an OTLP/HTTP exporter runs with, after resolution. */
export interface ResolvedOtlpConfig {
  url: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: "gzip" | "none";
}

const OPTIONS = "Cannot create OTLP exporter: options.";

/**
 * The URL, headers, timeout and compression an exporter for `signal` runs with: `options`,
 * else the defaults (`http://localhost:4318/v1/<signal>`, 10 s, no compression). Reads no
 * environment (see {@link otlpOptionsFromEnv}).
 *
 * @throws TypeError when `options.url`/`options.endpoint` is not an http(s) URL, or a header
 *   value or `options.compression` is invalid.
 * @throws RangeError when `options.timeoutMillis` is not a positive number.
 */
export function resolveOtlpConfig(signal: OtlpSignal, options: OtlpExporterOptions = {}): ResolvedOtlpConfig {
  // Defaults apply to `undefined` only: a malformed option (null) is rejected below.
  const { url, endpoint, timeoutMillis = 10_000, compression = "none" } = options;
  const checked = (value: string, field: string): string => (httpUrl(value, OPTIONS + field), value);
  if (compression !== "gzip" && compression !== "none") throw new TypeError(`${OPTIONS}compression must be "gzip" or "none", got ${JSON.stringify(compression)}`);
  return {
    url: url !== undefined ? checked(url, "url") : joinUrl(endpoint !== undefined ? checked(endpoint, "endpoint") : "http://localhost:4318", `v1/${signal}`),
    // Header names are case-insensitive (RFC 9110 §5.1): lower-case names, so a header that
    // otlpOptionsFromEnv merged from several sources is sent once.
    headers: mergeHeaders(checkHeaders(options.headers)),
    timeoutMillis: positiveMillis(timeoutMillis, OPTIONS + "timeoutMillis"),
    compression,
  };
}

/**
 * The exporter options for `signal` from `OTEL_EXPORTER_OTLP_<SIGNAL>_*` and
 * `OTEL_EXPORTER_OTLP_*` in `env`, with `options` (from code) winning field by field:
 * - `url`/`endpoint`: a code `url` or `endpoint` wins over both variables; else the per-signal
 *   `..._<SIGNAL>_ENDPOINT` becomes `url` (used as-is), else `OTEL_EXPORTER_OTLP_ENDPOINT`
 *   becomes `endpoint` (a base: `/v1/<signal>` is appended);
 * - `headers`: general, then per-signal, then `options.headers`, merged on lower-case names;
 * - `timeoutMillis`, `compression`: the option, else the per-signal variable, else the general one;
 * - for `"metrics"`, `temporalityPreference`: the option, else `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`;
 * - a `..._PROTOCOL` other than `http/json` is reported (we only send http/json).
 * Invalid variables warn once and are ignored; other fields of `options` are kept. What is left
 * unset gets the exporter's defaults. `init()` does this for you where the runtime has an environment.
 *
 * @example
 * ```ts
 * const exporter = createOtlpTraceExporter(otlpOptionsFromEnv("traces", process.env, { headers: { "x-api-key": key } }));
 * ```
 * @throws TypeError when `options.headers` is not an object of string values.
 */
export function otlpOptionsFromEnv(signal: "metrics", env: EnvRecord | undefined, options?: OtlpMetricExporterOptions): OtlpMetricExporterOptions;
export function otlpOptionsFromEnv(signal: OtlpSignal, env: EnvRecord | undefined, options?: OtlpExporterOptions): OtlpExporterOptions;
export function otlpOptionsFromEnv(signal: OtlpSignal, env: EnvRecord | undefined, options: OtlpMetricExporterOptions = {}): OtlpMetricExporterOptions {
  // [per-signal, general] names of a variable: the per-signal one wins.
  const names = (suffix: string): string[] => [`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`];
  const first = <V>(suffix: string, read: (variable: string) => V | undefined): V | undefined => {
    const [own, general] = names(suffix);
    return read(own!) ?? read(general!);
  };
  const out: OtlpMetricExporterOptions = { ...options };
  if (signal === "metrics") out.temporalityPreference ??= preferenceFromEnv(env);
  for (const variable of names("PROTOCOL")) {
    const value = envString(env, variable);
    if (value && value.toLowerCase() !== "http/json") warnEnv(variable, value, "http/json (otel-edge only sends OTLP over http/json)", "using http/json");
  }
  if (options.url === undefined && options.endpoint === undefined) {
    // The per-signal URL is used as-is; the general one, like the default, is a base.
    const [own, general] = names("ENDPOINT");
    const url = envUrl(env, own!);
    if (url !== undefined) out.url = url;
    else out.endpoint = envUrl(env, general!);
  }
  // Merged on lower-case names, so a later source replaces an earlier one instead of fetch joining both values.
  out.headers = mergeHeaders(...names("HEADERS").reverse().map((variable) => envHeaders(env, variable)), checkHeaders(options.headers));
  // `=== undefined`, not `??`: a malformed option (null) must reach the exporter, which rejects it.
  // Spec "Timeout": integer milliseconds; 0 means no limit (the longest a timer can wait).
  if (options.timeoutMillis === undefined) out.timeoutMillis = first("TIMEOUT", (variable) => envTimeout(env, variable));
  if (options.compression === undefined) out.compression = first("COMPRESSION", (variable) => envEnum(env, variable, ["gzip", "none"] as const));
  return out;
}

/** Joins a base URL and a path with exactly one slash between them, before the base's query. */
export function joinUrl(base: string, path: string): string {
  // The signal path joins the base's path; a query (`?tenant=a`) stays at the end, where
  // appending after it would turn `/v1/traces` into part of the last query value.
  const [, head, tail] = /^([^?#]*)(.*)$/s.exec(base)!;
  return `${head!.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}${tail}`;
}

/** `variable` when it holds an http(s) URL; an invalid value is reported (not echoed: URLs can carry credentials) and skipped. */
function envUrl(env: EnvRecord | undefined, variable: string): string | undefined {
  const value = envString(env, variable);
  try {
    return value && (httpUrl(value, ""), value);
  } catch {
    diagOnce("warn", `otlp-config:url:${variable}`, `Ignoring ${variable}: expected an absolute http:// or https:// URL; using the next setting or the default.`);
  }
}

function checkHeaders(headers: unknown = {}): Record<string, string> {
  if (!headers || typeof headers !== "object") throw new TypeError(`${OPTIONS}headers must be an object of string values`);
  for (const [key, value] of Object.entries(headers)) {
    // Only the name is reported: header values are often credentials.
    if (typeof value !== "string") throw new TypeError(`${OPTIONS}headers[${JSON.stringify(key)}] must be a string`);
  }
  // Checked, not copied: mergeHeaders() copies every source.
  return headers as Record<string, string>;
}

/**
 * `OTEL_EXPORTER_OTLP_(SIGNAL_)HEADERS` parsed, without entries fetch would refuse: one such
 * header would make every export throw. Dropped names are reported (values never: credentials).
 * RFC 9110 §5.1 field names are tokens; §5.5 values have no CR, LF or NUL, and fetch's
 * Headers only takes Latin-1 (ByteString) values.
 */
function envHeaders(env: EnvRecord | undefined, variable: string): Record<string, string> {
  const parsed = parseKeyValueList(envString(env, variable), variable);
  const bad: string[] = [];
  for (const key of Object.keys(parsed)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key) || !/^[^\0\r\n\u0100-\uffff]*$/.test(parsed[key]!)) {
      bad.push(JSON.stringify(key.slice(0, 64)));
      delete parsed[key];
    }
  }
  if (bad.length) {
    diagOnce("warn", `otlp-config:headers:${variable}:${bad.join().slice(0, 256)}`, `Ignoring headers ${bad.join(", ")} in ${variable}: expected key=value pairs with HTTP token names and Latin-1 values without CR, LF or NUL.`);
  }
  return parsed;
}

function mergeHeaders(...sources: Record<string, string>[]): Record<string, string> {
  // Prototype-less while merging: a header named `__proto__` stays a header.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const source of sources) for (const key of Object.keys(source)) out[key.toLowerCase()] = source[key]!;
  return { ...out };
}
