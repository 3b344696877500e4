// The samplers driven by the real tracer: the decision sets the sampled flag and the
// returned tracestate lands in the span context that propagates downstream.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CONTEXT } from "../../../src/context/context.ts";
import { createTraceState } from "../../../src/propagation/trace-state.ts";
import { BasicTracerProvider } from "../../../src/trace/tracer-provider.ts";
import { setSpanContext } from "../../../src/trace/span-in-context.ts";
import { ParentBasedSampler } from "../../../src/trace/samplers/parent-based.ts";
import { TraceIdRatioBasedSampler } from "../../../src/trace/samplers/trace-id-ratio.ts";
import type { IdGenerator } from "../../../src/trace/ids.ts";

let nextTraceId = "";
const ids: IdGenerator = { generateTraceId: () => nextTraceId, generateSpanId: () => "00f067aa0ba902b7" };
const provider = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) }), idGenerator: ids });
const tracer = provider.getTracer("samplers");

test("a sampled root span carries ot=th:c; a dropped one is not recording and has no th", () => {
  nextTraceId = "4bf92f3577b34da6a3" + "c0000000000000"; // R = T: sampled
  const kept = tracer.startSpan("kept");
  assert.ok(kept.isRecording());
  assert.is(kept.spanContext().traceFlags & 1, 1);
  assert.is(kept.spanContext().traceState?.serialize(), "ot=th:c");
  kept.end();
  nextTraceId = "4bf92f3577b34da6a3" + "bfffffffffffff"; // R = T − 1: dropped
  const dropped = tracer.startSpan("dropped");
  assert.not.ok(dropped.isRecording());
  assert.is(dropped.spanContext().traceFlags & 1, 0);
  assert.not.ok(dropped.spanContext().traceState?.get("ot"));
});

test("a child of a sampled remote parent follows it and keeps the parent's tracestate", () => {
  const traceState = createTraceState("ot=th:8;rv:9a000000000000,rojo=1");
  const ctx = setSpanContext(ROOT_CONTEXT, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true, traceState });
  const child = tracer.startSpan("child", {}, ctx);
  assert.ok(child.isRecording());
  assert.is(child.spanContext().traceState?.serialize(), "ot=th:8;rv:9a000000000000,rojo=1");
  child.end();
});

test.run();
