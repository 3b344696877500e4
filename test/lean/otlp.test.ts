// bench/lean/otlp.ts against the product's OTLP/JSON trace encoder (the oracle): the same spans
// must give the same bytes. Spans come from the product's tracer, from the product's own
// encoder fixtures (the kitchen sink: every AnyValue type, escapes, lone surrogates, invalid ids,
// throwing getters, proxies, cycles, several resources and scopes), and from a seeded generator of
// hostile spans. A few spec checks on the parsed output guard against both being wrong alike.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { now as productNow, toEpochNanos as productNanos } from "../../src/common/time.ts";
import { encodeTraces, encodeTracesBytes } from "../../src/export/otlp/trace-encoder.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { setSpanContext } from "../../src/trace/span-in-context.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { createTraceState } from "../../src/propagation/trace-state.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import type { Resource } from "../../src/resource/resource.ts";
import { encodeSpans } from "../../bench/lean/otlp.ts";
import { now as leanNow, toEpochNanos } from "../../bench/lean/time.ts";
import { cycle, everyValue, kitchenSinkSpans, NASTY } from "../export/otlp/kitchen-sink.ts";
import { makeSpan, traceState } from "../export/otlp/span-fixtures.ts";

// Both clocks anchored at the same wall-clock millisecond, so their epoch nanoseconds agree.
const realNow = Date.now;
Date.now = () => 1765100000123;
productNow();
leanNow();
Date.now = realNow;

diag.disable();
const warnings: string[] = [];
console.warn = (m: string) => void warnings.push(m);

const T = "0af7651916cd43dd8448eb211c80319c";
const S = "b7ad6b7169203331";

/** Byte-identical to the product's body, and the same text. */
function same(spans: ReadableSpan[], what = ""): string {
  const bytes = encodeSpans(spans);
  assert.instance(bytes, Uint8Array);
  const lean = new TextDecoder().decode(bytes);
  const oracle = encodeTracesBytes(spans);
  if (bytes.length !== oracle.length || bytes.some((b, i) => b !== oracle[i])) {
    const o = encodeTraces(spans);
    let i = 0;
    while (i < lean.length && lean[i] === o[i]) i++;
    assert.unreachable(`${what}: differs at ${i}:\n lean: …${lean.slice(Math.max(0, i - 80), i + 80)}\n ours: …${o.slice(Math.max(0, i - 80), i + 80)}`);
  }
  assert.is(lean, encodeTraces(spans));
  return lean;
}

test("both clocks agree on epoch nanoseconds (precondition of every comparison)", () => {
  for (const t of [0, 1.5, 2.000001, -1e15, 1e20, NaN, Infinity, -Infinity, 0.9999999, -1765100000123, -1765100000124, 123.456789]) {
    assert.is(toEpochNanos(t), productNanos(t), String(t));
  }
});

test("the kitchen sink: every value type and failure the product's fixtures cover", () => {
  const out = same(kitchenSinkSpans(), "kitchen sink");
  assert.ok(out.length > 2000);
  assert.ok(warnings.some((w) => /OTLP: dropped/.test(w)), "drops are reported");
  assert.not.ok(out.includes("\\ud8"), "no lone surrogate escapes");
});

