// The lean tracer (bench/lean/tracer.ts, attributes.ts) against the product's (src/trace,
// src/common/attributes.ts): the same random call sequences, hostile input included, on both,
// and the ended spans compared field by field (differential); then the spec cases of
// test/trace/tracer.test.ts, ported.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { copyAttributes } from "../../src/common/attributes.ts";
import { toEpochNanos as productNanos } from "../../src/common/time.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import type { ReadableSpan, Span, SpanProcessor } from "../../src/trace/types.ts";
import type { Context, Sampler, SpanContext, SpanLimits, TraceState } from "../../bench/lean/contract.ts";
import { active, ROOT_CONTEXT, SPAN_KEY, SUPPRESS_KEY, withContext } from "../../bench/lean/context.ts";
import { toEpochNanos as leanNanos } from "../../bench/lean/time.ts";
import { copy, sanitizeAttributes } from "../../bench/lean/attributes.ts";
import { createTracerProvider, getSpan, setSpan } from "../../bench/lean/tracer.ts";
import { Rng, withSeed } from "../fuzz/prng.ts";

diag.disable();
// The lean core reports through console.warn: collected here, so tests can check "reported once".
const warnings: string[] = [];
console.warn = (m: string) => void warnings.push(m);
const warned = (part: string): number => warnings.filter((w) => w.includes(part)).length;

const RESOURCE = { attributes: { "service.name": "lean" } } as never;

function lean(limits?: Partial<SpanLimits>, sampler?: Sampler) {
  const ended: ReadableSpan[] = [];
  const provider = createTracerProvider({ resource: RESOURCE, sink: { onEnd: (s) => void ended.push(s), flush: async () => {} }, limits, sampler });
  return { tracer: provider.getTracer("test", "1.2.3"), ended };
}

function product(limits?: Partial<SpanLimits>, sampler?: Sampler) {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart() {},
    // As the lean sink: sampled spans only (the product's batch processor drops the others).
    onEnd: (s) => void (s.spanContext().traceFlags & 1 && ended.push(s)),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [processor], spanLimits: limits, sampler: sampler as never });
  return { tracer: provider.getTracer("test", "1.2.3"), ended };
}

