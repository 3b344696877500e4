// OTEL_BSP_* / OTEL_BLRP_* resolution (spec: SDK environment variables, "Batch Span Processor",
// "Batch LogRecord Processor"): Duration / Timeout / positive Integer types, the batch size at
// most the queue size, and no environment value ever making init() throw.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { NO_TIMEOUT_MILLIS } from "../../src/common/env.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import { batchSettings, type BatchSettings } from "../../src/export/batch-settings.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { DEFAULT_BLRP_OPTIONS } from "../../src/logs/batch-log-processor.ts";
import { init } from "../../mod.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

const DEFAULTS: BatchSettings = { scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 };
// What init() does: the options completed from the environment, then reconciled.
const bsp = (env: Record<string, string>, options: Partial<BatchSettings> = {}) =>
  batchSettings(options, ENV_SELECTION.settings("spanBatch", options, env), DEFAULTS, "OTEL_BSP_");
const blrp = (env: Record<string, string>, options: Partial<BatchSettings> = {}) =>
  batchSettings(options, ENV_SELECTION.settings("logBatch", options, env), DEFAULT_BLRP_OPTIONS, "OTEL_BLRP_");

test("EXPORT_TIMEOUT is a spec Timeout: 0 means no limit (the longest timer), for spans and logs", () => {
  const messages = captureDiag();
  assert.is(NO_TIMEOUT_MILLIS, 2 ** 31 - 1);
  assert.is(bsp({ OTEL_BSP_EXPORT_TIMEOUT: "0" }).exportTimeoutMillis, NO_TIMEOUT_MILLIS);
  assert.is(blrp({ OTEL_BLRP_EXPORT_TIMEOUT: "0" }).exportTimeoutMillis, NO_TIMEOUT_MILLIS);
  assert.equal(messages, [], "0 is a valid value: no warning");
  assert.is(bsp({ OTEL_BSP_EXPORT_TIMEOUT: "-1" }).exportTimeoutMillis, 30000);
  assert.is(bsp({ OTEL_BSP_EXPORT_TIMEOUT: "1.5" }).exportTimeoutMillis, 30000);
  assert.is(messages.length, 2);
});

test("SCHEDULE_DELAY is a Duration (0 allowed); sizes are positive integers", () => {
  const messages = captureDiag();
  assert.is(bsp({ OTEL_BSP_SCHEDULE_DELAY: "0" }).scheduledDelayMillis, 0);
  assert.is(bsp({ OTEL_BSP_MAX_QUEUE_SIZE: "0" }).maxQueueSize, 2048);
  assert.is(bsp({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "-3" }).maxExportBatchSize, 512);
  assert.is(bsp({ OTEL_BSP_MAX_QUEUE_SIZE: "100.5" }).maxQueueSize, 2048);
  assert.is(messages.length, 3);
  assert.ok(messages.every((m) => /expected an integer >= 1/.test(m)), messages.join("\n"));
});

test("a batch size above the queue size: clamped with a warning when set, silently when it is the default", () => {
  let messages = captureDiag();
  assert.equal(bsp({ OTEL_BSP_MAX_QUEUE_SIZE: "100" }), { ...DEFAULTS, maxQueueSize: 100, maxExportBatchSize: 100 });
  assert.equal(messages, [], "the user set only the queue size: nothing of theirs is wrong");
  messages = captureDiag();
  assert.equal(bsp({ OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "300" }).maxExportBatchSize, 100);
  assert.equal(bsp({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "400" }, { maxQueueSize: 200 }).maxExportBatchSize, 200);
  assert.is(messages.length, 2);
  assert.match(messages[0]!, /OTEL_BSP_MAX_EXPORT_BATCH_SIZE="300": expected at most the queue size \(100\); using 100/);
});

test("an env queue size below an explicit maxExportBatchSize option is ignored, not thrown by init()", async () => {
  const messages = captureDiag();
  assert.equal(bsp({ OTEL_BSP_MAX_QUEUE_SIZE: "100" }, { maxExportBatchSize: 600 }), { ...DEFAULTS, maxExportBatchSize: 600 });
  assert.match(messages[0]!, /Ignoring OTEL_BSP_MAX_QUEUE_SIZE="100": expected at least the maxExportBatchSize option \(600\)/);
  assert.equal(blrp({ OTEL_BLRP_MAX_QUEUE_SIZE: "100" }, { maxExportBatchSize: 600 }).maxQueueSize, 2048);
  // Through init(): before the fix, the env value made the processor throw a RangeError.
  const sdk = init({
    env: { OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BLRP_MAX_QUEUE_SIZE: "100", OTEL_METRICS_EXPORTER: "none" },
    serviceName: "batch-env",
    traceExporter: new InMemorySpanExporter(),
    logExporter: { export: async () => ({ code: 0 }), shutdown: async () => {} },
    batch: { maxExportBatchSize: 600 },
    logBatch: { maxExportBatchSize: 600 },
  });
  await sdk.shutdown();
  // Both options explicit and conflicting stay a configuration error.
  assert.throws(() => init({ serviceName: "x", traceExporter: new InMemorySpanExporter(), batch: { maxQueueSize: 10, maxExportBatchSize: 20 } }), RangeError);
});

test("OTEL_METRIC_EXPORT_TIMEOUT=0 (no limit) is valid: no warning (the reader is bounded by its interval)", async () => {
  const messages = captureDiag();
  const sdk = init({
    env: { OTEL_METRIC_EXPORT_TIMEOUT: "0", OTEL_METRIC_EXPORT_INTERVAL: "1500", OTEL_TRACES_EXPORTER: "none", OTEL_LOGS_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none" },
    serviceName: "metric-timeout",
  });
  await sdk.shutdown();
  assert.equal(messages.filter((m) => m.includes("OTEL_METRIC_EXPORT_TIMEOUT")), []);
});

test.run();
