// Conformance of encodeTraces against real peers:
//  1. the official OTLP protobuf schema (opentelemetry-proto compiled by protobufjs, as shipped
//     in @opentelemetry/otlp-transformer 0.208.0): our JSON → fromObject → encode → decode →
//     toObject must give back exactly our JSON (fromObject silently drops unknown fields and
//     coerces wrong types, so any such field would make the round trip differ), and verify()
//     must accept it;
//  2. the official JSON serializer (JsonTraceSerializer) fed the same spans: same request
//     field by field, except the documented differences (tested explicitly at the end).
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../../src/common/diag.ts";
import { toEpochNanos, toHrTime } from "../../../src/common/time.ts";
import { encodeTraces } from "../../../src/export/otlp/trace-encoder.ts";
import type { Attributes } from "../../../src/common/attributes.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { ReadableSpan } from "../../../src/trace/types.ts";
import { assertRoundTrips, decodeMessage, idsToBase64, jsonToRuntime, normalize, REQUEST, roundTrip } from "./proto-roundtrip.ts";
import type { NormalizeRules, RuntimeKeys } from "./proto-roundtrip.ts";
import { makeSpan, traceState } from "./span-fixtures.ts";

const require = createRequire(import.meta.url);
const { JsonTraceSerializer } = require("@opentelemetry/otlp-transformer");
const Req = REQUEST.traces;

diag.disable();

const T1 = "0af7651916cd43dd8448eb211c80319c";
const T2 = "4bf92f3577b34da6a3ce929d0e0e4736";

// Values on which we deliberately differ from the official serializer (see the last test).
const DIFFERENT: Attributes = {
  nan: NaN,
  inf: Infinity,
  ninf: -Infinity,
  "int64.min": -(2 ** 63),
  "int.2^62": 2 ** 62,
  "beyond.int64": 2 ** 63,
  huge: 1e21,
};

function attributeZoo(withDifferences: boolean): Attributes {
  return {
    str: "value",
    "str.escape": 'q"b\\n\n\u0001 \ud83d\ude00 \u2028',
    empty: "",
    yes: true,
    no: false,
    int: 42,
    neg: -7,
    zero: 0,
    "negative.zero": -0,
    "max.safe": Number.MAX_SAFE_INTEGER,
    double: 3.25,
    tiny: 5e-324,
    "strings.with.nulls": ["a", null, "c", undefined],
    ints: [1, -2, 3],
    doubles: [1.5, null, -0.5],
    bools: [true, null, false],
    "empty.array": [],
    ...(withDifferences ? DIFFERENT : {}),
  };
}

const RES_A: Resource = {
  attributes: { "service.name": "checkout", "service.instance.id": "i-1", "process.pid": 1234 },
  schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
};
const RES_B: Resource = { attributes: { "service.name": "worker", "cloud.region": "eu-west-1" } };

