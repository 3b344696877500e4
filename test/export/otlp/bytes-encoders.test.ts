// The byte encoders (what the OTLP exporters send) against text: on batches that reach every
// encoder branch (kitchen-sink.ts), the bytes are exactly the UTF-8 of the string encoders'
// output, and that text is exactly what the string-building encoders made before the byte
// writer (kitchen-sink.golden.json, made by them; times aside, which depend on the process's
// time anchor and are checked against toEpochNanos here instead).
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../../src/common/diag.ts";
import { toEpochNanos } from "../../../src/common/time.ts";
import { encodeLogs, encodeLogsBytes } from "../../../src/export/otlp/logs-encoder.ts";
import { encodeMetrics, encodeMetricsBytes } from "../../../src/export/otlp/metrics-encoder.ts";
import { encodeTraces, encodeTracesBytes } from "../../../src/export/otlp/trace-encoder.ts";
import { unlessEmpty } from "../../../src/export/otlp-http-exporter.ts";
import { kitchenSinkLogs, kitchenSinkMetrics, kitchenSinkSpans } from "./kitchen-sink.ts";

diag.disable();

const GOLDEN = JSON.parse(readFileSync(new URL("./kitchen-sink.golden.json", import.meta.url), "utf8")) as Record<"traces" | "logs" | "metrics", string>;
const te = new TextEncoder();
const normalise = (s: string): string => s.replace(/UnixNano":"\d+"/g, 'UnixNano":"T"');

function assertBytes(actual: Uint8Array, text: string, why: string): void {
  assert.ok(actual instanceof Uint8Array, `${why}: not bytes`);
  const expected = te.encode(text);
  assert.is(actual.length, expected.length, `${why}: length`);
  const at = actual.findIndex((b, i) => b !== expected[i]);
  assert.is(at, -1, `${why}: first different byte at ${at}`);
}

test("traces: bytes are the UTF-8 of the text, and the text is what the string encoder made", () => {
  const batch = kitchenSinkSpans();
  const text = encodeTraces(batch);
  assert.is(normalise(text), GOLDEN.traces);
  assertBytes(encodeTracesBytes(batch), text, "traces");
});

test("logs: bytes are the UTF-8 of the text, and the text is what the string encoder made", () => {
  const batch = kitchenSinkLogs();
  const text = encodeLogs(batch);
  assert.is(normalise(text), GOLDEN.logs);
  assertBytes(encodeLogsBytes(batch), text, "logs");
});

test("metrics: bytes are the UTF-8 of the text, and the text is what the string encoder made", () => {
  const batch = kitchenSinkMetrics();
  const text = encodeMetrics(batch);
  assert.is(normalise(text), GOLDEN.metrics);
  assertBytes(encodeMetricsBytes(batch), text, "metrics");
});

test("timestamps are the digits of toEpochNanos, including clamped and unreadable times", () => {
  const spans = kitchenSinkSpans();
  const body = JSON.parse(encodeTraces(spans));
  const written = body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans));
  const bySpanId = new Map<string, (typeof spans)[number]>();
  for (const s of spans) {
    try {
      bySpanId.set(s.spanContext().spanId, s);
    } catch {
      // the span whose spanContext() throws is dropped by the encoder
    }
  }
  assert.ok(written.length >= 4);
  for (const w of written) {
    const span = bySpanId.get(w.spanId)!;
    assert.is(w.startTimeUnixNano, toEpochNanos(span.startTime), `${w.spanId} start`);
    assert.is(w.endTimeUnixNano, toEpochNanos(span.endTime), `${w.spanId} end`);
  }
  assert.ok(written.some((w: any) => w.startTimeUnixNano === "0"), "NaN start → 0");
  assert.ok(written.some((w: any) => w.endTimeUnixNano === "18446744073709551615"), "far future → 2^64 - 1");
});

test("empty requests as bytes are recognised and never sent", () => {
  assertBytes(encodeTracesBytes([]), '{"resourceSpans":[]}', "empty traces");
  assert.is(unlessEmpty(encodeTracesBytes([])), undefined);
  assert.is(unlessEmpty(encodeLogsBytes([])), undefined);
  assert.is(unlessEmpty(encodeMetricsBytes([])), undefined);
  const one = encodeTracesBytes(kitchenSinkSpans().slice(0, 1));
  assert.is(unlessEmpty(one), one);
  assert.is(unlessEmpty(te.encode('{"resourceSpans":[1]}')) instanceof Uint8Array, true);
});

test("each call returns its own bytes: a later encode never changes an earlier result", () => {
  const first = encodeTracesBytes(kitchenSinkSpans());
  const copy = first.slice();
  encodeTracesBytes(kitchenSinkSpans().slice(0, 1));
  encodeLogsBytes(kitchenSinkLogs());
  assert.equal(first, copy);
});

test("a getter that re-enters the encoder mid-batch gets its own buffer", () => {
  const inner: string[] = [];
  const spans = kitchenSinkSpans().slice(0, 1);
  const reentrant = { get k() { inner.push(encodeTraces(spans)); return "v"; } };
  const outer = kitchenSinkSpans().slice(0, 1);
  (outer[0] as { attributes: unknown }).attributes = reentrant;
  const body = JSON.parse(new TextDecoder().decode(encodeTracesBytes(outer)));
  assert.equal(body.resourceSpans[0].scopeSpans[0].spans[0].attributes, [{ key: "k", value: { stringValue: "v" } }]);
  assert.is(inner.length, 1);
  assert.is(JSON.parse(inner[0]!).resourceSpans[0].scopeSpans[0].spans.length, 1);
});

test.run();
