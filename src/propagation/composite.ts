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

/** Reports, once per propagator and method, that `p.method` threw and what was done instead. */
function reportThrow(p: object, method: string, err: unknown): void {
  const name = (p as { constructor?: { name?: string } }).constructor?.name || "propagator";
  diagOnce("warn", `composite.${method}:${name}`, `CompositePropagator: ${name}.${method}() threw; skipped it.`, err);
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
  readonly #fields: readonly string[];

  constructor(config: CompositePropagatorOptions = {}) {
    const list = config?.propagators ?? [];
    if (!Array.isArray(list)) throw new TypeError("Cannot create CompositePropagator: propagators must be an array.");
    const bad = list.findIndex((p) => !isPropagator(p));
    if (bad !== -1) throw new TypeError(`Cannot create CompositePropagator: propagators[${bad}] has no inject/extract methods.`);
    this.#propagators = [...list];
    const fields = new Set<string>();
    for (const p of list) {
      try {
        if (typeof p.fields === "function") for (const f of p.fields()) fields.add(f);
      } catch (err) {
        reportThrow(p, "fields", err);
      }
    }
    this.#fields = [...fields];
  }

  /** Injects with every propagator, in order. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter<unknown>): void {
    for (const p of this.#propagators) {
      try {
        p.inject(context, carrier, setter);
      } catch (err) {
        reportThrow(p, "inject", err);
      }
    }
  }

  /** Extracts with every propagator, in order, each starting from the previous result. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter<unknown>): Context {
    let ctx = context;
    for (const p of this.#propagators) {
      try {
        ctx = p.extract(ctx, carrier, getter) ?? ctx;
      } catch (err) {
        reportThrow(p, "extract", err);
      }
    }
    return ctx;
  }

  /** The union of the propagators' fields. */
  fields(): string[] {
    return [...this.#fields];
  }
}
