/**
 * Configuration of the Workers program on the size-first core: the `instrument()` options this
 * job takes, checked for shape (a malformed option throws, naming it, as the product's
 * `checkOptionShapes`), completed from the `OTEL_*` bindings of the Worker's `env` (Workers have
 * no process.env) with the spec's names, precedence and defaults, as the product's Workers
 * `init()` resolves them (src/sdk/env-selection.ts, src/export/otlp-config.ts,
 * src/export/batch-settings.ts, src/resource/detect.ts).
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/ —
 * an empty value is unset; an invalid value is reported (once) and the default is used; options
 * given in code win over the environment.
 */
import type { Attributes, BatchSettings, LeanConfig, OtlpTarget, SpanLimits } from "./contract.ts";
import { sanitizeAttributes } from "./attributes.ts";
import { warnOnce } from "./diag.ts";
import { VERSION } from "../../src/version.ts";

/** The options of `instrument()` this job reads (the product's `InitOptions`, same names). */
export interface LeanOptions {
  /** `service.name`; wins over `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`. */
  serviceName?: string;
  /** Where `OTEL_*` settings are read from; default: the invocation's `env`. */
  env?: Readonly<Record<string, unknown>>;
  /** More resource attributes; win over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /** Disable tracing regardless of `OTEL_SDK_DISABLED`. */
  disabled?: boolean;
  /**
   * OTLP/HTTP settings: `endpoint` is a base URL (`/v1/traces` is appended); a signal's full
   * `url` is refused, as the product refuses it (it would send every signal to one path).
   */
  otlp?: { endpoint?: string; headers?: Record<string, string>; timeoutMillis?: number };
}

type Env = Readonly<Record<string, unknown>> | undefined;

const O = "OTEL_";
const X = "EXPORTER_OTLP_";

/** ", got <value>" for an error message, at most 64 characters of a string (as the product's describeValue). */
export const got = (v: unknown): string =>
  ", got " + (typeof v == "string" ? JSON.stringify(v.slice(0, 64)) : Array.isArray(v) ? "an array" : v && typeof v == "object" ? "an object" : typeof v == "function" ? "a function" : String(v));

/** Throws the configuration error for `options.<name>`: what it must be (and what it was). */
export const fail = (name: string, expected: string, E: ErrorConstructor = TypeError): never => {
  throw new E(`Cannot init: options.${name} must be ${expected}.`);
};

export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v == "object" && !Array.isArray(v);

/** `value` when it is an absolute http(s) URL, else undefined. */
export const httpUrl = (value: unknown): string | undefined => {
  try {
    if (typeof value == "string" && /^https?:$/.test(new URL(value).protocol)) return value;
  } catch {}
};

/** The trimmed value of `OTEL_<name>`; undefined when unset, blank or not a string (a binding). */
export const read = (env: Env, name: string): string | undefined => {
  const raw = env?.[O + name];
  return (typeof raw == "string" && raw.trim()) || undefined;
};

/** Reports an invalid `OTEL_<name>` once; its value is never echoed (it may be a credential). */
const ignored = (name: string, expected: string): void => warnOnce(`ignored ${O + name}: expected ${expected}`);

/**
 * The first of `OTEL_<names>` (most specific first) holding an integer ≥ `min`; invalid ones are
 * reported and skipped. A `…TIMEOUT` is a spec Timeout: 0 means no limit (2^31 − 1 ms, the
 * longest timer; the spec allows "a very long time").
 */
export function integer(env: Env, min: number, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = read(env, name);
    if (value === undefined) continue;
    const n = +value;
    if (Number.isInteger(n) && n >= min) return !n && name.endsWith("TIMEOUT") ? 2147483647 : n;
    ignored(name, "an integer >= " + min);
  }
}

/**
 * A W3C-Baggage-like `key=value,…` list (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`):
 * keys and values trimmed and percent-decoded, a value may hold `=`. Malformed entries (no `=`,
 * empty key, bad escape) are dropped and reported; with `all`, one makes the whole value count as
 * unset (spec, Resource SDK: "the entire value SHOULD be discarded").
 */
function list(env: Env, name: string, all?: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null); // a key "__proto__" stays a key
  let bad = 0;
  for (const item of (read(env, name) ?? "").split(",")) {
    const eq = item.indexOf("=");
    try {
      const key = decodeURIComponent(item.slice(0, eq).trim());
      if (eq > 0 && key) out[key] = decodeURIComponent(item.slice(eq + 1).trim());
      else if (item.trim()) bad++;
    } catch {
      bad++;
    }
  }
  if (bad) ignored(name + (all ? "" : " entries"), "key=value pairs, percent-encoded");
  return { ...(bad && all ? {} : out) };
}

