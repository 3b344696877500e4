/**
 * A synchronous context manager for runtimes without AsyncLocalStorage or AsyncContext
 * (browsers today, Workers without `nodejs_als`). The context is active only for the
 * synchronous extent of `with()`; across `await` pass it explicitly, e.g.
 * `tracer.startSpan(name, options, ctx)` or `context.bind(ctx, callback)`.
 */
import { ROOT_CONTEXT, type Context } from "./context.ts";
import { bindFunction, type ContextManager } from "./manager.ts";

/** Context kept on a call stack; correct for synchronous code, explicit passing across `await`. */
export class StackContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT;
  #enabled = true;

  active(): Context {
    return this.#current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    if (!this.#enabled) return fn.call(thisArg, ...args);
    const previous = this.#current;
    this.#current = context ?? ROOT_CONTEXT;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = previous;
    }
  }

  bind<T>(context: Context, target: T): T {
    return bindFunction(this, context, target);
  }

  enable(): this {
    this.#enabled = true;
    return this;
  }

  disable(): this {
    this.#enabled = false;
    this.#current = ROOT_CONTEXT;
    return this;
  }
}
