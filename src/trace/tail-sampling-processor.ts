/**
 * Local tail sampling: the decision is taken after this process's part of a trace has
 * finished, so it can keep every trace with an error and every slow one, and only a ratio
 * of the rest. The Collector's `tailsamplingprocessor` sees whole traces; an edge function
 * sees one request per local trace, which is where the decision is cheapest.
 *
 * A LOCAL trace is the spans of one trace id recorded in this process. Its LOCAL ROOTS are
 * the spans whose parent is remote or absent (tracked in `onStart`). Ended spans are
 * buffered until every local root that started has ended, then the trace is decided:
 *
 * 1. `decide(spans)` if configured, when it returns a boolean;
 * 2. keep when `keepErrors` and any span has status ERROR;
 * 3. keep when a local root lasted at least `latencyThresholdMillis`;
 * 4. keep when the trace id passes `ratio` — deterministically, with the 56-bit threshold
 *    arithmetic of the spec's consistent probability sampling (threshold.ts), so every
 *    service running this processor with the same ratio keeps the same traces;
 * 5. else drop.
 *
 * Kept spans go to `next` (normally a BatchSpanProcessor). Decisions are remembered for a
 * bounded number of recent traces, so a child ending after its root (a fire-and-forget
 * `fetch`) follows its trace. Memory is bounded (DESIGN principle 4): at most
 * `maxBufferedTraces` traces (the oldest is decided early, and counted, to make room) and
 * `maxSpansPerTrace` spans per trace (further spans are dropped and counted, but their
 * ERROR status still counts for the decision).
 *
 * The head sampler must record everything, or there is nothing to decide on: use
 * `AlwaysOnSampler` (or `ParentBased(AlwaysOn)`). Spans whose head decision is RECORD_ONLY
 * are seen here but carry no sampled flag, so a BatchSpanProcessor will not export them.
 * Tail sampling does not rewrite tracestate: `ot=th` describes the head decision only.
 */
import { diagOnce } from "../common/diag.ts";
import { now } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import type { Exporter } from "../export/exporter.ts";
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from "./batch-span-processor.ts";
import { randomnessOf } from "./samplers/ot-trace-state.ts";
import { probabilityToTh, THRESHOLD_DIGITS } from "./samplers/threshold.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/** Options for {@link TailSamplingProcessor}. Give exactly one of `exporter` or `next`. */
export interface TailSamplingProcessorOptions {
  /** Where kept spans go, through a BatchSpanProcessor built with `batch`. */
  exporter?: Exporter<ReadableSpan>;
  /** Batch settings when `exporter` is given. */
  batch?: BatchSpanProcessorOptions;
  /** The processor kept spans go to (it sees `onEnd` of kept spans only, never `onStart`). */
  next?: SpanProcessor;
  /** Keep every trace with a span whose status is ERROR. Default true. */
  keepErrors?: boolean;
  /** Keep every trace whose local root lasted at least this long. Default: no latency rule. */
  latencyThresholdMillis?: number;
  /** Fraction of the remaining traces to keep, in [0, 1], decided on the trace id. Default 0.1. */
  ratio?: number;
  /** Your own rule, asked first: true keeps, false drops, undefined falls through. Must not throw. */
  decide?: (spans: readonly ReadableSpan[]) => boolean | undefined;
  /** Traces buffered at once; the oldest is decided early to make room. Default 1000. */
  maxBufferedTraces?: number;
  /** Spans buffered per trace; later ones are dropped. Default 1000. */
  maxSpansPerTrace?: number;
  /** Recent decisions remembered for spans that end after their trace was decided. Default 10000. */
  maxRememberedDecisions?: number;
}

/** Counters of a {@link TailSamplingProcessor}. */
export interface TailSamplingStats {
  /** Traces waiting for their local roots to end. */
  readonly bufferedTraces: number;
  /** Spans in those traces. */
  readonly bufferedSpans: number;
  /** Decisions remembered for late spans (bounded by `maxRememberedDecisions`). */
  readonly rememberedDecisions: number;
  /** Traces kept / dropped so far. */
  readonly keptTraces: number;
  readonly droppedTraces: number;
  /** Traces decided before their roots ended, to stay within `maxBufferedTraces`. */
  readonly evictedTraces: number;
  /** Spans dropped because their trace already held `maxSpansPerTrace` spans. */
  readonly overflowSpans: number;
}

interface LocalTrace {
  readonly spans: ReadableSpan[];
  openRoots: number;
  endedRoots: number;
  firstRootStart: number;
  maxRootDuration: number;
  hasError: boolean;
  overflow: number;
}

/**
 * Buffers each local trace until its local root ends, then keeps errors, slow traces and a
 * ratio of the rest.
 *
 * @example
 * ```ts
 * const sdk = init({
 *   sampler: new AlwaysOnSampler(), // tail sampling needs every span recorded
 *   traceExporter: "none",
 *   spanProcessors: [new TailSamplingProcessor({ exporter: createOtlpTraceExporter(), latencyThresholdMillis: 500, ratio: 0.05 })],
 * });
 * ```
 */
