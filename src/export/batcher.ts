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
 * - a full queue drops new items and counts them (DESIGN principle 4).
 *
 * An export that outlives `exportTimeoutMillis` is counted as failed (`timeout`) and its
 * exporter is told to stop through the `AbortSignal` it was given; the next export starts
 * only once that one has really ended (or a grace period passed, for exporters that ignore
 * the signal), so "one in flight" holds on the wire too, not only in the bookkeeping.
 * `forceFlush()` and `shutdown()` each resolve within `exportTimeoutMillis` (spec: ForceFlush
 * and Shutdown "SHOULD complete or abort within some timeout").
 *
 * While the collector is unavailable (an export failed with `network`, `timeout`, 429, 502, 503
 * or 504), batches are not exported one after another only to fail: the batcher backs off
 * (1 s, doubling up to 30 s; reset by a success) and keeps its queue, so the queue fills up,
 * new items are dropped at the door (cheap, counted as `queue_full`), memory stays flat, and
 * once the collector is back the queued items (the oldest, up to capacity) are delivered.
 * `forceFlush()` does not wait for the backoff: an explicit flush always tries.
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
import type { ExportListener, Settled, TimerHandle } from "./export-outcome.ts";
import { OutageBackoff } from "./outage-backoff.ts";
import { RateLimitedWarning } from "./rate-limit.ts";
import { positiveInteger, RingBuffer } from "./ring-buffer.ts";

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

interface FlushWaiter {
  target: number;
  resolve: () => void;
}

/** Queues items and exports them in batches; see the module doc for the rules. */
export class Batcher<T> {
  readonly #exporter: Exporter<T>;
  readonly #queue: RingBuffer<T>;
  readonly #batchSize: number;
  readonly #delay: number;
  readonly #timeout: number;
  readonly #signal: string;
  readonly #onExport: ExportListener | undefined;
  readonly #failures = new RateLimitedWarning();

  #timer: TimerHandle | undefined;
  #guard: TimerHandle | undefined; // timeout of the export in flight
  #abort: AbortController | undefined; // of the export in flight
  #due = false; // the timer fired while an export was in flight
  #busy = false; // an export is running (possibly already counted as timed out)
  #isShutdown = false;
  #shutdownPromise: Promise<void> | undefined;
  readonly #backoff = new OutageBackoff();

  // Sequence counters: items accepted into the queue, taken out of it (for export, or dropped
  // at shutdown), and done with. FIFO order + one export in flight make "settled >= n" mean the
  // first n accepted items are done, which is what forceFlush waits for; taken - settled are in flight.
  #accepted = 0;
  #taken = 0;
  #settled = 0;
  #flushTarget = 0;
  #waiters: FlushWaiter[] = [];

  #exportedCount = 0;
  #failedBy: Record<string, number> = Object.create(null) as Record<string, number>; // keys come from exporters
  #droppedBy: Record<string, number> = {}; // queue_full is the queue's own count

  /**
   * Options left unset get the spec's batching defaults (`OTEL_BSP_*`: 2048, 512, 5000 ms, 30000 ms),
   * so the processors pass their options through.
   * @throws RangeError when a size or time option is invalid (message says which and why).
   */
  constructor(options: BatcherOptions<T>) {
    const { exporter, signal } = options;
    // `??`: null counts as unset, as in the processors' options.
    const maxQueueSize = options.maxQueueSize ?? 2048;
    const maxExportBatchSize = options.maxExportBatchSize ?? 512;
    const scheduledDelayMillis = options.scheduledDelayMillis ?? 5000;
    const exportTimeoutMillis = options.exportTimeoutMillis ?? 30_000;
    const what = `Cannot create batcher for ${signal}: `;
    const check = (ok: boolean, message: string, Type: typeof TypeError = RangeError): void => {
      if (!ok) throw new Type(what + message);
    };
    check(typeof exporter?.export === "function", "exporter must be an object with an export() method", TypeError);
    positiveInteger(maxQueueSize, `${what}maxQueueSize`);
    positiveInteger(maxExportBatchSize, `${what}maxExportBatchSize`);
    check(maxExportBatchSize <= maxQueueSize, `maxExportBatchSize (${maxExportBatchSize}) must not exceed maxQueueSize (${maxQueueSize}), or a full batch could never be queued`);
    // `typeof` first: a string "5" compares as a number.
    check(typeof scheduledDelayMillis === "number" && scheduledDelayMillis >= 0, `scheduledDelayMillis must be a number >= 0 (or Infinity), got ${String(scheduledDelayMillis)}`);
    check(typeof exportTimeoutMillis === "number" && exportTimeoutMillis > 0, `exportTimeoutMillis must be a number > 0 (or Infinity), got ${String(exportTimeoutMillis)}`);
    check(options.onExport === undefined || typeof options.onExport === "function", "onExport must be a function", TypeError);
    this.#exporter = exporter;
    this.#queue = new RingBuffer<T>(maxQueueSize);
    this.#batchSize = maxExportBatchSize;
    this.#delay = scheduledDelayMillis;
    this.#timeout = exportTimeoutMillis;
    this.#signal = signal;
    this.#onExport = options.onExport;
  }

