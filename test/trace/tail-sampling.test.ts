import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { AlwaysOnSampler } from "../../src/trace/samplers/always.ts";
import { SamplingDecision, type Sampler } from "../../src/trace/samplers/sampler.ts";
import { TraceIdRatioBasedSampler } from "../../src/trace/samplers/trace-id-ratio.ts";
import { setSpan, setSpanContext } from "../../src/trace/span-in-context.ts";
import { TailSamplingProcessor, type TailSamplingProcessorOptions } from "../../src/trace/tail-sampling-processor.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { SpanStatusCode, type ReadableSpan, type SpanProcessor } from "../../src/trace/types.ts";

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

/** A next processor that records what it receives (names only when `keep` is false, to stay small). */
function collector(keep = true): SpanProcessor & { spans: ReadableSpan[]; count: number; flushed: number; shut: number } {
  const c = {
    spans: [] as ReadableSpan[],
    count: 0,
    flushed: 0,
    shut: 0,
    onStart() {},
    onEnd(span: ReadableSpan) {
      c.count++;
      if (keep) c.spans.push(span);
    },
    forceFlush: async () => void c.flushed++,
    shutdown: async () => void c.shut++,
  };
  return c;
}

function setup(options: Omit<TailSamplingProcessorOptions, "next" | "exporter"> = {}, keep = true) {
  const next = collector(keep);
  const tail = new TailSamplingProcessor({ next, ...options });
  const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [tail] });
  return { next, tail, tracer: provider.getTracer("test"), provider };
}

/** One local trace: root (with a start/end time in performance.now() ms) and `children` children. */
function runTrace(tracer: ReturnType<typeof setup>["tracer"], opts: { children?: number; error?: boolean; durationMs?: number } = {}): string {
  const start = 1000;
  const root = tracer.startSpan("root", { startTime: start });
  const ctx = setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < (opts.children ?? 1); i++) {
    const child = tracer.startSpan(`child${i}`, { startTime: start + 1 }, ctx);
    if (opts.error && i === 0) child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    child.end(start + 2);
  }
  root.end(start + (opts.durationMs ?? 5));
  return root.spanContext().traceId;
}

test("keeps error traces whole (root and every child), drops the rest at ratio 0", () => {
  const { next, tracer, tail } = setup({ ratio: 0 });
  runTrace(tracer, { children: 2 });
  assert.is(next.spans.length, 0, "nothing of an ordinary trace is forwarded before or after its root ends");
  const id = runTrace(tracer, { children: 2, error: true });
  assert.equal(next.spans.map((s) => s.name).sort(), ["child0", "child1", "root"]);
  assert.ok(next.spans.every((s) => s.spanContext().traceId === id));
  const s = tail.stats();
  assert.is(s.keptTraces, 1);
  assert.is(s.droppedTraces, 1);
  assert.is(s.bufferedTraces, 0);
  assert.is(s.bufferedSpans, 0);
});

test("keepErrors: false drops error traces", () => {
  const { next, tracer } = setup({ ratio: 0, keepErrors: false });
  runTrace(tracer, { error: true });
  assert.is(next.spans.length, 0);
});

test("keeps slow traces: local root duration >= latencyThresholdMillis", () => {
  const { next, tracer } = setup({ ratio: 0, latencyThresholdMillis: 500 });
  runTrace(tracer, { durationMs: 499 });
  assert.is(next.spans.length, 0, "a 499 ms root is under the threshold");
  const id = runTrace(tracer, { durationMs: 501 });
  assert.is(next.spans.length, 2);
  assert.ok(next.spans.every((s) => s.spanContext().traceId === id));
});

test("ratio: keeps about the configured fraction, the same traces a TraceIdRatioBased(0.25) head sampler would keep", () => {
  const { next, tracer, tail } = setup({ ratio: 0.25 });
  const head: Sampler = new TraceIdRatioBasedSampler(0.25);
  const n = 4000;
  const expected = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = runTrace(tracer, { children: 0 });
    if (head.shouldSample(ROOT_CONTEXT, id, "root", 0, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED) expected.add(id);
  }
  const kept = new Set(next.spans.map((s) => s.spanContext().traceId));
  assert.ok(kept.size > n * 0.2 && kept.size < n * 0.3, `kept ${kept.size} of ${n}`);
  assert.equal([...kept].sort(), [...expected].sort(), "decisions are consistent with the head ratio sampler");
  assert.is(tail.stats().keptTraces + tail.stats().droppedTraces, n);
});

