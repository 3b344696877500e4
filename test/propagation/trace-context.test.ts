import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { formatTraceParent, parseTraceParent, W3CTraceContextPropagator } from "../../src/propagation/trace-context.ts";
import { createTraceState } from "../../src/propagation/trace-state.ts";
import { getSpanContext, setSpanContext } from "../../src/trace/span-in-context.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";

diag.disable();

const p = new W3CTraceContextPropagator();
const TRACE = "12345678901234567890123456789012";
const SPAN = "1234567890123456";
const VALID = `00-${TRACE}-${SPAN}-01`;

function extract(headers: Record<string, string | string[]>) {
  return getSpanContext(p.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

function rejects(tp: string, why: string) {
  assert.is(extract({ traceparent: tp }), undefined, `${why}: ${JSON.stringify(tp)}`);
}

test("extracts a valid traceparent as a remote span context", () => {
  const sc = extract({ traceparent: VALID });
  assert.equal(sc, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  assert.is(extract({ traceparent: `00-${TRACE}-${SPAN}-00` })?.traceFlags, 0);
  // Flags are carried as received (Level 2 random bit, unknown bits).
  assert.is(extract({ traceparent: `00-${TRACE}-${SPAN}-03` })?.traceFlags, 3);
  assert.is(extract({ traceparent: `00-${TRACE}-${SPAN}-ff` })?.traceFlags, 0xff);
});

test("header name is case-insensitive", () => {
  assert.is(extract({ TraceParent: VALID })?.traceId, TRACE);
  assert.is(extract({ TRACEPARENT: VALID })?.traceId, TRACE);
  const h = new Headers({ TRACEPARENT: VALID });
  assert.is(getSpanContext(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter))?.spanId, SPAN);
});

test("version: ff, illegal characters, too long/short are rejected", () => {
  rejects(`ff-${TRACE}-${SPAN}-01`, "version ff");
  rejects(`.0-${TRACE}-${SPAN}-01`, "illegal version char");
  rejects(`0.-${TRACE}-${SPAN}-01`, "illegal version char");
  rejects(`000-${TRACE}-${SPAN}-01`, "version too long");
  rejects(`0000-${TRACE}-${SPAN}-01`, "version too long");
  rejects(`0-${TRACE}-${SPAN}-01`, "version too short");
  rejects(`0A-${TRACE}-${SPAN}-01`, "uppercase version");
});

test("version 00 must be exactly 55 characters", () => {
  rejects(`${VALID}.what-the-future-will-be-like`, "00 with suffix");
  rejects(`${VALID}-what-the-future-will-be-like`, "00 with extra field");
  rejects(`${VALID}-`, "00 with trailing dash");
  rejects(VALID.slice(0, 54), "short");
});

test("future versions are parsed leniently", () => {
  assert.is(extract({ traceparent: `cc-${TRACE}-${SPAN}-01` })?.traceId, TRACE);
  assert.is(extract({ traceparent: `cc-${TRACE}-${SPAN}-01-what-the-future-will-be-like` })?.spanId, SPAN);
  assert.is(extract({ traceparent: `01-${TRACE}-${SPAN}-01-` })?.traceFlags, 1);
  rejects(`cc-${TRACE}-${SPAN}-01.what-the-future-will-be-like`, "future version, bad separator");
  rejects(`cc-${TRACE}-${SPAN}-0`, "future version too short");
  rejects(`cc-ABCDEF78901234567890123456789012-${SPAN}-01`, "future version uppercase");
  rejects(`cc-${TRACE}-${SPAN}-0A-x`, "future version uppercase flags");
  // Of a future version's flags only the sampled bit is known (§3.2.4).
  assert.is(extract({ traceparent: `cc-${TRACE}-${SPAN}-ff` })?.traceFlags, 1);
});

test("trace id: all zero, illegal characters, uppercase, wrong length", () => {
  rejects(`00-00000000000000000000000000000000-${SPAN}-01`, "zero trace id");
  rejects(`00-.2345678901234567890123456789012-${SPAN}-01`, "illegal char");
  rejects(`00-1234567890123456789012345678901.-${SPAN}-01`, "illegal char");
  rejects(`00-ABCDEF78901234567890123456789012-${SPAN}-01`, "uppercase");
  rejects(`00-123456789012345678901234567890123-${SPAN}-01`, "too long");
  rejects(`00-1234567890123456789012345678901-${SPAN}-01`, "too short");
});

test("parent id: all zero, illegal characters, uppercase, wrong length", () => {
  rejects(`00-${TRACE}-0000000000000000-01`, "zero parent id");
  rejects(`00-${TRACE}-.234567890123456-01`, "illegal char");
  rejects(`00-${TRACE}-123456789012345.-01`, "illegal char");
  rejects(`00-${TRACE}-ABCDEF7890123456-01`, "uppercase");
  rejects(`00-${TRACE}-12345678901234567-01`, "too long");
  rejects(`00-${TRACE}-123456789012345-01`, "too short");
});

test("trace flags: illegal characters, wrong length, uppercase", () => {
  rejects(`00-${TRACE}-${SPAN}-.0`, "illegal char");
  rejects(`00-${TRACE}-${SPAN}-0.`, "illegal char");
  rejects(`00-${TRACE}-${SPAN}-001`, "too long");
  rejects(`00-${TRACE}-${SPAN}-1`, "too short");
  rejects(`00-${TRACE}-${SPAN}-0A`, "uppercase");
});

test("separators must be '-'", () => {
  rejects(`00_${TRACE}-${SPAN}-01`, "bad separator 1");
  rejects(`00-${TRACE}_${SPAN}-01`, "bad separator 2");
  rejects(`00-${TRACE}-${SPAN}_01`, "bad separator 3");
  rejects(`00 ${TRACE} ${SPAN} 01`, "spaces");
});

test("OWS around the value is tolerated", () => {
  for (const tp of [` ${VALID}`, `\t${VALID}`, `${VALID} `, `${VALID}\t`, `\t ${VALID} \t`]) {
    assert.is(extract({ traceparent: tp })?.traceId, TRACE, JSON.stringify(tp));
  }
});

test("duplicated traceparent is invalid; so is an empty one", () => {
  assert.is(extract({ traceparent: [VALID, `00-${TRACE}-6543210987654321-01`] }), undefined);
  assert.is(extract({ traceparent: [VALID, VALID] }), undefined);
  assert.is(extract({ traceparent: "a", TRACEPARENT: VALID }), undefined);
  assert.is(extract({ traceparent: [VALID] })?.traceId, TRACE);
  const h = new Headers();
  h.append("traceparent", VALID);
  h.append("traceparent", VALID);
  assert.is(getSpanContext(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter)), undefined);
  rejects("", "empty");
  assert.is(extract({}), undefined);
});

test("tracestate is attached; invalid tracestate is dropped but traceparent kept", () => {
  const sc = extract({ traceparent: VALID, tracestate: "foo=1,bar=2" });
  assert.is(sc?.traceState?.get("foo"), "1");
  assert.is(sc?.traceState?.serialize(), "foo=1,bar=2");
  const bad = extract({ traceparent: VALID, tracestate: "foo=1,FOO=2" });
  assert.is(bad?.traceId, TRACE);
  assert.is(bad?.traceState?.serialize() ?? "", "");
  // A repeated key keeps its first occurrence (Level 2; the header is not discarded).
  assert.is(extract({ traceparent: VALID, tracestate: "foo=1,bar=2,foo=3" })?.traceState?.serialize(), "foo=1,bar=2");
  const tooMany = extract({ traceparent: VALID, tracestate: Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(",") });
  assert.is(tooMany?.traceState?.get("k0"), undefined);
  assert.is(tooMany?.traceId, TRACE);
});

test("tracestate without a valid traceparent is ignored", () => {
  const ctx = p.extract(ROOT_CONTEXT, { traceparent: `ff-${TRACE}-${SPAN}-01`, tracestate: "foo=1" }, defaultTextMapGetter);
  assert.is(ctx, ROOT_CONTEXT);
});

test("multiple tracestate headers are joined with ','; empty ones are harmless", () => {
  assert.is(extract({ traceparent: VALID, tracestate: ["foo=1", "bar=2"] })?.traceState?.serialize(), "foo=1,bar=2");
  assert.is(extract({ traceparent: VALID, tracestate: ["foo=1", ""] })?.traceState?.get("foo"), "1");
  assert.is(extract({ traceparent: VALID, tracestate: ["", "foo=1"] })?.traceState?.get("foo"), "1");
  // Two headers repeating a key (the w3c suite's case): the first occurrence stands (Level 2).
  assert.is(extract({ traceparent: VALID, tracestate: ["foo=1", "foo=2"] })?.traceState?.serialize(), "foo=1");
  const h = new Headers();
  h.set("traceparent", VALID);
  h.append("tracestate", "foo=1");
  h.append("tracestate", "bar=2");
  assert.is(getSpanContext(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter))?.traceState?.get("bar"), "2");
});

