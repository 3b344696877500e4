import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../../src/common/diag.ts";
import { toEpochNanos } from "../../../src/common/time.ts";
import { encodeLogs } from "../../../src/export/otlp/logs-encoder.ts";
import { unlessEmpty } from "../../../src/export/otlp-http-exporter.ts";
import { makeLog, RESOURCE, SCOPE } from "../../logs/log-fixtures.ts";

const T = "0af7651916cd43dd8448eb211c80319c";
const S = "b7ad6b7169203331";

test("empty batch is the valid empty request, which the exporter never sends", () => {
  assert.is(encodeLogs([]), '{"resourceLogs":[]}');
  assert.is(unlessEmpty(encodeLogs([])), undefined);
});

test("a full record: field names, order, types per logs.proto JSON", () => {
  const body = encodeLogs([
    makeLog({
      timestamp: 1.5,
      observedTimestamp: 2.000001,
      severityNumber: 17,
      severityText: "ERROR",
      body: "boom \"quoted\"",
      attributes: { k: "v", n: 3, nested: { a: [1.5, true] } },
      droppedAttributesCount: 4,
      spanContext: { traceId: T, spanId: S, traceFlags: 1 },
      eventName: "app.failure",
    }),
  ]);
  const json = JSON.parse(body);
  const rec = json.resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(Object.keys(rec), [
    "timeUnixNano", "observedTimeUnixNano", "severityNumber", "severityText", "body", "attributes",
    "droppedAttributesCount", "flags", "traceId", "spanId", "eventName",
  ]);
  assert.is(rec.timeUnixNano, toEpochNanos(1.5));
  assert.is(rec.observedTimeUnixNano, toEpochNanos(2.000001));
  assert.match(rec.timeUnixNano, /^\d{19}$/);
  assert.is(rec.severityNumber, 17);
  assert.is(rec.severityText, "ERROR");
  assert.equal(rec.body, { stringValue: 'boom "quoted"' });
  assert.equal(rec.attributes, [
    { key: "k", value: { stringValue: "v" } },
    { key: "n", value: { intValue: "3" } },
    { key: "nested", value: { kvlistValue: { values: [{ key: "a", value: { arrayValue: { values: [{ doubleValue: 1.5 }, { boolValue: true }] } } }] } } },
  ]);
  assert.is(rec.droppedAttributesCount, 4);
  assert.is(rec.flags, 1);
  assert.is(rec.traceId, T);
  assert.is(rec.spanId, S);
  assert.is(rec.eventName, "app.failure");
  assert.equal(json.resourceLogs[0].resource, { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] });
  assert.equal(json.resourceLogs[0].scopeLogs[0].scope, { name: "lib", version: "1.0.0" });
});

test("defaults omitted: no severity, text, body, attributes, span, zero flags", () => {
  const rec = JSON.parse(encodeLogs([makeLog({ severityNumber: 0, severityText: "" })])).resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(Object.keys(rec), ["timeUnixNano", "observedTimeUnixNano"]);
  const unsampled = JSON.parse(encodeLogs([makeLog({ spanContext: { traceId: T, spanId: S, traceFlags: 0 } })])).resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.not.ok("flags" in unsampled);
  assert.is(unsampled.traceId, T);
  // Only the W3C trace-flag bits (0–7) go into LogRecordFlags.
  const flags = JSON.parse(encodeLogs([makeLog({ spanContext: { traceId: T, spanId: S, traceFlags: 0x103 } })])).resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.is(flags.flags, 3);
});

test("bodies as AnyValue: map, array, bytes, numbers, null", () => {
  const records = [
    makeLog({ body: { user: { id: 7 }, tags: ["a"] } }),
    makeLog({ body: [1, "x", null] }),
    makeLog({ body: new Uint8Array([0xde, 0xad]) }),
    makeLog({ body: 2 ** 62 }),
    makeLog({ body: 0.25 }),
    makeLog({ body: null }),
  ];
  const bodies = JSON.parse(encodeLogs(records)).resourceLogs[0].scopeLogs[0].logRecords.map((r: any) => r.body);
  assert.equal(bodies, [
    { kvlistValue: { values: [{ key: "user", value: { kvlistValue: { values: [{ key: "id", value: { intValue: "7" } }] } } }, { key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }] } } }] } },
    { arrayValue: { values: [{ intValue: "1" }, { stringValue: "x" }, {}] } },
    { bytesValue: "3q0=" },
    { intValue: "4611686018427387904" },
    { doubleValue: 0.25 },
    {},
  ]);
});

test("grouping by resource and scope, first-appearance order, schemaUrl on both levels", () => {
  const resB = { attributes: { "service.name": "b" }, schemaUrl: "https://r" };
  const scopeB = { name: "other", schemaUrl: "https://s" };
  const json = JSON.parse(
    encodeLogs([
      makeLog({ body: 1 }),
      makeLog({ body: 2, resource: resB }),
      makeLog({ body: 3, scope: scopeB }),
      makeLog({ body: 4, scope: { ...SCOPE } }),
      makeLog({ body: 5, resource: resB, scope: scopeB }),
    ]),
  );
  assert.is(json.resourceLogs.length, 2);
  const [a, b] = json.resourceLogs;
  assert.equal(a.scopeLogs.map((s: any) => [s.scope.name, s.logRecords.map((r: any) => r.body.intValue)]), [["lib", ["1", "4"]], ["other", ["3"]]]);
  assert.is(a.scopeLogs[1].schemaUrl, "https://s");
  assert.is(b.schemaUrl, "https://r");
  assert.equal(b.scopeLogs.map((s: any) => s.scope.name), ["lib", "other"]);
  assert.is(a.resource.attributes[0].value.stringValue, RESOURCE.attributes["service.name"]);
});

test("scope attributes are encoded", () => {
  const json = JSON.parse(encodeLogs([makeLog({ scope: { name: "s", attributes: { "scope.k": "v" } } })]));
  assert.equal(json.resourceLogs[0].scopeLogs[0].scope, { name: "s", attributes: [{ key: "scope.k", value: { stringValue: "v" } }] });
});

test("never throws: invalid ids are left out (record kept), unreadable records dropped", () => {
  const messages: string[] = [];
  const sink = (m: string) => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  resetDiagOnce();
  diag.setLogger(logger, 9999);
  const hostile = new Proxy(makeLog(), {
    get(target, key) {
      if (key === "timestamp") throw new Error("trap");
      return (target as any)[key];
    },
  });
  const json = JSON.parse(
    encodeLogs([
      makeLog({ body: "bad ids", spanContext: { traceId: "zz", spanId: S, traceFlags: 1 } }),
      hostile,
      makeLog({ body: "ok", timestamp: NaN }),
    ]),
  );
  const recs = json.resourceLogs[0].scopeLogs[0].logRecords;
  assert.is(recs.length, 2);
  assert.not.ok("traceId" in recs[0]);
  assert.not.ok("flags" in recs[0]);
  assert.is(recs[1].timeUnixNano, "0");
  assert.ok(messages.some((m) => /invalid trace or span id/.test(m)));
  assert.ok(messages.some((m) => /could not be read/.test(m)));
  diag.setLogger();
});

test.run();
