/**
 * The immutable `Context`: a map from keys to values that travels with the work it
 * belongs to (the active span, baggage, suppression flags). Every change returns a new
 * context, so a context captured by a callback cannot be altered behind its back.
 *
 * Shape-compatible with `Context` in `@opentelemetry/api`.
 */

/** An immutable key/value map carried across API boundaries and async work. */
export interface Context {
  /** The value stored under `key`, or `undefined`. */
  getValue(key: symbol): unknown;
  /** A new context with `key` set to `value`. */
  setValue(key: symbol, value: unknown): Context;
  /** A new context without `key`. */
  deleteValue(key: symbol): Context;
}

/** Creates a unique key for storing a value in a {@link Context}. */
export function createContextKey(description: string): symbol {
  // Symbol.for, like the official API, so copies of this module agree on well-known keys.
  return Symbol.for(description);
}

// Marks a key removed by `deleteValue` further down a context's chain.
const DELETED: unknown = /* @__PURE__ */ Object.freeze({});
// Longest chain kept before `setValue` rebuilds it with only the live entries: bounds the
// look-up walk and keeps replaced values (old spans) from being retained by long chains.
const MAX_DEPTH = 16;

/**
 * A context is a persistent linked list: each one adds (or deletes) one key in front of
 * its parent, so `setValue` allocates one small object instead of copying a Map (the
 * common chains — span, baggage, a suppression flag — are a few entries deep).
 */
class BaseContext implements Context {
  readonly #parent: BaseContext | undefined;
  readonly #key: symbol | undefined;
  readonly #value: unknown;
  readonly #depth: number;

  constructor(parent?: BaseContext, key?: symbol, value?: unknown) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
    this.#depth = parent === undefined ? 0 : parent.#depth + 1;
  }

  getValue(key: symbol): unknown {
    let c: BaseContext | undefined = this;
    do {
      if (c.#key === key && c.#parent !== undefined) {
        const value = c.#value;
        return value === DELETED ? undefined : value;
      }
      c = c.#parent;
    } while (c !== undefined);
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    if (this.#depth < MAX_DEPTH) return new BaseContext(this, key, value);
    // Rebuild from the live entries, oldest first, then add the new one.
    const live = new Map<symbol, unknown>();
    for (let c: BaseContext | undefined = this; c !== undefined && c.#parent !== undefined; c = c.#parent) {
      if (!live.has(c.#key as symbol)) live.set(c.#key as symbol, c.#value);
    }
    live.delete(key);
    let next = ROOT;
    for (const [k, v] of [...live].reverse()) if (v !== DELETED) next = new BaseContext(next, k, v);
    return new BaseContext(next, key, value);
  }

  deleteValue(key: symbol): Context {
    for (let c: BaseContext | undefined = this; c !== undefined && c.#parent !== undefined; c = c.#parent) {
      if (c.#key === key) return c.#value === DELETED ? this : this.setValue(key, DELETED);
    }
    return this;
  }
}

const ROOT = /* @__PURE__ */ new BaseContext();

/** The empty root context. */
export const ROOT_CONTEXT: Context = ROOT;
