// OTEL_* environment configuration: a table of cases, each with the value the spec asks for
// (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/, common.md, the OTLP
// exporter and Resource SDK pages), checked against our resolution and — when bench/ has its
// packages installed (`npm ci` in bench/) — against the official OpenTelemetry JS SDK's own
// resolution functions (@opentelemetry/* 2.12 / 0.223, which read process.env).
//
// Every case where the official SDK differs from the spec (or from us, where the spec is
// silent) names the difference in `peer` and why we keep ours; the test fails if the peer stops
// differing, so the list stays true.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { parseDiagLogLevel } from "../../src/common/diag.ts";
import { envBoolean, NO_TIMEOUT_MILLIS, type EnvRecord } from "../../src/common/env.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import { batchSettings } from "../../src/export/batch-settings.ts";
import { otlpOptionsFromEnv, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import { temporalityFromEnv } from "../../src/metrics/temporality-preference.ts";
import { buildResource } from "../../src/resource/detect.ts";
import { resolveSpanLimits } from "../../src/trace/limits.ts";
import { samplerFromEnv } from "../../src/trace/samplers/from-env.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

type Env = Record<string, string>;

interface Case<T> {
  readonly env: Env;
  /** What the spec asks for (what we give). */
  readonly spec: T;
  /** Set when the official SDK gives something else: why, and what we do about it. */
  readonly peer?: string;
}

// ---- the official SDK, from bench/node_modules (scripts/ensure-test-tools.mjs installs it) ----

const peerDir = new URL("../../bench/node_modules/@opentelemetry/", import.meta.url);
const hasPeer = existsSync(new URL("resources/package.json", peerDir));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const peer = (path: string): any => createRequire(peerDir)(`./${path}`);

test("the official SDK is installed as the peer (npm test installs bench/ dependencies)", () => {
  assert.ok(hasPeer, "bench/node_modules/@opentelemetry is missing: run `npm ci --prefix bench` (scripts/ensure-test-tools.mjs does it)");
});

/** Runs `f` with exactly `env` as the OTEL_* part of process.env (the official SDK reads it there). */
function withProcessEnv<T>(env: Env, f: () => T): T {
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith("OTEL_"));
  for (const k of Object.keys(process.env)) if (k.startsWith("OTEL_")) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return f();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith("OTEL_")) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  }
}

/** Checks every case: ours equals the spec; the peer equals it unless `peer` says otherwise (then it must differ). */
async function check<T>(what: string, cases: readonly Case<T>[], ours: (env: EnvRecord) => T, theirs?: (env: Env) => T | Promise<T>): Promise<void> {
  const problems: string[] = [];
  for (const c of cases) {
    captureDiag();
    const label = `${what} ${JSON.stringify(c.env)}`;
    const got = ours(c.env);
    if (JSON.stringify(got) !== JSON.stringify(c.spec)) problems.push(`${label}: ours ${JSON.stringify(got)}, spec ${JSON.stringify(c.spec)}`);
    if (!hasPeer || !theirs) continue;
    const p = await withProcessEnv(c.env, () => theirs(c.env));
    const same = JSON.stringify(p) === JSON.stringify(c.spec);
    if (c.peer === undefined && !same) problems.push(`${label}: official SDK ${JSON.stringify(p)}, spec ${JSON.stringify(c.spec)} (add a peer note or fix ours)`);
    if (c.peer !== undefined && same) problems.push(`${label}: official SDK now agrees; remove the note "${c.peer}"`);
  }
  assert.equal(problems, [], problems.join("\n"));
}

if (hasPeer) {
  // Keep the official SDK's diagnostics out of the test output.
  peer("api").diag.disable();
}

// ---- OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME (Resource SDK; General SDK Configuration) ----

