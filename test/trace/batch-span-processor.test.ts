import { test } from "uvu";
import * as assert from "uvu/assert";
import { BatchSpanProcessor } from "../../src/trace/batch-span-processor.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import type { Exporter, ExportResult } from "../../src/export/exporter.ts";
import { context } from "../../src/context/context-api.ts";
import { isTracingSuppressed } from "../../src/trace/suppress.ts";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { createOtlpExporter } from "../../src/export/otlp-http-exporter.ts";
import { encodeTracesBytes } from "../../src/export/otlp/trace-encoder.ts";

/** The four totals of a batcher's stats (the per-reason breakdown is asserted where it matters). */
const counts = (s: { queued: number; exported: number; dropped: number; failed: number }) => ({
  queued: s.queued,
  exported: s.exported,
  dropped: s.dropped,
  failed: s.failed,
});

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => unhandled.push(e));

let seq = 0;
function fakeSpan(name: string, traceFlags = 1): ReadableSpan {
  const spanId = (++seq).toString(16).padStart(16, "0");
  return {
    name,
    kind: 0,
    spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId, traceFlags }),
    parentSpanContext: undefined,
    startTime: 0,
    endTime: 1,
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    resource: { attributes: {} },
    instrumentationScope: { name: "test" },
    ended: true,
  };
}
const names = (spans: ReadableSpan[]) => spans.map((s) => s.name);

test("BatchSpanProcessor queues only sampled spans and exports them on flush", async () => {
  const exporter = new InMemorySpanExporter();
  const p = new BatchSpanProcessor(exporter, { scheduledDelayMillis: Infinity });
  p.onEnd(fakeSpan("a"));
  p.onEnd(fakeSpan("not-sampled", 0));
  p.onEnd(fakeSpan("b", 0b11)); // other flag bits do not matter, bit 0 does
  assert.is(p.stats().queued, 2);
  assert.equal(exporter.getFinishedSpans(), []);
  await p.forceFlush();
  assert.equal(names(exporter.getFinishedSpans()), ["a", "b"]);
  assert.equal(counts(p.stats()), { queued: 0, exported: 2, dropped: 0, failed: 0 });
});

test("BatchSpanProcessor defaults are the OTEL_BSP_* defaults (512 per batch, 2048 queued)", async () => {
  const batches: number[] = [];
  const exporter: Exporter<ReadableSpan> = {
    export: async (spans) => {
      batches.push(spans.length);
      return { code: ExportResultCode.SUCCESS };
    },
    shutdown: async () => {},
  };
  const hold: Exporter<ReadableSpan> = {
    export: () => new Promise<ExportResult>(() => {}), // never settles: the queue fills
    shutdown: async () => {},
  };
  const p = new BatchSpanProcessor(exporter);
  for (let i = 0; i < 1100; i++) p.onEnd(fakeSpan(`s${i}`));
  // The first 512 go out at once (no 5 s wait: in a microtask); the next full batch waits for that export.
  await new Promise<void>((r) => queueMicrotask(r));
  assert.equal(batches, [512]);
  await p.shutdown();
  assert.equal(batches, [512, 512, 76]);

  const full = new BatchSpanProcessor(hold, { exportTimeoutMillis: 1e9 });
  for (let i = 0; i < 3000; i++) full.onEnd(fakeSpan(`s${i}`));
  // 512 went to the (stuck) exporter, 2048 fill the queue, the rest are dropped.
  assert.equal(counts(full.stats()), { queued: 2048, exported: 0, dropped: 3000 - 512 - 2048, failed: 0 });
});

test("the span.end() that fills a batch returns without having called the exporter or its encoder; the export follows in a microtask", async () => {
  let encoded = 0;
  let fetched = 0;
  const exporter = createOtlpExporter<ReadableSpan>(
    "traces",
    (spans) => {
      encoded++;
      return encodeTracesBytes(spans);
    },
    { url: "http://127.0.0.1:9/v1/traces", fetch: (async () => (fetched++, new Response("{}"))) as typeof fetch },
  );
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1e9 })] });
  const tracer = provider.getTracer("t");
  const spans = Array.from({ length: 512 }, (_, i) => tracer.startSpan(`s${i}`, { attributes: { "http.route": "/orders/:id", i } }));
  for (let i = 0; i < 511; i++) spans[i]!.end();
  const started = performance.now();
  spans[511]!.end(); // the 512th: the batch is full
  const ms = performance.now() - started;
  assert.is(encoded, 0, "span.end() must not encode the batch");
  assert.is(fetched, 0);
  console.log(`    the span.end() that fills a batch of 512 took ${ms.toFixed(3)} ms`);
  await new Promise<void>((r) => queueMicrotask(r));
  assert.is(encoded, 1, "the export starts in the same task");
  await provider.forceFlush();
  assert.is(fetched, 1);
});

