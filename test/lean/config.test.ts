// @node-flags: --import=./test/lean/standins/register.mjs
// bench/lean/config.ts against the product (the oracle): the same options and env bindings
// resolved by the product's own modules, wired as its Workers init() wires them (checkOptionShapes,
// otlpOptionsFromEnv + resolveOtlpConfig, ENV_SETTINGS' OTEL_BSP_* with the Workers batch default,
// batchSettings, the span limits, buildResourceWith), compared field by field; plus the error
// for each malformed option (same class, same option named) and invalid env reported once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configure, type LeanOptions } from "../../bench/lean/config.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { envBoolean, type EnvRecord } from "../../src/common/env.ts";
import { batchSettings } from "../../src/export/batch-settings.ts";
import { otlpOptionsFromEnv, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import { buildResourceWith } from "../../src/resource/detect.ts";
import { ENV_SETTINGS } from "../../src/sdk/env-selection.ts";
import { checkOptionShapes } from "../../src/sdk/option-checks.ts";
import type { InitOptions } from "../../src/sdk/options.ts";
import { DEFAULT_BSP_OPTIONS } from "../../src/trace/batch-span-processor.ts";
import { VERSION } from "../../src/version.ts";

// Lean diagnostics go to console.warn; the product's to its diag logger. Both captured.
const leanWarnings: string[] = [];
const productWarnings: string[] = [];
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => void leanWarnings.push(args.join(" "));
const capture = (m: string) => void productWarnings.push(m);
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.WARN);
test.before.each(() => {
  leanWarnings.length = productWarnings.length = 0;
  resetDiagOnce();
});
test.after(() => void (console.warn = consoleWarn));

/** The product's Workers init(), reduced to what it resolves for this job (src/runtime/workers-init.ts → init.ts → traces-part.ts). */
function product(options: LeanOptions, bindings?: EnvRecord) {
  checkOptionShapes(options as InitOptions);
  const env = options.env ?? bindings;
  const otlp = resolveOtlpConfig("traces", otlpOptionsFromEnv("traces", env, options.otlp));
  const batch = { scheduledDelayMillis: Infinity }; // the Workers entry's default (no timer)
  return {
    disabled: options.disabled ?? envBoolean(env, "OTEL_SDK_DISABLED") ?? false,
    resource: buildResourceWith(
      { serviceName: options.serviceName, attributes: options.resourceAttributes, sdkVersion: VERSION, sdkLanguage: "webjs", defaultServiceName: "unknown_service" },
      ENV_SETTINGS.resource(env),
    ).attributes,
    target: { url: otlp.url, headers: otlp.headers, timeout: otlp.timeoutMillis },
    batch: batchSettings(batch, ENV_SETTINGS.settings("spanBatch", batch, env), DEFAULT_BSP_OPTIONS, "OTEL_BSP_"),
    limits: ENV_SETTINGS.settings("spanLimits", undefined, env),
  };
}

/** Both resolutions, compared: values and the resource's attribute order (the exported bytes follow it). */
function same(options: LeanOptions, env?: EnvRecord): ReturnType<typeof configure> {
  const expected = product(options, env);
  const lean = configure(options, env);
  assert.equal(
    { ...lean, resource: lean.resource.attributes, limits: { ...lean.limits } },
    { ...expected, resource: { ...expected.resource }, limits: { ...expected.limits } },
  );
  assert.equal(Object.keys(lean.resource.attributes), Object.keys(expected.resource), "resource attribute order");
  return lean;
}

// First: lean reports each problem once per isolate, so later cases would hide these reports.
test("invalid env values: reported once per variable (never the value), the default used, like the product", () => {
  const env = {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://u:hunter2@x",
    OTEL_EXPORTER_OTLP_TIMEOUT: "hunter2",
    OTEL_BSP_MAX_QUEUE_SIZE: "-1",
    OTEL_SPAN_LINK_COUNT_LIMIT: "1.5",
    OTEL_SDK_DISABLED: "hunter2",
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: "ok=1,hunter2,a b=hunter2",
    OTEL_RESOURCE_ATTRIBUTES: "a=1,hunter2",
  };
  same({ serviceName: "s" }, env);
  const first = leanWarnings.length;
  configure({ serviceName: "s" }, env);
  assert.is(leanWarnings.length, first, "nothing reported twice");
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_SPAN_LINK_COUNT_LIMIT", "OTEL_SDK_DISABLED", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_RESOURCE_ATTRIBUTES"]) {
    assert.ok(productWarnings.some((w) => w.includes(name)), `the product reports ${name}`);
    assert.ok(leanWarnings.some((w) => w.startsWith("otel-edge: ignored " + name)), `lean reports ${name}`);
  }
  assert.ok(leanWarnings.every((w) => !w.includes("hunter2")), "values never echoed");
});