test("spans from the product's tracer: attributes, events, links, status, remote parent, tracestate, scopes", async () => {
  const exporter = new InMemorySpanExporter();
  const resource = { attributes: { "service.name": "edge-api", "deployment.environment": "prod" }, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" } as Resource;
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)], spanLimits: { attributeCountLimit: 4, eventCountLimit: 2, linkCountLimit: 1 } });
  const a = provider.getTracer("lib-a", "1.2.3", { schemaUrl: "https://example.com/a" });
  const b = provider.getTracer("lib-b");
  const remote = setSpanContext(ROOT_CONTEXT, { traceId: T, spanId: S, traceFlags: 1, isRemote: true, traceState: createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") });
  for (let i = 0; i < 40; i++) {
    const tracer = i % 3 ? a : b;
    const span = tracer.startSpan(`op ${i} ${NASTY}`, { kind: (i % 5) as 0, attributes: { i, ratio: i / 7, big: 2 ** 60 + i, ok: i % 2 === 0, tags: ["x", `y${i}`], extra: "dropped past the limit" } }, i % 4 ? remote : ROOT_CONTEXT);
    span.addEvent("e1", { n: i });
    span.addEvent("e2", [1, 2]);
    span.addEvent("e3");
    span.addLink({ context: { traceId: T, spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true }, attributes: { why: "fan-in" } });
    span.addLink({ context: { traceId: T, spanId: "00f067aa0ba902b8", traceFlags: 0 } });
    if (i % 3 === 0) span.setStatus({ code: 2, message: `failed ${i}` });
    else if (i % 3 === 1) span.setStatus({ code: 1 });
    if (i % 7 === 0) span.recordException(new Error("boom \ud800"));
    span.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  assert.is(spans.length, 40);
  const out = JSON.parse(same(spans, "tracer spans"));
  // Spec checks on the shared result: kind + 1, remote parent flags, tracestate, dropped counts.
  const first = out.resourceSpans[0].scopeSpans.find((s: any) => s.scope.name === "lib-a");
  assert.equal(first.scope, { name: "lib-a", version: "1.2.3" });
  assert.is(first.schemaUrl, "https://example.com/a");
  const s1 = first.spans[0];
  assert.is(s1.kind, 2);
  assert.is(s1.flags, 0x301);
  assert.is(s1.parentSpanId, S);
  assert.is(s1.traceState, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  assert.is(s1.droppedAttributesCount, 2);
  assert.is(s1.droppedEventsCount, 1);
  assert.is(s1.droppedLinksCount, 1);
  assert.equal(s1.links[0].flags, 0x301);
  assert.is(out.resourceSpans[0].schemaUrl, "https://opentelemetry.io/schemas/1.26.0");
  // Batches of every size the exporter sends: each one equal too.
  for (const n of [1, 2, 7, 39]) same(spans.slice(0, n), `first ${n}`);
});

test("spec: proto3 JSON values (int64 strings, doubles, NaN/Infinity strings, bytes base64, kvlist, arrays, Date)", () => {
  const out = JSON.parse(same([makeSpan({ attributes: everyValue() as never })], "every value"));
  const attrs = Object.fromEntries(out.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: any) => [kv.key, kv.value]));
  assert.equal(attrs.int, { intValue: "42" });
  assert.equal(attrs.big, { intValue: "4611686018427387904" });
  assert.equal(attrs.int64min, { intValue: "-9223372036854775808" });
  assert.equal(attrs.over, { doubleValue: 9223372036854775808 });
  assert.equal(attrs.nan, { doubleValue: "NaN" });
  assert.equal(attrs.inf, { doubleValue: "Infinity" });
  assert.equal(attrs.ninf, { doubleValue: "-Infinity" });
  assert.equal(attrs.bigover, { stringValue: "18446744073709551616" });
  assert.equal(attrs.bytes, { bytesValue: "AAEC+v8=" });
  assert.equal(attrs.emptyBytes, { bytesValue: "" });
  assert.equal(attrs.date, { stringValue: "2024-02-29T12:34:56.789Z" });
  assert.equal(attrs.emptyArr, { arrayValue: {} });
  assert.equal(attrs.emptyObj, { kvlistValue: {} });
  assert.equal(attrs.nul, {});
  for (const gone of ["undef", "sym", "fn", "badDate", "proxy"]) assert.is(attrs[gone], undefined, gone);
  assert.not.ok(JSON.stringify(attrs.deep).includes("leaf"), "the branch past 32 levels is cut");
  assert.equal(attrs.getter, { kvlistValue: { values: [{ key: "before", value: { intValue: "1" } }, { key: "after", value: { intValue: "2" } }] } });
});

