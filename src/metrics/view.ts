/**
 * Views (spec: Metrics SDK "View"): select instruments by name (wildcards `*` and `?`),
 * kind and meter identity, and change the resulting stream — rename, re-describe, pick
 * another aggregation, keep only some attribute keys, set a cardinality limit or an
 * exemplar reservoir. An instrument matched by no view gets the default stream; one matched
 * by several views gets one stream per view; a view with the `drop` aggregation removes
 * the stream.
 *
 * A view is built with {@link view}, which the program imports: a provider without views
 * carries none of this (DESIGN, "Pay for what you use"). Invalid views are configuration
 * errors: `view()` throws, saying what is wrong. Field types are the compiler's job.
 */
import { describe } from "../common/describe.ts";
import { diag, diagOnce } from "../common/diag.ts";
import type { Aggregation, AnyAggregator } from "./aggregation/aggregator.ts";
import { createAggregator, defaultAggregator, type AggregationConfig } from "./aggregation/default-aggregation.ts";
import { filteredOut } from "./attribute-set.ts";
import { reservoirFactory, type ExemplarReservoirConfig } from "./exemplar.ts";
import type { StreamConfig } from "./sync-storage.ts";
import { InstrumentType, type MetricDescriptor } from "./types.ts";

/** What {@link view} builds a view from: instrument selection criteria plus the stream configuration to apply. */
export interface ViewOptions {
  /** Instrument name; `*` matches any run of characters, `?` one character; case-insensitive (instrument names are). */
  instrumentName?: string;
  /** Instrument kind. */
  instrumentType?: InstrumentType;
  /** Meter name (exact). */
  meterName?: string;
  /** Meter version (exact). */
  meterVersion?: string;
  /** Meter schema URL (exact). */
  meterSchemaUrl?: string;
  /** New stream name. Only valid when the selector matches at most one instrument (an exact `instrumentName`). */
  name?: string;
  /** New stream description. */
  description?: string;
  /**
   * The aggregation; default: the instrument kind's default. By name for the built-in ones
   * (`{ type: "sum" | "lastValue" | "drop" }`, `{ type: "explicitBucketHistogram", boundaries }`;
   * `drop` removes the stream), else the imported aggregation (`exponentialHistogram()`, `summary()`).
   */
  aggregation?: Aggregation | AggregationConfig;
  /** Keep only these attribute keys (the others go to exemplars' filtered attributes). */
  attributeKeys?: readonly string[];
  /** Maximum distinct attribute sets of the stream before the overflow series; default the provider's. */
  cardinalityLimit?: number;
  /** Exemplar reservoir of the stream. */
  exemplarReservoir?: ExemplarReservoirConfig;
}

