// The hand-wired API on the size-first core (bench/lean/provider.ts, batch-processor.ts,
// otlp-exporter.ts) against the product's classes (src/trace/tracer-provider.ts,
// batch-span-processor.ts, src/export/otlp-http-exporter.ts) on the same calls: the same OTLP
// bodies for the same spans through provider → batch processor → exporter; the same exporter
// results for the same collector behaviours; the same construction errors; the batch
// processor's contract as the product's tests define it (sampled only, 512/2048 defaults, a full
// batch exported in a microtask and not inside end(), the scheduled-delay timer unref'd and only
// while spans wait, one export in flight, export timeout, suppression, shutdown); the provider's
// (processors checked, onStart/onEnd in order with the parent context, a throwing processor
// isolated, non-recording after shutdown, the global trace API reaching it).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BasicTracerProvider as PProvider } from "../../src/trace/tracer-provider.ts";
import { BatchSpanProcessor as PBatch } from "../../src/trace/batch-span-processor.ts";
import { createOtlpTraceExporter as pExporter } from "../../src/export/otlp-http-exporter.ts";
import { context as pContext } from "../../src/context/context-api.ts";
import { isTracingSuppressed } from "../../src/trace/suppress.ts";
import { diag } from "../../src/common/diag.ts";
import { BasicTracerProvider as LProvider } from "../../bench/lean/provider.ts";
import { BatchSpanProcessor as LBatch, type SpanExporter } from "../../bench/lean/batch-processor.ts";
import { createOtlpTraceExporter as lExporter } from "../../bench/lean/otlp-exporter.ts";
import { active, SUPPRESS_KEY } from "../../bench/lean/context.ts";
import { trace } from "../../bench/lean/trace-api.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";

diag.disable();
const warnings: string[] = [];
console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => unhandled.push(e));
// The exporters' and processors' timers are unref'd: keep the process up while a test awaits them.
const keepAlive = setInterval(() => {}, 1000);
test.after(() => clearInterval(keepAlive));

const sides = [
  { name: "lean", Provider: LProvider as unknown as typeof PProvider, Batch: LBatch as unknown as typeof PBatch, exporter: lExporter as unknown as typeof pExporter, suppressed: () => active().getValue(SUPPRESS_KEY) === true },
  { name: "product", Provider: PProvider, Batch: PBatch, exporter: pExporter, suppressed: () => isTracingSuppressed(pContext.active()) },
] as const;

let seq = 0;
function fakeSpan(name: string, traceFlags = 1): ReadableSpan {
  const spanId = (++seq).toString(16).padStart(16, "0");
  return {
    name, kind: 0, spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId, traceFlags }), parentSpanContext: undefined,
    startTime: 0, endTime: 1, status: { code: 0 }, attributes: {}, links: [], events: [], droppedAttributesCount: 0, droppedEventsCount: 0,
    droppedLinksCount: 0, resource: { attributes: {} }, instrumentationScope: { name: "test" }, ended: true,
  };
}
const names = (spans: ReadableSpan[]) => spans.map((s) => s.name);
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/** An exporter that records its batches (and whether tracing was suppressed), answering with `answer`. */
function recorder(suppressed: () => boolean, answer: (batch: ReadableSpan[]) => unknown = async () => ({ code: 0 })) {
  const batches: ReadableSpan[][] = [];
  const flags: boolean[] = [];
  let shutdowns = 0;
  let sawAtShutdown: string[] | undefined;
  const exporter: SpanExporter & { batches: ReadableSpan[][]; flags: boolean[]; shutdowns(): number; sawAtShutdown(): string[] | undefined } = {
    batches, flags,
    export: (spans) => (batches.push(spans), flags.push(suppressed()), answer(spans) as never),
    shutdown: async () => void (shutdowns++, (sawAtShutdown = names(batches.flat()))),
    shutdowns: () => shutdowns,
    sawAtShutdown: () => sawAtShutdown,
  };
  return exporter;
}

