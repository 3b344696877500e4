import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { B3Propagator } from "../../src/propagation/b3.ts";
import { propagation } from "../../src/propagation/propagation-api.ts";
import type { TextMapPropagator } from "../../src/propagation/text-map.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";

diag.disable();

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const TP = `00-${TRACE}-${SPAN}-01`;

test.after.each(() => propagation.disable());

test("default global propagator is tracecontext + baggage, with the default getter/setter", () => {
  assert.equal(propagation.fields(), ["traceparent", "tracestate", "baggage"]);
  const ctx = propagation.extract(ROOT_CONTEXT, new Headers({ traceparent: TP, baggage: "k=v" }));
  assert.is(getSpanContext(ctx)?.traceId, TRACE);
  assert.is(propagation.getBaggage(ctx)?.getEntry("k")?.value, "v");
  const out = new Headers();
  propagation.inject(ctx, out);
  assert.is(out.get("traceparent"), TP);
  assert.is(out.get("baggage"), "k=v");
  const obj: Record<string, string> = {};
  propagation.inject(ctx, obj);
  assert.equal(obj, { traceparent: TP, baggage: "k=v" });
  const map = new Map<string, string>();
  propagation.inject(ctx, map);
  assert.is(map.get("traceparent"), TP);
});

test("custom getter and setter are used", () => {
  const carrier = { h: [["traceparent", TP]] as [string, string][] };
  const ctx = propagation.extract(ROOT_CONTEXT, carrier, {
    keys: (c) => c.h.map(([k]) => k),
    get: (c, k) => c.h.find(([n]) => n === k)?.[1],
  });
  assert.is(getSpanContext(ctx)?.spanId, SPAN);
  const written: string[] = [];
  propagation.inject(ctx, written, { set: (c, k, v) => c.push(`${k}: ${v}`) });
  assert.equal(written, [`traceparent: ${TP}`]);
});

test("setGlobalPropagator replaces the propagator; disable restores the default", () => {
  assert.is(propagation.setGlobalPropagator(new B3Propagator()), true);
  assert.equal(propagation.fields(), ["b3"]);
  const c: Record<string, string> = {};
  propagation.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), c);
  assert.equal(c, { b3: `${TRACE}-${SPAN}-1` });
  assert.is(propagation.setGlobalPropagator(new B3Propagator({ injectEncoding: "multi" })), true);
  assert.is(propagation.fields()[0], "x-b3-traceid");
  assert.is(propagation.setGlobalPropagator({} as TextMapPropagator), false);
  assert.is(propagation.setGlobalPropagator(null as unknown as TextMapPropagator), false);
  assert.is(propagation.fields()[0], "x-b3-traceid");
  propagation.disable();
  assert.equal(propagation.fields(), ["traceparent", "tracestate", "baggage"]);
});

test("inject/extract/fields never throw, even with a broken propagator or carrier", () => {
  propagation.setGlobalPropagator({
    inject() {
      throw new Error("boom");
    },
    extract() {
      throw new Error("boom");
    },
    fields() {
      throw new Error("boom");
    },
  });
  propagation.inject(ROOT_CONTEXT, {});
  assert.is(propagation.extract(ROOT_CONTEXT, {}), ROOT_CONTEXT);
  assert.equal(propagation.fields(), []);
  propagation.setGlobalPropagator({ inject() {}, extract: () => undefined as never, fields: () => [] });
  assert.is(propagation.extract(ROOT_CONTEXT, {}), ROOT_CONTEXT);
  propagation.disable();
  assert.is(propagation.extract(ROOT_CONTEXT, null), ROOT_CONTEXT);
  propagation.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), undefined);
  propagation.inject(ROOT_CONTEXT, {}, { set() { throw new Error("setter"); } });
});

test("baggage helpers", () => {
  const b = propagation.createBaggage({ a: { value: "1" } });
  const ctx = propagation.setBaggage(ROOT_CONTEXT, b);
  assert.is(propagation.getBaggage(ctx), b);
  assert.is(propagation.getBaggage(propagation.deleteBaggage(ctx)), undefined);
  context.with(ctx, () => assert.is(propagation.getActiveBaggage(), b));
});

test.run();
