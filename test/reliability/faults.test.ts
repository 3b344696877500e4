// Fault injection against real local servers: the REAL init() pipeline (batch span and log
// processors, periodic metric reader, OTLP/HTTP JSON exporters, fetch transport) exporting to a
// collector on 127.0.0.1 that refuses, hangs, is slow, flaps, throttles, refuses the payload,
// cuts the connection, or partially accepts. For every fault:
// - no exception reaches the application and no unhandled rejection / uncaught exception occurs;
// - flush() and shutdown() resolve within their timeouts (generous bounds, never exact timings);
// - the collector never sees two requests of one signal open at once;
// - every span and log record is accounted for: offered = exported + dropped + failed + queued + inFlight.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { init, type InitOptions, type FullSdk as Sdk } from "../../mod.ts";
import type { SignalStats } from "../../src/sdk/sdk-stats.ts";
import { createFetchTransport } from "../../src/export/fetch-transport.ts";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { closedPort, startFaultServer, type Behaviour, type FaultServer } from "./fault-server.ts";

const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => void unhandled.push(e));
process.on("uncaughtException", (e) => void unhandled.push(e));

const diagnostics: string[] = [];
const sink = (m: string) => void diagnostics.push(m);
diag.setLogger({ error: sink, warn: sink, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);

const PATHS = ["/v1/traces", "/v1/logs", "/v1/metrics"] as const;

interface Run {
  sdk: Sdk;
  spans: number;
  logs: number;
  flushMillis: number;
  shutdownMillis: number;
  stats: ReturnType<Sdk["stats"]>;
}

/**
 * init() against `endpoint` with every export bounded by `timeout` ms, records `spans` spans,
 * `logs` log records and some metrics, then times flush() and shutdown().
 */
async function drive(endpoint: string, timeout: number, o: { spans?: number; logs?: number; queue?: number; batch?: number; extra?: Partial<InitOptions> } = {}): Promise<Run> {
  const spans = o.spans ?? 5;
  const logs = o.logs ?? 5;
  const sdk = init({
    env: {},
    serviceName: "faults",
    otlp: { endpoint, timeoutMillis: timeout },
    batch: { maxQueueSize: o.queue ?? 64, maxExportBatchSize: o.batch ?? 16, scheduledDelayMillis: 20, exportTimeoutMillis: timeout },
    logBatch: { maxQueueSize: o.queue ?? 64, maxExportBatchSize: o.batch ?? 16, scheduledDelayMillis: 20, exportTimeoutMillis: timeout },
    // Interval >> test length: metrics go out on flush/shutdown only, so request counts are exact.
    metricExportIntervalMillis: 60_000,
    metricExportTimeoutMillis: timeout,
    metricTemporality: "delta",
    ...o.extra,
  });
  const tracer = sdk.tracerProvider.getTracer("faults");
  const logger = sdk.loggerProvider.getLogger("faults");
  const counter = sdk.meterProvider.getMeter("faults").createCounter("faults.work");
  // Recording must never throw, whatever the collector does.
  for (let i = 0; i < spans; i++) tracer.startSpan(`span-${i}`).end();
  for (let i = 0; i < logs; i++) logger.emit({ body: `log-${i}` });
  counter.add(1, { k: "a" });
  counter.add(2, { k: "b" });
  let t = Date.now();
  await sdk.flush();
  const flushMillis = Date.now() - t;
  t = Date.now();
  await sdk.shutdown();
  const shutdownMillis = Date.now() - t;
  return { sdk, spans, logs, flushMillis, shutdownMillis, stats: sdk.stats() };
}

/** offered = exported + dropped + failed + queued + inFlight, and the reasons add up. */
function accountedFor(s: SignalStats, offered: number, what: string): void {
  assert.is(s.exported + s.dropped + s.failed + s.queued + s.inFlight, offered, `${what}: every item accounted for ${JSON.stringify(s)}`);
  assert.is(sum(s.droppedByReason), s.dropped, `${what}: dropped reasons add up`);
  assert.is(sum(s.failedByReason), s.failed, `${what}: failed reasons add up`);
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** The checks every fault shares. */
function invariants(run: Run, timeout: number, server?: FaultServer): void {
  assert.equal(unhandled, [], "no unhandled rejection or uncaught exception");
  // Generous bounds: "returns within its timeout", not a timing measurement.
  assert.ok(run.flushMillis < timeout + 2000, `flush() took ${run.flushMillis} ms with a ${timeout} ms timeout`);
  assert.ok(run.shutdownMillis < timeout + 2000, `shutdown() took ${run.shutdownMillis} ms with a ${timeout} ms timeout`);
  accountedFor(run.stats.traces, run.spans, "traces");
  accountedFor(run.stats.logs, run.logs, "logs");
  assert.is(run.stats.traces.queued + run.stats.logs.queued, 0, "nothing left queued after shutdown");
  if (server) for (const p of PATHS) assert.ok((server.maxConcurrent[p] ?? 0) <= 1, `${p}: at most one request open at a time (saw ${server.maxConcurrent[p]})`);
}

/** Span names / log bodies the server received, in arrival order. */
function receivedSpanNames(server: FaultServer): string[] {
  return server.on("/v1/traces").flatMap((r) => r.body?.resourceSpans?.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name))) ?? []);
}