// ---- random (hostile) input, the same objects handed to both ---------------------------------
function throwingProxy(target: object = {}): object {
  const boom = () => {
    throw new Error("trap");
  };
  return new Proxy(target, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
}
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  return proxy;
}
function getterThrows(o: Record<string, unknown> = { ok: "fine" }): object {
  Object.defineProperty(o, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
  return o;
}
const hostileText = { toString: () => { throw new Error("toString"); }, [Symbol.toPrimitive]: () => { throw new Error("prim"); } };

function value(rng: Rng): unknown {
  switch (rng.int(24)) {
    case 0: return rng.codeUnits(rng.range(0, 12));
    case 1: return "ab\ud83d\ude00cd".slice(0, rng.range(0, 6)) + "x".repeat(rng.int(12));
    case 2: return rng.pick([NaN, Infinity, -0, 0, 1.5, -7, 2 ** 53 + 1]);
    case 3: return rng.pick([0n, Symbol("s"), () => 1, hostileText]);
    case 4: return [1, "mixed"];
    case 5: return [null, undefined, 2, 3];
    case 6: return ["abcdefgh", null, "\ud83d\ude00\ud83d\ude00\ud83d\ude00"];
    case 7: return [true, false, null];
    case 8: return [[1], [2]];
    case 9: return [{ a: 1 }];
    case 10: return throwingProxy([1, 2]);
    case 11: return revoked();
    case 12: return new Proxy(["a", "b"], { get: (t, k) => { if (k === "1") throw new Error("index"); return Reflect.get(t, k); } });
    case 13: return { a: 1 };
    case 14: return null;
    case 15: return undefined;
    case 16: return new Date(0);
    // eslint-disable-next-line no-sparse-arrays
    case 17: return [, "hole"];
    case 18: return [];
    case 19: return rng.bool();
    default: return rng.pick(["v", "abc", "abcdefghij", "", "\ud800"]) + rng.int(10);
  }
}
const KEYS = ["a", "b", "c", "d", "e", "__proto__", "constructor", "toString", "", "0", "k".repeat(20)];
const key = (rng: Rng): unknown => (rng.bool(0.95) ? rng.pick(KEYS) : rng.pick([undefined, 1, Symbol("k"), null]));

function map(rng: Rng): unknown {
  switch (rng.int(10)) {
    case 0: return throwingProxy();
    case 1: return revoked();
    case 2: return getterThrows({ x: 1, y: "z" });
    case 3: return rng.pick([null, undefined, "str", 42, [1, 2], () => 1]);
    case 4: return JSON.parse('{"__proto__": "p", "constructor": 1, "ok": true}');
    default: {
      const m: Record<string, unknown> = rng.bool(0.2) ? Object.create(null) : {};
      for (let i = rng.int(10); i > 0; i--) Object.defineProperty(m, String(key(rng)), { value: value(rng), enumerable: true, configurable: true, writable: true });
      return m;
    }
  }
}

const SC = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
function time(rng: Rng): unknown {
  return rng.pick([undefined, 1700000000123.5, new Date(1700000000000), [1700000000, 123456789], NaN, Infinity, performance.now(), new Date(NaN), "x", null]);
}
function link(rng: Rng): unknown {
  switch (rng.int(9)) {
    case 0: return null;
    case 1: return { context: rng.pick([{ traceId: 1, spanId: "x" }, { traceId: "x", spanId: 2 }, 5]) };
    case 2: return throwingProxy();
    case 3: return { context: throwingProxy() };
    case 4: return Object.defineProperty({ context: SC }, "attributes", { enumerable: true, get: () => { throw new Error("attrs"); } });
    case 5: return { context: SC, droppedAttributesCount: rng.pick([3, -1, 1.5, "2", NaN]) };
    case 6: return "link";
    default: return { context: { ...SC, spanId: rng.hex(16) }, attributes: map(rng) };
  }
}
function exception(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0: return new TypeError("bad");
    case 1: return "a message";
    case 2: return { code: rng.pick([42, "E_X", hostileText, null]), name: "N", message: "m", stack: "s" };
    case 3: return getterThrows({ name: "Named" });
    case 4: return throwingProxy();
    case 5: return rng.pick([null, undefined, 7, Symbol("e"), hostileText]);
    case 6: return { name: 1, message: 2, stack: 3 };
    default: return Object.assign(new RangeError("range"), { stack: "RangeError: range\n  at x" });
  }
}

type Op = (s: Span) => void;
function op(rng: Rng): Op {
  const a = value(rng), k = key(rng), m = map(rng), t = time(rng);
  switch (rng.int(12)) {
    case 0: case 1: case 2: return (s) => s.setAttribute(k as string, a as never);
    case 3: return (s) => s.setAttributes(m as never);
    case 4: {
      const name = rng.bool(0.9) ? rng.pick(["e1", "e2"]) : hostileText;
      const second = rng.pick([m, t, undefined]);
      return (s) => s.addEvent(name as string, second as never, t as never);
    }
    case 5: {
      const l = link(rng);
      return (s) => s.addLink(l as never);
    }
    case 6: {
      const ls = rng.pick([[link(rng), link(rng)], null, throwingProxy([1]), revoked(), "links"]);
      return (s) => s.addLinks(ls as never);
    }
    case 7: {
      const st = rng.pick([{ code: 0 }, { code: 1, message: "ok" }, { code: 2, message: "bad" }, { code: 2, message: 5 }, { code: 2 }, { code: 7 }, { code: "2" }, null, throwingProxy()]);
      return (s) => s.setStatus(st as never);
    }
    case 8: {
      const n = rng.pick(["renamed", "", hostileText, 5]);
      return (s) => s.updateName(n as never);
    }
    case 9: {
      const e = exception(rng);
      return (s) => s.recordException(e as never, t as never);
    }
    case 10: return (s) => s.end(t as never);
    default: {
      const k2 = rng.pick(["a", "b", "c"]);
      return (s) => s.setAttribute(k2, "short");
    }
  }
}

