/**
 * Up-front validation of {@link RumOptions}. A wrong option is a configuration error: it must
 * throw at `initRum()` (TypeError for a wrong type, RangeError for a value out of range, the
 * message naming the option and the accepted form) before anything is installed — not be
 * swallowed as "this feature could not start" by the per-feature guard, which exists only for
 * runtime failures (a browser API that throws).
 */
import { checkMatchers } from "../../instrument/http-semconv.ts";
import { compileHeaderCapture } from "../../instrument/http-headers.ts";
import type { RumOptions } from "./rum.ts";

const PREFIX = "Cannot start RUM: options.";

function describe(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "number") return String(value); // NaN, Infinity: JSON would say null
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** Throws `Kind` with "Cannot start RUM: options.<what>, got <value>". */
function fail(Kind: TypeErrorConstructor | RangeErrorConstructor, what: string, value: unknown): never {
  throw new Kind(`${PREFIX}${what}, got ${describe(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function optionalBoolean(options: RumOptions, key: "traceFetch" | "traceXhr" | "navigations" | "pageView"): void {
  const v = options[key];
  if (v !== undefined && typeof v !== "boolean") fail(TypeError, `${key} must be a boolean`, v);
}

/** `false`/`true`/undefined, else an object whose fields are checked by `fields`. */
function booleanOrObject(name: string, value: unknown, form: string, fields: (o: Record<string, unknown>) => void): void {
  if (value === undefined || typeof value === "boolean") return;
  if (!isPlainObject(value)) fail(TypeError, `${name} must be a boolean or ${form}`, value);
  fields(value);
}

/**
 * Throws TypeError/RangeError for the first invalid RUM-specific option (the `init()` options
 * are validated by `init()` itself). No side effects, apart from the diag warning for a listed
 * header that is never captured.
 *
 * @throws TypeError for an option of the wrong type; RangeError for a number out of range.
 */
export function validateRumOptions(options: RumOptions): void {
  if (!isPlainObject(options)) throw new TypeError(`Cannot start RUM: options must be an object, got ${describe(options)}`);
  const transport = options.transport;
  if (transport !== undefined && transport !== "fetch" && transport !== "beacon") {
    fail(TypeError, 'transport must be "fetch" or "beacon"', transport);
  }
  if (options.propagateTo !== undefined) checkMatchers(options.propagateTo, `${PREFIX}propagateTo`);
  optionalBoolean(options, "traceFetch");
  optionalBoolean(options, "traceXhr");
  optionalBoolean(options, "navigations");
  optionalBoolean(options, "pageView");
  if (options.redactUrl !== undefined && typeof options.redactUrl !== "function") {
    fail(TypeError, "redactUrl must be a function (url: URL) => string | undefined", options.redactUrl);
  }
  const keys = options.redactQueryKeys;
  if (keys !== undefined && !(Array.isArray(keys) && keys.every((k) => typeof k === "string"))) {
    fail(TypeError, "redactQueryKeys must be an array of query key strings", keys);
  }
  // The same check traced fetch and XHR make (TypeError naming captureRequestHeaders /
  // captureResponseHeaders); run here so a bad list throws before anything is installed. Its only
  // effect besides throwing is the one diag warning for a listed never-captured header, which
  // the instrumentations would report anyway (same once-key).
  compileHeaderCapture(options, "Cannot start RUM");
  booleanOrObject("documentLoad", options.documentLoad, "{ resourceTimings?: boolean }", (o) => {
    if (o.resourceTimings !== undefined && typeof o.resourceTimings !== "boolean") {
      fail(TypeError, "documentLoad.resourceTimings must be a boolean", o.resourceTimings);
    }
  });
  booleanOrObject("webVitals", options.webVitals, "{ onReport?, histograms? }", (o) => {
    if (o.onReport !== undefined && typeof o.onReport !== "function") {
      fail(TypeError, "webVitals.onReport must be a function", o.onReport);
    }
    if (o.histograms !== undefined && typeof o.histograms !== "function") {
      fail(TypeError, "webVitals.histograms must be webVitalHistograms (imported from otel-edge/browser)", o.histograms);
    }
  });
  booleanOrObject("errors", options.errors, "{ maxPerMinute?: number }", (o) => {
    const max = o.maxPerMinute;
    if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 0)) {
      fail(RangeError, "errors.maxPerMinute must be a non-negative integer (records per minute)", max);
    }
  });
  booleanOrObject("session", options.session, "{ inactivityMillis?, storage?, now? }", (o) => {
    const inactivity = o.inactivityMillis;
    if (inactivity !== undefined && !(typeof inactivity === "number" && inactivity > 0 && inactivity !== Infinity)) {
      fail(RangeError, "session.inactivityMillis must be a positive finite number of milliseconds", inactivity);
    }
    const storage = o.storage as { getItem?: unknown; setItem?: unknown } | undefined;
    if (storage !== undefined && (storage === null || typeof storage.getItem !== "function" || typeof storage.setItem !== "function")) {
      fail(TypeError, "session.storage must have getItem(key) and setItem(key, value) (a Storage)", storage);
    }
    if (o.now !== undefined && typeof o.now !== "function") {
      fail(TypeError, "session.now must be a function returning epoch milliseconds", o.now);
    }
  });
}