const resourceCases: Case<Record<string, string>>[] = [
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=1,b=2" }, spec: { a: "1", b: "2" } },
  { env: { OTEL_RESOURCE_ATTRIBUTES: " a = 1 , b=2 ," }, spec: { a: "1", b: "2" } },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "k%2Cx=v%3Dw,e=%F0%9F%9A%80" }, spec: { "k,x": "v=w", e: "🚀" } },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=,b=2" }, spec: { a: "", b: "2" } },
  // "In case of any error, e.g. failure during the decoding process, the entire environment
  // variable value SHOULD be discarded".
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=1,b=%zz" }, spec: {} },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=1,b" }, spec: {} },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=1,=2" }, spec: {} },
  {
    env: { OTEL_RESOURCE_ATTRIBUTES: "a=1,url=http://x/?q=1" },
    spec: { a: "1", url: "http://x/?q=1" },
    peer: "discards the whole value for a raw '=' inside a value; we split at the first '=' (the spec asks users to encode it, but the input is unambiguous and discarding service.name with it helps no one)",
  },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "service.name=attr", OTEL_SERVICE_NAME: "svc" }, spec: { "service.name": "svc" } },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "a=%", OTEL_SERVICE_NAME: "svc" }, spec: { "service.name": "svc" } },
  { env: { OTEL_RESOURCE_ATTRIBUTES: "", OTEL_SERVICE_NAME: "" }, spec: {} },
  {
    env: { OTEL_SERVICE_NAME: " svc " },
    spec: { "service.name": "svc" },
    peer: "keeps the surrounding spaces of string variables; we trim every value, as the W3C format trims OTEL_RESOURCE_ATTRIBUTES",
  },
  {
    env: { OTEL_RESOURCE_ATTRIBUTES: `k=${"v".repeat(300)}` },
    spec: { k: "v".repeat(300) },
    peer: "discards values over 255 characters (a limit of the old spec, gone from the current one); we keep them",
  },
];

test("OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME", async () => {
  await check(
    "resource",
    resourceCases,
    (env) => {
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(buildResource({ env, sdkVersion: "0", defaultServiceName: "none" }).attributes)) {
        if (!k.startsWith("telemetry.sdk.") && !(k === "service.name" && v === "none")) attributes[k] = String(v);
      }
      return attributes;
    },
    () => peer("resources").envDetector.detect().attributes,
  );
});

// ---- OTEL_TRACES_SAMPLER(_ARG) ----

const PB = (root: string) =>
  `ParentBased{root=${root}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}`;