const ENVS: Array<[string, EnvRecord]> = [
  ["no bindings", {}],
  ["empty and blank values are unset; non-string bindings ignored", { OTEL_SERVICE_NAME: "  ", OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_BSP_MAX_QUEUE_SIZE: { kv: true } as never, KV: {} as never }],
  ["generic endpoint: /v1/traces appended, one slash, before the query", { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example:4318/base//?tenant=a/b" }],
  ["generic endpoint, bare origin", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }],
  ["traces endpoint used as-is, wins over generic", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://t.example/custom/", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2" }],
  ["invalid traces endpoint falls through to generic", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://u:s3cret@x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g:2/" }],
  ["invalid generic endpoint: default", { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }],
  [
    "headers: generic < traces, lower-cased, percent-decoded, malformed and unsendable entries dropped",
    {
      OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic%20abc,B=2,bad,=x,c=%41%3D,x y=1,latin=%C3%A9,wide=%C4%80,d=a=b, ,e=%ZZ",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=3, authorization = Bearer t ",
    },
  ],
  ["timeout: traces over generic", { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "500", OTEL_EXPORTER_OTLP_TIMEOUT: "800" }],
  ["timeout: 0 is no limit (2^31 - 1)", { OTEL_EXPORTER_OTLP_TIMEOUT: "0" }],
  ["timeout: invalid traces value falls through", { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "1.5", OTEL_EXPORTER_OTLP_TIMEOUT: "700" }],
  ["timeout: invalid values use the default", { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "-1", OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }],
  ["BSP: queue below the default batch: batch clamped", { OTEL_BSP_MAX_QUEUE_SIZE: "100" }],
  ["BSP: batch above the queue: clamped", { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "3000", OTEL_BSP_EXPORT_TIMEOUT: "0" }],
  ["BSP: valid values; the schedule delay stays Infinity on Workers", { OTEL_BSP_MAX_QUEUE_SIZE: "4096", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1000", OTEL_BSP_EXPORT_TIMEOUT: "1234", OTEL_BSP_SCHEDULE_DELAY: "10" }],
  ["BSP: invalid values", { OTEL_BSP_MAX_QUEUE_SIZE: "0", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "-5", OTEL_BSP_EXPORT_TIMEOUT: "1e3x" }],
  ["limits: span variable over the general one", { OTEL_ATTRIBUTE_COUNT_LIMIT: "10", OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "5", OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "20" }],
  ["limits: events and links, general fallbacks, invalid ignored", { OTEL_ATTRIBUTE_COUNT_LIMIT: "7", OTEL_SPAN_EVENT_COUNT_LIMIT: "x", OTEL_SPAN_LINK_COUNT_LIMIT: "3", OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: "2", OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: "0" }],
  ["resource: OTEL_RESOURCE_ATTRIBUTES percent-decoded, OTEL_SERVICE_NAME wins", { OTEL_RESOURCE_ATTRIBUTES: "a=1, b = x%20y ,service.name=env-svc,c=d=e", OTEL_SERVICE_NAME: "named" }],
  ["resource: service.name from OTEL_RESOURCE_ATTRIBUTES", { OTEL_RESOURCE_ATTRIBUTES: "service.name=from-list,deployment.environment.name=prod" }],
  ["resource: one malformed entry discards the whole value", { OTEL_RESOURCE_ATTRIBUTES: "a=1,broken,b=2" }],
  ["resource: a bad escape discards the whole value", { OTEL_RESOURCE_ATTRIBUTES: "a=%E0%A4%A,b=2", OTEL_SERVICE_NAME: "s" }],
  ["resource: an empty service.name is dropped; telemetry.sdk.* can be overridden in place", { OTEL_RESOURCE_ATTRIBUTES: "service.name=,telemetry.sdk.name=custom,__proto__=p" }],
  ["OTEL_SDK_DISABLED=TRUE (any case)", { OTEL_SDK_DISABLED: "TRUE" }],
  ["OTEL_SDK_DISABLED=false", { OTEL_SDK_DISABLED: " false " }],
  ["OTEL_SDK_DISABLED invalid: not disabled", { OTEL_SDK_DISABLED: "yes" }],
];

for (const [name, env] of ENVS) {
  test(`env: ${name}`, () => {
    same({}, env);
    same({ serviceName: "edge-api" }, env);
  });
}

const OPTIONS: Array<[string, LeanOptions, EnvRecord]> = [
  ["serviceName wins over OTEL_SERVICE_NAME and the list", { serviceName: "opt" }, { OTEL_SERVICE_NAME: "env", OTEL_RESOURCE_ATTRIBUTES: "service.name=list,k=v" }],
  ["resourceAttributes win over the env list; serviceName over them", { resourceAttributes: { k: "opt", n: 5, "service.name": "attr" }, serviceName: "opt" }, { OTEL_RESOURCE_ATTRIBUTES: "k=v,j=w" }],
  ["resourceAttributes' service.name wins over OTEL_SERVICE_NAME", { resourceAttributes: { "service.name": "attr", list: ["a", "b"] } }, { OTEL_SERVICE_NAME: "env" }],
  ["a malformed service.name in resourceAttributes is dropped; env applies", { resourceAttributes: { "service.name": 42 as never } }, { OTEL_SERVICE_NAME: "env" }],
  ["otlp.endpoint (a base) wins over both env endpoints", { otlp: { endpoint: "https://o.example/p/" } }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x", OTEL_EXPORTER_OTLP_ENDPOINT: "http://g" }],
  ["otlp.headers over env headers, names case-insensitive", { otlp: { headers: { Authorization: "Bearer opt", "X-Team": "a" } } }, { OTEL_EXPORTER_OTLP_HEADERS: "authorization=env,x=1" }],
  ["otlp.timeoutMillis wins (Infinity allowed)", { otlp: { timeoutMillis: Infinity } }, { OTEL_EXPORTER_OTLP_TIMEOUT: "5" }],
  ["otlp.timeoutMillis wins", { otlp: { timeoutMillis: 2500 } }, { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "5" }],
  ["disabled: false wins over OTEL_SDK_DISABLED=true", { disabled: false }, { OTEL_SDK_DISABLED: "true" }],
  ["disabled: true", { disabled: true }, {}],
  ["options.env wins over the bindings", { env: { OTEL_SERVICE_NAME: "from-options-env" } }, { OTEL_SERVICE_NAME: "from-bindings" }],
];

for (const [name, options, env] of OPTIONS) test(`options: ${name}`, () => void same(options, env));

test("the README program's options: service.name edge-api, the spec's defaults", () => {
  const env = {};
  const c = same({ env, serviceName: "edge-api" });
  assert.equal(c.target, { url: "http://localhost:4318/v1/traces", headers: {}, timeout: 10000 });
  assert.equal(c.batch, { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: Infinity, exportTimeoutMillis: 30000 });
  assert.equal(c.resource.attributes, { "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "webjs", "telemetry.sdk.version": VERSION, "service.name": "edge-api" });
  assert.equal(c.limits, {});
  assert.is(c.disabled, false);
});

test("no service.name anywhere: unknown_service first (workerd: unknown_service:workerd), reported", () => {
  const c = same({});
  assert.equal(Object.keys(c.resource.attributes)[0], "service.name");
  assert.is(c.resource.attributes["service.name"], "unknown_service");
  const ua = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { userAgent: "Cloudflare-Workers" }, configurable: true });
  try {
    assert.is(configure({}, {}).resource.attributes["service.name"], "unknown_service:workerd");
  } finally {
    if (ua) Object.defineProperty(globalThis, "navigator", ua);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
});

// Malformed options: both throw, the same class, both naming the option (product: checkOptionShapes
// on every entry, and the OTLP exporter's own checks, which the Workers init() reaches before registering).
const BAD: Array<[LeanOptions | unknown, RegExp]> = [
  ["options", /options must be an object/],
  [{ serviceName: "" }, /options\.serviceName/],
  [{ serviceName: 5 }, /options\.serviceName/],
  [{ resourceAttributes: "a=b" }, /options\.resourceAttributes/],
  [{ env: "production" }, /options\.env/],
  [{ disabled: "yes" }, /options\.disabled/],
  [{ otlp: "https://collector" }, /options\.otlp/],
  [{ otlp: null }, /options\.otlp/],
  [{ otlp: { url: "https://collector/v1/traces" } }, /options\.otlp\.url.*endpoint/],
  [{ otlp: { endpoint: "collector:4318" } }, /endpoint/],
  [{ otlp: { endpoint: "ftp://user:s3cret@host" } }, /endpoint/],
  [{ otlp: { headers: "authorization=x" } }, /headers/],
  [{ otlp: { headers: { "x-key": 5 } } }, /headers.*x-key/],
  [{ otlp: { timeoutMillis: 0 } }, /timeoutMillis/],
  [{ otlp: { timeoutMillis: "500" } }, /timeoutMillis/],
  [{ otlp: { timeoutMillis: NaN } }, /timeoutMillis/],
];

for (const [options, pattern] of BAD) {
  test(`malformed: ${JSON.stringify(options)} throws as the product does`, () => {
    let expected: Error | undefined, actual: Error | undefined;
    try {
      product(options as LeanOptions, {});
    } catch (e) {
      expected = e as Error;
    }
    try {
      configure(options as LeanOptions, {});
    } catch (e) {
      actual = e as Error;
    }
    assert.ok(expected, "the product throws");
    assert.ok(actual, "lean throws");
    assert.is(actual!.constructor, expected!.constructor, `${actual!.message} / ${expected!.message}`);
    assert.match(actual!.message, pattern);
    assert.match(expected!.message, pattern);
    assert.not.match(actual!.message, /s3cret/, "a URL is never echoed");
  });
}

test("hostile input: throwing getters in resourceAttributes are dropped, not thrown", () => {
  const attributes = { ok: "yes" } as Record<string, unknown>;
  Object.defineProperty(attributes, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
  const c = configure({ serviceName: "s", resourceAttributes: attributes as never }, {});
  assert.is(c.resource.attributes.ok, "yes");
  assert.not.ok("bad" in c.resource.attributes);
});

test.run();