test.before.each(() => {
  unhandled.length = 0;
  diagnostics.length = 0;
});

test("baseline: a healthy collector gets everything once, in order", async () => {
  const server = await startFaultServer(() => ({ kind: "ok" }));
  try {
    const run = await drive(server.url, 1000, { spans: 40, logs: 40, batch: 16 });
    invariants(run, 1000, server);
    assert.is(run.stats.traces.exported, 40);
    assert.is(run.stats.logs.exported, 40);
    assert.equal(receivedSpanNames(server), Array.from({ length: 40 }, (_, i) => `span-${i}`));
    assert.ok(run.stats.metrics.exported >= 2, "metric data points exported");
  } finally {
    await server.close();
  }
});

test("refused: connection refused on a closed port; retried within the timeout, then counted as failed", async () => {
  const port = await closedPort();
  const run = await drive(`http://127.0.0.1:${port}`, 600);
  invariants(run, 600);
  for (const [what, s] of [["traces", run.stats.traces], ["logs", run.stats.logs]] as const) {
    assert.is(s.failed, 5, `${what} failed`);
    for (const reason of Object.keys(s.failedByReason)) assert.ok(reason === "network" || reason === "timeout", `${what}: ${reason}`);
  }
  assert.ok(run.stats.metrics.failed >= 2, "metric points failed");
});

test("hanging: the collector accepts and never answers; exports time out, one request open at a time, queue overflow counted", async () => {
  const server = await startFaultServer(() => ({ kind: "hang" }));
  try {
    // 40 items, queue of 16, batches of 4: most are dropped at the door (queue_full).
    const run = await drive(server.url, 400, { spans: 40, logs: 40, queue: 16, batch: 4 });
    invariants(run, 400, server);
    for (const s of [run.stats.traces, run.stats.logs]) {
      assert.ok((s.droppedByReason.queue_full ?? 0) > 0, "queue_full counted");
      assert.ok((s.failedByReason.timeout ?? 0) > 0, "timeouts counted");
      assert.is(s.exported, 0);
    }
    assert.ok(server.on("/v1/traces").length >= 1);
  } finally {
    await server.close();
  }
});