  /** Queues `item` for export. Never throws; a full queue or a shut-down batcher drops it (counted). */
  add(item: T): void {
    try {
      if (this.#isShutdown) {
        addCount(this.#droppedBy, "already_shutdown", 1);
        diagOnce("warn", `batcher:${this.#signal}:after-shutdown`, `Dropping ${this.#signal} added after shutdown; they will not be exported.`);
        return;
      }
      if (!this.#queue.push(item)) {
        diagOnce(
          "warn",
          `batcher:${this.#signal}:queue-full`,
          `Export queue for ${this.#signal} is full (maxQueueSize ${this.#queue.capacity}): the exporter is failing or slower than the producer; dropping new ${this.#signal} (see stats()).`,
        );
        return;
      }
      this.#accepted++;
      // A full batch is exported in a microtask (see #startExport), batches of one (the simple
      // processors) at once, as they promise.
      if (this.#queue.size < this.#batchSize) this.#armTimer();
      else if (!this.#busy) this.#pump(this.#batchSize > 1);
    } catch (error) {
      this.#unexpected("queueing", error);
    }
  }

  /**
   * Exports everything queued at the time of the call, in order, batch by batch; resolves
   * when those exports have settled (successfully or not), or after `timeoutMillis`
   * (default `exportTimeoutMillis`), whichever comes first. Never rejects. Items not exported
   * by then stay queued and are exported in the background.
   */
  forceFlush(timeoutMillis: number = this.#timeout): Promise<void> {
    const target = this.#accepted;
    if (this.#settled >= target) return Promise.resolve();
    if (this.#guard !== undefined) setTimerRef(this.#guard, true);
    let waiter!: FlushWaiter;
    const flushed = new Promise<void>((resolve) => (waiter = { target, resolve }));
    this.#waiters.push(waiter);
    if (target > this.#flushTarget) this.#flushTarget = target;
    this.#pump();
    // Referenced: whoever awaits this promise must see it settle before the process exits.
    return settleWithin(flushed, timeoutMillis, true).then(() => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    });
  }

  /**
   * Refuses new items, flushes what is queued, then shuts the exporter down, all within
   * `exportTimeoutMillis`. Idempotent; never rejects. Items added from now on are dropped
   * (`already_shutdown`); items still queued when the time is up are dropped (`shutdown_timeout`)
   * and an export still running is aborted.
   */
  shutdown(): Promise<void> {
    if (this.#shutdownPromise) return this.#shutdownPromise;
    this.#isShutdown = true;
    const deadline = monotonicNow() + this.#timeout;
    this.#shutdownPromise = this.forceFlush().then(async () => {
      this.#clearTimer();
      const left = this.#queue.size;
      if (left > 0) {
        this.#queue.clear();
        addCount(this.#droppedBy, "shutdown_timeout", left);
        // Nothing will ever export them: taken and settled, so no flush waits for them.
        this.#taken += left;
        this.#settled += left;
        diag.warn(`Shutdown of the ${this.#signal} batcher timed out; dropping ${left} queued ${this.#signal}.`);
      }
      this.#abort?.abort(new Error("shutdown"));
      // A throw or rejection of shutdown() arrives as outcome "error" (it runs inside then()).
      const shutting = Promise.resolve().then(() => this.#exporter.shutdown());
      const outcome = await settleWithin(shutting, Math.max(0, deadline - monotonicNow()), true);
      if (outcome.kind === "error") diag.warn(`Shutting down the ${this.#signal} exporter failed: ${describe(outcome.error)}`);
      if (outcome.kind === "timeout") diag.warn(`Shutting down the ${this.#signal} exporter did not finish within ${this.#timeout} ms.`);
    });
    return this.#shutdownPromise;
  }

  /** The batcher's counters (a fresh object each call). */
  stats(): BatcherStats {
    const droppedByReason = { ...this.#droppedBy };
    addCount(droppedByReason, "queue_full", this.#queue.dropped);
    const failedByReason = { ...this.#failedBy };
    return {
      queued: this.#queue.size,
      capacity: this.#queue.capacity,
      inFlight: this.#taken - this.#settled,
      exported: this.#exportedCount,
      dropped: sum(droppedByReason),
      failed: sum(failedByReason),
      droppedByReason,
      failedByReason,
    };
  }

  // Starts the next export if one is warranted and none is in flight. Called from add(),
  // flushes and callbacks (export settled, timer): an error must not escape into the runtime.
  #pump(later?: boolean): void {
    try {
      this.#tryExport(later);
    } catch (error) {
      this.#unexpected("scheduling", error);
    }
  }

  #tryExport(later?: boolean): void {
    if (this.#busy) return;
    const size = this.#queue.size;
    if (size === 0) {
      this.#due = false;
      this.#clearTimer();
      return;
    }
    const flushing = this.#taken < this.#flushTarget || this.#isShutdown;
    if (!flushing) {
      const wait = this.#backoff.remainingMillis();
      if (wait > 0) return this.#armTimer(wait);
    }
    if (size >= this.#batchSize || flushing || this.#due) {
      this.#clearTimer();
      this.#due = false;
      const batch = this.#queue.drain(this.#batchSize);
      this.#taken += batch.length;
      this.#startExport(batch, later);
    } else {
      this.#armTimer();
    }
  }

  // One export: count its outcome when it settles or times out (that is when flush waiters
  // move on), but keep the slot until the exporter has really finished.
  #startExport(batch: T[], later?: boolean): void {
    this.#busy = true;
    const abort = new AbortController();
    this.#abort = abort;
    const started = monotonicNow();
    // Spec (SDK, exporter): the export runs with tracing suppressed, so an instrumented
    // `fetch` inside the exporter does not create spans about exporting spans.
    const run = (): Promise<ExportResult> => context.with(suppressTracing(context.active()), () => this.#exporter.export(batch, { signal: abort.signal }));
    // `later`: the add() that filled a batch does not run its export, which encodes the batch
    // right away (milliseconds for 512 spans): no span.end() or log call pays for that (issue 18).
    // It runs in a microtask, still in this task, before any timer. Flushes and timers export at
    // once: a flush at page hide starts its request inside the event. A throw rejects.
    const exporting = later ? Promise.resolve().then(run) : new Promise<ExportResult>((resolve) => resolve(run()));
    // A background export's guard must not keep the process alive on its own (its I/O does
    // that), but while someone awaits forceFlush/shutdown it stays referenced.
    const keepAlive = this.#waiters.length > 0 || this.#isShutdown;
    void settleWithin(exporting, this.#timeout, keepAlive, (t) => (this.#guard = t)).then((outcome) => {
      this.#guard = undefined;
      // Aborted by shutdown's time limit: a timeout, whatever the exporter answered to the abort.
      const aborted = abort.signal.aborted && !(outcome.kind === "value" && outcome.value?.code === 0 /* ExportResultCode.SUCCESS */);
      this.#finishExport(batch.length, aborted ? { kind: "timeout" } : outcome, monotonicNow() - started);
      if (outcome.kind !== "timeout") return this.#release(abort);
      abort.abort(new Error(`export timed out after ${this.#timeout} ms`));
      // Exporters that honour the signal end at once; bound the wait for those that do not.
      const grace = Math.min(this.#timeout, 5000);
      return settleWithin(exporting, grace, false).then(() => this.#release(abort));
    });
  }

  #release(abort: AbortController): void {
    if (this.#abort === abort) this.#abort = undefined;
    this.#busy = false;
    this.#pump();
  }

  #finishExport(count: number, outcome: Settled<ExportResult>, durationMillis: number): void {
    try {
      const c = classifyExport(outcome, count);
      this.#exportedCount += c.exported;
      this.#backoff.record(c.exported === 0 && c.failed > 0 ? c.errorType : undefined);
      if (c.failed > 0) {
        addCount(this.#failedBy, c.errorType ?? "_OTHER", c.failed);
        if (c.errorType !== "rejected") this.#failures.warn(`Export of ${count} ${this.#signal} failed: ${c.cause ?? c.errorType}`);
      }
      this.#onExport?.(exportEvent(c, durationMillis));
    } catch (error) {
      this.#unexpected("counting", error);
    }
    this.#settled += count;
    // Waiters whose items are all done move on.
    this.#waiters = this.#waiters.filter((w) => this.#settled < w.target || void w.resolve());
  }

  // A bug of ours (or a broken runtime) while `doing` something: reported once, never thrown.
  #unexpected(doing: string, error: unknown): void {
    diagOnce("error", `batcher:${this.#signal}:${doing}`, `Unexpected error ${doing} ${this.#signal}: ${describe(error)}`);
  }

  // Arms the export timer (`ms`: the scheduled delay, or what is left of a backoff).
  #armTimer(ms: number = this.#delay): void {
    if (this.#timer !== undefined || this.#delay === Infinity || this.#queue.size === 0) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#pump();
    }, Math.min(ms, MAX_TIMER_MILLIS));
    setTimerRef(timer, false);
    this.#timer = timer;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function sum(counts: Record<string, number>): number {
  let n = 0;
  for (const key in counts) n += counts[key]!;
  return n;
}