/** A fake collector fetch: answers per call from `answers` (the last repeats); records the bodies. */
function collector(answers: Array<() => Response | Promise<Response>>) {
  const bodies: string[] = [];
  const urls: string[] = [];
  const fetch = ((url: string, init: RequestInit) => {
    urls.push(String(url));
    bodies.push(typeof init.body == "string" ? init.body : new TextDecoder().decode(init.body as Uint8Array));
    return new Promise((resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      Promise.resolve(answers[Math.min(bodies.length - 1, answers.length - 1)]!()).then(resolve, reject);
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, bodies, urls };
}

/** An OTLP body with ids as labels of first appearance and times dropped. */
function normalize(body: string): unknown {
  const labels = new Map<string, string>();
  return JSON.parse(body, (key, value) => {
    if (key == "traceId" || key == "spanId" || key == "parentSpanId") return value && (labels.get(value) ?? (labels.set(value, "#" + labels.size), "#" + (labels.size - 1)));
    return /TimeUnixNano$|^timeUnixNano$/.test(key) ? undefined : value;
  });
}

// ---- end to end -------------------------------------------------------------------------------

test("provider → batch processor → OTLP exporter: the same bodies as the product's for the same spans", async () => {
  const out: unknown[][] = [];
  for (const side of sides) {
    const c = collector([() => new Response("{}")]);
    const provider = new side.Provider({
      resource: { attributes: { "service.name": "checkout", "deployment.environment.name": "test" } },
      spanLimits: { attributeCountLimit: 3, eventCountLimit: 1 },
      spanProcessors: [new side.Batch(side.exporter({ endpoint: "http://127.0.0.1:4318/base/", headers: { "x-api-key": "k" }, fetch: c.fetch }))],
    });
    const tracer = provider.getTracer("shop", "2.0", { schemaUrl: "https://opentelemetry.io/schemas/1.26.0" });
    tracer.startActiveSpan("parent", { kind: 1, attributes: { a: 1, b: "two", c: [true, false], d: 4, e: 5 } }, (span) => {
      tracer.startSpan("child", { kind: 3 }).setStatus({ code: 2, message: "bad" }).end();
      span.addEvent("e1", { x: 1 });
      span.addEvent("e2");
      span.recordException(Object.assign(new RangeError("out"), { stack: "RangeError: out\n  at x" }));
      span.end();
    });
    provider.getTracer("other").startSpan("lone", { links: [{ context: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 } }] }).end();
    await provider.forceFlush();
    assert.equal(c.urls, ["http://127.0.0.1:4318/base/v1/traces"], side.name);
    out.push(c.bodies.map(normalize));
    await provider.shutdown();
  }
  assert.equal(out[0], out[1]);
  assert.ok(JSON.stringify(out[0]).includes('"droppedEventsCount":2'));
});

// ---- the exporter -------------------------------------------------------------------------------

const pick = (r: { code: number; status?: number; errorType?: string; rejected?: number }) => JSON.parse(JSON.stringify({ code: r.code, status: r.status, errorType: r.errorType, rejected: r.rejected }));
const BEHAVIOURS: Array<[string, Array<() => Response | Promise<Response>>]> = [
  ["200", [() => new Response("{}")]],
  ["200 with an empty body", [() => new Response("")]],
  ["200 partial success", [() => new Response(JSON.stringify({ partialSuccess: { rejectedSpans: 4, errorMessage: "no" } }))]],
  ["400", [() => new Response("bad", { status: 400 })]],
  ["302 not followed", [() => new Response("", { status: 302, headers: { location: "http://elsewhere.test/" } })]],
  ["503 then 200 (Retry-After: 0)", [() => new Response("", { status: 503, headers: { "retry-after": "0" } }), () => new Response("{}")]],
  ["429 until the timeout runs out", [() => new Response("", { status: 429, headers: { "retry-after": "1" } })]],
  ["network error until the timeout runs out", [() => Promise.reject(new TypeError("fetch failed"))]],
  // A fetch that honours its signal, as every runtime's does.
  ["no answer: timeout", [() => new Promise<Response>(() => {})]],
];
for (const [name, answers] of BEHAVIOURS) {
  test(`exporter result as the product's: ${name}`, async () => {
    const results: unknown[] = [];
    const sent: number[] = [];
    for (const side of sides) {
      const c = collector(answers);
      const exporter = side.exporter({ url: "http://127.0.0.1:1/v1/traces", timeoutMillis: 300, fetch: c.fetch });
      results.push(pick(await exporter.export([fakeSpan("a")])));
      sent.push(Math.min(c.bodies.length, 2));
    }
    assert.equal(results[0], results[1]);
    // A network error's retry waits a random time (full jitter): its count is not compared.
    if (!name.startsWith("network")) assert.equal(sent[0], sent[1], "the same number of requests (up to 2)");
  });
}

test("exporter: nothing sent for an empty or unencodable batch; shutdown waits for sends in progress, then fails fast", async () => {
  for (const side of sides) {
    let release!: () => void;
    const c = collector([() => new Promise<Response>((r) => (release = () => r(new Response("{}"))))]);
    const exporter = side.exporter({ url: "http://127.0.0.1:1/v1/traces", fetch: c.fetch });
    assert.equal(pick(await exporter.export([])), { code: 0 }, side.name);
    const invalid = { ...fakeSpan("bad"), spanContext: () => ({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 1 }) };
    assert.equal(pick(await exporter.export([invalid])), { code: 0 }, side.name);
    assert.is(c.bodies.length, 0, side.name);
    const inFlight = exporter.export([fakeSpan("a")]);
    let done = false;
    const stopping = exporter.shutdown().then(() => (done = true));
    await tick();
    assert.is(done, false, side.name + ": waits for the send in progress");
    release();
    await stopping;
    assert.is((await inFlight).code, 0);
    assert.equal(pick(await exporter.export([fakeSpan("late")])), { code: 1, errorType: "already_shutdown" }, side.name);
    assert.is(c.bodies.length, 1);
  }
});

test("exporter: invalid options throw the product's error classes; options.url is used as-is", async () => {
  const cases = [{ url: "ftp://x/" }, { endpoint: "not a url" }, { url: 5 }, { headers: null }, { headers: { a: 1 } }, { timeoutMillis: 0 }, { timeoutMillis: "5" }, { timeoutMillis: -1 }];
  for (const options of cases) {
    const errors = sides.map((side) => {
      try {
        side.exporter(options as never);
      } catch (e) {
        return (e as Error).constructor;
      }
    });
    assert.ok(errors[0], JSON.stringify(options));
    assert.is(errors[0], errors[1], JSON.stringify(options));
  }
  for (const side of sides) {
    const c = collector([() => new Response("")]);
    await side.exporter({ url: "http://127.0.0.1:1/custom/path?q=1", fetch: c.fetch }).export([fakeSpan("a")]);
    assert.equal(c.urls, ["http://127.0.0.1:1/custom/path?q=1"]);
    const d = collector([() => new Response("")]);
    await side.exporter({ endpoint: "http://127.0.0.1:1/p?q=1", fetch: d.fetch }).export([fakeSpan("a")]);
    assert.equal(d.urls, ["http://127.0.0.1:1/p/v1/traces?q=1"], side.name);
  }
});

// ---- the batch processor ------------------------------------------------------------------------

test("batch: only sampled spans, exported on flush, with tracing suppressed (as the product's)", async () => {
  const seen: unknown[] = [];
  for (const side of sides) {
    const exporter = recorder(side.suppressed);
    const p = new side.Batch(exporter, { scheduledDelayMillis: Infinity });
    p.onEnd(fakeSpan("a"));
    p.onEnd(fakeSpan("not-sampled", 0));
    p.onEnd(fakeSpan("b", 0b11));
    assert.equal(exporter.batches, []);
    await p.forceFlush();
    seen.push([names(exporter.batches.flat()), exporter.flags]);
    await p.shutdown();
  }
  assert.equal(seen[0], [["a", "b"], [true]]);
  assert.equal(seen[0], seen[1]);
});

test("batch: defaults 512 per batch and 2048 queued; a full batch goes out in a microtask, not inside onEnd", async () => {
  for (const side of sides) {
    const exporter = recorder(side.suppressed);
    const p = new side.Batch(exporter);
    for (let i = 0; i < 1100; i++) p.onEnd(fakeSpan(`s${i}`));
    assert.equal(exporter.batches.length, 0, side.name + ": not inside onEnd");
    await new Promise<void>((r) => queueMicrotask(r));
    assert.equal(exporter.batches.map((b) => b.length), [512], side.name);
    await tick();
    assert.equal(exporter.batches.map((b) => b.length), [512, 512], side.name + ": the next full batch follows; the partial one waits");
    await p.shutdown();
    assert.equal(exporter.batches.map((b) => b.length), [512, 512, 76], side.name);
    assert.equal(exporter.sawAtShutdown()!.length, 1100, side.name + ": the exporter shut down after the last export");
  }
  const dropped = [];
  for (const side of sides) {
    const p = new side.Batch(recorder(side.suppressed, () => new Promise(() => {})), { exportTimeoutMillis: 1e9 });
    for (let i = 0; i < 3000; i++) p.onEnd(fakeSpan(`s${i}`));
    dropped.push(side.name == "lean" ? (p as unknown as LBatch).dropped : p.stats().dropped);
  }
  assert.equal(dropped, [3000 - 512 - 2048, 3000 - 512 - 2048]);
  assert.ok(warnings.some((w) => w.includes("queue full")));
});

test("batch: invalid options throw RangeError (a missing exporter TypeError), as the product's", () => {
  const cases = [{ maxQueueSize: 10, maxExportBatchSize: 20 }, { maxQueueSize: 0 }, { maxExportBatchSize: 1.5 }, { scheduledDelayMillis: -1 }, { scheduledDelayMillis: "5" }, { exportTimeoutMillis: 0 }];
  for (const options of cases) {
    const errors = sides.map((side) => {
      try {
        new side.Batch(recorder(side.suppressed), options as never);
      } catch (e) {
        return (e as Error).constructor;
      }
    });
    assert.equal(errors, [RangeError, RangeError], JSON.stringify(options));
  }
  for (const side of sides) assert.throws(() => new side.Batch(undefined as never), TypeError);
  for (const side of sides) new side.Batch(recorder(side.suppressed), { maxQueueSize: null, exportTimeoutMillis: undefined } as never); // null: unset
});

test("batch: a partial batch leaves after scheduledDelayMillis; the timer is armed only while spans wait, and unref'd", async () => {
  for (const side of sides) {
    const timers: Array<{ ms: number; t: ReturnType<typeof setTimeout> }> = [];
    const real = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      const t = real(fn, ms);
      timers.push({ ms, t });
      return t;
    }) as typeof setTimeout;
    try {
      const exporter = recorder(side.suppressed);
      const p = new side.Batch(exporter, { scheduledDelayMillis: 30 });
      assert.is(timers.filter((t) => t.ms == 30).length, 0, side.name + ": none while empty");
      p.onEnd(fakeSpan("a"));
      p.onEnd(fakeSpan("b"));
      const armed = timers.filter((t) => t.ms == 30);
      assert.is(armed.length, 1, side.name + ": one timer");
      assert.is(armed[0]!.t.hasRef(), false, side.name + ": unref'd");
      await new Promise((r) => real(r, 60));
      assert.equal(names(exporter.batches.flat()), ["a", "b"], side.name);
      await p.shutdown();
    } finally {
      globalThis.setTimeout = real;
    }
    const none = new side.Batch(recorder(side.suppressed), { scheduledDelayMillis: Infinity });
    let armed = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (armed++, real(...a))) as typeof setTimeout;
    try {
      none.onEnd(fakeSpan("a"));
    } finally {
      globalThis.setTimeout = real;
    }
    assert.is(armed, 0, side.name + ": Infinity arms no timer");
    await none.shutdown();
  }
});

