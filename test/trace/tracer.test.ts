import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { diag } from "../../src/common/diag.ts";
import { toEpochNanos } from "../../src/common/time.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { SpanKind, SpanStatusCode, type ReadableSpan, type SpanProcessor } from "../../src/trace/types.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "../../src/trace/samplers/always.ts";
import { NonRecordingSpan } from "../../src/trace/non-recording-span.ts";
import { RecordingSpan } from "../../src/trace/span.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";
import { TraceFlags } from "../../src/trace/span-context.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

function setup(options: ConstructorParameters<typeof BasicTracerProvider>[0] = {}) {
  const ended: ReadableSpan[] = [];
  const started: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: (s) => void started.push(s),
    onEnd: (s) => void ended.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({ spanProcessors: [processor], ...options });
  return { provider, tracer: provider.getTracer("test", "1.2.3"), ended, started };
}

test("startSpan: ids are lowercase hex, unique, never zero; root has no parent", () => {
  const { tracer, ended } = setup();
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const s = tracer.startSpan("s");
    const sc = s.spanContext();
    assert.match(sc.traceId, /^[0-9a-f]{32}$/);
    assert.match(sc.spanId, /^[0-9a-f]{16}$/);
    assert.not.equal(sc.traceId, "0".repeat(32));
    ids.add(sc.spanId);
    s.end();
  }
  assert.is(ids.size, 2000);
  assert.is(ended[0]!.parentSpanContext, undefined);
  assert.is(ended[0]!.spanContext().traceFlags, TraceFlags.SAMPLED | 0x02, "sampled + random trace id (W3C Level 2)");
  assert.is(ended[0]!.instrumentationScope.name, "test");
  assert.is(ended[0]!.instrumentationScope.version, "1.2.3");
});

