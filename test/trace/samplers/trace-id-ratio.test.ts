import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CONTEXT } from "../../../src/context/context.ts";
import { diag, DiagLogLevel } from "../../../src/common/diag.ts";
import { createTraceState } from "../../../src/propagation/trace-state.ts";
import { generateTraceId } from "../../../src/trace/ids.ts";
import { setSpanContext } from "../../../src/trace/span-in-context.ts";
import type { TraceState } from "../../../src/trace/span-context.ts";
import { SpanKind } from "../../../src/trace/types.ts";
import { TraceIdRatioBasedSampler } from "../../../src/trace/samplers/trace-id-ratio.ts";
import { SamplingDecision, type Sampler } from "../../../src/trace/samplers/sampler.ts";
import { probabilityToTh, thresholdToProbability, thToThreshold } from "../../../src/trace/samplers/threshold.ts";
import { getOtSubKey, setOtSubKey } from "../../../src/trace/samplers/ot-trace-state.ts";

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

const PREFIX = "4bf92f3577b34da6a3"; // 18 hex digits: the part of the trace id that is not randomness
const SPAN_ID = "00f067aa0ba902b7";

function decide(sampler: Sampler, traceId: string, parent?: { traceState?: TraceState; isRemote?: boolean; traceFlags?: number }) {
  const ctx = parent
    ? setSpanContext(ROOT_CONTEXT, { traceId, spanId: SPAN_ID, traceFlags: parent.traceFlags ?? 1, isRemote: parent.isRemote ?? false, traceState: parent.traceState })
    : ROOT_CONTEXT;
  return sampler.shouldSample(ctx, traceId, "span", SpanKind.INTERNAL, {}, []);
}

// Spec table "Converting floating-point probability to threshold value" (1-in-N, precision 3/4/5).
const SPEC_TABLE: Array<[number, string, string, string]> = [
  [1, "0", "0", "0"],
  [0.5, "8", "8", "8"],
  [1 / 3, "aab", "aaab", "aaaab"],
  [0.25, "c", "c", "c"],
  [0.2, "ccd", "cccd", "ccccd"],
  [0.125, "e", "e", "e"],
  [0.1, "e66", "e666", "e6666"],
  [0.0625, "f", "f", "f"],
  [0.01, "fd71", "fd70a", "fd70a4"],
  [0.001, "ffbe7", "ffbe77", "ffbe76d"],
  [0.0001, "fff972", "fff9724", "fff97247"],
  [0.00001, "ffff584", "ffff583a", "ffff583a5"],
  [0.000001, "ffffef4", "ffffef39", "ffffef391"],
];

test("th encodings match every row of the spec's probability → threshold table", () => {
  for (const [p, t3, t4, t5] of SPEC_TABLE) {
    assert.is(probabilityToTh(p, 3), t3, `p=${p} precision 3`);
    assert.is(probabilityToTh(p, 4), t4, `p=${p} precision 4`);
    assert.is(probabilityToTh(p, 5), t5, `p=${p} precision 5`);
  }
});

test("the sampler's default precision is the spec's recommended 4 digits", () => {
  const cases: Array<[number, string | undefined]> = [
    [0, undefined], // never: no threshold is a probability
    [1e-9, "fffffffbb48"], // spec reference algorithm: frexp exponent -29 → 4 + 7 = 11 digits
    [0.001, "ffbe77"],
    [0.1, "e666"],
    [0.25, "c"],
    [0.5, "8"],
    [1, "0"],
  ];
  for (const [ratio, th] of cases) assert.is(new TraceIdRatioBasedSampler(ratio).th, th, `ratio ${ratio}`);
});

test("full precision gives the exact round((1 − ratio) × 2^56)", () => {
  // 0.9 × 2^56 = 64851834634069606.4 → 0xe6666666666666
  assert.is(new TraceIdRatioBasedSampler(0.1, { precision: 14 }).th, "e6666666666666");
  // the spec's own example: 1 % with 5 digits is 0xfd70a400000000
  assert.is(thToThreshold(probabilityToTh(0.01, 5)), "fd70a400000000");
  // smallest probability 2^-56 → threshold 2^56 − 1
  assert.is(probabilityToTh(2 ** -56, 14), "ffffffffffffff");
  assert.is(new TraceIdRatioBasedSampler(2 ** -56).th, "ffffffffffffff");
  // below 2^-57 the threshold rounds to 2^56: never sample
  assert.is(probabilityToTh(2 ** -60), undefined);
  assert.is(thresholdToProbability("c0000000000000"), 0.25);
});

