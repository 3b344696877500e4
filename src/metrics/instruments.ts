/**
 * Instruments, shape-compatible with `@opentelemetry/api` (`Counter`, `UpDownCounter`,
 * `Histogram`, `Gauge`, the observable kinds, `ObservableResult`), plus a bound form
 * (`counter.bind(attrs).add(1)`) that skips the attribute lookup.
 *
 * Recording never throws (DESIGN principle 3). Invalid measurements are dropped and
 * reported once per instrument and cause through `diagOnce`:
 * - a value that is not a number;
 * - a negative value on a counter, observable counter or histogram (spec: API — counters
 *   take non-negative increments, histogram values are expected non-negative; the official
 *   JS SDK drops them too);
 * - NaN or ±Infinity on every kind except gauges and observable gauges (a sum or histogram
 *   would carry it forever; a gauge's next value replaces it, so it is kept there);
 * - `valueType: INT` with a fractional value is truncated toward zero, with one warning
 *   (as the official SDK does).
 */
import { describe } from "../common/describe.ts";
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import type { Context } from "../context/context.ts";
import type { AsyncMetricStorage, Observation } from "./async-storage.ts";
import { isMonotonicType } from "./aggregation/default-aggregation.ts";
import { toAttributeSet } from "./attribute-set.ts";
import { exemplarSpanContext, type ExemplarFilter } from "./exemplar.ts";
import type { Cell, SyncMetricStorage } from "./sync-storage.ts";
import { InstrumentType, ValueType, type MetricDescriptor } from "./types.ts";

/** Options of `create*`, as in `@opentelemetry/api`. */
export interface MetricOptions {
  description?: string;
  /** UCUM unit, at most 63 ASCII characters. */
  unit?: string;
  valueType?: ValueType;
  advice?: MetricAdvice;
}

/** Advice to the SDK about the default stream (spec: API "Instrument advisory parameters"). */
export interface MetricAdvice {
  /** Histogram bucket boundaries for the default aggregation; invalid ones are reported and ignored. */
  explicitBucketBoundaries?: number[];
}

/** A counter bound to one attribute set. */
export interface BoundCounter {
  add(value: number, context?: Context): void;
}

/** A histogram or gauge bound to one attribute set. */
export interface BoundRecorder {
  record(value: number, context?: Context): void;
}

/** A monotonic sum of non-negative increments. */
export interface Counter {
  add(value: number, attributes?: Attributes, context?: Context): void;
  /** A handle for `attributes` that skips the per-call attribute lookup. */
  bind(attributes?: Attributes): BoundCounter;
}

/** A sum that can go up and down. */
export interface UpDownCounter {
  add(value: number, attributes?: Attributes, context?: Context): void;
  bind(attributes?: Attributes): BoundCounter;
}

/** A distribution of values. */
export interface Histogram {
  record(value: number, attributes?: Attributes, context?: Context): void;
  bind(attributes?: Attributes): BoundRecorder;
}

/** The current value of something, recorded synchronously. */
export interface Gauge {
  record(value: number, attributes?: Attributes, context?: Context): void;
  bind(attributes?: Attributes): BoundRecorder;
}

/** What an observable callback reports through. */
export interface ObservableResult {
  observe(value: number, attributes?: Attributes): void;
}

/** A callback of one observable instrument, run at each collection. */
export type ObservableCallback = (result: ObservableResult) => void | Promise<void>;

/** An asynchronous instrument: callbacks report its values at collection. */
export interface Observable {
  addCallback(callback: ObservableCallback): void;
  removeCallback(callback: ObservableCallback): void;
}
/** An asynchronous counter (observed totals). */
export type ObservableCounter = Observable;
/** An asynchronous up-down counter (observed totals). */
export type ObservableUpDownCounter = Observable;
/** An asynchronous gauge. */
export type ObservableGauge = Observable;

/** What a batch callback reports through: observations for several instruments. */
export interface BatchObservableResult {
  observe(observable: Observable, value: number, attributes?: Attributes): void;
}

/** A callback for several observable instruments at once. */
export type BatchObservableCallback = (result: BatchObservableResult) => void | Promise<void>;

/** Checks values for one instrument; returns the value to record, or undefined to drop it. */
function makeValidator(d: MetricDescriptor): (value: unknown) => number | undefined {
  const gauge = d.type === InstrumentType.GAUGE || d.type === InstrumentType.OBSERVABLE_GAUGE;
  const nonNegative = isMonotonicType(d.type);
  const int = d.valueType === ValueType.INT;
  const name = d.name;
  // Once per instrument and cause: the first offending value is named, later ones are not.
  const drop = (cause: string, why: string): undefined => void diagOnce("warn", `metric-${cause}:${name}`, `Dropped a measurement of ${name}: ${why}.`);
  return (value) => {
    if (typeof value !== "number") return drop("type", `${typeof value} is not a number`);
    if (value - value !== 0) return gauge ? value : drop("nonfinite", `${value} is not a finite number`);
    if (nonNegative && value < 0) return drop("negative", `a ${d.type} takes no negative value (${value})`);
    if (int && value % 1 !== 0) {
      diagOnce("warn", `metric-int:${name}`, `${name} has valueType INT: truncating ${value} (and later fractions) toward zero.`);
      return Math.trunc(value);
    }
    return value;
  };
}

/** Reports, once per instrument, that storage failed to `what` (record, bind, observe); recording never throws. */
function failed(what: string, name: string, e: unknown): void {
  diagOnce("error", `metric-${what}:${name}`, `Failed to ${what} ${name}: ${describe(e)}`);
}

