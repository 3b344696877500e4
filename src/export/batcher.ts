/**
 * The one batching implementation every signal uses (spans, log records): a bounded
 * queue exported in batches by size, by timer, or on flush.
 *
 * Follows the OTel SDK spec's Batching processor
 * (https://opentelemetry.io/docs/specs/otel/trace/sdk/#batching-processor):
 * - export as soon as `maxExportBatchSize` items are queued, else after `scheduledDelayMillis`
 *   (the export starts in a microtask: the span.end() or log call that filled the batch never
 *   pays for encoding it);
 * - at most one export in flight (spec: "Export will never be called concurrently for the
 *   same exporter instance");
 * - each export bounded by `exportTimeoutMillis`;
 * - a full queue drops new items and counts them (DESIGN principle 4: bounded everything; the
 *   oldest items are the closest to export, and memory stays flat while a collector is down).
 *
 * An export that outlives `exportTimeoutMillis` is counted as failed (`timeout`) and its
 * exporter is told to stop through the `AbortSignal` it was given; the next export starts
 * only once that one has really ended (or a grace period passed, for exporters that ignore
 * the signal), so "one in flight" holds on the wire too, not only in the bookkeeping.
 * `forceFlush()` and `shutdown()` each resolve within `exportTimeoutMillis` (spec: ForceFlush
 * and Shutdown "SHOULD complete or abort within some timeout").
 *
 * Outage backoff: while the collector is unavailable (an export failed with what OTLP/HTTP
 * calls retryable — 429, 502, 503, 504 — or `network`/`timeout`,
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling), batches are not exported one
 * after another only to fail: the batcher waits (1 s, doubling up to 30 s; any other outcome
 * resets it) and keeps its queue, so the queue fills up, new items are dropped at the door
 * (cheap, counted as `queue_full`), and once the collector is back the queued items are
 * delivered. `forceFlush()` does not wait for the backoff: an explicit flush always tries.
 *
 * The timer is armed only while items are queued (no idle wake-ups) and is `unref()`'d
 * where the runtime supports it, so it never keeps a process alive on its own.
 * `scheduledDelayMillis: Infinity` never arms it: on Workers/serverless the caller flushes.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { monotonicNow } from "../common/time.ts";
import { context } from "../context/context-api.ts";
import { suppressTracing } from "../trace/suppress.ts";
import type { Exporter, ExportResult } from "./exporter.ts";
import { describe } from "../common/describe.ts";
import { addCount, classifyExport, exportEvent, MAX_TIMER_MILLIS, setTimerRef, settleWithin } from "./export-outcome.ts";
import type { ExportListener, TimerHandle } from "./export-outcome.ts";
import { RateLimitedWarning } from "./rate-limit.ts";

/** Configuration of a {@link Batcher}. */
export interface BatcherOptions<T> {
  /** Where batches go. */
  exporter: Exporter<T>;
  /** Capacity of the queue; items beyond it are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Largest batch handed to the exporter; reaching it triggers an export at once. Default 512. */
  maxExportBatchSize?: number;
  /** Delay between the first queued item and its export; `Infinity` = flush only. Default 5000. */
  scheduledDelayMillis?: number;
  /** Time after which an unsettled export counts as failed; also bounds flush and shutdown. `Infinity` = no limit. Default 30000. */
  exportTimeoutMillis?: number;
  /** What is batched, for diagnostics (e.g. "spans", "log records"). */
  signal: string;
  /** Called once per finished export (SDK self-observability); must not throw (errors are swallowed). */
  onExport?: ExportListener;
}

/**
 * Counters describing a {@link Batcher}'s life so far. Every item offered to `add()` is in
 * exactly one of `queued`, `inFlight`, `exported`, `dropped`, `failed`.
 */