test("inject writes traceparent and a non-empty tracestate only for a valid span context", () => {
  const carrier: Record<string, string> = {};
  const ctx = setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: createTraceState("a=1") });
  p.inject(ctx, carrier, defaultTextMapSetter);
  assert.equal(carrier, { traceparent: VALID, tracestate: "a=1" });

  const noState: Record<string, string> = {};
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 0, traceState: createTraceState() }), noState, defaultTextMapSetter);
  assert.equal(noState, { traceparent: `00-${TRACE}-${SPAN}-00` });

  for (const sc of [
    { traceId: "0".repeat(32), spanId: SPAN, traceFlags: 1 },
    { traceId: TRACE, spanId: "0".repeat(16), traceFlags: 1 },
    { traceId: "ABCDEF78901234567890123456789012", spanId: SPAN, traceFlags: 1 },
    { traceId: TRACE, spanId: "12345", traceFlags: 1 },
  ]) {
    const c: Record<string, string> = {};
    p.inject(setSpanContext(ROOT_CONTEXT, sc), c, defaultTextMapSetter);
    assert.equal(c, {});
  }
  const none: Record<string, string> = {};
  p.inject(ROOT_CONTEXT, none, defaultTextMapSetter);
  assert.equal(none, {});
});

test("inject is skipped while tracing is suppressed", () => {
  const c: Record<string, string> = {};
  p.inject(suppressTracing(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 })), c, defaultTextMapSetter);
  assert.equal(c, {});
});