/** The identity of a meter, as views select it. */
export interface MeterIdentity {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** A validated view, as a `MeterProvider` takes it (built by {@link view}). */
export interface View {
  /** The options it was built from. */
  readonly options: ViewOptions;
  /**
   * The stream this view gives an instrument: undefined when the view does not select it,
   * null when it drops it. `adviceBoundaries`: the instrument's valid advised boundaries;
   * `streamNames`: the (lower-cased) names of the meter's streams so far.
   */
  streamFor(
    descriptor: MetricDescriptor,
    meter: MeterIdentity,
    adviceBoundaries: readonly number[] | undefined,
    cardinalityLimit: number,
    streamNames: ReadonlySet<string>,
  ): StreamConfig | null | undefined;
}

/** The instrument name syntax (spec: API "Instrument name syntax"). */
export const INSTRUMENT_NAME_PATTERN: RegExp = /^[A-Za-z][A-Za-z0-9_./-]{0,254}$/;

/** What {@link INSTRUMENT_NAME_PATTERN} requires, for messages. */
export const INSTRUMENT_NAME_RULE = "a letter, then up to 254 of A-Z a-z 0-9 _ . / -";

/**
 * Builds a view for `new MeterProvider({ views })`.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [view({ instrumentName: "http.*", attributeKeys: ["http.route"] })] });
 * ```
 * @throws TypeError/RangeError when the view selects nothing, renames to an invalid name, or
 * has an invalid cardinality limit, attribute keys or aggregation.
 */
export function view(options: ViewOptions): View {
  const where = "Invalid view";
  const { instrumentName, instrumentType, meterName, meterVersion, meterSchemaUrl, attributeKeys, aggregation, cardinalityLimit } = options ?? {};
  if (instrumentName === undefined && instrumentType === undefined && meterName === undefined && meterVersion === undefined && meterSchemaUrl === undefined) {
    // Spec: a view without any selection criteria is an error (it would silently apply to everything).
    throw new TypeError(`${where}: give at least one selection criterion (instrumentName, instrumentType, meterName, meterVersion or meterSchemaUrl); use instrumentName: "*" to select every instrument`);
  }
  let rename = options.name;
  if (rename !== undefined) {
    if (!INSTRUMENT_NAME_PATTERN.test(rename)) throw new TypeError(`${where}: name ${JSON.stringify(rename)} is not a valid instrument name (${INSTRUMENT_NAME_RULE})`);
    if (instrumentName === undefined || /[*?]/.test(instrumentName)) {
      // Spec: renaming is only allowed when the selector can match at most one instrument;
      // otherwise several instruments would collide under one name.
      diag.warn(`${where}: ignoring name ${JSON.stringify(rename)} because the view may select more than one instrument (give an exact instrumentName to rename).`);
      rename = undefined;
    }
  }
  if (attributeKeys !== undefined && !Array.isArray(attributeKeys)) throw new TypeError(`${where}: attributeKeys must be an array of strings`);
  if (cardinalityLimit !== undefined) validateCardinalityLimit(cardinalityLimit, where);
  if (aggregation !== undefined) {
    // Build one aggregator now so invalid options (boundaries, an unknown type) throw here, at
    // construction, with the aggregation's own message.
    try {
      createAggregator(aggregation, instrumentType ?? InstrumentType.HISTOGRAM);
    } catch (e) {
      throw new (e instanceof RangeError ? RangeError : TypeError)(`${where}: ${describe(e)}`);
    }
  }
  const keep = attributeKeys && new Set(attributeKeys);
  const nameRe = instrumentName === undefined ? undefined : new RegExp(`^${instrumentName.replace(/[.+^${}()|[\]\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return {
    options,
    streamFor(d, meter, boundaries, limit, streamNames) {
      if (
        (nameRe !== undefined && !nameRe.test(d.name)) ||
        (instrumentType !== undefined && instrumentType !== d.type) ||
        (meterName !== undefined && meterName !== meter.name) ||
        (meterVersion !== undefined && meterVersion !== (meter.version ?? "")) ||
        (meterSchemaUrl !== undefined && meterSchemaUrl !== (meter.schemaUrl ?? ""))
      ) {
        return undefined;
      }
      if (aggregation?.type === "drop") return null;
      let aggregator: AnyAggregator;
      try {
        aggregator = createAggregator(aggregation, d.type, boundaries);
      } catch (e) {
        // The view was checked with another instrument kind (or none): this one does not fit it.
        diagOnce("warn", `metric-view-agg:${d.name}`, `View aggregation for ${d.name} failed (${describe(e)}); using the default aggregation.`);
        aggregator = defaultAggregator(d.type, boundaries);
      }
      const name = rename ?? d.name;
      if (name !== d.name && streamNames.has(name.toLowerCase())) {
        diagOnce("warn", `metric-stream-conflict:${name.toLowerCase()}`, `Two metric streams are named ${JSON.stringify(name)} (a view renamed one onto another); both are reported.`);
      }
      const buckets = ((aggregator as { boundaries?: readonly number[] }).boundaries?.length ?? -1) + 1;
      return {
        descriptor: Object.freeze({ ...d, name, description: options.description ?? d.description }),
        aggregator,
        attributeKeys: keep,
        filteredOut: keep && ((raw) => filteredOut(raw, keep)),
        cardinalityLimit: cardinalityLimit ?? limit,
        reservoir: reservoirFactory(options.exemplarReservoir, aggregator.kind, buckets),
      };
    },
  };
}

/** Throws RangeError unless `limit` is a positive integer. */
export function validateCardinalityLimit(limit: unknown, where: string): void {
  if (!Number.isInteger(limit) || (limit as number) < 1) throw new RangeError(`${where}: cardinalityLimit must be a positive integer, got ${String(limit)}`);
}