test("depth limit: 32 nested levels are kept, the 33rd is dropped; cycles are cut where they close", () => {
  const nest = (n: number): unknown => {
    let v: unknown = "leaf";
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { d: v };
    return v;
  };
  for (let n = 29; n <= 34; n++) same([makeSpan({ attributes: { v: nest(n) as never, w: [nest(n)] as never } })], `depth ${n}`);
  assert.ok(same([makeSpan({ attributes: { v: nest(32) as never } })], "32").includes("leaf"));
  assert.not.ok(same([makeSpan({ attributes: { v: nest(33) as never } })], "33").includes("leaf"));
  const attributes = { c: cycle() } as Record<string, unknown>;
  attributes.self = attributes; // the top-level map is not on the cycle path: written once, one level down
  same([makeSpan({ attributes: attributes as never })], "cycles");
});

test("grouping: resource identity, then scope name+version+schemaUrl; schemaUrls; throwing resource and scope", () => {
  const r1 = { attributes: { "service.name": "one" }, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" } as Resource;
  const r2 = { attributes: { "service.name": "two" }, droppedAttributesCount: 2 } as Resource;
  const twin = { attributes: { "service.name": "two" } } as Resource;
  const throwingScope = { get name(): never { throw new Error("scope"); } };
  const throwingVersion = { name: "v", get version(): never { throw new Error("version"); } };
  const sA = { name: "a", version: "1" };
  const sB = { name: "b", schemaUrl: "https://example.com/schema" };
  const spans = [
    makeSpan({ name: "1", resource: r1, scope: sA }),
    makeSpan({ name: "2", resource: r2, scope: sB }),
    makeSpan({ name: "3", resource: r1, scope: sB }),
    makeSpan({ name: "4", resource: r1, scope: { ...sA } }),
    makeSpan({ name: "5", resource: r2, scope: sB }),
    makeSpan({ name: "6", resource: r1, scope: { name: "a", version: "2" } }),
    makeSpan({ name: "7", resource: twin, scope: sB }),
    { ...makeSpan({ name: "8" }), resource: undefined as never, instrumentationScope: undefined as never },
    { ...makeSpan({ name: "9" }), resource: null as never, instrumentationScope: null as never },
    makeSpan({ name: "10", resource: r1, scope: throwingScope as never }),
    makeSpan({ name: "11", resource: r1, scope: throwingVersion as never }),
    makeSpan({ name: "12", resource: r1, scope: { name: "a", version: "1", schemaUrl: "" } }),
    makeSpan({ name: "13", resource: r1, scope: "str" as never }),
    makeSpan({ name: "13b", resource: r1, scope: { name: "" } }),
    makeSpan({ name: "13c", resource: r1, scope: Object.assign(() => 1, { version: "fn" }) as never }),
    makeSpan({ name: "13d", resource: r1, scope: { name: "head throws", get droppedAttributesCount(): never { throw new Error("scope"); } } as never }),
    makeSpan({ name: "14", resource: { attributes: {}, get schemaUrl(): never { throw new Error("url"); } } as never, scope: { name: "x", get schemaUrl(): never { throw new Error("url"); } } as never }),
    Object.defineProperty({ ...makeSpan({ name: "15" }) }, "resource", { get() { throw new Error("res"); } }),
    Object.defineProperty({ ...makeSpan({ name: "16" }) }, "instrumentationScope", { get() { throw new Error("scope"); } }),
  ];
  const out = JSON.parse(same(spans, "groups"));
  // r1, r2, its twin, undefined, null; span 14 is dropped (its scope's schemaUrl throws while grouping)
  assert.is(out.resourceSpans.length, 5);
  assert.equal(out.resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name), ["1", "4", "12"]);
  const scopes = out.resourceSpans[0].scopeSpans.map((s: any) => [s.scope, s.spans.map((x: any) => x.name)]);
  assert.equal(scopes.slice(-3), [[{ name: "" }, ["13", "13c"]], [{ name: "" }, ["13b"]], [{ name: "" }, ["13d"]]]);
});

