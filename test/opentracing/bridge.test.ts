// The OpenTracing bridge on its own (src/opentracing): how OpenTracing calls map onto our spans
// per the OTel spec "OpenTracing Compatibility" — parents and links from references, tags,
// logs, times, baggage, inject/extract through the configured propagator, and activation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import { recordSpans, named, epochNanos } from "./setup.ts";
import { context } from "../../src/context/context-api.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import { createBaggage } from "../../src/propagation/baggage.ts";
import { JaegerPropagator } from "../../src/propagation/jaeger.ts";
import { B3Propagator } from "../../src/propagation/b3.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { AlwaysOffSampler } from "../../src/trace/samplers/always.ts";
import type { Sampler } from "../../src/trace/samplers/sampler.ts";
import type { Attributes } from "../../src/common/attributes.ts";
import { SpanKind, SpanStatusCode } from "../../src/trace/types.ts";
import { VERSION } from "../../src/version.ts";
import {
  OpenTracingTracer,
  OpenTracingSpanContext,
  childOf,
  followsFrom,
  contextWithSpan,
  withActiveSpan,
  FORMAT_BINARY,
  FORMAT_HTTP_HEADERS,
  FORMAT_TEXT_MAP,
  Reference,
} from "../../src/opentracing/mod.ts";
import { captureDiag } from "../helpers/capture-diag.ts";

const rec = recordSpans();
const tracer = new OpenTracingTracer();

test.before.each(async () => {
  captureDiag();
  propagation.disable();
  trace.setGlobalTracerProvider(rec.provider);
  await rec.finished();
});

/** The traceparent flags of a span context (sampled, and W3C level 2's random-trace-id bit). */
const flagsOf = (traceFlags: number) => traceFlags.toString(16).padStart(2, "0");

test("a span without references is a root span recorded by the tracer `opentracing-shim`, even inside an active span", async () => {
  await trace.getTracer("app").startActiveSpan("outer", async (outer) => {
    tracer.startSpan("ot-root").finish();
    outer.end();
  });
  const spans = await rec.finished();
  const root = named(spans, "ot-root");
  assert.is(root.parentSpanContext, undefined);
  assert.is.not(root.spanContext().traceId, named(spans, "outer").spanContext().traceId);
  assert.equal(root.instrumentationScope, { name: "opentracing-shim", version: VERSION, schemaUrl: undefined });
  assert.is(root.kind, SpanKind.INTERNAL);
  assert.equal(root.links, []);
});

test("childOf (a span or its context) is the parent, and a link with opentracing.ref_type child_of", async () => {
  const parent = tracer.startSpan("parent");
  const a = tracer.startSpan("a", { childOf: parent });
  const b = tracer.startSpan("b", { childOf: parent.context() });
  const c = tracer.startSpan("c", { childOf: null });
  for (const s of [a, b, c, parent]) s.finish();
  const spans = await rec.finished();
  const p = named(spans, "parent").spanContext();
  for (const name of ["a", "b"]) {
    const s = named(spans, name);
    assert.is(s.parentSpanContext?.spanId, p.spanId, name);
    assert.is(s.spanContext().traceId, p.traceId, name);
    assert.equal(s.links.map((l) => [l.context.spanId, l.attributes]), [[p.spanId, { "opentracing.ref_type": "child_of" }]], name);
  }
  assert.is(named(spans, "c").parentSpanContext, undefined);
});

