import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBatcher } from "../../src/export/batcher.ts";
import type { BatcherOptions } from "../../src/export/batcher.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import type { Exporter, ExportResult } from "../../src/export/exporter.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";

/** The four totals of a batcher's stats (the per-reason breakdown is asserted where it matters). */
const counts = (s: { queued: number; exported: number; dropped: number; failed: number }) => ({
  queued: s.queued,
  exported: s.exported,
  dropped: s.dropped,
  failed: s.failed,
});

const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => unhandled.push(e));

const warnings: string[] = [];
diag.setLogger(
  { error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} },
  DiagLogLevel.WARN,
);

test.before.each(() => {
  warnings.length = 0;
  resetDiagOnce();
});

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
// Captured before any test replaces the global, so the spies below count only the batcher's timers.
const realSetTimeout = globalThis.setTimeout;
const tick = (ms = 0) => new Promise((r) => realSetTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await tick(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** An exporter that records batches; `respond` decides each result. */
function recorder(respond: (batch: number[]) => Promise<ExportResult> | ExportResult = () => SUCCESS) {
  const batches: number[][] = [];
  const calls: string[] = [];
  const exporter: Exporter<number> = {
    export(items) {
      batches.push([...items]);
      calls.push("export");
      return Promise.resolve(respond(items));
    },
    async shutdown() {
      calls.push("shutdown");
    },
  };
  return { exporter, batches, calls };
}

function make(exporter: Exporter<number>, o: Partial<BatcherOptions<number>> = {}) {
  return createBatcher<number>({
    exporter,
    maxQueueSize: 100,
    maxExportBatchSize: 10,
    scheduledDelayMillis: Infinity,
    exportTimeoutMillis: 30_000,
    signal: "spans",
    ...o,
  });
}

/** Tracks timers created through the global setTimeout while `fn` runs. */
async function withTimerSpy(fn: (live: () => number, created: () => number) => Promise<void>): Promise<void> {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  let created = 0;
  (globalThis as any).setTimeout = (cb: () => void, ms?: number) => {
    created++;
    const t = realSet(() => {
      live.delete(t);
      cb();
    }, ms);
    live.add(t);
    return t;
  };
  (globalThis as any).clearTimeout = (t: any) => {
    live.delete(t);
    realClear(t);
  };
  try {
    await fn(() => live.size, () => created);
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
}

/** Resolves after the microtasks queued so far have run (no timer: what a task does before it ends). */
const microtasks = () => new Promise<void>((r) => queueMicrotask(r));

test("exports as soon as maxExportBatchSize items are queued, without a timer, but not inside the add() that filled the batch", async () => {
  const { exporter, batches } = recorder();
  const b = make(exporter, { maxExportBatchSize: 3, scheduledDelayMillis: 1e9 });
  b.add(1);
  b.add(2);
  assert.equal(batches, []);
  b.add(3);
  // Issue 18: the exporter (which encodes the batch) is not called from inside add()...
  assert.equal(batches, []);
  assert.equal(b.stats().inFlight, 3, "the batch is taken off the queue at once");
  // ...but in a microtask of the same task.
  await microtasks();
  assert.equal(batches, [[1, 2, 3]]);
  await tick();
  assert.equal(counts(b.stats()), { queued: 0, exported: 3, dropped: 0, failed: 0 });
});

test("a timer exports a partial batch after scheduledDelayMillis", async () => {
  const { exporter, batches } = recorder();
  const b = make(exporter, { scheduledDelayMillis: 10 });
  b.add(1);
  b.add(2);
  assert.equal(batches, []);
  await waitFor(() => batches.length === 1, "timer export");
  assert.equal(batches, [[1, 2]]);
  await waitFor(() => b.stats().exported === 2, "export settled");
});

test("no timer is armed while the queue is empty, and the armed one is unref'd", async () => {
  await withTimerSpy(async (live, created) => {
    const { exporter, batches } = recorder();
    const b = make(exporter, { scheduledDelayMillis: 10_000, maxExportBatchSize: 2 });
    assert.is(created(), 0, "constructor must not arm a timer");
    b.add(1);
    assert.is(live(), 1, "one timer while an item waits");
    b.add(2); // reaches batch size: exported in a microtask, timer cleared
    await microtasks();
    assert.equal(batches, [[1, 2]]);
    await tick();
    assert.is(live(), 0, "no timer left once the queue is empty");
    b.add(3);
    assert.is(live(), 1);
    await b.forceFlush();
    assert.is(live(), 0, "flush leaves no idle timer");
    assert.equal(batches, [[1, 2], [3]]);
  });
  // unref: the batcher's timer must not hold the process open.
  const realSet = globalThis.setTimeout;
  let timer: any;
  (globalThis as any).setTimeout = (cb: () => void, ms?: number) => (timer = realSet(cb, ms));
  try {
    const b = make(recorder().exporter, { scheduledDelayMillis: 10_000 });
    b.add(1);
  } finally {
    globalThis.setTimeout = realSet;
  }
  assert.ok(timer, "timer armed");
  assert.is(timer.hasRef(), false, "timer is unref'd");
  clearTimeout(timer);
});

test("scheduledDelayMillis: Infinity never arms a timer; forceFlush exports", async () => {
  await withTimerSpy(async (_live, created) => {
    const { exporter, batches } = recorder();
    const b = make(exporter, { scheduledDelayMillis: Infinity, maxExportBatchSize: 5 });
    for (let i = 0; i < 4; i++) b.add(i);
    await tick(20);
    assert.is(created(), 0);
    assert.equal(batches, []);
    assert.is(b.stats().queued, 4);
    await b.forceFlush();
    assert.equal(batches, [[0, 1, 2, 3]]);
  });
});

test("at most one export is in flight; the next batch waits", async () => {
  let active = 0;
  let maxActive = 0;
  const { exporter, batches } = recorder(async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await tick(3);
    active--;
    return SUCCESS;
  });
  const b = make(exporter, { maxExportBatchSize: 2, scheduledDelayMillis: 1 });
  for (let i = 0; i < 21; i++) {
    b.add(i);
    if (i % 5 === 0) await tick(1);
  }
  await b.forceFlush();
  assert.is(maxActive, 1);
  assert.equal(batches.flat(), Array.from({ length: 21 }, (_, i) => i));
  assert.ok(batches.every((x) => x.length <= 2));
  assert.equal(counts(b.stats()), { queued: 0, exported: 21, dropped: 0, failed: 0 });
});

test("forceFlush drains everything queued at the call, in order, batch by batch", async () => {
  const { exporter, batches } = recorder(async () => {
    await tick(1);
    return SUCCESS;
  });
  const b = make(exporter, { maxExportBatchSize: 3 });
  for (let i = 0; i < 10; i++) b.add(i); // 3 full batches start exporting (one at a time)
  await b.forceFlush();
  assert.equal(batches, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  assert.is(b.stats().queued, 0);
  // Nothing queued: resolves at once and exports nothing more.
  await b.forceFlush();
  assert.is(batches.length, 4);
});

test("concurrent forceFlush calls all resolve once their items settle", async () => {
  const { exporter, batches } = recorder(async () => {
    await tick(1);
    return SUCCESS;
  });
  const b = make(exporter, { maxExportBatchSize: 2 });
  b.add(1);
  const first = b.forceFlush();
  b.add(2);
  b.add(3);
  const second = b.forceFlush();
  await Promise.all([first, second]);
  assert.equal(batches.flat(), [1, 2, 3]);
});

test("shutdown flushes, then shuts the exporter down, then refuses and counts new items", async () => {
  const { exporter, batches, calls } = recorder();
  const b = make(exporter, { maxExportBatchSize: 2 });
  b.add(1);
  b.add(2);
  b.add(3);
  const p = b.shutdown();
  assert.is(b.shutdown(), p, "idempotent");
  b.add(4); // refused from the moment shutdown is called
  await p;
  assert.equal(batches, [[1, 2], [3]]);
  assert.equal(calls, ["export", "export", "shutdown"]);
  b.add(5);
  b.add(6);
  assert.equal(counts(b.stats()), { queued: 0, exported: 3, dropped: 3, failed: 0 });
  assert.equal(b.stats().droppedByReason, { already_shutdown: 3 });
  assert.is(warnings.filter((w) => /after shutdown/.test(w)).length, 1, "reported once");
  await b.forceFlush(); // still resolves
});

test("an export that never settles times out, counts as failed, and the next batch proceeds after a grace period", async () => {
  let n = 0;
  const { exporter, batches } = recorder(() => (n++ === 0 ? new Promise<ExportResult>(() => {}) : SUCCESS));
  const b = make(exporter, { maxExportBatchSize: 2, exportTimeoutMillis: 20 });
  b.add(1);
  b.add(2);
  b.add(3);
  await b.forceFlush(); // bounded by exportTimeoutMillis: resolves when the first export times out
  await waitFor(() => batches.length === 2, "the second batch");
  await b.forceFlush();
  assert.equal(batches, [[1, 2], [3]]);
  assert.equal(b.stats(), {
    queued: 0,
    capacity: 100,
    inFlight: 0,
    exported: 1,
    dropped: 0,
    failed: 2,
    droppedByReason: {},
    failedByReason: { timeout: 2 },
  });
  assert.ok(warnings.some((w) => /Export of 2 spans failed: timed out/.test(w)), warnings.join("\n"));
});

test("a timed-out export is aborted through its signal; the next one starts only after it ended (one in flight)", async () => {
  let active = 0;
  let maxActive = 0;
  const signals: AbortSignal[] = [];
  const exporter: Exporter<number> = {
    export(_items, options) {
      active++;
      maxActive = Math.max(maxActive, active);
      signals.push(options!.signal!);
      return new Promise<ExportResult>((resolve) => {
        // Hangs until aborted, then ends a little later (like a fetch tearing down its socket).
        options!.signal!.addEventListener("abort", () => realSetTimeout(() => {
          active--;
          resolve({ code: ExportResultCode.FAILED, errorType: "aborted" });
        }, 5));
      });
    },
    async shutdown() {},
  };
  const b = make(exporter, { maxExportBatchSize: 1, exportTimeoutMillis: 15 });
  for (let i = 0; i < 4; i++) b.add(i);
  void b.forceFlush(10_000); // an explicit flush does not wait for the backoff after a timeout
  await waitFor(() => b.stats().failed === 4, "four timed-out exports");
  await waitFor(() => active === 0, "the last export to end");
  assert.is(signals.length, 4);
  assert.ok(signals.every((s) => s.aborted), "every timed-out export was aborted");
  assert.is(maxActive, 1, "never two exports at once");
  assert.equal(b.stats().failedByReason, { timeout: 4 }, "counted as timeouts, not as the exporter's late answer");
});

test("collector unavailable: after a failed export the batcher backs off and keeps its queue; an explicit flush still tries", async () => {
  let fail = true;
  const { exporter, batches } = recorder(() => (fail ? { code: ExportResultCode.FAILED, errorType: "network" } : SUCCESS));
  const b = make(exporter, { maxQueueSize: 6, maxExportBatchSize: 2, scheduledDelayMillis: 5 });
  b.add(0);
  b.add(1); // size trigger: fails (network) -> backoff
  await waitFor(() => b.stats().failed === 2, "the first failure");
  for (let i = 2; i < 12; i++) b.add(i);
  await tick(60);
  assert.is(batches.length, 1, "no export while backing off, although full batches are queued");
  assert.equal(counts(b.stats()), { queued: 6, exported: 0, dropped: 4, failed: 2 });
  assert.equal(b.stats().droppedByReason, { queue_full: 4 });
  fail = false;
  await b.forceFlush();
  assert.equal(batches.slice(1), [[2, 3], [4, 5], [6, 7]], "the oldest queued items, in order");
  assert.equal(counts(b.stats()), { queued: 0, exported: 6, dropped: 4, failed: 2 });
});

test("a failure that is not about availability (400) does not back off", async () => {
  const { exporter, batches } = recorder(() => ({ code: ExportResultCode.FAILED, errorType: "400" }));
  const b = make(exporter, { maxExportBatchSize: 2, scheduledDelayMillis: 5 });
  for (let i = 0; i < 6; i++) b.add(i);
  await waitFor(() => batches.length === 3, "three exports without waiting");
  assert.is(b.stats().failed, 6);
});

test("outage backoff: the wait doubles from 1 s up to 30 s over unavailable outcomes; any other outcome resets it", async () => {
  let errorType = "network";
  const { exporter, batches } = recorder(() => ({ code: ExportResultCode.FAILED, errorType }));
  // No export timeout: the only timers are the ones the batcher arms to wait out the backoff.
  const b = make(exporter, { maxExportBatchSize: 1, scheduledDelayMillis: 5, exportTimeoutMillis: Infinity });
  const armed: number[] = [];
  (globalThis as any).setTimeout = (cb: () => void, ms: number) => (armed.push(ms), realSetTimeout(cb, ms));
  try {
    b.add(0); // exported at once: fails (network), the backoff starts
    await b.forceFlush();
    const waits: number[] = [];
    for (const next of ["timeout", "429", "502", "503", "504", "503", "400"]) {
      armed.length = 0;
      b.add(0); // not exported while backing off: a timer for the rest of the wait
      waits.push(armed[0] ?? 0);
      errorType = next;
      await b.forceFlush(); // a flush ignores the backoff; its outcome sets the next wait
    }
    const expected = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
    waits.forEach((w, i) => assert.ok(w > expected[i]! - 100 && w <= expected[i]!, `wait ${i}: ${w} ≈ ${expected[i]}`));
    // The 400 reset it: the next item goes out at once, and a new outage starts again from 1 s.
    armed.length = 0;
    const exports = batches.length;
    errorType = "503";
    b.add(0);
    assert.is(batches.length, exports + 1);
    assert.equal(armed, []);
    await b.forceFlush();
    b.add(0);
    assert.ok(armed[0]! > 900 && armed[0]! <= 1000, String(armed[0]));
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  await b.forceFlush();
});

test("forceFlush resolves within its timeout even with many batches queued behind a slow exporter", async () => {
  const { exporter, batches } = recorder(() => new Promise<ExportResult>((r) => realSetTimeout(() => r(SUCCESS), 30)));
  const b = make(exporter, { maxExportBatchSize: 1, exportTimeoutMillis: 1000 });
  for (let i = 0; i < 10; i++) b.add(i);
  const started = Date.now();
  await b.forceFlush(50);
  assert.ok(Date.now() - started < 1000, "bounded by the 50 ms flush timeout, not 10 × 30 ms + ...");
  assert.ok(batches.length < 10, "returned before everything was exported");
  await b.forceFlush(); // the rest is still exported, in order
  assert.equal(batches.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("shutdown is bounded by exportTimeoutMillis: what is still queued is dropped as shutdown_timeout", async () => {
  const { exporter, batches, calls } = recorder(() => new Promise<ExportResult>(() => {}));
  const b = make(exporter, { maxExportBatchSize: 2, exportTimeoutMillis: 40 });
  for (let i = 0; i < 6; i++) b.add(i);
  const started = Date.now();
  await b.shutdown();
  assert.ok(Date.now() - started < 2000, "returned within its timeout (generous bound)");
  assert.equal(batches, [[0, 1]]);
  assert.ok(calls.includes("shutdown"));
  const s = b.stats();
  assert.equal({ failed: s.failed, dropped: s.dropped, queued: s.queued }, { failed: 2, dropped: 4, queued: 0 });
  assert.equal(s.droppedByReason, { shutdown_timeout: 4 });
});

test("onExport reports each finished export with counts, duration and cause", async () => {
  const events: unknown[] = [];
  let n = 0;
  const { exporter } = recorder(() =>
    n++ === 0 ? { code: ExportResultCode.SUCCESS, rejected: 1, status: 200 } : { code: ExportResultCode.FAILED, errorType: "503", status: 503 },
  );
  const b = make(exporter, { maxExportBatchSize: 3, onExport: (e) => events.push({ ...e, durationMillis: typeof e.durationMillis }) });
  for (let i = 0; i < 6; i++) b.add(i);
  await b.forceFlush();
  assert.equal(events, [
    { items: 3, exported: 2, failed: 1, durationMillis: "number", errorType: "rejected", status: 200 },
    { items: 3, exported: 0, failed: 3, durationMillis: "number", errorType: "503", status: 503 },
  ]);
  assert.equal(b.stats().failedByReason, { rejected: 1, "503": 3 });
});

test("exporters that throw, reject or return FAILED never surface, and count as failed", async () => {
  const modes = ["throw", "reject", "failed", "garbage", "ok"];
  let i = 0;
  const exporter: Exporter<number> = {
    export(): Promise<ExportResult> {
      const mode = modes[i++ % modes.length];
      if (mode === "throw") throw new Error("sync boom");
      if (mode === "reject") return Promise.reject(new Error("async boom"));
      if (mode === "failed") return Promise.resolve({ code: ExportResultCode.FAILED, error: new Error("nope") });
      if (mode === "garbage") return Promise.resolve(undefined as unknown as ExportResult);
      return Promise.resolve(SUCCESS);
    },
    shutdown: () => Promise.reject(new Error("shutdown boom")),
  };
  const b = make(exporter, { maxExportBatchSize: 1 });
  for (let k = 0; k < 5; k++) b.add(k);
  await b.forceFlush();
  await b.shutdown(); // exporter.shutdown rejects: shutdown still resolves
  await tick(5);
  assert.equal(counts(b.stats()), { queued: 0, exported: 1, dropped: 0, failed: 4 });
  assert.equal(unhandled, []);
  assert.ok(warnings.some((w) => /shutdown boom/.test(w)));
});

test("a full queue drops new items, counts them and reports once", async () => {
  const { exporter, batches } = recorder();
  // Hold the exporter busy so the queue fills up.
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  const slow: Exporter<number> = {
    export: async (items) => {
      await hold;
      return exporter.export(items);
    },
    shutdown: async () => {},
  };
  const s = make(slow, { maxQueueSize: 4, maxExportBatchSize: 4 });
  for (let k = 0; k < 4; k++) s.add(k); // exported (in flight, held)
  for (let k = 4; k < 12; k++) s.add(k); // 4 queued, 4 dropped
  assert.equal(counts(s.stats()), { queued: 4, exported: 0, dropped: 4, failed: 0 });
  assert.is(warnings.filter((w) => /queue for spans is full/.test(w)).length, 1);
  release();
  await s.forceFlush();
  assert.equal(batches, [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(counts(s.stats()), { queued: 0, exported: 8, dropped: 4, failed: 0 });
});

test("export failures are warned about rate-limited, not once per batch", async () => {
  const { exporter } = recorder(() => ({ code: ExportResultCode.FAILED, error: new Error("collector down") }));
  const b = make(exporter, { maxExportBatchSize: 1 });
  for (let k = 0; k < 30; k++) b.add(k);
  await b.forceFlush();
  assert.is(b.stats().failed, 30);
  const failures = warnings.filter((w) => /collector down/.test(w));
  assert.is(failures.length, 1, failures.join("\n"));
});

test("invalid options throw RangeError at construction, saying what and why", () => {
  const { exporter } = recorder();
  const cases: Array<[Partial<BatcherOptions<number>>, RegExp]> = [
    [{ maxQueueSize: 0 }, /maxQueueSize must be a positive integer/],
    [{ maxQueueSize: 1.5 }, /maxQueueSize must be a positive integer/],
    [{ maxExportBatchSize: -1 }, /maxExportBatchSize must be a positive integer/],
    [{ maxQueueSize: 10, maxExportBatchSize: 11 }, /maxExportBatchSize \(11\) must not exceed maxQueueSize \(10\)/],
    [{ scheduledDelayMillis: -5 }, /scheduledDelayMillis must be a number >= 0/],
    [{ scheduledDelayMillis: Number.NaN }, /scheduledDelayMillis/],
    [{ exportTimeoutMillis: 0 }, /exportTimeoutMillis must be a number > 0/],
  ];
  for (const [o, re] of cases) {
    assert.throws(() => make(exporter, o), (e: unknown) => e instanceof RangeError && re.test((e as Error).message) && /spans/.test((e as Error).message));
  }
  assert.throws(() => make({} as Exporter<number>), TypeError);
});

test("add never throws, even for odd items", () => {
  const { exporter } = recorder();
  const b = make(exporter);
  b.add(undefined as unknown as number);
  b.add(null as unknown as number);
  assert.is(b.stats().queued, 2);
});

test("shutdown never rejects, even when the exporter's shutdown rejects with a value String() cannot print", async () => {
  for (const reason of [Object.create(null), { toString() { throw new Error("no"); } }]) {
    const exporter: Exporter<number> = { export: async () => SUCCESS, shutdown: () => Promise.reject(reason) };
    const b = make(exporter);
    b.add(1);
    await b.shutdown(); // rejected before: "Cannot convert object to primitive value"
    assert.ok(warnings.some((w) => /Shutting down the .* exporter failed: \[object Object\]/.test(w)), warnings.join("\n"));
    warnings.length = 0;
  }
});

test.run();
