// Log export end to end: LoggerProvider → batch/simple processor (the shared Batcher) →
// OTLP/JSON encoder → the shared fetch transport → a real HTTP server on 127.0.0.1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { context } from "../../src/context/context-api.ts";
import { AsyncLocalStorage } from "node:async_hooks";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { otlpOptionsFromEnv } from "../../src/export/otlp-config.ts";
import { createOtlpLogExporter } from "../../src/export/otlp/otlp-logs-exporter.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { BatchLogRecordProcessor, DEFAULT_BLRP_OPTIONS } from "../../src/logs/batch-log-processor.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import { init } from "../../mod.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import type { LogRecordExporter, ReadableLogRecord } from "../../src/logs/types.ts";
import type { BatchLogRecordProcessorOptions } from "../../src/logs/batch-log-processor.ts";

/** The four totals of a batcher's stats (the per-reason breakdown is asserted where it matters). */
const counts = (s: { queued: number; exported: number; dropped: number; failed: number }) => ({
  queued: s.queued,
  exported: s.exported,
  dropped: s.dropped,
  failed: s.failed,
});

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));
diag.disable();

const RESOURCE = { attributes: { "service.name": "shop" } };

test("OTEL_BLRP_* defaults are 1000 / 30000 / 2048 / 512; env and options override; batch > queue from env is clamped", async () => {
  assert.equal(DEFAULT_BLRP_OPTIONS, { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 30000 });
  const fromEnv = (options: BatchLogRecordProcessorOptions, env: Record<string, string>) => ENV_SELECTION.settings("logBatch", options, env);
  assert.equal(fromEnv({}, {}), {});
  assert.equal(
    fromEnv({}, { OTEL_BLRP_SCHEDULE_DELAY: "50", OTEL_BLRP_EXPORT_TIMEOUT: "700", OTEL_BLRP_MAX_QUEUE_SIZE: "10", OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "4" }),
    { scheduledDelayMillis: 50, exportTimeoutMillis: 700, maxQueueSize: 10, maxExportBatchSize: 4 },
  );
  // The span variables do not leak into logs.
  assert.equal(fromEnv({}, { OTEL_BSP_SCHEDULE_DELAY: "5" }), {});
  assert.is(fromEnv({ scheduledDelayMillis: 3 }, { OTEL_BLRP_SCHEDULE_DELAY: "50" }).scheduledDelayMillis, 3);
  assert.equal(fromEnv({}, { OTEL_BLRP_SCHEDULE_DELAY: "soon" }), {});
  // Through init(): the queue size from env is the capacity; a batch size from env above it is clamped, with a warning.
  const messages: string[] = [];
  const record = (m: string): void => void messages.push(m);
  diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record }, 9999);
  const sdk = init({
    traceExporter: "none",
    metricExporter: "none",
    logExporter: new InMemoryLogRecordExporter(),
    env: { OTEL_BLRP_MAX_QUEUE_SIZE: "8", OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "100", OTEL_BLRP_SCHEDULE_DELAY: "60000" },
  });
  diag.disable();
  assert.is(sdk.stats().logs.capacity, 8);
  assert.ok(messages.some((m) => m.includes('Ignoring OTEL_BLRP_MAX_EXPORT_BATCH_SIZE="100": expected at most the queue size (8); using 8.')), messages.join("\n"));
  await sdk.shutdown();
  assert.throws(() => new BatchLogRecordProcessor(new InMemoryLogRecordExporter(), { maxQueueSize: 4, maxExportBatchSize: 8 }), RangeError);
});

test("batch processor: exports in batches of maxExportBatchSize; full queue drops and counts", async () => {
  const batches: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const exporter: LogRecordExporter = {
    async export(items) {
      batches.push(items.length);
      await gate;
      return { code: ExportResultCode.SUCCESS };
    },
    shutdown: async () => {},
  };
  const processor = new BatchLogRecordProcessor(exporter, { maxQueueSize: 6, maxExportBatchSize: 3, scheduledDelayMillis: Infinity });
  const logger = new LoggerProvider({ processors: [processor] }).getLogger("t");
  for (let i = 0; i < 12; i++) logger.emit({ body: i });
  // Issue 18: no emit() ran the export (it encodes the batch); it starts in a microtask.
  assert.equal(batches, []);
  await new Promise<void>((r) => queueMicrotask(r));
  // 3 went out at once (batch full), 6 wait in the queue, 3 were dropped.
  assert.equal(batches, [3]);
  assert.equal(counts(processor.stats()), { queued: 6, exported: 0, dropped: 3, failed: 0 });
  release();
  await processor.forceFlush();
  assert.equal(batches, [3, 3, 3]);
  assert.equal(counts(processor.stats()), { queued: 0, exported: 9, dropped: 3, failed: 0 });
});