export interface BatcherStats {
  /** Items waiting in the queue now. */
  queued: number;
  /** Capacity of the queue (`maxQueueSize`). */
  capacity: number;
  /** Items handed to the exporter whose export has not finished yet. */
  inFlight: number;
  /** Items the receiver accepted. */
  exported: number;
  /** Items never handed to the exporter; see `droppedByReason`. */
  dropped: number;
  /** Items whose export failed; see `failedByReason`. */
  failed: number;
  /**
   * `dropped` by cause: `queue_full` (the queue was at capacity), `already_shutdown` (added
   * after shutdown), `shutdown_timeout` (still queued when shutdown's time limit ran out).
   */
  droppedByReason: Record<string, number>;
  /**
   * `failed` by cause (`error.type` of the semantic conventions): `timeout`, `network`, an HTTP
   * status such as `"503"` or `"413"`, `rejected` (OTLP partialSuccess), `encoding`, `_OTHER`...
   */
  failedByReason: Record<string, number>;
}

/** A queue exported in batches; see the module doc for the rules. */
export interface Batcher<T> {
  /** Queues `item` for export. Never throws; a full queue or a shut-down batcher drops it (counted). */
  add(item: T): void;
  /**
   * Exports everything queued at the time of the call, in order, batch by batch; resolves
   * when those exports have settled (successfully or not), or after `timeoutMillis`
   * (default `exportTimeoutMillis`), whichever comes first. Never rejects. Items not exported
   * by then stay queued and are exported in the background.
   */
  forceFlush(timeoutMillis?: number): Promise<void>;
  /**
   * Refuses new items, flushes what is queued, then shuts the exporter down, all within
   * `exportTimeoutMillis`. Idempotent; never rejects. Items added from now on are dropped
   * (`already_shutdown`); items still queued when the time is up are dropped (`shutdown_timeout`)
   * and an export still running is aborted.
   */
  shutdown(): Promise<void>;
  /** The batcher's counters (a fresh object each call). */
  stats(): BatcherStats;
}

// Outcomes meaning "the collector is unavailable" (see the module doc).
const UNAVAILABLE = /^(network|timeout|429|50[234])$/;

/**
 * A {@link Batcher} for `options`. Options left unset get the spec's batching defaults
 * (`OTEL_BSP_*`: 2048, 512, 5000 ms, 30000 ms), so the processors pass their options through
 * (`null` counts as unset).
 * @throws RangeError when a size or time option is invalid (message says which and why).
 */
