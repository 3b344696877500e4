import { test } from "uvu";
import * as assert from "uvu/assert";
import { toTime } from "../../src/common/time.ts";
import { diag } from "../../src/common/diag.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { createJsonLineFormatter, formatJsonLine, JsonLinesLogExporter, JsonLinesLogProcessor, rfc3339 } from "../../src/logs/json-lines.ts";
import { safeJsonValue } from "../../src/logs/safe-json.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import { makeLog } from "./log-fixtures.ts";

diag.disable();

const T = "0af7651916cd43dd8448eb211c80319c";
const S = "b7ad6b7169203331";

test("rfc3339: UTC with microseconds, from anchor-relative times", () => {
  const t = toTime(Date.UTC(2024, 4, 1, 12, 0, 0, 123)) + 0.456;
  assert.is(rfc3339(t), "2024-05-01T12:00:00.123456Z");
  assert.is(rfc3339(toTime(Date.UTC(1999, 11, 31, 23, 59, 59, 0))), "1999-12-31T23:59:59.000000Z");
  assert.ok(!Number.isNaN(Date.parse(rfc3339(t))));
});

test("default line: time, level, msg, trace ids, service.name, event.name, attributes; one line", () => {
  const line = formatJsonLine(
    makeLog({
      timestamp: toTime(Date.UTC(2024, 4, 1, 12, 0, 0, 5)),
      severityNumber: 10,
      severityText: "INFO2",
      body: "hello\nworld",
      spanContext: { traceId: T, spanId: S, traceFlags: 1 },
      attributes: { "http.route": "/cart", nested: { a: [1, 2] } },
      eventName: "cart.view",
    }),
  );
  assert.not.ok(line.includes("\n"));
  const obj = JSON.parse(line);
  assert.equal(Object.keys(obj), ["time", "level", "msg", "trace_id", "span_id", "trace_flags", "service.name", "event.name", "http.route", "nested"]);
  assert.is(obj.time, "2024-05-01T12:00:00.005000Z");
  assert.is(obj.level, "info");
  assert.is(obj.msg, "hello\nworld");
  assert.is(obj.trace_id, T);
  assert.is(obj.span_id, S);
  assert.is(obj.trace_flags, "01");
  assert.is(obj["service.name"], "svc");
  assert.is(obj["event.name"], "cart.view");
  assert.equal(obj.nested, { a: [1, 2] });
});

test("outside a span: no trace fields; severityText used when there is no number; structured body", () => {
  const obj = JSON.parse(formatJsonLine(makeLog({ severityText: "Notice", body: { a: 1 } })));
  assert.not.ok("trace_id" in obj);
  assert.not.ok("span_id" in obj);
  assert.is(obj.level, "notice");
  assert.equal(obj.msg, { a: 1 });
});

test("field names are configurable; null omits; collisions go to attr.<key>; attributesKey nests", () => {
  const format = createJsonLineFormatter({ fields: { time: "@timestamp", message: "message", traceFlags: null, serviceName: "service" } });
  const obj = JSON.parse(format(makeLog({ body: "x", severityNumber: 17, spanContext: { traceId: T, spanId: S, traceFlags: 1 }, attributes: { message: "clash", level: "clash2" } })));
  assert.equal(Object.keys(obj), ["@timestamp", "level", "message", "trace_id", "span_id", "service", "attr.message", "attr.level"]);
  assert.is(obj.message, "x");
  assert.is(obj["attr.message"], "clash");
  const nested = JSON.parse(formatJsonLine(makeLog({ body: "x", attributes: { a: 1 } }), { attributesKey: "attributes" }));
  assert.equal(nested.attributes, { a: 1 });
  assert.not.ok("a" in nested);
});

/** Every key of a JSON object text in order, duplicates included (JSON.parse keeps only the last). */
function rawKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      const text = line.slice(i, j + 1);
      if (depth === 1 && line[j + 1] === ":") keys.push(JSON.parse(text) as string);
      i = j;
    }
  }
  return keys;
}

test("renaming colliding attributes is injective: a renamed key never meets another key (issue 18)", () => {
  const format = createJsonLineFormatter();
  const attributes = { msg: "a", "attr.msg": "b", "attr.attr.msg": "c", level: "d", "attr.level": "e", time: "f", other: "g" };
  const line = format(makeLog({ body: "body", severityNumber: 9, attributes }));
  const keys = rawKeys(line);
  assert.equal(keys.length, new Set(keys).size, `duplicate keys in ${line}`);
  const obj = JSON.parse(line);
  assert.is(obj.msg, "body");
  assert.is(obj.level, "info");
  // Each attribute is recoverable: prefix removed once gives its own key back.
  assert.is(obj["attr.msg"], "a");
  assert.is(obj["attr.attr.msg"], "b");
  assert.is(obj["attr.attr.attr.msg"], "c");
  assert.is(obj["attr.level"], "d");
  assert.is(obj["attr.attr.level"], "e");
  assert.is(obj["attr.time"], "f");
  assert.is(obj.other, "g");
  assert.is(keys.length, Object.keys(obj).length, "every attribute kept");

  // A configured field name that itself starts with "attr." lengthens the prefix, so the
  // renamed attribute cannot take the field's key either.
  const custom = createJsonLineFormatter({ fields: { message: "attr.msg", time: null, level: null, traceId: null, spanId: null, traceFlags: null, serviceName: null, eventName: null } });
  const line2 = custom(makeLog({ body: "body", attributes: { "attr.msg": "x", msg: "y", "attr.attr.msg": "z" } }));
  const keys2 = rawKeys(line2);
  assert.equal(keys2.length, new Set(keys2).size, `duplicate keys in ${line2}`);
  const obj2 = JSON.parse(line2);
  assert.is(obj2["attr.msg"], "body");
  assert.equal(Object.values(obj2).sort(), ["body", "x", "y", "z"]);
});

