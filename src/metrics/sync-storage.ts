/**
 * Storage of one synchronous stream (one instrument × one view): an accumulation per
 * attribute set, per temporality group of readers.
 *
 * - All cumulative readers share one accumulation per series; each delta reader has its own,
 *   reset when that reader collects. So two readers with different temporality are both
 *   right, and one reader costs one `aggregator.record` per measurement.
 * - Lookup: the same attributes object passed again (unchanged) skips the canonical-key
 *   path through a last-object check and a WeakMap; `bind()` skips the lookup entirely.
 *   Fresh objects with primitive values go through an index: nested Maps over the raw
 *   entries in the caller's key order. Map lookups of (usually internalized) strings hash in
 *   O(1), whereas the canonical key is a new string to build, flatten and hash on every call.
 * - Cardinality (spec: Metrics SDK "Cardinality limits"): at most `cardinalityLimit`
 *   distinct attribute sets; further sets are aggregated into one overflow series with the
 *   attribute `otel.metric.overflow: true`.
 * - When every reader of the stream is delta, series not recorded since the last collection
 *   are forgotten, so rotating attribute sets do not exhaust the limit.
 * - Measurements made before any reader exists are kept in a pending accumulation that the
 *   first reader to register adopts (readers can be added later: `prometheusHandler(sdk)`
 *   after the app has started recording), so nothing recorded is lost.
 */
import type { Attributes } from "../common/attributes.ts";
import { now } from "../common/time.ts";
import type { SpanContext } from "../trace/span-context.ts";
import type { AnyAggregator } from "./aggregation/aggregator.ts";
import { EMPTY_SET, sameAsSnapshot, snapshot, toAttributeSet, type AttributeSet } from "./attribute-set.ts";
import { defaultReservoir, type ExemplarReservoir } from "./exemplar.ts";
import { toMetricData } from "./metric-data.ts";
import { streamTemporality, type TemporalitySelector } from "./temporality.ts";
import type { AggregationTemporality, DataPoint, MetricData, MetricDescriptor } from "./types.ts";

/** A reader as storages see it: an id (dense, per provider) and its temporality choice. */
export interface ReaderSlot {
  readonly id: number;
  readonly select: TemporalitySelector;
}

/** What a stream is made of (after views). */
export interface StreamConfig {
  readonly descriptor: MetricDescriptor;
  readonly aggregator: AnyAggregator;
  /** Keys kept by the view's attribute filter, or undefined to keep all. */
  readonly attributeKeys?: ReadonlySet<string>;
  /** With `attributeKeys`: the entries the filter removed, which exemplars keep (spec: "filtered attributes"). */
  readonly filteredOut?: (raw: Attributes | undefined) => Attributes;
  readonly cardinalityLimit: number;
  readonly reservoir: (() => ExemplarReservoir) | undefined;
}

/** A stream without a view: every attribute kept, the default exemplar reservoir of its aggregation. */
export function streamConfig(descriptor: MetricDescriptor, aggregator: AnyAggregator, cardinalityLimit: number): StreamConfig {
  return { descriptor, aggregator, cardinalityLimit, reservoir: defaultReservoir(aggregator as { boundaries?: readonly number[] }) };
}

/** The attributes of the overflow series (spec: "Overflow attribute"). */
export const OVERFLOW_ATTRIBUTES: Attributes = /* @__PURE__ */ Object.freeze({ "otel.metric.overflow": true });

