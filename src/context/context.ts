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

class BaseContext implements Context {
  readonly #values: Map<symbol, unknown>;

  constructor(values?: Map<symbol, unknown>) {
    this.#values = values ?? new Map();
  }

  getValue(key: symbol): unknown {
    return this.#values.get(key);
  }

  setValue(key: symbol, value: unknown): Context {
    const next = new Map(this.#values);
    next.set(key, value);
    return new BaseContext(next);
  }

  deleteValue(key: symbol): Context {
    if (!this.#values.has(key)) return this;
    const next = new Map(this.#values);
    next.delete(key);
    return new BaseContext(next);
  }
}

/** The empty root context. */
export const ROOT_CONTEXT: Context = new BaseContext();
