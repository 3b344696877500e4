/**
 * The one batching implementation every signal uses (spans, log records): a bounded
 * queue exported in batches by size, by timer, or on flush.
 *
 * Follows the OTel SDK spec's Batching processor
 * (https://opentelemetry.io/docs/specs/otel/trace/sdk/#batching-processor):
 * - export as soon as `maxExportBatchSize` items are queued, else after `scheduledDelayMillis`;
 * - at most one export in flight (spec: "Export will never be called concurrently for the
 *   same exporter instance");
 * - each export bounded by `exportTimeoutMillis`;
 * - a full queue drops new items and counts them (DESIGN principle 4).
 *
 * The timer is armed only while items are queued (no idle wake-ups) and is `unref()`'d
 * where the runtime supports it, so it never keeps a process alive on its own.
 * `scheduledDelayMillis: Infinity` never arms it: on Workers/serverless the caller flushes.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import { suppressTracing } from "../trace/suppress.ts";
import { ExportResultCode } from "./exporter.ts";
import type { Exporter, ExportResult } from "./exporter.ts";
import { RateLimitedWarning } from "./rate-limit.ts";
import { RingBuffer } from "./ring-buffer.ts";

/** Configuration of a {@link Batcher}. */
export interface BatcherOptions<T> {
  /** Where batches go. */
  exporter: Exporter<T>;
  /** Capacity of the queue; items beyond it are dropped and counted. */
  maxQueueSize: number;
  /** Largest batch handed to the exporter; reaching it triggers an export at once. */
  maxExportBatchSize: number;
  /** Delay between the first queued item and its export; `Infinity` = flush only. */
  scheduledDelayMillis: number;
  /** Time after which an unsettled export counts as failed; `Infinity` = no limit. */
  exportTimeoutMillis: number;
  /** What is batched, for diagnostics (e.g. "spans", "log records"). */
  signal: string;
}

/** Counters describing a {@link Batcher}'s life so far. */
export interface BatcherStats {
  /** Items waiting in the queue now. */
  queued: number;
  /** Items in batches the exporter reported as exported. */
  exported: number;
  /** Items refused: queue full, or added after shutdown. */
  dropped: number;
  /** Items in batches whose export failed, threw or timed out. */
  failed: number;
}

// setTimeout cannot wait longer than 2^31-1 ms (it fires at once instead).
const MAX_TIMER_MILLIS = 2_147_483_647;

