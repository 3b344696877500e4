import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce } from "../../../src/common/diag.ts";
import { toEpochNanos } from "../../../src/common/time.ts";
import { encodeTraces } from "../../../src/export/otlp/trace-encoder.ts";
import { utf8Text, written as writtenBy } from "../../../src/export/otlp/json-writer.ts";
import { groupByResourceAndScope, writeResource, writeScope } from "../../../src/export/otlp/resource-scope.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { ReadableSpan } from "../../../src/trace/types.ts";
import { makeSpan, RESOURCE, SCOPE, traceState } from "./span-fixtures.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const OTHER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "b7ad6b7169203331";

function encode(spans: ReadableSpan[]): any {
  return JSON.parse(encodeTraces(spans));
}
function onlySpan(span: ReadableSpan): any {
  const out = encode([span]);
  assert.is(out.resourceSpans.length, 1);
  assert.is(out.resourceSpans[0].scopeSpans.length, 1);
  assert.is(out.resourceSpans[0].scopeSpans[0].spans.length, 1);
  return out.resourceSpans[0].scopeSpans[0].spans[0];
}
function quietDiag(): string[] {
  const messages: string[] = [];
  const sink = (m: string): void => void messages.push(m);
  diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink });
  resetDiagOnce();
  return messages;
}

test("a root span: ids as lowercase hex, times as nanosecond strings, defaults omitted", () => {
  const span = makeSpan({ spanId: "00f067aa0ba902b7", name: "root", kind: 0, startTime: 1.5, endTime: 3.25 });
  const out = onlySpan(span);
  assert.equal(out, {
    traceId: TRACE,
    spanId: "00f067aa0ba902b7",
    flags: 0x101,
    name: "root",
    kind: 1,
    startTimeUnixNano: toEpochNanos(1.5),
    endTimeUnixNano: toEpochNanos(3.25),
  });
  assert.match(out.startTimeUnixNano, /^\d{19}$/);
  assert.is(BigInt(out.endTimeUnixNano) - BigInt(out.startTimeUnixNano), 1_750_000n);
});

test("SpanKind maps to the OTLP enum (ours + 1)", () => {
  const expected = [1, 2, 3, 4, 5]; // INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER in trace.proto
  for (let kind = 0; kind <= 4; kind++) {
    assert.is(onlySpan(makeSpan({ kind: kind as 0 })).kind, expected[kind]);
  }
  assert.is(onlySpan(makeSpan({ kind: 9 as 0 })).kind, undefined); // unknown → UNSPECIFIED, omitted
});

test("flags: trace flags in bits 0-7, HAS_IS_REMOTE (0x100) always, IS_REMOTE (0x200) for a remote parent", () => {
  const local = { traceId: TRACE, spanId: PARENT, traceFlags: 1, isRemote: false };
  const remote = { traceId: TRACE, spanId: PARENT, traceFlags: 1, isRemote: true };
  assert.is(onlySpan(makeSpan({ traceFlags: 0 })).flags, 0x100);
  assert.is(onlySpan(makeSpan({ traceFlags: 1 })).flags, 0x101);
  assert.is(onlySpan(makeSpan({ traceFlags: 0x1ff })).flags, 0x1ff); // only the low 8 bits are taken
  const child = onlySpan(makeSpan({ parent: local }));
  assert.is(child.flags, 0x101);
  assert.is(child.parentSpanId, PARENT);
  const remoteChild = onlySpan(makeSpan({ parent: remote, traceFlags: 1 }));
  assert.is(remoteChild.flags, 0x301);
  assert.is(remoteChild.parentSpanId, PARENT);
  const noFlag = onlySpan(makeSpan({ parent: { traceId: TRACE, spanId: PARENT, traceFlags: 0 } }));
  assert.is(noFlag.flags, 0x101); // isRemote absent means local
});

