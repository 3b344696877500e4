/**
 * The global `metrics` API, shape-compatible with `metrics` in `@opentelemetry/api`.
 *
 * `metrics.getMeter()` may be called at module load, before `init()`: it returns a proxy
 * meter whose instruments look up the global provider's real instrument when they record
 * (re-resolved whenever the provider changes), so measurements after `init()` are real even
 * through instruments created earlier. Observable callbacks and batch callbacks registered on
 * proxies are moved to the real instruments when a provider is set.
 */
import type { Attributes } from "../common/attributes.ts";
import type { Context } from "../context/context.ts";
import {
  NOOP_INSTRUMENT,
  NOOP_OBSERVABLE,
  type BatchObservableCallback,
  type BoundCounter,
  type BoundRecorder,
  type Counter,
  type Gauge,
  type Histogram,
  type MetricOptions,
  type Observable,
  type ObservableCallback,
  type UpDownCounter,
} from "./instruments.ts";
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

const noopProvider: MeterProviderLike = { getMeter: () => NOOP_METER };
let generation = 0;
// Proxy meters with observables or batch callbacks: moved to each new provider.
const proxiesWithCallbacks = new Set<ProxyMeter>();

type Kind = "createCounter" | "createUpDownCounter" | "createHistogram" | "createGauge";
type ObservableKind = "createObservableCounter" | "createObservableUpDownCounter" | "createObservableGauge";

/** Resolves the real meter lazily from the global provider. */
class ProxyMeter implements Meter {
  #delegate: Meter | undefined;
  #generation = -1;
  readonly observables: ProxyObservable[] = [];
  readonly batch: Array<{ callback: BatchObservableCallback; observables: Observable[]; wrapped: BatchObservableCallback; real: Observable[] }> = [];
  #batchMeter: Meter | undefined;

  constructor(
    readonly name: string,
    readonly version: string | undefined,
    readonly options: MeterOptions | undefined,
  ) {}

  meter(): Meter {
    if (this.#generation !== generation || this.#delegate === undefined) {
      try {
        this.#delegate = (registeredMeterProvider() ?? noopProvider).getMeter(this.name, this.version, this.options);
      } catch {
        this.#delegate = NOOP_METER;
      }
      this.#generation = generation;
    }
    return this.#delegate;
  }

  /** Moves observables and batch callbacks from the previous provider's meter to the current one's. */
  rebind(): void {
    const previous = this.#batchMeter;
    if (previous !== undefined) for (const b of this.batch) previous.removeBatchObservableCallback(b.wrapped, b.real);
    for (const o of this.observables) o.rebind();
    const meter = (this.#batchMeter = this.meter());
    for (const b of this.batch) {
      b.real = b.observables.map(real);
      meter.addBatchObservableCallback(b.wrapped, b.real);
    }
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return this.#sync("createCounter", name, options);
  }
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return this.#sync("createUpDownCounter", name, options);
  }
  createHistogram(name: string, options?: MetricOptions): Histogram {
    return this.#sync("createHistogram", name, options);
  }
  createGauge(name: string, options?: MetricOptions): Gauge {
    return this.#sync("createGauge", name, options);
  }
  createObservableCounter(name: string, options?: MetricOptions): Observable {
    return this.#observable("createObservableCounter", name, options);
  }
  createObservableUpDownCounter(name: string, options?: MetricOptions): Observable {
    return this.#observable("createObservableUpDownCounter", name, options);
  }
  createObservableGauge(name: string, options?: MetricOptions): Observable {
    return this.#observable("createObservableGauge", name, options);
  }

