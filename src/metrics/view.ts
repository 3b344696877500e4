/**
 * Views (spec: Metrics SDK "View"): select instruments by name (wildcards `*` and `?`),
 * kind and meter identity, and change the resulting stream — rename, re-describe, pick
 * another aggregation, keep only some attribute keys, set a cardinality limit or an
 * exemplar reservoir. An instrument matched by no view gets the default stream; one matched
 * by several views gets one stream per view; a view with the `drop` aggregation removes
 * the stream.
 *
 * Invalid views are configuration errors: {@link compileView} throws at provider
 * construction, saying which view and what is wrong. Field types are the compiler's job.
 */
import { describe } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import type { Aggregation } from "./aggregation/aggregator.ts";
import { createAggregator, type AggregationConfig } from "./aggregation/default-aggregation.ts";
import type { ExemplarReservoirConfig } from "./exemplar.ts";
import { InstrumentType } from "./types.ts";

/** A view: instrument selection criteria plus the stream configuration to apply. */
export interface View {
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

/** A validated view, with its name selector compiled. */
export interface CompiledView {
  readonly view: View;
  readonly name: string | undefined;
  readonly matches: (instrumentName: string, type: InstrumentType, meter: MeterIdentity) => boolean;
}

/** The identity of a meter, as views select it. */
export interface MeterIdentity {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** The instrument name syntax (spec: API "Instrument name syntax"). */
export const INSTRUMENT_NAME_PATTERN: RegExp = /^[A-Za-z][A-Za-z0-9_./-]{0,254}$/;

/** What {@link INSTRUMENT_NAME_PATTERN} requires, for messages. */
export const INSTRUMENT_NAME_RULE = "a letter, then up to 254 of A-Z a-z 0-9 _ . / -";

/** Validates `view` and compiles its selector. Throws TypeError/RangeError when it is invalid. */
export function compileView(view: View, index: number): CompiledView {
  const where = `Invalid view #${index}`;
  const { instrumentName, instrumentType, meterName, meterVersion, meterSchemaUrl, attributeKeys } = view ?? {};
  if (instrumentName === undefined && instrumentType === undefined && meterName === undefined && meterVersion === undefined && meterSchemaUrl === undefined) {
    // Spec: a view without any selection criteria is an error (it would silently apply to everything).
    throw new TypeError(`${where}: give at least one selection criterion (instrumentName, instrumentType, meterName, meterVersion or meterSchemaUrl); use instrumentName: "*" to select every instrument`);
  }
  let name = view.name;
  if (name !== undefined) {
    if (!INSTRUMENT_NAME_PATTERN.test(name)) throw new TypeError(`${where}: name ${JSON.stringify(name)} is not a valid instrument name (${INSTRUMENT_NAME_RULE})`);
    if (instrumentName === undefined || /[*?]/.test(instrumentName)) {
      // Spec: renaming is only allowed when the selector can match at most one instrument;
      // otherwise several instruments would collide under one name.
      diag.warn(`${where}: ignoring name ${JSON.stringify(name)} because the view may select more than one instrument (give an exact instrumentName to rename).`);
      name = undefined;
    }
  }
  if (attributeKeys !== undefined && !Array.isArray(attributeKeys)) throw new TypeError(`${where}: attributeKeys must be an array of strings`);
  if (view.cardinalityLimit !== undefined) validateCardinalityLimit(view.cardinalityLimit, where);
  if (view.aggregation !== undefined) {
    // Build one aggregator now so invalid options (boundaries, an unknown type) throw here, at
    // construction, with the aggregation's own message.
    try {
      createAggregator(view.aggregation, instrumentType ?? InstrumentType.HISTOGRAM);
    } catch (e) {
      throw new (e instanceof RangeError ? RangeError : TypeError)(`${where}: ${describe(e)}`);
    }
  }
  const nameMatch = instrumentName === undefined ? undefined : wildcard(instrumentName);
  return {
    view,
    name,
    matches: (n, type, meter) =>
      (nameMatch === undefined || nameMatch(n)) &&
      (instrumentType === undefined || instrumentType === type) &&
      (meterName === undefined || meterName === meter.name) &&
      (meterVersion === undefined || meterVersion === (meter.version ?? "")) &&
      (meterSchemaUrl === undefined || meterSchemaUrl === (meter.schemaUrl ?? "")),
  };
}

/** Throws RangeError unless `limit` is a positive integer. */
export function validateCardinalityLimit(limit: unknown, where: string): void {
  if (!Number.isInteger(limit) || (limit as number) < 1) throw new RangeError(`${where}: cardinalityLimit must be a positive integer, got ${String(limit)}`);
}

function wildcard(pattern: string): (name: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`, "i");
  return (n) => re.test(n);
}