test("round trip through Headers keeps ids, flags and tracestate", () => {
  const h = new Headers();
  const ts = createTraceState("congo=t61rcWkgMzE").set("rojo", "00f067aa0ba902b7");
  p.inject(setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 3, traceState: ts }), h, defaultTextMapSetter);
  assert.is(h.get("traceparent"), `00-${TRACE}-${SPAN}-03`);
  const sc = getSpanContext(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter));
  assert.is(sc?.traceFlags, 3);
  assert.is(sc?.isRemote, true);
  assert.is(sc?.traceState?.serialize(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
});

test("parse/format helpers and hostile input", () => {
  assert.is(formatTraceParent({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }), VALID);
  assert.is(formatTraceParent({ traceId: TRACE, spanId: SPAN, traceFlags: 0x1ff }), `00-${TRACE}-${SPAN}-ff`);
  assert.is(parseTraceParent(42 as unknown as string), undefined);
  const huge = `cc-${TRACE}-${SPAN}-01-${"x".repeat(1 << 20)}`;
  assert.is(parseTraceParent(huge)?.traceId, TRACE); // future version: extra data is allowed
  assert.is(parseTraceParent(" ".repeat(1 << 20) + "x"), undefined);
  assert.is(parseTraceParent(`00-${TRACE}-${SPAN}-01` + " ".repeat(1 << 20))?.traceId, TRACE);
  const ctx = p.extract(ROOT_CONTEXT, { traceparent: VALID, tracestate: "a=1,".repeat(1 << 18) }, defaultTextMapGetter);
  assert.is(getSpanContext(ctx)?.traceState?.serialize(), "");
});

test("fields", () => {
  assert.equal(p.fields(), ["traceparent", "tracestate"]);
});

test.run();
