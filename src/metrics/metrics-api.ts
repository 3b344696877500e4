/**
 * The global `metrics` API, shape-compatible with `metrics` in `@opentelemetry/api`.
 *
 * `metrics.getMeter()` may be called at module load, before `init()`: it returns a proxy
 * meter whose instruments look up the global provider's real instrument when they record
 * (re-resolved whenever the provider changes), so measurements after `init()` are real even
 * through instruments created earlier. Observable callbacks and batch callbacks registered on
 * proxies are moved to the real instruments when a provider is set.
 */
import { NOOP_INSTRUMENT, NOOP_OBSERVABLE, type BatchObservableCallback, type BoundCounter, type BoundRecorder, type Counter, type Histogram, type MetricOptions, type Observable, type ObservableCallback } from "./instruments.ts";
import { sameMembers, type Meter } from "./meter.ts";
import { NOOP_METER, type MeterOptions } from "./meter-provider.ts";
import { registeredMeterProvider, setRegisteredMeterProvider, type MeterProviderLike } from "./registered-meter-provider.ts";

export type { MeterProviderLike } from "./registered-meter-provider.ts";

/** The global metrics API. */
export interface MetricsAPI {
  getMeter(name: string, version?: string, options?: MeterOptions): Meter;
  getMeterProvider(): MeterProviderLike;
  /** Makes `provider` global. Returns true. */
  setGlobalMeterProvider(provider: MeterProviderLike): boolean;
  /** Forgets the global provider (instruments become no-ops again). */
  disable(): void;
}

type SyncKind = "createCounter" | "createUpDownCounter" | "createHistogram" | "createGauge";
type ObservableKind = "createObservableCounter" | "createObservableUpDownCounter" | "createObservableGauge";

const noopProvider: MeterProviderLike = { getMeter: () => NOOP_METER };
/** Bumped whenever the global provider changes: proxies resolve their delegate again. */
let generation = 0;
// When the provider changes, proxy observables move their callbacks first, then proxy meters
// move their batch callbacks (which name the observables' new real instruments).
const observableMoves = new Set<() => void>();
const batchMoves = new Set<() => void>();
/** A proxy observable → its real instrument under the current provider. */
const realOf = new WeakMap<Observable, () => Observable>();
const real = (o: Observable): Observable => realOf.get(o)?.() ?? o;

/** `create()`, again once per provider generation; `fallback` when it throws (the API never throws). */
function perGeneration<T>(create: () => T, fallback: T): () => T {
  let value = fallback;
  let seen = -1;
  return () => {
    if (seen !== generation) {
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

/** A synchronous instrument that resolves its real counterpart per provider generation. */
function proxySync(instrument: () => Counter & Histogram): Counter & Histogram {
  return {
    add: (value, attributes, context) => instrument().add(value, attributes, context),
    record: (value, attributes, context) => instrument().record(value, attributes, context),
    bind(attributes) {
      const bound = perGeneration((): BoundCounter & BoundRecorder => {
        const inst = instrument();
        // A foreign provider's instruments may lack bind(): fall back to plain calls.
        return typeof inst.bind === "function"
          ? (inst.bind(attributes) as BoundCounter & BoundRecorder)
          : { add: (v, c) => inst.add(v, attributes, c), record: (v, c) => inst.record(v, attributes, c) };
      }, NOOP_INSTRUMENT.bind() as BoundCounter & BoundRecorder);
      return { add: (v, c) => bound().add(v, c), record: (v, c) => bound().record(v, c) };
    },
  };
}

/** An observable that keeps its callbacks and moves them to each provider's real instrument. */
function proxyObservable(create: () => Observable): Observable {
  const callbacks: ObservableCallback[] = [];
  let current: Observable | undefined;
  const delegate = (): Observable => (current ??= create());
  const o: Observable = {
    addCallback(callback) {
      if (typeof callback !== "function" || callbacks.includes(callback)) return;
      callbacks.push(callback);
      delegate().addCallback(callback);
    },
    removeCallback(callback) {
      const i = callbacks.indexOf(callback);
      if (i >= 0) callbacks.splice(i, 1);
      delegate().removeCallback(callback);
    },
  };
  realOf.set(o, delegate);
  observableMoves.add(() => {
    for (const cb of callbacks) current?.removeCallback(cb);
    current = create();
    for (const cb of callbacks) current.addCallback(cb);
  });
  return o;
}

interface BatchEntry {
  readonly callback: BatchObservableCallback;
  readonly observables: Observable[];
  readonly wrapped: BatchObservableCallback;
  real: Observable[];
}

/** A meter that resolves the real meter lazily from the global provider. */
function proxyMeter(name: string, version: string | undefined, options: MeterOptions | undefined): Meter {
  const meter = perGeneration(() => (registeredMeterProvider() ?? noopProvider).getMeter(name, version, options), NOOP_METER);
  const batch: BatchEntry[] = [];
  let batchMeter: Meter | undefined;
  const sync = (kind: SyncKind) => (n: string, o?: MetricOptions) => proxySync(perGeneration(() => meter()[kind](n, o) as Counter & Histogram, NOOP_INSTRUMENT));
  const observable = (kind: ObservableKind) => (n: string, o?: MetricOptions) =>
    proxyObservable(() => {
      try {
        return meter()[kind](n, o);
      } catch {
        return NOOP_OBSERVABLE;
      }
    });
  const moveBatch = (): void => {
    for (const b of batch) batchMeter?.removeBatchObservableCallback(b.wrapped, b.real);
    batchMeter = meter();
    for (const b of batch) batchMeter.addBatchObservableCallback(b.wrapped, (b.real = b.observables.map(real)));
  };
  return {
    createCounter: sync("createCounter"),
    createUpDownCounter: sync("createUpDownCounter"),
    createHistogram: sync("createHistogram"),
    createGauge: sync("createGauge"),
    createObservableCounter: observable("createObservableCounter"),
    createObservableUpDownCounter: observable("createObservableUpDownCounter"),
    createObservableGauge: observable("createObservableGauge"),
    addBatchObservableCallback(callback, observables) {
      if (typeof callback !== "function" || !Array.isArray(observables)) return;
      // The callback observes through proxies; the real meter only knows the real instruments.
      const wrapped: BatchObservableCallback = (result) => callback({ observe: (o, v, a) => result.observe(real(o), v, a) });
      const entry: BatchEntry = { callback, observables: observables.slice(), wrapped, real: observables.map(real) };
      batch.push(entry);
      batchMoves.add(moveBatch);
      (batchMeter = meter()).addBatchObservableCallback(wrapped, entry.real);
    },
    removeBatchObservableCallback(callback, observables) {
      if (!Array.isArray(observables)) return;
      const i = batch.findIndex((b) => b.callback === callback && sameMembers(b.observables, observables));
      if (i < 0) return;
      const [b] = batch.splice(i, 1);
      batchMeter?.removeBatchObservableCallback(b!.wrapped, b!.real);
    },
  };
}

function changed(provider: MeterProviderLike | undefined): boolean {
  setRegisteredMeterProvider(provider);
  generation++;
  for (const move of observableMoves) move();
  for (const move of batchMoves) move();
  return true;
}

/** The global metrics API. */
export const metrics: MetricsAPI = {
  getMeter: proxyMeter,
  getMeterProvider: () => registeredMeterProvider() ?? noopProvider,
  setGlobalMeterProvider: changed,
  disable() {
    changed(undefined);
  },
};
