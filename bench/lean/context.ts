/**
 * Context for the size-first core: an immutable map (spec: Context; copy-on-write, as the
 * official API's BaseContext) and the active context carried across `await` by
 * AsyncLocalStorage. On workerd, ALS comes from a global or `process.getBuiltinModule`
 * (`nodejs_compat`), else from one dynamic `import("node:async_hooks")` awaited at module
 * evaluation (`nodejs_als`); a Worker with neither still loads, and falls back to a
 * synchronous stack (the context holds inside a callback, not across `await`).
 */
import type { Context } from "./contract.ts";

type Store = { getStore(): Context | undefined; run<R>(store: Context, fn: () => R): R };
type StoreClass = new () => Store;

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

const als = (m: unknown): StoreClass | undefined => {
  const c = (m as { AsyncLocalStorage?: unknown } | undefined)?.AsyncLocalStorage;
  return typeof c == "function" ? (c as StoreClass) : undefined;
};
// The specifier is a parameter so no bundler tries to resolve `node:` at build time.
const load = (id: string): Promise<unknown> => import(/* @vite-ignore */ id);
let Found: StoreClass | undefined;
try {
  Found = als(globalThis) ?? als((globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.("node:async_hooks"));
} catch {}
Found ??= await load("node:async_hooks").then(als, () => undefined);

let stack: Context | undefined;
const storage: Store = Found
  ? new Found()
  : {
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

/** The active context (the root context when none is active). */
export const active = (): Context => storage.getStore() ?? ROOT_CONTEXT;

/** Runs `fn` with `context` active (spec: Context "Attach"/"Detach", scoped). */
export const withContext = <R>(context: Context, fn: () => R): R => storage.run(context, fn);
