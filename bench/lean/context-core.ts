/**
 * Context for the size-first core: an immutable map (spec: Context; copy-on-write, as the
 * official API's BaseContext) and the active context, kept by a store the program's entry
 * installs (as the product's `init()` installs a context manager): AsyncLocalStorage on
 * servers and Workers (`context.ts`), `AsyncContext.Variable` or the stack in browsers
 * (`context-browser.ts`). Until one is installed, a synchronous stack: the context holds inside
 * a callback, not across `await`. The modules that record (tracer, propagation, export) import
 * this file only, so no program pays for a store it does not use.
 */
import type { Context } from "./contract.ts";

/** What keeps the active context: AsyncLocalStorage's shape (`AsyncContext.Variable` adapts to it). */
export interface Store {
  getStore(): Context | undefined;
  run<R>(store: Context, fn: () => R): R;
}

class MapContext implements Context {
  constructor(readonly m: Map<symbol, unknown>) {}
  getValue(key: symbol): unknown {
    return this.m.get(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return new MapContext(new Map(this.m).set(key, value));
  }
  deleteValue(key: symbol): Context {
    const m = new Map(this.m);
    m.delete(key);
    return new MapContext(m);
  }
}

export const ROOT_CONTEXT: Context = /* @__PURE__ */ new MapContext(new Map());

/** Symbol.for: copies of this module, and the product, agree on the well-known keys. */
export const key = (name: string): symbol => Symbol.for(name);
export const SPAN_KEY: symbol = /* @__PURE__ */ key("OpenTelemetry Context Key SPAN");
export const BAGGAGE_KEY: symbol = /* @__PURE__ */ key("OpenTelemetry Baggage Key");
export const SUPPRESS_KEY: symbol = /* @__PURE__ */ key("OpenTelemetry SDK Context Key SUPPRESS_TRACING");

let stack: Context | undefined;
const stackStore: Store = {
  getStore: () => stack,
  run(store, fn) {
    const previous = stack;
    stack = store;
    try {
      return fn();
    } finally {
      stack = previous;
    }
  },
};
let storage = stackStore;

/** Installs the store of the active context (by the program's context module); none: the synchronous stack. */
export const useStore = (store: Store = stackStore): void => void (storage = store);

/** The active context (the root context when none is active). */
export const active = (): Context => storage.getStore() ?? ROOT_CONTEXT;

/** Runs `fn` with `context` active (spec: Context "Attach"/"Detach", scoped). */
export const withContext = <R>(context: Context, fn: () => R): R => storage.run(context, fn);