/** What instruments need from their meter/provider. */
export interface InstrumentShared {
  readonly exemplarFilter: ExemplarFilter;
}

/** A synchronous instrument of any kind: `add` and `record` are the same operation. */
export class SyncInstrument implements Counter, UpDownCounter, Histogram, Gauge {
  readonly descriptor: MetricDescriptor;
  /** The streams (one per matching view, or the default one). */
  readonly storages: readonly SyncMetricStorage[];
  readonly #filter: ExemplarFilter;
  readonly #nonNegative: boolean;
  readonly #int: boolean;
  readonly #gauge: boolean;
  readonly validate: (value: unknown) => number | undefined;

  constructor(descriptor: MetricDescriptor, storages: readonly SyncMetricStorage[], shared: InstrumentShared) {
    this.descriptor = descriptor;
    this.storages = storages;
    this.#filter = shared.exemplarFilter;
    const t = descriptor.type;
    this.#nonNegative = isMonotonicType(t);
    this.#int = descriptor.valueType === ValueType.INT;
    this.#gauge = t === InstrumentType.GAUGE;
    this.validate = makeValidator(descriptor);
  }

  add(value: number, attributes?: Attributes, context?: Context): void {
    this.record(value, attributes, context);
  }

  record(value: number, attributes?: Attributes, context?: Context): void {
    // Inline check for the common valid case; anything unusual goes through `validate`.
    if (typeof value !== "number" || (value - value !== 0 && !this.#gauge) || (this.#nonNegative && value < 0) || (this.#int && value % 1 !== 0)) {
      const v = this.validate(value);
      if (v === undefined) return;
      value = v;
    }
    const storages = this.storages;
    try {
      const sc = this.#filter === "always_off" ? undefined : exemplarSpanContext(this.#filter, context);
      for (let i = 0; i < storages.length; i++) storages[i].record(value, attributes, sc);
    } catch (e) {
      failed("record", this.descriptor.name, e);
    }
  }

  /** A handle whose series is looked up once, for the attributes as they are now (a copy). */
  bind(attributes?: Attributes): BoundCounter & BoundRecorder {
    const attrs = attributes !== null && typeof attributes === "object" ? { ...attributes } : undefined;
    const { storages, descriptor } = this;
    const filter = this.#filter;
    const cells: Cell[] = [];
    try {
      for (const s of storages) cells.push(s.cellFor(attrs));
    } catch (e) {
      failed("bind", descriptor.name, e);
    }
    const record = (value: number, context?: Context): void => {
      const v = this.validate(value);
      if (v === undefined) return;
      try {
        const sc = filter === "always_off" ? undefined : exemplarSpanContext(filter, context);
        for (let i = 0; i < cells.length; i++) {
          // The series was forgotten (all-delta stream, idle for a collection): look it up again.
          if (cells[i].dead) cells[i] = storages[i].cellFor(attrs);
          storages[i].recordInto(cells[i], v, attrs, sc);
        }
      } catch (e) {
        failed("record", descriptor.name, e);
      }
    };
    return { add: record, record };
  }
}

/** An observable instrument: its callbacks and its streams. */
export class ObservableInstrument implements Observable {
  readonly descriptor: MetricDescriptor;
  readonly storages: readonly AsyncMetricStorage[];
  /** The registered callbacks, in registration order. */
  readonly callbacks: ObservableCallback[] = [];
  readonly validate: (value: unknown) => number | undefined;

  constructor(descriptor: MetricDescriptor, storages: readonly AsyncMetricStorage[]) {
    this.descriptor = descriptor;
    this.storages = storages;
    this.validate = makeValidator(descriptor);
  }

  addCallback(callback: ObservableCallback): void {
    if (typeof callback !== "function") {
      diagOnce("warn", `metric-callback:${this.descriptor.name}`, `addCallback on ${this.descriptor.name}: not a function; ignored.`);
      return;
    }
    if (!this.callbacks.includes(callback)) this.callbacks.push(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    const i = this.callbacks.indexOf(callback);
    if (i >= 0) this.callbacks.splice(i, 1);
  }
}

/**
 * Observations of one instrument during one collection, de-duplicated by attribute set (the
 * last observation of a set wins, as in the official SDK). Closed when the collection's
 * callback timeout passes, so a late callback cannot change a finished collection.
 */
export class ObservationBuffer implements ObservableResult {
  readonly instrument: ObservableInstrument;
  readonly observations: Map<string, Observation> = new Map();
  closed = false;

  constructor(instrument: ObservableInstrument) {
    this.instrument = instrument;
  }

  observe(value: number, attributes?: Attributes): void {
    if (this.closed) return;
    const v = this.instrument.validate(value);
    if (v === undefined) return;
    try {
      const set = toAttributeSet(attributes);
      this.observations.set(set.key, { set, value: v });
    } catch (e) {
      failed("observe", this.instrument.descriptor.name, e);
    }
  }
}

const noopBound: BoundCounter & BoundRecorder = /* @__PURE__ */ Object.freeze({ add() {}, record() {} });

/** An instrument that records nothing (invalid names; a meter before the SDK is set up). */
export const NOOP_INSTRUMENT: Counter & UpDownCounter & Histogram & Gauge = /* @__PURE__ */ Object.freeze({
  add() {},
  record() {},
  bind: () => noopBound,
});

/** An observable instrument that never calls its callbacks. */
export const NOOP_OBSERVABLE: Observable = /* @__PURE__ */ Object.freeze({ addCallback() {}, removeCallback() {} });
