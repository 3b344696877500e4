/**
 * A propagator made of several (OTel spec "Propagators API" §Composite Propagator):
 * `inject` calls each in order, `extract` threads the context through each in order (so a
 * later propagator sees, and may override, what an earlier one extracted), and `fields`
 * is the union. One failing propagator never stops the others.
 */
import type { Context } from "../context/context.ts";
import { diagOnce } from "../common/diag.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "./text-map.ts";

/** Options of {@link CompositePropagator}. */
export interface CompositePropagatorOptions {
  /** The propagators, applied in this order. */
  propagators?: TextMapPropagator<unknown>[];
}

function isPropagator(p: unknown): p is TextMapPropagator<unknown> {
  return (
    p !== null &&
    typeof p === "object" &&
    typeof (p as TextMapPropagator).inject === "function" &&
    typeof (p as TextMapPropagator).extract === "function"
  );
}

function nameOf(p: object): string {
  return (p as { constructor?: { name?: string } }).constructor?.name || "propagator";
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
    list.forEach((p, i) => {
      if (!isPropagator(p)) {
        throw new TypeError(`Cannot create CompositePropagator: propagators[${i}] has no inject/extract methods.`);
      }
    });
    this.#propagators = [...list];
    const fields = new Set<string>();
    for (const p of list) {
      try {
        if (typeof p.fields === "function") for (const f of p.fields()) fields.add(f);
      } catch (err) {
        diagOnce("warn", `composite.fields:${nameOf(p)}`, `CompositePropagator: ${nameOf(p)}.fields() threw; its fields are left out.`, err);
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
        diagOnce("warn", `composite.inject:${nameOf(p)}`, `CompositePropagator: ${nameOf(p)}.inject threw; skipped it.`, err);
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
        diagOnce("warn", `composite.extract:${nameOf(p)}`, `CompositePropagator: ${nameOf(p)}.extract threw; skipped it.`, err);
      }
    }
    return ctx;
  }

  /** The union of the propagators' fields. */
  fields(): string[] {
    return [...this.#fields];
  }
}