test("batch: one export in flight; the next batch waits for it", async () => {
  for (const side of sides) {
    const releases: Array<() => void> = [];
    let inFlight = 0;
    let most = 0;
    const exporter = recorder(side.suppressed, () => {
      most = Math.max(most, ++inFlight);
      return new Promise((r) => releases.push(() => (inFlight--, r({ code: 0 }))));
    });
    const p = new side.Batch(exporter, { maxExportBatchSize: 2, scheduledDelayMillis: Infinity });
    for (let i = 0; i < 6; i++) p.onEnd(fakeSpan(`s${i}`));
    const flushed = p.forceFlush();
    for (let i = 0; i < 3; i++) {
      await tick();
      assert.is(exporter.batches.length, i + 1, side.name);
      releases[i]!();
    }
    await flushed;
    assert.is(most, 1, side.name);
    assert.equal(names(exporter.batches.flat()), ["s0", "s1", "s2", "s3", "s4", "s5"]);
  }
});

test("batch: an export that never settles times out and the next batch proceeds; failing exporters never surface", async () => {
  const answers: Array<(b: ReadableSpan[]) => unknown> = [
    () => new Promise(() => {}),
    () => {
      throw new Error("sync");
    },
    () => Promise.reject(new Error("async")),
    async () => ({ code: 1, error: new Error("failed") }),
    async () => undefined,
  ];
  for (const side of sides) {
    for (const answer of answers) {
      let calls = 0;
      const exporter = recorder(side.suppressed, (b) => (calls++ == 0 ? answer(b) : Promise.resolve({ code: 0 })));
      const p = new side.Batch(exporter, { maxExportBatchSize: 1, exportTimeoutMillis: 30, scheduledDelayMillis: Infinity });
      p.onEnd(fakeSpan("first"));
      p.onEnd(fakeSpan("second"));
      await p.forceFlush();
      await new Promise((r) => setTimeout(r, 40));
      await p.forceFlush();
      assert.equal(names(exporter.batches.flat()), ["first", "second"], side.name);
      await p.shutdown();
    }
  }
  assert.equal(unhandled, []);
});