test("span fields: kinds, flags, ids, times, status, dropped counts, tracestate, events and links", () => {
  const cases: ReadableSpan[] = [];
  for (const kind of [-1, 0, 1, 2, 3, 4, 5, 1.5, "1", NaN, -0, undefined]) cases.push(makeSpan({ kind: kind as 0 }));
  for (const traceFlags of [0, 1, 255, 256, 0x1ff, -1, 1.5, "1", NaN, undefined]) cases.push(makeSpan({ traceFlags: traceFlags as 0 }));
  for (const spanId of ["00f067aa0ba902b7", "00F067AA0BA902B7", "0000000000000000", "00f067aa0ba902b", "00f067aa0ba902b77", "zzzzzzzzzzzzzzzz", 42]) cases.push(makeSpan({ spanId: spanId as string }));
  for (const traceId of [T, T.toUpperCase(), "0".repeat(32), T.slice(1), " " + T.slice(1)]) cases.push(makeSpan({ traceId }));
  for (const parent of [
    { traceId: T, spanId: S, traceFlags: 1, isRemote: true },
    { traceId: T, spanId: S, traceFlags: 0, isRemote: false },
    { traceId: T, spanId: S, traceFlags: 0, isRemote: "yes" },
    { traceId: T, spanId: "bad", traceFlags: 0, isRemote: true },
    { traceId: T, spanId: "0000000000000000", traceFlags: 0 },
    null,
    "str",
  ]) cases.push(makeSpan({ parent: parent as never }));
  for (const [startTime, endTime] of [[0, 1], [1.5, 2.000001], [-1e15, NaN], [Infinity, -Infinity], [1e20, 0.0000004], ["5" as never, "x" as never], [undefined as never, null as never], [0.9999996, 1e-7]]) cases.push(makeSpan({ startTime, endTime }));
  for (const status of [{ code: 0 }, { code: 1 }, { code: 2 }, { code: 2, message: "why" }, { code: 0, message: "why" }, { code: 1, message: "" }, { code: "2" }, { code: 3 }, null, 5]) cases.push(makeSpan({ status: status as never }));
  for (const d of [0, 1, 1.7, -1, NaN, 2 ** 32, 2 ** 40, Infinity, "3", 0.5]) cases.push(makeSpan({ droppedAttributesCount: d as number, droppedEventsCount: d as number, droppedLinksCount: d as number }));
  for (const ts of [traceState("a=1,b=2"), traceState(""), { serialize: () => 5 }, { serialize: () => { throw new Error("ts"); } }, {}]) cases.push(makeSpan({ traceState: ts as never }));
  for (const name of ["", NASTY, 42, undefined, "\ud800", "\udc00x\ud800", "x".repeat(100_000)]) cases.push(makeSpan({ name: name as string }));
  const good = { name: "e", time: 3, attributes: { a: 1 }, droppedAttributesCount: 1 };
  const badEvent = Object.defineProperty({ time: 1, attributes: {}, droppedAttributesCount: 0 }, "name", { get() { throw new Error("e"); }, enumerable: true });
  cases.push(makeSpan({ events: [good, null as never, badEvent as never, { ...good, attributes: null as never, droppedAttributesCount: 3 }, { ...good, time: NaN }], droppedEventsCount: 2 }));
  cases.push(makeSpan({ events: "ab" as never }), makeSpan({ events: 5 as never }), makeSpan({ events: null as never, droppedEventsCount: 3 }));
  const link = { context: { traceId: T, spanId: S, traceFlags: 1, isRemote: true, traceState: traceState("k=v") }, attributes: { l: 1 }, droppedAttributesCount: 2 };
  cases.push(makeSpan({ links: [link, { ...link, context: { traceId: T, spanId: "nope", traceFlags: 1 } }, null as never, { context: null } as never, { ...link, context: { ...link.context, isRemote: false, traceFlags: 0x1ff } }], droppedLinksCount: 1 }));
  cases.push({ ...makeSpan({ name: "no context" }), spanContext: () => null } as never);
  same(cases, "all fields");
  for (const [i, s] of cases.entries()) same([s], `case ${i}`);
});

