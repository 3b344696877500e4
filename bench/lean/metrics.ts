/**
 * The metrics SDK of the size-first core: a meter provider with one reader (the Workers
 * program's OTLP push reader, collected on flush), its meters and every instrument kind the
 * product's meter creates, with the product's semantics (src/metrics/meter.ts, instruments.ts,
 * sync-storage.ts, async-storage.ts, attribute-set.ts, temporality-preference.ts):
 *
 * - Instruments (spec: Metrics API/SDK): counter, up-down counter, histogram (explicit buckets,
 *   the spec's default boundaries, or `advice.explicitBucketBoundaries` when valid), gauge, and
 *   the observable counter, up-down counter and gauge (callbacks, and batch callbacks, run at
 *   collection, bounded in time); `bind(attributes)` as the product's (a copy taken at bind time).
 * - Validation (spec "Instrument name syntax", "unit", "description"): an invalid name gives a
 *   no-op instrument; a unit longer than 63 or non-ASCII is replaced by none; a description that
 *   is not a string by none; a registration identical to an earlier one (name case-insensitive,
 *   kind, unit, value type, description) returns the same instrument, a conflicting one gets its
 *   own stream and a report (spec "Duplicate instrument registration").
 * - Measurements: a value that is not a number is dropped; NaN and ±Infinity are dropped except on
 *   gauges (a sum or histogram would carry them forever); a negative value on a counter,
 *   observable counter or histogram is dropped; `valueType: INT` truncates fractions. Each cause is
 *   reported once; recording never throws.
 * - Attribute sets (spec: data model, "attribute sets are unordered"): the key is canonical (keys
 *   sorted); values are sanitized as span attributes (attributes.ts); `null`/`undefined` unset;
 *   an entry whose getter throws is skipped.
 * - Cardinality (spec: SDK "Cardinality limits", default 2000): further attribute sets are
 *   aggregated into one overflow series `otel.metric.overflow=true`; observations per collection.
 * - Temporality (spec: OTLP exporter "temporality preference"): `cumulative`, `delta` (counters,
 *   observable counters and histograms delta) or `lowmemory` (counters and histograms delta);
 *   gauges and up-down counters are always cumulative. Delta streams forget every series at
 *   collection (they were all reported or idle: the product's eviction), so rotating attribute
 *   sets do not exhaust the limit; delta observable counters report the change since the last
 *   collection's total.
 *
 * Exemplars only when `config.exemplar` is given (exemplars.ts, node-init.ts); the Workers programs
 * record outside their spans, where the product's default `trace_based` filter keeps none.
 *
 * Left out (each one import away in the product): views, more than one reader, the exponential histogram and summary
 * aggregations, self-observability, and the product's attribute-lookup caches (speed, not output:
 * an add + record with two attributes takes ~1.5 µs here, 0.13–0.25 µs in the product).
 * Differences: an empty attribute key is dropped (spec: keys are non-empty), where the product
 * keeps it; diagnostic text.
 */