test("slow: answers within the timeout are exported; answers after it count as timeout and are not duplicated", async () => {
  const fast = await startFaultServer(() => ({ kind: "slow", delayMillis: 150, then: { kind: "ok" } }));
  try {
    const run = await drive(fast.url, 2000, { spans: 20, logs: 20, batch: 8 });
    invariants(run, 2000, fast);
    assert.is(run.stats.traces.exported, 20);
    assert.is(run.stats.logs.exported, 20);
    assert.equal(receivedSpanNames(fast), Array.from({ length: 20 }, (_, i) => `span-${i}`), "in order, no duplicates");
  } finally {
    await fast.close();
  }
  const slow = await startFaultServer(() => ({ kind: "slow", delayMillis: 1500, then: { kind: "ok" } }));
  try {
    const run = await drive(slow.url, 300, { spans: 20, logs: 20, batch: 8 });
    invariants(run, 300, slow);
    assert.is(run.stats.traces.exported, 0);
    assert.ok((run.stats.traces.failedByReason.timeout ?? 0) > 0);
  } finally {
    await slow.close();
  }
});

test("flapping 503: retried with backoff; everything arrives exactly once", async () => {
  // Every other request is refused with 503 (no Retry-After): each batch succeeds on a retry.
  const server = await startFaultServer((_path, n) => (n % 2 === 0 ? { kind: "status", status: 503, body: '{"message":"overloaded"}' } : { kind: "ok" }));
  try {
    const run = await drive(server.url, 4000, { spans: 12, logs: 12, batch: 4 });
    invariants(run, 4000, server);
    assert.is(run.stats.traces.exported, 12);
    assert.is(run.stats.logs.exported, 12);
    assert.is(run.stats.traces.failed + run.stats.logs.failed, 0);
    assert.equal(receivedSpanNames(server).filter((_, i, a) => a.indexOf(a[i]!) === i).length, 12);
    const accepted = server.on("/v1/traces").filter((_, i) => i % 2 === 1);
    assert.is(accepted.flatMap((r) => r.body.resourceSpans[0].scopeSpans[0].spans).length, 12, "accepted requests carry each span once");
  } finally {
    await server.close();
  }
});

test("429 storm with Retry-After in seconds: retries honour it and stay inside the export timeout", async () => {
  const server = await startFaultServer(() => ({ kind: "status", status: 429, headers: { "retry-after": "1" } }));
  try {
    const run = await drive(server.url, 2500, { extra: { metricExporter: "none" } });
    invariants(run, 2500, server);
    const traces = server.on("/v1/traces");
    assert.ok(traces.length >= 2, `retried (${traces.length} requests)`);
    assert.ok(traces.length <= 3, "no more attempts than fit into 2.5 s with 1 s waits");
    for (let i = 1; i < traces.length; i++) assert.ok(traces[i]!.at - traces[i - 1]!.at >= 800, "waited for Retry-After before retrying");
    assert.ok(traces.at(-1)!.at - traces[0]!.at < 2500, "all attempts inside the export timeout");
    assert.equal(run.stats.traces.failedByReason, { "429": 5 });
    assert.equal(run.stats.logs.failedByReason, { "429": 5 });
  } finally {
    await server.close();
  }
});

test("429 with Retry-After 30 s (seconds and HTTP date) is capped by the export timeout: no 30 s wait", async () => {
  for (const retryAfter of ["30", new Date(Date.now() + 30_000).toUTCString()]) {
    const server = await startFaultServer(() => ({ kind: "status", status: 429, headers: { "retry-after": retryAfter } }));
    try {
      const run = await drive(server.url, 800);
      invariants(run, 800, server);
      for (const p of PATHS) assert.is(server.on(p).length, 1, `${p}: one attempt, the wait would outlast the timeout (${retryAfter})`);
      assert.equal(run.stats.traces.failedByReason, { "429": 5 });
    } finally {
      await server.close();
    }
  }
});

