/**
 * Context kept in an `AsyncContext.Variable` (TC39 proposal, stage 2), used when a
 * runtime provides `globalThis.AsyncContext`. It propagates across `await` like
 * AsyncLocalStorage, without any `node:` module.
 */
import { ROOT_CONTEXT, type Context } from "./context.ts";
import { bindFunction, type ContextManager } from "./manager.ts";

/** The part of `AsyncContext.Variable` this manager uses. */
export interface AsyncContextVariableLike<T> {
  get(): T | undefined;
  run<R, A extends unknown[]>(value: T, fn: (...args: A) => R, ...args: A): R;
}

/** A constructor of {@link AsyncContextVariableLike}: `AsyncContext.Variable`. */
export type AsyncContextVariableClass = new <T>(options?: { name?: string }) => AsyncContextVariableLike<T>;

/** Context that survives `await`, backed by `AsyncContext.Variable`. */
export class AsyncContextVariableManager implements ContextManager {
  readonly #variable: AsyncContextVariableLike<Context>;
  #enabled = true;

  constructor(Variable: AsyncContextVariableClass) {
    this.#variable = new Variable<Context>({ name: "otel-edge context" });
  }

  active(): Context {
    return (this.#enabled && this.#variable.get()) || ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.#variable.run(context ?? ROOT_CONTEXT, cb, ...args);
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
    return this;
  }
}
