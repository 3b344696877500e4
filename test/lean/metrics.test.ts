// bench/lean/metrics.ts + otlp-metrics.ts against the product's metrics SDK and OTLP/JSON metrics
// encoder (the oracle): the same measurements, at the same (fake) clock, give the same request
// body, byte for byte. Random sequences of add/record/observe with random (and invalid) values
// and attributes, every instrument kind, small and default cardinality limits, the three
// temporality preferences; then the `metrics` API proxy semantics (metrics-api.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { now as productNow } from "../../src/common/time.ts";
import { encodeMetrics as productEncode } from "../../src/export/otlp/metrics-encoder.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { Meter } from "../../src/metrics/meter.ts";
import { createMeterProvider, type TemporalityPreference } from "../../bench/lean/metrics.ts";
import { encodeMetrics } from "../../bench/lean/otlp-metrics.ts";
import { now as leanNow } from "../../bench/lean/time.ts";
import { metrics as leanMetrics } from "../../bench/lean/metrics-api.ts";
import { metrics as productMetrics } from "../../src/metrics/metrics-api.ts";

// One fake clock for both SDKs, anchored at the same wall-clock millisecond.
let clock = 1000;
Object.defineProperty(performance, "now", { value: () => clock, configurable: true, writable: true });
const realNow = Date.now;
Date.now = () => 1765100000123;
productNow();
leanNow();
Date.now = realNow;

diag.disable();
const warnings: string[] = [];
console.warn = (m: string) => void warnings.push(m);

/** A seeded PRNG (mulberry32), so a failing round can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const resource = { attributes: { "service.name": "edge-api", "telemetry.sdk.name": "otel-edge", n: 1, f: 1.5, list: ["a", null] } };

interface Pair {
  product: MeterProvider;
  reader: ManualMetricReader;
  lean: ReturnType<typeof createMeterProvider>;
}
function pair(temporality: TemporalityPreference, cardinalityLimit?: number): Pair {
  const reader = new ManualMetricReader({ temporality });
  const product = new MeterProvider({ resource, readers: [reader], cardinalityLimit, exemplarFilter: "always_off" });
  return { product, reader, lean: createMeterProvider({ resource, temporality, cardinalityLimit }) };
}

/** Collects both and compares the bodies; returns the body. */
async function same(p: Pair, what: string): Promise<string> {
  const { resourceMetrics } = await p.reader.collect();
  const oracle = productEncode([resourceMetrics]);
  // The encoder alone, on the product's own collection: the same text.
  assert.is(encodeMetrics([resourceMetrics]), oracle, `${what}: otlp-metrics.ts on the product's data`);
  const lean = encodeMetrics([await p.lean.collect(1000)]);
  if (lean !== oracle) {
    let i = 0;
    while (i < lean.length && lean[i] === oracle[i]) i++;
    assert.unreachable(`${what}: differs at ${i}:\n lean: …${lean.slice(Math.max(0, i - 120), i + 120)}\n ours: …${oracle.slice(Math.max(0, i - 120), i + 120)}`);
  }
  return lean;
}

const KINDS = ["Counter", "UpDownCounter", "Histogram", "Gauge"] as const;
const OBSERVABLE = ["ObservableCounter", "ObservableUpDownCounter", "ObservableGauge"] as const;
const throwing = Object.defineProperty({ ok: "yes" }, "bad", { enumerable: true, get: () => { throw new Error("getter"); } });
const VALUES: unknown[] = [0, 1, 2, 7, 2.5, -1, -3.25, 1e3, 4999.5, 1e4, 1e6, 2 ** 53 + 2, NaN, Infinity, -Infinity, "5", undefined, null, 10n, {}, -0];
const KEYS = ["method", "route", "1", "2", "a b", "ü", "__proto__", "status", "z", "\ud800lone"];
const ATTR_VALUES: unknown[] = ["GET", "POST", "", "x".repeat(300), 1, 2, 1.5, -0, NaN, Infinity, true, false, null, undefined, [1, 2], ["a", null, "b"], [], [1, "a"], [[1]], {}, () => 1, Symbol("s"), 5n, "\ud800"];

function attributes(r: () => number): unknown {
  const x = r();
  if (x < 0.1) return undefined;
  if (x < 0.13) return throwing;
  if (x < 0.15) return "not an object";
  const out: Record<string, unknown> = {};
  const n = Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const k = KEYS[Math.floor(r() * KEYS.length)]!;
    const v = ATTR_VALUES[Math.floor(r() * ATTR_VALUES.length)];
    if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
    else out[k] = v;
  }
  return out;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** A random instrument's options (valid and invalid units, descriptions, value types, advice). */
