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
  let text = str;
  if (typeof text !== "string") {
    diagOnce("warn", "baggage.metadata.type", "baggageEntryMetadataFromString: expected a string; using empty metadata.");
    text = "";
  }
  return { __TYPE__: baggageEntryMetadataSymbol, toString: () => text };
}

function isEntry(entry: unknown): entry is BaggageEntry {
  return entry !== null && typeof entry === "object" && typeof (entry as BaggageEntry).value === "string";
}

function freezeEntry(entry: BaggageEntry): BaggageEntry {
  const copy: BaggageEntry = { value: entry.value };
  if (entry.metadata !== undefined) copy.metadata = entry.metadata;
  return Object.freeze(copy);
}

class BaggageImpl implements Baggage {
  readonly #entries: ReadonlyMap<string, BaggageEntry>;

  constructor(entries: ReadonlyMap<string, BaggageEntry>) {
    this.#entries = entries;
  }

  getEntry(key: string): BaggageEntry | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { ...entry };
  }

  getAllEntries(): [string, BaggageEntry][] {
    return [...this.#entries].map(([k, v]): [string, BaggageEntry] => [k, { ...v }]);
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    if (typeof key !== "string" || !isEntry(entry)) {
      diagOnce("warn", "baggage.setEntry", "Baggage.setEntry: ignoring an entry whose key or value is not a string.");
      return this;
    }
    const next = new Map(this.#entries);
    next.set(key, freezeEntry(entry));
    return new BaggageImpl(next);
  }

  removeEntry(key: string): Baggage {
    return this.removeEntries(key);
  }

  removeEntries(...keys: string[]): Baggage {
    const next = new Map(this.#entries);
    for (const k of keys) next.delete(k);
    return next.size === this.#entries.size ? this : new BaggageImpl(next);
  }

  clear(): Baggage {
    return EMPTY_BAGGAGE;
  }
}

const EMPTY_BAGGAGE: Baggage = /* @__PURE__ */ new BaggageImpl(/* @__PURE__ */ new Map());

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
  if (entries !== null && typeof entries === "object") {
    for (const key of Object.keys(entries)) {
      const entry = entries[key];
      if (isEntry(entry)) map.set(key, freezeEntry(entry));
      else diagOnce("warn", "baggage.create", "createBaggage: ignoring an entry whose value is not a string.");
    }
  }
  return map.size === 0 ? EMPTY_BAGGAGE : new BaggageImpl(map);
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
