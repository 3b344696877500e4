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

/** ", got <value>" for an error message, never more than 64 characters of it (product: describeValue). */
function got(value: unknown): string {
  const t = typeof value;
  return ", got " + (t == "string" ? JSON.stringify((value as string).slice(0, 64)) : value === null ? "null" : Array.isArray(value) ? "an array" : t == "number" || t == "boolean" || t == "undefined" ? String(value) : (t == "object" ? "an " : "a ") + t);
}

/** Throws the configuration error for `options.<name>`: what it must be (and what it was). */
const fail = (name: string, expected: string, E: ErrorConstructor = TypeError): never => {
  throw new E(`Cannot init: options.${name} must be ${expected}.`);
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v == "object" && !Array.isArray(v);

/** An absolute http(s) URL, or undefined. */
const httpUrl = (value: unknown): string | undefined => {
  try {
    if (/^https?:$/.test(new URL(value as string).protocol) && typeof value == "string") return value;
  } catch {}
};

/** The trimmed value of `name` in `env`; undefined when unset, empty or not a string (a binding). */
const read = (env: Env, name: string): string | undefined => {
  const raw = env?.[name];
  return typeof raw == "string" && raw.trim() ? raw.trim() : undefined;
};

/** Reports an invalid `name` once (its value is never echoed: it may be a credential). */
const ignored = (name: string, expected: string): void => warnOnce(`ignored ${name}: expected ${expected}`);

/** An integer ≥ `min` from `name`; a Timeout (`min` < 0) reads 0 as "no limit" (2^31 − 1 ms, spec "Timeout"). */
function integer(env: Env, name: string, min: number): number | undefined {
  const value = read(env, name);
  if (value === undefined) return;
  const n = Number(value);
  if (Number.isInteger(n) && n >= (min < 0 ? 0 : min)) return min < 0 && !n ? 2147483647 : n;
  ignored(name, "an integer >= " + (min < 0 ? 0 : min));
}

/** The first of `names` (most specific first) holding a valid integer. */
const first = (env: Env, min: number, ...names: string[]): number | undefined => {
  for (const name of names) {
    const n = integer(env, name, min);
    if (n !== undefined) return n;
  }
};

/**
 * A W3C-Baggage-like `key=value,…` list (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`):
 * keys and values trimmed and percent-decoded, a value may hold `=`. Malformed entries (no `=`,
 * empty key, bad escape) are dropped and reported; with `all`, one makes the whole value count as
 * unset (spec, Resource SDK: "the entire value SHOULD be discarded").
 */
function list(env: Env, name: string, all?: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
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

/** `base` with `/v1/traces` joined to its path (before its query), one slash between them (product: joinUrl). */
const join = (base: string): string => base.replace(/^([^?#]*?)\/*(?=[?#]|$)/, "$1/v1/traces");

/**
 * The OTLP traces target: the options' endpoint (a base), else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * (as-is), else `OTEL_EXPORTER_OTLP_ENDPOINT` (a base), else `http://localhost:4318/v1/traces`;
 * headers general < per-signal < options, on lower-case names (fetch would join duplicates);
 * the timeout from the options, else per-signal, else general, else 10 s.
 */
function target(otlp: NonNullable<LeanOptions["otlp"]>, env: Env): OtlpTarget {
  const { endpoint, headers = {}, timeoutMillis } = otlp;
  let url = endpoint === undefined ? undefined : httpUrl(endpoint) ?? fail("otlp.endpoint", "an absolute http:// or https:// URL"); // not echoed: credentials
  if (url) url = join(url);
  else {
    for (const name of ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]) {
      const value = read(env, name);
      if (value && !(url = httpUrl(value))) ignored(name, "an http(s) URL");
      if (url) {
        if (name[19] != "T") url = join(url); // the generic variable (not _TRACES_) is a base
        break;
      }
    }
  }
  if (!isObject(headers)) fail("otlp.headers", "an object of string values" + got(headers));
  const merged: Record<string, string> = Object.create(null);
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const parsed = list(env, name);
    for (const key in parsed) {
      // RFC 9110 §5.1 token names; §5.5 values without CR, LF, NUL, and Latin-1 (fetch's ByteString):
      // one such header would make every export throw. Dropped, the name reported, never the value.
      if (/^[!#$%&'*+\-.^_`|~\w]+$/.test(key) && /^[^\0\r\n\u0100-\uffff]*$/.test(parsed[key]!)) merged[key.toLowerCase()] = parsed[key]!;
      else ignored(name + " " + JSON.stringify(key.slice(0, 64)), "a token name and a Latin-1 value");
    }
  }
  for (const key in headers) {
    if (typeof headers[key] != "string") fail(`otlp.headers[${JSON.stringify(key)}]`, "a string"); // the value is not echoed: credentials
    merged[key.toLowerCase()] = headers[key]!;
  }
  if (timeoutMillis !== undefined && !(typeof timeoutMillis == "number" && timeoutMillis > 0)) fail("otlp.timeoutMillis", "a number > 0" + got(timeoutMillis), RangeError);
  return {
    url: url ?? "http://localhost:4318/v1/traces",
    headers: { ...merged },
    timeout: timeoutMillis ?? first(env, -1, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT") ?? 1e4,
  };
}

/**
 * `OTEL_BSP_*` over the spec defaults. The schedule delay is Infinity (no timer: spans leave in
 * the per-invocation flush), as the product's Workers `init()` sets it. A batch size above the
 * queue size is clamped to it, reported when the batch size came from env (spec: it must not exceed).
 */
function batch(env: Env): BatchSettings {
  const size = first(env, 1, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
  const out: BatchSettings = {
    maxQueueSize: first(env, 1, "OTEL_BSP_MAX_QUEUE_SIZE") ?? 2048,
    maxExportBatchSize: size ?? 512,
    scheduledDelayMillis: Infinity,
    exportTimeoutMillis: first(env, -1, "OTEL_BSP_EXPORT_TIMEOUT") ?? 3e4,
  };
  if (out.maxExportBatchSize > out.maxQueueSize) {
    if (size) ignored("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "at most the queue size");
    out.maxExportBatchSize = out.maxQueueSize;
  }
  return out;
}

/** Span limits from env: the span variable, else the general `OTEL_ATTRIBUTE_*` (events and links have their own). */
function limits(env: Env): Partial<SpanLimits> {
  const out: Partial<SpanLimits> = {};
  const general = (own: string, fallback?: string) => first(env, 0, own, ...(fallback ? [fallback] : []));
  const set = (key: keyof SpanLimits, value: number | undefined) => value !== undefined && (out[key] = value);
  set("attributeCountLimit", general("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"));
  set("attributeValueLengthLimit", general("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"));
  set("eventCountLimit", general("OTEL_SPAN_EVENT_COUNT_LIMIT"));
  set("linkCountLimit", general("OTEL_SPAN_LINK_COUNT_LIMIT"));
  set("attributePerEventCountLimit", general("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"));
  set("attributePerLinkCountLimit", general("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"));
  return out;
}

const SERVICE_NAME = "service.name";

/**
 * The resource, each layer over the previous: `telemetry.sdk.*`; `OTEL_RESOURCE_ATTRIBUTES`;
 * `OTEL_SERVICE_NAME`; `options.resourceAttributes`; `options.serviceName`. A `service.name`
 * that is not a non-empty string is dropped (reported) so the next layer applies; with none,
 * `unknown_service:workerd` on workerd (spec: `unknown_service:<executable>`), else `unknown_service`.
 */
function resource(options: LeanOptions, env: Env): Attributes {
  const fromEnv: Attributes = list(env, "OTEL_RESOURCE_ATTRIBUTES", true);
  const envName = read(env, "OTEL_SERVICE_NAME");
  if (envName) fromEnv[SERVICE_NAME] = envName;
  const user: Attributes = options.resourceAttributes ? sanitizeAttributes(options.resourceAttributes) : {};
  if (options.serviceName !== undefined) user[SERVICE_NAME] = options.serviceName;
  for (const layer of [user, fromEnv]) {
    const name = layer[SERVICE_NAME];
    if (SERVICE_NAME in layer && !(typeof name == "string" && name.trim())) {
      if (name !== undefined) warnOnce("ignored service.name: not a non-empty string");
      delete layer[SERVICE_NAME];
    }
  }
  const attributes: Attributes = { "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "webjs", "telemetry.sdk.version": VERSION, ...fromEnv, ...user };
  if (attributes[SERVICE_NAME] !== undefined) return attributes;
  warnOnce("no service.name: set serviceName or OTEL_SERVICE_NAME");
  // Cloudflare's documented way to recognise workerd.
  return { [SERVICE_NAME]: (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent == "Cloudflare-Workers" ? "unknown_service:workerd" : "unknown_service", ...attributes };
}

/**
 * Resolves `options` (checked for shape: a malformed one throws a TypeError/RangeError naming
 * it) and the `OTEL_*` bindings of `options.env ?? env` into what the program runs with.
 */
export function configure(options: LeanOptions | undefined, env?: Env): LeanConfig {
  const o = options ?? {};
  if (!isObject(o)) throw new TypeError("Cannot init: options must be an object.");
  const { serviceName: name, resourceAttributes: attrs, disabled, otlp = {} } = o;
  if (name !== undefined && !(typeof name == "string" && name.trim())) fail("serviceName", "a non-empty string" + got(name));
  if (attrs !== undefined && !isObject(attrs)) fail("resourceAttributes", "an object" + got(attrs));
  if (o.env !== undefined && !isObject(o.env)) fail("env", "an object" + got(o.env));
  if (disabled !== undefined && typeof disabled != "boolean") fail("disabled", "true or false" + got(disabled));
  if (!isObject(otlp)) fail("otlp", "an object" + got(otlp));
  // One setting for every signal: a full URL would send them all to the traces path.
  if (otlp.url !== undefined) throw new TypeError("Cannot init: options.otlp.url is not accepted (it is one signal's full URL): set options.otlp.endpoint, the base URL (/v1/traces is appended).");
  env = o.env ?? env;
  let off = read(env, "OTEL_SDK_DISABLED")?.toLowerCase();
  if (off && off != "true" && off != "false") ignored("OTEL_SDK_DISABLED", "true or false"), (off = "");
  return {
    disabled: disabled ?? off == "true",
    resource: { attributes: resource(o, env) },
    target: target(otlp as NonNullable<LeanOptions["otlp"]>, env),
    batch: batch(env),
    limits: limits(env),
  };
}