function options(r: () => number): Record<string, unknown> | undefined {
  if (r() < 0.2) return undefined;
  return {
    unit: pick(r, ["ms", "{request}", "", "ü", "x".repeat(64), 5]),
    description: pick(r, ["a description", "", undefined, 7]),
    valueType: pick(r, [0, 1, undefined]),
    advice: r() < 0.3 ? { explicitBucketBoundaries: pick(r, [[1, 10, 100], [], [5, 1], [1, NaN], "x", [-Infinity, 0, Infinity]]) } : undefined,
  };
}

async function round(seed: number, temporality: TemporalityPreference, limit: number | undefined): Promise<number> {
  const r = rng(seed);
  const p = pair(temporality, limit);
  const meters: [Meter, Meter][] = [];
  for (const [name, version] of [["edge-api", undefined], ["other", "1.2.3"]] as const) meters.push([p.product.getMeter(name, version), p.lean.getMeter(name, version)]);
  type Inst = { add?(v: unknown, a?: unknown): void; record?(v: unknown, a?: unknown): void };
  const sync: [Inst, Inst, boolean][] = [];
  const names = ["app.requests", "App.Requests", "app.latency", "x", "bad name", "1bad", "a/b-c_d.e"];
  const n = 2 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const [pm, lm] = pick(r, meters);
    const kind = pick(r, KINDS);
    const name = pick(r, names);
    const o = options(r);
    const method = ("create" + kind) as "createCounter";
    sync.push([pm[method](name, o as never) as Inst, lm[method](name, o as never) as Inst, kind === "Counter" || kind === "UpDownCounter"]);
  }
  // Observables: a callback observing a few random values (same values for both SDKs).
  let observations: [unknown, unknown][] = [];
  for (let i = 0; i < 2; i++) {
    const [pm, lm] = pick(r, meters);
    const kind = pick(r, OBSERVABLE);
    const name = "obs." + i;
    const o = options(r);
    const method = ("create" + kind) as "createObservableCounter";
    const which = i;
    const cb = (result: { observe(v: unknown, a?: unknown): void }) => {
      for (const [v, a] of observations) if (((v as number) | 0) % 2 === which || which === 0) result.observe(v, a);
    };
    pm[method](name, o as never).addCallback(cb as never);
    lm[method](name, o as never).addCallback(cb as never);
  }
  let compared = 0;
  const ops = 20 + Math.floor(r() * 200);
  for (let i = 0; i < ops; i++) {
    clock += Math.floor(r() * 50);
    const x = r();
    if (x < 0.08) {
      observations = [];
      for (let j = Math.floor(r() * 6); j > 0; j--) observations.push([pick(r, VALUES), attributes(r)]);
      const body = await same(p, `seed ${seed} ${temporality} op ${i}`);
      if (body.length > 21) compared++;
      continue;
    }
    const [pi, li, add] = pick(r, sync);
    const v = pick(r, VALUES);
    const a = attributes(r);
    if (add) {
      pi.add!(v, a);
      li.add!(v, a);
    } else {
      pi.record!(v, a);
      li.record!(v, a);
    }
  }
  clock += 7;
  if ((await same(p, `seed ${seed} ${temporality} end`)).length > 21) compared++;
  return compared;
}

test("random measurements: the same OTLP/JSON body as the product (cumulative, delta, lowmemory; limits 3 and 2000)", async () => {
  let compared = 0;
  let rounds = 0;
  for (let seed = 1; seed <= 150; seed++) {
    for (const t of ["cumulative", "delta", "lowmemory"] as const) {
      compared += await round(seed, t, seed % 2 ? 3 : undefined);
      rounds++;
    }
  }
  // Most collections carried data (the comparison is not of empty bodies).
  assert.ok(compared > rounds * 2, `${compared} non-empty comparisons in ${rounds} rounds`);
});

test("the cardinality limit (default 2000): the overflow series, and delta frees the limit at collection", async () => {
  for (const t of ["cumulative", "delta"] as const) {
    const p = pair(t);
    const pc = p.product.getMeter("m").createCounter("c");
    const lc = p.lean.getMeter("m").createCounter("c");
    const ph = p.product.getMeter("m").createHistogram("h");
    const lh = p.lean.getMeter("m").createHistogram("h");
    for (let i = 0; i < 2100; i++) {
      pc.add(1, { i });
      lc.add(1, { i });
      ph.record(i, { i: i % 2010 });
      lh.record(i, { i: i % 2010 });
    }
    clock += 10;
    const body = JSON.parse(await same(p, t));
    const points = body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints;
    assert.is(points.length, 2001);
    assert.equal(points[2000].attributes, [{ key: "otel.metric.overflow", value: { boolValue: true } }]);
    assert.is(points[2000].asDouble, 100);
    for (let i = 2100; i < 2200; i++) {
      pc.add(1, { i });
      lc.add(1, { i });
    }
    clock += 10;
    const next = JSON.parse(await same(p, t + " next"));
    // Cumulative: still 2000 series + overflow; delta: the 100 new sets fit under the limit again.
    assert.is(next.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints.length, t === "delta" ? 100 : 2001);
  }
});

