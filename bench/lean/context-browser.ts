/**
 * The active context in browsers and Web Workers, as the product's `browserContextManager()`
 * (src/runtime/browser-init.ts): `AsyncContext.Variable` (TC39 proposal) when the engine has
 * it — the context then follows `await` — else the synchronous stack of `context-core.ts`,
 * where context must be passed explicitly across `await`. Nothing is imported at load (no
 * AsyncLocalStorage lookup, no failed `import("node:async_hooks")`). `install()` is called by
 * the browser `init()`.
 */
import { useStore, type Store } from "./context-core.ts";
import type { Context } from "./contract.ts";

interface Variable {
  get(): Context | undefined;
  run<R>(value: Context, fn: () => R): R;
}

/** Installs `AsyncContext.Variable` as the store when the engine has it, else the synchronous stack. */
export function install(): void {
  const V = (globalThis as { AsyncContext?: { Variable?: new () => Variable } }).AsyncContext?.Variable;
  const v = typeof V == "function" ? new V() : undefined;
  useStore(v && ({ getStore: () => v.get(), run: (store, fn) => v.run(store, fn) } as Store));
}
