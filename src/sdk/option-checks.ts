/**
 * Up-front validation of `init()` options, for the entries where completeness matters more than
 * size (Node, Deno, Bun, the core entry: `full-init.ts`) and for `initRum()`'s own options.
 * A malformed option is a configuration error, so `init()` throws a TypeError/RangeError naming
 * the option and the accepted form before it registers anything (DESIGN principle 3).
 *
 * Every entry checks each option's shape ({@link checkOptionShapes}: a string, an object, a
 * sampler...). The full entries also check the values inside ({@link checkInitOptions}); the
 * Workers and browser `init()` leave those to the components that take them (batch processor,
 * limits, metric reader, OTLP exporter), which throw before anything is registered too, so
 * their bundles carry the short table only.
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

/**
 * The shape of every option of `init()` (a string, an object, a sampler...): the short check
 * every entry runs, so a JavaScript caller's mistake (`otlp: "https://..."`, `sampler: {}`)
 * fails at `init()` naming the option, instead of configuring nothing in silence.
 */
const SHAPES: Checks = {
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
  },
  propagator: /* @__PURE__ */ withMethods("a propagator", "inject", "extract"),
  contextManager: /* @__PURE__ */ withMethods("a context manager", "active", "with", "bind", "enable", "disable"),
  parts: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a part", "start")),
  // Traces.
  traceExporter: exporterChoice,
  batch: object,
  spanProcessors: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a span processor", "onStart", "onEnd", "forceFlush", "shutdown")),
  sampler: /* @__PURE__ */ withMethods("a sampler", "shouldSample"),
  spanLimits: object,
  idGenerator: /* @__PURE__ */ withMethods("an id generator", "generateTraceId", "generateSpanId"),
  // Metrics.
  metricExporter: exporterChoice,
  metricReaders: /* @__PURE__ */ list(/* @__PURE__ */ anObject("a metric reader")),
  views: /* @__PURE__ */ list(/* @__PURE__ */ anObject("a view")),
  // Logs.
  logExporter: exporterChoice,
  logBatch: object,
  logProcessors: /* @__PURE__ */ list(/* @__PURE__ */ withMethods("a log record processor", "onEmit", "forceFlush", "shutdown")),
  logLimits: object,
  bridgeConsole: (v, name) => {
    if (typeof v !== "boolean" && !isObject(v)) fail(name, "true, false or console bridge options", v);
  },
};

/**
 * What the full entries check beyond the shapes: the values inside options that the
 * components would otherwise reject later, or not at all (enumerations, ranges, the shared OTLP settings).
 */
const VALUE_CHECKS: Checks = {
  otlp: (v) => {
    // Throws TypeError/RangeError naming options.url / endpoint / headers / timeoutMillis / compression.
    resolveOtlpConfig("traces", v as never);
  },
  batch,
  spanLimits: limits,
  metricExportIntervalMillis: /* @__PURE__ */ number(0, { above: true }),
  metricExportTimeoutMillis: /* @__PURE__ */ number(0, { above: true }),
  metricTemporality: (v, name) => {
    if (v !== "cumulative" && v !== "delta" && v !== "lowmemory" && typeof v !== "function") fail(name, `"cumulative", "delta", "lowmemory" or a function of the instrument type`, v);
  },
  cardinalityLimit: /* @__PURE__ */ number(1, { integer: true, finite: true }),
  exemplarFilter: (v, name) => {
    if (v !== "trace_based" && v !== "always_on" && v !== "always_off") fail(name, `"trace_based", "always_on" or "always_off"`, v);
  },
  logBatch: batch,
  logLimits: limits,
};

/**
 * Throws a TypeError naming the first option of `init()` whose shape is wrong (see
 * {@link SHAPES}). The Workers and browser `init()` run this check only: ranges and URLs are
 * checked by the components that take them, before anything is registered.
 */
export const checkOptionShapes = (options: InitOptions): void => checkOptions(options, SHAPES);

/** Throws a TypeError/RangeError naming the first malformed option of `init()` (see the module doc). */
export const checkInitOptions = (options: InitOptions): void => {
  checkOptionShapes(options);
  checkOptions(options, VALUE_CHECKS);
};