/** A parent context for both sides: none, a (remote) span context, invalid ids, suppressed, hostile. */
function parent(rng: Rng): { ctx?: Context; root?: boolean; valid?: SpanContext } {
  const traceState = { serialize: () => "k=v", get: () => undefined, set: () => traceState, unset: () => traceState } as TraceState;
  const with_ = (sc: unknown) => ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: () => sc });
  switch (rng.int(9)) {
    case 0: return {};
    case 1: {
      const sc = { traceId: rng.hex(32), spanId: rng.hex(16), traceFlags: 1, isRemote: true, traceState };
      return { ctx: with_(sc), valid: sc };
    }
    case 2: {
      const sc = { traceId: rng.hex(32), spanId: rng.hex(16), traceFlags: rng.pick([0, 2, 3]), isRemote: rng.bool() };
      return { ctx: with_(sc), valid: sc, root: rng.bool(0.3) };
    }
    case 3: return { ctx: with_(rng.pick([{ traceId: "0".repeat(32), spanId: "b7ad6b7169203331", traceFlags: 1 }, { ...SC, traceId: SC.traceId.toUpperCase() }, { ...SC, spanId: 5 }, null, "sc"])) };
    case 4: return { ctx: with_(SC).setValue(SUPPRESS_KEY, true), valid: SC };
    case 5: return { ctx: ROOT_CONTEXT.setValue(SUPPRESS_KEY, true) };
    case 6: return { ctx: {} as Context };
    default: return { ctx: with_(SC), valid: SC };
  }
}

/** The spans' recorded fields, times as epoch nanoseconds (each side through its own anchor). */
function view(s: ReadableSpan, nanos: (t: number) => string) {
  const t = (x: number) => Number(BigInt(nanos(x)) / 1000000n); // ms: the two anchors differ by a few µs
  return {
    name: s.name,
    kind: s.kind,
    attributes: Object.entries(s.attributes),
    protoKey: Object.getOwnPropertyDescriptor(s.attributes, "__proto__")?.value,
    events: s.events.map((e) => ({ ...e, time: t(e.time), attributes: Object.entries(e.attributes) })),
    links: s.links.map((l) => ({ ...l, attributes: Object.entries(l.attributes) })),
    status: s.status,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
    parent: s.parentSpanContext,
    flags: s.spanContext().traceFlags,
    traceState: s.spanContext().traceState,
    duration: Math.round(s.endTime - s.startTime),
    start: t(s.startTime),
    scope: { ...s.instrumentationScope },
    ended: s.ended,
  };
}

// Times read "now" on each side a moment apart, through two anchors (each ±1 ms): within 250 ms
// (a loaded CI machine can pause a process that long between the two readings; explicit times
// are compared exactly by the encoder's differential tests).
const near = (a: ReturnType<typeof view>, b: ReturnType<typeof view>): boolean =>
  Math.abs(a.start - b.start) <= 250 && Math.abs(a.duration - b.duration) <= 250 && a.events.every((e, i) => Math.abs(e.time - (b.events[i]?.time ?? NaN)) <= 250);