export class TailSamplingProcessor implements SpanProcessor {
  readonly #next: SpanProcessor;
  readonly #keepErrors: boolean;
  readonly #latency: number;
  readonly #threshold: string | undefined; // 14 hex digits; undefined = ratio 0
  readonly #decide: ((spans: readonly ReadableSpan[]) => boolean | undefined) | undefined;
  readonly #maxTraces: number;
  readonly #maxSpans: number;
  readonly #maxDecisions: number;
  // Map iteration order is insertion order: the first entry is the oldest (evicted first).
  readonly #traces = new Map<string, LocalTrace>();
  readonly #decisions = new Map<string, boolean>();
  #bufferedSpans = 0;
  #kept = 0;
  #dropped = 0;
  #evicted = 0;
  #overflow = 0;
  #shutdown = false;

  /** @throws TypeError without exactly one of `exporter`/`next`; RangeError for out-of-range numbers. */
  constructor(options: TailSamplingProcessorOptions) {
    const { exporter, next } = options ?? {};
    if ((exporter === undefined) === (next === undefined)) {
      throw new TypeError("Cannot create TailSamplingProcessor: give exactly one of `exporter` (kept spans are batched to it) or `next` (a span processor).");
    }
    if (next !== undefined && (typeof next !== "object" || next === null || typeof next.onEnd !== "function")) {
      throw new TypeError("Cannot create TailSamplingProcessor: `next` must be a span processor with onEnd/forceFlush/shutdown.");
    }
    const ratio = options.ratio ?? 0.1;
    if (typeof ratio !== "number" || !(ratio >= 0 && ratio <= 1)) {
      throw new RangeError(`Cannot create TailSamplingProcessor: ratio must be a number in [0, 1], got ${String(ratio)}.`);
    }
    const latency = options.latencyThresholdMillis ?? Infinity;
    if (typeof latency !== "number" || !(latency >= 0)) {
      throw new RangeError(`Cannot create TailSamplingProcessor: latencyThresholdMillis must be a number >= 0, got ${String(latency)}.`);
    }
    this.#maxTraces = positiveInteger("maxBufferedTraces", options.maxBufferedTraces, 1000);
    this.#maxSpans = positiveInteger("maxSpansPerTrace", options.maxSpansPerTrace, 1000);
    this.#maxDecisions = positiveInteger("maxRememberedDecisions", options.maxRememberedDecisions, 10_000);
    this.#next = next ?? new BatchSpanProcessor(exporter!, options.batch);
    this.#keepErrors = options.keepErrors ?? true;
    this.#latency = latency;
    this.#threshold = probabilityToTh(ratio)?.padEnd(THRESHOLD_DIGITS, "0");
    this.#decide = typeof options.decide === "function" ? options.decide : undefined;
  }

