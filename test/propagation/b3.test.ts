import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT, type Context } from "../../src/context/context.ts";
import { B3_DEBUG_FLAG_KEY, B3Propagator } from "../../src/propagation/b3.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";

diag.disable();

const TRACE = "80f198ee56343ba864fe8b2a57d3eff7";
const TRACE64 = "e457b5a2e4d86bd1";
const SPAN = "e457b5a2e4d86bd1";
const PARENT = "05e3ac9a4f6e3b90";
const single = new B3Propagator();
const multi = new B3Propagator({ injectEncoding: "multi" });

function extract(headers: Record<string, string | string[]>, p = single): Context {
  return p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

test("single header: all four fields", () => {
  const ctx = extract({ b3: `${TRACE}-${SPAN}-1-${PARENT}` });
  assert.equal(getSpanContext(ctx), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  assert.is(ctx.getValue(B3_DEBUG_FLAG_KEY), undefined);
});

test("single header: sampling state and parent optional; 0 = not sampled; absent = deferred (not sampled)", () => {
  assert.is(getSpanContext(extract({ b3: `${TRACE}-${SPAN}` }))?.traceFlags, 0);
  assert.is(getSpanContext(extract({ b3: `${TRACE}-${SPAN}-0` }))?.traceFlags, 0);
  assert.is(getSpanContext(extract({ b3: `${TRACE}-${SPAN}-1` }))?.traceFlags, 1);
  assert.is(getSpanContext(extract({ b3: `${TRACE}-${SPAN}-0-${PARENT}` }))?.traceFlags, 0);
});

test("single header: 64-bit trace id is left-padded to 128 bits", () => {
  assert.is(getSpanContext(extract({ b3: `${TRACE64}-${SPAN}-1` }))?.traceId, `0000000000000000${TRACE64}`);
});

test("single header: d = debug, which implies sampled and is kept in the context", () => {
  const ctx = extract({ b3: `${TRACE}-${SPAN}-d` });
  assert.is(getSpanContext(ctx)?.traceFlags, 1);
  assert.is(ctx.getValue(B3_DEBUG_FLAG_KEY), true);
  const carrier: Record<string, string> = {};
  single.inject(ctx, carrier, defaultTextMapSetter);
  assert.is(carrier.b3, `${TRACE}-${SPAN}-d`);
  const m: Record<string, string> = {};
  multi.inject(ctx, m, defaultTextMapSetter);
  assert.equal(m, { "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-flags": "1" });
});

test("single header: the deny form b3: 0 creates no span context and is not an error", () => {
  for (const v of ["0", "1", "d"]) assert.is(extract({ b3: v }), ROOT_CONTEXT, v);
  // With multi headers as well, the deny alone still makes nothing up.
  assert.is(getSpanContext(extract({ b3: "0" })), undefined);
});

test("single header: invalid forms are rejected", () => {
  for (const v of [
    `${TRACE.toUpperCase()}-${SPAN}-1`,
    `${TRACE}-${SPAN.toUpperCase()}-1`,
    `${TRACE}0-${SPAN}-1`,
    `${TRACE.slice(1)}-${SPAN}-1`,
    `${TRACE}-${SPAN}-2`,
    `${TRACE}-${SPAN}-true`,
    `${TRACE}-${SPAN}-${PARENT}`,
    `${TRACE}-${SPAN}-1-${PARENT}-x`,
    `${TRACE}-${SPAN}-1-abc`,
    `${"0".repeat(32)}-${SPAN}-1`,
    `${TRACE}-${"0".repeat(16)}-1`,
    `${TRACE}`,
    "",
    "x".repeat(1 << 20),
    "-".repeat(1 << 20),
  ]) {
    assert.is(getSpanContext(extract({ b3: v })), undefined, v.slice(0, 80));
  }
});

test("multi headers: ids, sampled, flags (debug), 64-bit ids, legacy true/false", () => {
  const ctx = extract({ "X-B3-TraceId": TRACE, "X-B3-SpanId": SPAN, "X-B3-Sampled": "1", "X-B3-ParentSpanId": PARENT });
  assert.equal(getSpanContext(ctx), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  assert.is(getSpanContext(extract({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-sampled": "0" }))?.traceFlags, 0);
  assert.is(getSpanContext(extract({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN }))?.traceFlags, 0);
  assert.is(getSpanContext(extract({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-sampled": "true" }))?.traceFlags, 1);
  assert.is(getSpanContext(extract({ "x-b3-traceid": TRACE64, "x-b3-spanid": SPAN, "x-b3-sampled": "1" }))?.traceId, `0000000000000000${TRACE64}`);
  const debug = extract({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-flags": "1" });
  assert.is(getSpanContext(debug)?.traceFlags, 1);
  assert.is(debug.getValue(B3_DEBUG_FLAG_KEY), true);
  // Deny without ids.
  assert.is(extract({ "x-b3-sampled": "0" }), ROOT_CONTEXT);
  // Invalid ids.
  assert.is(getSpanContext(extract({ "x-b3-traceid": "xyz", "x-b3-spanid": SPAN })), undefined);
  assert.is(getSpanContext(extract({ "x-b3-traceid": TRACE, "x-b3-spanid": [SPAN, SPAN] })), undefined);
});

test("extract prefers a valid single header, falls back to multi", () => {
  const other = "11111111111111111111111111111111";
  const both = { b3: `${TRACE}-${SPAN}-1`, "x-b3-traceid": other, "x-b3-spanid": SPAN };
  assert.is(getSpanContext(extract(both, multi))?.traceId, TRACE);
  assert.is(getSpanContext(extract({ ...both, b3: "garbage" }))?.traceId, other);
});

test("inject single and multi; invalid or suppressed contexts inject nothing", () => {
  const ctx = setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  const s: Record<string, string> = {};
  single.inject(ctx, s, defaultTextMapSetter);
  assert.equal(s, { b3: `${TRACE}-${SPAN}-1` });
  const m: Record<string, string> = {};
  multi.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 0 }), m, defaultTextMapSetter);
  assert.equal(m, { "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-sampled": "0" });
  const none: Record<string, string> = {};
  single.inject(ROOT_CONTEXT, none, defaultTextMapSetter);
  single.inject(setSpanContext(ROOT_CONTEXT, { traceId: "0".repeat(32), spanId: SPAN, traceFlags: 1 }), none, defaultTextMapSetter);
  multi.inject(suppressTracing(ctx), none, defaultTextMapSetter);
  assert.equal(none, {});
});

test("round trip both encodings through Headers", () => {
  for (const p of [single, multi]) {
    const h = new Headers();
    p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 }), h, defaultTextMapSetter);
    assert.equal(getSpanContext(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter)), { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  }
});

test("fields and config validation", () => {
  assert.equal(single.fields(), ["b3"]);
  assert.equal(multi.fields(), ["x-b3-traceid", "x-b3-spanid", "x-b3-flags", "x-b3-sampled", "x-b3-parentspanid"]);
  assert.throws(() => new B3Propagator({ injectEncoding: "both" as "single" }), (e: Error) => e instanceof TypeError && /injectEncoding/.test(e.message));
});

test.run();