test("startActiveSpan: nested spans across await form a parent/child tree; returns the callback's value", async () => {
  const { tracer, ended } = setup();
  const result = await tracer.startActiveSpan("parent", async (parent) => {
    await sleep(2);
    const inner = await tracer.startActiveSpan("child", { kind: SpanKind.CLIENT }, async (child) => {
      await sleep(1);
      assert.is(trace.getActiveSpan(), child);
      tracer.startSpan("grandchild").end();
      child.end();
      return 41;
    });
    assert.is(trace.getActiveSpan(), parent, "parent active again after the child's callback");
    parent.end();
    return inner + 1;
  });
  assert.is(result, 42);
  const byName = Object.fromEntries(ended.map((s) => [s.name, s]));
  const parent = byName.parent!, child = byName.child!, grandchild = byName.grandchild!;
  assert.is(child.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.is(grandchild.parentSpanContext?.spanId, child.spanContext().spanId);
  assert.is(child.spanContext().traceId, parent.spanContext().traceId);
  assert.is(grandchild.spanContext().traceId, parent.spanContext().traceId);
  assert.is(child.kind, SpanKind.CLIENT);
  assert.ok(parent.endTime >= child.endTime && child.startTime >= parent.startTime);
});

test("startActiveSpan: all overloads; explicit context parent; root option starts a new trace", () => {
  const { tracer, ended } = setup();
  const parent = tracer.startSpan("explicit-parent");
  const ctx = trace.setSpan(ROOT_CONTEXT, parent);
  tracer.startActiveSpan("a", (s) => s.end());
  tracer.startActiveSpan("b", { attributes: { k: 1 } }, (s) => s.end());
  tracer.startActiveSpan("c", {}, ctx, (s) => s.end());
  tracer.startSpan("d", {}, ctx).end();
  context.with(ctx, () => tracer.startSpan("e", { root: true }).end());
  const byName = Object.fromEntries(ended.map((s) => [s.name, s]));
  assert.is(byName.b!.attributes.k, 1);
  assert.is(byName.c!.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.is(byName.d!.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.is(byName.e!.parentSpanContext, undefined);
  assert.is.not(byName.e!.spanContext().traceId, parent.spanContext().traceId);
});

test("1,000 concurrent requests: every child span has its own request's parent", async () => {
  const { tracer, ended } = setup();
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      tracer.startActiveSpan(`req-${i}`, async (root) => {
        await sleep(i % 3);
        await tracer.startActiveSpan(`child-${i}`, async (c) => {
          await sleep((i * 7) % 3);
          c.end();
        });
        root.end();
      }),
    ),
  );
  const roots = new Map(ended.filter((s) => s.name.startsWith("req-")).map((s) => [s.name.slice(4), s]));
  let checked = 0;
  for (const s of ended.filter((s) => s.name.startsWith("child-"))) {
    const root = roots.get(s.name.slice(6))!;
    assert.is(s.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.is(s.spanContext().traceId, root.spanContext().traceId);
    checked++;
  }
  assert.is(checked, 1000);
});

test("attributes: invalid values dropped with one diag warning, never thrown; limits count drops", () => {
  const messages = captureDiag();
  const { tracer, ended } = setup({ spanLimits: { attributeCountLimit: 3, attributeValueLengthLimit: 4 } });
  const span = tracer.startSpan("attrs");
  span.setAttribute("obj", { a: 1 } as never);
  span.setAttribute("obj", { a: 2 } as never);
  span.setAttribute("mixed", [1, "a"] as never);
  span.setAttribute("undef", undefined as never);
  span.setAttribute("s", "abcdefgh");
  span.setAttribute("arr", ["abcdef", null, "x"]);
  span.setAttribute("n", 1);
  span.setAttribute("over", true);
  span.setAttribute("n", 2); // replacing an existing key is allowed at the limit
  span.setAttribute("__proto__", "kept");
  span.end();
  const s = ended[0]!;
  assert.equal({ ...s.attributes }, { s: "abcd", arr: ["abcd", null, "x"], n: 2 });
  assert.is(s.droppedAttributesCount, 2);
  assert.is(Object.getPrototypeOf(s.attributes), Object.prototype, "no prototype pollution");
  assert.is(messages.filter((m) => m.includes('"obj"')).length, 1, "one warning per cause");
  assert.ok(messages.some((m) => m.includes("limit")));
  diag.setLogger();
});

test("start attributes: the plain-copy fast path and the general path give the same result; later caller changes are not seen", () => {
  const messages = captureDiag();
  const { tracer, ended } = setup({ spanLimits: { attributeCountLimit: 3, attributeValueLengthLimit: 4 } });
  const plain: Record<string, unknown> = { a: "abc", b: 1, c: true };
  tracer.startSpan("fast", { attributes: plain as never }).end();
  plain.a = "changed";
  plain.d = 4;
  // Each of these sends the whole object down the general path.
  tracer.startSpan("long", { attributes: { a: "abcdefgh", b: 1 } }).end();
  tracer.startSpan("nullish", { attributes: { a: null as never, b: undefined, c: 2 } }).end();
  tracer.startSpan("over", { attributes: { a: 1, b: 2, c: 3, d: 4, e: 5 } }).end();
  tracer.startSpan("array", { attributes: { a: ["x", "abcdefgh"] } }).end();
  tracer.startSpan("empty key", { attributes: { "": 1, b: 2 } }).end();
  const inherited = Object.create({ inheritedKey: 1 }) as Record<string, unknown>;
  inherited.own = 2;
  tracer.startSpan("inherited", { attributes: inherited as never }).end();
  const getter = { ok: 1, get bad(): number { throw new Error("boom"); } };
  tracer.startSpan("getter", { attributes: getter as never }).end();
  const byName = Object.fromEntries(ended.map((x) => [x.name, x]));
  assert.equal({ ...byName.fast!.attributes }, { a: "abc", b: 1, c: true });
  assert.equal({ ...byName.long!.attributes }, { a: "abcd", b: 1 });
  assert.equal({ ...byName.nullish!.attributes }, { c: 2 });
  assert.equal({ ...byName.over!.attributes }, { a: 1, b: 2, c: 3 });
  assert.is(byName.over!.droppedAttributesCount, 2);
  assert.equal({ ...byName.array!.attributes }, { a: ["x", "abcd"] });
  assert.equal({ ...byName["empty key"]!.attributes }, { b: 2 });
  assert.equal({ ...byName.inherited!.attributes }, { own: 2 });
  assert.equal({ ...byName.getter!.attributes }, { ok: 1 });
  // The copy is the span's own: setAttribute after start does not reach the caller's object.
  const mine = { k: 1 };
  const span = tracer.startSpan("own", { attributes: mine });
  span.setAttribute("k2", 2);
  span.end();
  assert.equal(mine, { k: 1 });
  assert.ok(messages.some((m) => m.includes('"bad"')), "the throwing getter is reported");
  diag.setLogger();
});

test("sampled-out spans: ids drawn on first spanContext(), stable after; random flag on new traces; parent trace kept", () => {
  const { tracer, ended } = setup({ sampler: new AlwaysOffSampler() });
  const a = tracer.startSpan("a");
  const b = tracer.startSpan("b");
  const ca = a.spanContext();
  assert.is(a.spanContext(), ca, "the same context object every time");
  assert.is.not(ca.traceId, b.spanContext().traceId);
  assert.is.not(ca.spanId, b.spanContext().spanId);
  assert.is(ca.traceFlags, 0x02, "W3C random-trace-id flag, not sampled");
  const child = tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, a));
  assert.is(child.spanContext().traceId, ca.traceId);
  assert.is.not(child.spanContext().spanId, ca.spanId);
  // Default sampler: a local unsampled parent gives an unsampled child with the parent's trace.
  const d = setup();
  const remote = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 0, isRemote: true };
  const c2 = d.tracer.startSpan("c2", {}, trace.setSpanContext(ROOT_CONTEXT, remote));
  assert.is(c2.isRecording(), false);
  assert.is(c2.spanContext().traceId, remote.traceId);
  assert.is(c2.spanContext().traceFlags, 0);
  const sampledRemote = d.tracer.startSpan("c3", {}, trace.setSpanContext(ROOT_CONTEXT, { ...remote, traceFlags: 1 }));
  assert.is(sampledRemote.isRecording(), true);
  assert.is(sampledRemote.spanContext().traceFlags, 1);
  assert.is(ended.length, 0);
});

