// Interop with the official API (@opentelemetry/api) and cross-checks against the reference
// propagators of @opentelemetry/core: our propagators registered with their API, contexts
// passed both ways, and both implementations agreeing on the same headers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as api from "@opentelemetry/api";
import * as core from "@opentelemetry/core";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT, type Context } from "../../src/context/context.ts";
import { W3CBaggagePropagator } from "../../src/propagation/baggage-propagator.ts";
import { createBaggage, getBaggage, setBaggage } from "../../src/propagation/baggage.ts";
import { B3Propagator } from "../../src/propagation/b3.ts";
import { CompositePropagator } from "../../src/propagation/composite.ts";
import { JaegerPropagator } from "../../src/propagation/jaeger.ts";
import { defaultTextMapGetter, defaultTextMapSetter, type TextMapPropagator } from "../../src/propagation/text-map.ts";
import { W3CTraceContextPropagator } from "../../src/propagation/trace-context.ts";
import { createTraceState } from "../../src/propagation/trace-state.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";

diag.disable();

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const asApi = (c: Context) => c as unknown as api.Context;
const asOurs = (c: api.Context) => c as unknown as Context;

function register(p: TextMapPropagator) {
  api.propagation.disable();
  assert.ok(api.propagation.setGlobalPropagator(p as api.TextMapPropagator));
}

test.after.each(() => api.propagation.disable());

test("our W3C trace context propagator inside @opentelemetry/api", () => {
  register(new W3CTraceContextPropagator());
  assert.equal(api.propagation.fields(), ["traceparent", "tracestate"]);
  const sc: api.SpanContext = {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: api.TraceFlags.SAMPLED,
    traceState: createTraceState("vendor=v1") as api.TraceState,
  };
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.trace.setSpanContext(api.ROOT_CONTEXT, sc), carrier);
  assert.equal(carrier, { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: "vendor=v1" });

  const extracted = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  const got = api.trace.getSpanContext(extracted)!;
  assert.is(got.traceId, TRACE);
  assert.is(got.spanId, SPAN);
  assert.is(got.traceFlags, api.TraceFlags.SAMPLED);
  assert.is(got.isRemote, true);
  assert.is(got.traceState?.get("vendor"), "v1");
  assert.ok(api.trace.isSpanContextValid(got));
  // The official TraceState also goes out through our propagator.
  const theirState = new core.TraceState("a=1,b=2");
  const c2: Record<string, string> = {};
  api.propagation.inject(api.trace.setSpanContext(api.ROOT_CONTEXT, { ...sc, traceState: theirState }), c2);
  assert.is(c2.tracestate, "a=1,b=2");
});

