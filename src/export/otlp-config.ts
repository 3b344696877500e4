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

const DEFAULT_BASE = "http://localhost:4318";
const DEFAULT_TIMEOUT_MILLIS = 10_000;

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
  return {
    url:
      options.url !== undefined
        ? checkOptionUrl(options.url, "url")
        : joinUrl(options.endpoint !== undefined ? checkOptionUrl(options.endpoint, "endpoint") : DEFAULT_BASE, `v1/${signal}`),
    // Header names are case-insensitive (RFC 9110 §5.1): lower-case names, so a header that
    // otlpOptionsFromEnv merged from several sources is sent once.
    headers: mergeHeaders(checkHeaders(options.headers)),
    timeoutMillis: checkTimeout(options.timeoutMillis) ?? DEFAULT_TIMEOUT_MILLIS,
    compression: checkCompression(options.compression) ?? "none",
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
  const SIG = signal.toUpperCase();
  const name = (suffix: string): string => `OTEL_EXPORTER_OTLP_${SIG}_${suffix}`;
  const general = (suffix: string): string => `OTEL_EXPORTER_OTLP_${suffix}`;
  const out: OtlpMetricExporterOptions = { ...options };
  if (signal === "metrics") out.temporalityPreference ??= preferenceFromEnv(env);

  checkProtocol(env, name("PROTOCOL"));
  checkProtocol(env, general("PROTOCOL"));

  if (options.url === undefined && options.endpoint === undefined) {
    // The per-signal URL is used as-is; the general one, like the default, is a base.
    const url = envUrl(env, name("ENDPOINT"));
    if (url !== undefined) out.url = url;
    else out.endpoint = envUrl(env, general("ENDPOINT"));
  }
  // Header names are case-insensitive (RFC 9110 §5.1): merge on lower-case names so a
  // later source replaces an earlier one instead of fetch joining both values.
  out.headers = mergeHeaders(envHeaders(env, general("HEADERS")), envHeaders(env, name("HEADERS")), checkHeaders(options.headers));
  // `=== undefined`, not `??`: a malformed option (null) must reach the exporter, which rejects it.
  if (options.timeoutMillis === undefined) {
    // Spec "Timeout": integer milliseconds; 0 means no limit (the longest a timer can wait).
    out.timeoutMillis = envTimeout(env, name("TIMEOUT")) ?? envTimeout(env, general("TIMEOUT"));
  }
  if (options.compression === undefined) {
    out.compression = envEnum(env, name("COMPRESSION"), COMPRESSIONS) ?? envEnum(env, general("COMPRESSION"), COMPRESSIONS);
  }
  return out;
}

const COMPRESSIONS = ["gzip", "none"] as const;

/** Joins a base URL and a path with exactly one slash between them, before the base's query. */
export function joinUrl(base: string, path: string): string {
  // The signal path joins the base's path; a query (`?tenant=a`) stays at the end, where
  // appending after it would turn `/v1/traces` into part of the last query value.
  const cut = base.search(/[?#]/);
  const head = cut === -1 ? base : base.slice(0, cut);
  const tail = cut === -1 ? "" : base.slice(cut);
  return `${head.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}${tail}`;
}

const OPTIONS = "Cannot create OTLP exporter: options.";

function isHttpUrl(value: string): boolean {
  try {
    return !!httpUrl(value, "");
  } catch {
    return false;
  }
}

function checkOptionUrl(value: unknown, field: string): string {
  httpUrl(value, OPTIONS + field);
  return value as string;
}

/** `variable` when it holds an http(s) URL; an invalid value is reported (not echoed: URLs can carry credentials) and skipped. */
function envUrl(env: EnvRecord | undefined, variable: string): string | undefined {
  const value = envString(env, variable);
  if (value === undefined || isHttpUrl(value)) return value;
  diagOnce("warn", `otlp-config:url:${variable}`, `Ignoring ${variable}: expected an absolute http:// or https:// URL; using the next setting or the default.`);
  return undefined;
}

function checkTimeout(t: unknown): number | undefined {
  return t === undefined ? t : positiveMillis(t, OPTIONS + "timeoutMillis");
}

function checkCompression(value: unknown): "gzip" | "none" | undefined {
  if (value === undefined || value === "gzip" || value === "none") return value;
  throw new TypeError(`${OPTIONS}compression must be "gzip" or "none", got ${JSON.stringify(value)}`);
}

function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== "object") {
    throw new TypeError(`${OPTIONS}headers must be an object of string values`);
  }
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      // Only the name is reported: header values are often credentials.
      throw new TypeError(`${OPTIONS}headers[${JSON.stringify(key)}] must be a string`);
    }
  }
  // Checked, not copied: mergeHeaders() copies every source.
  return headers as Record<string, string>;
}

// RFC 9110 §5.1 field names are tokens; §5.5 values have no CR, LF or NUL, and fetch's
// Headers only takes Latin-1 (ByteString) values.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[^\0\r\n\u0100-\uffff]*$/;

/**
 * `OTEL_EXPORTER_OTLP_(SIGNAL_)HEADERS` parsed, without entries fetch would refuse: one such
 * header would make every export throw. Dropped names are reported (values never: credentials).
 */
function envHeaders(env: EnvRecord | undefined, variable: string): Record<string, string> {
  const parsed = parseKeyValueList(envString(env, variable), variable);
  const out: Record<string, string> = {};
  const bad: string[] = [];
  for (const key of Object.keys(parsed)) {
    const value = parsed[key]!;
    if (HEADER_NAME.test(key) && HEADER_VALUE.test(value)) out[key] = value;
    else bad.push(JSON.stringify(key.slice(0, 64)));
  }
  if (bad.length > 0) {
    diagOnce("warn", `otlp-config:headers:${variable}:${bad.join(",").slice(0, 256)}`, `Ignoring header${bad.length > 1 ? "s" : ""} ${bad.join(", ")} in ${variable}: expected key=value pairs with HTTP token names and Latin-1 values without CR, LF or NUL.`);
  }
  return out;
}

function mergeHeaders(...sources: Record<string, string>[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const source of sources) {
    for (const key of Object.keys(source)) out[key.toLowerCase()] = source[key] as string;
  }
  return { ...out };
}

function checkProtocol(env: EnvRecord | undefined, variable: string): void {
  const value = envString(env, variable);
  if (value === undefined || value.toLowerCase() === "http/json") return;
  warnEnv(variable, value, "http/json (otel-edge only sends OTLP over http/json)", "using http/json");
}