test(
  "differential: random call sequences (hostile input, limits, parents) give the same spans as the product's tracer",
  withSeed("lean tracer", (rng) => {
    let compared = 0;
    for (let round = 0; round < 1500; round++) {
      const limits = rng.bool(0.5)
        ? undefined
        : { attributeCountLimit: rng.range(0, 4), attributeValueLengthLimit: rng.pick([Infinity, 0, 1, 3, 5]), eventCountLimit: rng.range(0, 3), linkCountLimit: rng.range(0, 2), attributePerEventCountLimit: rng.range(0, 2), attributePerLinkCountLimit: rng.range(0, 2) };
      // No sampler (the default), or one with a fixed decision, attributes and maybe a tracestate.
      const decision = rng.pick([0, 1, 2] as const);
      const sampledState = rng.bool() ? ({ serialize: () => "s=1" } as TraceState) : undefined;
      const sampledAttributes = map(rng) as never;
      const sampler: Sampler | undefined = rng.bool(0.7) ? undefined : { shouldSample: () => ({ decision, attributes: sampledAttributes, traceState: sampledState }), toString: () => "fixed" };
      const L = lean(limits, sampler), P = product(limits, sampler);
      const { ctx, root, valid } = parent(rng);
      const options = rng.pick<unknown>([
        undefined,
        { kind: rng.pick([0, 1, 2, 3, 4, 5, -1, "x", Symbol("k")]), attributes: map(rng), links: [link(rng), link(rng)], startTime: time(rng), root },
        { attributes: map(rng), root },
        throwingProxy(),
        getterThrows({ kind: 2 }),
      ]);
      const name = rng.pick<unknown>(["span", "", hostileText, 7]);
      const ops = Array.from({ length: rng.range(0, 14) }, () => op(rng));
      if (rng.bool(0.8)) ops.push((s) => s.end());
      const l = L.tracer.startSpan(name as string, options as never, ctx);
      const p = P.tracer.startSpan(name as string, options as never, ctx);
      const why = `round ${round}`;
      assert.is(l.isRecording(), p.isRecording(), why);
      const lc = l.spanContext(), pc = p.spanContext();
      assert.is(lc.traceFlags, pc.traceFlags, why);
      assert.is(lc.traceState, pc.traceState, why);
      assert.equal(Object.keys(lc).sort(), Object.keys(pc).sort(), why);
      if (valid && lc.traceId === valid.traceId) assert.is(pc.traceId, valid.traceId, why);
      else if (!p.isRecording() && pc.spanId === "0".repeat(16)) assert.equal(lc, pc, why);
      else assert.is.not(lc.traceId, pc.traceId, why); // a new trace on both sides
      if (pc === valid) assert.is(lc, valid, why); // suppressed: the parent's context itself
      for (const o of ops) {
        o(l);
        o(p);
      }
      assert.is(l.isRecording(), p.isRecording(), why);
      assert.is(L.ended.length, P.ended.length, why);
      if (L.ended.length) {
        compared++;
        const a = view(L.ended[0]!, leanNanos), b = view(P.ended[0]!, productNanos);
        assert.ok(near(a, b), `${why}: times ${a.start} vs ${b.start}`);
        assert.equal({ ...a, start: 0, duration: 0, events: a.events.map((e) => ({ ...e, time: 0 })) }, { ...b, start: 0, duration: 0, events: b.events.map((e) => ({ ...e, time: 0 })) }, why);
      }
    }
    // Most rounds end a sampled span (the rest are sampled out, suppressed or never ended).
    assert.ok(compared > 600, `only ${compared} spans compared`);
    if (process.env.LEAN_STATS) console.log(`compared ${compared} of 1500`);
  }),
);

test(
  "differential: attribute copies (hostile maps, limits) equal the product's copyAttributes",
  withSeed("lean attributes", (rng) => {
    for (let i = 0; i < 3000; i++) {
      const m = map(rng);
      const count = rng.pick([Infinity, 0, 1, 3]), length = rng.pick([Infinity, 0, 2, 5]);
      const [attributes, dropped] = copy(m, count, length);
      const expected = copyAttributes(m, { countLimit: count, valueLengthLimit: length });
      // Entries, not objects: uvu's deep equality compares a `constructor` key as the constructor.
      assert.equal(Object.entries(attributes), Object.entries(expected.attributes), `case ${i}`);
      assert.is(dropped, expected.dropped, `case ${i}`);
      assert.is(Object.getPrototypeOf(attributes), Object.prototype);
    }
    assert.equal(sanitizeAttributes({ a: "abcdef", b: [1, "x"], c: 1 }, { attributeValueLengthLimit: 2, attributeCountLimit: 1 }), { a: "ab" });
    assert.equal(sanitizeAttributes({ a: "abcdef", b: [1, null] }), { a: "abcdef", b: [1, null] });
  }),
);

