/**
 * Finding `AsyncLocalStorage` on Cloudflare Workers (workerd) without a static
 * `import "node:async_hooks"`: a Worker deployed without `nodejs_compat`/`nodejs_als`
 * must still load this package, and a static import of a `node:` module would fail at
 * upload ("No such module"). What workerd offers, measured with miniflare 3 / workerd
 * 1.20250718:
 *
 * | flags (compatibility date 2025-07-18) | `process.getBuiltinModule` | `import("node:async_hooks")` |
 * |---|---|---|
 * | `nodejs_compat`                      | yes                        | yes                          |
 * | `nodejs_compat` (date before 2024-09-23) | no (no `process` global) | yes                       |
 * | `nodejs_als`                         | no                         | yes                          |
 * | none                                 | no                         | rejects: No such module      |
 *
 * So the synchronous sources are tried first (a global `AsyncLocalStorage`, as Vercel
 * Edge and Netlify Edge expose it; then `process.getBuiltinModule`, Node 20.16+ and
 * workerd with `nodejs_compat`), and only when both are missing a dynamic `import()`
 * is awaited once at module evaluation (top-level await), because `init()` is
 * synchronous and the first request's context must already follow `await`.
 *
 * @module
 */
import type { AsyncLocalStorageClass } from "../context/async-local-storage-manager.ts";

interface RuntimeGlobals {
  AsyncLocalStorage?: unknown;
  process?: { getBuiltinModule?: (id: string) => unknown };
}

function alsOf(module: unknown): AsyncLocalStorageClass | undefined {
  const als = (module as { AsyncLocalStorage?: unknown } | null | undefined)?.AsyncLocalStorage;
  return typeof als === "function" ? (als as AsyncLocalStorageClass) : undefined;
}

// The specifier arrives as a parameter so no bundler resolves it at build time (wrangler's
// esbuild fails on an unresolvable literal `node:` import when `nodejs_compat` is off, and
// our own neutral-platform build check rejects one); workerd resolves it at run time.
function importBuiltin(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** `AsyncLocalStorage` from what the runtime exposes synchronously (a global, `process.getBuiltinModule`), or undefined. */
function synchronousAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const g = globalThis as RuntimeGlobals;
  try {
    return alsOf(g) ?? alsOf(g.process?.getBuiltinModule?.("node:async_hooks"));
  } catch {
    // A polyfilled `process` whose getBuiltinModule throws: treat as absent.
  }
}

// Resolved once per isolate, while the module evaluates (before any request is served); the
// dynamic import only when nothing synchronous has it.
const found: AsyncLocalStorageClass | undefined =
  synchronousAsyncLocalStorage() ??
  (await importBuiltin("node:async_hooks").then(alsOf, () => undefined)); // Workers without nodejs_compat/nodejs_als: no such module

/**
 * The `AsyncLocalStorage` class this isolate offers (`nodejs_compat` or `nodejs_als` on
 * workerd, a global on other edge runtimes), or undefined when it has none.
 */
export function workersAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  return found;
}