test("references: the first child_of is the parent, else the first reference; every reference is a link in order", async () => {
  const first = tracer.startSpan("first");
  const second = tracer.startSpan("second");
  const onlyFollows = tracer.startSpan("only-follows", { references: [followsFrom(first), followsFrom(second.context())] });
  const mixed = tracer.startSpan("mixed", { references: [followsFrom(first), childOf(second)] });
  // References and childOf together: references first, then childOf (as opentracing's Tracer orders them).
  const both = tracer.startSpan("both", { references: [followsFrom(first)], childOf: second });
  for (const s of [onlyFollows, mixed, both, first, second]) s.finish();
  const spans = await rec.finished();
  const f = named(spans, "first").spanContext().spanId;
  const s2 = named(spans, "second").spanContext().spanId;
  const links = (name: string) => named(spans, name).links.map((l) => [l.context.spanId, l.attributes["opentracing.ref_type"]]);
  assert.is(named(spans, "only-follows").parentSpanContext?.spanId, f);
  assert.equal(links("only-follows"), [[f, "follows_from"], [s2, "follows_from"]]);
  assert.is(named(spans, "mixed").parentSpanContext?.spanId, s2);
  assert.equal(links("mixed"), [[f, "follows_from"], [s2, "child_of"]]);
  assert.is(named(spans, "both").parentSpanContext?.spanId, s2);
  assert.equal(links("both"), [[f, "follows_from"], [s2, "child_of"]]);
});

test("a reference to another tracer's span context is ignored with one warning", async () => {
  const messages = captureDiag();
  const foreign = { toTraceId: () => "1".repeat(32), toSpanId: () => "2".repeat(16) };
  tracer.startSpan("x", { childOf: foreign, references: [new Reference("follows_from", foreign)] }).finish();
  tracer.startSpan("y", { childOf: foreign }).finish();
  const x = named(await rec.finished(), "x");
  assert.is(x.parentSpanContext, undefined);
  assert.equal(x.links, []);
  assert.is(messages.filter((m) => m.includes("did not create")).length, 1, messages.join("\n"));
});

test("initial tags are attributes the sampler sees; span.kind sets the kind, error the status", async () => {
  const seen: Attributes[] = [];
  const sampler: Sampler = {
    shouldSample: (_ctx, _traceId, _name, _kind, attributes) => (seen.push({ ...attributes }), { decision: 2 }),
    toString: () => "Spy",
  };
  const own = recordSpans({ sampler });
  const t = new OpenTracingTracer({ tracerProvider: own.provider });
  t.startSpan("server", { tags: { "span.kind": "server", "http.method": "GET", error: true, retries: 2 } }).finish();
  t.startSpan("odd-kind", { tags: { "span.kind": "internal-ish", error: "maybe" } }).finish();
  const kinds = [["client", SpanKind.CLIENT], ["producer", SpanKind.PRODUCER], ["consumer", SpanKind.CONSUMER]] as const;
  for (const [kind] of kinds) t.startSpan(kind, { tags: { "span.kind": kind } }).finish();
  const spans = await own.finished();
  for (const [kind, expected] of kinds) assert.is(named(spans, kind).kind, expected, kind);
  assert.equal(seen[0], { "http.method": "GET", retries: 2 });
  const server = named(spans, "server");
  assert.is(server.kind, SpanKind.SERVER);
  assert.equal(server.attributes, { "http.method": "GET", retries: 2 });
  assert.equal(server.status, { code: SpanStatusCode.ERROR });
  const odd = named(spans, "odd-kind");
  assert.is(odd.kind, SpanKind.INTERNAL);
  assert.equal(odd.attributes, { "span.kind": "internal-ish", error: "maybe" });
  assert.equal(odd.status, { code: SpanStatusCode.UNSET });
});

test("setTag/addTags: attributes of the same name, unsupported values as strings, error → status", async () => {
  const span = tracer.startSpan("tags");
  span.setTag("component", "db").setTag("ok", true).setTag("count", 3).setTag("list", ["a", "b"]);
  span.addTags({ object: { a: 1 }, nothing: null, missing: undefined, big: 10n, mixed: [1, "x"], err: new Error("boom") });
  span.setTag("error", true);
  span.setTag("span.kind", "client"); // after the start: only an attribute
  const okSpan = tracer.startSpan("ok").addTags({ error: false });
  okSpan.setTag("error", true); // OK is final (OTel spec, Set Status)
  span.finish();
  okSpan.finish();
  const spans = await rec.finished();
  const s = named(spans, "tags");
  assert.equal(s.attributes, {
    component: "db",
    ok: true,
    count: 3,
    list: ["a", "b"],
    object: '{"a":1}',
    big: "10",
    mixed: '[1,"x"]',
    err: "Error: boom",
    "span.kind": "client",
  });
  assert.is(s.kind, SpanKind.INTERNAL);
  assert.equal(s.status, { code: SpanStatusCode.ERROR });
  assert.equal(named(spans, "ok").status, { code: SpanStatusCode.OK });
});

