/**
 * The interface every context manager implements: where the active {@link Context}
 * lives while code runs. Shape-compatible with `ContextManager` in `@opentelemetry/api`,
 * so ours can be registered with `context.setGlobalContextManager` there.
 */
import type { Context } from "./context.ts";

/** Keeps the active context for the code currently running. */
export interface ContextManager {
  /** The active context. */
  active(): Context;
  /** Runs `fn` with `context` active and returns what it returns. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F>;
  /** Returns `target` bound so that, when called, `context` is active. Non-functions are returned as is. */
  bind<T>(context: Context, target: T): T;
  /** Starts the manager. Returns itself. */
  enable(): this;
  /** Stops the manager; afterwards `active()` returns the root context. Returns itself. */
  disable(): this;
}

/** Wraps function `target` so that it runs inside `manager.with(context, …)`. */
export function bindFunction<T>(manager: ContextManager, context: Context, target: T): T {
  if (typeof target !== "function") return target;
  const fn = target as unknown as (...args: unknown[]) => unknown;
  const bound = function (this: unknown, ...args: unknown[]): unknown {
    return manager.with(context, () => fn.apply(this, args));
  };
  Object.defineProperty(bound, "length", { value: fn.length, configurable: true });
  return bound as unknown as T;
}