const samplerCases: Case<string>[] = [
  { env: {}, spec: PB("AlwaysOnSampler") },
  { env: { OTEL_TRACES_SAMPLER: "" }, spec: PB("AlwaysOnSampler") },
  { env: { OTEL_TRACES_SAMPLER: "always_on" }, spec: "AlwaysOnSampler" },
  { env: { OTEL_TRACES_SAMPLER: "always_off" }, spec: "AlwaysOffSampler" },
  { env: { OTEL_TRACES_SAMPLER: "parentbased_always_off" }, spec: PB("AlwaysOffSampler") },
  { env: { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }, spec: "TraceIdRatioBased{0.25}" },
  { env: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.5" }, spec: PB("TraceIdRatioBased{0.5}") },
  { env: { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" }, spec: "TraceIdRatioBased{0}" },
  // "Invalid or unrecognized input MUST be logged and MUST be otherwise ignored" → 1.0.
  { env: { OTEL_TRACES_SAMPLER: "traceidratio" }, spec: "TraceIdRatioBased{1}" },
  { env: { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }, spec: "TraceIdRatioBased{1}" },
  { env: { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "-0.1" }, spec: "TraceIdRatioBased{1}" },
  { env: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "half" }, spec: PB("TraceIdRatioBased{1}") },
  { env: { OTEL_TRACES_SAMPLER: "always_on", OTEL_TRACES_SAMPLER_ARG: "0.1" }, spec: "AlwaysOnSampler" },
  // Unknown and unsupported names: warn, use the default.
  { env: { OTEL_TRACES_SAMPLER: "sometimes" }, spec: PB("AlwaysOnSampler") },
  { env: { OTEL_TRACES_SAMPLER: "jaeger_remote" }, spec: PB("AlwaysOnSampler") },
  {
    env: { OTEL_TRACES_SAMPLER: "TraceIdRatio", OTEL_TRACES_SAMPLER_ARG: "0.5" },
    spec: "TraceIdRatioBased{0.5}",
    peer: "matches names case-sensitively and untrimmed, so `TraceIdRatio` falls back to the default; we accept any case (enums MAY accept more values)",
  },
];

test("OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG", async () => {
  await check("sampler", samplerCases, (env) => String(samplerFromEnv(env)), () => String(peer("sdk-trace-base/build/src/config.js").buildSamplerFromEnv()));
});

// ---- OTEL_EXPORTER_OTLP_* (protocol/exporter.md) ----

interface Otlp {
  url: string;
  timeoutMillis: number;
  compression: string;
  headers: Record<string, string>;
}
const DEFAULT_OTLP: Otlp = { url: "http://localhost:4318/v1/traces", timeoutMillis: 10000, compression: "none", headers: {} };
const otlp = (o: Partial<Otlp>): Otlp => ({ ...DEFAULT_OTLP, ...o });
const otlpCases: Case<Otlp>[] = [
  { env: {}, spec: DEFAULT_OTLP },
  { env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, spec: otlp({ url: "http://c:4318/v1/traces" }) },
  // "correcting for double-slashes"
  { env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" }, spec: otlp({ url: "http://c:4318/v1/traces" }) },
  { env: { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c/prefix/" }, spec: otlp({ url: "https://c/prefix/v1/traces" }) },
  // The per-signal endpoint is used as-is and wins.
  { env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/custom" }, spec: otlp({ url: "http://b:4318/custom" }) },
  {
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318" },
    spec: otlp({ url: "http://b:4318" }),
    peer: "normalizes to http://b:4318/ (new URL().toString()); the same request, we keep the value as-is",
  },
  {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/base?tenant=a" },
    spec: otlp({ url: "http://c:4318/base/v1/traces?tenant=a" }),
    peer: "appends after the query (…?tenant=a/v1/traces); we put the signal path before it",
  },
  // "The endpoint MUST be a valid URL with scheme (http or https)".
  { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://c/x" }, spec: DEFAULT_OTLP, peer: "accepts any scheme; we warn and ignore non-http(s) URLs" },
  { env: { OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, spec: DEFAULT_OTLP },
  { env: { OTEL_EXPORTER_OTLP_TIMEOUT: "5000" }, spec: otlp({ timeoutMillis: 5000 }) },
  { env: { OTEL_EXPORTER_OTLP_TIMEOUT: "5000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000" }, spec: otlp({ timeoutMillis: 2000 }) },
  { env: { OTEL_EXPORTER_OTLP_TIMEOUT: "-1" }, spec: DEFAULT_OTLP },
  { env: { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "soon", OTEL_EXPORTER_OTLP_TIMEOUT: "3000" }, spec: otlp({ timeoutMillis: 3000 }) },
  // Timeout type: "Implementations SHOULD interpret timeout zero values as no limit".
  { env: { OTEL_EXPORTER_OTLP_TIMEOUT: "0" }, spec: otlp({ timeoutMillis: NO_TIMEOUT_MILLIS }), peer: "rejects 0 with a warning (default 10 s); the spec's Timeout type makes 0 no limit" },
  { env: { OTEL_EXPORTER_OTLP_TIMEOUT: "1500.5" }, spec: DEFAULT_OTLP, peer: "accepts fractional milliseconds; the spec's Timeout is an integer" },
  { env: { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }, spec: otlp({ compression: "gzip" }) },
  { env: { OTEL_EXPORTER_OTLP_COMPRESSION: "gzip", OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "none" }, spec: otlp({ compression: "none" }) },
  { env: { OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" }, spec: DEFAULT_OTLP },
  { env: { OTEL_EXPORTER_OTLP_COMPRESSION: "GZIP" }, spec: otlp({ compression: "gzip" }), peer: "case-sensitive (GZIP warns); enum values MAY be accepted more widely, and any case is what users expect" },
  { env: { OTEL_EXPORTER_OTLP_HEADERS: "a=1, b = 2 ,c,d=%zz,e=x%20y,i=j=k" }, spec: otlp({ headers: { a: "1", b: "2", e: "x y", i: "j=k" } }) },
  { env: { OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=1", OTEL_EXPORTER_OTLP_TRACES_HEADERS: "B=2" }, spec: otlp({ headers: { a: "1", b: "2" } }) },
  {
    env: { OTEL_EXPORTER_OTLP_HEADERS: "a=1;m=1" },
    spec: otlp({ headers: { a: "1;m=1" } }),
    peer: "cuts `;…` off as baggage metadata; the spec says metadata is not supported, so we keep the value whole rather than drop part of a credential",
  },
  { env: { OTEL_EXPORTER_OTLP_HEADERS: "a=" }, spec: otlp({ headers: { a: "" } }), peer: "drops empty values; an empty header value is valid HTTP, so we send it" },
];

test("OTEL_EXPORTER_OTLP_* endpoint, timeout, compression, headers", async () => {
  await check(
    "otlp",
    otlpCases,
    (env) => {
      const c = resolveOtlpConfig("traces", otlpOptionsFromEnv("traces", env));
      return { url: c.url, timeoutMillis: c.timeoutMillis, compression: c.compression, headers: c.headers };
    },
    async () => {
      const c = peer("otlp-exporter-base/build/src/configuration/otlp-node-http-env-configuration.js").getNodeHttpConfigurationFromEnvironment("TRACES", "v1/traces");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries((await c.headers?.()) ?? {})) headers[k.toLowerCase()] = String(v);
      return { url: c.url ?? DEFAULT_OTLP.url, timeoutMillis: c.timeoutMillis ?? 10000, compression: c.compression ?? "none", headers };
    },
  );
});

// ---- OTEL_BSP_* ----

type Bsp = [delay: number, timeout: number, queue: number, batch: number];
const bspCases: Case<Bsp>[] = [
  { env: {}, spec: [5000, 30000, 2048, 512] },
  { env: { OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_BSP_EXPORT_TIMEOUT: "700", OTEL_BSP_MAX_QUEUE_SIZE: "10", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "4" }, spec: [100, 700, 10, 4] },
  // "Must be less than or equal to OTEL_BSP_MAX_QUEUE_SIZE": clamped.
  { env: { OTEL_BSP_MAX_QUEUE_SIZE: "100" }, spec: [5000, 30000, 100, 100] },
  { env: { OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "300" }, spec: [5000, 30000, 100, 100] },
  { env: { OTEL_BSP_SCHEDULE_DELAY: "0" }, spec: [0, 30000, 2048, 512] },
  { env: { OTEL_BSP_SCHEDULE_DELAY: "later" }, spec: [5000, 30000, 2048, 512] },
  { env: { OTEL_BSP_MAX_QUEUE_SIZE: "-5" }, spec: [5000, 30000, 2048, 512], peer: "takes -5 as the queue size (and clamps the batch to it); the spec: invalid values warn and are ignored" },
  { env: { OTEL_BSP_MAX_QUEUE_SIZE: "1.5" }, spec: [5000, 30000, 2048, 512], peer: "takes 1.5; the sizes are integers" },
  { env: { OTEL_BSP_EXPORT_TIMEOUT: "0" }, spec: [5000, NO_TIMEOUT_MILLIS, 2048, 512], peer: "takes 0 literally, so every export times out at once; the spec's Timeout makes 0 no limit" },
];

test("OTEL_BSP_*", async () => {
  await check(
    "bsp",
    bspCases,
    (env) => {
      const b = batchSettings({}, ENV_SELECTION.settings("spanBatch", {}, env), { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 }, "OTEL_BSP_");
      return [b.scheduledDelayMillis, b.exportTimeoutMillis, b.maxQueueSize, b.maxExportBatchSize];
    },
    () => {
      const p = new (peer("sdk-trace-base").BatchSpanProcessor)({ export() {}, shutdown: async () => {} });
      return [p._scheduledDelayMillis, p._exportTimeoutMillis, p._maxQueueSize, p._maxExportBatchSize];
    },
  );
});

// ---- Span limits and OTEL_ATTRIBUTE_* ----

type SpanCounts = [attributes: number, valueLength: number | null, events: number, links: number, perEvent: number, perLink: number];
const PER_SPAN_ONLY = "applies OTEL_ATTRIBUTE_COUNT_LIMIT to span attributes only, not to event and link attributes";
const limitCases: Case<SpanCounts>[] = [
  { env: {}, spec: [128, null, 128, 128, 128, 128] },
  // The general Attribute Limits apply to every attribute collection without a model-specific limit.
  { env: { OTEL_ATTRIBUTE_COUNT_LIMIT: "5", OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "10" }, spec: [5, 10, 128, 128, 5, 5], peer: PER_SPAN_ONLY },
  { env: { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "7", OTEL_ATTRIBUTE_COUNT_LIMIT: "5" }, spec: [7, null, 128, 128, 5, 5], peer: PER_SPAN_ONLY },
  { env: { OTEL_SPAN_EVENT_COUNT_LIMIT: "3", OTEL_SPAN_LINK_COUNT_LIMIT: "4" }, spec: [128, null, 3, 4, 128, 128] },
  // "Valid values are non-negative": 0 is a limit; negatives and floats are ignored.
  { env: { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "0", OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "0" }, spec: [0, 0, 128, 128, 128, 128] },
  { env: { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "-1" }, spec: [128, null, 128, 128, 128, 128], peer: "takes -1; the spec: invalid values warn and are ignored" },
  {
    env: { OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: "2", OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: "3" },
    spec: [128, null, 128, 128, 2, 3],
    peer: "reads OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT / _PER_LINK_, not the spec's OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT / OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
  },
];

test("span limits: OTEL_SPAN_*_LIMIT over OTEL_ATTRIBUTE_*_LIMIT", async () => {
  await check(
    "limits",
    limitCases,
    (env) => {
      const l = resolveSpanLimits(ENV_SELECTION.settings("spanLimits", {}, env));
      const len = l.attributeValueLengthLimit === Infinity ? null : l.attributeValueLengthLimit;
      return [l.attributeCountLimit, len, l.eventCountLimit, l.linkCountLimit, l.attributePerEventCountLimit, l.attributePerLinkCountLimit];
    },
    () => {
      const l = new (peer("sdk-trace-base").BasicTracerProvider)()._tracerOptions.spanLimits;
      const len = l.attributeValueLengthLimit === Infinity ? null : l.attributeValueLengthLimit;
      return [l.attributeCountLimit, len, l.eventCountLimit, l.linkCountLimit, l.attributePerEventCountLimit, l.attributePerLinkCountLimit];
    },
  );
});

// ---- Booleans (OTEL_SDK_DISABLED), OTEL_LOG_LEVEL, the temporality preference ----

const booleanCases: Case<boolean>[] = [
  { env: { OTEL_SDK_DISABLED: "true" }, spec: true },
  { env: { OTEL_SDK_DISABLED: "TRUE" }, spec: true },
  { env: { OTEL_SDK_DISABLED: " True " }, spec: true },
  { env: { OTEL_SDK_DISABLED: "false" }, spec: false },
  { env: { OTEL_SDK_DISABLED: "" }, spec: false },
  // "MUST NOT extend this definition": 1, yes, on are false (with a warning).
  { env: { OTEL_SDK_DISABLED: "1" }, spec: false },
  { env: { OTEL_SDK_DISABLED: "yes" }, spec: false },
];

test("OTEL_SDK_DISABLED: only a case-insensitive true is true", async () => {
  await check("boolean", booleanCases, (env) => envBoolean(env, "OTEL_SDK_DISABLED") ?? false, () => peer("core").getBooleanFromEnv("OTEL_SDK_DISABLED"));
});

const levelCases: Case<number | null>[] = [
  { env: { OTEL_LOG_LEVEL: "debug" }, spec: 70 },
  { env: { OTEL_LOG_LEVEL: "ERROR" }, spec: 30 },
  { env: { OTEL_LOG_LEVEL: "none" }, spec: 0 },
  { env: { OTEL_LOG_LEVEL: " debug " }, spec: 70, peer: "does not trim, so ' debug ' is unknown (info)" },
  { env: { OTEL_LOG_LEVEL: "warning" }, spec: null, peer: "maps an unknown level to info; we warn and keep the current level (our default is warn, see README)" },
];

test("OTEL_LOG_LEVEL names (any case)", async () => {
  await check(
    "log level",
    levelCases,
    (env) => parseDiagLogLevel(String(env.OTEL_LOG_LEVEL)) ?? null,
    (env) => peer("core").diagLogLevelFromString(env.OTEL_LOG_LEVEL) ?? null,
  );
});

const temporalityCases: Case<[counter: string, asyncCounter: string, upDown: string]>[] = [
  { env: {}, spec: ["cumulative", "cumulative", "cumulative"] },
  { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "delta" }, spec: ["delta", "delta", "cumulative"] },
  { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "LowMemory" }, spec: ["delta", "cumulative", "cumulative"] },
  { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "deltas" }, spec: ["cumulative", "cumulative", "cumulative"] },
  { env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: " delta " }, spec: ["delta", "delta", "cumulative"], peer: "does not trim, so ' delta ' is unknown (cumulative)" },
];

test("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", async () => {
  await check(
    "temporality",
    temporalityCases,
    (env) => {
      const select = temporalityFromEnv(env);
      return [select("counter"), select("observablecounter"), select("updowncounter")];
    },
    () => {
      const { InstrumentType } = peer("sdk-metrics");
      const exporter = new (peer("exporter-metrics-otlp-http").OTLPMetricExporter)();
      const name = (t: unknown) => (exporter.selectAggregationTemporality(t) === 0 ? "delta" : "cumulative");
      return [name(InstrumentType.COUNTER), name(InstrumentType.OBSERVABLE_COUNTER), name(InstrumentType.UP_DOWN_COUNTER)];
    },
  );
});

test("warnings show the value as written (common configuration spec: errors display the original value)", () => {
  const messages = captureDiag();
  envBoolean({ OTEL_SDK_DISABLED: "Yes" }, "OTEL_SDK_DISABLED");
  temporalityFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "Deltas" });
  assert.match(messages[0]!, /OTEL_SDK_DISABLED="Yes"/);
  assert.match(messages[1]!, /OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="Deltas"/);
});

test.run();
