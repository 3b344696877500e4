/**
 * Up-front validation of {@link InitOptions}: a malformed option is a configuration error, so
 * `init()` throws a TypeError/RangeError naming the option and the accepted form before it
 * registers anything (DESIGN principle 3), instead of failing deep inside a component (or
 * not at all, when the component that would have read the option is not created).
 */
import type { InitOptions } from "./sdk.ts";
import { resolveOtlpConfig } from "./export/otlp-config.ts";

type Check = (value: unknown, name: string) => void;

function fail(name: string, expected: string, value: unknown, kind: "type" | "range" = "type"): never {
  const got = typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value === "number" ? String(value) : value === null ? "null" : `a ${typeof value}`;
  const message = `Cannot init: options.${name} must be ${expected}, got ${got}.`;
  throw kind === "range" ? new RangeError(message) : new TypeError(message);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
const hasMethods = (v: unknown, ...methods: string[]): boolean => isObject(v) && methods.every((m) => typeof v[m] === "function");

const nonEmptyString: Check = (v, name) => {
  if (typeof v !== "string" || v.trim() === "") fail(name, "a non-empty string", v);
};
const boolean: Check = (v, name) => {
  if (typeof v !== "boolean") fail(name, "true or false", v);
};
const object: Check = (v, name) => {
  if (!isObject(v) || Array.isArray(v)) fail(name, "an object", v);
};

/** A number >= `min` (Infinity allowed unless `finite`), optionally an integer. */
function number(min: number, { integer = false, finite = false, above = false } = {}): Check {
  return (v, name) => {
    if (typeof v !== "number" || Number.isNaN(v)) fail(name, `a number${integer ? " (integer)" : ""}`, v);
    const n = v as number;
    const ok = (above ? n > min : n >= min) && (!finite || Number.isFinite(n)) && (!integer || Number.isInteger(n) || n === Infinity);
    if (!ok) fail(name, `${integer ? "an integer" : "a number"} ${above ? ">" : ">="} ${min}${finite ? "" : " (or Infinity)"}`, n, "range");
  };
}

/** An object with `methods`, e.g. "a sampler (an object with shouldSample())". */
function withMethods(what: string, ...methods: string[]): Check {
  return (v, name) => {
    if (!hasMethods(v, ...methods)) fail(name, `${what} (an object with ${methods.join("(), ")}())`, v);
  };
}

function exporterChoice(v: unknown, name: string): void {
  if (v === "otlp" || v === "console" || v === "none" || hasMethods(v, "export")) return;
  fail(name, `"otlp", "console", "none" or an exporter (an object with export())`, v);
}

function list(check: (item: unknown) => boolean, expected: string): Check {
  return (v, name) => {
    if (!Array.isArray(v)) fail(name, `an array of ${expected}`, v);
    (v as unknown[]).forEach((item, i) => {
      if (!check(item)) fail(`${name}[${i}]`, expected, item);
    });
  };
}

function batch(v: unknown, name: string): void {
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
}

function limits(v: unknown, name: string): void {
  object(v, name);
  for (const [field, value] of Object.entries(v as Record<string, unknown>)) {
    if (value !== undefined) number(0, { integer: true })(value, `${name}.${field}`);
  }
}

const CHECKS: { [K in keyof InitOptions]-?: Check } = {
  serviceName: nonEmptyString,
  serviceVersion: nonEmptyString,
  deploymentEnvironment: nonEmptyString,
  resourceAttributes: object,
  resource: (v, name) => {
    if (!isObject(v) || !isObject(v.attributes)) fail(name, "a resource (an object with an attributes object)", v);
  },
  env: object,
  disabled: boolean,
  traceExporter: exporterChoice,
  metricExporter: exporterChoice,
  logExporter: exporterChoice,
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
  batch,
  logBatch: batch,
  spanProcessors: /* @__PURE__ */ list((p) => hasMethods(p, "onStart", "onEnd", "forceFlush", "shutdown"), "span processors (onStart, onEnd, forceFlush, shutdown)"),
  logProcessors: /* @__PURE__ */ list((p) => hasMethods(p, "onEmit", "forceFlush", "shutdown"), "log record processors (onEmit, forceFlush, shutdown)"),
  sampler: /* @__PURE__ */ withMethods("a sampler", "shouldSample"),
  spanLimits: limits,
  logLimits: limits,
  propagator: /* @__PURE__ */ withMethods("a propagator", "inject", "extract"),
  contextManager: /* @__PURE__ */ withMethods("a context manager", "active", "with", "bind", "enable", "disable"),
  idGenerator: /* @__PURE__ */ withMethods("an id generator", "generateTraceId", "generateSpanId"),
  metricExportIntervalMillis: /* @__PURE__ */ number(0, { above: true }),
  metricExportTimeoutMillis: /* @__PURE__ */ number(0, { above: true }),
  metricTemporality: (v, name) => {
    if (v !== "cumulative" && v !== "delta" && v !== "lowmemory" && typeof v !== "function") fail(name, `"cumulative", "delta", "lowmemory" or a function of the instrument type`, v);
  },
  metricReaders: /* @__PURE__ */ list(isObject, "metric readers"),
  views: /* @__PURE__ */ list(isObject, "views"),
  cardinalityLimit: /* @__PURE__ */ number(1, { integer: true, finite: true }),
  exemplarFilter: (v, name) => {
    if (v !== "trace_based" && v !== "always_on" && v !== "always_off") fail(name, `"trace_based", "always_on" or "always_off"`, v);
  },
  selfObservability: boolean,
  bridgeConsole: (v, name) => {
    if (typeof v !== "boolean" && !(isObject(v) && !Array.isArray(v))) fail(name, "true, false or console bridge options", v);
  },
};

/**
 * Throws a TypeError/RangeError naming the first malformed option of `options`. Unknown keys
 * are ignored (forward compatibility); `undefined` means "not set".
 */
export function checkInitOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isObject(options) || Array.isArray(options)) throw new TypeError("Cannot init: options must be an object.");
  for (const key of Object.keys(CHECKS) as Array<keyof InitOptions>) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) CHECKS[key](value, key);
  }
}