function batch(withDifferences: boolean): ReadableSpan[] {
  const scopeHttp = { name: "http", version: "2.1.0", schemaUrl: "https://opentelemetry.io/schemas/1.24.0" };
  const scopeDb = { name: "db" };
  return [
    makeSpan({
      name: "GET /checkout",
      kind: 1,
      traceId: T1,
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      traceState: traceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
      parent: { traceId: T1, spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true },
      startTime: 1000.000123,
      endTime: 1042.5,
      status: { code: 2, message: "upstream said \"no\"" },
      attributes: attributeZoo(withDifferences),
      droppedAttributesCount: 2,
      events: [
        { name: "exception", time: 1001.25, attributes: { "exception.type": "TypeError", "exception.escaped": false }, droppedAttributesCount: 1 },
        { name: "bare", time: 1002, attributes: {}, droppedAttributesCount: 0 },
      ],
      droppedEventsCount: 3,
      links: [
        {
          context: { traceId: T2, spanId: "a3ce929d0e0e4736", traceFlags: 1, isRemote: true, traceState: traceState("k=v") },
          attributes: { "link.kind": "follows", n: 7, r: 0.5 },
          droppedAttributesCount: 4,
        },
        { context: { traceId: T1, spanId: "1111111111111111", traceFlags: 0, isRemote: false }, attributes: {}, droppedAttributesCount: 0 },
      ],
      droppedLinksCount: 5,
      resource: RES_A,
      scope: scopeHttp,
    }),
    makeSpan({
      name: "SELECT orders",
      kind: 2,
      traceId: T1,
      spanId: "2222222222222222",
      parent: { traceId: T1, spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: false },
      startTime: 1003,
      endTime: 1010.999999,
      status: { code: 1 },
      attributes: { "db.system": "postgresql", "db.rows": 12 },
      resource: RES_A,
      scope: scopeDb,
    }),
    makeSpan({ name: "publish", kind: 3, traceId: T2, spanId: "3333333333333333", traceFlags: 0, resource: RES_B, scope: scopeHttp }),
    makeSpan({
      name: "consume",
      kind: 4,
      traceId: T2,
      spanId: "4444444444444444",
      parent: { traceId: T2, spanId: "3333333333333333", traceFlags: 0, isRemote: true },
      resource: RES_B,
      scope: scopeDb,
    }),
    makeSpan({ name: "internal", kind: 0, traceId: T1, spanId: "5555555555555555", resource: RES_A, scope: scopeHttp }),
  ];
}

/** The 64-bit and double fields of trace.proto, for verify(). */
const RUNTIME_KEYS: RuntimeKeys = {
  int64: new Set(["intValue", "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano"]),
  double: new Set(["doubleValue"]),
};

test("our JSON round-trips exactly through the official protobuf schema and verifies", () => {
  const ours = JSON.parse(encodeTraces(batch(true)));
  assertRoundTrips(Req, idsToBase64(ours), RUNTIME_KEYS, 500);
});

test("a tampered request does not round-trip (the check has teeth)", () => {
  const ours = idsToBase64(JSON.parse(encodeTraces(batch(false))));
  const unknownField = structuredClone(ours);
  unknownField.resourceSpans[0].scopeSpans[0].spans[0].parentSpanID = unknownField.resourceSpans[0].scopeSpans[0].spans[0].parentSpanId;
  assert.not.equal(roundTrip(Req, unknownField), unknownField);
  const wrongType = structuredClone(ours);
  wrongType.resourceSpans[0].scopeSpans[0].spans[0].flags = "769";
  assert.not.equal(roundTrip(Req, wrongType), wrongType);
  assert.type(Req.verify(jsonToRuntime(wrongType, RUNTIME_KEYS)), "string");
  const wrongKind = structuredClone(ours);
  wrongKind.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value = { stringValue: 5 };
  assert.type(Req.verify(jsonToRuntime(wrongKind, RUNTIME_KEYS)), "string");
});

