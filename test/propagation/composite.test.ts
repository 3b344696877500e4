import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { createContextKey, ROOT_CONTEXT, type Context } from "../../src/context/context.ts";
import { B3Propagator } from "../../src/propagation/b3.ts";
import { W3CBaggagePropagator } from "../../src/propagation/baggage-propagator.ts";
import { createBaggage, getBaggage, setBaggage } from "../../src/propagation/baggage.ts";
import { CompositePropagator } from "../../src/propagation/composite.ts";
import { defaultTextMapGetter, defaultTextMapSetter, type TextMapPropagator } from "../../src/propagation/text-map.ts";
import { W3CTraceContextPropagator } from "../../src/propagation/trace-context.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";

diag.disable();

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const SEEN = createContextKey("test seen");

test("inject calls every propagator", () => {
  const p = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new B3Propagator()] });
  const ctx = setBaggage(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), createBaggage({ a: { value: "1" } }));
  const carrier: Record<string, string> = {};
  p.inject(ctx, carrier, defaultTextMapSetter);
  assert.equal(carrier, { traceparent: `00-${TRACE}-${SPAN}-01`, baggage: "a=1", b3: `${TRACE}-${SPAN}-1` });
});

test("extract runs in order, each seeing the previous result; later ones override", () => {
  const order: string[] = [];
  const spy = (name: string): TextMapPropagator => ({
    inject() {},
    extract(ctx: Context) {
      order.push(`${name}:${String(ctx.getValue(SEEN) ?? "-")}`);
      return ctx.setValue(SEEN, name);
    },
    fields: () => [name],
  });
  const p = new CompositePropagator({ propagators: [spy("a"), spy("b"), spy("c")] });
  const out = p.extract(ROOT_CONTEXT, {}, defaultTextMapGetter);
  assert.equal(order, ["a:-", "b:a", "c:b"]);
  assert.is(out.getValue(SEEN), "c");

  const b3Trace = "11111111111111111111111111111111";
  const real = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator(), new W3CBaggagePropagator()] });
  const ctx = real.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01`, b3: `${b3Trace}-${SPAN}-0`, baggage: "k=v" }, defaultTextMapGetter);
  assert.is(getSpanContext(ctx)?.traceId, b3Trace);
  assert.is(getBaggage(ctx)?.getEntry("k")?.value, "v");
  // An invalid later header does not erase the earlier result.
  const kept = real.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01`, b3: "junk" }, defaultTextMapGetter);
  assert.is(getSpanContext(kept)?.traceId, TRACE);
});

test("fields is the union, without duplicates, in order", () => {
  const p = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new W3CTraceContextPropagator(), new B3Propagator()],
  });
  assert.equal(p.fields(), ["traceparent", "tracestate", "baggage", "b3"]);
  const mutated = p.fields();
  mutated.push("x");
  assert.is(p.fields().length, 4);
  assert.equal(new CompositePropagator().fields(), []);
});

test("a throwing propagator is skipped; the others still run", () => {
  const bad: TextMapPropagator = {
    inject() {
      throw new Error("inject");
    },
    extract() {
      throw new Error("extract");
    },
    fields() {
      throw new Error("fields");
    },
  };
  const p = new CompositePropagator({ propagators: [bad, new W3CTraceContextPropagator(), bad] });
  const carrier: Record<string, string> = {};
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), carrier, defaultTextMapSetter);
  assert.is(carrier.traceparent, `00-${TRACE}-${SPAN}-01`);
  assert.is(getSpanContext(p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))?.spanId, SPAN);
  assert.equal(p.fields(), ["traceparent", "tracestate"]);
});

test("an empty composite is a no-op; construction validates propagators", () => {
  const p = new CompositePropagator({ propagators: [] });
  const c: Record<string, string> = {};
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), c, defaultTextMapSetter);
  assert.equal(c, {});
  assert.is(p.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` }, defaultTextMapGetter), ROOT_CONTEXT);
  assert.throws(() => new CompositePropagator({ propagators: [{} as TextMapPropagator] }), (e: Error) => e instanceof TypeError && /propagators\[0\]/.test(e.message));
  assert.throws(() => new CompositePropagator({ propagators: "x" as unknown as TextMapPropagator[] }), TypeError);
});

test.run();
