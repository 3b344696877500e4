import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT, type Context } from "../../src/context/context.ts";
import { createBaggage, getBaggage, setBaggage } from "../../src/propagation/baggage.ts";
import { JaegerPropagator } from "../../src/propagation/jaeger.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";

diag.disable();

const TRACE = "d4cda95b652f4a1592b449d5929fda1b";
const SPAN = "6e0c63257de34c92";
const p = new JaegerPropagator();

function extract(headers: Record<string, string | string[]>, prop = p): Context {
  return prop.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

test("extracts uber-trace-id: ids, sampled and debug flags", () => {
  assert.equal(getSpanContext(extract({ "uber-trace-id": `${TRACE}:${SPAN}:0:1` })), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE}:${SPAN}:0:0` }))?.traceFlags, 0);
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE}:${SPAN}:0:03` }))?.traceFlags, 1);
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE}:${SPAN}:0:02` }))?.traceFlags, 1);
  assert.is(getSpanContext(extract({ "Uber-Trace-Id": `${TRACE}:${SPAN}:${SPAN}:00` }))?.traceFlags, 0);
});

test("short ids are left-padded; uppercase hex is normalised", () => {
  const sc = getSpanContext(extract({ "uber-trace-id": "abc:de:0:1" }));
  assert.is(sc?.traceId, "00000000000000000000000000000abc");
  assert.is(sc?.spanId, "00000000000000de");
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE.toUpperCase()}:${SPAN}:0:1` }))?.traceId, TRACE);
  assert.is(getSpanContext(extract({ "uber-trace-id": `92b449d5929fda1b:${SPAN}:0:1` }))?.traceId, `000000000000000092b449d5929fda1b`);
});

test("URL-encoded form is accepted", () => {
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE}%3A${SPAN}%3A0%3A1` }))?.spanId, SPAN);
  assert.is(getSpanContext(extract({ "uber-trace-id": `${TRACE}%3a${SPAN}%3a0%3a1` }))?.spanId, SPAN);
});

test("invalid uber-trace-id values are ignored", () => {
  for (const v of [
    `${TRACE}:${SPAN}:0`,
    `${TRACE}:${SPAN}:0:1:x`,
    `${TRACE}0:${SPAN}:0:1`,
    `${TRACE}:${SPAN}0:0:1`,
    `${TRACE}:${SPAN}:0:100`,
    `${TRACE}:${SPAN}::1`,
    `0:${SPAN}:0:1`,
    `${TRACE}:0:0:1`,
    `xyz:${SPAN}:0:1`,
    `${TRACE}%3G${SPAN}%3A0%3A1`,
    "%",
    ":".repeat(1 << 20),
    "",
  ]) {
    assert.is(getSpanContext(extract({ "uber-trace-id": v })), undefined, v.slice(0, 80));
  }
  assert.is(getSpanContext(extract({ "uber-trace-id": [`${TRACE}:${SPAN}:0:1`, `${TRACE}:${SPAN}:0:1`] })), undefined);
});

test("uberctx-* headers become baggage, merged with existing baggage, values URL-decoded", () => {
  const start = setBaggage(ROOT_CONTEXT, createBaggage({ existing: { value: "1" } }));
  const ctx = p.extract(start, { "uber-trace-id": `${TRACE}:${SPAN}:0:1`, "uberctx-user": "alice%20smith", "UberCtx-Tenant": "acme", "uberctx-bad": "%E4" }, defaultTextMapGetter);
  const b = getBaggage(ctx)!;
  assert.is(b.getEntry("existing")?.value, "1");
  assert.is(b.getEntry("user")?.value, "alice smith");
  assert.is(b.getEntry("tenant")?.value, "acme");
  assert.is(b.getEntry("bad"), undefined);
  // Baggage without a trace header still extracts.
  assert.is(getBaggage(extract({ "uberctx-k": "v" }))?.getEntry("k")?.value, "v");
  assert.is(extract({ "uberctx-": "v" }), ROOT_CONTEXT);
});

test("baggage extraction is bounded to 64 entries", () => {
  const headers = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`uberctx-k${i}`, "v"]));
  assert.is(getBaggage(extract(headers))?.getAllEntries().length, 64);
  // Invalid baggage headers count towards the bound too, so a hostile carrier stays linear.
  const hostile: Record<string, string> = {};
  for (let i = 0; i < 20000; i++) hostile[`uberctx-bad${i}`] = "%E4";
  hostile["uberctx-late"] = "v";
  assert.is(getBaggage(extract(hostile)), undefined);
  const someBad = { "uberctx-a": "%E4", "uberctx-b": "ok" };
  assert.equal(getBaggage(extract(someBad))?.getAllEntries().map(([k]) => k), ["b"]);
});

test("inject writes uber-trace-id and uberctx-* (URL-encoded values)", () => {
  let ctx = setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  ctx = setBaggage(ctx, createBaggage({ user: { value: "alice smith/ü" }, "bad key": { value: "x" } }));
  const carrier: Record<string, string> = {};
  p.inject(ctx, carrier, defaultTextMapSetter);
  assert.equal(carrier, { "uber-trace-id": `${TRACE}:${SPAN}:0:01`, "uberctx-user": "alice%20smith%2F%C3%BC" });
  const unsampled: Record<string, string> = {};
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 0 }), unsampled, defaultTextMapSetter);
  assert.equal(unsampled, { "uber-trace-id": `${TRACE}:${SPAN}:0:00` });
  const none: Record<string, string> = {};
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: "0".repeat(32), spanId: SPAN, traceFlags: 1 }), none, defaultTextMapSetter);
  assert.equal(none, {});
});

test("round trip through Headers", () => {
  const h = new Headers();
  const ctx = setBaggage(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), createBaggage({ k: { value: "a:b,c" } }));
  p.inject(ctx, h, defaultTextMapSetter);
  const out = p.extract(ROOT_CONTEXT, h, defaultTextMapGetter);
  assert.equal(getSpanContext(out), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  assert.is(getBaggage(out)?.getEntry("k")?.value, "a:b,c");
});

test("custom header names, fields, config validation", () => {
  const custom = new JaegerPropagator({ customTraceHeader: "X-Trace", customBaggageHeaderPrefix: "x-ctx-" });
  assert.equal(custom.fields(), ["x-trace"]);
  const ctx = extract({ "x-trace": `${TRACE}:${SPAN}:0:1`, "x-ctx-a": "1", "uberctx-b": "2" }, custom);
  assert.is(getSpanContext(ctx)?.traceId, TRACE);
  assert.equal(getBaggage(ctx)?.getAllEntries().map(([k]) => k), ["a"]);
  assert.equal(p.fields(), ["uber-trace-id"]);
  assert.throws(() => new JaegerPropagator({ customTraceHeader: "bad header" }), TypeError);
  assert.throws(() => new JaegerPropagator({ customBaggageHeaderPrefix: "" }), TypeError);
});

test.run();
