/**
 * Exemplars (spec: Metrics SDK "Exemplar"): measurements kept together with the trace
 * they were made in, so a metric point can link to an example trace.
 *
 * - Filter: `trace_based` (default) offers a measurement only when the context of the
 *   measurement (the explicit `context` argument, else the active one) holds a SAMPLED span;
 *   `always_on` offers every measurement (one made outside a span carries all-zero trace
 *   and span ids, which the encoders leave out); `always_off` none.
 * - Reservoirs, one per data point and reader: `AlignedHistogramBucketExemplarReservoir` for
 *   explicit-bucket histograms (the latest measurement of each bucket) and
 *   `SimpleFixedSizeExemplarReservoir` (uniform reservoir sampling, size 1 by default) for
 *   everything else.
 */
import type { Attributes } from "../common/attributes.ts";
import type { Context } from "../context/context.ts";
import { activeContext } from "../context/context-api.ts";
import { INVALID_SPAN_ID, INVALID_TRACE_ID, isSampled, isSpanContextValid, type SpanContext } from "../trace/span-context.ts";
import { getSpanContext } from "../trace/span-in-context.ts";
import type { Exemplar } from "./types.ts";

/** Which measurements may become exemplars (spec: "ExemplarFilter"). */
export type ExemplarFilter = "trace_based" | "always_on" | "always_off";

/** A view's choice of exemplar reservoir (default: aligned buckets for explicit histograms, else simple size 1). */
export type ExemplarReservoirConfig =
  | { readonly type: "simpleFixedSize"; readonly size?: number }
  | { readonly type: "alignedHistogramBucket" }
  | { readonly type: "none" };

/** Keeps sampled measurements for one data point until collection. */
export interface ExemplarReservoir {
  /** Offers a measurement. `bucket` is the histogram bucket index, or -1. */
  offer(value: number, time: number, attributes: Attributes, spanContext: SpanContext | undefined, bucket: number): void;
  /** The kept exemplars; with `reset` they are forgotten (delta temporality). */
  collect(reset: boolean): Exemplar[];
}

const NO_SPAN = { traceId: INVALID_TRACE_ID, spanId: INVALID_SPAN_ID };

// A measurement outside any span under `always_on`: no trace to link. Marked so that the
// per-measurement check allocates nothing.
const NO_TRACE: SpanContext = /* @__PURE__ */ Object.freeze({ traceId: INVALID_TRACE_ID, spanId: INVALID_SPAN_ID, traceFlags: 0 });

/**
 * The span context a measurement's exemplar would carry, or undefined when the filter
 * rejects the measurement. Called once per measurement, before any storage lookup.
 */
export function exemplarSpanContext(filter: ExemplarFilter, ctx: Context | undefined): SpanContext | undefined {
  if (filter === "always_off") return undefined;
  let sc: SpanContext | undefined;
  try {
    sc = getSpanContext(ctx ?? activeContext());
  } catch {
    return undefined; // a broken context must not break recording
  }
  if (filter === "trace_based") return sc !== undefined && isSpanContextValid(sc) && isSampled(sc) ? sc : undefined;
  return sc !== undefined && isSpanContextValid(sc) ? sc : NO_TRACE;
}

function exemplar(value: number, time: number, attributes: Attributes, sc: SpanContext | undefined): Exemplar {
  const ids = sc === undefined || sc === NO_TRACE ? NO_SPAN : sc;
  return { value, time, traceId: ids.traceId, spanId: ids.spanId, filteredAttributes: attributes };
}

/**
 * A fixed number of exemplar slots, kept until collection. Spec "SimpleFixedSizeExemplarReservoir":
 * uniform reservoir sampling (Algorithm R) over the measurements since the last collection; with
 * `aligned`, spec "AlignedHistogramBucketExemplarReservoir": one slot per histogram bucket,
 * holding the bucket's latest measurement. Both differ only in the slot a measurement takes.
 */
export class SimpleFixedSizeExemplarReservoir implements ExemplarReservoir {
  readonly #items: Array<Exemplar | undefined>;
  readonly #aligned: boolean;
  #seen = 0;

  constructor(size: number = 1, aligned: boolean = false) {
    this.#items = new Array(Math.max(1, Math.floor(size) || 1));
    this.#aligned = aligned;
  }

  offer(value: number, time: number, attributes: Attributes, sc: SpanContext | undefined, bucket: number): void {
    const size = this.#items.length;
    const n = this.#seen++;
    const slot = this.#aligned ? bucket : n < size ? n : Math.floor(Math.random() * (n + 1));
    if (slot >= 0 && slot < size) this.#items[slot] = exemplar(value, time, attributes, sc);
  }

  collect(reset: boolean): Exemplar[] {
    const out: Exemplar[] = [];
    for (const e of this.#items) if (e !== undefined) out.push(e);
    // The sampling count restarts every collection so new measurements get a fair chance
    // against the kept ones (spec: the reservoir "resets" its measurement count on collect).
    this.#seen = 0;
    if (reset) this.#items.fill(undefined);
    return out;
  }
}

/**
 * The default reservoir of a stream (spec: "Exemplar defaults"): one slot per bucket for an
 * explicit-bucket histogram (an aggregator with `boundaries`), else one simple slot.
 */
export function defaultReservoir(aggregator: { readonly boundaries?: readonly number[] }): () => ExemplarReservoir {
  const buckets = aggregator.boundaries === undefined ? 0 : aggregator.boundaries.length + 1;
  return buckets > 0 ? () => new SimpleFixedSizeExemplarReservoir(buckets, true) : () => new SimpleFixedSizeExemplarReservoir();
}

/** Builds a view's reservoir factory for a stream, or undefined when the stream keeps no exemplars. */
export function reservoirFactory(
  config: ExemplarReservoirConfig | undefined,
  aggregationKind: string,
  histogramBuckets: number,
): (() => ExemplarReservoir) | undefined {
  const type = config?.type ?? (aggregationKind === "explicitBucketHistogram" ? "alignedHistogramBucket" : "simpleFixedSize");
  if (type === "none" || aggregationKind === "drop") return undefined;
  if (type === "alignedHistogramBucket" && histogramBuckets > 0) return () => new SimpleFixedSizeExemplarReservoir(histogramBuckets, true);
  const size = config?.type === "simpleFixedSize" ? (config.size ?? 1) : 1;
  return () => new SimpleFixedSizeExemplarReservoir(size);
}
