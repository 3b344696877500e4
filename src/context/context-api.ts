/**
 * The global `context` API: which {@link ContextManager} is in use, and the calls that
 * go through it. Shape-compatible with `context` in `@opentelemetry/api`.
 *
 * Until a manager is set, the first call picks one (nothing happens on import):
 * `AsyncLocalStorage` when the runtime exposes it on `globalThis`, else
 * `AsyncContext.Variable` when present, else the synchronous stack manager.
 */
import { ROOT_CONTEXT, type Context } from "./context.ts";
import type { ContextManager } from "./manager.ts";
import { AsyncLocalStorageContextManager, type AsyncLocalStorageClass } from "./async-local-storage-manager.ts";
import { AsyncContextVariableManager, type AsyncContextVariableClass } from "./async-context-manager.ts";
import { StackContextManager } from "./stack-manager.ts";

/** The global context API. */
export interface ContextAPI {
  /** The active context (the root context when none is active). */
  active(): Context;
  /** Runs `fn` with `context` active and returns what it returns (a promise included). */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F>;
  /** Binds `target` (a function) to `context`. */
  bind<T>(context: Context, target: T): T;
  /** Makes `manager` the global context manager. Returns true. */
  setGlobalContextManager(manager: ContextManager): boolean;
  /** Disables and forgets the global manager; the next call detects one again. */
  disable(): void;
}

let manager: ContextManager | undefined;

/** Picks the best context manager the runtime offers, using only what is on `globalThis`. */
export function detectContextManager(): ContextManager {
  const g = globalThis as {
    AsyncLocalStorage?: AsyncLocalStorageClass;
    AsyncContext?: { Variable?: AsyncContextVariableClass };
  };
  if (typeof g.AsyncLocalStorage === "function") return new AsyncLocalStorageContextManager(g.AsyncLocalStorage);
  if (typeof g.AsyncContext?.Variable === "function") return new AsyncContextVariableManager(g.AsyncContext.Variable);
  return new StackContextManager();
}

/** The global context manager, detected on first use. */
export function getContextManager(): ContextManager {
  return (manager ??= detectContextManager());
}

/** True once a context manager was set or detected. */
export function hasContextManager(): boolean {
  return manager !== undefined;
}

/**
 * The active context, without choosing a manager: until one is set or detected nothing can
 * have been made active, so that is the root context. Code that only reads the context
 * (exemplars, log correlation) calls this and bundles none of the managers `context` detects.
 */
export function activeContext(): Context {
  return manager === undefined ? ROOT_CONTEXT : manager.active();
}

/**
 * Disables and forgets `released` if it is still the global manager: what a runtime entry's
 * `shutdown()` does with the manager its `init()` installed (Node: stops its
 * AsyncLocalStorage's async hook).
 */
export function releaseContextManager(released: ContextManager | undefined): void {
  if (manager === released) context.disable();
}

/** The global context API. */
export const context: ContextAPI = {
  active: activeContext,
  with: (ctx, fn, thisArg, ...args) => getContextManager().with(ctx, fn, thisArg, ...args),
  bind: (ctx, target) => getContextManager().bind(ctx, target),
  setGlobalContextManager(next) {
    manager = next.enable();
    return true;
  },
  disable() {
    manager?.disable();
    manager = undefined;
  },
};

export { ROOT_CONTEXT };
