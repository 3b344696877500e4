import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CONTEXT, type Context } from "../../../src/context/context.ts";
import { diag, DiagLogLevel } from "../../../src/common/diag.ts";
import { createTraceState } from "../../../src/propagation/trace-state.ts";
import { setSpanContext } from "../../../src/trace/span-in-context.ts";
import type { TraceState } from "../../../src/trace/span-context.ts";
import { SpanKind } from "../../../src/trace/types.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "../../../src/trace/samplers/always.ts";
import { ParentBasedSampler } from "../../../src/trace/samplers/parent-based.ts";
import { TraceIdRatioBasedSampler } from "../../../src/trace/samplers/trace-id-ratio.ts";
import { SamplingDecision, type Sampler, type SamplingResult } from "../../../src/trace/samplers/sampler.ts";

diag.setLogger({ error() {}, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.NONE);

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

function parent(isRemote: boolean, sampled: boolean, traceState?: TraceState, traceId = TRACE_ID): Context {
  return setSpanContext(ROOT_CONTEXT, { traceId, spanId: SPAN_ID, traceFlags: sampled ? 1 : 0, isRemote, traceState });
}

/** A sampler that records which delegate was asked and returns a distinct decision. */
function named(name: string, calls: string[], decision: SamplingResult["decision"] = SamplingDecision.RECORD): Sampler {
  return {
    shouldSample: () => {
      calls.push(name);
      return { decision, attributes: { delegate: name } };
    },
    toString: () => name,
  };
}

test("AlwaysOn / AlwaysOff: decisions and spec descriptions", () => {
  assert.is(new AlwaysOnSampler().shouldSample(ROOT_CONTEXT).decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(new AlwaysOffSampler().shouldSample(ROOT_CONTEXT).decision, SamplingDecision.NOT_RECORD);
  assert.is(new AlwaysOnSampler().toString(), "AlwaysOnSampler");
  assert.is(new AlwaysOffSampler().toString(), "AlwaysOffSampler");
  // they keep the parent's tracestate (a th from upstream passes through untouched)
  const ts = createTraceState("ot=th:c,rojo=1");
  assert.is(new AlwaysOnSampler().shouldSample(parent(true, true, ts)).traceState, ts);
  assert.is(new AlwaysOffSampler().shouldSample(parent(true, true, ts)).traceState, ts);
});

test("the five-way delegate matrix: each case calls exactly its delegate", () => {
  const calls: string[] = [];
  const sampler = new ParentBasedSampler({
    root: named("root", calls),
    remoteParentSampled: named("remoteParentSampled", calls),
    remoteParentNotSampled: named("remoteParentNotSampled", calls),
    localParentSampled: named("localParentSampled", calls),
    localParentNotSampled: named("localParentNotSampled", calls),
  });
  const cases: Array<[Context, string]> = [
    [ROOT_CONTEXT, "root"],
    [parent(true, true), "remoteParentSampled"],
    [parent(true, false), "remoteParentNotSampled"],
    [parent(false, true), "localParentSampled"],
    [parent(false, false), "localParentNotSampled"],
  ];
  for (const [ctx, expected] of cases) {
    calls.length = 0;
    const r = sampler.shouldSample(ctx, TRACE_ID, "span", SpanKind.SERVER, {}, []);
    assert.equal(calls, [expected]);
    assert.equal(r.attributes, { delegate: expected }); // the delegate's result is returned as-is
  }
});

test("an invalid parent span context counts as no parent (root)", () => {
  const calls: string[] = [];
  const sampler = new ParentBasedSampler({ root: named("root", calls), localParentSampled: named("local", calls) });
  sampler.shouldSample(parent(false, true, undefined, "00000000000000000000000000000000"), TRACE_ID, "s", SpanKind.INTERNAL, {}, []);
  assert.equal(calls, ["root"]);
});

test("spec defaults: AlwaysOn for sampled parents, AlwaysOff for unsampled ones", () => {
  const sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
  const d = (ctx: Context) => sampler.shouldSample(ctx, TRACE_ID, "s", SpanKind.INTERNAL, {}, []).decision;
  assert.is(d(ROOT_CONTEXT), SamplingDecision.NOT_RECORD);
  assert.is(d(parent(true, true)), SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(d(parent(true, false)), SamplingDecision.NOT_RECORD);
  assert.is(d(parent(false, true)), SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(d(parent(false, false)), SamplingDecision.NOT_RECORD);
});

test("passes a consistent parent threshold through; erases an inconsistent one", () => {
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) });
  // trace id randomness ce929d0e0e4736 ≥ c0000000000000: consistent, kept as is
  const ok = createTraceState("ot=th:c;rv:ce929d0e0e4736,rojo=1");
  assert.is(sampler.shouldSample(parent(true, true, ok), TRACE_ID, "s", SpanKind.SERVER, {}, []).traceState, ok);
  // parent claims sampled, but rv 10… < th e…: inconsistent → th erased, rest kept
  const bad = createTraceState("ot=th:e;rv:10000000000000,rojo=1");
  const r = sampler.shouldSample(parent(true, true, bad), TRACE_ID, "s", SpanKind.SERVER, {}, []);
  assert.is(r.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(r.traceState?.serialize(), "ot=rv:10000000000000,rojo=1");
  // unsampled parent: nothing to check, tracestate passes through
  assert.is(sampler.shouldSample(parent(true, false, bad), TRACE_ID, "s", SpanKind.SERVER, {}, []).traceState, bad);
});

test("root delegate TraceIdRatioBased writes th for new traces", () => {
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) });
  const r = sampler.shouldSample(ROOT_CONTEXT, TRACE_ID, "s", SpanKind.SERVER, {}, []);
  assert.is(r.decision, SamplingDecision.RECORD_AND_SAMPLED); // ce929d… ≥ c0…
  assert.is(r.traceState?.serialize(), "ot=th:c");
});

test("toString names every delegate", () => {
  const s = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) });
  assert.is(
    s.toString(),
    "ParentBased{root=TraceIdRatioBased{0.5}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}",
  );
});

test("a missing root or a non-sampler delegate is a TypeError at construction", () => {
  assert.throws(() => new ParentBasedSampler(undefined as never), (e: unknown) => e instanceof TypeError && /"root" must be a sampler/.test((e as Error).message));
  assert.throws(() => new ParentBasedSampler({} as never), TypeError);
  assert.throws(() => new ParentBasedSampler({ root: new AlwaysOnSampler(), localParentSampled: {} as never }), /localParentSampled/);
});

test("a context whose span throws is treated as root, never thrown", () => {
  const hostile = ROOT_CONTEXT.setValue(Symbol.for("OpenTelemetry Context Key SPAN"), {
    spanContext() {
      throw new Error("boom");
    },
  });
  const calls: string[] = [];
  const s = new ParentBasedSampler({ root: named("root", calls) });
  s.shouldSample(hostile, TRACE_ID, "s", SpanKind.INTERNAL, {}, []);
  assert.equal(calls, ["root"]);
});

test.run();