/** One series: an attribute set and its accumulations (one per temporality group). */
export interface Cell {
  readonly attributes: Attributes;
  readonly key: string;
  readonly accs: unknown[];
  /** `updates` when accumulation i was last reset (delta) or created (cumulative). */
  readonly marks: number[];
  readonly starts: number[];
  reservoirs: Array<ExemplarReservoir | undefined> | undefined;
  updates: number;
  /** Evicted: holders of this cell (caches, bound instruments) must look it up again. */
  dead: boolean;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Marks the end of an entry path in the index (a symbol: cannot collide with a string key). */
const LEAF: unique symbol = /* @__PURE__ */ Symbol("leaf");
/** A node of the index: key → (value → node), and the cell at {@link LEAF} when a path ends here. */
type IndexNode = Map<unknown, unknown>;

interface CacheEntry {
  readonly cell: Cell;
  readonly snap: unknown[];
}

/** The storage of one synchronous stream. */
export class SyncMetricStorage {
  readonly descriptor: MetricDescriptor;
  readonly #agg: AnyAggregator;
  readonly #keep: ReadonlySet<string> | undefined;
  readonly #limit: number;
  readonly #reservoir: (() => ExemplarReservoir) | undefined;
  readonly #filteredOut: StreamConfig["filteredOut"];
  readonly #cells = new Map<string, Cell>();
  #overflow: Cell | undefined;
  #empty: Cell | undefined;
  #lastObj: object | undefined;
  #lastEntry: CacheEntry | undefined;
  #cache = new WeakMap<object, CacheEntry>();
  #indexLeaves = 0;
  #shapeKeys: string[] | undefined;
  #shapeIndex: IndexNode = new Map();
  #score = 64;
  #sampled = 0;
  #accCount = 0;
  #cumulativeAcc = -1;
  readonly #accOf: number[] = [];
  readonly #temporality: AggregationTemporality[] = [];
  readonly #lastCollect: number[] = [];
  /** Time the pending accumulation (index 0, no reader yet) was created; undefined when none. */
  #pendingSince: number | undefined;

  constructor(config: StreamConfig) {
    this.descriptor = config.descriptor;
    this.#agg = config.aggregator;
    this.#keep = config.attributeKeys;
    this.#limit = config.cardinalityLimit;
    this.#reservoir = config.reservoir;
    this.#filteredOut = config.filteredOut;
  }