test("boundary: R = T − 1 is dropped, R = T and R = max are sampled (ratio 0.25, T = c0000000000000)", () => {
  const s = new TraceIdRatioBasedSampler(0.25);
  assert.is(decide(s, PREFIX + "bfffffffffffff").decision, SamplingDecision.NOT_RECORD);
  assert.is(decide(s, PREFIX + "c0000000000000").decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(decide(s, PREFIX + "ffffffffffffff").decision, SamplingDecision.RECORD_AND_SAMPLED);
  // only the rightmost 7 bytes matter: the first 9 bytes are ignored
  assert.is(decide(s, "ffffffffffffffffff" + "bfffffffffffff").decision, SamplingDecision.NOT_RECORD);
  assert.is(decide(s, "000000000000000001" + "c0000000000000").decision, SamplingDecision.RECORD_AND_SAMPLED);
});

test("boundary with a non-round threshold (ratio 0.1 → e666 → T = e6660000000000)", () => {
  const s = new TraceIdRatioBasedSampler(0.1);
  assert.is(decide(s, PREFIX + "e665ffffffffff").decision, SamplingDecision.NOT_RECORD);
  assert.is(decide(s, PREFIX + "e6660000000000").decision, SamplingDecision.RECORD_AND_SAMPLED);
});

test("ratio 1 samples everything (even R = 0) and writes th:0; ratio 0 samples nothing", () => {
  const all = new TraceIdRatioBasedSampler(1);
  const r = decide(all, PREFIX + "00000000000000");
  assert.is(r.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(r.traceState?.serialize(), "ot=th:0");
  const none = new TraceIdRatioBasedSampler(0);
  const d = decide(none, PREFIX + "ffffffffffffff");
  assert.is(d.decision, SamplingDecision.NOT_RECORD);
  assert.is(d.traceState, undefined);
});

test("a sampled root span gets ot=th:<T>; a dropped one gets no tracestate", () => {
  const s = new TraceIdRatioBasedSampler(0.25);
  const kept = decide(s, PREFIX + "d0000000000000");
  assert.is(kept.traceState?.serialize(), "ot=th:c");
  const dropped = decide(s, PREFIX + "10000000000000");
  assert.is(dropped.traceState, undefined);
});

test("explicit randomness rv from the parent's tracestate wins over the trace id", () => {
  const s = new TraceIdRatioBasedSampler(0.25);
  // trace id says "drop" (R = 0), rv says "keep"
  const keep = decide(s, PREFIX + "00000000000000", { traceState: createTraceState("ot=rv:c0000000000000") });
  assert.is(keep.decision, SamplingDecision.RECORD_AND_SAMPLED);
  // trace id says "keep" (R = max), rv says "drop" (R = T − 1)
  const drop = decide(s, PREFIX + "ffffffffffffff", { traceState: createTraceState("ot=rv:bfffffffffffff") });
  assert.is(drop.decision, SamplingDecision.NOT_RECORD);
});

test("an invalid rv is ignored (trace id used) and reported once", () => {
  warnings.length = 0;
  const s = new TraceIdRatioBasedSampler(0.25);
  for (const rv of ["C0000000000000", "c000", "c0000000000000ff", "zz000000000000"]) {
    const r = decide(s, PREFIX + "00000000000000", { traceState: createTraceState(`ot=rv:${rv}`) });
    assert.is(r.decision, SamplingDecision.NOT_RECORD, rv);
  }
  assert.is(warnings.filter((w) => w.includes("explicit randomness")).length, 1);
});

test("sampling updates th in the ot entry, keeps rv and other ot sub-keys, and keeps other vendors", () => {
  const s = new TraceIdRatioBasedSampler(0.5);
  const parentState = createTraceState("rojo=00f067aa0ba902b7,ot=th:c;rv:e0000000000000;xk:1,congo=t61rcWkgMzE");
  const r = decide(s, PREFIX + "00000000000000", { traceState: parentState });
  assert.is(r.decision, SamplingDecision.RECORD_AND_SAMPLED); // rv e… ≥ 8…
  const ts = r.traceState!;
  assert.is(getOtSubKey(ts, "th"), "8");
  assert.is(getOtSubKey(ts, "rv"), "e0000000000000");
  assert.is(getOtSubKey(ts, "xk"), "1");
  assert.is(ts.get("rojo"), "00f067aa0ba902b7");
  assert.is(ts.get("congo"), "t61rcWkgMzE");
  // the modified ot entry moves to the front (W3C §3.5); the rest keep their order
  assert.is(ts.serialize(), "ot=th:8;rv:e0000000000000;xk:1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  // the parent's tracestate object itself is immutable and unchanged
  assert.is(parentState.get("ot"), "th:c;rv:e0000000000000;xk:1");
});

test("when not sampled, the parent's tracestate is returned unchanged (th not written)", () => {
  const s = new TraceIdRatioBasedSampler(0.25);
  const parentState = createTraceState("ot=rv:10000000000000,rojo=1");
  const r = decide(s, PREFIX + "ffffffffffffff", { traceState: parentState });
  assert.is(r.decision, SamplingDecision.NOT_RECORD);
  assert.is(r.traceState, parentState);
});

test("adds an ot entry next to other vendors' entries when there is none", () => {
  const s = new TraceIdRatioBasedSampler(1);
  const r = decide(s, PREFIX + "12345678901234", { traceState: createTraceState("rojo=00f067aa0ba902b7") });
  assert.is(r.traceState?.serialize(), "ot=th:0,rojo=00f067aa0ba902b7");
});

test("ignores the parent's sampled flag (spec: TraceIdRatioBased MUST ignore it)", () => {
  const s = new TraceIdRatioBasedSampler(0.25);
  assert.is(decide(s, PREFIX + "ffffffffffffff", { traceFlags: 0 }).decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(decide(s, PREFIX + "00000000000000", { traceFlags: 1 }).decision, SamplingDecision.NOT_RECORD);
});

test("consistency: whatever a lower ratio samples, a higher ratio samples too", () => {
  const ratios = [0.001, 0.01, 0.1, 0.25, 0.5, 0.9, 1].map((r) => new TraceIdRatioBasedSampler(r));
  for (let i = 0; i < 2000; i++) {
    const id = generateTraceId();
    let seenSampled = false;
    for (const s of ratios) {
      const sampled = decide(s, id).decision === SamplingDecision.RECORD_AND_SAMPLED;
      if (seenSampled) assert.ok(sampled, `${id} sampled at a lower ratio but not at ${s}`);
      seenSampled ||= sampled;
    }
  }
});

test("statistics: about ratio × 20,000 random trace ids are sampled", () => {
  for (const ratio of [0.1, 0.25, 0.5]) {
    const s = new TraceIdRatioBasedSampler(ratio);
    const n = 20_000;
    let kept = 0;
    for (let i = 0; i < n; i++) if (decide(s, generateTraceId()).decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    const sigma = Math.sqrt(n * ratio * (1 - ratio));
    assert.ok(Math.abs(kept - n * ratio) < 6 * sigma, `ratio ${ratio}: ${kept} of ${n}`);
  }
});

test("invalid ratios and precisions throw RangeError at construction", () => {
  for (const bad of [NaN, -0.1, 1.0001, Infinity, "0.5", undefined, null]) {
    assert.throws(() => new TraceIdRatioBasedSampler(bad as number), (e: unknown) => e instanceof RangeError && /ratio must be a number in \[0, 1\]/.test((e as Error).message));
  }
  for (const bad of [0, 15, 2.5, NaN]) {
    assert.throws(() => new TraceIdRatioBasedSampler(0.5, { precision: bad }), (e: unknown) => e instanceof RangeError);
  }
});

test("toString follows the spec's TraceIdRatioBased{RATIO}", () => {
  assert.is(new TraceIdRatioBasedSampler(0.25).toString(), "TraceIdRatioBased{0.25}");
  assert.is(new TraceIdRatioBasedSampler(0.0001).toString(), "TraceIdRatioBased{0.0001}");
  assert.is(new TraceIdRatioBasedSampler(0).toString(), "TraceIdRatioBased{0}");
});

test("an invalid trace id is dropped, never thrown", () => {
  const s = new TraceIdRatioBasedSampler(1);
  for (const id of ["", "xyz", "00000000000000000000000000000000", PREFIX.toUpperCase() + "FFFFFFFFFFFFFF", undefined as unknown as string]) {
    assert.is(decide(s, id).decision, SamplingDecision.NOT_RECORD);
  }
});

test("warns once when presuming trace id randomness for a remote parent without the random flag", () => {
  warnings.length = 0;
  const s = new TraceIdRatioBasedSampler(0.5);
  decide(s, PREFIX + "ffffffffffffff", { isRemote: true, traceFlags: 1 | 2 }); // random flag set: no warning
  decide(s, PREFIX + "ffffffffffffff", { isRemote: true, traceState: createTraceState("ot=rv:ffffffffffffff") }); // rv: no warning
  decide(s, PREFIX + "ffffffffffffff", { isRemote: false }); // local: no warning
  assert.is(warnings.length, 0);
  decide(s, PREFIX + "ffffffffffffff", { isRemote: true, traceFlags: 1 });
  decide(s, PREFIX + "ffffffffffffff", { isRemote: true, traceFlags: 0 });
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /presuming the trace id is random/);
});

test("ot helpers: set/unset sub-keys, refuse values past 256 characters", () => {
  const base = createTraceState("ot=th:c;rv:e0000000000000");
  assert.is(setOtSubKey(base, "th", undefined)?.serialize(), "ot=rv:e0000000000000");
  assert.is(setOtSubKey(createTraceState("ot=th:c,a=b"), "th", undefined)?.serialize(), "a=b");
  assert.is(setOtSubKey(base, "th", "c"), base); // unchanged → same object
  assert.is(setOtSubKey(undefined, "th", undefined), undefined);
  const long = createTraceState(`ot=x:${"a".repeat(252)}`);
  assert.is(setOtSubKey(long, "th", "8"), long);
  assert.is(getOtSubKey(createTraceState("ot=thx:1;th:2"), "th"), "2");
  assert.is(getOtSubKey(createTraceState("ot=rv:1"), "th"), undefined);
});

test("SamplingDecision numbers equal @opentelemetry/api's", async () => {
  const api = await import("@opentelemetry/api");
  assert.is(SamplingDecision.NOT_RECORD, api.SamplingDecision.NOT_RECORD);
  assert.is(SamplingDecision.RECORD, api.SamplingDecision.RECORD);
  assert.is(SamplingDecision.RECORD_AND_SAMPLED, api.SamplingDecision.RECORD_AND_SAMPLED);
});

test.run();