test("C1 control characters (U+0080–U+009F) and DEL are escaped like C0 ones, in values and keys (issue 18)", () => {
  const csi = "\u009b31m"; // 8-bit CSI: some terminals turn the text red
  const all = Array.from({ length: 0xa0 - 0x7f }, (_, i) => String.fromCharCode(0x7f + i)).join("");
  const line = formatJsonLine(makeLog({ body: "x" + csi + "\u001b[0m" + all, attributes: { ["k\u0085"]: "v\u0080", nested: { a: "\u009f" } } }));
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    assert.ok(code >= 0x20 && code < 0x7f, `raw control U+${code.toString(16).padStart(4, "0")} at ${i} in ${JSON.stringify(line)}`);
  }
  assert.ok(line.includes("\\u009b31m"), line);
  const obj = JSON.parse(line);
  assert.is(obj.msg, "x" + csi + "\u001b[0m" + all, "escaping is lossless");
  assert.is(obj["k\u0085"], "v\u0080");
  assert.equal(obj.nested, { a: "\u009f" });
  // Other non-ASCII text is written as it is.
  assert.ok(formatJsonLine(makeLog({ body: "héllo ✓ 日本" })).includes("héllo ✓ 日本"));
});

test("unserializable values are rendered safely, never thrown", () => {
  const cyclic: Record<string, unknown> = { name: "c" };
  cyclic.self = cyclic;
  const err = new RangeError("too big", { cause: new Error("root") });
  const hostile = Object.defineProperty({ ok: true }, "bad", { enumerable: true, get() { throw new Error("no"); } });
  const badToJson = { toJSON() { throw new Error("no"); } };
  const record = makeLog({
    body: cyclic as any,
    attributes: { big: 10n as any, err: err as any, nan: NaN, inf: -Infinity, hostile: hostile as any, bytes: new Uint8Array([255]), bad: badToJson as any, fn: (() => 1) as any, arr: [undefined, () => 1] as any },
  });
  const obj = JSON.parse(formatJsonLine(record));
  assert.equal(obj.msg, { name: "c", self: "[Circular]" });
  assert.is(obj.big, "10");
  assert.is(obj.err.name, "RangeError");
  assert.is(obj.err.message, "too big");
  assert.match(obj.err.stack, /RangeError: too big/);
  assert.is(obj.err.cause.message, "root");
  assert.is(obj.nan, "NaN");
  assert.is(obj.inf, "-Infinity");
  assert.equal(obj.hostile, { ok: true });
  assert.is(obj.bytes, "/w==");
  assert.not.ok("bad" in obj);
  assert.not.ok("fn" in obj);
  assert.equal(obj.arr, [null, null]);
  let deep: any = 1;
  for (let i = 0; i < 50; i++) deep = [deep];
  assert.match(safeJsonValue(deep), /"\[Truncated\]"/);
  // A record whose fields throw still gives a line.
  const proxy = new Proxy(makeLog(), { get(t, k) { if (k === "attributes") throw new Error("x"); return (t as any)[k]; } });
  assert.ok(JSON.parse(formatJsonLine(proxy)).time);
});

test("processor writes one line per record through console.log (looked up at write time), synchronously", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: string) => void lines.push(line);
  try {
    const provider = new LoggerProvider({ resource: { attributes: { "service.name": "api" } }, processors: [new JsonLinesLogProcessor()] });
    const logger = provider.getLogger("x");
    logger.emit({ severityNumber: 9, body: "first" });
    logger.emit({ severityNumber: 13, body: "second", attributes: { k: 1 } });
    assert.is(lines.length, 2); // synchronous: no flush needed
    assert.equal(lines.map((l) => JSON.parse(l).msg), ["first", "second"]);
    assert.is(JSON.parse(lines[1]!)["service.name"], "api");
    assert.is(JSON.parse(lines[1]!).k, 1);
    await provider.shutdown();
    logger.emit({ body: "late" });
    assert.is(lines.length, 2);
  } finally {
    console.log = original;
  }
});

test("exporter form with a custom writer; a throwing writer fails the export, not the caller", async () => {
  const lines: string[] = [];
  const exporter = new JsonLinesLogExporter({ write: (l) => void lines.push(l) });
  const result = await exporter.export([makeLog({ body: "a" }), makeLog({ body: "b" })]);
  assert.is(result.code, ExportResultCode.SUCCESS);
  assert.equal(lines.map((l) => JSON.parse(l).msg), ["a", "b"]);
  const failing = new JsonLinesLogExporter({ write: () => { throw new Error("EPIPE"); } });
  const failed = await failing.export([makeLog()]);
  assert.is(failed.code, ExportResultCode.FAILED);
  const processor = new JsonLinesLogProcessor({ write: () => { throw new Error("EPIPE"); } });
  processor.onEmit(makeLog());
});

test.run();