// ---- spec cases, ported from test/trace/tracer.test.ts -------------------------------------------
test("ids are lowercase hex, unique, never zero; a new trace has the sampled and random (W3C Level 2) flags", () => {
  const { tracer, ended } = lean();
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
  assert.is(ended[0]!.spanContext().traceFlags, 3);
  assert.equal({ ...ended[0]!.instrumentationScope }, { name: "test", version: "1.2.3", schemaUrl: undefined });
  assert.is(ended[0]!.resource, RESOURCE);
});

test("ids: all-zero random bytes are drawn again (the pool refills from crypto.getRandomValues)", () => {
  const real = crypto.getRandomValues.bind(crypto);
  let calls = 0;
  // The first refill during this test gives 2 KiB of zeros, later ones are random.
  crypto.getRandomValues = (<T extends ArrayBufferView>(a: T): T => (calls++ ? real(a) : (new Uint8Array(a.buffer).fill(0), a))) as typeof crypto.getRandomValues;
  try {
    const { tracer } = lean();
    for (let i = 0; i < 200; i++) {
      const sc = tracer.startSpan("z").spanContext();
      assert.is.not(sc.traceId, "0".repeat(32));
      assert.is.not(sc.spanId, "0".repeat(16));
      assert.match(sc.traceId + sc.spanId, /^[0-9a-f]{48}$/);
    }
    assert.ok(calls >= 2, "a zero-filled pool, then a random one");
  } finally {
    crypto.getRandomValues = real;
  }
});

test("startActiveSpan: nested spans across await form a tree; the callback's value (a promise) is returned as is", async () => {
  const { tracer, ended } = lean();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const result = await tracer.startActiveSpan("parent", async (parent) => {
    await sleep(2);
    const inner = await tracer.startActiveSpan("child", { kind: 2 }, async (child) => {
      await sleep(1);
      assert.is(getSpan(active()), child);
      tracer.startSpan("grandchild").end();
      child.end();
      return 41;
    });
    assert.is(getSpan(active()), parent);
    parent.end();
    return inner + 1;
  });
  assert.is(result, 42);
  const by = Object.fromEntries(ended.map((s) => [s.name, s]));
  assert.is(by.child!.parentSpanContext?.spanId, by.parent!.spanContext().spanId);
  assert.is(by.grandchild!.parentSpanContext?.spanId, by.child!.spanContext().spanId);
  assert.is(by.grandchild!.spanContext().traceId, by.parent!.spanContext().traceId);
  assert.is(by.child!.kind, 2);
  const promise = Promise.resolve(1);
  assert.is(tracer.startActiveSpan("p", () => promise), promise);
});

test("startActiveSpan: all overloads; explicit context parent; root option; errors reach the caller; no function → undefined", () => {
  const { tracer, ended } = lean();
  const parentSpan = tracer.startSpan("explicit-parent");
  const ctx = setSpan(ROOT_CONTEXT, parentSpan);
  tracer.startActiveSpan("a", (s) => s.end());
  tracer.startActiveSpan("b", { attributes: { k: 1 } }, (s) => s.end());
  tracer.startActiveSpan("c", {}, ctx, (s) => s.end());
  tracer.startSpan("d", {}, ctx).end();
  withContext(ctx, () => tracer.startSpan("e", { root: true }).end());
  withContext(ctx, () => tracer.startSpan("f").end());
  const by = Object.fromEntries(ended.map((s) => [s.name, s]));
  assert.is(by.a!.parentSpanContext, undefined);
  assert.is(by.b!.attributes.k, 1);
  assert.is(by.c!.parentSpanContext, parentSpan.spanContext());
  assert.is(by.d!.parentSpanContext, parentSpan.spanContext());
  assert.is(by.e!.parentSpanContext, undefined);
  assert.is.not(by.e!.spanContext().traceId, parentSpan.spanContext().traceId);
  assert.is(by.f!.parentSpanContext, parentSpan.spanContext());
  assert.throws(() => tracer.startActiveSpan("t", () => { throw new Error("user"); }), /user/);
  assert.is((tracer.startActiveSpan as (n: string, ...a: unknown[]) => unknown)("x"), undefined);
  // A ctx that is not a Context: the span still runs, with the active context.
  assert.is(tracer.startActiveSpan("bad-ctx", {}, {} as Context, (s) => (s.end(), 3)), 3);
});