test("simple processor: one record per export, in order, never concurrent", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const seen: unknown[] = [];
  const exporter: LogRecordExporter = {
    async export(items) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      assert.is(items.length, 1);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(items[0]!.body);
      inFlight--;
      return { code: ExportResultCode.SUCCESS };
    },
    shutdown: async () => {},
  };
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
  const logger = provider.getLogger("t");
  for (let i = 0; i < 5; i++) logger.emit({ body: i });
  await provider.forceFlush();
  assert.equal(seen, [0, 1, 2, 3, 4]);
  assert.is(maxInFlight, 1);
  await provider.shutdown();
  logger.emit({ body: "late" });
  await provider.forceFlush();
  assert.is(seen.length, 5);
});

test("OTLP export to a real receiver on 127.0.0.1: /v1/logs, grouped, ids of the active span; flush delivers", async () => {
  const receiver = await startDevReceiver();
  try {
    const exporter = createOtlpLogExporter(otlpOptionsFromEnv("logs", { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_LOGS_HEADERS: "x-tenant=t1" }));
    const processor = new BatchLogRecordProcessor(exporter, { scheduledDelayMillis: Infinity });
    const provider = new LoggerProvider({ resource: RESOURCE, processors: [processor] });
    const logger = provider.getLogger("checkout", "1.0.0");
    const tracer = new BasicTracerProvider().getTracer("t");
    let ids: { traceId: string; spanId: string; traceFlags: number } | undefined;
    await tracer.startActiveSpan("req", async (span) => {
      await Promise.resolve();
      logger.emit({ severityNumber: 9, severityText: "INFO", body: "in span", attributes: { "order.id": 7 } });
      ids = span.spanContext();
      span.end();
    });
    logger.emit({ severityNumber: 17, body: { error: "outside" }, eventName: "checkout.error" });
    assert.is(receiver.logs.length, 0); // nothing before flush: the timer is disabled
    await provider.forceFlush();
    assert.is(receiver.logs.length, 1);
    const request = receiver.requests.find((r: any) => r.path === "/v1/logs")!;
    assert.is(request.headers["x-tenant"], "t1");
    assert.match(String(request.headers["content-type"]), /application\/json/);
    const rl = receiver.logs[0].resourceLogs;
    assert.is(rl.length, 1);
    assert.equal(rl[0].resource.attributes, [{ key: "service.name", value: { stringValue: "shop" } }]);
    assert.equal(rl[0].scopeLogs[0].scope, { name: "checkout", version: "1.0.0" });
    const [a, b] = rl[0].scopeLogs[0].logRecords;
    assert.is(a.body.stringValue, "in span");
    assert.is(a.traceId, ids!.traceId);
    assert.is(a.spanId, ids!.spanId);
    // All W3C trace-flag bits: sampled (0x01) and the Level 2 random-trace-id flag (0x02).
    assert.is(a.flags, ids!.traceFlags & 0xff);
    assert.is(a.flags & 1, 1);
    assert.is(a.severityNumber, 9);
    assert.equal(a.attributes, [{ key: "order.id", value: { intValue: "7" } }]);
    assert.not.ok("traceId" in b);
    assert.is(b.eventName, "checkout.error");
    assert.equal(counts(processor.stats()), { queued: 0, exported: 2, dropped: 0, failed: 0 });
    await provider.shutdown();
  } finally {
    await receiver.close();
  }
});

test("retries 503 (Retry-After: 0) then succeeds; 400 is not retried and counts as failed", async () => {
  const bodies: string[] = [];
  const statuses = [503, 503, 200, 400];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      bodies.push(`${req.url} ${body.length > 0 ? "body" : "empty"}`);
      const status = statuses.shift() ?? 200;
      res.writeHead(status, status === 503 ? { "retry-after": "0", "content-type": "application/json" } : { "content-type": "application/json" });
      res.end(status === 200 ? "{}" : '{"code":3,"message":"nope"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const processor = new BatchLogRecordProcessor(createOtlpLogExporter({ url: `http://127.0.0.1:${port}/v1/logs`, timeoutMillis: 5000 }), {
      scheduledDelayMillis: Infinity,
    });
    const provider = new LoggerProvider({ resource: RESOURCE, processors: [processor] });
    provider.getLogger("t").emit({ body: "retry me" });
    await provider.forceFlush();
    assert.equal(bodies, ["/v1/logs body", "/v1/logs body", "/v1/logs body"]);
    assert.equal(counts(processor.stats()), { queued: 0, exported: 1, dropped: 0, failed: 0 });
    provider.getLogger("t").emit({ body: "rejected" });
    await provider.forceFlush();
    assert.is(bodies.length, 4); // 400: no retry
    assert.equal(counts(processor.stats()), { queued: 0, exported: 1, dropped: 0, failed: 1 });
    await provider.shutdown();
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("a batch whose records all fail to encode sends nothing", async () => {
  let calls = 0;
  const exporter = createOtlpLogExporter({
    url: "http://127.0.0.1:1/v1/logs",
    fetch: (async () => {
      calls++;
      return new Response("{}");
    }) as typeof fetch,
  });
  const hostile = new Proxy({} as ReadableLogRecord, {
    get(_t, key) {
      if (key === "resource" || key === "instrumentationScope") return {};
      throw new Error("trap");
    },
  });
  resetDiagOnce();
  const result = await exporter.export([hostile]);
  assert.is(result.code, ExportResultCode.SUCCESS);
  assert.is(calls, 0);
});

test.run();
