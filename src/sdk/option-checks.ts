/**
 * Up-front validation of `init()` options, for the entries where completeness matters more than
 * size (Node, Deno, Bun, the core entry: `full-init.ts`) and for `initRum()`'s own options.
 * A malformed option is a configuration error, so `init()` throws a TypeError/RangeError naming
 * the option and the accepted form before it registers anything (DESIGN principle 3).
 *
 * The Workers and browser `init()` do not bundle this table: TypeScript gives their users the
 * types, and the values types cannot constrain (sizes, delays, limits, URLs) are still checked
 * by the components that take them (batch processor, limits, metric reader, OTLP exporter),
 * which throw before anything is registered too.
 */
import { describeValue } from "../common/describe.ts";
import { resolveOtlpConfig } from "../export/otlp-config.ts";
import type { InitOptions } from "./options.ts";

/** Throws if `value` (of `options.<name>`) is malformed. */
export type Check = (value: unknown, name: string) => void;

/** The checks of some options, by option name. */
export type Checks = { readonly [K in keyof InitOptions]?: Check };

/** Throws the configuration error for `options.<name>`: what was expected, what was given. */
export function fail(name: string, expected: string, value: unknown, kind: "type" | "range" = "type"): never {
  const message = `Cannot init: options.${name} must be ${expected}, got ${describeValue(value)}.`;
  throw kind === "range" ? new RangeError(message) : new TypeError(message);
}

/** True for a non-null object. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/** An object (not an array). */
export const object: Check = (v, name) => {
  if (!isObject(v) || Array.isArray(v)) fail(name, "an object", v);
};

/** A number >= `min` (> `min` with `above`; Infinity allowed unless `finite`), optionally an integer. */
export function number(min: number, { integer = false, finite = false, above = false }: { integer?: boolean; finite?: boolean; above?: boolean } = {}): Check {
  return (v, name) => {
    if (typeof v !== "number" || Number.isNaN(v)) fail(name, `a number${integer ? " (integer)" : ""}`, v);
    const n = v as number;
    const ok = (above ? n > min : n >= min) && (!finite || Number.isFinite(n)) && (!integer || Number.isInteger(n) || n === Infinity);
    if (!ok) fail(name, `${integer ? "an integer" : "a number"} ${above ? ">" : ">="} ${min}${finite ? "" : " (or Infinity)"}`, n, "range");
  };
}

/** An object with `methods`, e.g. "a sampler (an object with shouldSample())". */
export function withMethods(what: string, ...methods: string[]): Check {
  return (v, name) => {
    if (!isObject(v) || !methods.every((m) => typeof v[m] === "function")) fail(name, `${what} (an object with ${methods.join("(), ")}())`, v);
  };
}

/** An array whose items each pass `check`. */
export function list(check: Check): Check {
  return (v, name) => {
    if (!Array.isArray(v)) fail(name, "an array", v);
    (v as unknown[]).forEach((item, i) => check(item, `${name}[${i}]`));
  };
}

/**
 * Throws a TypeError/RangeError naming the first malformed option of `options` that `checks`
 * covers. Unknown keys are ignored (forward compatibility); `undefined` means "not set".
 */
export function checkOptions(options: unknown, checks: Checks): void {
  if (options === undefined) return;
  if (!isObject(options) || Array.isArray(options)) throw new TypeError("Cannot init: options must be an object.");
  for (const key in checks) {
    const value = options[key];
    if (value !== undefined) checks[key as keyof InitOptions]!(value, key);
  }
}

const exporterChoice: Check = (v, name) => {
  if (v !== "otlp" && v !== "console" && v !== "none") withMethods(`"otlp", "console", "none" or an exporter`, "export")(v, name);
};

const nonEmptyString: Check = (v, name) => {
  if (typeof v !== "string" || v.trim() === "") fail(name, "a non-empty string", v);
};

const boolean: Check = (v, name) => {
  if (typeof v !== "boolean") fail(name, "true or false", v);
};

