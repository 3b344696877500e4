// One batch per signal that reaches every branch of the OTLP/JSON encoders: every AnyValue
// type, escapes and non-ASCII text, lone surrogates, invalid ids, throwing getters, proxies,
// cycles, dropped counts, several resources and scopes. Used by bytes-encoders.test.ts to pin
// the byte output against text made by the string encoders that preceded the byte writer.
import type { Resource } from "../../../src/resource/resource.ts";
import type { ReadableLogRecord } from "../../../src/logs/types.ts";
import type { ResourceMetrics } from "../../../src/metrics/types.ts";
import type { InstrumentationScope, ReadableSpan } from "../../../src/trace/types.ts";
import { makeLog } from "../../logs/log-fixtures.ts";
import { collection, exemplar, exponential, exponentialValue, gauge, histogram, histogramValue, point, sum, summary } from "./metric-fixtures.ts";
import { makeSpan, traceState } from "./span-fixtures.ts";

const T = "0af7651916cd43dd8448eb211c80319c";
const S = "b7ad6b7169203331";

/** Text that needs every kind of escaping and UTF-8 length. */
export const NASTY = 'q"b\\n\n\r\t\b\f\u0000\u0001\u001f\u007f é € 😀 \ud800\udc00 \ud800 x\udfff \u2028\u2029 end';

function throwingGetter(): Record<string, unknown> {
  const o: Record<string, unknown> = { before: 1 };
  Object.defineProperty(o, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
  o.after = 2;
  return o;
}

/** An object that reaches itself directly and through an array and a nested object. */
export function cycle(): Record<string, unknown> {
  const o: Record<string, unknown> = { name: "loop" };
  o.self = o;
  o.list = [o, { back: o }];
  return o;
}

function throwingProxy(): object {
  const boom = (): never => {
    throw new Error("trap");
  };
  return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
}

function deep(n: number): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

/** An attribute map with every value type the AnyValue encoder distinguishes. */
export function everyValue(): Record<string, unknown> {
  return {
    str: "plain",
    empty: "",
    nasty: NASTY,
    [NASTY]: "nasty key",
    int: 42,
    zero: 0,
    negZero: -0,
    neg: -17,
    int32max: 2147483647,
    int32over: 2147483648,
    safe: 9007199254740991,
    big: 2 ** 62,
    int64min: -(2 ** 63),
    over: 2 ** 63,
    double: 0.75,
    tiny: 5e-324,
    huge: 1e300,
    exp: 1e21,
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    yes: true,
    no: false,
    bigint: 123n,
    bigneg: -(2n ** 63n),
    bigover: 2n ** 64n,
    bytes: new Uint8Array([0, 1, 2, 250, 255]),
    emptyBytes: new Uint8Array(0),
    date: new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789)),
    badDate: new Date(NaN),
    arr: ["a", 1, 1.5, true, null, undefined, [2, [3]], { k: "v" }],
    emptyArr: [],
    obj: { a: 1, b: { c: ["d"] }, e: {} },
    emptyObj: {},
    nul: null,
    undef: undefined,
    sym: Symbol("s"),
    fn: () => 1,
    cycle: cycle(),
    getter: throwingGetter(),
    proxy: throwingProxy(),
    deep: deep(40),
    map: new Map([["k", "v"]]),
  };
}

