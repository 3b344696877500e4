/**
 * Views (spec: Metrics SDK "View"): select instruments by name (wildcards `*` and `?`),
 * kind and meter identity, and change the resulting stream — rename, re-describe, pick
 * another aggregation, keep only some attribute keys, set a cardinality limit or an
 * exemplar reservoir. An instrument matched by no view gets the default stream; one matched
 * by several views gets one stream per view; a view with the `drop` aggregation removes
 * the stream.
 *
 * Invalid views are configuration errors: {@link compileView} throws at provider
 * construction with a message saying which field is wrong.
 */
import { describe } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import type { AggregationConfig } from "./aggregation/default-aggregation.ts";
import { createAggregator } from "./aggregation/default-aggregation.ts";
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
  /** The aggregation; default: the instrument kind's default. `{ type: "drop" }` removes the stream. */
  aggregation?: AggregationConfig;
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

const TYPES = /* @__PURE__ */ new Set<string>(/* @__PURE__ */ Object.values(InstrumentType));
const VIEW_KEYS = /* @__PURE__ */ new Set([
  "instrumentName",
  "instrumentType",
  "meterName",
  "meterVersion",
  "meterSchemaUrl",
  "name",
  "description",
  "aggregation",
  "attributeKeys",
  "cardinalityLimit",
  "exemplarReservoir",
]);

/** Validates `view` and compiles its selector. Throws TypeError/RangeError when it is invalid. */
export function compileView(view: View, index: number): CompiledView {
  const where = `Invalid view #${index}`;
  if (view === null || typeof view !== "object") throw new TypeError(`${where}: a view must be an object`);
  for (const key of Object.keys(view)) if (!VIEW_KEYS.has(key)) throw new TypeError(`${where}: unknown field ${JSON.stringify(key)}`);
  const { instrumentName, instrumentType, meterName, meterVersion, meterSchemaUrl } = view;
  if (instrumentName === undefined && instrumentType === undefined && meterName === undefined && meterVersion === undefined && meterSchemaUrl === undefined) {
    // Spec: a view without any selection criteria is an error (it would silently apply to everything).
    throw new TypeError(`${where}: give at least one selection criterion (instrumentName, instrumentType, meterName, meterVersion or meterSchemaUrl); use instrumentName: "*" to select every instrument`);
  }
  for (const k of ["instrumentName", "meterName", "meterVersion", "meterSchemaUrl", "description"] as const) {
    if (view[k] !== undefined && typeof view[k] !== "string") throw new TypeError(`${where}: ${k} must be a string`);
  }
  if (instrumentType !== undefined && !TYPES.has(instrumentType)) {
    throw new TypeError(`${where}: instrumentType must be one of ${[...TYPES].join(", ")}`);
  }
  let name = view.name;
  if (name !== undefined) {
    if (typeof name !== "string" || !INSTRUMENT_NAME_PATTERN.test(name)) {
      throw new TypeError(`${where}: name ${JSON.stringify(name)} is not a valid instrument name (a letter, then up to 254 of A-Z a-z 0-9 _ . / -)`);
    }
    if (instrumentName === undefined || /[*?]/.test(instrumentName)) {
      // Spec: renaming is only allowed when the selector can match at most one instrument;
      // otherwise several instruments would collide under one name.
      diag.warn(`${where}: ignoring name ${JSON.stringify(name)} because the view may select more than one instrument (give an exact instrumentName to rename).`);
      name = undefined;
    }
  }
  if (view.attributeKeys !== undefined) {
    if (!Array.isArray(view.attributeKeys) || view.attributeKeys.some((k) => typeof k !== "string")) {
      throw new TypeError(`${where}: attributeKeys must be an array of strings`);
    }
  }
  if (view.cardinalityLimit !== undefined) validateCardinalityLimit(view.cardinalityLimit, where);
  const reservoir = view.exemplarReservoir;
  if (reservoir !== undefined) {
    const t = (reservoir as { type?: unknown })?.type;
    if (t !== "simpleFixedSize" && t !== "alignedHistogramBucket" && t !== "none") {
      throw new TypeError(`${where}: exemplarReservoir.type must be "simpleFixedSize", "alignedHistogramBucket" or "none"`);
    }
    const size = (reservoir as { size?: unknown }).size;
    if (t === "simpleFixedSize" && size !== undefined && !(Number.isInteger(size) && (size as number) > 0)) {
      throw new RangeError(`${where}: exemplarReservoir.size must be a positive integer`);
    }
  }
  if (view.aggregation !== undefined) {
    if (view.aggregation === null || typeof view.aggregation !== "object") throw new TypeError(`${where}: aggregation must be an object like { type: "sum" }`);
    // Build one aggregator now so invalid options (boundaries, quantiles, ...) throw here, at
    // construction, with the aggregation's own message.
    try {
      createAggregator(view.aggregation, instrumentType ?? InstrumentType.HISTOGRAM);
    } catch (e) {
      const Ctor = e instanceof RangeError ? RangeError : TypeError;
      throw new Ctor(`${where}: ${describe(e)}`);
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
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`${where}: cardinalityLimit must be a positive integer, got ${String(limit)}`);
  }
}

function wildcard(pattern: string): (name: string) => boolean {
  if (pattern === "*") return () => true;
  if (!/[*?]/.test(pattern)) {
    const lower = pattern.toLowerCase();
    return (n) => n.toLowerCase() === lower;
  }
  const source = pattern.replace(/[.+^${}()|[\]\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`, "i");
  return (n) => re.test(n);
}
