/**
 * The meter provider (spec: Metrics SDK "MeterProvider"): owns the resource, views,
 * cardinality limit, exemplar filter and readers, and hands out meters (one per
 * instrumentation scope). Readers may be added after construction (the Prometheus handler
 * registers its own reader on a running SDK); each reader gets its own temporality state.
 */
import { describe } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import { monotonicNow, now } from "../common/time.ts";
import { DEFAULT_RESOURCE } from "../resource/resource.ts";
import type { Resource } from "../resource/resource.ts";
import type { InstrumentationScope } from "../trace/types.ts";
import type { AsyncMetricStorage } from "./async-storage.ts";
import type { ExemplarFilter } from "./exemplar.ts";
import { NOOP_INSTRUMENT, NOOP_OBSERVABLE } from "./instruments.ts";
import { SdkMeter, type Meter, type MeterSharedState } from "./meter.ts";
import { DEFAULT_COLLECT_TIMEOUT_MILLIS, type CollectionListener, type CollectionResult, type CollectOptions, type MetricReader } from "./reader.ts";
import type { ReaderSlot, SyncMetricStorage } from "./sync-storage.ts";
import type { ScopeMetrics } from "./types.ts";
import { validateCardinalityLimit, type View } from "./view.ts";

/** Options of {@link MeterProvider}. */
export interface MeterProviderOptions {
  /** The resource every metric carries. Default: `{ service.name: "unknown_service" }`. */
  resource?: Resource;
  /** Readers to register now (more can be added with `addMetricReader`). */
  readers?: MetricReader[];
  /** Views, each built with `view({ ... })` (which checks it). */
  views?: View[];
  /** Distinct attribute sets per stream before the overflow series (spec default 2000). */
  cardinalityLimit?: number;
  /** Which measurements may become exemplars; default `"trace_based"`. */
  exemplarFilter?: ExemplarFilter;
  /**
   * Called after every collection by any reader, including readers added later (the
   * Prometheus handler's), with its duration and failure (SDK self-observability:
   * `otel.sdk.metric_reader.collection.duration`). Must not throw (errors are swallowed).
   */
  onCollect?: CollectionListener;
}

/** Options of `getMeter`, as in `@opentelemetry/api`. */
export interface MeterOptions {
  schemaUrl?: string;
}

/** A meter that records nothing (after shutdown). */
export const NOOP_METER: Meter = /* @__PURE__ */ Object.freeze({
  createCounter: () => NOOP_INSTRUMENT,
  createUpDownCounter: () => NOOP_INSTRUMENT,
  createHistogram: () => NOOP_INSTRUMENT,
  createGauge: () => NOOP_INSTRUMENT,
  createObservableCounter: () => NOOP_OBSERVABLE,
  createObservableUpDownCounter: () => NOOP_OBSERVABLE,
  createObservableGauge: () => NOOP_OBSERVABLE,
  addBatchObservableCallback: () => {},
  removeBatchObservableCallback: () => {},
});

interface ReaderEntry extends ReaderSlot {
  readonly reader: MetricReader;
}

/**
 * The SDK's meter provider.
 *
 * @example
 * ```ts
 * const reader = new ManualMetricReader();
 * const provider = new MeterProvider({ readers: [reader], views: [view({ instrumentName: "http.*", attributeKeys: ["http.route"] })] });
 * const requests = provider.getMeter("shop").createCounter("http.requests");
 * requests.add(1, { "http.route": "/cart" });
 * const { resourceMetrics } = await reader.collect();
 * ```
 */
export class MeterProvider {
  /** The resource metrics from this provider carry. */
  readonly resource: Resource;
  readonly #meters = new Map<string, SdkMeter>();
  readonly #readers: ReaderEntry[] = [];
  readonly #storages: Array<SyncMetricStorage | AsyncMetricStorage> = [];
  readonly #shared: MeterSharedState;
  readonly #onCollect: CollectionListener | undefined;
  #shutdown: Promise<void> | undefined;

