/**
 * The active context carried across `await` by AsyncLocalStorage, for servers and Workers
 * (imported by their entry; the context itself is `context-core.ts`, re-exported here). On
 * workerd, ALS comes from a global or `process.getBuiltinModule` (`nodejs_compat`), else from
 * one dynamic `import("node:async_hooks")` awaited at module evaluation (`nodejs_als`); a
 * Worker with neither still loads, and keeps the synchronous stack (the context holds inside a
 * callback, not across `await`). Browsers use `context-browser.ts` instead: a page never pays
 * for that failed import at load.
 */
import { useStore, type Store } from "./context-core.ts";

export * from "./context-core.ts";

type StoreClass = new () => Store;

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
if (Found) useStore(new Found());