import type { Attributes, Context, Resource } from "./contract.ts";
import type { Meter } from "../../src/metrics/meter.ts";
import type { BatchObservableCallback, Counter, Histogram, MetricOptions, Observable, ObservableCallback } from "../../src/metrics/instruments.ts";
import type { DataPoint, MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { copy, put } from "./attributes.ts";
import { warnOnce } from "./diag.ts";
import { now } from "./time.ts";

export type { Meter };

/** `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, lower-cased (spec presets). */
export type TemporalityPreference = "cumulative" | "delta" | "lowmemory";

export interface MeterProviderConfig {
  resource: Resource;
  /** Default cumulative. */
  temporality?: TemporalityPreference;
  /** Distinct attribute sets per stream before the overflow series; default 2000. */
  cardinalityLimit?: number;
  /**
   * Exemplars: the filter and reservoirs (exemplars.ts), called with each synchronous
   * measurement's series. Unset, none are kept: a program that exports none pays for none.
   */
  exemplar?: Offer;
}

/** An exemplar as the product's data model has it. */
export type Exemplar = { value: number; time: number; traceId?: string; spanId?: string; filteredAttributes: Attributes };
/** A series' exemplar state: [.., exemplars by slot, measurements offered since the last collection]. */
export type ExemplarCell = { 5?: Exemplar[]; 6?: number };
/** Offers one synchronous measurement to its series' reservoir (exemplars.ts); `bucket` is undefined outside histograms. */
export type Offer = (cell: ExemplarCell, value: number, time: number, bucket?: number) => void;

export interface LeanMeterProvider {
  getMeter(name: string, version?: string, options?: { schemaUrl?: string }): Meter;
  /**
   * Runs the observable callbacks (bounded by `timeout` ms) and collects every stream: the data
   * model the product's reader hands its exporter. Never rejects.
   */
  collect(timeout: number): Promise<ResourceMetrics>;
}

/** A synchronous instrument: `add` and `record` are one operation, as in the product. */
export type Sync = Counter & Histogram;
type Observer = (value: unknown, attributes: unknown) => void;
/** One stream: what collection asks of it (sync or observable). */
interface Stream {
  /** The observable's callbacks (undefined for synchronous instruments). */
  c?: ObservableCallback[];
  /** An observable's observations of the collection running (attribute key → [attributes, value]); undefined when closed. */
  b?: Map<string, [Attributes, number]>;
  /** Collects into `out` (an observable, its observations `b`, then closes them). */
  k(time: number, out: MetricData[]): void;
  /** Validates and records (sync) or observes (observable) a value. */
  r: Observer;
}

/** A set of attributes: [clean attributes in key order, canonical key]. */
type AttributeSet = [Attributes, string];
type Scope = { name: string; version?: string; schemaUrl?: string };
/** A series: [attributes, start time, sum or last value, histogram state, measurements recorded, exemplars, offered since the last collection]. */
type Cell = [Attributes, number, number, number[] | undefined, number, Exemplar[]?, number?];

// The spec's default explicit bucket boundaries (SDK, "Explicit Bucket Histogram Aggregation").
const BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1e3, 2500, 5e3, 7500, 1e4];
const OVERFLOW: Attributes = { "otel.metric.overflow": true };
export const noop = (): void => {};
/** An instrument that records nothing (an invalid name; the API before a provider is set). */
export const NOOP: Sync = { add: noop, record: noop, bind: () => NOOP as never };
/** An observable whose callbacks are never called. */
export const NOOP_OBSERVABLE: Observable = { addCallback: noop, removeCallback: noop };

/** Resolves when `promise` settles or after `ms`, whichever is first; the timer is cleared (it would hold the isolate). */
export const within = (promise: Promise<unknown>, ms: number): Promise<unknown> => {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
};

/**
 * The attribute set of `raw`: its entries sanitized (attributes.ts: invalid values dropped and
 * reported, null/undefined unset), in key order, and a canonical key: each entry as its
 * length-prefixed key, type and length-prefixed value text (unambiguous without escaping, and
 * "1", 1 and true apart; an array value as JSON, non-finite numbers kept apart from null).
 */
function attributeSet(raw: unknown): AttributeSet {
  const [clean] = copy(raw);
  const sorted: Attributes = {};
  let key = "";
  for (const k of Object.keys(clean).sort()) {
    const v = clean[k];
    put(sorted, k, v, 1 / 0, 1 / 0, 0);
    const text = typeof v == "object" ? JSON.stringify(v, (_, x) => (typeof x == "number" && x - x != 0 ? "\0" + x : x)) : v + "";
    key += k.length + ":" + k + (typeof v)[0] + text.length + ":" + text;
  }
  return [sorted, key];
}

/**
 * The instrument kinds, by the name in their `create<Kind>` method (lower-cased, the product's
 * `InstrumentType`): what each is, in bits: 1 monotonic (no negative values), 2 gauge,
 * 4 histogram, 8 observable.
 */