const RESOURCE_A: Resource = { attributes: { "service.name": "svc", nasty: NASTY }, droppedAttributesCount: 2 } as Resource;
const RESOURCE_B = { attributes: {}, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" } as unknown as Resource;
const RESOURCE_C = { get attributes(): never { throw new Error("resource"); } } as unknown as Resource;
const SCOPE_A: InstrumentationScope = { name: "lib", version: "1.0.0" };
const SCOPE_B = { name: NASTY, version: "", schemaUrl: "https://example.com/s", attributes: { k: "v" }, droppedAttributesCount: 1 } as InstrumentationScope;
const SCOPE_C = { name: "empty-after-drops" } as InstrumentationScope;

/** Spans over three resources and three scopes, each kind of field and failure. */
export function kitchenSinkSpans(): ReadableSpan[] {
  const remoteParent = { traceId: T, spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true };
  return [
    makeSpan({ spanId: "0000000000001001", name: "root", kind: 1, startTime: 1.5, endTime: 2.000001, attributes: everyValue() as never, resource: RESOURCE_A, scope: SCOPE_A }),
    makeSpan({
      spanId: "0000000000001100",
      name: NASTY,
      kind: 4,
      traceFlags: 0xffff,
      traceState: traceState("a=1,b=2"),
      parent: remoteParent,
      status: { code: 2, message: NASTY },
      droppedAttributesCount: 3,
      droppedEventsCount: 1.7,
      droppedLinksCount: 2 ** 40,
      events: [
        { name: "e1", time: 5.25, attributes: { k: "v" }, droppedAttributesCount: 1 },
        { name: NASTY, time: -1e15, attributes: {}, droppedAttributesCount: 0 },
        null as never,
        { get name(): never { throw new Error("event"); }, time: 1, attributes: {}, droppedAttributesCount: 0 } as never,
      ],
      links: [
        { context: { traceId: T, spanId: S, traceFlags: 1, isRemote: true, traceState: traceState("x=y") }, attributes: { l: 1 }, droppedAttributesCount: 2 },
        { context: { traceId: "0".repeat(32), spanId: S, traceFlags: 1 }, attributes: {}, droppedAttributesCount: 0 },
        { context: { traceId: T, spanId: "B7AD6B7169203331", traceFlags: 1 }, attributes: {}, droppedAttributesCount: 0 },
      ],
      resource: RESOURCE_A,
      scope: SCOPE_B,
    }),
    makeSpan({ spanId: "0000000000001002", name: "ok status", kind: 9 as never, status: { code: 1 }, parent: { traceId: T, spanId: "zz", traceFlags: 1 }, resource: RESOURCE_A, scope: SCOPE_A }),
    makeSpan({ spanId: "0000000000001003", name: "message only", status: { code: 0, message: "why" }, startTime: NaN, endTime: 1e20, resource: RESOURCE_B, scope: SCOPE_A }),
    makeSpan({ spanId: "0000000000001004", name: "bad trace id", traceId: "xyz", resource: RESOURCE_B, scope: SCOPE_C }),
    makeSpan({ name: "zero span id", spanId: "0000000000000000", resource: RESOURCE_B, scope: SCOPE_C }),
    makeSpan({ name: "upper-case id", spanId: "00F067AA0BA902B7", resource: RESOURCE_B, scope: SCOPE_C }),
    makeSpan({ spanId: "0000000000001007", name: "in a throwing resource", attributes: { a: "b" }, resource: RESOURCE_C, scope: SCOPE_B }),
    { ...makeSpan({ spanId: "0000000000001008", name: "throwing context", resource: RESOURCE_A, scope: SCOPE_A }), spanContext: () => { throw new Error("ctx"); } },
    makeSpan({ spanId: "0000000000001009", name: "tracestate throws", traceState: { serialize: () => { throw new Error("ts"); } } as never, resource: RESOURCE_A, scope: SCOPE_A }),
    makeSpan({ spanId: "000000000000100a", name: "throwing attributes", attributes: throwingProxy() as never, resource: RESOURCE_A, scope: SCOPE_A }),
  ];
}

/** Log records of every shape the logs encoder distinguishes. */
export function kitchenSinkLogs(): ReadableLogRecord[] {
  return [
    makeLog({ timestamp: 1.5, observedTimestamp: 2.000001, severityNumber: 17, severityText: "ERROR", body: NASTY, attributes: everyValue() as never, droppedAttributesCount: 4, spanContext: { traceId: T, spanId: S, traceFlags: 0x101 }, eventName: NASTY }),
    makeLog({ timestamp: NaN as never, observedTimestamp: undefined as never, severityNumber: 25, severityText: "", body: { nested: [1, { two: 2n }] } as never, spanContext: { traceId: "bad", spanId: S, traceFlags: 1 } }),
    makeLog({ timestamp: 3, observedTimestamp: 4, severityNumber: 1.5, body: undefined, spanContext: { traceId: T, spanId: S, traceFlags: 0 } }),
    makeLog({ timestamp: 3, observedTimestamp: 4, body: cycle() as never, attributes: throwingGetter() as never }),
    makeLog({ timestamp: 3, observedTimestamp: 4, body: null, eventName: "" }),
  ];
}

/** Metric collections with every data point type, valid and invalid points and exemplars. */
export function kitchenSinkMetrics(): ResourceMetrics[] {
  const attrs = { method: "GET", nasty: NASTY };
  return [
    collection([
      sum("requests", [point(3, { attributes: attrs, exemplars: [exemplar(1, { filteredAttributes: { user: "u" } }), exemplar(2, { traceId: "bad" }), exemplar(NaN), { value: "x" } as never] }), point(2 ** 62), point("bad" as never)], { description: NASTY, unit: "{request}" }),
      sum("delta-double", [point(1.5), point(NaN), point(-Infinity)], { valueType: 0 as never, temporality: "delta", isMonotonic: false }),
      sum("bad-temporality", [point(1)], { temporality: "sideways" as never }),
      gauge("temp", [point(21.5), point(7)], 0 as never),
      gauge("", [point(1)]),
      histogram("latency", [
        point(histogramValue(), { attributes: attrs, exemplars: [exemplar(2.5)] }),
        point(histogramValue({ min: undefined, max: undefined, boundaries: [], bucketCounts: [] })),
        point(histogramValue({ bucketCounts: [1, 2] })),
        point(histogramValue({ count: -1 })),
        point(histogramValue({ bucketCounts: [1, 2, 1.5, 0] })),
        point(histogramValue({ boundaries: [1, "x" as never, 10] })),
        point(histogramValue({ count: 2 ** 64 - 2 ** 11 })),
      ]),
      exponential("exp", [
        point(exponentialValue()),
        point(exponentialValue({ zeroThreshold: 1e-9, positive: { offset: 0, bucketCounts: [] } })),
        point(exponentialValue({ scale: 2.5 })),
        point(exponentialValue({ negative: { offset: 1, bucketCounts: [-1] } })),
      ]),
      summary("sizes", [
        point({ count: 3, sum: 6, quantiles: [{ quantile: 0, value: 1 }, { quantile: 1, value: NaN }] }),
        point({ count: 0, sum: 0, quantiles: [] }),
        point({ count: 1, sum: 1, quantiles: [{ quantile: "x" as never, value: 1 }] }),
      ]),
      { descriptor: { name: "weird", description: "", unit: "", type: "counter", valueType: 1 }, dataPointType: "nope", dataPoints: [] } as never,
      sum("no-points", []),
    ]),
    collection([gauge("other-scope", [point(1, { startTime: NaN })]), gauge("kept", [point(1, { time: 1e12 })])], { attributes: { "service.name": "b" } } as Resource, { name: "s2", version: "2", schemaUrl: "https://x" } as InstrumentationScope),
  ];
}
