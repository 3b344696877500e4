/**
 * A propagator made of several (OTel spec "Propagators API" §Composite Propagator):
 * `inject` calls each in order, `extract` threads the context through each in order (so a
 * later propagator sees, and may override, what an earlier one extracted), and `fields`
 * is the union. One failing propagator never stops the others.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import { isPropagator, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from "./text-map.ts";

/** Options of {@link CompositePropagator}. */
export interface CompositePropagatorOptions {
  /** The propagators, applied in this order. */
  propagators?: TextMapPropagator<unknown>[];
}

/** Calls `f` with each propagator; one that throws is reported (once per propagator and method) and skipped. */
function each(list: readonly TextMapPropagator<unknown>[], method: string, f: (p: TextMapPropagator<unknown>) => void): void {
  for (const p of list) {
    try {
      f(p);
    } catch (err) {
      const name = (p as { constructor?: { name?: string } }).constructor?.name || "propagator";
      diagOnce("warn", `CompositePropagator: ${name}.${method}() threw; skipped.`, undefined, err);
    }
  }
}

/**
 * Combines propagators.
 *
 * @example
 * ```ts
 * const p = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
 * ```
 */
export class CompositePropagator implements TextMapPropagator<unknown> {
  readonly #propagators: readonly TextMapPropagator<unknown>[];
  readonly #fields = new Set<string>();

  constructor(config: CompositePropagatorOptions = {}) {
    const list = config?.propagators ?? [];
    if (!Array.isArray(list)) throw new TypeError("CompositePropagator: propagators must be an array.");
    const bad = list.findIndex((p) => !isPropagator(p));
    if (bad >= 0) throw new TypeError(`CompositePropagator: propagators[${bad}] has no inject/extract methods.`);
    this.#propagators = [...list];
    each(list, "fields", (p) => p.fields?.().forEach((f) => this.#fields.add(f)));
  }

  /** Injects with every propagator, in order. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    each(this.#propagators, "inject", (p) => p.inject(context, carrier, setter));
  }

  /** Extracts with every propagator, in order, each starting from the previous result. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    each(this.#propagators, "extract", (p) => (context = p.extract(context, carrier, getter) ?? context));
    return context;
  }

  /** The union of the propagators' fields. */
  fields(): string[] {
    return [...this.#fields];
  }
}