/** `base` with `/v1/<signal>` joined to its path (before its query), one slash between them (product: joinUrl). */
export const join = (base: string, signal = "traces"): string => base.replace(/^([^?#]*?)\/*(?=[?#]|$)/, "$1/v1/" + signal);

/**
 * The OTLP target of `signal` (traces, metrics): the options' endpoint (a base), else
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` (as-is), else `OTEL_EXPORTER_OTLP_ENDPOINT` (a base), else
 * `http://localhost:4318/v1/<signal>`; a base gets `/v1/<signal>` joined to its path (before its
 * query), one slash between them (product: joinUrl); headers generic < signal < options, on
 * lower-case names (fetch would join duplicates); the timeout from the options, else the
 * signal's variable, else the generic one, else 10 s.
 */
export function otlpTarget(otlp: NonNullable<LeanOptions["otlp"]>, env: Env, signal = "traces"): OtlpTarget {
  const { endpoint, headers = {}, timeoutMillis } = otlp;
  const S = X + signal.toUpperCase() + "_";
  // Not echoed: an endpoint may carry credentials.
  let url = endpoint === undefined ? undefined : join(httpUrl(endpoint) ?? fail("otlp.endpoint", "an absolute http:// or https:// URL"), signal);
  for (const name of [S + "ENDPOINT", X + "ENDPOINT"]) {
    const value = url ? undefined : read(env, name);
    if (value && !(url = httpUrl(value))) ignored(name, "an http(s) URL");
    if (url && value && name[14] == "E") url = join(url, signal); // the generic variable is a base
  }
  if (!isObject(headers)) fail("otlp.headers", "an object of string values" + got(headers));
  const merged: Record<string, string> = Object.create(null);
  for (const name of [X + "HEADERS", S + "HEADERS"]) {
    const parsed = list(env, name);
    for (const key in parsed) {
      // RFC 9110 §5.1 token names; §5.5 values without CR, LF, NUL, and Latin-1 (fetch's ByteString):
      // one such header would make every export throw. Dropped, the name reported, never the value.
      if (/^[!#$%&'*+\-.^_`|~\w]+$/.test(key) && /^[^\0\r\n\u0100-\uffff]*$/.test(parsed[key]!)) merged[key.toLowerCase()] = parsed[key]!;
      else ignored(name + " " + JSON.stringify(key.slice(0, 64)), "a token name and a Latin-1 value");
    }
  }
  for (const key in headers) {
    if (typeof headers[key] != "string") fail(`otlp.headers[${JSON.stringify(key)}]`, "a string"); // the value is not echoed
    merged[key.toLowerCase()] = headers[key]!;
  }
  if (timeoutMillis !== undefined && !(typeof timeoutMillis == "number" && timeoutMillis > 0)) fail("otlp.timeoutMillis", "a number > 0" + got(timeoutMillis), RangeError);
  return {
    url: url ?? "http://localhost:4318/v1/" + signal,
    headers: { ...merged },
    timeout: timeoutMillis ?? integer(env, 0, S + "TIMEOUT", X + "TIMEOUT") ?? 1e4,
  };
}

/**
 * `OTEL_BSP_*` over the spec defaults. The schedule delay is Infinity (no timer: spans leave in
 * the per-invocation flush), as the product's Workers `init()` sets it. A batch size above the
 * queue size is clamped to it, reported when the batch size came from env (spec: it must not exceed).
 */
export function batch(env: Env, p = "BSP_"): BatchSettings {
  const size = integer(env, 1, p + "MAX_EXPORT_BATCH_SIZE");
  const queue = integer(env, 1, p + "MAX_QUEUE_SIZE") ?? 2048;
  if (size! > queue) ignored(p + "MAX_EXPORT_BATCH_SIZE", "at most the queue size");
  return { maxQueueSize: queue, maxExportBatchSize: Math.min(size ?? 512, queue), scheduledDelayMillis: Infinity, exportTimeoutMillis: integer(env, 0, p + "EXPORT_TIMEOUT") ?? 3e4 };
}

// Spec, Span Limits: each limit's variables, most specific first (`OTEL_<name>_LIMIT`); events
// and links have no general fallback for their counts.
const LIMITS: ReadonlyArray<[keyof SpanLimits, ...string[]]> = [
  ["attributeCountLimit", "SPAN_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
  ["attributeValueLengthLimit", "SPAN_ATTRIBUTE_VALUE_LENGTH", "ATTRIBUTE_VALUE_LENGTH"],
  ["eventCountLimit", "SPAN_EVENT_COUNT"],
  ["linkCountLimit", "SPAN_LINK_COUNT"],
  ["attributePerEventCountLimit", "EVENT_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
  ["attributePerLinkCountLimit", "LINK_ATTRIBUTE_COUNT", "ATTRIBUTE_COUNT"],
];

export const SERVICE_NAME = "service.name";
export const nonEmpty = (v: unknown): boolean => typeof v == "string" && !!v.trim();

/**
 * The resource, each layer over the previous: `telemetry.sdk.*`; `OTEL_RESOURCE_ATTRIBUTES`;
 * `OTEL_SERVICE_NAME`; `options.resourceAttributes`; `options.serviceName`. A `service.name`
 * that is not a non-empty string is dropped (reported) so the next layer applies; with none,
 * `unknown_service:workerd` on workerd (spec: `unknown_service:<executable>`), else `unknown_service`.
 */
function resource(options: LeanOptions, env: Env): Attributes {
  const fromEnv: Attributes = list(env, "RESOURCE_ATTRIBUTES", true);
  const envName = read(env, "SERVICE_NAME");
  if (envName) fromEnv[SERVICE_NAME] = envName;
  const user: Attributes = options.resourceAttributes ? sanitizeAttributes(options.resourceAttributes) : {};
  if (options.serviceName) user[SERVICE_NAME] = options.serviceName;
  for (const layer of [user, fromEnv]) {
    if (SERVICE_NAME in layer && !nonEmpty(layer[SERVICE_NAME])) {
      warnOnce("ignored service.name: not a non-empty string");
      delete layer[SERVICE_NAME];
    }
  }
  const attributes: Attributes = { "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "webjs", "telemetry.sdk.version": VERSION, ...fromEnv, ...user };
  if (attributes[SERVICE_NAME]) return attributes;
  warnOnce("no service.name: set serviceName or OTEL_SERVICE_NAME");
  // Cloudflare's documented way to recognise workerd.
  return { [SERVICE_NAME]: (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent == "Cloudflare-Workers" ? "unknown_service:workerd" : "unknown_service", ...attributes };
}

// The shape of each option (the product's checkOptionShapes for these options).
export const SHAPES: ReadonlyArray<[keyof LeanOptions, (v: unknown) => boolean, string]> = [
  ["serviceName", nonEmpty, "a non-empty string"],
  ["resourceAttributes", isObject, "an object"],
  ["env", isObject, "an object"],
  ["disabled", (v) => typeof v == "boolean", "true or false"],
  ["otlp", isObject, "an object"],
];

/**
 * Resolves `options` (checked for shape: a malformed one throws a TypeError/RangeError naming
 * it) and the `OTEL_*` bindings of `options.env ?? env` into what the program runs with.
 */
export function configure(options: LeanOptions | undefined, env?: Env): LeanConfig {
  const o: LeanOptions = options ?? {};
  if (!isObject(o as unknown)) throw new TypeError("Cannot init: options must be an object.");
  for (const [key, ok, expected] of SHAPES) if (o[key] !== undefined && !ok(o[key])) fail(key, expected + got(o[key]));
  const otlp = o.otlp ?? {};
  // One setting for every signal: a signal's full URL would send them all to the traces path.
  if ((otlp as { url?: unknown }).url !== undefined) throw new TypeError("Cannot init: options.otlp.url is not accepted: set options.otlp.endpoint, the base URL (/v1/traces is appended).");
  env = o.env ?? env;
  const off = read(env, "SDK_DISABLED")?.toLowerCase();
  if (off && off != "true" && off != "false") ignored("SDK_DISABLED", "true or false");
  const limits: Partial<SpanLimits> = {};
  for (const [key, ...names] of LIMITS) {
    const n = integer(env, 0, ...names.map((name) => name + "_LIMIT"));
    if (n !== undefined) limits[key] = n;
  }
  return { disabled: o.disabled ?? off == "true", resource: { attributes: resource(o, env) }, target: otlpTarget(otlp, env), batch: batch(env), limits };
}
