/**
 * Up-front validation of {@link RumOptions}. A wrong option is a configuration error: it must
 * throw at `initRum()` (TypeError for a wrong type, RangeError for a value out of range, the
 * message naming the option and the accepted form) before anything is installed — not be
 * swallowed as "this feature could not start" by the per-feature guard, which exists only for
 * runtime failures (a browser API that throws). The checks and their messages are `init()`'s
 * (`sdk/option-checks.ts`): short, for JavaScript callers; TypeScript users get the types.
 */
import { checkMatchers } from "../../instrument/http-semconv.ts";
import { compileHeaderCapture } from "../../instrument/http-headers.ts";
import { checkOptions, fail, isObject, list, number, withMethods, type Check, type Checks } from "../../sdk/option-checks.ts";
import type { RumOptions } from "./rum.ts";

const flag: Check = (v, name) => {
  if (typeof v !== "boolean") fail(name, "true or false", v);
};

const fn = (what: string): Check => (v, name) => {
  if (typeof v !== "function") fail(name, what, v);
};

/** `true`, `false`, or an object whose fields pass their checks (`documentLoad: { resourceTimings: true }`). */
const flagOr = (fields: Record<string, Check>): Check => (v, name) => {
  if (typeof v === "boolean") return;
  if (!isObject(v) || Array.isArray(v)) fail(name, `true, false or { ${Object.keys(fields).join("?, ")}? }`, v);
  for (const key in fields) if (v[key] !== undefined) fields[key]!(v[key], `${name}.${key}`);
};

/** The options `initRum()` reads beyond `init()`'s (which `init()` checks). */
const RUM_CHECKS: { readonly [K in keyof RumOptions]?: Check } = {
  transport: (v, name) => {
    if (v !== "fetch" && v !== "beacon") fail(name, '"fetch" or "beacon"', v);
  },
  propagateTo: (v, name) => checkMatchers(v as never, `Cannot init: options.${name}`),
  traceFetch: flag,
  traceXhr: flag,
  navigations: flag,
  pageView: flag,
  redactUrl: /* @__PURE__ */ fn("a function (url: URL) => string"),
  redactQueryKeys: /* @__PURE__ */ list((v, name) => typeof v === "string" || fail(name, "a query key (string)", v)),
  documentLoad: /* @__PURE__ */ flagOr({ resourceTimings: flag }),
  webVitals: /* @__PURE__ */ flagOr({ onReport: /* @__PURE__ */ fn("a function"), histograms: /* @__PURE__ */ fn("webVitalHistograms (from otel-edge/browser)") }),
  errors: /* @__PURE__ */ flagOr({ maxPerMinute: /* @__PURE__ */ number(0, { integer: true, finite: true }) }),
  session: /* @__PURE__ */ flagOr({
    inactivityMillis: /* @__PURE__ */ number(0, { above: true, finite: true }),
    storage: /* @__PURE__ */ withMethods("a Storage", "getItem", "setItem"),
    now: /* @__PURE__ */ fn("a function returning epoch milliseconds"),
  }),
};

/**
 * Throws TypeError/RangeError for the first invalid RUM-specific option (the `init()` options
 * are validated by `init()` itself). No side effects, apart from the diag warning for a listed
 * header that is never captured (the same once-key traced fetch and XHR would use).
 *
 * @throws TypeError for an option of the wrong type; RangeError for a number out of range.
 */
export function validateRumOptions(options: RumOptions): void {
  checkOptions(options, RUM_CHECKS as Checks);
  // The check traced fetch and XHR make, run here so a bad list throws before anything is installed.
  compileHeaderCapture(options, "Cannot init");
}