test("batch: forceFlush resolves within exportTimeoutMillis behind a slow exporter; shutdown drops later spans and never rejects", async () => {
  for (const side of sides) {
    const p = new side.Batch(recorder(side.suppressed, () => new Promise((r) => setTimeout(() => r({ code: 0 }), 200))), { maxExportBatchSize: 1, exportTimeoutMillis: 50, scheduledDelayMillis: Infinity });
    for (let i = 0; i < 5; i++) p.onEnd(fakeSpan("s"));
    const started = Date.now();
    await p.forceFlush();
    assert.ok(Date.now() - started < 150, side.name);
  }
  for (const side of sides) {
    const exporter = recorder(side.suppressed);
    exporter.shutdown = () => Promise.reject({ toString() { throw 0; } });
    const p = new side.Batch(exporter, { scheduledDelayMillis: Infinity });
    p.onEnd(fakeSpan("a"));
    await p.shutdown();
    p.onEnd(fakeSpan("late"));
    await p.forceFlush();
    assert.equal(names(exporter.batches.flat()), ["a"], side.name);
    assert.is(side.name == "lean" ? (p as unknown as LBatch).dropped : p.stats().dropped, 1, side.name);
  }
});

// ---- the provider -------------------------------------------------------------------------------

test("provider: spanProcessors checked at construction (TypeError), as the product's", () => {
  const bad = [{}, [{}], [null], "x", [{ onStart() {}, onEnd() {}, forceFlush() {} }]];
  for (const spanProcessors of bad) for (const side of sides) assert.throws(() => new side.Provider({ spanProcessors } as never), TypeError, JSON.stringify(spanProcessors));
  for (const side of sides) assert.equal(new side.Provider().resource.attributes, { "service.name": "unknown_service" });
});