test("log(): an event named by `event` (else `log`), fields as attributes, OpenTracing epoch-millisecond timestamps", async () => {
  const span = tracer.startSpan("logs");
  span.log({ event: "cache.miss", key: "user:1", size: 12 }, 1765000000123.25);
  span.log({ message: "plain" });
  span.logEvent("legacy", { detail: "x" });
  span.logEvent("bare");
  span.finish();
  const s = named(await rec.finished(), "logs");
  assert.equal(s.events.map((e) => [e.name, e.attributes]), [
    ["cache.miss", { event: "cache.miss", key: "user:1", size: 12 }],
    ["log", { message: "plain" }],
    ["legacy", { event: "legacy", payload: '{"detail":"x"}' }],
    ["bare", { event: "bare" }],
  ]);
  assert.is(epochNanos(s.events[0]!.time), "1765000000123250000");
});

test("an `error` log is an `exception` event: from error.object, else by mapping error.kind, message and stack", async () => {
  const span = tracer.startSpan("errors");
  const err = new TypeError("bad input");
  span.log({ event: "error", "error.object": err, "request.id": "r1" });
  span.log({ event: "error", "error.kind": "Timeout", message: "took too long", stack: "at x", other: 1 });
  span.log({ event: "error", "error.object": { code: 7 }, message: "not an error object" });
  span.finish();
  const s = named(await rec.finished(), "errors");
  assert.equal(s.events.map((e) => [e.name, e.attributes]), [
    ["exception", { event: "error", "request.id": "r1", "exception.type": "TypeError", "exception.message": "bad input", "exception.stacktrace": err.stack! }],
    ["exception", { event: "error", "exception.type": "Timeout", "exception.message": "took too long", "exception.stacktrace": "at x", other: 1 }],
    ["exception", { event: "error", "error.object": '{"code":7}', "exception.message": "not an error object" }],
  ]);
});

test("startTime and finish times are OpenTracing epoch milliseconds, fractions kept; setOperationName renames", async () => {
  const span = tracer.startSpan("before", { startTime: 1765000000000.5 });
  span.setOperationName("after");
  span.finish(1765000000250);
  const s = named(await rec.finished(), "after");
  assert.is(epochNanos(s.startTime), "1765000000000500000");
  assert.is(epochNanos(s.endTime), "1765000000250000000");
});

test("baggage: set and read on a span, carried by children, immutable contexts, union over references", async () => {
  const parent = tracer.startSpan("parent").setBaggageItem("tenant", "acme");
  const before = parent.context();
  parent.setBaggageItem("user", "u1");
  assert.is(parent.getBaggageItem("tenant"), "acme");
  assert.is(parent.getBaggageItem("missing"), undefined);
  assert.is(before.getBaggageItem("user"), undefined, "an earlier context does not change");
  assert.is(parent.context().getBaggageItem("user"), "u1");
  const child = tracer.startSpan("child", { childOf: parent });
  assert.is(child.getBaggageItem("tenant"), "acme");
  child.setBaggageItem("tenant", "other");
  assert.is(parent.getBaggageItem("tenant"), "acme", "a child's baggage is its own");
  const other = tracer.startSpan("other").setBaggageItem("region", "eu");
  const joined = tracer.startSpan("joined", { references: [childOf(parent), followsFrom(other)] });
  assert.equal(joined.context().getBaggage().getAllEntries().map(([k, e]) => [k, e.value]).sort(), [["region", "eu"], ["tenant", "acme"], ["user", "u1"]]);
  for (const s of [child, joined, other, parent]) s.finish();
  await rec.finished();
});