test("1,000 concurrent requests: every child span has its own request's parent", async () => {
  const { tracer, ended } = lean();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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
    assert.is(s.parentSpanContext?.spanId, roots.get(s.name.slice(6))!.spanContext().spanId);
    checked++;
  }
  assert.is(checked, 1000);
});

test("attributes: invalid values dropped and reported once, never thrown; limits count drops; no prototype pollution", () => {
  const { tracer, ended } = lean({ attributeCountLimit: 3, attributeValueLengthLimit: 4 });
  const span = tracer.startSpan("attrs");
  span.setAttribute("obj", { a: 1 } as never);
  span.setAttribute("obj", { a: 2 } as never);
  span.setAttribute("mixed", [1, "a"] as never);
  span.setAttribute("undef", undefined as never);
  span.setAttribute("s", "abcdefgh");
  span.setAttribute("arr", ["abcdef", null, "x"]);
  span.setAttribute("n", 1);
  span.setAttribute("over", true);
  span.setAttribute("over2", true);
  span.setAttribute("n", 2); // replacing an existing key is allowed at the limit
  span.setAttribute("", 1);
  span.setAttribute("__proto__", "kept");
  span.end();
  const s = ended[0]!;
  assert.equal({ ...s.attributes }, { s: "abcd", arr: ["abcd", null, "x"], n: 2 });
  assert.is(s.droppedAttributesCount, 3);
  assert.is(Object.getPrototypeOf(s.attributes), Object.prototype);
  // Counted over the whole suite (diag.ts keeps its once-set per process): after thousands of
  // fuzzed occurrences above and these, each cause has been reported exactly once.
  assert.is(warned("invalid attribute value dropped"), 1);
  assert.is(warned("invalid attribute key dropped"), 1);
  assert.is(warned("attributes over the span limit dropped"), 1);
  assert.is(warned("unreadable attributes dropped"), 1);
});

test("__proto__ is stored as an own attribute, never as the prototype", () => {
  const { tracer, ended } = lean();
  tracer.startSpan("p", { attributes: JSON.parse('{"__proto__": "x", "constructor": "y"}') }).end();
  const attrs = ended[0]!.attributes;
  assert.is(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value, "x");
  assert.is(attrs.constructor as unknown, "y");
  assert.is(({} as Record<string, unknown>).x, undefined);
});

test("value length limit: a surrogate pair is never split; string array members are cut", () => {
  const { tracer, ended } = lean({ attributeValueLengthLimit: 3 });
  tracer.startSpan("cut", { attributes: { a: "ab\ud83d\ude00", b: ["abcd", "x\ud83d\ude00"], c: 12345 } }).end();
  assert.equal({ ...ended[0]!.attributes }, { a: "ab", b: ["abc", "x\ud83d\ude00"], c: 12345 });
});

test("events and links: limits, oldest events dropped, recordException attributes", () => {
  const { tracer, ended } = lean({ eventCountLimit: 2, linkCountLimit: 1, attributePerEventCountLimit: 1 });
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
  assert.is(s.events[1]!.attributes["exception.type"], "TypeError");
  assert.is(s.events[1]!.droppedAttributesCount, 2);
  assert.is(leanNanos(s.events[0]!.time), "1700000000000000000");
  const none = lean({ eventCountLimit: 0 });
  const z = none.tracer.startSpan("z");
  z.addEvent("gone");
  z.end();
  assert.equal(none.ended[0]!.events, []);
  assert.is(none.ended[0]!.droppedEventsCount, 1);
});