test("attribute maps: throwing getters, proxies, non-objects, inherited keys, symbol keys, integer-like keys", () => {
  const boom = (): never => {
    throw new Error("trap");
  };
  const proto = { inherited: "no" };
  const child = Object.assign(Object.create(proto), { own: "yes", 2: "two", 1: "one" });
  child[Symbol("s")] = "symbol key";
  const ownKeysLater = new Proxy({ a: 1, b: 2 }, { get: (t, k) => (k === "b" ? boom() : (t as Record<string | symbol, unknown>)[k]) });
  const descriptorThrows = new Proxy({ a: 1 }, { getOwnPropertyDescriptor: boom });
  const arrayProxy = new Proxy([1, 2, 3], { get: (t, k) => (k === "1" ? boom() : (t as unknown as Record<string | symbol, unknown>)[k]) });
  const lengthThrows = new Proxy([1, 2], { get: (t, k) => (k === "length" ? boom() : (t as unknown as Record<string | symbol, unknown>)[k]) });
  const sparse = [1, , 3];
  for (const attributes of [child, ownKeysLater, descriptorThrows, "str", 5, null, [1, 2], { arr: arrayProxy, len: lengthThrows, sparse, nested: { p: descriptorThrows } }, { t: new Proxy(new Uint8Array([1, 2]), {}) }]) {
    same([makeSpan({ attributes: attributes as never })], JSON.stringify(String(attributes)));
  }
});

// ---------------------------------------------------------------- generated hostile spans