test("__proto__ is stored as an own attribute, never as the prototype", () => {
  const { tracer, ended } = setup();
  tracer.startSpan("p", { attributes: JSON.parse('{"__proto__": "x", "constructor": "y"}') }).end();
  const attrs = ended[0]!.attributes;
  assert.is(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value, "x");
  assert.is(attrs.constructor as unknown, "y");
  assert.is(({} as Record<string, unknown>).x, undefined);
});

test("events and links: limits, oldest events dropped, recordException attributes", () => {
  const { tracer, ended } = setup({ spanLimits: { eventCountLimit: 2, linkCountLimit: 1, attributePerEventCountLimit: 1 } });
  const other = tracer.startSpan("other");
  const span = tracer.startSpan("ev", { links: [{ context: other.spanContext(), attributes: { a: 1 } }] });
  span.addLink({ context: other.spanContext() });
  span.addEvent("e1", { x: 1, y: 2 });
  span.addEvent("e2", 1700000000000);
  span.recordException(Object.assign(new TypeError("bad input"), { stack: "TypeError: bad input\n  at x" }));
  span.end();
  const s = ended.find((x) => x.name === "ev")!;
  assert.equal(s.events.map((e) => e.name), ["e2", "exception"]);
  assert.is(s.droppedEventsCount, 1);
  assert.is(s.links.length, 1);
  assert.is(s.droppedLinksCount, 1);
  assert.is(s.links[0]!.attributes.a, 1);
  const ex = s.events[1]!;
  assert.is(ex.attributes["exception.type"], "TypeError", "per-event attribute limit 1 keeps the first");
  assert.is(ex.droppedAttributesCount, 2);
  assert.is(toEpochNanos(s.events[0]!.time), "1700000000000000000", "event time from epoch millis");
});

