// withFlush() for Lambda-style handlers, in Node: the result comes back only after spans,
// metrics and logs were exported; a throwing handler is flushed and rethrown; a hung exporter
// is bounded by timeoutMillis and by the Lambda deadline (getRemainingTimeInMillis), so the
// function never hangs; `this` and arguments pass through.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { ExportResultCode, type ExportResult, type Exporter } from "../../src/export/exporter.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { withFlush } from "../../src/instrument/with-flush.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { createLog } from "../../src/logs/friendly-logger.ts";
import { metrics } from "../../src/metrics/metrics-api.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { init, type FullSdk as Sdk } from "../../mod.ts";
import { trace } from "../../src/trace/trace-api.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";

function start() {
  const e = { spans: new InMemorySpanExporter(), metrics: new InMemoryMetricExporter(), logs: new InMemoryLogRecordExporter() };
  // Nothing leaves on its own: only a flush exports (as on a frozen serverless process).
  const sdk = init({
    serviceName: "lambda-test",
    traceExporter: e.spans,
    metricExporter: e.metrics,
    logExporter: e.logs,
    batch: { scheduledDelayMillis: Infinity },
    logBatch: { scheduledDelayMillis: Infinity },
    metricExportIntervalMillis: Infinity,
  });
  return { sdk, e };
}

function record(tag: string): void {
  trace.getTracer("lambda").startSpan(`work ${tag}`).end();
  metrics.getMeter("lambda").createCounter("invocations").add(1, { tag });
  createLog({ name: "lambda" }).info(`handled ${tag}`);
}

/** A span exporter whose exports never finish until released (a hung collector). */
class HungExporter implements Exporter<ReadableSpan> {
  calls = 0;
  #release: Array<(r: ExportResult) => void> = [];
  export(): Promise<ExportResult> {
    this.calls++;
    return new Promise((resolve) => this.#release.push(resolve));
  }
  release(): void {
    for (const r of this.#release.splice(0)) r({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {
    this.release();
  }
  async forceFlush(): Promise<void> {}
}

/** Resolves with `promise`, or rejects if it has not settled after `ms` (a hang guard, not a timing assertion). */
function guard<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hung`)), ms)))]).finally(() => clearTimeout(timer));
}

let sdk: Sdk | undefined;
test.after.each(async () => {
  await sdk?.shutdown();
  sdk = undefined;
  diag.setLogger();
  resetDiagOnce();
});

test("the result is returned only after spans, metrics and logs were exported (global providers by default)", async () => {
  const started = start();
  sdk = started.sdk;
  const handler = withFlush(async (event: { id: string }) => {
    record(event.id);
    // Still queued while the handler runs.
    assert.is(started.e.spans.getFinishedSpans().length, 0);
    return { statusCode: 200, id: event.id };
  });
  const result = await handler({ id: "a" });
  assert.equal(result, { statusCode: 200, id: "a" });
  assert.equal(started.e.spans.getFinishedSpans().map((s) => s.name), ["work a"]);
  assert.is(started.e.logs.getFinishedLogRecords().length, 1);
  assert.ok(JSON.stringify(started.e.metrics.getMetrics()).includes("invocations"));
});

test("with an explicit sdk, that sdk is flushed; `this` and every argument pass through", async () => {
  const started = start();
  sdk = started.sdk;
  let flushes = 0;
  const flushable = { flush: () => (flushes++, started.sdk.flush()) };
  const target = {
    prefix: "id-",
    handle: withFlush(function (this: { prefix: string }, event: string, context: { requestId: string }, extra: number) {
      record(event);
      return `${this.prefix}${event}:${context.requestId}:${extra}`;
    }, flushable),
  };
  assert.is(await target.handle("b", { requestId: "r1" }, 3), "id-b:r1:3");
  assert.is(flushes, 1);
  assert.equal(started.e.spans.getFinishedSpans().map((s) => s.name), ["work b"]);
});

test("a throwing handler (async or sync) is flushed, then its error is rethrown unchanged", async () => {
  const started = start();
  sdk = started.sdk;
  const failure = new SyntaxError("bad event");
  const asyncHandler = withFlush(async () => {
    record("async");
    throw failure;
  }, { sdk: started.sdk });
  const error = await asyncHandler().then(() => undefined, (e: unknown) => e);
  assert.is(error, failure);
  assert.equal(started.e.spans.getFinishedSpans().map((s) => s.name), ["work async"]);

  const syncHandler = withFlush((): number => {
    record("sync");
    throw new TypeError("sync failure");
  }, { sdk: started.sdk });
  const promise = syncHandler();
  assert.instance(promise, Promise, "the wrapper always returns a promise, even for a sync throw");
  const syncError = await promise.then(() => undefined, (e: unknown) => e);
  assert.instance(syncError, TypeError);
  assert.equal(started.e.spans.getFinishedSpans().map((s) => s.name), ["work async", "work sync"]);
});

test("a hung exporter: the result still comes back after timeoutMillis, with a diag warning", async () => {
  const warnings: string[] = [];
  diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  const hung = new HungExporter();
  sdk = init({ serviceName: "lambda-hung", traceExporter: hung, metricExporter: "none", logExporter: "none", batch: { scheduledDelayMillis: Infinity } });
  const handler = withFlush(async () => {
    record("hung");
    return "done";
  }, { sdk, timeoutMillis: 50 });
  assert.is(await guard(handler(), 10000, "withFlush with a hung exporter"), "done");
  assert.is(hung.calls, 1, "the export was attempted");
  assert.ok(warnings.some((w) => /longer than 50 ms/.test(w)), `warnings: ${warnings.join(" | ")}`);
  hung.release();
});

test("a hung exporter and a long timeoutMillis: the Lambda deadline (getRemainingTimeInMillis minus the margin) bounds the wait", async () => {
  const warnings: string[] = [];
  diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  const hung = new HungExporter();
  sdk = init({ serviceName: "lambda-deadline", traceExporter: hung, metricExporter: "none", logExporter: "none", batch: { scheduledDelayMillis: Infinity } });
  const handler = withFlush(async (_event: unknown, _context: { getRemainingTimeInMillis(): number }) => {
    record("deadline");
    return "in time";
  }, { sdk, timeoutMillis: 600000, deadlineMarginMillis: 500 });
  // 520 ms left: the flush may take at most 20 ms; a 600 s timeout alone would hang the guard.
  const result = await guard(handler({}, { getRemainingTimeInMillis: () => 520 }), 10000, "withFlush past the Lambda deadline");
  assert.is(result, "in time");
  assert.ok(warnings.some((w) => /longer than 20 ms/.test(w)), `warnings: ${warnings.join(" | ")}`);
  hung.release();
});

test("a flush that rejects does not replace the handler's result", async () => {
  const warnings: string[] = [];
  diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  const handler = withFlush(async () => 42, { sdk: { flush: () => Promise.reject(new Error("collector down")) } });
  assert.is(await handler(), 42);
  assert.ok(warnings.some((w) => w.includes("collector down")));
});

test("configuration errors throw at construction", () => {
  assert.throws(() => withFlush(undefined as never), (e: unknown) => e instanceof TypeError && /handler must be a function/.test((e as Error).message));
  assert.throws(() => withFlush(async () => 1, { timeoutMillis: -1 }), (e: unknown) => e instanceof RangeError && /timeoutMillis/.test((e as Error).message));
  assert.throws(() => withFlush(async () => 1, { timeoutMillis: Number.NaN }), RangeError);
});

test.run();
