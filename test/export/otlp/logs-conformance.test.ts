// Conformance of encodeLogs against real peers:
//  1. the official OTLP protobuf schema (opentelemetry-proto compiled by protobufjs, as shipped
//     in @opentelemetry/otlp-transformer 0.208.0, whose logs.proto has LogRecord.event_name = 12):
//     our JSON → fromObject → encode → decode → toObject must give back exactly our JSON
//     (fromObject silently drops unknown fields and coerces wrong types), and verify() accepts it;
//  2. the official JSON serializer (JsonLogsSerializer) fed the same records shaped like
//     @opentelemetry/sdk-logs 0.208.0's ReadableLogRecord: same request field by field, except
//     the documented differences (tested explicitly at the end).
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../../src/common/diag.ts";
import { toEpochNanos, toHrTime } from "../../../src/common/time.ts";
import { encodeLogs } from "../../../src/export/otlp/logs-encoder.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { ReadableLogRecord } from "../../../src/logs/types.ts";
import { makeLog } from "../../logs/log-fixtures.ts";
import { assertRoundTrips, decodeMessage, idsToBase64, jsonToRuntime, normalize, REQUEST, roundTrip } from "./proto-roundtrip.ts";
import type { NormalizeRules, RuntimeKeys } from "./proto-roundtrip.ts";

const require = createRequire(import.meta.url);
const { JsonLogsSerializer } = require("@opentelemetry/otlp-transformer");
const Req = REQUEST.logs;

diag.disable();

const T1 = "0af7651916cd43dd8448eb211c80319c";
const T2 = "4bf92f3577b34da6a3ce929d0e0e4736";

const RES_A: Resource = {
  attributes: { "service.name": "checkout", "service.instance.id": "i-1", "process.pid": 1234 },
  schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
};
const RES_B: Resource = { attributes: { "service.name": "worker" } };
const SCOPE_HTTP = { name: "http", version: "2.1.0", schemaUrl: "https://opentelemetry.io/schemas/1.24.0" };
const SCOPE_APP = { name: "app" };

function batch(withDifferences = true): ReadableLogRecord[] {
  return [
    makeLog({
      timestamp: 1000.000123,
      observedTimestamp: 1000.5,
      severityNumber: 17,
      severityText: "ERROR",
      body: "payment failed: \"card declined\" \u2028 \ud83d\ude00",
      attributes: {
        "exception.type": "CardError",
        "http.response.status_code": 402,
        ratio: 0.75,
        retry: false,
        tags: ["a", "b"],
        nested: { user: { id: "u-1", roles: ["admin", "dev"] }, list: [1, { deep: true }] },
        ...(withDifferences ? { bytes: new Uint8Array([1, 2, 255]) } : {}),
        empty: "",
      },
      droppedAttributesCount: 3,
      spanContext: { traceId: T1, spanId: "00f067aa0ba902b7", traceFlags: 1 },
      eventName: "payment.failed",
      resource: RES_A,
      scope: SCOPE_HTTP,
    }),
    makeLog({
      timestamp: 1001,
      observedTimestamp: 1001,
      severityNumber: 9,
      severityText: "INFO",
      body: { message: "structured", count: 2, items: [{ sku: "x" }] },
      spanContext: { traceId: T2, spanId: "a3ce929d0e0e4736", traceFlags: 1 },
      resource: RES_A,
      scope: SCOPE_APP,
    }),
    makeLog({ timestamp: 1002, observedTimestamp: 1003, severityNumber: 5, body: [1, "two", true], resource: RES_B, scope: SCOPE_HTTP }),
    makeLog({ timestamp: 1004, observedTimestamp: 1004, severityNumber: 24, severityText: "FATAL4", body: "no span", resource: RES_A, scope: SCOPE_HTTP }),
  ];
}

/** The 64-bit and bytes fields of logs.proto, for verify(). */
const RUNTIME_KEYS: RuntimeKeys = {
  int64: new Set(["intValue", "timeUnixNano", "observedTimeUnixNano"]),
  bytes: new Set(["bytesValue"]),
};

test("our JSON round-trips exactly through the official protobuf schema and verifies", () => {
  const ours = JSON.parse(encodeLogs(batch()));
  const back = assertRoundTrips(Req, idsToBase64(ours), RUNTIME_KEYS, 300);
  // eventName is a real schema field (LogRecord.event_name = 12), not dropped by fromObject.
  assert.is(back.resourceLogs[0].scopeLogs[0].logRecords[0].eventName, "payment.failed");
});

test("a tampered request does not round-trip (the check has teeth)", () => {
  const ours = idsToBase64(JSON.parse(encodeLogs(batch())));
  const unknownField = structuredClone(ours);
  unknownField.resourceLogs[0].scopeLogs[0].logRecords[0].event_name_typo = "x";
  assert.not.equal(roundTrip(Req, unknownField), unknownField);
  const wrongType = structuredClone(ours);
  wrongType.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber = "17";
  assert.type(Req.verify(jsonToRuntime(wrongType, RUNTIME_KEYS)), "string");
  const wrongBody = structuredClone(ours);
  wrongBody.resourceLogs[0].scopeLogs[0].logRecords[0].body = { stringValue: 5 };
  assert.type(Req.verify(jsonToRuntime(wrongBody, RUNTIME_KEYS)), "string");
});