test("traceState is the serialized header, omitted when empty", () => {
  assert.is(onlySpan(makeSpan({ traceState: traceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") })).traceState,
    "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  assert.not.ok("traceState" in onlySpan(makeSpan({ traceState: traceState("") })));
});

test("status: UNSET omitted, OK without message, ERROR with message", () => {
  assert.not.ok("status" in onlySpan(makeSpan({ status: { code: 0 } })));
  assert.equal(onlySpan(makeSpan({ status: { code: 1 } })).status, { code: 1 });
  assert.equal(onlySpan(makeSpan({ status: { code: 2, message: 'bad "thing"\n' } })).status, {
    code: 2,
    message: 'bad "thing"\n',
  });
  assert.equal(onlySpan(makeSpan({ status: { code: 2 } })).status, { code: 2 });
});

test("attributes, events, links and dropped counts", () => {
  const span = makeSpan({
    attributes: { "http.method": "GET", "http.status_code": 200, ratio: 0.5, ok: true, tags: ["a", null] },
    droppedAttributesCount: 3,
    events: [
      { name: "first", time: 2, attributes: {}, droppedAttributesCount: 0 },
      { name: "second", time: 2.000001, attributes: { n: 1 }, droppedAttributesCount: 4 },
    ],
    droppedEventsCount: 5,
    links: [
      {
        context: { traceId: OTHER_TRACE, spanId: PARENT, traceFlags: 1, isRemote: true, traceState: traceState("k=v") },
        attributes: { why: "fan-in" },
        droppedAttributesCount: 1,
      },
      { context: { traceId: TRACE, spanId: "1111111111111111", traceFlags: 0 }, attributes: {}, droppedAttributesCount: 0 },
    ],
    droppedLinksCount: 6,
  });
  const out = onlySpan(span);
  assert.equal(out.attributes, [
    { key: "http.method", value: { stringValue: "GET" } },
    { key: "http.status_code", value: { intValue: "200" } },
    { key: "ratio", value: { doubleValue: 0.5 } },
    { key: "ok", value: { boolValue: true } },
    { key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }, {}] } } },
  ]);
  assert.is(out.droppedAttributesCount, 3);
  assert.equal(out.events, [
    { timeUnixNano: toEpochNanos(2), name: "first" },
    {
      timeUnixNano: toEpochNanos(2.000001),
      name: "second",
      attributes: [{ key: "n", value: { intValue: "1" } }],
      droppedAttributesCount: 4,
    },
  ]);
  assert.is(BigInt(out.events[1].timeUnixNano) - BigInt(out.events[0].timeUnixNano), 1n); // 1 ns apart
  assert.is(out.droppedEventsCount, 5);
  assert.equal(out.links, [
    {
      traceId: OTHER_TRACE,
      spanId: PARENT,
      traceState: "k=v",
      attributes: [{ key: "why", value: { stringValue: "fan-in" } }],
      droppedAttributesCount: 1,
      flags: 0x301,
    },
    { traceId: TRACE, spanId: "1111111111111111", flags: 0x100 },
  ]);
  assert.is(out.droppedLinksCount, 6);
});

test("dropped counts are uint32: clamped, and non-positive or non-numbers omitted", () => {
  const out = onlySpan(makeSpan({ droppedAttributesCount: 2 ** 40, droppedEventsCount: -1, droppedLinksCount: NaN }));
  assert.is(out.droppedAttributesCount, 4294967295);
  assert.not.ok("droppedEventsCount" in out);
  assert.not.ok("droppedLinksCount" in out);
});

test("invalid ids: the span is dropped; a link is dropped and counted", () => {
  const messages = quietDiag();
  const good = makeSpan({ name: "good" });
  const badSpan = makeSpan({ spanId: "0000000000000000" });
  const badTrace = makeSpan({ traceId: 'ABC"' });
  const out = encode([badSpan, good, badTrace]);
  assert.equal(out.resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name), ["good"]);
  assert.ok(messages.some((m) => m.includes("invalid trace or span id")));

  const withLinks = onlySpan(
    makeSpan({
      links: [
        { context: { traceId: "nothex", spanId: PARENT, traceFlags: 0 }, attributes: {}, droppedAttributesCount: 0 },
        { context: { traceId: TRACE, spanId: PARENT, traceFlags: 0 }, attributes: {}, droppedAttributesCount: 0 },
      ],
      droppedLinksCount: 1,
    }),
  );
  assert.is(withLinks.links.length, 1);
  assert.is(withLinks.droppedLinksCount, 2);
  // An invalid parent span id is omitted rather than sent.
  assert.not.ok("parentSpanId" in onlySpan(makeSpan({ parent: { traceId: TRACE, spanId: "xyz", traceFlags: 0 } })));
});

test("empty input and all-dropped input give the valid empty request", () => {
  quietDiag();
  assert.is(encodeTraces([]), '{"resourceSpans":[]}');
  assert.is(encodeTraces([makeSpan({ spanId: "bad" })]), '{"resourceSpans":[]}');
});