test("provider: onStart (with the parent context) and onEnd reach every processor in order; a throwing one is isolated", async () => {
  const logs: string[][] = [];
  for (const side of sides) {
    const log: string[] = [];
    const processor = (id: string, throws = false) => ({
      onStart(span: { name: string; isRecording(): boolean }, parent: { getValue(k: symbol): unknown }) {
        log.push(`${id}.start ${span.name} ${span.isRecording()} ${parent.getValue(Symbol.for("k")) ?? ""}`);
        if (throws) throw new Error("start");
      },
      onEnd(span: ReadableSpan) {
        log.push(`${id}.end ${span.name} ${span.ended}`);
        if (throws) throw new Error("end");
      },
      forceFlush: async () => void log.push(id + ".flush"),
      shutdown: async () => void log.push(id + ".shutdown"),
    });
    const provider = new side.Provider({ spanProcessors: [processor("1", true), processor("2")] });
    const ctx = (side.name == "lean" ? active() : pContext.active()).setValue(Symbol.for("k"), "parent-ctx");
    provider.getTracer("t").startSpan("a", {}, ctx as never).end();
    await provider.forceFlush();
    await provider.shutdown();
    await provider.shutdown();
    const after = provider.getTracer("t").startSpan("after");
    log.push(`after ${after.isRecording()}`);
    logs.push(log);
  }
  assert.equal(logs[0], logs[1]);
  assert.equal(logs[0], ["1.start a true parent-ctx", "2.start a true parent-ctx", "1.end a true", "2.end a true", "1.flush", "2.flush", "1.shutdown", "2.shutdown", "after false"]);
});

test("provider: after shutdown, spans are non-recording and carry the parent's context", async () => {
  const parent = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
  const provider = new LProvider();
  await provider.shutdown();
  const span = provider.getTracer("t").startSpan("x", {}, trace.setSpanContext(active(), parent));
  assert.is(span.isRecording(), false);
  assert.equal(span.spanContext(), parent);
});

test("the global trace API reaches the registered provider (a tracer obtained before registration included)", async () => {
  const early = trace.getTracer("early");
  const exporter = recorder(() => false);
  const provider = new LProvider({ spanProcessors: [new LBatch(exporter, { scheduledDelayMillis: Infinity })] });
  assert.is(early.startSpan("before").isRecording(), false);
  assert.is(trace.setGlobalTracerProvider(provider), true);
  assert.is(trace.getTracerProvider(), provider);
  early.startSpan("after").end();
  trace.getTracer("late").startActiveSpan("active", (span) => {
    assert.is(trace.getActiveSpan(), span);
    span.end();
  });
  await provider.forceFlush();
  assert.equal(names(exporter.batches.flat()), ["after", "active"]);
  trace.disable();
  assert.is(trace.getTracer("x").startSpan("off").isRecording(), false);
  await provider.shutdown();
});

test.run();
