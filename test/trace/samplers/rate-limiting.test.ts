import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CONTEXT } from "../../../src/context/context.ts";
import { createTraceState } from "../../../src/propagation/trace-state.ts";
import { setSpanContext } from "../../../src/trace/span-in-context.ts";
import { RateLimitingSampler } from "../../../src/trace/samplers/rate-limiting.ts";
import { SamplingDecision } from "../../../src/trace/samplers/sampler.ts";

function clock(start = 1000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** How many of `n` immediate decisions are sampled. */
function burst(s: RateLimitingSampler, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (s.shouldSample(ROOT_CONTEXT).decision === SamplingDecision.RECORD_AND_SAMPLED) k++;
  return k;
}

test("starts with a full bucket of `rate` tokens, then refuses until time passes", () => {
  const c = clock();
  const s = new RateLimitingSampler(5, { now: c.now });
  assert.is(burst(s, 20), 5);
  assert.is(burst(s, 1), 0);
});

test("refills continuously: rate × elapsed seconds, capped at capacity", () => {
  const c = clock();
  const s = new RateLimitingSampler(10, { now: c.now });
  burst(s, 10); // empty
  c.t += 250; // 2.5 tokens
  assert.is(burst(s, 10), 2);
  c.t += 50; // 0.5 left + 0.5 = 1
  assert.is(burst(s, 10), 1);
  c.t += 60_000; // an idle minute refills to capacity (10), not 600
  assert.is(burst(s, 100), 10);
});

test("a rate below 1/s keeps a capacity of one trace: 0.5/s → one trace every 2 s", () => {
  const c = clock();
  const s = new RateLimitingSampler(0.5, { now: c.now });
  assert.is(burst(s, 5), 1);
  c.t += 1999;
  assert.is(burst(s, 5), 0);
  c.t += 1;
  assert.is(burst(s, 5), 1);
});

test("rate 0 never samples", () => {
  const c = clock();
  const s = new RateLimitingSampler(0, { now: c.now });
  assert.is(burst(s, 5), 0);
  c.t += 1e9;
  assert.is(burst(s, 5), 0);
});

test("a clock going backwards or throwing grants no tokens and never throws", () => {
  const c = clock(10_000);
  const s = new RateLimitingSampler(1, { now: c.now });
  assert.is(burst(s, 3), 1);
  c.t = 0; // backwards: re-anchored, nothing granted
  assert.is(burst(s, 3), 0);
  c.t = 999;
  assert.is(burst(s, 3), 0);
  c.t = 1000; // one second after the re-anchor
  assert.is(burst(s, 3), 1);
  let broken = false;
  const t = new RateLimitingSampler(1, { now: () => { if (broken) throw new Error("clock"); return 0; } });
  broken = true;
  assert.is(burst(t, 3), 1);
});

test("drops an incoming th (not probability sampling) and keeps everything else", () => {
  const c = clock();
  const s = new RateLimitingSampler(10, { now: c.now });
  const ts = createTraceState("ot=th:c;rv:ce929d0e0e4736,rojo=1");
  const ctx = setSpanContext(ROOT_CONTEXT, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true, traceState: ts });
  const r = s.shouldSample(ctx);
  assert.is(r.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.is(r.traceState?.serialize(), "ot=rv:ce929d0e0e4736,rojo=1");
  assert.is(s.shouldSample(ROOT_CONTEXT).traceState, undefined);
});

test("invalid rates are a RangeError; toString names the rate", () => {
  for (const bad of [-1, NaN, Infinity, "5", undefined]) {
    assert.throws(() => new RateLimitingSampler(bad as number), (e: unknown) => e instanceof RangeError && /finite number >= 0/.test((e as Error).message));
  }
  assert.is(new RateLimitingSampler(2.5).toString(), "RateLimitingSampler{2.5}");
});

test("the default clock works (performance.now)", () => {
  const s = new RateLimitingSampler(3);
  assert.is(burst(s, 10), 3);
});

test.run();