test("inject/extract default to the global propagator: W3C traceparent and baggage, for both text formats", async () => {
  const span = tracer.startSpan("client").setBaggageItem("tenant", "acme co");
  const { traceId, spanId, traceFlags } = span.getSpan().spanContext();
  assert.is(traceFlags & 1, 1);
  const traceparent = `00-${traceId}-${spanId}-${flagsOf(traceFlags)}`;
  for (const format of [FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP]) {
    const carrier: Record<string, string> = {};
    tracer.inject(span.context(), format, carrier);
    assert.equal(carrier, { traceparent, baggage: "tenant=acme%20co" }, format);
    const extracted = tracer.extract(format, carrier);
    assert.instance(extracted, OpenTracingSpanContext);
    assert.is(extracted!.toTraceId(), traceId);
    assert.is(extracted!.toSpanId(), spanId);
    assert.is(extracted!.getSpanContext().isRemote, true);
    assert.is(extracted!.getBaggageItem("tenant"), "acme co");
  }
  // A span may be passed for its context, as with jaeger-client.
  const fromSpan: Record<string, string> = {};
  tracer.inject(span, FORMAT_HTTP_HEADERS, fromSpan);
  assert.is(fromSpan["traceparent"], traceparent);
  span.finish();
  await rec.finished();
});

test("extract: null without a valid span context or baggage; baggage alone gives a context without ids", () => {
  assert.is(tracer.extract(FORMAT_HTTP_HEADERS, {}), null);
  assert.is(tracer.extract(FORMAT_HTTP_HEADERS, { traceparent: "00-00000000000000000000000000000000-0000000000000000-01" }), null);
  assert.is(tracer.extract(FORMAT_HTTP_HEADERS, null), null);
  const onlyBaggage = tracer.extract(FORMAT_TEXT_MAP, { baggage: "k=v" });
  assert.ok(onlyBaggage);
  assert.is(onlyBaggage.toTraceId(), "0".repeat(32));
  assert.is(onlyBaggage.getBaggageItem("k"), "v");
  // Its baggage is injected again although there is no span context (the spec).
  const out: Record<string, string> = {};
  tracer.inject(onlyBaggage, FORMAT_TEXT_MAP, out);
  assert.equal(out, { baggage: "k=v" });
});