test("grouping: by resource identity, then scope name+version+schemaUrl, in first-appearance order", () => {
  const r1: Resource = { attributes: { "service.name": "one" }, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" };
  const r2: Resource = { attributes: { "service.name": "two" }, droppedAttributesCount: 2 };
  const r2twin: Resource = { attributes: { "service.name": "two" } }; // equal content, other object
  const sA = { name: "a", version: "1" };
  const sAcopy = { name: "a", version: "1" }; // same scope, other object: same group
  const sB = { name: "b", schemaUrl: "https://example.com/schema" };
  const sAv2 = { name: "a", version: "2" };
  const spans = [
    makeSpan({ name: "1", resource: r1, scope: sA }),
    makeSpan({ name: "2", resource: r2, scope: sB }),
    makeSpan({ name: "3", resource: r1, scope: sB }),
    makeSpan({ name: "4", resource: r1, scope: sAcopy }),
    makeSpan({ name: "5", resource: r2, scope: sB }),
    makeSpan({ name: "6", resource: r1, scope: sAv2 }),
    makeSpan({ name: "7", resource: r2twin, scope: sB }),
  ];
  const out = encode(spans);
  const shape = out.resourceSpans.map((rs: any) => ({
    resource: rs.resource,
    schemaUrl: rs.schemaUrl,
    scopes: rs.scopeSpans.map((ss: any) => ({
      scope: ss.scope,
      schemaUrl: ss.schemaUrl,
      names: ss.spans.map((s: any) => s.name),
    })),
  }));
  assert.equal(shape, [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "one" } }] },
      schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
      scopes: [
        { scope: { name: "a", version: "1" }, schemaUrl: undefined, names: ["1", "4"] },
        { scope: { name: "b" }, schemaUrl: "https://example.com/schema", names: ["3"] },
        { scope: { name: "a", version: "2" }, schemaUrl: undefined, names: ["6"] },
      ],
    },
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "two" } }], droppedAttributesCount: 2 },
      schemaUrl: undefined,
      scopes: [{ scope: { name: "b" }, schemaUrl: "https://example.com/schema", names: ["2", "5"] }],
    },
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "two" } }] },
      schemaUrl: undefined,
      scopes: [{ scope: { name: "b" }, schemaUrl: "https://example.com/schema", names: ["7"] }],
    },
  ]);
  const groups = groupByResourceAndScope(spans);
  assert.is(groups.length, 3);
  assert.is(groups[0]!.resource, r1);
  assert.is(groups[0]!.scopes[0]!.items[1], spans[3]);
});

function written<T>(write: (value: T) => void, value: T): string {
  return utf8Text(writtenBy(undefined, () => write(value)));
}
const encodeResource = (r: Resource | undefined): string => written(writeResource, r);
const encodeScope = (s: Parameters<typeof writeScope>[0]): string => written(writeScope, s);

test("resource and scope encoding details", () => {
  assert.is(encodeResource({ attributes: {} }), "{}");
  assert.is(encodeResource(undefined), "{}");
  assert.is(encodeScope({ name: "" }), '{"name":""}');
  assert.is(encodeScope(undefined), '{"name":""}');
  const withAttrs = { name: "s", version: "", attributes: { k: 1 }, droppedAttributesCount: 1 };
  assert.equal(JSON.parse(encodeScope(withAttrs)), {
    name: "s",
    attributes: [{ key: "k", value: { intValue: "1" } }],
    droppedAttributesCount: 1,
  });
});

test("escaping in names, keys, values, status and tracestate keeps the body valid JSON", () => {
  const nasty = 'q"b\\n\n\u0000\u001f\ud800\udc00x\ud800';
  const span = makeSpan({
    name: nasty,
    attributes: { [nasty]: nasty },
    status: { code: 2, message: nasty },
    events: [{ name: nasty, time: 1, attributes: { [nasty]: [nasty] }, droppedAttributesCount: 0 }],
    scope: { name: nasty, version: nasty, schemaUrl: nasty },
    resource: { attributes: { [nasty]: nasty }, schemaUrl: nasty },
  });
  const out = encode([span]);
  // The lone surrogate at the end goes out as U+FFFD (proto3 strings are UTF-8); the pair stays.
  const sent = nasty.slice(0, -1) + "\ufffd";
  const s = out.resourceSpans[0].scopeSpans[0].spans[0];
  assert.is(s.name, sent);
  assert.is(s.attributes[0].key, sent);
  assert.is(s.attributes[0].value.stringValue, sent);
  assert.is(s.status.message, sent);
  assert.is(s.events[0].name, sent);
  assert.is(s.events[0].attributes[0].value.arrayValue.values[0].stringValue, sent);
  assert.equal(out.resourceSpans[0].scopeSpans[0].scope, { name: sent, version: sent });
  assert.is(out.resourceSpans[0].scopeSpans[0].schemaUrl, sent);
  assert.is(out.resourceSpans[0].resource.attributes[0].key, sent);
  assert.is(out.resourceSpans[0].schemaUrl, sent);
});

