/**
 * Baggage: immutable name/value pairs propagated alongside the trace (OTel spec "Baggage
 * API"), shape-compatible with `Baggage`, `BaggageEntry` and `propagation.getBaggage` &c.
 * in `@opentelemetry/api`. It lives in a {@link Context} under the official key
 * (`Symbol.for("OpenTelemetry Baggage Key")`), so baggage set through either API is seen
 * by the other.
 */
import { context as contextApi } from "../context/context-api.ts";
import { createContextKey, type Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";

/** Opaque metadata of a baggage entry (W3C Baggage properties); `toString()` gives its wire form. */
export interface BaggageEntryMetadata {
  /** The properties as they appear after the value on the wire, without the leading `;`. */
  toString(): string;
  /** Brand, as in `@opentelemetry/api`. */
  readonly __TYPE__: symbol;
}

/** One baggage entry. */
export interface BaggageEntry {
  /** The (decoded) value. */
  value: string;
  /** Properties carried with the value. */
  metadata?: BaggageEntryMetadata;
}

/** An immutable set of baggage entries; every change returns a new Baggage. */
export interface Baggage {
  /** The entry named `key`, or undefined. */
  getEntry(key: string): BaggageEntry | undefined;
  /** All entries as `[key, entry]` pairs, in insertion order. */
  getAllEntries(): [string, BaggageEntry][];
  /** A new Baggage with `key` set to `entry`. */
  setEntry(key: string, entry: BaggageEntry): Baggage;
  /** A new Baggage without `key`. */
  removeEntry(key: string): Baggage;
  /** A new Baggage without any of `keys`. */
  removeEntries(...keys: string[]): Baggage;
  /** An empty Baggage. */
  clear(): Baggage;
}

/** The brand of {@link BaggageEntryMetadata} objects we create. */
export const baggageEntryMetadataSymbol: unique symbol = /* @__PURE__ */ Symbol.for("otel-edge BaggageEntryMetadata");

/** Wraps a W3C baggage properties string (e.g. `"prop1;prop2=v"`) as entry metadata. */
export function baggageEntryMetadataFromString(str: string): BaggageEntryMetadata {
  const text = typeof str === "string" ? str : "";
  if (text !== str) diagOnce("warn", "baggageEntryMetadataFromString: not a string; empty metadata used.");
  return { __TYPE__: baggageEntryMetadataSymbol, toString: () => text };
}

const NOT_A_STRING = "Baggage: ignored a non-string key or value.";

/** A private copy of `entry` (entries handed in or out cannot change a Baggage); undefined for a non-entry. */
function copy(entry: BaggageEntry | undefined): BaggageEntry | undefined {
  if (typeof entry?.value !== "string") return undefined;
  const { value, metadata } = entry;
  return metadata === undefined ? { value } : { value, metadata };
}

/** A Baggage over `entries` (in their order), which it owns: the propagators build it so. */
export function baggageOf(entries: Map<string, BaggageEntry>): Baggage {
  const self: Baggage = {
    getEntry: (key) => copy(entries.get(key)),
    getAllEntries: () => [...entries].map(([k, e]) => [k, copy(e)!]),
    setEntry(key, entry) {
      const e = typeof key === "string" ? copy(entry) : undefined;
      if (!e) {
        diagOnce("warn", NOT_A_STRING);
        return self;
      }
      return baggageOf(new Map(entries).set(key, e));
    },
    removeEntries(...keys) {
      const next = new Map(entries);
      for (const k of keys) next.delete(k);
      return next.size === entries.size ? self : baggageOf(next);
    },
    removeEntry: (key) => self.removeEntries(key),
    clear: () => EMPTY_BAGGAGE,
  };
  return self;
}

const EMPTY_BAGGAGE: Baggage = /* @__PURE__ */ baggageOf(/* @__PURE__ */ new Map());

/**
 * Creates a {@link Baggage} from `entries` (invalid entries are dropped and reported once).
 *
 * @example
 * ```ts
 * const ctx = setBaggage(context.active(), createBaggage({ tenant: { value: "acme" } }));
 * ```
 */
export function createBaggage(entries: Record<string, BaggageEntry> = {}): Baggage {
  const map = new Map<string, BaggageEntry>();
  for (const key of Object.keys(entries ?? {})) {
    const e = copy(entries[key]!);
    if (e) map.set(key, e);
    else diagOnce("warn", NOT_A_STRING);
  }
  return map.size ? baggageOf(map) : EMPTY_BAGGAGE;
}

// The official key, shared with @opentelemetry/api (it also uses Symbol.for).
const BAGGAGE_KEY = /* @__PURE__ */ createContextKey("OpenTelemetry Baggage Key");

/** The baggage in `ctx`, if any. */
export function getBaggage(ctx: Context): Baggage | undefined {
  return (ctx?.getValue(BAGGAGE_KEY) as Baggage | undefined) ?? undefined;
}

/** The baggage in the active context, if any. */
export function getActiveBaggage(): Baggage | undefined {
  return getBaggage(contextApi.active());
}

/** A new context with `baggage` set. */
export function setBaggage(ctx: Context, baggage: Baggage): Context {
  return ctx.setValue(BAGGAGE_KEY, baggage);
}

/** A new context without baggage. */
export function deleteBaggage(ctx: Context): Context {
  return ctx.deleteValue(BAGGAGE_KEY);
}
