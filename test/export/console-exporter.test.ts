import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConsoleSpanExporter, formatSpan } from "../../src/export/console-exporter.ts";
import { ExportResultCode } from "../../src/export/exporter.ts";
import { now } from "../../src/common/time.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";

function span(): ReadableSpan {
  const start = now();
  return {
    name: "GET /users",
    kind: 1,
    spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 }),
    parentSpanContext: { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true },
    startTime: start,
    endTime: start + 12.5,
    status: { code: 2, message: "boom" },
    attributes: { "http.request.method": "GET", "http.response.status_code": 500, tags: ["a", "b"] },
    links: [],
    events: [{ name: "exception", time: start + 3.25, attributes: { "exception.message": "boom" }, droppedAttributesCount: 0 }],
    droppedAttributesCount: 2,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    resource: { attributes: {} },
    instrumentationScope: { name: "http" },
    ended: true,
  };
}

test("prints one block per span via console.log looked up at call time", async () => {
  const exporter = new ConsoleSpanExporter();
  const printed: unknown[][] = [];
  const saved = console.log;
  console.log = (...args: unknown[]) => printed.push(args);
  try {
    const r = await exporter.export([span(), span()]);
    assert.is(r.code, ExportResultCode.SUCCESS);
  } finally {
    console.log = saved;
  }
  assert.is(printed.length, 2);
  const text = String(printed[0]![0]);
  assert.match(text, /^span "GET \/users" SERVER 12\.500 ms status=ERROR "boom"/);
  assert.match(text, /trace=0af7651916cd43dd8448eb211c80319c span=b7ad6b7169203331 parent=00f067aa0ba902b7 \(remote\)/);
  assert.match(text, /attributes: http\.request\.method="GET" http\.response\.status_code=500 tags=\["a","b"\]/);
  assert.match(text, /event \+3\.250 ms "exception" exception\.message="boom"/);
  assert.match(text, /dropped: 2 attributes/);
  assert.match(text, /start=\d{4}-\d\d-\d\dT/);
});

test("root span shows parent=-; after shutdown exports fail", async () => {
  const s = { ...span(), parentSpanContext: undefined, spanContext: span().spanContext };
  assert.match(formatSpan(s), /parent=- /);
  const exporter = new ConsoleSpanExporter();
  await exporter.shutdown();
  assert.is((await exporter.export([s])).code, ExportResultCode.FAILED);
});

test.run();