test("decoded protobuf values match the source spans", () => {
  const spans = batch(true);
  const ours = JSON.parse(encodeTraces(spans));
  const message = decodeMessage(Req, idsToBase64(ours));
  const decoded = new Map<string, any>();
  const scopeOf = new Map<string, any>();
  const resourceOf = new Map<string, any>();
  for (const rs of message.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const id = Buffer.from(span.spanId).toString("hex");
        decoded.set(id, span);
        scopeOf.set(id, ss);
        resourceOf.set(id, rs);
      }
    }
  }
  assert.is(decoded.size, spans.length);
  assert.is(message.resourceSpans.length, 2);
  for (const src of spans) {
    const ctx = src.spanContext();
    const d = decoded.get(ctx.spanId);
    assert.ok(d, ctx.spanId);
    assert.is(Buffer.from(d.traceId).toString("hex"), ctx.traceId);
    assert.is(d.traceId.length, 16);
    assert.is(d.spanId.length, 8);
    if (src.parentSpanContext) assert.is(Buffer.from(d.parentSpanId).toString("hex"), src.parentSpanContext.spanId);
    else assert.is(d.parentSpanId?.length ?? 0, 0);
    assert.is(d.name, src.name);
    assert.is(d.kind, src.kind + 1);
    assert.is(d.startTimeUnixNano.toString(), toEpochNanos(src.startTime));
    assert.is(d.endTimeUnixNano.toString(), toEpochNanos(src.endTime));
    const remote = src.parentSpanContext?.isRemote === true;
    assert.is(d.flags, (ctx.traceFlags & 0xff) | 0x100 | (remote ? 0x200 : 0));
    assert.is(d.traceState ?? "", ctx.traceState?.serialize() ?? "");
    assert.is(d.status?.code ?? 0, src.status.code);
    assert.is(d.status?.message ?? "", src.status.message ?? "");
    assert.is(d.droppedAttributesCount ?? 0, src.droppedAttributesCount);
    assert.is(d.droppedEventsCount ?? 0, src.droppedEventsCount);
    assert.is(d.droppedLinksCount ?? 0, src.droppedLinksCount);
    assert.is(scopeOf.get(ctx.spanId).scope.name, src.instrumentationScope.name);
    assert.is(scopeOf.get(ctx.spanId).schemaUrl ?? "", src.instrumentationScope.schemaUrl ?? "");
    assert.is(resourceOf.get(ctx.spanId).schemaUrl ?? "", src.resource.schemaUrl ?? "");
    assert.is(d.events.length, src.events.length);
    src.events.forEach((e, i) => {
      assert.is(d.events[i].name, e.name);
      assert.is(d.events[i].timeUnixNano.toString(), toEpochNanos(e.time));
      assert.is(d.events[i].droppedAttributesCount ?? 0, e.droppedAttributesCount);
    });
    assert.is(d.links.length, src.links.length);
    src.links.forEach((l, i) => {
      assert.is(Buffer.from(d.links[i].traceId).toString("hex"), l.context.traceId);
      assert.is(Buffer.from(d.links[i].spanId).toString("hex"), l.context.spanId);
      assert.is(d.links[i].flags, (l.context.traceFlags & 0xff) | 0x100 | (l.context.isRemote ? 0x200 : 0));
      assert.is(d.links[i].traceState ?? "", l.context.traceState?.serialize() ?? "");
      assert.is(d.links[i].droppedAttributesCount ?? 0, l.droppedAttributesCount);
    });
  }

  // Attribute kinds, decoded: which oneof is set and its exact value.
  const attrs = new Map<string, any>(decoded.get("00f067aa0ba902b7").attributes.map((kv: any) => [kv.key, kv.value]));
  const kind = (k: string): string => attrs.get(k).value;
  const int = (k: string): string => attrs.get(k).intValue.toString();
  assert.is(kind("str"), "stringValue");
  assert.is(attrs.get("str.escape").stringValue, 'q"b\\n\n\u0001 \ud83d\ude00 \u2028');
  assert.is(kind("yes"), "boolValue");
  assert.is(attrs.get("no").boolValue, false);
  const ints: Array<[string, string]> = [["int", "42"], ["neg", "-7"], ["zero", "0"], ["negative.zero", "0"],
    ["max.safe", "9007199254740991"], ["int64.min", "-9223372036854775808"], ["int.2^62", "4611686018427387904"]];
  for (const [k, v] of ints) {
    assert.is(kind(k), "intValue", k);
    assert.is(int(k), v, k);
  }
  const doubles: Array<[string, number]> = [["double", 3.25], ["tiny", 5e-324], ["beyond.int64", 2 ** 63], ["huge", 1e21],
    ["inf", Infinity], ["ninf", -Infinity]];
  for (const [k, v] of doubles) {
    assert.is(kind(k), "doubleValue", k);
    assert.is(attrs.get(k).doubleValue, v, k);
  }
  assert.is(kind("nan"), "doubleValue");
  assert.ok(Number.isNaN(attrs.get("nan").doubleValue));
  const nulls = attrs.get("strings.with.nulls").arrayValue.values;
  assert.equal(nulls.map((v: any) => v.value), ["stringValue", undefined, "stringValue", undefined]);
  assert.equal(attrs.get("doubles").arrayValue.values.map((v: any) => v.doubleValue ?? null), [1.5, null, -0.5]);
  assert.is(attrs.get("empty.array").arrayValue.values.length, 0);
  assert.is(kind("empty"), "stringValue");
});