test("recordException: message, type and stacktrace; strings and codes; throwing getters tolerated", () => {
  const { tracer, ended } = lean();
  const span = tracer.startSpan("ex");
  span.recordException(new RangeError("out of range"));
  span.recordException("plain message");
  span.recordException({ code: 42, message: "with code" });
  span.recordException(Object.defineProperty({ name: "Named" }, "message", { get: () => { throw new Error("getter"); } }) as never);
  span.end();
  const [a, b, c, d] = ended[0]!.events;
  assert.is(a!.name, "exception");
  assert.is(a!.attributes["exception.type"], "RangeError");
  assert.is(a!.attributes["exception.message"], "out of range");
  assert.match(String(a!.attributes["exception.stacktrace"]), /RangeError: out of range/);
  assert.equal({ ...b!.attributes }, { "exception.message": "plain message" });
  assert.is(c!.attributes["exception.type"], "42");
  assert.equal({ ...d!.attributes }, {}, "a throwing getter: nothing read, the event still recorded");
});

test("status: UNSET ignored, OK final, message only with ERROR, invalid code dropped", () => {
  const { tracer, ended } = lean();
  const a = tracer.startSpan("a");
  a.setStatus({ code: 2, message: "failed" });
  a.setStatus({ code: 0 });
  a.setStatus({ code: 9 as never });
  a.end();
  const b = tracer.startSpan("b");
  b.setStatus({ code: 1, message: "ignored" });
  b.setStatus({ code: 2, message: "too late" });
  b.end();
  assert.equal(ended[0]!.status, { code: 2, message: "failed" });
  assert.equal(ended[1]!.status, { code: 1 });
});

test("end() once: the sink sees a span once, later calls ignored and reported once; end before start clamps", () => {
  const { tracer, ended } = lean();
  const span = tracer.startSpan("once", { startTime: 1700000000000 });
  span.end(1600000000000);
  span.end();
  span.end();
  span.setAttribute("late", 1);
  span.addEvent("late");
  span.updateName("renamed");
  assert.is(ended.length, 1);
  assert.is(ended[0]!.name, "once");
  assert.is(ended[0]!.attributes.late, undefined);
  assert.is(ended[0]!.events.length, 0);
  assert.is(ended[0]!.endTime, ended[0]!.startTime);
  assert.is(span.isRecording(), false);
  assert.is(warned("span ended: call ignored"), 1);
  assert.is(warned("span end before start clamped"), 1);
});

test("times: explicit start/end times keep nanosecond precision", () => {
  const { tracer, ended } = lean();
  const sec = Math.floor(Date.now() / 1000);
  tracer.startSpan("t", { startTime: [sec, 123456789] }).end([sec + 1, 5]);
  assert.is(leanNanos(ended[0]!.startTime), `${sec}123456789`);
  assert.is(leanNanos(ended[0]!.endTime), `${sec + 1}000000005`);
});

test("sampling: default ParentBased(AlwaysOn); sampled-out spans are silent no-ops that carry the trace", () => {
  const before = warnings.length;
  const { tracer, ended } = lean();
  const remote = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 0, isRemote: true };
  const out = tracer.startSpan("c2", {}, setSpan(ROOT_CONTEXT, { spanContext: () => remote } as Span));
  assert.is(out.isRecording(), false);
  assert.is(out.spanContext().traceId, remote.traceId);
  assert.is(out.spanContext().traceFlags, 0);
  assert.is(out.spanContext(), out.spanContext());
  out.setAttribute("a", 1).addEvent("e").setStatus({ code: 2 }).updateName("x");
  out.recordException("e");
  out.end();
  out.end();
  const child = tracer.startSpan("child-of-out", {}, setSpan(ROOT_CONTEXT, out));
  assert.is(child.isRecording(), false);
  assert.is(child.spanContext().traceId, remote.traceId);
  const sampled = tracer.startSpan("c3", {}, setSpan(ROOT_CONTEXT, { spanContext: () => ({ ...remote, traceFlags: 1 }) } as Span));
  assert.is(sampled.isRecording(), true);
  assert.is(sampled.spanContext().traceFlags, 1);
  assert.is(ended.length, 0);
  assert.is(warnings.length, before, "non-recording spans report nothing");
});