  /** Throws TypeError/RangeError for invalid views, cardinality limit, exemplar filter or `onCollect`. */
  constructor(options: MeterProviderOptions = {}) {
    const where = "Cannot create MeterProvider";
    this.resource = options.resource ?? DEFAULT_RESOURCE;
    const limit = options.cardinalityLimit ?? 2000;
    validateCardinalityLimit(limit, where);
    const filter = options.exemplarFilter ?? "trace_based";
    if (filter !== "trace_based" && filter !== "always_on" && filter !== "always_off") {
      throw new TypeError(`${where}: exemplarFilter must be "trace_based", "always_on" or "always_off", got ${JSON.stringify(filter)}`);
    }
    if (options.onCollect !== undefined && typeof options.onCollect !== "function") throw new TypeError(`${where}: onCollect must be a function`);
    this.#onCollect = options.onCollect;
    const storages = this.#storages;
    this.#shared = {
      views: (options.views ?? []).map((v, i) => {
        // A plain definition would need the view machinery, which only view() brings in.
        if (typeof v?.streamFor !== "function") throw new TypeError(`${where}: views[${i}] is not a view: build it with view({ ... })`);
        return v;
      }),
      cardinalityLimit: limit,
      exemplarFilter: filter,
      readers: this.#readers,
      registerStorage: (s) => void storages.push(s),
    };
    for (const reader of options.readers ?? []) this.addMetricReader(reader);
  }

  /** The meter for a scope; the same object for the same name, version and schema URL. */
  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    if (this.#shutdown !== undefined) return NOOP_METER;
    if (typeof name !== "string" || name === "") {
      // Spec: an invalid name still returns a working meter, with a warning.
      diag.warn(`getMeter: invalid meter name ${JSON.stringify(describe(name))}; using an empty name.`);
      name = "";
    }
    let url: unknown;
    try {
      url = options?.schemaUrl;
    } catch {
      // A throwing getter or Proxy trap: no schema URL (the API never throws, DESIGN principle 3).
    }
    const schemaUrl = typeof url === "string" && url !== "" ? url : undefined;
    const v = typeof version === "string" && version !== "" ? version : undefined;
    const key = `${name}\u0000${v ?? ""}\u0000${schemaUrl ?? ""}`;
    let meter = this.#meters.get(key);
    if (meter === undefined) {
      const scope: InstrumentationScope = Object.freeze({ name, version: v, schemaUrl });
      meter = new SdkMeter(scope, this.#shared);
      this.#meters.set(key, meter);
    }
    return meter;
  }

  /** Registers `reader`: from now on it can collect every stream of this provider. */
  addMetricReader(reader: MetricReader): void {
    if (reader === null || typeof reader !== "object" || typeof reader.setMetricProducer !== "function") {
      diag.warn("addMetricReader: not a metric reader; ignored.");
      return;
    }
    if (this.#readers.some((r) => r.reader === reader)) {
      diag.warn("addMetricReader: this reader is already registered; ignored.");
      return;
    }
    const select = (type: Parameters<MetricReader["selectAggregationTemporality"]>[0]) => reader.selectAggregationTemporality(type);
    const entry: ReaderEntry = { id: this.#readers.length, select, reader };
    const time = now();
    for (const s of this.#storages) s.addReader(entry, time);
    this.#readers.push(entry);
    reader.setMetricProducer({ collect: (options) => this.#collect(entry, options) });
  }

  async #collect(entry: ReaderEntry, options: CollectOptions | undefined): Promise<CollectionResult> {
    const listener = this.#onCollect;
    const started = listener !== undefined ? monotonicNow() : 0; // nothing measured unless someone listens
    const errors: unknown[] = [];
    // Spec (semconv otel.sdk.metric_reader.collection.duration): when some producers fail and
    // others succeed, error.type is any of the causes; the first one met is kept.
    let errorType: string | undefined;
    const timeout = options?.timeoutMillis ?? DEFAULT_COLLECT_TIMEOUT_MILLIS;
    const meters = [...this.#meters.values()];
    const buffers = await Promise.all(meters.map((m) => m.runCallbacks(timeout, errors, () => (errorType ??= "timeout"))));
    const time = now();
    const scopeMetrics: ScopeMetrics[] = [];
    for (let i = 0; i < meters.length; i++) {
      try {
        const sm = meters[i].collect(entry, buffers[i], time);
        if (sm) scopeMetrics.push(sm);
      } catch (e) {
        errors.push(e);
        errorType ??= "_OTHER";
        diag.error(`Metric collection failed for meter ${JSON.stringify(meters[i].scope.name)}: ${describe(e)}`);
      }
    }
    if (listener !== undefined) {
      try {
        listener({ reader: entry.reader, durationMillis: monotonicNow() - started, ...(errorType !== undefined ? { errorType } : {}) });
      } catch {
        // A listener must not break collection.
      }
    }
    return { resourceMetrics: { resource: this.resource, scopeMetrics }, errors, ...(errorType !== undefined ? { errorType } : {}) };
  }

  /** Makes every reader export what it has now (periodic readers collect and export). Never rejects. */
  forceFlush(): Promise<void> {
    return this.#eachReader("forceFlush");
  }

  /** Shuts every reader down (periodic readers export a last time). Later meters are no-ops. Never rejects. */
  shutdown(): Promise<void> {
    return (this.#shutdown ??= this.#eachReader("shutdown"));
  }

  // A user reader may throw synchronously or return a non-promise: called inside then().
  #eachReader(method: "forceFlush" | "shutdown"): Promise<void> {
    return Promise.all(
      this.#readers.map((r) => Promise.resolve().then(() => r.reader[method]()).catch((e) => diag.warn(`Metric reader ${method} failed: ${describe(e)}`))),
    ).then(() => {});
  }
}