export const KINDS: Record<string, number> = {
  Counter: 1,
  UpDownCounter: 0,
  Histogram: 5,
  Gauge: 2,
  ObservableCounter: 9,
  ObservableUpDownCounter: 8,
  ObservableGauge: 10,
};

/** The meter provider of the size-first core. */
export function createMeterProvider(config: MeterProviderConfig): LeanMeterProvider {
  const limit = config.cardinalityLimit ?? 2e3;
  const preference = config.temporality;
  /** Meters by scope (name, version, schemaUrl), in creation order: their streams and batch callbacks. */
  const meters = new Map<string, { s: Scope; k: Stream[]; b: [BatchObservableCallback, Observable[]][]; m?: Meter }>();
  /** Observable instrument → its stream (batch callbacks name instruments). */
  const observables = new Map<unknown, Stream>();

  function getMeter(name: string, version?: string, options?: { schemaUrl?: string }): Meter {
    if (typeof name != "string" || !name) {
      warnOnce("invalid meter name: \"\" used");
      name = "";
    }
    let url: unknown;
    try {
      url = options?.schemaUrl;
    } catch {}
    const scope: Scope = { name, version: (typeof version == "string" && version) || undefined, schemaUrl: (typeof url == "string" && url) || undefined };
    const id = JSON.stringify(scope);
    const entry = meters.get(id) ?? { s: scope, k: [], b: [] };
    meters.set(id, entry);
    return (entry.m ??= meter(entry.k, entry.b));
  }

  /** A meter writing its streams into `streams`. */
  function meter(streams: Stream[], batch: [BatchObservableCallback, Observable[]][]): Meter {
    /** Instruments by their registration identity; names (lower case) seen, for conflicts. */
    const registered = new Map<string, Sync | Observable>();
    const names = new Set<string>();

    function create(kind: string, name: string, options?: MetricOptions): Sync | Observable {
      const bits = KINDS[kind]!;
      const type = kind.toLowerCase();
      const observable = bits & 8;
      if (typeof name != "string" || !/^[a-z][\w./-]{0,254}$/i.test(name)) {
        warnOnce("invalid instrument name: a no-op");
        return observable ? NOOP_OBSERVABLE : NOOP;
      }
      let unit: unknown = "";
      let description: unknown = "";
      let int = false;
      let advice: unknown;
      try {
        unit = options?.unit ?? "";
        description = options?.description;
        int = options?.valueType === 0;
        advice = options?.advice?.explicitBucketBoundaries;
      } catch {
        warnOnce(name + ": unreadable options ignored");
        unit = "";
        int = false;
        description = advice = undefined;
      }
      if (typeof unit != "string" || !/^[\0-\x7f]{0,63}$/.test(unit)) {
        warnOnce(name + ": invalid unit ignored");
        unit = "";
      }
      const descriptor = { name, description: typeof description == "string" ? description : "", unit, type, valueType: int ? 0 : 1 } as MetricData["descriptor"];
      const lower = name.toLowerCase();
      const id = JSON.stringify([lower, type, unit, int, descriptor.description]);
      const found = registered.get(id);
      if (found) return found;
      if (names.has(lower)) warnOnce(name + ": conflicting duplicate; both kept");
      names.add(lower);

      let boundaries = BOUNDARIES;
      if (advice !== undefined) {
        // Spec: boundaries are a strictly increasing list of numbers.
        if (Array.isArray(advice) && advice.every((b, i) => typeof b == "number" && b == b && !(i && !(b > advice[i - 1])))) boundaries = advice.slice();
        else warnOnce(name + ": invalid bucket advice ignored");
      }
      const histogram = bits & 4;
      const gauge = bits & 2;
      const delta = bits & 1 && (preference == "delta" || (preference == "lowmemory" && bits < 8));
      const dataPointType = histogram ? "histogram" : gauge ? "gauge" : "sum";

      /** Reports (once per instrument and cause) a value dropped. */
      const drop = (why: string): undefined => void warnOnce(name + ": dropped a " + why + " value");
      /** The value to record, or undefined (dropped). */
      const valid = (v: unknown): number | undefined =>
        typeof v != "number"
          ? drop("non-number")
          : v - v != 0 && !gauge
            ? drop("non-finite")
            : bits & 1 && v < 0
              ? drop("negative")
              : int && v % 1
                ? (warnOnce(name + ": INT value truncated"), Math.trunc(v))
                : v;

      let last = now();
      const start = last;
      /** Series by attribute key. */
      let cells = new Map<string, Cell>();
      /** Delta observable counters: the totals of the previous collection. */
      let previous = new Map<string, number>();

      /** The series of `set` in `series` (created at `time`), or the overflow series past the limit. */
      const cellOf = (series: typeof cells, [attributes, key]: AttributeSet, time: number): Cell => {
        let cell = series.get(key);
        if (!cell) {
          if (series.size >= limit && key != "o") return cellOf(series, [OVERFLOW, "o"], time);
          // Histogram state: count, sum, min, max, then the bucket counts.
          series.set(key, (cell = [attributes, time, 0, histogram ? [0, 0, 1 / 0, -1 / 0, ...boundaries.map(() => 0), 0] : undefined, 0]));
        }
        return cell;
      };
      /** Adds `v` to `cell`; its bucket (0 outside histograms). */
      const into = (cell: Cell, v: number): number => {
        const h = cell[3];
        let i = 0;
        cell[4]++;
        if (h) {
          h[0]!++;
          h[1]! += v;
          h[2] = Math.min(h[2]!, v);
          h[3] = Math.max(h[3]!, v);
          while (i < boundaries.length && v > boundaries[i]!) i++;
          h[4 + i]!++;
        } else cell[2] = gauge ? v : cell[2] + v;
        return i;
      };

      const stream: Stream = {
        c: observable ? [] : undefined,
        r(value, attributes) {
          const v = valid(value);
          if (v === undefined) return;
          const set = attributeSet(attributes);
          const b = stream.b;
          // An observation: kept per attribute set for this collection, the last one winning.
          if (observable) b?.set(set[1], [set[0], v]);
          else {
            const time = now();
            const cell = cellOf(cells, set, time);
            const i = into(cell, v);
            config.exemplar?.(cell, v, time, histogram ? i : undefined);
          }
        },
        k(time, out) {
          const observed = stream.b;
          stream.b = undefined;
          let series = cells;
          let from = delta ? last : start;
          if (observed) {
            // Observations are totals, made in this collection (last one per attribute set wins).
            series = new Map();
            for (const [key, [attributes, v]] of observed) into(cellOf(series, [attributes, key], from), v);
          }
          const totals = new Map<string, number>();
          const dataPoints: DataPoint<unknown>[] = [];
          for (const [key, cell] of series) {
            const [attributes, since, v, h, n, ex] = cell;
            cell[6] = 0;
            // A series bound but not yet recorded into is not reported (the product's rule).
            if (!n) continue;
            let value: unknown = v;
            if (h) {
              value = { count: h[0], sum: h[1], min: h[2], max: h[3], boundaries, bucketCounts: h.slice(4) };
            } else if (observed && delta) {
              totals.set(key, v);
              value = v - (previous.get(key) ?? 0);
            }
            dataPoints.push({ attributes, startTime: delta ? from : since, time, value, exemplars: ex ? ex.filter(Boolean) : [] } as DataPoint<unknown>);
          }
          previous = totals;
          last = time;
          if (delta && !observed) cells = new Map();
          if (dataPoints.length)
            out.push({ descriptor, dataPointType, temporality: gauge ? undefined : delta ? "delta" : "cumulative", isMonotonic: gauge || histogram ? undefined : !!(bits & 1), dataPoints } as MetricData);
        },
      };
      streams.push(stream);

      /** Never throws into the app: a hostile value or attributes object is reported once. */
      const record: Observer = (value, attributes) => {
        try {
          stream.r(value, attributes);
        } catch {
          warnOnce(name + ": unreadable measurement dropped");
        }
      };
      let instrument: Sync | Observable;
      if (observable) {
        const callbacks = stream.c!;
        instrument = {
          addCallback(cb) {
            if (typeof cb != "function") return warnOnce(name + ": non-function callback ignored");
            if (!callbacks.includes(cb)) callbacks.push(cb);
          },
          removeCallback(cb) {
            const i = callbacks.indexOf(cb);
            if (i >= 0) callbacks.splice(i, 1);
          },
        };
        observables.set(instrument, stream);
      } else {
        const sync: Sync = {
          add: record,
          record,
          bind(attributes) {
            let copied: Attributes | undefined;
            try {
              copied = attributes && typeof attributes == "object" ? { ...attributes } : undefined;
              // The series exists from now (its start time, its place in the output and under the limit), as the product's.
              cellOf(cells, attributeSet(copied), now());
            } catch {
              warnOnce(name + ": unreadable attributes");
            }
            const bound = (value: number) => record(value, copied);
            return { add: bound, record: bound } as never;
          },
        };
        instrument = sync;
      }
      registered.set(id, instrument);
      return instrument;
    }

    /** The streams of this meter's observables in `list` (others are reported and ignored). */
    const own = (list: unknown): Observable[] => (Array.isArray(list) ? list : []).filter((o) => streams.includes(observables.get(o)!) || (o != NOOP_OBSERVABLE && void warnOnce("batch: foreign observable ignored")));
    const same = (a: Observable[], b: Observable[]) => a.length == b.length && a.every((o) => b.includes(o));
    const meter = {
      addBatchObservableCallback(callback: BatchObservableCallback, list: unknown) {
        if (typeof callback != "function") return warnOnce("batch: non-function callback ignored");
        const o = own(list);
        if (!batch.some(([c, l]) => c == callback && same(l, o))) batch.push([callback, o]);
      },
      removeBatchObservableCallback(callback: BatchObservableCallback, list: unknown) {
        const o = own(list);
        const i = batch.findIndex(([c, l]) => c == callback && same(l, o));
        if (i >= 0) batch.splice(i, 1);
      },
    } as Record<string, Function>;
    for (const kind in KINDS) meter["create" + kind] = (n: string, o?: MetricOptions) => create(kind, n, o);
    return meter as unknown as Meter;
  }

  async function collect(timeout: number): Promise<ResourceMetrics> {
    const tasks: unknown[] = [];
    const failed = () => warnOnce("an observable callback failed");
    /** Runs one callback; a throw or rejection is reported once. */
    const run = (cb: Function, arg: unknown): void => {
      try {
        const r = cb(arg);
        if (r && typeof r.then == "function") tasks.push(Promise.resolve(r).catch(failed));
      } catch {
        failed();
      }
    };
    /** Validated by the stream's own rules; never throws into a callback. */
    const observe = (stream: Stream | undefined, value: unknown, attributes: unknown): void => {
      try {
        stream!.r(value, attributes);
      } catch {
        warnOnce("unreadable observation dropped");
      }
    };
    for (const { k: streams, b: batch } of meters.values()) {
      for (const s of streams) {
        if (!s.c) continue;
        const b = (s.b = new Map());
        // Closed with its collection: a late callback of an earlier one observes nothing.
        for (const cb of s.c.slice()) run(cb, { observe: (v: unknown, a: unknown) => b == s.b && observe(s, v, a) });
      }
      for (const [cb, list] of batch.slice())
        run(cb, {
          observe: (o: Observable, v: unknown, a: unknown) =>
            list.includes(o) ? observe(observables.get(o), v, a) : warnOnce("batch: unregistered observable ignored"),
        });
    }
    // A hanging callback cannot hang the flush: late observations are ignored (`k` closes them).
    if (tasks.length) await within(Promise.all(tasks), timeout);
    const time = now();
    const scopeMetrics = [];
    for (const { s: scope, k: streams } of meters.values()) {
      const metrics: MetricData[] = [];
      for (const s of streams) s.k(time, metrics);
      if (metrics.length) scopeMetrics.push({ scope, metrics });
    }
    return { resource: config.resource, scopeMetrics };
  }

  return { getMeter, collect };
}