/** Seeded PRNG (mulberry32): the same spans on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const strings = ["", "a", "GET /cart", NASTY, "\ud800", "\udfff", "é€😀", "\u2028\u2029", '"\\', "x".repeat(300), "0", "toWellFormed", "__proto__", "constructor"];
  const numbers = [0, -0, 1, -1, 42, 1.5, -2.25, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 2 ** 62, -(2 ** 63), 2 ** 63, 2 ** 64, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity];
  const value = (depth: number): unknown => {
    switch (Math.floor(r() * 16)) {
      case 0: return pick(strings);
      case 1: return pick(numbers);
      case 2: return r() * 1e6 - 5e5;
      case 3: return r() < 0.5;
      case 4: return pick([0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 64n)]);
      case 5: return pick([null, undefined, Symbol("s"), () => 1]);
      case 6: return new Uint8Array(Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256)));
      case 7: return pick([new Date(Math.floor(r() * 2e12)), new Date(NaN)]);
      case 8: case 9: return depth > 4 ? "leaf" : Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
      case 10: case 11: return depth > 4 ? 1 : map(depth + 1);
      case 12: return pick([cycle(), new Map([["k", 1]]), new Proxy({}, { ownKeys: () => { throw new Error("x"); } }), Object.create({ inh: 1 })]);
      case 13: return Object.defineProperty({ ok: 1 }, "bad", { enumerable: true, get: () => { throw new Error("g"); } });
      default: return pick(strings) + pick(numbers);
    }
  };
  const map = (depth: number): Record<string, unknown> => {
    const m: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 6); i > 0; i--) m[pick(strings) + i] = value(depth);
    return m;
  };
  const hexId = (n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(r() * 16)]).join("");
  const id = (n: number): unknown => (r() < 0.92 ? hexId(n) : pick(["0".repeat(n), hexId(n).toUpperCase(), hexId(n - 1), hexId(n) + "0", 7, undefined]));
  const resources = [{ attributes: map(0) }, { attributes: map(0), schemaUrl: "https://s/1", droppedAttributesCount: 3 }, { attributes: new Proxy({}, { ownKeys: () => { throw new Error("x"); } }) }, undefined];
  const scopes = [{ name: "a" }, { name: "a", version: "1" }, { name: NASTY, version: "\ud800", schemaUrl: "u" }, { name: "b", attributes: map(0), droppedAttributesCount: 1 }, undefined];
  const time = (): unknown => pick([r() * 1e4, -r() * 1e4, Math.floor(r() * 1e6), NaN, 1e20, -1e20, r() * 1e-3]);
  const ctx = (): Record<string, unknown> => ({ traceId: id(32), spanId: id(16), traceFlags: pick([0, 1, 3, 255, 0x101, undefined]), isRemote: pick([true, false, undefined]), traceState: pick([undefined, traceState("a=1"), traceState("")]) });
  const span = (): ReadableSpan => {
    const c = ctx();
    const s = {
      name: pick([...strings, 5, undefined]),
      kind: pick([0, 1, 2, 3, 4, 5, -1, undefined]),
      spanContext: () => c,
      parentSpanContext: r() < 0.5 ? undefined : ctx(),
      startTime: time(),
      endTime: time(),
      status: pick([{ code: 0 }, { code: 1 }, { code: 2, message: pick(strings) }, { code: 0, message: "m" }, undefined]),
      attributes: map(0),
      links: Array.from({ length: Math.floor(r() * 3) }, () => ({ context: ctx(), attributes: map(1), droppedAttributesCount: pick([0, 1, 2.5]) })),
      events: Array.from({ length: Math.floor(r() * 3) }, () => ({ name: pick(strings), time: time(), attributes: map(1), droppedAttributesCount: pick([0, 4]) })),
      droppedAttributesCount: pick([0, 0, 1, 7.9, -3]),
      droppedEventsCount: pick([0, 0, 2]),
      droppedLinksCount: pick([0, 0, 1]),
      resource: pick(resources),
      instrumentationScope: pick(scopes),
      ended: true,
    };
    return s as unknown as ReadableSpan;
  };
  return span;
}

test("3000 generated hostile spans, in batches of 1 to 512: byte-identical", () => {
  const span = generator(16);
  let total = 0;
  for (let batch = 1; total < 3000; batch = Math.min(512, batch * 3)) {
    const spans = Array.from({ length: batch }, span);
    same(spans, `generated batch of ${batch}`);
    total += batch;
  }
});

test("empty input and all-dropped input give the empty request (20 characters, never sent)", () => {
  assert.is(same([], "empty"), '{"resourceSpans":[]}');
  assert.is(same([makeSpan({ spanId: "bad" })], "dropped"), '{"resourceSpans":[]}');
  assert.is(encodeSpans([]).length, 20);
});

test("never throws: a span list whose items throw on every access", () => {
  const hostile = new Proxy({}, { get: () => { throw new Error("x"); }, has: () => { throw new Error("x"); } }) as ReadableSpan;
  assert.is(same([hostile, makeSpan({ name: "kept" }), null as never], "hostile items").includes('"kept"'), true);
});

test("re-entered from a getter mid-body (a nested encode has its own buffer): the same bytes", () => {
  let nested = 0;
  const attributes = {
    before: "b",
    get reenter(): string {
      nested += encodeSpans([makeSpan({ name: "inner", attributes: { deep: "x".repeat(5000) } })]).length;
      return "r";
    },
    after: 1,
  };
  const big = { big: "y".repeat(20000) };
  same([makeSpan({ name: "first", attributes: big }), makeSpan({ name: "outer", attributes: attributes as never }), makeSpan({ name: "last", attributes: big })], "re-entered");
  assert.ok(nested > 5000);
});

test("no quadratic cost: 512 spans with 64 attributes each encode in well under a second", () => {
  const attributes: Record<string, unknown> = {};
  for (let i = 0; i < 64; i++) attributes[`http.attribute.${i}`] = i % 2 ? `value ${i}` : i;
  const spans = Array.from({ length: 512 }, () => makeSpan({ attributes: attributes as never, events: [{ name: "e", time: 1, attributes: { a: 1 }, droppedAttributesCount: 0 }] }));
  same(spans, "512 spans");
  const started = performance.now();
  for (let i = 0; i < 5; i++) encodeSpans(spans);
  const ms = (performance.now() - started) / 5;
  const t = performance.now();
  for (let i = 0; i < 5; i++) encodeTracesBytes(spans);
  console.log(`    512 spans x 64 attributes: ${ms.toFixed(1)} ms per body (lean), ${((performance.now() - t) / 5).toFixed(1)} ms (product)`);
  assert.ok(ms < 500, `${ms} ms`);
});

test.run();