test("Retry-After with a controllable clock: 30 s waits are honoured, and no retry starts past the budget", async () => {
  for (const retryAfter of ["30", () => new Date(Date.now() + 30_000).toUTCString()]) {
    const server = await startFaultServer(() => ({ kind: "status", status: 429, headers: { "retry-after": typeof retryAfter === "string" ? retryAfter : retryAfter() } }));
    try {
      let now = 0;
      const slept: number[] = [];
      const transport = createFetchTransport({
        url: `${server.url}/v1/traces`,
        timeoutMillis: 100_000,
        now: () => now,
        sleep: async (ms) => {
          slept.push(ms);
          now += ms;
        },
      });
      const started = Date.now();
      const result = await transport.send('{"resourceSpans":[{}]}');
      assert.ok(Date.now() - started < 5000, "no real waiting");
      assert.is(result.ok, false);
      assert.is(result.errorType, "429");
      // 0 → 30 → 60 → 90 s: a fourth wait would end at 120 s, past the 100 s budget.
      assert.is(server.on("/v1/traces").length, 4);
      assert.is(slept.length, 3);
      for (const ms of slept) assert.ok(ms > 28_000 && ms <= 30_000, `waited the Retry-After (${ms} ms)`);
    } finally {
      await server.close();
    }
  }
});

test("413 and 400 are not retried: exactly one request per signal; the batch is counted as failed with the status", async () => {
  for (const status of [413, 400]) {
    const server = await startFaultServer(() => ({ kind: "status", status, body: '{"code":3,"message":"payload refused"}' }));
    try {
      const run = await drive(server.url, 2000);
      invariants(run, 2000, server);
      assert.is(server.on("/v1/traces").length, 1, `${status}: traces sent once`);
      assert.is(server.on("/v1/logs").length, 1, `${status}: logs sent once`);
      assert.is(server.on("/v1/metrics").length, 1, `${status}: metrics sent once (flush; delta: nothing new at shutdown)`);
      assert.equal(run.stats.traces.failedByReason, { [String(status)]: 5 });
      assert.equal(run.stats.logs.failedByReason, { [String(status)]: 5 });
      assert.equal(Object.keys(run.stats.metrics.failedByReason), [String(status)]);
      assert.is(run.stats.metrics.exported, 0);
      assert.ok(diagnostics.some((m) => m.includes(`HTTP ${status}`) && m.includes("payload refused")), "the cause is reported");
    } finally {
      await server.close();
    }
  }
});

test("connection destroyed mid-response (headers sent): no crash; a 2xx counts as accepted, nothing sent twice", async () => {
  const server = await startFaultServer(() => ({ kind: "cut", status: 200 }));
  try {
    const run = await drive(server.url, 1500);
    invariants(run, 1500, server);
    assert.is(server.on("/v1/traces").length, 1);
    assert.is(run.stats.traces.exported, 5, "the receiver accepted the request (2xx) before the cut");
  } finally {
    await server.close();
  }
  // Cut after 503 headers: retryable, retried, counted once.
  const flaky = await startFaultServer((_p, n) => (n === 0 ? { kind: "cut", status: 503 } : { kind: "ok" }));
  try {
    const run = await drive(flaky.url, 4000);
    invariants(run, 4000, flaky);
    assert.is(run.stats.traces.exported, 5);
    assert.is(flaky.on("/v1/traces").length, 2, "retried once after the cut 503");
  } finally {
    await flaky.close();
  }
});

test("200 with partialSuccess: the rejected items are counted as failed (rejected), the rest as exported", async () => {
  const server = await startFaultServer(() => ({ kind: "partial", rejected: 2, message: "invalid attribute" }));
  try {
    const run = await drive(server.url, 1000, { spans: 10, logs: 10 });
    invariants(run, 1000, server);
    assert.equal({ exported: run.stats.traces.exported, failed: run.stats.traces.failedByReason }, { exported: 8, failed: { rejected: 2 } });
    assert.equal({ exported: run.stats.logs.exported, failed: run.stats.logs.failedByReason }, { exported: 8, failed: { rejected: 2 } });
    assert.equal(run.stats.metrics.failedByReason, { rejected: 2 });
    assert.ok(diagnostics.some((m) => m.includes("2 rejected") && m.includes("invalid attribute")), diagnostics.join("\n"));
    assert.is(server.on("/v1/traces").length, 1, "a partial success is not retried");
  } finally {
    await server.close();
  }
});

test.after(() => {
  assert.equal(unhandled, [], "no unhandled rejection anywhere in the suite");
});

test.run();