  /** Registers local roots (parent absent or remote), so the trace is buffered until they end. */
  onStart(span: Span & ReadableSpan, _parentContext: Context): void {
    if (this.#shutdown) return;
    try {
      const parent = span.parentSpanContext;
      if (parent !== undefined && !parent.isRemote) return;
      const traceId = span.spanContext().traceId;
      let trace = this.#traces.get(traceId);
      if (trace === undefined) {
        if (this.#traces.size >= this.#maxTraces) this.#evictOldest();
        trace = { spans: [], openRoots: 0, endedRoots: 0, firstRootStart: span.startTime, maxRootDuration: 0, hasError: false, overflow: 0 };
        this.#traces.set(traceId, trace);
      }
      trace.openRoots++;
    } catch (err) {
      diagOnce("error", "tail-sampling.onstart", "TailSamplingProcessor: could not register a span; it will be decided on its own.", err);
    }
  }

  /** Buffers `span`; decides its trace when the last open local root ends. Never throws. */
  onEnd(span: ReadableSpan): void {
    if (this.#shutdown) return;
    try {
      const traceId = span.spanContext().traceId;
      const trace = this.#traces.get(traceId);
      if (trace === undefined) {
        this.#late(traceId, span);
        return;
      }
      if (span.status.code === 2 /* SpanStatusCode.ERROR */) trace.hasError = true;
      if (trace.spans.length < this.#maxSpans) {
        trace.spans.push(span);
        this.#bufferedSpans++;
      } else {
        trace.overflow++;
        this.#overflow++;
        diagOnce("warn", "tail-sampling.overflow", `TailSamplingProcessor: a trace reached maxSpansPerTrace (${this.#maxSpans}); further spans of it are dropped.`);
      }
      const parent = span.parentSpanContext;
      if (parent === undefined || parent.isRemote) {
        trace.endedRoots++;
        trace.openRoots--;
        const duration = span.endTime - span.startTime;
        if (duration > trace.maxRootDuration) trace.maxRootDuration = duration;
        if (trace.openRoots <= 0) this.#finish(traceId, trace);
      }
    } catch (err) {
      diagOnce("error", "tail-sampling.onend", "TailSamplingProcessor: a span could not be processed and was dropped.", err);
    }
  }

  /** Decides traces whose local root already ended, then flushes `next`. Never rejects. */
  async forceFlush(): Promise<void> {
    for (const [traceId, trace] of [...this.#traces]) if (trace.endedRoots > 0) this.#finish(traceId, trace);
    try {
      await this.#next.forceFlush();
    } catch (err) {
      diagOnce("error", "tail-sampling.flush", "TailSamplingProcessor: the next processor failed to flush.", err);
    }
  }

  /** Decides every buffered trace with what is known, then shuts `next` down. Never rejects. */
  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    for (const [traceId, trace] of [...this.#traces]) this.#finish(traceId, trace);
    this.#shutdown = true;
    this.#decisions.clear();
    try {
      await this.#next.shutdown();
    } catch (err) {
      diagOnce("error", "tail-sampling.shutdown", "TailSamplingProcessor: the next processor failed to shut down.", err);
    }
  }

  /** Buffer sizes and decision counters. */
  stats(): TailSamplingStats {
    return {
      bufferedTraces: this.#traces.size,
      bufferedSpans: this.#bufferedSpans,
      rememberedDecisions: this.#decisions.size,
      keptTraces: this.#kept,
      droppedTraces: this.#dropped,
      evictedTraces: this.#evicted,
      overflowSpans: this.#overflow,
    };
  }

  // A span of a trace that is not buffered: its trace was decided (follow the decision) or
  // its root was never seen (decide on this span alone, and remember for its siblings).
  #late(traceId: string, span: ReadableSpan): void {
    let keep = this.#decisions.get(traceId);
    if (keep === undefined) {
      keep = this.#shouldKeep(traceId, [span], span.status.code === 2 /* SpanStatusCode.ERROR */, span.endTime - span.startTime);
      this.#remember(traceId, keep);
      if (keep) this.#kept++;
      else this.#dropped++;
    }
    if (keep) this.#forward(span);
  }

  #evictOldest(): void {
    const oldest = this.#traces.entries().next();
    if (oldest.done) return;
    const [traceId, trace] = oldest.value;
    this.#evicted++;
    diagOnce("warn", "tail-sampling.evict", `TailSamplingProcessor: more than maxBufferedTraces (${this.#maxTraces}) traces in progress; deciding the oldest before its root ended.`);
    // The open root has lasted at least this long so far: enough to call it slow.
    const elapsed = now() - trace.firstRootStart;
    if (elapsed > trace.maxRootDuration) trace.maxRootDuration = elapsed;
    this.#finish(traceId, trace);
  }

  #finish(traceId: string, trace: LocalTrace): void {
    this.#traces.delete(traceId);
    this.#bufferedSpans -= trace.spans.length;
    const keep = this.#shouldKeep(traceId, trace.spans, trace.hasError, trace.maxRootDuration);
    this.#remember(traceId, keep);
    if (keep) {
      this.#kept++;
      for (const span of trace.spans) this.#forward(span);
    } else this.#dropped++;
  }

  #shouldKeep(traceId: string, spans: readonly ReadableSpan[], hasError: boolean, rootDuration: number): boolean {
    if (this.#decide !== undefined) {
      try {
        const verdict = this.#decide(spans);
        if (typeof verdict === "boolean") return verdict;
      } catch (err) {
        diagOnce("error", "tail-sampling.decide", "TailSamplingProcessor: the `decide` option threw; using the built-in rules.", err);
      }
    }
    if (this.#keepErrors && hasError) return true;
    if (rootDuration >= this.#latency) return true;
    if (this.#threshold === undefined) return false;
    const root = spans.find((s) => s.parentSpanContext === undefined || s.parentSpanContext.isRemote) ?? spans[0];
    // Explicit randomness (`ot=rv`) wins over the trace id, as in the head sampler.
    const randomness = randomnessOf(traceId, root?.spanContext().traceState);
    return /^[0-9a-f]{14}$/.test(randomness) && randomness >= this.#threshold;
  }

  #remember(traceId: string, keep: boolean): void {
    this.#decisions.delete(traceId); // re-insert as the newest
    if (this.#decisions.size >= this.#maxDecisions) {
      const oldest = this.#decisions.keys().next();
      if (!oldest.done) this.#decisions.delete(oldest.value);
    }
    this.#decisions.set(traceId, keep);
  }

  #forward(span: ReadableSpan): void {
    try {
      this.#next.onEnd(span);
    } catch (err) {
      diagOnce("error", "tail-sampling.next", "TailSamplingProcessor: the next processor threw in onEnd; the error was ignored.", err);
    }
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot create TailSamplingProcessor: ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
