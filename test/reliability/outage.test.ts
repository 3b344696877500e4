// @node-flags: --expose-gc
// Outage then recovery, through the real init() pipeline: the collector refuses connections
// while 1,000,000 spans, 1,000,000 log records and a continuous stream of metric measurements
// are recorded. Memory must stay flat (bounded by the ring capacities), and once the collector
// is back the queued data arrives in order, once, with every other item counted.
//
// Which items survive: the ring buffer drops the NEWEST item when full (OTel SDK spec,
// batching processor: new spans are dropped once maxQueueSize is reached), and during an
// outage the batcher backs off instead of draining batch after batch into failing exports.
// So the queue holds the oldest items accepted since the last failed export: after recovery
// exactly those `maxQueueSize` items are delivered; everything else is counted, either as
// dropped (`queue_full`, at the door) or as failed (the batches exported while the collector
// was down, `network`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import { init, type FullSdk as Sdk } from "../../mod.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import type { ReadableLogRecord } from "../../src/logs/types.ts";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { closedPort } from "./fault-server.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => void unhandled.push(e));
process.on("uncaughtException", (e) => void unhandled.push(e));
diag.setLogger({ error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.NONE);

const TOTAL = 1_000_000;
const CHUNK = 10_000;
const CAPACITY = 2048; // the OTEL_BSP_* / OTEL_BLRP_* default maxQueueSize, used below

const turn = () => new Promise((r) => setImmediate(r));

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

/** Retained heap bytes per item of `make`, measured with 2048 live items (the ring's worst case). */
function bytesPerItem(make: (i: number) => unknown): number {
  const keep: unknown[] = [];
  const before = heapAfterGc();
  for (let i = 0; i < CAPACITY; i++) keep.push(make(i));
  const after = heapAfterGc();
  const per = (after - before) / CAPACITY;
  keep.length = 0;
  return Math.max(per, 64);
}

interface Received {
  traces: any[];
  logs: any[];
  metrics: any[];
}

/** A healthy collector on `port` (the one that refused connections until now). */
async function collectorOn(port: number): Promise<{ received: Received; close: () => Promise<void> }> {
  const received: Received = { traces: [], logs: [], metrics: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const key = (req.url ?? "").split("/").pop() as keyof Received;
      received[key]?.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test("collector down for 1,000,000 spans and log records: memory stays within the rings; after recovery the queued items arrive in order, once", async () => {
  assert.ok(gc, "run with --expose-gc (scripts/test.mjs reads the @node-flags header)");
  // Per-item sizes of what the rings hold: ended spans and emitted log records, made by the
  // same SDK code with the same shape as below (name/body strings of the same length).
  const measureTracer = new BasicTracerProvider({ spanProcessors: [] }).getTracer("outage");
  const spanBytes = bytesPerItem((i) => {
    const s = measureTracer.startSpan(`span-${String(i).padStart(7, "0")}`);
    s.end();
    return s as unknown as ReadableSpan;
  });
  const records: ReadableLogRecord[] = [];
  const measureLogger = new LoggerProvider({ processors: [{ onEmit: (r) => void records.push(r), forceFlush: async () => {}, shutdown: async () => {} }] }).getLogger("outage");
  const logBytes = bytesPerItem((i) => {
    measureLogger.emit({ body: `log-${String(i).padStart(7, "0")}` });
    return records.pop();
  });

  const port = await closedPort();
  const sdk: Sdk = init({
    env: {},
    serviceName: "outage",
    otlp: { endpoint: `http://127.0.0.1:${port}`, timeoutMillis: 1000 },
    batch: { maxQueueSize: CAPACITY, maxExportBatchSize: 512, scheduledDelayMillis: 50, exportTimeoutMillis: 1000 },
    logBatch: { maxQueueSize: CAPACITY, maxExportBatchSize: 512, scheduledDelayMillis: 50, exportTimeoutMillis: 1000 },
    metricExportIntervalMillis: 200, // "continuous" metrics: exported (and failing) every 200 ms
  });
  const tracer = sdk.tracerProvider.getTracer("outage");
  const logger = sdk.loggerProvider.getLogger("outage");
  const requests = sdk.meterProvider.getMeter("outage").createCounter("outage.requests");
  const latency = sdk.meterProvider.getMeter("outage").createHistogram("outage.latency", { unit: "ms" });

  const baseline = heapAfterGc();
  let recordedMax = 0;
  const started = Date.now();
  for (let c = 0; c < TOTAL; c += CHUNK) {
    for (let i = c; i < c + CHUNK; i++) {
      const idx = String(i).padStart(7, "0");
      tracer.startSpan(`span-${idx}`).end();
      logger.emit({ body: `log-${idx}` });
      requests.add(1, { route: i % 2 === 0 ? "/a" : "/b" });
      latency.record(i % 100);
    }
    await turn(); // let timers, failing exports and metric collections run, as in an app
    if (c % (TOTAL / 4) === 0) recordedMax = Math.max(recordedMax, heapAfterGc() - baseline);
  }
  const recordMillis = Date.now() - started;
  const growth = heapAfterGc() - baseline;
  // Bound: both rings full (capacity × measured bytes per item), ×2 for what the batches in
  // flight and their encoded request bodies hold at the same time, plus 8 MiB slack for the
  // metric streams, JIT code, undici's connection state and timers. 1,000,000 retained spans
  // would be hundreds of MiB.
  const bound = 2 * CAPACITY * (spanBytes + logBytes) + 8 * 1024 * 1024;
  console.log(
    `outage: recorded ${TOTAL} spans + ${TOTAL} log records in ${recordMillis} ms; heap growth ${(growth / 1048576).toFixed(2)} MiB ` +
      `(max during ${(recordedMax / 1048576).toFixed(2)} MiB), bound ${(bound / 1048576).toFixed(2)} MiB (span ${spanBytes.toFixed(0)} B, log ${logBytes.toFixed(0)} B)`,
  );
  assert.ok(growth <= bound, `heap grew ${(growth / 1048576).toFixed(1)} MiB > bound ${(bound / 1048576).toFixed(1)} MiB (span ${spanBytes.toFixed(0)} B, log ${logBytes.toFixed(0)} B)`);
  assert.ok(recordedMax <= bound, `heap grew ${(recordedMax / 1048576).toFixed(1)} MiB during recording`);
  assert.ok(recordMillis < 60_000, `recording took ${recordMillis} ms`);

  // Let a failing export in flight settle, so the stats are final for the outage.
  for (let i = 0; i < 400 && (sdk.stats().traces.inFlight > 0 || sdk.stats().logs.inFlight > 0); i++) await new Promise((r) => setTimeout(r, 10));
  const during = sdk.stats();
  for (const [what, s] of [["traces", during.traces], ["logs", during.logs]] as const) {
    // Full, unless a (backed-off) export took a batch out after the last records and failed:
    // the queue then holds one batch less, and that batch is counted as failed.
    assert.ok(s.queued === CAPACITY || s.queued === CAPACITY - 512, `${what}: the queue is full, or one batch short (${s.queued}), and bounded`);
    assert.is(s.exported + s.dropped + s.failed + s.queued + s.inFlight, TOTAL, `${what}: every item accounted for`);
    assert.ok(s.droppedByReason.queue_full! > TOTAL - 10 * CAPACITY, `${what}: almost everything dropped at the door (${s.droppedByReason.queue_full})`);
    assert.equal(Object.keys(s.failedByReason).filter((k) => k !== "network" && k !== "timeout"), [], `${what}: failures are network/timeout`);
  }

  const collector = await collectorOn(port);
  try {
    // The collector is back: flush until the queues are empty (each flush is bounded by its timeout).
    for (let i = 0; i < 20 && (sdk.stats().traces.queued > 0 || sdk.stats().logs.queued > 0); i++) await sdk.flush();
    await sdk.flush();
    const after = sdk.stats();

    const spanNames: string[] = collector.received.traces.flatMap((r) => r.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name))));
    const logBodies: string[] = collector.received.logs.flatMap((r) => r.resourceLogs.flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords.map((l: any) => l.body.stringValue))));
    for (const [what, got, s, before] of [
      ["traces", spanNames, after.traces, during.traces],
      ["logs", logBodies, after.logs, during.logs],
    ] as const) {
      assert.is(got.length, before.queued, `${what}: exactly the queued items arrive`);
      const idx = got.map((n) => Number(n.slice(n.indexOf("-") + 1)));
      for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, `${what}: in order, no duplicates (${idx[i - 1]} then ${idx[i]})`);
      assert.is(s.exported, before.queued);
      assert.is(s.queued, 0);
      assert.is(s.dropped + s.failed, TOTAL - before.queued, `${what}: the rest is counted as dropped or failed`);
      assert.is(s.dropped, before.dropped, `${what}: nothing more dropped after recovery`);
    }
    // Metrics were recorded all along (cumulative): the first export after recovery has everything.
    const sums = collector.received.metrics.flatMap((r) =>
      r.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics.filter((m: any) => m.name === "outage.requests"))),
    );
    assert.ok(sums.length > 0, "metrics exported after recovery");
    const total = sums.at(-1).sum.dataPoints.reduce((n: number, p: any) => n + Number(p.asInt ?? p.asDouble), 0);
    assert.is(total, TOTAL, "the cumulative counter lost nothing");
    assert.ok(after.metrics.exported > 0 && after.metrics.failed > 0, "metric data points: failed during the outage, exported after");
    await sdk.shutdown();
    assert.equal(unhandled, [], "no unhandled rejection or uncaught exception");
  } finally {
    await collector.close();
  }
});

test.run();