test("a configured sampler decides (drop, record only, record and sample), its attributes and tracestate are kept; a broken one records nothing", () => {
  const ts = { serialize: () => "s=1" } as TraceState;
  const calls: unknown[][] = [];
  const sampler = (decision: 0 | 1 | 2): Sampler => ({
    shouldSample: (...args) => (calls.push(args), { decision, attributes: { sampled: decision }, traceState: ts }),
    toString: () => "test",
  });
  for (const d of [0, 1, 2] as const) {
    const { tracer, ended } = lean(undefined, sampler(d));
    const s = tracer.startSpan("s", { kind: 1, attributes: { a: 1 } });
    assert.is(s.isRecording(), d > 0);
    assert.is(s.spanContext().traceFlags, d == 2 ? 3 : 2);
    assert.is(s.spanContext().traceState, ts);
    s.end();
    assert.is(ended.length, d == 2 ? 1 : 0);
    if (d == 2) assert.equal({ ...ended[0]!.attributes }, { a: 1, sampled: 2 });
  }
  assert.is(calls[0]![2], "s");
  assert.is(calls[0]![3], 1);
  assert.equal(calls[0]![4], { a: 1 });
  for (const bad of [() => { throw new Error("x"); }, () => ({ decision: 5 }), () => ({ decision: 2, traceState: {} }), () => null]) {
    const { tracer } = lean(undefined, { shouldSample: bad as never, toString: () => "bad" });
    assert.is(tracer.startSpan("s").isRecording(), false);
  }
});

test("suppressed context: non-recording, carrying the parent (the exporter's fetch is never traced)", () => {
  const { tracer, ended } = lean();
  const s = tracer.startSpan("x", {}, ROOT_CONTEXT.setValue(SUPPRESS_KEY, true));
  assert.is(s.isRecording(), false);
  assert.is(s.spanContext().traceId, "0".repeat(32));
  const sc = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
  const inner = withContext(setSpan(ROOT_CONTEXT, { spanContext: () => sc } as Span).setValue(SUPPRESS_KEY, true), () => tracer.startSpan("y"));
  assert.is(inner.spanContext(), sc);
  withContext(ROOT_CONTEXT.setValue(SUPPRESS_KEY, true), () => tracer.startActiveSpan("z", (z) => z.end()));
  s.end();
  assert.is(ended.length, 0);
});

test("hostile options, contexts and names never reach the caller", () => {
  const { tracer, ended } = lean();
  const bad = [throwingProxy(), revoked(), getterThrows({}), null, 5];
  for (const o of bad) tracer.startSpan("o", o as never).end();
  for (const c of bad) tracer.startSpan("c", {}, c as never).end();
  tracer.startSpan(hostileText as never).end();
  tracer.startSpan("k", { kind: Symbol("k") as never }).end();
  assert.is(ended.length, bad.length * 2 + 2);
  assert.is(ended[ended.length - 2]!.name, "span");
  assert.is(ended[ended.length - 1]!.kind, 0);
  const provider = createTracerProvider({ resource: RESOURCE, sink: { onEnd() { throw new Error("sink"); }, flush: async () => {} } });
  provider.getTracer(5 as never, {} as never, throwingProxy() as never).startSpan("s").end();
  assert.equal({ ...(provider.getTracer("", "v", { schemaUrl: "u" }) as never as object) }.constructor, Object);
});

test("limits from the config; bad limits fall back to the spec defaults", () => {
  const { tracer, ended } = lean({ attributeCountLimit: -1, eventCountLimit: NaN, linkCountLimit: 1 });
  const s = tracer.startSpan("l");
  for (let i = 0; i < 130; i++) s.setAttribute("k" + i, i).addEvent("e").addLink({ context: SC });
  s.end();
  assert.is(Object.keys(ended[0]!.attributes).length, 128);
  assert.is(ended[0]!.droppedAttributesCount, 2);
  assert.is(ended[0]!.events.length, 128);
  assert.is(ended[0]!.droppedEventsCount, 2);
  assert.is(ended[0]!.links.length, 1);
  assert.is(ended[0]!.droppedLinksCount, 129);
});

test.run();