test("recordException: message, type and stacktrace; strings and codes", () => {
  const { tracer, ended } = setup();
  const span = tracer.startSpan("ex");
  span.recordException(new RangeError("out of range"));
  span.recordException("plain message");
  span.recordException({ code: 42, message: "with code" });
  span.end();
  const [a, b, c] = ended[0]!.events;
  assert.is(a!.attributes["exception.type"], "RangeError");
  assert.is(a!.attributes["exception.message"], "out of range");
  assert.match(String(a!.attributes["exception.stacktrace"]), /RangeError: out of range/);
  assert.is(b!.attributes["exception.message"], "plain message");
  assert.is(c!.attributes["exception.type"], "42");
});

test("status: UNSET ignored, OK final, message only with ERROR", () => {
  const { tracer, ended } = setup();
  const a = tracer.startSpan("a");
  a.setStatus({ code: SpanStatusCode.ERROR, message: "failed" });
  a.setStatus({ code: SpanStatusCode.UNSET });
  a.end();
  const b = tracer.startSpan("b");
  b.setStatus({ code: SpanStatusCode.OK, message: "ignored" });
  b.setStatus({ code: SpanStatusCode.ERROR, message: "too late" });
  b.end();
  assert.equal(ended[0]!.status, { code: SpanStatusCode.ERROR, message: "failed" });
  assert.equal(ended[1]!.status, { code: SpanStatusCode.OK });
});

test("end() is idempotent, warns once; changes after end are ignored; end before start clamps", () => {
  const messages = captureDiag();
  const { tracer, ended } = setup();
  const span = tracer.startSpan("once", { startTime: 1700000000000 });
  span.end(1600000000000);
  span.end();
  span.end();
  span.setAttribute("late", 1);
  span.updateName("renamed");
  assert.is(ended.length, 1);
  assert.is(ended[0]!.name, "once");
  assert.is(ended[0]!.attributes.late, undefined);
  assert.is(ended[0]!.endTime, ended[0]!.startTime);
  assert.is(span.isRecording(), false);
  assert.is(messages.filter((m) => m.includes("more than once")).length, 1);
  diag.setLogger();
});

test("times: explicit start/end times keep nanosecond precision on export", () => {
  // Exact to the nanosecond for times within weeks of the SDK's anchor (real spans);
  // far-away times are exact to the microsecond (see src/common/time.ts).
  const { tracer, ended } = setup();
  const sec = Math.floor(Date.now() / 1000);
  tracer.startSpan("t", { startTime: [sec, 123456789] }).end([sec + 1, 5]);
  const s = ended[0]!;
  assert.is(toEpochNanos(s.startTime), `${sec}123456789`);
  assert.is(toEpochNanos(s.endTime), `${sec + 1}000000005`);
  tracer.startSpan("far", { startTime: [1000000000, 123456000] }).end();
  const far = BigInt(toEpochNanos(ended[1]!.startTime)) - 1000000000123456000n;
  assert.ok(far > -1000n && far < 1000n, `within a microsecond (off by ${far} ns)`);
});

test("sampling: AlwaysOff gives non-recording spans that still propagate ids; children follow the parent", () => {
  const { tracer, ended, started } = setup({ sampler: new AlwaysOffSampler() });
  const span = tracer.startSpan("dropped");
  assert.instance(span, NonRecordingSpan);
  assert.is(span.isRecording(), false);
  assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
  assert.is(span.spanContext().traceFlags & 1, 0);
  span.end();
  assert.is(ended.length, 0);
  assert.is(started.length, 0);
});

test("default sampler is ParentBased(AlwaysOn): an unsampled remote parent gives an unsampled child", () => {
  const { tracer, ended } = setup();
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: 0,
    isRemote: true,
  });
  const s = tracer.startSpan("child-of-unsampled", {}, remote);
  assert.is(s.isRecording(), false);
  assert.is(s.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
  const sampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true });
  tracer.startSpan("child-of-sampled", {}, sampledParent).end();
  assert.is(ended[0]!.parentSpanContext?.isRemote, true);
  assert.is(ended[0]!.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
});