export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const { exporter, signal, onExport } = options;
  const capacity = options.maxQueueSize ?? 2048;
  const batchSize = options.maxExportBatchSize ?? 512;
  const delay = options.scheduledDelayMillis ?? 5000;
  const timeout = options.exportTimeoutMillis ?? 30_000;
  const what = `Cannot create batcher for ${signal}: `;
  if (typeof exporter?.export !== "function") throw new TypeError(`${what}exporter must have an export() method`);
  // `typeof` first: a string "5" compares as a number.
  const checks: Array<[string, unknown, boolean, string]> = [
    ["maxQueueSize", capacity, Number.isSafeInteger(capacity) && capacity > 0, "a positive integer"],
    ["maxExportBatchSize", batchSize, Number.isSafeInteger(batchSize) && batchSize > 0, "a positive integer"],
    ["scheduledDelayMillis", delay, typeof delay === "number" && delay >= 0, "a number >= 0 (or Infinity)"],
    ["exportTimeoutMillis", timeout, typeof timeout === "number" && timeout > 0, "a number > 0 (or Infinity)"],
  ];
  for (const [name, value, ok, expected] of checks) if (!ok) throw new RangeError(`${what}${name} must be ${expected}, got ${value}`);
  if (batchSize > capacity) throw new RangeError(`${what}maxExportBatchSize (${batchSize}) must not exceed maxQueueSize (${capacity})`);

  const failures = new RateLimitedWarning();
  let queue: T[] = [];
  let timer: TimerHandle | undefined;
  let guard: TimerHandle | undefined; // timeout of the export in flight
  let inFlight: AbortController | undefined; // of the export in flight
  let due = false; // the timer fired while an export was in flight
  let busy = false; // an export is running (possibly already counted as timed out)
  let stopping: Promise<void> | undefined; // shutdown()'s
  let backoff = 0; // ms of the current outage backoff; 0 = none
  let backoffUntil = 0; // monotonic ms
  // Sequence counters: items accepted into the queue, taken out of it (for export, or dropped
  // at shutdown), and done with. FIFO order + one export in flight make "settled >= n" mean the
  // first n accepted items are done, which is what forceFlush waits for; taken - settled are in flight.
  let accepted = 0;
  let taken = 0;
  let settled = 0;
  let flushTarget = 0;
  let waiters: Array<[target: number, resolve: () => void]> = [];
  let exported = 0;
  const failedBy: Record<string, number> = Object.create(null) as Record<string, number>; // keys come from exporters
  const droppedBy: Record<string, number> = {};

  // Arms the export timer (`ms`: the scheduled delay, or what is left of a backoff).
  const arm = (ms: number = delay): void => {
    if (timer || delay === Infinity || !queue.length) return;
    timer = setTimeout(() => {
      timer = undefined;
      due = true;
      pump();
    }, Math.min(ms, MAX_TIMER_MILLIS));
    setTimerRef(timer, false);
  };
  const disarm = (): void => {
    clearTimeout(timer);
    timer = undefined;
  };

  // Starts the next export if one is warranted and none is in flight. Called from add(),
  // flushes and callbacks (export settled, timer): an error must not escape into the runtime.
  const pump = (later?: boolean): void => {
    try {
      const size = queue.length;
      if (busy) return;
      if (!size) {
        due = false;
        return disarm();
      }
      const flushing = taken < flushTarget || !!stopping;
      const wait = backoffUntil - monotonicNow();
      if (!flushing && wait > 0) return arm(wait);
      if (!flushing && !due && size < batchSize) return arm();
      disarm();
      due = false;
      const batch = queue.splice(0, batchSize);
      taken += batch.length;
      send(batch, later);
    } catch (error) {
      diagOnce("error", `batcher:${signal}`, `Unexpected error exporting ${signal}: ${describe(error)}`);
    }
  };

  // One export: count its outcome when it settles or times out (that is when flush waiters
  // move on), but keep the slot until the exporter has really finished.
  const send = (batch: T[], later?: boolean): void => {
    busy = true;
    const abort = (inFlight = new AbortController());
    const started = monotonicNow();
    const n = batch.length;
    // Spec (SDK, exporter): the export runs with tracing suppressed, so an instrumented
    // `fetch` inside the exporter does not create spans about exporting spans.
    const run = (): Promise<ExportResult> => context.with(suppressTracing(context.active()), () => exporter.export(batch, { signal: abort.signal }));
    // `later`: the add() that filled a batch does not run its export, which encodes the batch
    // right away (milliseconds for 512 spans): no span.end() or log call pays for that (issue 18).
    // It runs in a microtask, still in this task, before any timer. Flushes and timers export at
    // once: a flush at page hide starts its request inside the event. A throw rejects.
    const exporting = later ? Promise.resolve().then(run) : new Promise<ExportResult>((resolve) => resolve(run()));
    // A background export's guard must not keep the process alive on its own (its I/O does
    // that), but while someone awaits forceFlush/shutdown it stays referenced.
    void settleWithin(exporting, timeout, waiters.length > 0 || !!stopping, (t) => (guard = t)).then((outcome) => {
      guard = undefined;
      try {
        // Aborted by shutdown's time limit: a timeout, whatever the exporter answered to the abort.
        const ok = outcome.kind === "value" && outcome.value?.code === 0; /* ExportResultCode.SUCCESS */
        const c = classifyExport(abort.signal.aborted && !ok ? { kind: "timeout" } : outcome, n);
        const type = c.errorType;
        exported += c.exported;
        // Outage backoff (module doc): only a wholly failed export with an "unavailable" cause.
        backoff = !c.exported && type && UNAVAILABLE.test(type) ? Math.min(30_000, backoff * 2 || 1000) : 0;
        backoffUntil = backoff && monotonicNow() + backoff;
        if (c.failed) {
          addCount(failedBy, type ?? "_OTHER", c.failed);
          if (type !== "rejected") failures.warn(`Export of ${n} ${signal} failed: ${c.cause ?? type}`);
        }
        onExport?.(exportEvent(c, monotonicNow() - started));
      } catch {
        // a throwing onExport listener: the counts above are kept
      }
      settled += n;
      // Waiters whose items are all done move on.
      waiters = waiters.filter((w) => settled < w[0] || void w[1]());
      const release = (): void => {
        if (inFlight === abort) inFlight = undefined;
        busy = false;
        pump();
      };
      if (outcome.kind !== "timeout") return release();
      abort.abort(new Error(`export timed out after ${timeout} ms`));
      // Exporters that honour the signal end at once; bound the wait for those that do not.
      void settleWithin(exporting, Math.min(timeout, 5000), false).then(release);
    });
  };

  const forceFlush = (timeoutMillis: number = timeout): Promise<void> => {
    const target = accepted;
    if (settled >= target) return Promise.resolve();
    if (guard) setTimerRef(guard, true);
    let waiter!: [number, () => void];
    const flushed = new Promise<void>((resolve) => waiters.push((waiter = [target, resolve])));
    flushTarget = Math.max(flushTarget, target);
    pump();
    // Referenced: whoever awaits this promise must see it settle before the process exits.
    return settleWithin(flushed, timeoutMillis, true).then(() => {
      waiters = waiters.filter((w) => w !== waiter);
    });
  };

  const drop = (reason: string, message: string): void => {
    addCount(droppedBy, reason, 1);
    diagOnce("warn", `batcher:${signal}:${reason}`, message);
  };

  return {
    add(item) {
      if (stopping) return drop("already_shutdown", `Dropping ${signal} added after shutdown.`);
      if (queue.length >= capacity) {
        return drop("queue_full", `Export queue for ${signal} is full (maxQueueSize ${capacity}): the exporter is failing or slower than the producer; dropping new ${signal} (see stats()).`);
      }
      queue.push(item);
      accepted++;
      // A full batch is exported in a microtask (see send), batches of one (the simple
      // processors) at once, as they promise.
      if (queue.length < batchSize) arm();
      else if (!busy) pump(batchSize > 1);
    },
    forceFlush,
    shutdown() {
      const deadline = monotonicNow() + timeout;
      const what = `the ${signal} `;
      return (stopping ??= forceFlush().then(async () => {
        disarm();
        const left = queue.length;
        if (left) {
          queue = [];
          addCount(droppedBy, "shutdown_timeout", left);
          // Nothing will ever export them: taken and settled, so no flush waits for them.
          taken += left;
          settled += left;
          diag.warn(`Shutdown of ${what}batcher timed out; dropping ${left} queued ${signal}.`);
        }
        inFlight?.abort(new Error("shutdown"));
        // A throw or rejection of shutdown() arrives as outcome "error" (it runs inside then()).
        const outcome = await settleWithin(Promise.resolve().then(() => exporter.shutdown()), deadline - monotonicNow(), true);
        if (outcome.kind !== "value") diag.warn(`Shutting down ${what}exporter ${outcome.kind === "error" ? `failed: ${describe(outcome.error)}` : `did not finish within ${timeout} ms`}`);
      }));
    },
    stats() {
      const droppedByReason = { ...droppedBy };
      const failedByReason = { ...failedBy };
      return {
        queued: queue.length,
        capacity,
        inFlight: taken - settled,
        exported,
        dropped: sum(droppedByReason),
        failed: sum(failedByReason),
        droppedByReason,
        failedByReason,
      };
    },
  };
}

function sum(counts: Record<string, number>): number {
  let n = 0;
  for (const key in counts) n += counts[key]!;
  return n;
}