test("spans, events, links and attributes that throw are dropped, never thrown", () => {
  const messages = quietDiag();
  const good = makeSpan({ name: "good" });
  const throwingContext = { ...makeSpan({ name: "ctx" }), spanContext: () => { throw new Error("ctx"); } };
  const throwingName = Object.defineProperty({ ...makeSpan() }, "name", { get() { throw new Error("name"); } });
  const throwingResource = Object.defineProperty({ ...makeSpan() }, "resource", { get() { throw new Error("res"); } });
  const badTraceState = makeSpan({ name: "ts", traceState: { ...traceState("a=b"), serialize: () => { throw new Error("ts"); } } });
  const badEvent = Object.defineProperty({ time: 1, attributes: {}, droppedAttributesCount: 0 }, "name", {
    get() { throw new Error("event"); },
    enumerable: true,
  });
  const badLink = Object.defineProperty({ attributes: {}, droppedAttributesCount: 0 }, "context", {
    get() { throw new Error("link"); },
    enumerable: true,
  });
  const attrs = { ok: 1 };
  Object.defineProperty(attrs, "bad", { get() { throw new Error("attr"); }, enumerable: true });
  const partial = makeSpan({
    name: "partial",
    attributes: attrs,
    events: [badEvent as never, { name: "e", time: 1, attributes: {}, droppedAttributesCount: 0 }],
    links: [badLink as never],
  });
  const out = encode([throwingContext, good, throwingName, throwingResource, badTraceState, partial]);
  const spans = out.resourceSpans[0].scopeSpans[0].spans;
  assert.equal(spans.map((s: any) => s.name), ["good", "ts", "partial"]);
  assert.not.ok("traceState" in spans[1]);
  assert.equal(spans[2].attributes, [{ key: "ok", value: { intValue: "1" } }]);
  assert.equal(spans[2].events.map((e: any) => e.name), ["e"]);
  assert.is(spans[2].droppedEventsCount, 1);
  assert.not.ok("links" in spans[2]);
  assert.is(spans[2].droppedLinksCount, 1);
  assert.ok(messages.length > 0);
});

test("a resource group whose writing fails unexpectedly is dropped and reported; the other groups are sent", () => {
  // Every field of a group is read defensively, so only an internal failure reaches this
  // path: simulate one in the writer (the UTF-8 encoding of a non-ASCII schemaUrl, written
  // after the group's items), on the first resource group only.
  const messages = quietDiag();
  const encodeInto = TextEncoder.prototype.encodeInto;
  let failed = false;
  TextEncoder.prototype.encodeInto = function (this: TextEncoder, text: string, into: Uint8Array) {
    if (!failed && text.includes("schéma")) {
      failed = true;
      throw new Error("simulated");
    }
    return encodeInto.call(this, text, into);
  };
  try {
    const other = { attributes: { "service.name": "other" }, droppedAttributesCount: 0, schemaUrl: "https://example.com/schéma" };
    const out = encode([makeSpan({ name: "lost", resource: other as never }), makeSpan({ name: "kept" })]);
    assert.ok(failed, "the simulated failure happened");
    assert.is(out.resourceSpans.length, 1);
    assert.equal(out.resourceSpans[0].scopeSpans[0].spans.map((s: any) => s.name), ["kept"]);
    assert.ok(messages.some((m) => m.includes("resource or scope group")), messages.join("\n"));
  } finally {
    TextEncoder.prototype.encodeInto = encodeInto;
  }
});

test("the default resource and scope fixtures encode as expected", () => {
  const out = encode([makeSpan()]);
  assert.equal(out.resourceSpans[0].resource, { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] });
  assert.equal(out.resourceSpans[0].scopeSpans[0].scope, { name: SCOPE.name, version: SCOPE.version });
  assert.is(out.resourceSpans[0].resource.attributes.length, Object.keys(RESOURCE.attributes).length);
});

test.run();