test("BatchSpanProcessor validates options with RangeError", () => {
  const exporter = new InMemorySpanExporter();
  assert.throws(() => new BatchSpanProcessor(exporter, { maxQueueSize: 10, maxExportBatchSize: 20 }), RangeError);
  assert.throws(() => new BatchSpanProcessor(exporter, { maxQueueSize: 0 }), RangeError);
});

test("BatchSpanProcessor shutdown flushes, shuts the exporter down and ignores later spans", async () => {
  const exporter = new InMemorySpanExporter();
  let shutdownSaw: string[] | undefined;
  const realShutdown = exporter.shutdown.bind(exporter);
  exporter.shutdown = () => {
    shutdownSaw = names(exporter.getFinishedSpans());
    return realShutdown();
  };
  const p = new BatchSpanProcessor(exporter, { scheduledDelayMillis: Infinity });
  p.onEnd(fakeSpan("a"));
  await p.shutdown();
  assert.equal(shutdownSaw, ["a"]);
  p.onEnd(fakeSpan("late"));
  assert.is(p.stats().dropped, 1);
});

test("exports run with tracing suppressed (batch and simple processors)", async () => {
  const seen: boolean[] = [];
  const exporter: Exporter<ReadableSpan> = {
    export: async () => {
      seen.push(isTracingSuppressed(context.active()));
      return { code: ExportResultCode.SUCCESS };
    },
    shutdown: async () => {},
  };
  const b = new BatchSpanProcessor(exporter, { scheduledDelayMillis: Infinity });
  b.onEnd(fakeSpan("a"));
  await b.forceFlush();
  const s = new SimpleSpanProcessor(exporter);
  s.onEnd(fakeSpan("b"));
  await s.forceFlush();
  assert.equal(seen, [true, true]);
  assert.is(isTracingSuppressed(context.active()), false);
});

test("SimpleSpanProcessor exports each sampled span on end; forceFlush awaits pending exports", async () => {
  const exported: string[] = [];
  let active = 0;
  let maxActive = 0;
  const exporter: Exporter<ReadableSpan> = {
    export: async (spans) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 2));
      exported.push(...names(spans));
      active--;
      return { code: ExportResultCode.SUCCESS };
    },
    shutdown: async () => {},
  };
  const p = new SimpleSpanProcessor(exporter);
  p.onEnd(fakeSpan("a"));
  p.onEnd(fakeSpan("skip", 0));
  p.onEnd(fakeSpan("b"));
  p.onEnd(fakeSpan("c"));
  assert.equal(exported, [], "exports are asynchronous");
  await p.forceFlush();
  assert.equal(exported, ["a", "b", "c"]);
  assert.is(maxActive, 1, "the exporter is never called concurrently");
});

test("SimpleSpanProcessor survives failing exporters and stops after shutdown", async () => {
  let calls = 0;
  let shutdowns = 0;
  const exporter: Exporter<ReadableSpan> = {
    export: (): Promise<ExportResult> => {
      calls++;
      if (calls === 1) throw new Error("sync boom");
      if (calls === 2) return Promise.reject(new Error("async boom"));
      return Promise.resolve({ code: ExportResultCode.FAILED, error: new Error("failed") });
    },
    shutdown: async () => {
      shutdowns++;
    },
  };
  const p = new SimpleSpanProcessor(exporter);
  p.onEnd(fakeSpan("a"));
  p.onEnd(fakeSpan("b"));
  p.onEnd(fakeSpan("c"));
  await p.forceFlush();
  assert.is(calls, 3);
  await p.shutdown();
  assert.is(shutdowns, 1);
  p.onEnd(fakeSpan("late"));
  await p.forceFlush();
  assert.is(calls, 3);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(unhandled, []);
  assert.ok(warnings.some((w) => /sync boom/.test(w)));
});

test("InMemorySpanExporter stores, copies, resets and fails after shutdown", async () => {
  const e = new InMemorySpanExporter();
  assert.is((await e.export([fakeSpan("a"), fakeSpan("b")])).code, ExportResultCode.SUCCESS);
  const got = e.getFinishedSpans();
  got.pop();
  assert.equal(names(e.getFinishedSpans()), ["a", "b"], "returns a copy");
  e.reset();
  assert.equal(e.getFinishedSpans(), []);
  await e.export([fakeSpan("c")]);
  await e.forceFlush();
  await e.shutdown();
  assert.equal(e.getFinishedSpans(), []);
  const after = await e.export([fakeSpan("d")]);
  assert.is(after.code, ExportResultCode.FAILED);
  assert.equal(e.getFinishedSpans(), []);
});

test.run();
