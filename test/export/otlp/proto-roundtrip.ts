// Shared machinery of the OTLP conformance tests: the official protobuf schema
// (opentelemetry-proto compiled by protobufjs, as shipped in @opentelemetry/otlp-transformer
// 0.208.0) and the conversions between OTLP/JSON and protobuf's own JSON mapping.
import { createRequire } from "node:module";
import * as assert from "uvu/assert";

const require = createRequire(import.meta.url);
const root = require("../../../node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js");

/** The protobufjs request type of each signal's Export*ServiceRequest. */
export const REQUEST: { readonly traces: any; readonly metrics: any; readonly logs: any } = {
  traces: root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest,
  metrics: root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest,
  logs: root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest,
};

/** toObject options that give proto3 JSON back (64-bit ints as strings, enums as numbers). */
export const TO_OBJECT: { longs: StringConstructor; enums: NumberConstructor; bytes: StringConstructor; json: boolean } = {
  longs: String,
  enums: Number,
  bytes: String,
  json: true,
};

/** Hex (OTLP/JSON ids) → base64 (protobuf JSON bytes). */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);
/**
 * Protobuf's JSON mapping writes bytes as base64; OTLP/JSON writes ids as hex (OTLP spec,
 * "JSON Protobuf Encoding"). Returns a copy with every id field (span, link, log record,
 * exemplar) converted.
 */
export function idsToBase64(request: any): any {
  const walk = (value: any): void => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (ID_KEYS.has(k) && typeof v === "string") value[k] = hexToBase64(v);
        else walk(v);
      }
    }
  };
  const copy = structuredClone(request);
  walk(copy);
  return copy;
}

/** Which proto3-JSON spellings jsonToRuntime converts, by field name. */
export interface RuntimeKeys {
  /** 64-bit integer fields: decimal strings → Long-like {low, high}. */
  readonly int64: ReadonlySet<string>;
  /** double fields: "NaN"/"Infinity"/"-Infinity" → numbers. */
  readonly double?: ReadonlySet<string>;
  /** bytes fields: base64 strings → Buffer. */
  readonly bytes?: ReadonlySet<string>;
}

/**
 * protobufjs' verify() checks runtime message objects, which hold 64-bit ints as Long-like
 * {low, high}, doubles as numbers and bytes as buffers. Convert exactly the proto3-JSON
 * spellings of those at the given fields; every other value is checked as we wrote it.
 */
export function jsonToRuntime(value: any, keys: RuntimeKeys, key?: string): any {
  if (Array.isArray(value)) return value.map((v) => jsonToRuntime(v, keys, key));
  if (value !== null && typeof value === "object") {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonToRuntime(v, keys, k);
    return out;
  }
  if (key === undefined) return value;
  if (keys.int64.has(key) && typeof value === "string" && /^-?\d+$/.test(value)) {
    const big = BigInt.asUintN(64, BigInt(value));
    return { low: Number(big & 0xffffffffn), high: Number(big >> 32n) };
  }
  if (keys.double?.has(key) && (value === "NaN" || value === "Infinity" || value === "-Infinity")) return Number(value);
  if (keys.bytes?.has(key) && typeof value === "string") return Buffer.from(value, "base64");
  return value;
}

/** fromObject → encode → decode → toObject: what a protobuf peer makes of a request. */
export function roundTrip(Req: any, request: any): any {
  return Req.toObject(Req.decode(Req.encode(Req.fromObject(request)).finish()), TO_OBJECT);
}

/** Our JSON (ids already base64) → decoded runtime message, to compare values field by field. */
export function decodeMessage(Req: any, request: any): any {
  return Req.decode(Req.encode(Req.fromObject(request)).finish());
}

/**
 * Asserts that verify() accepts the request as written and as built by fromObject, that it
 * encodes to more than `minBytes` bytes, and that decoding gives back exactly the request
 * (fromObject silently drops unknown fields and coerces wrong types, so any such field would
 * make the round trip differ). Returns the decoded request.
 */
export function assertRoundTrips(Req: any, asProtoJson: any, keys: RuntimeKeys, minBytes: number): any {
  assert.is(Req.verify(jsonToRuntime(asProtoJson, keys)), null);
  const message = Req.fromObject(asProtoJson);
  assert.is(Req.verify(message), null);
  const bytes: Uint8Array = Req.encode(message).finish();
  assert.ok(bytes.length > minBytes);
  const back = Req.toObject(Req.decode(bytes), TO_OBJECT);
  assert.equal(back, asProtoJson);
  return back;
}

/** What normalize may drop or rewrite: each signal's proto3 defaults and 64-bit fields. */
export interface NormalizeRules {
  /** Fields omitted when 0 (proto3 default). */
  readonly zero: ReadonlySet<string>;
  /** Fields omitted when "" (proto3 default). */
  readonly emptyString?: ReadonlySet<string>;
  /** 64-bit integer fields written as JSON numbers by the official serializer. */
  readonly int64: ReadonlySet<string>;
  /** Drop an UNSET status without message (the proto3 default Status). */
  readonly unsetStatus?: boolean;
}

/**
 * Removes what proto3 JSON lets a writer omit (the given defaults, empty lists) and writes
 * 64-bit integers as exact decimal strings (the official serializer sends JSON numbers; we
 * send strings). It also drops Resource.schemaUrl: the official serializer copies the schema
 * URL into the Resource message, which has no such field (resource.proto); the same URL is in
 * Resource{Spans,Metrics,Logs}.schemaUrl, where it belongs.
 */
export function normalize(value: any, rules: NormalizeRules, key?: string): any {
  if (Array.isArray(value)) return value.map((v) => normalize(v, rules, key));
  if (value !== null && typeof value === "object") {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      if (rules.zero.has(k) && v === 0) continue;
      if (rules.emptyString?.has(k) && v === "") continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (key === "resource" && k === "schemaUrl") continue;
      if (rules.unsetStatus && k === "status" && (v as any).code === 0 && !(v as any).message) continue;
      out[k] = normalize(v, rules, k);
    }
    return out;
  }
  if (key !== undefined && rules.int64.has(key) && typeof value === "number") return BigInt(value).toString();
  return value;
}