test("ratio 1 keeps everything; decide() is asked first and may fall through", () => {
  const all = setup({ ratio: 1 });
  runTrace(all.tracer);
  assert.is(all.next.spans.length, 2);
  const asked: number[] = [];
  const custom = setup({
    ratio: 0,
    decide: (spans) => {
      asked.push(spans.length);
      return spans.some((s) => s.attributes["vip"] === true) ? true : undefined;
    },
  });
  const root = custom.tracer.startSpan("vip-root", { attributes: { vip: true } });
  root.end();
  runTrace(custom.tracer, { error: true }); // falls through to keepErrors
  runTrace(custom.tracer); // falls through to ratio 0: dropped
  assert.equal(custom.next.spans.map((s) => s.name), ["vip-root", "child0", "root"]);
  assert.equal(asked, [1, 2, 2]);
});

test("spans ending after their local root follow the remembered decision", () => {
  const { next, tracer, tail } = setup({ ratio: 0 });
  // kept (error root), with a child that ends late
  const keptRoot = tracer.startSpan("kept-root");
  const lateKept = tracer.startSpan("late-kept", {}, setSpan(ROOT_CONTEXT, keptRoot));
  keptRoot.setStatus({ code: SpanStatusCode.ERROR });
  keptRoot.end();
  // dropped, with a child that ends late
  const dropRoot = tracer.startSpan("drop-root");
  const lateDrop = tracer.startSpan("late-drop", {}, setSpan(ROOT_CONTEXT, dropRoot));
  dropRoot.end();
  assert.equal(next.spans.map((s) => s.name), ["kept-root"]);
  lateKept.end();
  lateDrop.end();
  assert.equal(next.spans.map((s) => s.name), ["kept-root", "late-kept"]);
  assert.is(tail.stats().rememberedDecisions, 2);
  assert.is(tail.stats().bufferedTraces, 0);
});

test("a trace with two local roots (remote parent) is decided when the last one ends", () => {
  const { next, tracer } = setup({ ratio: 0 });
  const client = tracer.startSpan("client-root");
  const { traceId } = client.spanContext();
  // The same process receives the request: a server span whose parent is remote, same trace.
  const remote = setSpanContext(ROOT_CONTEXT, { traceId, spanId: client.spanContext().spanId, traceFlags: 1, isRemote: true });
  const server = tracer.startSpan("server", { kind: 1 }, remote);
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();
  assert.is(next.spans.length, 0, "still waiting for the client root");
  client.end();
  assert.equal(next.spans.map((s) => s.name), ["server", "client-root"]);
});

test("maxBufferedTraces: the oldest trace is decided early (an ERROR child seen so far keeps it)", () => {
  const { next, tracer, tail } = setup({ ratio: 0, maxBufferedTraces: 2 });
  const r1 = tracer.startSpan("r1");
  const c1 = tracer.startSpan("c1", {}, setSpan(ROOT_CONTEXT, r1));
  c1.setStatus({ code: SpanStatusCode.ERROR });
  c1.end();
  const r2 = tracer.startSpan("r2");
  tracer.startSpan("r3"); // evicts r1's trace
  assert.is(tail.stats().evictedTraces, 1);
  assert.is(tail.stats().bufferedTraces, 2);
  assert.equal(next.spans.map((s) => s.name), ["c1"]);
  r1.end(); // follows the remembered keep decision
  assert.equal(next.spans.map((s) => s.name), ["c1", "r1"]);
  r2.end();
  assert.equal(next.spans.map((s) => s.name), ["c1", "r1"], "r2 has no error: dropped");
  assert.ok(warnings.some((w) => w.includes("maxBufferedTraces")));
});

test("maxSpansPerTrace: extra spans are dropped and counted, but their ERROR still keeps the trace", () => {
  const { next, tracer, tail } = setup({ ratio: 0, maxSpansPerTrace: 3 });
  const root = tracer.startSpan("root");
  const ctx = setSpan(ROOT_CONTEXT, root);
  for (let i = 0; i < 5; i++) {
    const c = tracer.startSpan(`c${i}`, {}, ctx);
    if (i === 4) c.setStatus({ code: SpanStatusCode.ERROR });
    c.end();
  }
  assert.is(tail.stats().bufferedSpans, 3);
  root.end();
  assert.equal(next.spans.map((s) => s.name), ["c0", "c1", "c2"]);
  assert.is(tail.stats().overflowSpans, 3);
});

test("forceFlush decides traces whose local root ended, keeps in-progress ones buffered, and flushes next", async () => {
  const { next, tracer, tail } = setup({ ratio: 0 });
  const client = tracer.startSpan("client-root");
  const { traceId, spanId } = client.spanContext();
  const server = tracer.startSpan("server", {}, setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1, isRemote: true }));
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();
  const open = tracer.startSpan("open-root");
  await tail.forceFlush();
  assert.equal(next.spans.map((s) => s.name), ["server"]);
  assert.is(next.flushed, 1);
  assert.is(tail.stats().bufferedTraces, 1, "open-root's trace is still in progress");
  client.end();
  assert.equal(next.spans.map((s) => s.name), ["server", "client-root"], "the rest follows the decision");
  open.end();
});

