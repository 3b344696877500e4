/**
 * Context kept in an `AsyncLocalStorage`, so it follows `await`, timers and promise
 * callbacks. The class is passed in (by a runtime entry that imports `node:async_hooks`,
 * or found on `globalThis` on runtimes that expose it): the core never imports a `node:`
 * module, so it bundles for `platform: "neutral"` (DESIGN principle 1).
 */
import { ROOT_CONTEXT, type Context } from "./context.ts";
import { bindFunction, type ContextManager } from "./manager.ts";

/** The part of `AsyncLocalStorage` this manager uses. */
export interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined;
  run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R;
  disable?(): void;
}

/** A constructor of {@link AsyncLocalStorageLike}, e.g. `AsyncLocalStorage` from `node:async_hooks`. */
export type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>;

/** Context that survives `await`, backed by `AsyncLocalStorage`. */
export class AsyncLocalStorageContextManager implements ContextManager {
  readonly #storage: AsyncLocalStorageLike<Context>;

  constructor(AsyncLocalStorage: AsyncLocalStorageClass) {
    this.#storage = new AsyncLocalStorage<Context>();
  }

  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.#storage.run(context ?? ROOT_CONTEXT, cb, ...args);
  }

  bind<T>(context: Context, target: T): T {
    return bindFunction(this, context, target);
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#storage.disable?.();
    return this;
  }
}