test("spec cases: invalid names are no-ops, negative and NaN counter values dropped, default buckets", async () => {
  const p = pair("cumulative");
  const meters = [p.product.getMeter("spec"), p.lean.getMeter("spec")];
  for (const m of meters) {
    m.createCounter("9starts-with-digit").add(5);
    m.createCounter("c", { unit: "{request}" }).add(-1);
    m.createCounter("c", { unit: "{request}" }).add(NaN);
    m.createCounter("c", { unit: "{request}" }).add(2);
    m.createHistogram("h", { unit: "ms" }).record(7);
    m.createHistogram("h", { unit: "ms" }).record(-7);
    m.createGauge("g").record(NaN);
    m.createUpDownCounter("u", { valueType: 0 }).add(-2.7);
  }
  clock += 3;
  const body = JSON.parse(await same(p, "spec"));
  const metrics = body.resourceMetrics[0].scopeMetrics[0].metrics;
  assert.equal(metrics.map((m: { name: string }) => m.name), ["c", "h", "g", "u"]);
  assert.is(metrics[0].sum.dataPoints[0].asDouble, 2);
  assert.is(metrics[0].sum.isMonotonic, true);
  assert.is(metrics[0].sum.aggregationTemporality, 2);
  assert.equal(metrics[1].histogram.dataPoints[0].explicitBounds, [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
  assert.is(metrics[1].histogram.dataPoints[0].bucketCounts[2], "1");
  assert.is(metrics[2].gauge.dataPoints[0].asDouble, "NaN");
  assert.is(metrics[3].sum.dataPoints[0].asInt, "-2");
});

test("observables: async and throwing callbacks, batch callbacks, delta totals", async () => {
  for (const t of ["cumulative", "delta"] as const) {
    const p = pair(t);
    let total = 0;
    for (const m of [p.product.getMeter("o"), p.lean.getMeter("o")]) {
      const c = m.createObservableCounter("oc");
      const g = m.createObservableGauge("og");
      const u = m.createObservableUpDownCounter("ou");
      c.addCallback(async (r) => {
        await null;
        r.observe(total, { k: "a" });
        r.observe(total * 2, { k: "b" });
      });
      g.addCallback(() => {
        throw new Error("callback");
      });
      g.addCallback((r) => r.observe(-1.5));
      m.addBatchObservableCallback((r) => {
        r.observe(u, total - 10);
        r.observe(c, 1, { k: "batch" });
        r.observe(g, 99); // not registered with this callback: ignored
      }, [u, c]);
    }
    for (let i = 0; i < 4; i++) {
      total += 5 * i;
      clock += 100;
      await same(p, `observables ${t} ${i}`);
    }
  }
});

test("the metrics API: proxies before a provider, real after, callbacks moved on change, no-ops after disable (differential)", async () => {
  type Api = typeof leanMetrics;
  /** The product's API test, run on both APIs; returns the bodies of each collection. */
  async function script(metrics: Api, provider: () => { meter: unknown; collect(): Promise<string> }): Promise<string[]> {
    const bodies: string[] = [];
    clock = 5000;
    const meter = metrics.getMeter("early", "1");
    const counter = meter.createCounter("early.count");
    const bound = counter.bind({ b: 1 });
    const gauge = meter.createObservableGauge("early.gauge");
    gauge.addCallback((r) => r.observe(7));
    const batchTarget = meter.createObservableCounter("early.batch");
    const batch = (r: { observe(o: unknown, v: number): void }) => r.observe(batchTarget, 11);
    meter.addBatchObservableCallback(batch as never, [batchTarget]);
    const histogram = meter.createHistogram("early.h", { unit: "ms", advice: { explicitBucketBoundaries: [1, 2] } });
    counter.add(100); // no provider yet: dropped
    bound.add(100);
    histogram.record(1);
    const first = provider();
    assert.ok(metrics.setGlobalMeterProvider(first.meter as never));
    assert.is(metrics.getMeterProvider(), first.meter);
    counter.add(2, { a: "x" });
    bound.add(3);
    histogram.record(1.5, { a: "y" });
    clock += 5;
    bodies.push(await first.collect());
    // A second provider: instruments and callbacks follow; the first one stops seeing them.
    const second = provider();
    metrics.setGlobalMeterProvider(second.meter as never);
    counter.add(4);
    bound.add(5);
    meter.removeBatchObservableCallback(batch as never, [batchTarget]);
    clock += 5;
    bodies.push(await first.collect(), await second.collect());
    metrics.disable();
    counter.add(1000);
    bound.add(1000);
    clock += 5;
    bodies.push(await second.collect());
    const noop = metrics.getMeterProvider().getMeter("x").createCounter("y");
    noop.add(1);
    return bodies;
  }
  const product = await script(productMetrics as unknown as Api, () => {
    const reader = new ManualMetricReader({ temporality: "delta" });
    const meter = new MeterProvider({ resource, readers: [reader], exemplarFilter: "always_off" });
    return { meter, collect: async () => productEncode([(await reader.collect()).resourceMetrics]) };
  });
  const lean = await script(leanMetrics, () => {
    const meter = createMeterProvider({ resource, temporality: "delta" });
    return { meter, collect: async () => encodeMetrics([await meter.collect(1000)]) };
  });
  assert.equal(lean, product);
  const first = JSON.parse(lean[0]!).resourceMetrics[0].scopeMetrics[0].metrics;
  // Observables are real as soon as the provider is set; synchronous instruments at their first measurement.
  assert.equal(first.map((m: { name: string }) => m.name), ["early.gauge", "early.batch", "early.count", "early.h"]);
  assert.equal(first[2].sum.dataPoints.map((p: { asDouble: number }) => p.asDouble), [2, 3]);
  assert.equal(JSON.parse(lean[1]!).resourceMetrics, []); // the first provider: instruments and callbacks moved to the second
  assert.equal(JSON.parse(lean[3]!).resourceMetrics, []); // after disable: nothing recorded, callbacks moved away
});

test("attributes: the same object reused and mutated, key order, copies at bind (differential)", async () => {
  const p = pair("cumulative");
  const [pc, lc] = [p.product.getMeter("a").createCounter("c"), p.lean.getMeter("a").createCounter("c")];
  const attrs: Record<string, string | number> = { b: 1, a: "x" };
  for (const c of [pc, lc]) {
    c.add(1, attrs);
    c.add(1, { a: "x", b: 1 });
  }
  attrs.b = 2;
  const bp = pc.bind(attrs);
  const bl = lc.bind(attrs);
  attrs.b = 3;
  for (const c of [pc, lc]) c.add(1, attrs);
  bp.add(10);
  bl.add(10);
  delete attrs.a;
  for (const c of [pc, lc]) c.add(1, attrs);
  // Bound but never recorded into: not reported.
  pc.bind({ never: true });
  lc.bind({ never: true });
  clock += 1;
  const body = JSON.parse(await same(p, "attributes"));
  assert.equal(body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints.map((d: { asDouble: number }) => d.asDouble), [2, 10, 1, 1]);
});

test("observables: a hanging callback does not hang collection; late observations are ignored", async () => {
  const provider = createMeterProvider({ resource });
  const meter = provider.getMeter("hang");
  let late: ((v: number) => void) | undefined;
  meter.createObservableGauge("g").addCallback((r) => new Promise<void>(() => (late = (v) => r.observe(v))));
  meter.createObservableGauge("ok").addCallback((r) => r.observe(1));
  const started = Date.now();
  const body = JSON.parse(encodeMetrics([await provider.collect(50)]));
  assert.ok(Date.now() - started < 1000);
  assert.equal(body.resourceMetrics[0].scopeMetrics[0].metrics.map((m: { name: string }) => m.name), ["ok"]);
  const first = late!;
  first(5); // between collections: ignored
  const collecting = provider.collect(50);
  first(6); // during the next collection, from the previous one's callback: ignored
  const next = JSON.parse(encodeMetrics([await collecting]));
  assert.equal(next.resourceMetrics[0].scopeMetrics[0].metrics.map((m: { name: string }) => m.name), ["ok"]);
});

test("recording never throws: hostile attributes, values and options", () => {
  const provider = createMeterProvider({ resource });
  const meter = provider.getMeter("hostile");
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trap = new Proxy({}, { ownKeys: () => { throw new Error("keys"); } });
  const options = new Proxy({}, { get: () => { throw new Error("options"); } });
  const c = meter.createCounter("c", options as never);
  const h = meter.createHistogram("h");
  for (const a of [revoked.proxy, trap, throwing, 5, "x", Symbol("s")]) {
    c.add(1, a as never);
    h.record(1, a as never);
    c.bind(a as never).add(1);
  }
  c.add({ valueOf: () => { throw new Error("v"); } } as never);
  meter.createObservableCounter("o").addCallback(5 as never);
  meter.addBatchObservableCallback(5 as never, []);
  meter.addBatchObservableCallback(() => {}, [5 as never, {} as never]);
  assert.ok(warnings.length > 0);
});

test.run();
