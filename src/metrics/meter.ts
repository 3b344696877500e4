/**
 * The SDK meter: creates instruments (validated, de-duplicated, one storage per matching
 * view) for one instrumentation scope, runs its observable callbacks at collection and
 * collects its streams. Spec: https://opentelemetry.io/docs/specs/otel/metrics/sdk/#meter
 */
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { now } from "../common/time.ts";
import { settleWithin } from "../export/export-outcome.ts";
import type { InstrumentationScope } from "../trace/types.ts";
import { defaultAggregator } from "./aggregation/default-aggregation.ts";
import { validateBoundaries } from "./aggregation/explicit-bucket-histogram.ts";
import { AsyncMetricStorage } from "./async-storage.ts";
import type { ExemplarFilter } from "./exemplar.ts";
import {
  NOOP_INSTRUMENT,
  NOOP_OBSERVABLE,
  ObservableInstrument,
  ObservationBuffer,
  SyncInstrument,
  type BatchObservableCallback,
  type BatchObservableResult,
  type Counter,
  type Gauge,
  type Histogram,
  type MetricOptions,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
  type ObservableUpDownCounter,
  type UpDownCounter,
} from "./instruments.ts";
import { streamConfig, SyncMetricStorage, type ReaderSlot, type StreamConfig } from "./sync-storage.ts";
import { InstrumentType, ValueType, type MetricData, type MetricDescriptor, type ScopeMetrics } from "./types.ts";
import { INSTRUMENT_NAME_PATTERN, INSTRUMENT_NAME_RULE, type View } from "./view.ts";

/** A meter, shape-compatible with `Meter` in `@opentelemetry/api`. */
export interface Meter {
  createCounter(name: string, options?: MetricOptions): Counter;
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter;
  createHistogram(name: string, options?: MetricOptions): Histogram;
  createGauge(name: string, options?: MetricOptions): Gauge;
  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter;
  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter;
  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge;
  /** Registers one callback reporting for several observables of this meter. */
  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void;
  /** Removes a callback registered with {@link addBatchObservableCallback} for the same observables. */
  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void;
}

/** What meters share with their provider. */
export interface MeterSharedState {
  readonly views: readonly View[];
  readonly cardinalityLimit: number;
  readonly exemplarFilter: ExemplarFilter;
  /** The readers registered so far (new streams start state for each). */
  readonly readers: readonly ReaderSlot[];
  /** Remembers a storage so readers added later reach it. */
  registerStorage(storage: SyncMetricStorage | AsyncMetricStorage): void;
}

type AnyInstrument = SyncInstrument | ObservableInstrument;

interface BatchEntry {
  readonly callback: BatchObservableCallback;
  readonly observables: readonly ObservableInstrument[];
}

const UNIT_PATTERN = /^[\x00-\x7f]{0,63}$/;

/** The SDK's meter. */
export class SdkMeter implements Meter {
  /** The meter's instrumentation scope. */
  readonly scope: InstrumentationScope;
  readonly #shared: MeterSharedState;
  readonly #byName = new Map<string, AnyInstrument[]>();
  readonly #instruments: AnyInstrument[] = [];
  readonly #streamNames = new Set<string>();
  #batch: BatchEntry[] = [];