test("suppressed context and shut-down provider give non-recording spans", async () => {
  const { provider, tracer, ended } = setup({ sampler: new AlwaysOnSampler() });
  tracer.startSpan("suppressed", {}, suppressTracing(ROOT_CONTEXT)).end();
  await provider.shutdown();
  const after = tracer.startSpan("after-shutdown");
  assert.is(after.isRecording(), false);
  after.end();
  assert.is(ended.length, 0);
});

test("a throwing processor or sampler never reaches the caller", () => {
  const provider = new BasicTracerProvider({
    sampler: { shouldSample: () => { throw new Error("sampler"); }, toString: () => "bad" },
  });
  const s = provider.getTracer("x").startSpan("s");
  s.end();
  const p2 = new BasicTracerProvider({
    spanProcessors: [{ onStart() { throw new Error("a"); }, onEnd() { throw new Error("b"); }, forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const span = p2.getTracer("x").startSpan("s");
  assert.instance(span, RecordingSpan);
  span.end();
});

test("trace.getTracer before a provider is set: non-recording, then real once set (proxy)", () => {
  trace.disable();
  const early = trace.getTracer("early");
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 });
  const before = early.startSpan("before", {}, parent);
  assert.is(before.isRecording(), false);
  assert.is(before.spanContext().spanId, "b7ad6b7169203331", "noop spans carry the parent context");
  const { provider, ended } = setup();
  trace.setGlobalTracerProvider(provider);
  early.startActiveSpan("after", (s) => s.end());
  assert.is(ended.length, 1);
  assert.is(ended[0]!.instrumentationScope.name, "early");
  trace.disable();
});

test("startActiveSpan without a function returns undefined and does not throw", () => {
  const { tracer } = setup();
  assert.is((tracer.startActiveSpan as (n: string) => unknown)("x"), undefined);
});

test("spanProcessors that are not an array of processors throw at construction, naming what is wrong", () => {
  const ok: SpanProcessor = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
  assert.throws(() => new BasicTracerProvider({ spanProcessors: ok as never }), (e: Error) => e instanceof TypeError && /spanProcessors must be an array of span processors/.test(e.message));
  assert.throws(
    () => new BasicTracerProvider({ spanProcessors: [ok, { onStart() {}, onEnd() {} } as never] }),
    (e: Error) => e instanceof TypeError && /spanProcessors\[1\] is not a span processor \(onStart, onEnd, forceFlush, shutdown\)/.test(e.message),
  );
  // The provider keeps its own copy: a later change to the caller's array does not reach it.
  const list: SpanProcessor[] = [];
  const provider = new BasicTracerProvider({ spanProcessors: list });
  list.push({ ...ok, onStart: () => assert.unreachable("added after construction") });
  provider.getTracer("t").startSpan("s").end();
});

test("a processor whose forceFlush or shutdown throws synchronously does not stop the others, and nothing rejects", async () => {
  const calls: string[] = [];
  const broken: SpanProcessor = {
    onStart() {},
    onEnd() {},
    forceFlush: () => { throw new Error("sync flush"); },
    shutdown: () => { throw new Error("sync shutdown"); },
  };
  const good: SpanProcessor = { onStart() {}, onEnd() {}, forceFlush: async () => void calls.push("flush"), shutdown: async () => void calls.push("shutdown") };
  const messages = captureDiag();
  try {
    const provider = new BasicTracerProvider({ spanProcessors: [broken, good] });
    await provider.forceFlush();
    await provider.shutdown();
  } finally {
    diag.setLogger();
  }
  assert.equal(calls, ["flush", "shutdown"]);
  assert.ok(messages.some((m) => /failed to flush or shut down/.test(m)), messages.join("\n"));
});

test.run();