  /** Starts keeping state for `reader` (at registration, or when the stream is created). */
  addReader(reader: ReaderSlot, time: number): void {
    const t = streamTemporality(reader.select, this.descriptor.type, this.#agg.kind);
    if (this.#pendingSince !== undefined) {
      // The first reader adopts what was recorded before it: cumulative from the stream's start,
      // or, for a delta reader, as its first window.
      this.#accOf[reader.id] = 0;
      this.#temporality[reader.id] = t;
      this.#lastCollect[reader.id] = this.#pendingSince;
      if (t === "delta") this.#cumulativeAcc = -1;
      this.#pendingSince = undefined;
      return;
    }
    let idx: number;
    if (t === "cumulative" && this.#cumulativeAcc >= 0) idx = this.#cumulativeAcc;
    else {
      idx = this.#accCount++;
      if (t === "cumulative") this.#cumulativeAcc = idx;
      const extend = (cell: Cell) => {
        cell.accs.push(this.#agg.create());
        cell.marks.push(cell.updates);
        cell.starts.push(time);
      };
      for (const cell of this.#cells.values()) extend(cell);
      if (this.#overflow) extend(this.#overflow);
    }
    this.#accOf[reader.id] = idx;
    this.#temporality[reader.id] = t;
    this.#lastCollect[reader.id] = time;
  }

  /** Records one (already validated) measurement. `sc` is set when the exemplar filter accepted it. */
  record(value: number, attributes: Attributes | undefined, sc: SpanContext | undefined): void {
    this.recordInto(this.cellFor(attributes), value, attributes, sc);
  }

  /** Records into a known series (bound instruments). */
  recordInto(cell: Cell, value: number, attributes: Attributes | undefined, sc: SpanContext | undefined): void {
    const accs = cell.accs;
    const agg = this.#agg;
    for (let i = 0; i < accs.length; i++) agg.record(accs[i], value);
    cell.updates++;
    if (sc !== undefined && this.#reservoir !== undefined) this.#offer(cell, value, attributes, sc);
  }

  /** The live series for `attributes` (created, or the overflow series, when new). */
  cellFor(attributes: Attributes | undefined): Cell {
    if (this.#accCount === 0) {
      // No reader yet: keep the data in a pending (cumulative) accumulation for the first one.
      this.#accCount = 1;
      this.#cumulativeAcc = 0;
      this.#pendingSince = now();
    }
    if (attributes === undefined || attributes === null) {
      const e = this.#empty;
      return e !== undefined && !e.dead ? e : (this.#empty = this.#lookup(attributes, undefined));
    }
    let entry = attributes === this.#lastObj ? this.#lastEntry : undefined;
    // While the score is zero (fresh objects every call) the WeakMap is only asked every 16th call.
    if (entry === undefined && typeof attributes === "object" && (this.#score > 0 || (this.#sampled & 15) === 0)) {
      entry = this.#cache.get(attributes);
      if (entry !== undefined) {
        this.#lastObj = attributes;
        this.#lastEntry = entry;
      }
    }
    if (entry !== undefined && !entry.cell.dead && sameAsSnapshot(attributes, entry.snap)) {
      if (this.#score < 64) this.#score++;
      return entry.cell;
    }
    // Callers passing a fresh object literal every time would only fill the WeakMap with garbage
    // (an insert costs more than the lookup it could save). A score rises with cache hits and
    // falls with misses; while it is at zero only one miss in 256 is cached, so objects that are
    // in fact reused still get in, and their hits turn caching fully back on.
    const score = this.#score;
    if (score > 0) this.#score = score - 1;
    const sampled = ++this.#sampled;
    const cache = typeof attributes === "object" && (score > 0 || (sampled & 255) === 0);
    if (!cache) return this.#indexed(attributes);
    const snap = snapshot(attributes);
    if (snap === undefined) return this.#lookup(attributes, undefined);
    const cell = this.#indexed(attributes);
    if (cell !== this.#overflow) {
      const cached = { cell, snap };
      this.#cache.set(attributes, cached);
      this.#lastObj = attributes;
      this.#lastEntry = cached;
    }
    return cell;
  }

  // The index is a cache of #lookup for fresh objects of one "shape": the first key sequence
  // seen, own keys in the caller's order, every value a string, number or boolean (callers
  // usually pass the same keys in the same order). It maps the values alone, one Map per
  // entry, to the cell: one look-up per entry and no allocation, where the canonical key is a
  // new string to build, flatten and hash. Anything else takes #lookup. It holds no overflow
  // results (those must stay countable), is dropped on eviction, and is bounded.
  #indexed(raw: Attributes): Cell {
    const keys = this.#shapeKeys;
    let node: IndexNode | undefined = this.#shapeIndex;
    let n = 0;
    try {
      for (const k in raw) {
        const v = raw[k];
        const t = typeof v;
        // Another shape, an inherited key, or a value compared by content or dropped.
        if ((keys !== undefined && k !== keys[n]) || !hasOwn.call(raw, k) || (t !== "string" && t !== "number" && t !== "boolean")) return this.#lookup(raw, undefined);
        node = node?.get(v) as IndexNode | undefined;
        n++;
      }
    } catch {
      return this.#lookup(raw, undefined); // a throwing getter: reported there
    }
    if (keys !== undefined && n !== keys.length) return this.#lookup(raw, undefined);
    const hit = node?.get(LEAF) as Cell | undefined;
    if (hit !== undefined && !hit.dead) return hit;
    const cell = this.#lookup(raw, undefined);
    if (cell !== this.#overflow && n > 0) {
      if (this.#indexLeaves >= 4 * this.#limit + 64) this.#clearIndex();
      try {
        this.#shapeKeys ??= Object.keys(raw);
        node = this.#shapeIndex;
        for (const k of this.#shapeKeys) {
          const v = raw[k];
          let next = node.get(v) as IndexNode | undefined;
          if (next === undefined) node.set(v, (next = new Map()));
          node = next;
        }
        if (!node.has(LEAF)) this.#indexLeaves++;
        node.set(LEAF, cell);
      } catch {
        // A getter that threw only now: the series is still right, just not indexed.
      }
    }
    return cell;
  }

  #clearIndex(): void {
    this.#indexLeaves = 0;
    this.#shapeIndex = new Map();
    this.#shapeKeys = undefined;
  }

  #lookup(raw: Attributes | undefined, snap: unknown[] | undefined): Cell {
    const set = toAttributeSet(raw, this.#keep);
    let cell = this.#cells.get(set.key);
    if (cell === undefined) {
      if (this.#cells.size >= this.#limit) return (this.#overflow ??= this.#newCell({ attributes: OVERFLOW_ATTRIBUTES, key: "\u0000overflow" }));
      cell = this.#newCell(set);
      this.#cells.set(set.key, cell);
    }
    if (snap !== undefined && raw !== undefined) {
      const entry = { cell, snap };
      this.#cache.set(raw, entry);
      this.#lastObj = raw;
      this.#lastEntry = entry;
    }
    return cell;
  }

  #newCell(set: AttributeSet): Cell {
    const n = this.#accCount;
    const accs = new Array<unknown>(n);
    for (let i = 0; i < n; i++) accs[i] = this.#agg.create();
    const t = now();
    return {
      attributes: set.attributes,
      key: set.key,
      accs,
      marks: new Array<number>(n).fill(0),
      starts: new Array<number>(n).fill(t),
      reservoirs: undefined,
      updates: 0,
      dead: false,
    };
  }

  #offer(cell: Cell, value: number, raw: Attributes | undefined, sc: SpanContext): void {
    const make = this.#reservoir!;
    const dropped = this.#filteredOut?.(raw) ?? EMPTY_SET.attributes;
    const time = now();
    const reservoirs = (cell.reservoirs ??= []);
    for (let i = 0; i < cell.accs.length; i++) {
      const bucket = this.#agg.bucketIndex ? this.#agg.bucketIndex(cell.accs[i], value) : -1;
      (reservoirs[i] ??= make()).offer(value, time, dropped, sc, bucket);
    }
  }

  /** Collects the stream for `reader` at `time`; undefined when it has no points. */
  collect(reader: ReaderSlot, time: number): MetricData | undefined {
    const idx = this.#accOf[reader.id];
    if (idx === undefined) return undefined;
    const temporality = this.#temporality[reader.id];
    const delta = temporality === "delta";
    const start = this.#lastCollect[reader.id];
    this.#lastCollect[reader.id] = time;
    const agg = this.#agg;
    const points: DataPoint<unknown>[] = [];
    const visit = (cell: Cell): void => {
      // Nothing recorded into this accumulation since its reset (delta) or creation (cumulative).
      if (cell.updates === cell.marks[idx]) return;
      const acc = cell.accs[idx];
      const exemplars = cell.reservoirs?.[idx]?.collect(delta) ?? [];
      points.push({ attributes: cell.attributes, startTime: delta ? start : cell.starts[idx], time, value: agg.toValue(acc), exemplars });
      if (delta) {
        agg.reset(acc);
        cell.marks[idx] = cell.updates;
      }
    };
    for (const cell of this.#cells.values()) visit(cell);
    if (this.#overflow) visit(this.#overflow);
    if (delta && this.#cumulativeAcc < 0) this.#evictIdle();
    return toMetricData(this.descriptor, agg, temporality, points);
  }

  // Every reader is delta: a series with nothing pending for any of them carries no state
  // worth keeping, so it is dropped (and frees its place under the cardinality limit).
  #evictIdle(): void {
    const idle = (cell: Cell): boolean => {
      for (let i = 0; i < cell.marks.length; i++) if (cell.marks[i] !== cell.updates) return false;
      return true;
    };
    if (this.#indexLeaves > 0) this.#clearIndex(); // its paths may lead to evicted cells
    for (const [key, cell] of this.#cells) {
      if (idle(cell)) {
        cell.dead = true;
        this.#cells.delete(key);
      }
    }
    if (this.#overflow && idle(this.#overflow)) {
      this.#overflow.dead = true;
      this.#overflow = undefined;
    }
  }
}
