// Hostile input, configuration: every OTEL_* variable we read, with malformed values (empty,
// whitespace, negative, NaN, huge, wrong enum, garbage lists, unbalanced percent-encoding),
// through init() and the per-component parsers. Never throws; a malformed value warns once,
// naming the variable and the accepted form; the SDK keeps running on defaults (spans still
// reach a local OTLP receiver). Malformed init() options throw TypeError/RangeError naming
// the option.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";
import { parseKeyValueList } from "../../src/common/env.ts";
import { otlpOptionsFromEnv, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import { resolveLogRecordLimits } from "../../src/logs/log-record.ts";
import { temporalityFromEnv } from "../../src/metrics/temporality-preference.ts";
import { propagatorFromEnv } from "../../src/propagation/from-env.ts";
import { buildResource } from "../../src/resource/detect.ts";
import { init, type InitOptions } from "../../mod.ts";
import { resolveSpanLimits } from "../../src/trace/limits.ts";
import { samplerFromEnv } from "../../src/trace/samplers/from-env.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { Rng, withSeed } from "./prng.ts";

function captureDiag(): string[] {
  const messages: string[] = [];
  const sink = (m: unknown) => void messages.push(String(m));
  const logger: DiagLogger = { error: sink, warn: sink, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, 9999);
  resetDiagOnce();
  return messages;
}

// Garbage no numeric, boolean, enum or URL variable accepts.
const GARBAGE = ["abc", "NaN", "-1", "Infinity", "1e400", "12abc", "1,5", "--3", "0x", "\u0000", "%zz", "x".repeat(5000), "true false", "☃"];
const INT_GARBAGE = [...GARBAGE, "1.5", " 2.25 ", "-0.5"];

interface Var {
  readonly name: string;
  readonly bad: readonly string[];
  /** Words of the accepted form that the warning must show. */
  readonly form: RegExp;
  /** Extra env the variable needs to be read at all. */
  readonly with?: Record<string, string>;
  /** False when a bad value leaves the SDK without a reachable exporter (checked for no-throw and flush only). */
  readonly exports?: boolean;
}

const INT = /integer/;
const VARS: Var[] = [
  ...["OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"].map((name) => ({ name, bad: INT_GARBAGE, form: INT })),
  ...["OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT", "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"].map((name) => ({ name, bad: INT_GARBAGE, form: INT, with: { OTEL_LOGS_EXPORTER: "otlp" } })),
  ...[
    "OTEL_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_SPAN_EVENT_COUNT_LIMIT",
    "OTEL_SPAN_LINK_COUNT_LIMIT",
    "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT",
  ].map((name) => ({ name, bad: INT_GARBAGE, form: INT })),
  ...["OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT"].map((name) => ({ name, bad: INT_GARBAGE, form: INT, with: { OTEL_METRICS_EXPORTER: "console" } })),
  ...["OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"].map((name) => ({ name, bad: INT_GARBAGE, form: INT })),
  ...["OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"].map((name) => ({ name, bad: [...GARBAGE, "gzip2", "deflate"], form: /gzip/ })),
  ...["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"].map((name) => ({ name, bad: [...GARBAGE, "grpc", "http/protobuf"], form: /http\/json/ })),
  { name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", bad: [...GARBAGE, "ftp://x", "localhost:4318", "http//x", "file:///etc/passwd"], form: /http/ },
  { name: "OTEL_EXPORTER_OTLP_ENDPOINT", bad: ["abc", "ftp://x", "localhost:4318", "%zz"], form: /http/, exports: false },
  ...["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"].map((name) => ({ name, bad: ["novalue", "=v", "a=%zz", "a=%E2%82", ",=,", "k=v,broken", "%=1"], form: /key=value/ })),
  { name: "OTEL_RESOURCE_ATTRIBUTES", bad: ["novalue", "=v", "a=%zz", "a=%E2%82", ",=,", "service.name=%ED%A0%80", "%"], form: /key=value/ },
  { name: "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", bad: [...GARBAGE, "deltas", "cumulative,delta"], form: /cumulative/, with: { OTEL_METRICS_EXPORTER: "otlp" } },
  { name: "OTEL_METRICS_EXEMPLAR_FILTER", bad: [...GARBAGE, "trace-based", "on"], form: /trace_based/ },
  { name: "OTEL_SDK_DISABLED", bad: [...GARBAGE, "yes", "1", "TRUE!"], form: /"true"/ },
  { name: "OTEL_LOG_LEVEL", bad: [...GARBAGE, "warning", "fatal"], form: /warn/ },
  { name: "OTEL_TRACES_SAMPLER", bad: [...GARBAGE, "always", "ratio"], form: /always_on/ },
  { name: "OTEL_TRACES_SAMPLER_ARG", bad: [...GARBAGE, "2", "1.0001"], form: /\[0, 1\]/, with: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio" } },
  { name: "OTEL_PROPAGATORS", bad: [...GARBAGE, "w3c", "tracecontext;baggage", "b3 multi"], form: /tracecontext/ },
  { name: "OTEL_TRACES_EXPORTER", bad: [...GARBAGE, "zipkin", "otlp;console", "jaeger"], form: /otlp, console, none/ },
  { name: "OTEL_METRICS_EXPORTER", bad: [...GARBAGE, "zipkin", "prom"], form: /otlp, console, none/ },
  { name: "OTEL_LOGS_EXPORTER", bad: [...GARBAGE, "zipkin", "stdout"], form: /otlp, console, none/ },
];

const BASE = { OTEL_METRICS_EXPORTER: "none", OTEL_LOGS_EXPORTER: "none", OTEL_SERVICE_NAME: "fuzz", OTEL_BSP_SCHEDULE_DELAY: "60000" };

let receiverUrl = "";
let receiver: Awaited<ReturnType<typeof startDevReceiver>>;

test.before(async () => {
  receiver = await startDevReceiver();
  receiverUrl = receiver.url;
});
test.after(async () => {
  await receiver.close();
});

function spansReceived(): number {
  let n = 0;
  for (const body of receiver.traces) for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

/** init() with `env` on top of the base env; one span; flush; what was warned. */
async function runInit(env: Record<string, string>, extra: InitOptions = {}): Promise<{ warnings: string[]; exported: boolean }> {
  const warnings = captureDiag();
  const before = spansReceived();
  const sdk = init({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_EXPORTER_OTLP_TIMEOUT: "3000", ...BASE, ...env }, ...extra });
  try {
    trace.getTracer("fuzz").startSpan("s").end();
    await sdk.flush();
    return { warnings, exported: spansReceived() > before };
  } finally {
    await sdk.shutdown();
  }
}

test("every OTEL_* variable: a malformed value warns once, naming the variable and the accepted form; spans still go out", async () => {
  const problems: string[] = [];
  for (const v of VARS) {
    for (const bad of v.bad) {
      const env = { ...(v.with ?? {}), [v.name]: bad };
      let result: { warnings: string[]; exported: boolean };
      try {
        result = await runInit(env);
      } catch (err) {
        problems.push(`${v.name}=${JSON.stringify(bad.slice(0, 20))}: init threw ${(err as Error).message}`);
        continue;
      }
      const about = result.warnings.filter((w) => w.includes(v.name));
      const label = `${v.name}=${JSON.stringify(bad.slice(0, 20))}`;
      if (about.length === 0) problems.push(`${label}: no warning naming the variable (got ${JSON.stringify(result.warnings).slice(0, 300)})`);
      else if (!about.some((w) => v.form.test(w))) problems.push(`${label}: warning does not show the accepted form: ${about[0]!.slice(0, 200)}`);
      if (about.length > 1) problems.push(`${label}: warned ${about.length} times: ${JSON.stringify(about).slice(0, 300)}`);
      if (about.some((w) => w.length > 1000)) problems.push(`${label}: a warning of ${Math.max(...about.map((w) => w.length))} characters`);
      if (v.exports !== false && !result.exported) problems.push(`${label}: the span was not exported`);
    }
  }
  assert.equal(problems, [], problems.join("\n"));
});

test("empty and whitespace-only values are unset: no warning, defaults apply", async () => {
  const problems: string[] = [];
  for (const v of VARS) {
    for (const blank of ["", "   ", "\t"]) {
      const { warnings, exported } = await runInit({ ...(v.with ?? {}), [v.name]: blank });
      const about = warnings.filter((w) => w.includes(v.name));
      if (about.length > 0) problems.push(`${v.name}=${JSON.stringify(blank)}: ${about[0]}`);
      if (v.exports !== false && !exported) problems.push(`${v.name}=${JSON.stringify(blank)}: not exported`);
    }
  }
  assert.equal(problems, [], problems.join("\n"));
});

test(
  "random combinations of malformed variables: init never throws and spans are still exported",
  withSeed("config-combinations", async (rng) => {
    for (let i = 0; i < 150; i++) {
      const env: Record<string, string> = {};
      for (let j = rng.range(1, 6); j > 0; j--) {
        const v = rng.pick(VARS);
        if (v.exports === false) continue;
        Object.assign(env, v.with ?? {});
        env[v.name] = rng.bool(0.8) ? rng.pick(v.bad) : rng.nasty(rng.range(0, 12));
      }
      if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") delete env.OTEL_SDK_DISABLED;
      // A random sampler name might be a valid always_off; a random exporter list might say none.
      for (const k of ["OTEL_TRACES_SAMPLER", "OTEL_TRACES_EXPORTER"]) if (env[k] !== undefined && /none|off/i.test(env[k]!)) delete env[k];
      const { exported } = await runInit(env);
      assert.ok(exported, `case ${i}: ${JSON.stringify(env).slice(0, 300)}: not exported`);
    }
  }),
);

test(
  "the per-component parsers never throw on garbage",
  withSeed("config-parsers", (rng) => {
    captureDiag();
    for (let i = 0; i < 3000; i++) {
      const value = rng.bool(0.5) ? rng.pick(GARBAGE) : rng.pick([rng.nasty(rng.range(0, 20)), rng.codeUnits(rng.range(0, 10))]);
      const env: Record<string, unknown> = {};
      for (const v of VARS) if (rng.bool(0.2)) env[v.name] = rng.bool(0.9) ? value : rng.pick([42, null, {}, ["x"], true]);
      propagatorFromEnv(value);
      samplerFromEnv(env);
      for (const group of ["spanBatch", "logBatch", "spanLimits", "logLimits", "metricReader"] as const) ENV_SELECTION.settings(group, {}, env);
      resolveSpanLimits(ENV_SELECTION.settings("spanLimits", {}, env));
      resolveLogRecordLimits(ENV_SELECTION.settings("logLimits", {}, env));
      ENV_SELECTION.resource(env);
      temporalityFromEnv(env);
      for (const signal of ["traces", "metrics", "logs"] as const) resolveOtlpConfig(signal, otlpOptionsFromEnv(signal, env));
      const kv = parseKeyValueList(value, "OTEL_RESOURCE_ATTRIBUTES");
      assert.is(Object.getPrototypeOf(kv), Object.prototype);
      buildResource({ env: { OTEL_RESOURCE_ATTRIBUTES: value, OTEL_SERVICE_NAME: value }, sdkVersion: "0" });
    }
    assert.is(({} as Record<string, unknown>).polluted, undefined);
  }),
);

// Options: each malformed one must throw TypeError/RangeError naming it (and nothing is left registered).
const BAD_OPTIONS: Array<[string, InitOptions]> = [
  ["serviceName", { serviceName: 42 as never }],
  ["serviceName", { serviceName: "" }],
  ["env", { env: "OTEL_SERVICE_NAME=x" as never }],
  ["traceExporter", { traceExporter: "zipkin" as never }],
  ["traceExporter", { traceExporter: {} as never }],
  ["metricExporter", { metricExporter: "prom" as never }],
  ["logExporter", { logExporter: 5 as never }],
  ["batch", { batch: "fast" as never }],
  ["maxQueueSize", { batch: { maxQueueSize: -1 } }],
  ["scheduledDelayMillis", { batch: { scheduledDelayMillis: NaN } }],
  ["maxExportBatchSize", { batch: { maxQueueSize: 10, maxExportBatchSize: 20 } }],
  ["exportTimeoutMillis", { batch: { exportTimeoutMillis: 0 } }],
  ["metricExportIntervalMillis", { metricExportIntervalMillis: -5 }],
  ["metricExportIntervalMillis", { metricExportIntervalMillis: "1000" as never }],
  ["metricExportTimeoutMillis", { metricExportTimeoutMillis: NaN }],
  ["cardinalityLimit", { cardinalityLimit: 0 }],
  ["cardinalityLimit", { cardinalityLimit: 1.5 }],
  ["exemplarFilter", { exemplarFilter: "sometimes" as never }],
  ["attributeCountLimit", { spanLimits: { attributeCountLimit: -1 } }],
  ["attributeValueLengthLimit", { spanLimits: { attributeValueLengthLimit: NaN } }],
  ["spanLimits", { spanLimits: 7 as never }],
  ["logLimits", { logLimits: "none" as never }],
  ["attributeCountLimit", { logLimits: { attributeCountLimit: -3 } }],
  ["sampler", { sampler: {} as never }],
  ["propagator", { propagator: { inject: 1 } as never }],
  ["contextManager", { contextManager: {} as never }],
  ["idGenerator", { idGenerator: {} as never }],
  ["spanProcessors", { spanProcessors: "x" as never }],
  ["spanProcessors", { spanProcessors: [{}] as never }],
  ["metricReaders", { metricReaders: {} as never }],
  ["views", { views: "x" as never }],
  ["logProcessors", { logProcessors: [null] as never }],
  ["resourceAttributes", { resourceAttributes: "a=b" as never }],
  ["resource", { resource: { attributes: 5 } as never }],
  ["otlp", { otlp: "http://x" as never }],
  ["endpoint", { otlp: { endpoint: "ftp://x" } }],
  ["timeoutMillis", { otlp: { timeoutMillis: -1 } }],
  // Shared by three signals: one signal's full URL would send the others to the wrong path.
  ["otlp.url", { otlp: { url: "http://127.0.0.1:4318/v1/traces" } as never }],
  ["metricTemporality", { metricTemporality: "sometimes" as never }],
  ["bridgeConsole", { bridgeConsole: "yes" as never }],
];

test("malformed init() options throw TypeError/RangeError naming the option", () => {
  captureDiag();
  const problems: string[] = [];
  for (const [name, options] of BAD_OPTIONS) {
    const label = `${name}: ${JSON.stringify(options, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}`;
    try {
      const sdk = init({ env: BASE, traceExporter: "none", ...options });
      void sdk.shutdown();
      problems.push(`${label}: accepted`);
    } catch (err) {
      if (!(err instanceof TypeError || err instanceof RangeError)) problems.push(`${label}: threw ${(err as Error)?.constructor?.name}`);
      else if (!(err as Error).message.includes(name)) problems.push(`${label}: message does not name the option: ${(err as Error).message}`);
    }
  }
  assert.equal(problems, [], problems.join("\n"));
});

test.run();