// ---- cross-check with the official JSON serializer ------------------------------------------

/** The same span as sdk-trace-base 2.2.0's ReadableSpan: HrTime times and a duration. */
function toOfficial(span: ReadableSpan): unknown {
  const start = toHrTime(span.startTime);
  const end = toHrTime(span.endTime);
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: start,
    endTime: end,
    duration: [end[0] - start[0], end[1] - start[1]],
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events.map((e) => ({ ...e, time: toHrTime(e.time) })),
    ended: true,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Proto3 defaults of trace.proto a writer may omit, and intValue as an exact string. */
const NORMALIZE: NormalizeRules = {
  zero: new Set(["droppedAttributesCount", "droppedEventsCount", "droppedLinksCount"]),
  int64: new Set(["intValue"]),
  unsetStatus: true,
};

function official(spans: ReadableSpan[]): any {
  return JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans.map(toOfficial))));
}

test("same request as the official JsonTraceSerializer, field by field", () => {
  const spans = batch(false);
  const theirs = normalize(official(spans), NORMALIZE);
  const ours = normalize(JSON.parse(encodeTraces(spans)), NORMALIZE);
  assert.equal(ours, theirs);
  // And the normalization did not hide a difference in shape: spans and attributes line up.
  assert.is(ours.resourceSpans[0].scopeSpans[0].spans[0].attributes.length, Object.keys(attributeZoo(false)).length);
});

test("documented differences from the official serializer", () => {
  const spans = [makeSpan({ spanId: "6666666666666666", attributes: DIFFERENT, resource: RES_A })];
  const theirRequest = official(spans);
  const ourRequest = JSON.parse(encodeTraces(spans));
  // They put schemaUrl inside the Resource message too (no such field in resource.proto).
  assert.is(theirRequest.resourceSpans[0].resource.schemaUrl, RES_A.schemaUrl);
  assert.not.ok("schemaUrl" in ourRequest.resourceSpans[0].resource);
  assert.is(ourRequest.resourceSpans[0].schemaUrl, RES_A.schemaUrl);
  const theirs = new Map<string, any>(theirRequest.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: any) => [kv.key, kv.value]));
  const ours = new Map<string, any>(ourRequest.resourceSpans[0].scopeSpans[0].spans[0].attributes.map((kv: any) => [kv.key, kv.value]));
  // Non-finite doubles: JSON.stringify turns them into null (value lost); proto3 JSON uses strings.
  assert.equal(theirs.get("nan"), { doubleValue: null });
  assert.equal(ours.get("nan"), { doubleValue: "NaN" });
  assert.equal(theirs.get("inf"), { doubleValue: null });
  assert.equal(ours.get("inf"), { doubleValue: "Infinity" });
  assert.equal(ours.get("ninf"), { doubleValue: "-Infinity" });
  // 64-bit ints: numbers (precision depends on the reader) vs exact decimal strings.
  assert.equal(theirs.get("int64.min"), { intValue: -(2 ** 63) });
  assert.equal(ours.get("int64.min"), { intValue: "-9223372036854775808" });
  assert.equal(ours.get("int.2^62"), { intValue: "4611686018427387904" });
  // Integers outside int64 are not valid intValues; we send them as doubles.
  assert.equal(theirs.get("beyond.int64"), { intValue: 2 ** 63 });
  assert.equal(ours.get("beyond.int64"), { doubleValue: 2 ** 63 });
  assert.equal(theirs.get("huge"), { intValue: 1e21 });
  assert.equal(ours.get("huge"), { doubleValue: 1e21 });
});

test.run();