type TimerHandle = ReturnType<typeof setTimeout>;

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
  readonly #failures = new RateLimitedWarning();

  #timer: TimerHandle | undefined;
  #guard: TimerHandle | undefined; // timeout of the export in flight
  #due = false; // the timer fired while an export was in flight
  #inFlight = false;
  #isShutdown = false;
  #shutdownPromise: Promise<void> | undefined;

  // Sequence counters: items accepted into the queue, taken out for export, and whose
  // export settled. FIFO order + one export in flight make "settled >= n" mean the first
  // n accepted items are done, which is what forceFlush waits for.
  #accepted = 0;
  #taken = 0;
  #settled = 0;
  #flushTarget = 0;
  #waiters: FlushWaiter[] = [];

  #exportedCount = 0;
  #failedCount = 0;
  #droppedAfterShutdown = 0;

  /** @throws RangeError when a size or time option is invalid (message says which and why). */
  constructor(options: BatcherOptions<T>) {
    const { exporter, maxQueueSize, maxExportBatchSize, scheduledDelayMillis, exportTimeoutMillis, signal } = options;
    const what = `Cannot create batcher for ${signal}`;
    if (exporter === null || typeof exporter !== "object" || typeof exporter.export !== "function") {
      throw new TypeError(`${what}: exporter must be an object with an export() method`);
    }
    if (!Number.isSafeInteger(maxQueueSize) || maxQueueSize < 1) {
      throw new RangeError(`${what}: maxQueueSize must be a positive integer, got ${String(maxQueueSize)}`);
    }
    if (!Number.isSafeInteger(maxExportBatchSize) || maxExportBatchSize < 1) {
      throw new RangeError(`${what}: maxExportBatchSize must be a positive integer, got ${String(maxExportBatchSize)}`);
    }
    if (maxExportBatchSize > maxQueueSize) {
      throw new RangeError(
        `${what}: maxExportBatchSize (${maxExportBatchSize}) must not exceed maxQueueSize (${maxQueueSize}), or a full batch could never be queued`,
      );
    }
    if (typeof scheduledDelayMillis !== "number" || !(scheduledDelayMillis >= 0)) {
      throw new RangeError(`${what}: scheduledDelayMillis must be a number >= 0 (or Infinity), got ${String(scheduledDelayMillis)}`);
    }
    if (typeof exportTimeoutMillis !== "number" || !(exportTimeoutMillis > 0)) {
      throw new RangeError(`${what}: exportTimeoutMillis must be a number > 0 (or Infinity), got ${String(exportTimeoutMillis)}`);
    }
    this.#exporter = exporter;
    this.#queue = new RingBuffer<T>(maxQueueSize);
    this.#batchSize = maxExportBatchSize;
    this.#delay = scheduledDelayMillis;
    this.#timeout = exportTimeoutMillis;
    this.#signal = signal;
  }

  /** Queues `item` for export. Never throws; a full queue or a shut-down batcher drops it (counted). */
  add(item: T): void {
    try {
      if (this.#isShutdown) {
        this.#droppedAfterShutdown++;
        diagOnce("warn", `batcher:${this.#signal}:after-shutdown`, `Dropping ${this.#signal} added after shutdown; they will not be exported.`);
        return;
      }
      if (!this.#queue.push(item)) {
        diagOnce(
          "warn",
          `batcher:${this.#signal}:queue-full`,
          `Export queue for ${this.#signal} is full (maxQueueSize ${this.#queue.capacity}); dropping new ${this.#signal}. ` +
            `The exporter is slower than the producer or failing; see stats() for the dropped count.`,
        );
        return;
      }
      this.#accepted++;
      if (this.#queue.size >= this.#batchSize) this.#pump();
      else this.#armTimer();
    } catch (error) {
      diagOnce("error", `batcher:${this.#signal}:add`, `Unexpected error queueing ${this.#signal}: ${String(error)}`);
    }
  }

  /**
   * Exports everything queued at the time of the call, in order, batch by batch; resolves
   * when those exports have settled (successfully or not). Never rejects.
   */
  forceFlush(): Promise<void> {
    const target = this.#accepted;
    if (this.#settled >= target) return Promise.resolve();
    if (this.#guard !== undefined) setTimerRef(this.#guard, true);
    return new Promise<void>((resolve) => {
      this.#waiters.push({ target, resolve });
      if (target > this.#flushTarget) this.#flushTarget = target;
      this.#pump();
    });
  }

  /**
   * Refuses new items, flushes what is queued, then shuts the exporter down. Idempotent;
   * never rejects. Items added from now on are dropped and counted.
   */
  shutdown(): Promise<void> {
    if (this.#shutdownPromise) return this.#shutdownPromise;
    this.#isShutdown = true;
    this.#shutdownPromise = this.forceFlush().then(async () => {
      this.#clearTimer();
      try {
        await this.#withTimeout(Promise.resolve(this.#exporter.shutdown()));
      } catch (error) {
        diag.warn(`Shutting down the ${this.#signal} exporter failed: ${describe(error)}`);
      }
    });
    return this.#shutdownPromise;
  }

  /** The batcher's counters. */
  stats(): BatcherStats {
    return {
      queued: this.#queue.size,
      exported: this.#exportedCount,
      dropped: this.#queue.dropped + this.#droppedAfterShutdown,
      failed: this.#failedCount,
    };
  }

  // Starts the next export if one is warranted and none is in flight.
  #pump(): void {
    if (this.#inFlight) return;
    const size = this.#queue.size;
    if (size === 0) {
      this.#due = false;
      this.#clearTimer();
      return;
    }
    if (size >= this.#batchSize || this.#taken < this.#flushTarget || this.#due) {
      this.#clearTimer();
      this.#due = false;
      const batch = this.#queue.drain(this.#batchSize);
      this.#taken += batch.length;
      this.#inFlight = true;
      void this.#exportBatch(batch).then(() => this.#afterExport(batch.length));
    } else {
      this.#armTimer();
    }
  }

  #afterExport(count: number): void {
    this.#inFlight = false;
    this.#settled += count;
    if (this.#waiters.length > 0) {
      const still: FlushWaiter[] = [];
      for (const w of this.#waiters) {
        if (this.#settled >= w.target) w.resolve();
        else still.push(w);
      }
      this.#waiters = still;
    }
    this.#pumpSafely();
  }

  // #pump from a callback (export settled, timer): an error must not escape into the runtime.
  #pumpSafely(): void {
    try {
      this.#pump();
    } catch (error) {
      diagOnce("error", `batcher:${this.#signal}:pump`, `Unexpected error scheduling ${this.#signal} export: ${String(error)}`);
    }
  }

  // Resolves (never rejects) once the export settled or timed out; updates the counters.
  async #exportBatch(batch: T[]): Promise<void> {
    let result: ExportResult | undefined;
    let error: unknown;
    try {
      // Spec (SDK, exporter): the export runs with tracing suppressed, so an instrumented
      // `fetch` inside the exporter does not create spans about exporting spans.
      const exporting = context.with(suppressTracing(context.active()), () => this.#exporter.export(batch));
      result = await this.#withTimeout(Promise.resolve(exporting));
    } catch (e) {
      error = e;
    }
    if (result && result.code === ExportResultCode.SUCCESS) {
      this.#exportedCount += batch.length;
      return;
    }
    this.#failedCount += batch.length;
    const cause = error !== undefined ? describe(error) : describe(result?.error ?? "exporter reported failure");
    this.#failures.warn(`Export of ${batch.length} ${this.#signal} failed: ${cause}`);
  }

  // Rejects with a timeout error if `promise` does not settle within exportTimeoutMillis.
  #withTimeout<R>(promise: Promise<R>): Promise<R> {
    if (this.#timeout === Infinity) return promise;
    const ms = Math.min(this.#timeout, MAX_TIMER_MILLIS);
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    });
    // A background export must not keep the process alive by this guard alone (its own
    // I/O does that), but while someone awaits forceFlush/shutdown the guard stays
    // referenced so that promise is guaranteed to settle instead of the process exiting.
    this.#guard = timer;
    if (this.#waiters.length === 0 && !this.#isShutdown) setTimerRef(timer!, false);
    return Promise.race([promise, timedOut]).finally(() => {
      clearTimeout(timer);
      if (this.#guard === timer) this.#guard = undefined;
    });
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#delay === Infinity || this.#queue.size === 0) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#pumpSafely();
    }, Math.min(this.#delay, MAX_TIMER_MILLIS));
    setTimerRef(timer, false);
    this.#timer = timer;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

// Node/Bun/Deno timers have ref()/unref(); browsers return a number. Feature-detect, no `process`.
function setTimerRef(timer: TimerHandle, ref: boolean): void {
  const fn = (timer as unknown as { ref?: () => void; unref?: () => void })[ref ? "ref" : "unref"];
  if (typeof fn === "function") fn.call(timer);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