test("decoded protobuf values match the source records", () => {
  const records = batch();
  const message = decodeMessage(Req, idsToBase64(JSON.parse(encodeLogs(records))));
  const decoded: any[] = [];
  for (const rl of message.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) decoded.push({ r, sl, rl });
  assert.is(decoded.length, records.length);
  assert.is(message.resourceLogs.length, 2);
  // Grouping reorders: RES_A/http, RES_A/app, RES_B/http.
  const order = [records[0]!, records[3]!, records[1]!, records[2]!];
  order.forEach((src, i) => {
    const { r, sl, rl } = decoded[i];
    assert.is(r.timeUnixNano.toString(), toEpochNanos(src.timestamp));
    assert.is(r.observedTimeUnixNano.toString(), toEpochNanos(src.observedTimestamp));
    assert.is(r.severityNumber, src.severityNumber);
    assert.is(r.severityText ?? "", src.severityText ?? "");
    assert.is(r.eventName ?? "", src.eventName ?? "");
    assert.is(r.droppedAttributesCount ?? 0, src.droppedAttributesCount);
    if (src.spanContext) {
      assert.is(Buffer.from(r.traceId).toString("hex"), src.spanContext.traceId);
      assert.is(Buffer.from(r.spanId).toString("hex"), src.spanContext.spanId);
      assert.is(r.flags, src.spanContext.traceFlags);
    } else {
      assert.is(r.traceId?.length ?? 0, 0);
      assert.is(r.spanId?.length ?? 0, 0);
    }
    assert.is(sl.scope.name, src.instrumentationScope.name);
    assert.is(sl.schemaUrl ?? "", src.instrumentationScope.schemaUrl ?? "");
    assert.is(rl.schemaUrl ?? "", src.resource.schemaUrl ?? "");
  });
  const first = decoded[0].r;
  assert.is(first.body.stringValue, records[0]!.body);
  const attrs = new Map<string, any>(first.attributes.map((kv: any) => [kv.key, kv.value]));
  assert.is(attrs.get("http.response.status_code").intValue.toString(), "402");
  assert.is(attrs.get("ratio").doubleValue, 0.75);
  assert.equal([...attrs.get("bytes").bytesValue], [1, 2, 255]);
  const nested = attrs.get("nested").kvlistValue.values;
  assert.is(nested[0].key, "user");
  assert.is(nested[0].value.kvlistValue.values[1].value.arrayValue.values[0].stringValue, "admin");
  const structured = decoded[2].r.body.kvlistValue.values;
  assert.equal(structured.map((kv: any) => kv.key), ["message", "count", "items"]);
});

// ---- cross-check with the official JSON serializer ------------------------------------------

/** The same record as @opentelemetry/sdk-logs 0.208.0's ReadableLogRecord (HrTime times). */
function toOfficial(r: ReadableLogRecord): unknown {
  return {
    hrTime: toHrTime(r.timestamp),
    hrTimeObserved: toHrTime(r.observedTimestamp),
    spanContext: r.spanContext,
    severityText: r.severityText,
    severityNumber: r.severityNumber,
    body: r.body,
    eventName: r.eventName,
    resource: r.resource,
    instrumentationScope: r.instrumentationScope,
    attributes: r.attributes,
    droppedAttributesCount: r.droppedAttributesCount,
  };
}

function official(records: ReadableLogRecord[]): any {
  return JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records.map(toOfficial))));
}

/** Proto3 defaults of logs.proto a writer may omit (zero counts and flags), and 64-bit ints as exact strings. */
const NORMALIZE: NormalizeRules = {
  zero: new Set(["droppedAttributesCount", "flags"]),
  int64: new Set(["intValue", "timeUnixNano", "observedTimeUnixNano"]),
};

test("same request as the official JsonLogsSerializer, field by field", () => {
  const records = batch(false);
  const theirs = normalize(official(records), NORMALIZE);
  const ours = normalize(JSON.parse(encodeLogs(records)), NORMALIZE);
  assert.equal(ours, theirs);
  assert.is(ours.resourceLogs[0].scopeLogs[0].logRecords[0].attributes.length, 7);
  assert.is(ours.resourceLogs[0].scopeLogs[0].logRecords[0].eventName, "payment.failed");
});

test("documented differences from the official serializer", () => {
  const records = [makeLog({ severityNumber: 9, body: new Uint8Array([1, 2, 255]), spanContext: { traceId: T1, spanId: "1111111111111111", traceFlags: 0 }, resource: RES_A })];
  const theirs = official(records);
  const ours = JSON.parse(encodeLogs(records));
  // Unsampled span: they send flags 0 (the proto3 default); we omit it.
  assert.is(theirs.resourceLogs[0].scopeLogs[0].logRecords[0].flags, 0);
  assert.not.ok("flags" in ours.resourceLogs[0].scopeLogs[0].logRecords[0]);
  // They put schemaUrl inside the Resource message too (no such field in resource.proto).
  assert.is(theirs.resourceLogs[0].resource.schemaUrl, RES_A.schemaUrl);
  assert.not.ok("schemaUrl" in ours.resourceLogs[0].resource);
  assert.is(ours.resourceLogs[0].schemaUrl, RES_A.schemaUrl);
  // Bytes: proto3 JSON writes base64; they JSON.stringify the Uint8Array into an index map,
  // which no OTLP receiver can read as bytesValue.
  assert.equal(ours.resourceLogs[0].scopeLogs[0].logRecords[0].body, { bytesValue: "AQL/" });
  assert.equal(theirs.resourceLogs[0].scopeLogs[0].logRecords[0].body, { bytesValue: { 0: 1, 1: 2, 2: 255 } });
});

test.run();