test("shutdown decides every buffered trace, shuts next down, then ignores spans", async () => {
  const { next, tracer, tail } = setup({ ratio: 0 });
  const r = tracer.startSpan("r");
  const c = tracer.startSpan("c", {}, setSpan(ROOT_CONTEXT, r));
  c.setStatus({ code: SpanStatusCode.ERROR });
  c.end();
  await tail.shutdown();
  assert.equal(next.spans.map((s) => s.name), ["c"]);
  assert.is(next.shut, 1);
  assert.is(tail.stats().bufferedTraces, 0);
  r.end();
  assert.is(next.spans.length, 1);
});

test("exporter option: kept spans are batched to the exporter", async () => {
  const exporter = new InMemorySpanExporter();
  const tail = new TailSamplingProcessor({ exporter, ratio: 0, batch: { scheduledDelayMillis: Infinity } });
  const tracer = new BasicTracerProvider({ spanProcessors: [tail] }).getTracer("t");
  runTrace(tracer, { error: true });
  runTrace(tracer);
  await tail.forceFlush();
  assert.equal(exporter.getFinishedSpans().map((s) => s.name).sort(), ["child0", "root"]);
});

test("configuration errors throw with a reason", () => {
  const next = collector();
  assert.throws(() => new TailSamplingProcessor({} as TailSamplingProcessorOptions), /exactly one of `exporter`/);
  assert.throws(() => new TailSamplingProcessor({ next, exporter: new InMemorySpanExporter() }), /exactly one/);
  assert.throws(() => new TailSamplingProcessor({ next, ratio: 1.5 }), /ratio must be a number in \[0, 1\]/);
  assert.throws(() => new TailSamplingProcessor({ next, latencyThresholdMillis: -1 }), /latencyThresholdMillis/);
  assert.throws(() => new TailSamplingProcessor({ next, maxBufferedTraces: 0 }), /maxBufferedTraces must be a positive integer/);
  assert.throws(() => new TailSamplingProcessor({ next, maxSpansPerTrace: 1.5 }), /maxSpansPerTrace/);
});

test("a throwing next processor or decide() never reaches the caller", () => {
  resetDiagOnce();
  const next = { onStart() {}, onEnd() { throw new Error("next broke"); }, forceFlush: async () => {}, shutdown: async () => {} };
  const tail = new TailSamplingProcessor({ next, ratio: 1, decide: () => { throw new Error("decide broke"); } });
  const tracer = new BasicTracerProvider({ spanProcessors: [tail] }).getTracer("t");
  runTrace(tracer);
  assert.ok(warnings.some((w) => w.includes("`decide` option threw")));
  assert.ok(warnings.some((w) => w.includes("next processor threw")));
});

test("no memory growth over 100,000 traces; buffers return to 0 and remembered decisions stay bounded", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, "tests run with --expose-gc");
  const { next, tracer, tail } = setup({ ratio: 0.1, latencyThresholdMillis: 1000 }, false);
  let errors = 0;
  const one = (i: number) => {
    const error = i % 50 === 0;
    if (error) errors++;
    runTrace(tracer, { children: 2, error });
  };
  for (let i = 0; i < 20_000; i++) one(i); // warm up: fills the decision memory to its cap
  gc!();
  const before = process.memoryUsage().heapUsed;
  const keptBefore = tail.stats().keptTraces;
  for (let i = 0; i < 100_000; i++) one(i);
  gc!();
  const after = process.memoryUsage().heapUsed;
  const s = tail.stats();
  assert.is(s.bufferedTraces, 0);
  assert.is(s.bufferedSpans, 0);
  assert.ok(s.rememberedDecisions <= 10_000, `remembered ${s.rememberedDecisions}`);
  assert.is(s.keptTraces + s.droppedTraces, 120_000);
  // 2% errors always kept; of the other 98%, about 10% by ratio: ~11.8% overall.
  const kept = s.keptTraces - keptBefore;
  assert.ok(kept > 100_000 * 0.09 && kept < 100_000 * 0.15, `kept ${kept}`);
  assert.is(next.count, s.keptTraces * 3, "every span of every kept trace was forwarded");
  assert.ok(errors > 0);
  assert.ok(after - before < 8 * 1024 * 1024, `heap grew by ${((after - before) / 1048576).toFixed(1)} MiB`);
});

test("open roots that never end stay bounded by maxBufferedTraces", () => {
  const { tracer, tail } = setup({ ratio: 0, maxBufferedTraces: 100 }, false);
  for (let i = 0; i < 100_000; i++) tracer.startSpan("leaked-root");
  const s = tail.stats();
  assert.is(s.bufferedTraces, 100);
  assert.is(s.evictedTraces, 100_000 - 100);
});

test.run();