  constructor(scope: InstrumentationScope, shared: MeterSharedState) {
    this.scope = scope;
    this.#shared = shared;
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return this.#create(name, InstrumentType.COUNTER, options);
  }
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return this.#create(name, InstrumentType.UP_DOWN_COUNTER, options);
  }
  createHistogram(name: string, options?: MetricOptions): Histogram {
    return this.#create(name, InstrumentType.HISTOGRAM, options);
  }
  createGauge(name: string, options?: MetricOptions): Gauge {
    return this.#create(name, InstrumentType.GAUGE, options);
  }
  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.#create(name, InstrumentType.OBSERVABLE_COUNTER, options);
  }
  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return this.#create(name, InstrumentType.OBSERVABLE_UP_DOWN_COUNTER, options);
  }
  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.#create(name, InstrumentType.OBSERVABLE_GAUGE, options);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (typeof callback !== "function") return void diagOnce("warn", "metric-batch-callback", "addBatchObservableCallback: the callback is not a function; ignored.");
    const own = this.#ownObservables(observables);
    if (!this.#batch.some((e) => e.callback === callback && sameMembers(e.observables, own))) this.#batch.push({ callback, observables: own });
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const own = this.#ownObservables(observables);
    this.#batch = this.#batch.filter((e) => !(e.callback === callback && sameMembers(e.observables, own)));
  }

  #ownObservables(observables: Observable[]): ObservableInstrument[] {
    const own: ObservableInstrument[] = [];
    for (const o of Array.isArray(observables) ? observables : []) {
      if (o instanceof ObservableInstrument && this.#instruments.includes(o)) own.push(o);
      else if (o !== NOOP_OBSERVABLE) diagOnce("warn", "metric-batch-foreign", "addBatchObservableCallback: ignoring an observable this meter did not create.");
    }
    return own;
  }

  // Spec ("Instrument name syntax"): an invalid name gets a working no-op instrument and a report;
  // an identical registration returns the same instrument ("Duplicate instrument registration").
  #create(name: string, type: InstrumentType, options: MetricOptions | undefined): any {
    const sync = !type.startsWith("observable");
    if (typeof name !== "string" || !INSTRUMENT_NAME_PATTERN.test(name)) {
      const text = JSON.stringify(describe(name));
      diagOnce("warn", "metric-name:" + text.slice(0, 255), `Invalid instrument name ${text} (${INSTRUMENT_NAME_RULE}): the instrument records nothing.`);
      return sync ? NOOP_INSTRUMENT : NOOP_OBSERVABLE;
    }
    let d: MetricDescriptor;
    let advice: unknown;
    try {
      d = descriptorOf(name, type, options);
      advice = options?.advice?.explicitBucketBoundaries;
    } catch (e) {
      // A throwing getter or Proxy trap in the options: the instrument is created without them.
      diagOnce("warn", `metric-options:${name}`, `Instrument ${name}: unreadable options ignored (${describe(e)}).`);
      d = descriptorOf(name, type, undefined);
    }
    const key = name.toLowerCase();
    const existing = this.#byName.get(key) ?? [];
    const text = describeDescriptor(d);
    for (const inst of existing) if (describeDescriptor(inst.descriptor) === text) return inst;
    if (existing.length > 0) {
      const message = `Duplicate instrument registration: ${JSON.stringify(name)} of meter ${JSON.stringify(this.scope.name)} was ${describeDescriptor(existing[0]!.descriptor)}, now ${text}; both streams are reported.`;
      diagOnce("warn", message, message);
    }
    const shared = this.#shared;
    const time = now();
    const storages = this.#streams(d, advice).map((s) => {
      const storage = sync ? new SyncMetricStorage(s) : new AsyncMetricStorage(s);
      for (const reader of shared.readers) storage.addReader(reader, time);
      shared.registerStorage(storage);
      return storage;
    });
    const inst = sync ? new SyncInstrument(d, storages as SyncMetricStorage[], shared) : new ObservableInstrument(d, storages as AsyncMetricStorage[]);
    existing.push(inst);
    this.#byName.set(key, existing);
    this.#instruments.push(inst);
    return inst;
  }

  /** One stream per matching view (drop views remove theirs), or the default stream. */
  #streams(d: MetricDescriptor, advice: unknown): StreamConfig[] {
    let boundaries: readonly number[] | undefined;
    if (advice !== undefined) {
      try {
        boundaries = validateBoundaries(advice);
      } catch (e) {
        diagOnce("warn", `metric-advice:${d.name}`, `Instrument ${d.name}: ignoring advice.explicitBucketBoundaries (${describe(e)}).`);
      }
    }
    const { views, cardinalityLimit } = this.#shared;
    const streams: StreamConfig[] = [];
    const names = this.#streamNames;
    let matched = false;
    for (const v of views) {
      const s = v.streamFor(d, this.scope, boundaries, cardinalityLimit, names);
      if (s !== undefined) matched = true;
      if (s) {
        streams.push(s);
        names.add(s.descriptor.name.toLowerCase());
      }
    }
    if (!matched) {
      streams.push(streamConfig(d, defaultAggregator(d.type, boundaries), cardinalityLimit));
      names.add(d.name.toLowerCase());
    }
    return streams;
  }

  /**
   * Runs every observable and batch callback of this meter, concurrently, for one collection.
   * Callbacks that throw or reject are reported (`errors`, diag) and skipped; the whole run is
   * bounded by `timeoutMillis` so a hanging callback cannot hang collection; `onTimeout` is
   * called when that bound cut the run short (the collection then failed: `timeout`).
   */
  async runCallbacks(timeoutMillis: number, errors: unknown[], onTimeout?: () => void): Promise<Map<ObservableInstrument, ObservationBuffer>> {
    const buffers = new Map<ObservableInstrument, ObservationBuffer>();
    const tasks: Promise<unknown>[] = [];
    const fail = (label: string, e: unknown): void => {
      errors.push(e);
      diagOnce("error", `metric-callback-failed:${this.scope.name}:${label}`, `An observable callback for ${label} failed: ${describe(e)}`);
    };
    const run = (label: string, fn: () => unknown): void => {
      try {
        const r = fn() as { then?: unknown } | undefined;
        if (r !== null && typeof r === "object" && typeof r.then === "function") tasks.push(Promise.resolve(r).catch((e) => fail(label, e)));
      } catch (e) {
        fail(label, e);
      }
    };
    for (const inst of this.#instruments) {
      if (!(inst instanceof ObservableInstrument)) continue;
      const buffer = new ObservationBuffer(inst);
      buffers.set(inst, buffer);
      for (const cb of inst.callbacks.slice()) run(inst.descriptor.name, () => cb(buffer));
    }
    for (const entry of this.#batch.slice()) {
      const result: BatchObservableResult = {
        observe(observable, value, attributes) {
          const inst = observable as ObservableInstrument;
          if (!entry.observables.includes(inst)) {
            diagOnce("warn", "metric-batch-unregistered", "A batch callback observed an observable it was not registered for; ignored.");
            return;
          }
          buffers.get(inst)?.observe(value, attributes);
        },
      };
      run(entry.observables.map((o) => o.descriptor.name).join(",") || "a batch callback", () => entry.callback(result));
    }
    // The timer stays referenced: whoever collects is awaiting this run.
    if (tasks.length > 0 && (await settleWithin(Promise.all(tasks), timeoutMillis, true)).kind === "timeout") {
      const err = new Error(`Metric callbacks of meter ${JSON.stringify(this.scope.name)} did not finish within ${timeoutMillis} ms; their late observations are ignored.`);
      errors.push(err);
      onTimeout?.();
      diagOnce("warn", `metric-callback-timeout:${this.scope.name}`, err.message);
    }
    for (const b of buffers.values()) b.closed = true;
    return buffers;
  }

  /** Collects this meter's streams for `reader`; undefined when none has points. */
  collect(reader: ReaderSlot, buffers: Map<ObservableInstrument, ObservationBuffer>, time: number): ScopeMetrics | undefined {
    const metrics: MetricData[] = [];
    for (const inst of this.#instruments) {
      if (inst instanceof SyncInstrument) {
        for (const s of inst.storages) {
          const m = s.collect(reader, time);
          if (m) metrics.push(m);
        }
      } else {
        const observations = [...(buffers.get(inst)?.observations.values() ?? [])];
        for (const s of inst.storages) {
          const m = s.collect(reader, observations, time);
          if (m) metrics.push(m);
        }
      }
    }
    return metrics.length > 0 ? { scope: this.scope, metrics } : undefined;
  }
}

function descriptorOf(name: string, type: InstrumentType, options: MetricOptions | undefined): MetricDescriptor {
  let unit = options?.unit ?? "";
  if (typeof unit !== "string" || !UNIT_PATTERN.test(unit)) {
    diagOnce("warn", `metric-unit:${name}`, `Instrument ${name}: unit ${JSON.stringify(describe(unit))} is not at most 63 ASCII characters; using none.`);
    unit = "";
  }
  const description = typeof options?.description === "string" ? options.description : "";
  const valueType = options?.valueType === ValueType.INT ? ValueType.INT : ValueType.DOUBLE;
  return Object.freeze({ name, description, unit, type, valueType });
}

/** True when both lists hold the same observables (a batch callback's registration identity). */
export function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function describeDescriptor(d: MetricDescriptor): string {
  return `${d.type} (unit ${JSON.stringify(d.unit)}, ${d.valueType === ValueType.INT ? "INT" : "DOUBLE"}, description ${JSON.stringify(d.description)})`;
}