test("a context from our extract is readable by api.trace.getSpanContext, and vice versa", () => {
  const ours = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` }, defaultTextMapGetter);
  const seen = api.trace.getSpanContext(asApi(ours));
  assert.equal({ ...seen }, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  // Their context (their ROOT_CONTEXT implementation) carries our span context, and our inject reads theirs.
  const theirs = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  assert.is(getSpanContext(asOurs(theirs))?.spanId, SPAN);
  const carrier: Record<string, string> = {};
  new W3CTraceContextPropagator().inject(asOurs(theirs), carrier, defaultTextMapSetter);
  assert.is(carrier.traceparent, `00-${TRACE}-${SPAN}-00`);
  // Our extract can start from their context.
  const mixed = new W3CBaggagePropagator().extract(asOurs(theirs), { baggage: "k=v" }, defaultTextMapGetter);
  assert.is(api.trace.getSpanContext(asApi(mixed))?.spanId, SPAN);
  assert.is(api.propagation.getBaggage(asApi(mixed))?.getEntry("k")?.value, "v");
});

test("api.propagation.createBaggage round-trips through our baggage propagator", () => {
  register(new W3CBaggagePropagator());
  const meta = api.baggageEntryMetadataFromString("p1;p2=x");
  const baggage = api.propagation.createBaggage({ user: { value: "Ünïcødé, =;%" }, plain: { value: "1", metadata: meta } });
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.propagation.setBaggage(api.ROOT_CONTEXT, baggage), carrier);
  assert.is(carrier.baggage, "user=%C3%9Cn%C3%AFc%C3%B8d%C3%A9%2C%20=%3B%25,plain=1;p1;p2=x");
  const back = api.propagation.getBaggage(api.propagation.extract(api.ROOT_CONTEXT, carrier))!;
  assert.is(back.getEntry("user")?.value, "Ünïcødé, =;%");
  assert.is(back.getEntry("plain")?.metadata?.toString(), "p1;p2=x");
  // Our baggage is read by their helpers and theirs by ours.
  const ours = setBaggage(ROOT_CONTEXT, createBaggage({ a: { value: "1" } }));
  assert.is(api.propagation.getBaggage(asApi(ours))?.getEntry("a")?.value, "1");
  assert.is(getBaggage(asOurs(api.propagation.setBaggage(api.ROOT_CONTEXT, baggage)))?.getEntry("plain")?.value, "1");
});

test("B3, Jaeger and composite register with the official API", () => {
  register(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator({ injectEncoding: "multi" }), new JaegerPropagator()] }));
  const ctx = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  const carrier: Record<string, string> = {};
  api.propagation.inject(ctx, carrier);
  assert.equal(carrier, {
    traceparent: `00-${TRACE}-${SPAN}-01`,
    "x-b3-traceid": TRACE,
    "x-b3-spanid": SPAN,
    "x-b3-sampled": "1",
    "uber-trace-id": `${TRACE}:${SPAN}:0:01`,
  });
  // B3 extracts either encoding, whatever it injects.
  assert.is(api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, { b3: `${TRACE}-${SPAN}-1` }))?.traceId, TRACE);
  assert.is(api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, { "uber-trace-id": `${TRACE}:${SPAN}:0:1` }))?.traceId, TRACE);
});

// Headers both implementations must agree on (accept/reject and the parsed fields).
const TRACEPARENTS = [
  `00-${TRACE}-${SPAN}-01`,
  `00-${TRACE}-${SPAN}-00`,
  `00-${TRACE}-${SPAN}-09`,
  `ff-${TRACE}-${SPAN}-01`,
  `00-${TRACE.toUpperCase()}-${SPAN}-01`,
  `00-${TRACE}-${SPAN.toUpperCase()}-01`,
  `00-${"0".repeat(32)}-${SPAN}-01`,
  `00-${TRACE}-${"0".repeat(16)}-01`,
  `00-${TRACE}-${SPAN}-01-extra`,
  `00-${TRACE}-${SPAN}-1`,
  `00-${TRACE}-${SPAN}-001`,
  `00-${TRACE}0-${SPAN}-01`,
  `0-${TRACE}-${SPAN}-01`,
  `000-${TRACE}-${SPAN}-01`,
  `cc-${TRACE}-${SPAN}-01`,
  `cc-${TRACE}-${SPAN}-01-what-the-future-will-be-like`,
  `cc-${TRACE}-${SPAN}-01.what-the-future-will-be-like`,
  `00_${TRACE}-${SPAN}-01`,
  ` 00-${TRACE}-${SPAN}-01`,
  `00-${TRACE}-${SPAN}-01 `,
  "",
  "garbage",
];

test("traceparent parsing agrees with @opentelemetry/core", () => {
  const theirs = new core.W3CTraceContextPropagator();
  const ours = new W3CTraceContextPropagator();
  for (const tp of TRACEPARENTS) {
    const a = api.trace.getSpanContext(theirs.extract(api.ROOT_CONTEXT, { traceparent: tp }, api.defaultTextMapGetter));
    const b = getSpanContext(ours.extract(ROOT_CONTEXT, { traceparent: tp }, defaultTextMapGetter));
    assert.is(b === undefined, a === undefined, `validity of ${JSON.stringify(tp)}`);
    if (a && b) {
      assert.equal([b.traceId, b.spanId, b.traceFlags, b.isRemote], [a.traceId, a.spanId, a.traceFlags, a.isRemote], tp);
    }
  }
});

test("traceparent/tracestate injection matches @opentelemetry/core", () => {
  const theirs = new core.W3CTraceContextPropagator();
  const ours = new W3CTraceContextPropagator();
  for (const flags of [0, 1, 3]) {
    const sc = { traceId: TRACE, spanId: SPAN, traceFlags: flags, traceState: createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") };
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};
    theirs.inject(api.trace.setSpanContext(api.ROOT_CONTEXT, sc as api.SpanContext), a, api.defaultTextMapSetter);
    ours.inject(setSpanContext(ROOT_CONTEXT, sc), b, defaultTextMapSetter);
    assert.equal(b, a);
  }
});

test("tracestate agrees with core's TraceState on valid input", () => {
  for (const raw of ["a=1", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "tenant@vendor=x,b=2", "a=1 , b=2", `k=${"v".repeat(256)}`]) {
    assert.is(createTraceState(raw).serialize(), new core.TraceState(raw).serialize(), raw);
    assert.is(createTraceState(raw).set("new", "1").serialize(), new core.TraceState(raw).set("new", "1").serialize(), raw);
  }
});

const BAGGAGE_VALUES: Record<string, string> = {
  ascii: "hello",
  space: "a b",
  unicode: "你好😀",
  eq: "a=b",
  comma: "x,y",
  semi: "p;q",
  pct: "100%",
  escaped: "%41",
  quote: "\"q\"",
  empty: "",
  misc: "!$&'()*+/:<>?@[]^`{|}~",
};

test("baggage: core extracts what we inject", () => {
  const header: Record<string, string> = {};
  new W3CBaggagePropagator().inject(setBaggage(ROOT_CONTEXT, createBaggage(Object.fromEntries(Object.entries(BAGGAGE_VALUES).map(([k, v]) => [k, { value: v }])))), header, defaultTextMapSetter);
  const theirs = api.propagation.getBaggage(new core.W3CBaggagePropagator().extract(api.ROOT_CONTEXT, header, api.defaultTextMapGetter))!;
  for (const [k, v] of Object.entries(BAGGAGE_VALUES)) assert.is(theirs.getEntry(k)?.value, v, k);
});

test("baggage: we extract what core injects (values, metadata)", () => {
  const entries: Record<string, api.BaggageEntry> = Object.fromEntries(Object.entries(BAGGAGE_VALUES).map(([k, v]) => [k, { value: v }]));
  entries.meta = { value: "m", metadata: api.baggageEntryMetadataFromString("prop1;prop2=v2") };
  const header: Record<string, string> = {};
  new core.W3CBaggagePropagator().inject(api.propagation.setBaggage(api.ROOT_CONTEXT, api.propagation.createBaggage(entries)), header, api.defaultTextMapSetter);
  const ours = getBaggage(new W3CBaggagePropagator().extract(ROOT_CONTEXT, header, defaultTextMapGetter))!;
  for (const [k, v] of Object.entries(BAGGAGE_VALUES)) assert.is(ours.getEntry(k)?.value, v, k);
  assert.is(ours.getEntry("meta")?.metadata?.toString(), "prop1;prop2=v2");
});

test.run();