/** Batch processor settings (`batch`, `logBatch`). */
const batch: Check = (v, name) => {
  object(v, name);
  const b = v as Record<string, unknown>;
  const fields: Array<[string, Check]> = [
    ["scheduledDelayMillis", number(0)], // Infinity: no timer, flush() only (Workers)
    ["exportTimeoutMillis", number(0, { above: true })],
    ["maxQueueSize", number(1, { integer: true, finite: true })],
    ["maxExportBatchSize", number(1, { integer: true, finite: true })],
  ];
  for (const [field, check] of fields) if (b[field] !== undefined) check(b[field], `${name}.${field}`);
  if (typeof b.maxQueueSize === "number" && typeof b.maxExportBatchSize === "number" && b.maxExportBatchSize > b.maxQueueSize) {
    fail(`${name}.maxExportBatchSize`, `<= ${name}.maxQueueSize (${b.maxQueueSize})`, b.maxExportBatchSize, "range");
  }
};

/** Record limits (`spanLimits`, `logLimits`): integers >= 0. */
const limits: Check = (v, name) => {
  object(v, name);
  for (const [field, value] of Object.entries(v as Record<string, unknown>)) {
    if (value !== undefined) number(0, { integer: true })(value, `${name}.${field}`);
  }
};

const anObject = (what: string): Check => (v, name) => void (isObject(v) || fail(name, what, v));

/** Every option of `init()`: the core's and those of the traces, metrics and logs parts and the console bridge. */
const INIT_CHECKS: Checks = {
  serviceName: nonEmptyString,
  serviceVersion: nonEmptyString,
  deploymentEnvironment: nonEmptyString,
  resourceAttributes: object,
  resource: (v, name) => {
    if (!isObject(v) || !isObject(v.attributes)) fail(name, "a resource (an object with an attributes object)", v);
  },
  env: object,
  disabled: boolean,
  otlp: (v, name) => {
    object(v, name);
    // One setting for three signals: a signal's full URL would send metrics and logs to the
    // traces path (or the reverse), which a collector rejects with 400 on every export.
    if ((v as { url?: unknown }).url !== undefined) {
      throw new TypeError(
        "Cannot init: options.otlp.url is not accepted: options.otlp is shared by traces, metrics and logs, and url is one signal's full URL; " +
          'set options.otlp.endpoint (the base URL: /v1/traces, /v1/metrics and /v1/logs are appended), or give one signal its own exporter, e.g. traceExporter: createOtlpTraceExporter({ url }).',
      );
    }
    // Throws TypeError/RangeError naming options.url / endpoint / headers / timeoutMillis / compression.
    resolveOtlpConfig("traces", v as never);
  },
  propagator: /* @__PURE__ */ withMethods("a propagator", "inject", "extract"),
  contextManager: /* @__PURE__ */ withMethods("a context manager", "active", "with", "bind", "enable", "disable"),
  parts: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a part", "start")),
  // Traces.
  traceExporter: exporterChoice,
  batch,
  spanProcessors: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a span processor", "onStart", "onEnd", "forceFlush", "shutdown")),
  sampler: /* @__PURE__ */ withMethods("a sampler", "shouldSample"),
  spanLimits: limits,
  idGenerator: /* @__PURE__ */ withMethods("an id generator", "generateTraceId", "generateSpanId"),
  // Metrics.
  metricExporter: exporterChoice,
  metricExportIntervalMillis: /* @__PURE__ */ number(0, { above: true }),
  metricExportTimeoutMillis: /* @__PURE__ */ number(0, { above: true }),
  metricTemporality: (v, name) => {
    if (v !== "cumulative" && v !== "delta" && v !== "lowmemory" && typeof v !== "function") fail(name, `"cumulative", "delta", "lowmemory" or a function of the instrument type`, v);
  },
  metricReaders: /* @__PURE__ */ list(/* @__PURE__ */ anObject("a metric reader")),
  views: /* @__PURE__ */ list(/* @__PURE__ */ anObject("a view")),
  cardinalityLimit: /* @__PURE__ */ number(1, { integer: true, finite: true }),
  exemplarFilter: (v, name) => {
    if (v !== "trace_based" && v !== "always_on" && v !== "always_off") fail(name, `"trace_based", "always_on" or "always_off"`, v);
  },
  // Logs.
  logExporter: exporterChoice,
  logBatch: batch,
  logProcessors: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a log record processor", "onEmit", "forceFlush", "shutdown")),
  logLimits: limits,
  bridgeConsole: (v, name) => {
    if (typeof v !== "boolean" && !isObject(v)) fail(name, "true, false or console bridge options", v);
  },
};

/** Throws a TypeError/RangeError naming the first malformed option of `init()` (see the module doc). */
export const checkInitOptions = (options: InitOptions): void => checkOptions(options, INIT_CHECKS);
