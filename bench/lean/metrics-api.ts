/**
 * The global `metrics` API of the size-first core, with the product's semantics
 * (src/metrics/metrics-api.ts, registered-meter-provider.ts): `metrics.getMeter()` may be called
 * at module load, before `init()`. It returns a proxy meter whose instruments find the global
 * provider's real instrument when they record, again whenever the provider changes (a
 * generation count), so measurements after `init()` are real even through instruments created
 * before it; until then they are no-ops. Observable callbacks and batch callbacks registered on
 * proxies are moved to the real instruments when a provider is set. Never throws: a provider
 * whose meter or instruments throw leaves the proxy a no-op.
 */
import type { BatchObservableCallback, Counter, Histogram, MetricOptions, Observable, ObservableCallback } from "../../src/metrics/instruments.ts";
import type { Meter } from "../../src/metrics/meter.ts";
import { KINDS, noop, NOOP, NOOP_OBSERVABLE } from "./metrics.ts";

/** Anything that hands out meters (metrics.ts's provider, or another implementation). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: { schemaUrl?: string }): Meter;
}

/** The global metrics API (shape-compatible with `metrics` in `@opentelemetry/api`). */
export interface MetricsAPI {
  getMeter(name: string, version?: string, options?: { schemaUrl?: string }): Meter;
  getMeterProvider(): MeterProviderLike;
  /** Makes `provider` global. Returns true. */
  setGlobalMeterProvider(provider: MeterProviderLike): boolean;
  /** Forgets the global provider (instruments become no-ops again). */
  disable(): void;
}

type Sync = Counter & Histogram;
type Fn = (...args: never[]) => unknown;

/** A meter of no-ops (no provider yet, or one that failed). */
const NOOP_METER = { addBatchObservableCallback: noop, removeBatchObservableCallback: noop } as unknown as Meter;
for (const k in KINDS) (NOOP_METER as unknown as Record<string, Fn>)["create" + k] = () => (KINDS[k]! & 8 ? NOOP_OBSERVABLE : NOOP);
const noopProvider: MeterProviderLike = { getMeter: () => NOOP_METER };

let registered: MeterProviderLike | undefined;
/** Bumped whenever the global provider changes: proxies resolve their delegate again. */
let generation = 0;
/** Run when the provider changes: proxy observables move their callbacks first, then proxy meters their batch callbacks (which name the observables' new real instruments). */
const moves: [Set<() => void>, Set<() => void>] = [new Set(), new Set()];
/** A proxy observable → its real instrument under the current provider. */
const realOf = new WeakMap<Observable, () => Observable>();
const real = (o: Observable): Observable => realOf.get(o)?.() ?? o;

/** `create()`, again once per provider generation; `fallback` when it throws (the API never throws). */
function perGeneration<T>(create: () => T, fallback: T): () => T {
  let value = fallback;
  let seen = -1;
  return () => {
    if (seen != generation) {
      seen = generation;
      try {
        value = create();
      } catch {
        value = fallback;
      }
    }
    return value;
  };
}

function proxyMeter(name: string, version?: string, options?: { schemaUrl?: string }): Meter {
  const meter = perGeneration(() => (registered ?? noopProvider).getMeter(name, version, options), NOOP_METER);
  const batch: [BatchObservableCallback, Observable[], BatchObservableCallback, Observable[]][] = [];
  let batchMeter: Meter | undefined;
  const create = (kind: string, n: string, o?: MetricOptions) => (meter() as unknown as Record<string, (n: string, o?: MetricOptions) => never>)["create" + kind]!(n, o);
  const sync = (kind: string) => (n: string, o?: MetricOptions): Sync => {
    const instrument = perGeneration((): Sync => create(kind, n, o), NOOP);
    return {
      add: (v, a, c) => instrument().add(v, a, c),
      record: (v, a, c) => instrument().record(v, a, c),
      bind(attributes) {
        const bound = perGeneration(() => {
          const inst = instrument();
          // A foreign provider's instruments may lack bind(): fall back to plain calls.
          return typeof inst.bind == "function" ? (inst.bind(attributes) as Sync) : { add: (v: number, c?: never) => inst.add(v, attributes, c), record: (v: number, c?: never) => inst.record(v, attributes, c) };
        }, NOOP as never);
        return { add: (v: number, c?: never) => bound().add(v, c), record: (v: number, c?: never) => bound().record(v, c) } as never;
      },
    };
  };
  const observable = (kind: string) => (n: string, o?: MetricOptions): Observable => {
    const make = (): Observable => {
      try {
        return create(kind, n, o);
      } catch {
        return NOOP_OBSERVABLE;
      }
    };
    const callbacks: ObservableCallback[] = [];
    let current: Observable | undefined;
    const delegate = (): Observable => (current ??= make());
    const proxy: Observable = {
      addCallback(cb) {
        if (typeof cb != "function" || callbacks.includes(cb)) return;
        callbacks.push(cb);
        delegate().addCallback(cb);
      },
      removeCallback(cb) {
        const i = callbacks.indexOf(cb);
        if (i >= 0) callbacks.splice(i, 1);
        delegate().removeCallback(cb);
      },
    };
    realOf.set(proxy, delegate);
    moves[0].add(() => {
      for (const cb of callbacks) current?.removeCallback(cb);
      current = make();
      for (const cb of callbacks) current.addCallback(cb);
    });
    return proxy;
  };
  const moveBatch = (): void => {
    for (const b of batch) batchMeter?.removeBatchObservableCallback(b[2], b[3]);
    batchMeter = meter();
    for (const b of batch) batchMeter.addBatchObservableCallback(b[2], (b[3] = b[1].map(real)));
  };
  const same = (a: Observable[], b: Observable[]) => a.length == b.length && a.every((o) => b.includes(o));
  const proxy = {
    addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]) {
      if (typeof callback != "function" || !Array.isArray(observables)) return;
      // The callback observes through proxies; the real meter only knows the real instruments.
      const wrapped: BatchObservableCallback = (result) => callback({ observe: (o, v, a) => result.observe(real(o), v, a) });
      const entry: (typeof batch)[0] = [callback, observables.slice(), wrapped, observables.map(real)];
      batch.push(entry);
      moves[1].add(moveBatch);
      (batchMeter = meter()).addBatchObservableCallback(wrapped, entry[3]);
    },
    removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]) {
      if (!Array.isArray(observables)) return;
      const i = batch.findIndex((b) => b[0] == callback && same(b[1], observables));
      if (i >= 0) {
        const [b] = batch.splice(i, 1);
        batchMeter?.removeBatchObservableCallback(b![2], b![3]);
      }
    },
  } as Record<string, Function>;
  for (const kind in KINDS) proxy["create" + kind] = (KINDS[kind]! & 8 ? observable : sync)(kind);
  return proxy as unknown as Meter;
}

function changed(provider: MeterProviderLike | undefined): boolean {
  registered = provider;
  generation++;
  for (const set of moves) for (const move of set) move();
  return true;
}

/** The global metrics API. */
export const metrics: MetricsAPI = {
  getMeter: proxyMeter,
  getMeterProvider: () => registered ?? noopProvider,
  setGlobalMeterProvider: changed,
  disable: () => void changed(undefined),
};