test("a span continued from an extracted context is its child in the same trace; one with baggage only starts a trace", async () => {
  const remote = tracer.extract(FORMAT_HTTP_HEADERS, { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", baggage: "tenant=acme" });
  const server = tracer.startSpan("server", { childOf: remote, tags: { "span.kind": "server" } });
  assert.is(server.getBaggageItem("tenant"), "acme");
  server.finish();
  const noIds = tracer.extract(FORMAT_HTTP_HEADERS, { baggage: "tenant=acme" });
  const fresh = tracer.startSpan("fresh", { childOf: noIds });
  assert.is(fresh.getBaggageItem("tenant"), "acme");
  fresh.finish();
  const spans = await rec.finished();
  const s = named(spans, "server");
  assert.is(s.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.equal(s.parentSpanContext, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true });
  assert.equal(s.links.map((l) => l.context.spanId), ["b7ad6b7169203331"]);
  assert.is(named(spans, "fresh").parentSpanContext, undefined);
  assert.equal(named(spans, "fresh").links, [], "no link to an invalid context");
});

test("inject/extract follow the chosen propagator: the global one when Jaeger is set, or one per format", async () => {
  const span = tracer.startSpan("s").setBaggageItem("tenant", "acme");
  const { traceId, spanId } = span.getSpan().spanContext();
  propagation.setGlobalPropagator(new JaegerPropagator());
  const jaeger: Record<string, string> = {};
  tracer.inject(span.context(), FORMAT_HTTP_HEADERS, jaeger);
  assert.equal(jaeger, { "uber-trace-id": `${traceId}:${spanId}:0:01`, "uberctx-tenant": "acme" });
  assert.is(tracer.extract(FORMAT_HTTP_HEADERS, jaeger)?.toSpanId(), spanId);
  propagation.disable();

  const perFormat = new OpenTracingTracer({ textMapPropagator: new B3Propagator(), httpHeadersPropagator: new JaegerPropagator() });
  const text: Record<string, string> = {};
  const headers: Record<string, string> = {};
  perFormat.inject(span.context(), FORMAT_TEXT_MAP, text);
  perFormat.inject(span.context(), FORMAT_HTTP_HEADERS, headers);
  assert.equal(text, { b3: `${traceId}-${spanId}-1` });
  assert.ok(headers["uber-trace-id"]?.startsWith(traceId));
  assert.is(perFormat.extract(FORMAT_TEXT_MAP, text)?.toSpanId(), spanId);
  span.finish();
  await rec.finished();
});

test("FORMAT_BINARY and unknown formats throw a TypeError that names the formats to use", () => {
  const span = tracer.startSpan("s");
  assert.throws(() => tracer.inject(span.context(), FORMAT_BINARY, {}), (e: unknown) => e instanceof TypeError && /FORMAT_BINARY is not supported.*FORMAT_HTTP_HEADERS or FORMAT_TEXT_MAP/.test(e.message));
  assert.throws(() => tracer.extract(FORMAT_BINARY, new ArrayBuffer(8)), (e: unknown) => e instanceof TypeError && /extract: FORMAT_BINARY/.test(e.message));
  assert.throws(() => tracer.inject(span.context(), "thrift", {}), (e: unknown) => e instanceof TypeError && /unsupported format "thrift"/.test(e.message));
  span.finish();
});

test("a sampled-out span still carries ids across inject, with the sampled flag off", async () => {
  const off = recordSpans({ sampler: new AlwaysOffSampler() });
  const t = new OpenTracingTracer({ tracerProvider: off.provider });
  const span = t.startSpan("dropped");
  const carrier: Record<string, string> = {};
  t.inject(span.context(), FORMAT_HTTP_HEADERS, carrier);
  const { traceId, spanId, traceFlags } = span.context().getSpanContext();
  assert.is(traceFlags & 1, 0);
  assert.is.not(traceId, "0".repeat(32));
  assert.is(carrier["traceparent"], `00-${traceId}-${spanId}-${flagsOf(traceFlags)}`);
  span.finish();
  assert.equal(await off.finished(), []);
});

test("withActiveSpan: our API's spans inside are its children, its baggage is the active baggage, across awaits", async () => {
  const appTracer = trace.getTracer("app");
  const handle = tracer.startSpan("handle").setBaggageItem("tenant", "acme");
  const seen = await withActiveSpan(handle, async () => {
    await sleep(1);
    const inner = appTracer.startSpan("query");
    inner.end();
    return {
      active: trace.getActiveSpan(),
      tenant: propagation.getActiveBaggage()?.getEntry("tenant")?.value,
      activeOt: tracer.activeSpan(),
    };
  });
  assert.is(seen.active, handle.getSpan());
  assert.is(seen.tenant, "acme");
  assert.is(seen.activeOt, handle, "activeSpan() returns the activated bridge span itself");
  // Explicitly, without making it active:
  appTracer.startSpan("explicit", {}, contextWithSpan(handle)).end();
  handle.finish();
  const spans = await rec.finished();
  const h = named(spans, "handle").spanContext();
  for (const name of ["query", "explicit"]) assert.is(named(spans, name).parentSpanContext?.spanId, h.spanId, name);
});

test("activeSpan(): null outside any span; inside one of our spans, a bridge span over it (parent for childOf)", async () => {
  assert.is(tracer.activeSpan(), null);
  await trace.getTracer("app").startActiveSpan("ours", async (ours) => {
    const active = tracer.activeSpan();
    assert.ok(active);
    assert.is(active.getSpan(), ours);
    assert.is(active.context().toSpanId(), ours.spanContext().spanId);
    tracer.startSpan("ot-child", { childOf: tracer.activeSpan() }).finish();
    ours.end();
  });
  // Baggage without a span: a bridge span carrying the baggage, recording nothing.
  const onlyBaggage = context.with(propagation.setBaggage(context.active(), createBaggage({ k: { value: "v" } })), () => tracer.activeSpan());
  assert.ok(onlyBaggage);
  assert.is(onlyBaggage.getBaggageItem("k"), "v");
  assert.is(onlyBaggage.getSpan().isRecording(), false);
  const spans = await rec.finished();
  assert.is(named(spans, "ot-child").parentSpanContext?.spanId, named(spans, "ours").spanContext().spanId);
});

test("supportImplicitPropagation: spans without references nest under the active span and take its baggage, in either order", async () => {
  const implicit = new OpenTracingTracer({ supportImplicitPropagation: true });
  const appTracer = trace.getTracer("app");
  const ctx = propagation.setBaggage(context.active(), createBaggage({ tenant: { value: "acme" } }));
  await context.with(ctx, () =>
    appTracer.startActiveSpan("ours-outer", async (outer) => {
      const otMiddle = implicit.startSpan("ot-middle");
      assert.is(otMiddle.getBaggageItem("tenant"), "acme");
      await withActiveSpan(otMiddle, async () => {
        await sleep(1);
        appTracer.startSpan("ours-inner").end();
        implicit.startSpan("ot-inner").finish();
      });
      otMiddle.finish();
      outer.end();
    }),
  );
  const spans = await rec.finished();
  const id = (name: string) => named(spans, name).spanContext().spanId;
  const parent = (name: string) => named(spans, name).parentSpanContext?.spanId;
  assert.is(parent("ot-middle"), id("ours-outer"));
  assert.is(parent("ours-inner"), id("ot-middle"));
  assert.is(parent("ot-inner"), id("ot-middle"));
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
});

test("recording never throws: unreadable options, hostile tags and fields, a missing carrier", async () => {
  const hostile = new Proxy({}, { ownKeys: () => { throw new Error("no keys"); } });
  const getter = Object.defineProperty({}, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  const span = tracer.startSpan("hostile", Object.defineProperty({}, "references", { get: () => { throw new Error("x"); } }));
  const bad = (x: unknown) => x as never;
  tracer.startSpan("null-options", bad(null)).finish();
  tracer.startSpan("bad-refs", { references: bad([null, 3, {}]), tags: getter }).finish();
  span.addTags(bad(hostile)).addTags(bad(null)).setTag("sym", Symbol("s")).setTag("cyclic", cyclic);
  span.log(bad(null)).log(getter).log(bad(hostile)).log({ event: "error", "error.object": hostile });
  span.setBaggageItem(bad(undefined), "v").setBaggageItem("n", bad(5));
  span.finish(bad("soon"));
  tracer.inject(span.context(), FORMAT_HTTP_HEADERS, null);
  tracer.inject(null, FORMAT_HTTP_HEADERS, {});
  tracer.inject({ not: "ours" }, FORMAT_HTTP_HEADERS, {});
  const spans = await rec.finished();
  const s = named(spans, "hostile");
  assert.equal(s.attributes, { sym: "Symbol(s)", cyclic: "[object Object]" });
  assert.equal(s.events.map((e) => e.name), ["log", "log", "log", "exception"]);
  assert.is(span.getBaggageItem("n"), "5");
  assert.ok(named(spans, "null-options") && named(spans, "bad-refs"));
});

test("withActiveSpan/contextWithSpan with a span of another tracer: the context is unchanged, with one warning", () => {
  const messages = captureDiag();
  const foreign = { context: () => ({}) };
  const before = context.active();
  assert.is(contextWithSpan(foreign, before), before);
  assert.is(withActiveSpan(foreign, () => trace.getActiveSpan()), undefined);
  assert.is(messages.filter((m) => m.includes("only a span of OpenTracingTracer")).length, 1, messages.join("\n"));
});

test("construction checks its options: a TypeError naming the option", () => {
  assert.throws(() => new OpenTracingTracer({ tracerProvider: {} as never }), /tracerProvider must have a getTracer method/);
  assert.throws(() => new OpenTracingTracer({ httpHeadersPropagator: { inject() {} } as never }), /httpHeadersPropagator must have inject and extract methods/);
});

test.run();