  /** Creates the real instrument in the current provider's meter; `fallback` when that throws. */
  #creator<T>(kind: Kind | ObservableKind, name: string, options: MetricOptions | undefined, fallback: T): () => T {
    return () => {
      try {
        return this.meter()[kind](name, options) as T;
      } catch {
        return fallback;
      }
    };
  }

  #sync(kind: Kind, name: string, options: MetricOptions | undefined): ProxySync {
    return new ProxySync(this.#creator(kind, name, options, NOOP_INSTRUMENT));
  }

  #observable(kind: ObservableKind, name: string, options: MetricOptions | undefined): Observable {
    const o = new ProxyObservable(this.#creator(kind, name, options, NOOP_OBSERVABLE));
    this.observables.push(o);
    proxiesWithCallbacks.add(this);
    return o;
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (typeof callback !== "function" || !Array.isArray(observables)) return;
    // The callback observes through proxies; the real meter only knows the real instruments.
    const wrapped: BatchObservableCallback = (result) =>
      callback({ observe: (o, v, a) => result.observe(o instanceof ProxyObservable ? o.delegate() : o, v, a) });
    const entry = { callback, observables: observables.slice(), wrapped, real: observables.map(real) };
    this.batch.push(entry);
    proxiesWithCallbacks.add(this);
    this.#batchMeter = this.meter();
    this.#batchMeter.addBatchObservableCallback(wrapped, entry.real);
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (!Array.isArray(observables)) return;
    const i = this.batch.findIndex((b) => b.callback === callback && sameMembers(b.observables, observables));
    if (i < 0) return;
    const [b] = this.batch.splice(i, 1);
    this.#batchMeter?.removeBatchObservableCallback(b.wrapped, b.real);
  }
}

/** A synchronous instrument that resolves its real counterpart per provider generation. */
class ProxySync implements Counter, UpDownCounter, Histogram, Gauge {
  #delegate: (Counter & Histogram) | undefined;
  #generation = -1;
  readonly #create: () => Counter & Histogram;

  constructor(create: () => Counter & Histogram) {
    this.#create = create;
  }

  instrument(): Counter & Histogram {
    if (this.#generation !== generation || this.#delegate === undefined) {
      this.#delegate = this.#create();
      this.#generation = generation;
    }
    return this.#delegate;
  }

  add(value: number, attributes?: Attributes, context?: Context): void {
    this.instrument().add(value, attributes, context);
  }

  record(value: number, attributes?: Attributes, context?: Context): void {
    this.instrument().record(value, attributes, context);
  }

  bind(attributes?: Attributes): BoundCounter & BoundRecorder {
    let bound: (BoundCounter & BoundRecorder) | undefined;
    let gen = -1;
    const get = (): BoundCounter & BoundRecorder => {
      if (gen !== generation || bound === undefined) {
        const inst = this.instrument();
        const bind = (inst as { bind?: unknown }).bind;
        // A foreign provider's instruments may lack bind(): fall back to plain calls.
        bound =
          typeof bind === "function"
            ? (bind.call(inst, attributes) as BoundCounter & BoundRecorder)
            : { add: (v: number, c?: Context) => inst.add(v, attributes, c), record: (v: number, c?: Context) => inst.record(v, attributes, c) };
        gen = generation;
      }
      return bound!;
    };
    return { add: (v, c) => get().add(v, c), record: (v, c) => get().record(v, c) };
  }
}

/** An observable that keeps its callbacks and moves them to each provider's real instrument. */
class ProxyObservable implements Observable {
  #delegate: Observable | undefined;
  readonly #callbacks: ObservableCallback[] = [];
  readonly #create: () => Observable;

  constructor(create: () => Observable) {
    this.#create = create;
  }

  delegate(): Observable {
    return (this.#delegate ??= this.#create());
  }

  rebind(): void {
    const previous = this.#delegate;
    if (previous !== undefined) for (const cb of this.#callbacks) previous.removeCallback(cb);
    this.#delegate = this.#create();
    for (const cb of this.#callbacks) this.#delegate.addCallback(cb);
  }

  addCallback(callback: ObservableCallback): void {
    if (typeof callback !== "function" || this.#callbacks.includes(callback)) return;
    this.#callbacks.push(callback);
    this.delegate().addCallback(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    const i = this.#callbacks.indexOf(callback);
    if (i >= 0) this.#callbacks.splice(i, 1);
    this.delegate().removeCallback(callback);
  }
}

function real(o: Observable): Observable {
  return o instanceof ProxyObservable ? o.delegate() : o;
}

function changed(): void {
  generation++;
  for (const m of proxiesWithCallbacks) m.rebind();
}

/** The global metrics API. */
export const metrics: MetricsAPI = {
  getMeter: (name, version, options) => new ProxyMeter(name, version, options),
  getMeterProvider: () => registeredMeterProvider() ?? noopProvider,
  setGlobalMeterProvider(provider) {
    setRegisteredMeterProvider(provider);
    changed();
    return true;
  },
  disable() {
    setRegisteredMeterProvider(undefined);
    changed();
  },
};
