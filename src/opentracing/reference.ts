/**
 * OpenTracing references between spans (`Reference`, `childOf()`, `followsFrom()` of
 * `opentracing` 0.14): a span context and the kind of causal relation. References made by the
 * real `opentracing` package work with the bridge too; it only calls `type()` and
 * `referencedContext()`.
 */
import { REFERENCE_CHILD_OF, REFERENCE_FOLLOWS_FROM } from "./constants.ts";

/** Anything with a `context()` method, i.e. a span: accepted wherever a span context is. */
interface HasContext {
  context(): unknown;
}

/** A span's context when given a span, else the value itself. */
export function contextOf(spanOrContext: unknown): unknown {
  try {
    return spanOrContext !== null && typeof spanOrContext === "object" && typeof (spanOrContext as HasContext).context === "function"
      ? (spanOrContext as HasContext).context()
      : spanOrContext;
  } catch {
    return undefined; // a throwing context() or Proxy: no context (recording never throws)
  }
}

/** A causal reference from a new span to another span's context. */
export class Reference {
  readonly #type: string;
  readonly #referencedContext: unknown;

  /** `referencedContext` may be a span, whose context is then used. */
  constructor(type: string, referencedContext: unknown) {
    this.#type = type;
    this.#referencedContext = contextOf(referencedContext);
  }

  /** `child_of`, `follows_from`, or a custom type. */
  type(): string {
    return this.#type;
  }

  /** The span context referred to. */
  referencedContext(): unknown {
    return this.#referencedContext;
  }
}

/**
 * A `child_of` reference: the new span's parent.
 *
 * @example
 * ```ts
 * tracer.startSpan("load", { references: [childOf(parent)] });
 * ```
 */
export function childOf(spanOrContext: unknown): Reference {
  return new Reference(REFERENCE_CHILD_OF, spanOrContext);
}

/** A `follows_from` reference: recorded as a link (and as the parent when no `child_of` is given). */
export function followsFrom(spanOrContext: unknown): Reference {
  return new Reference(REFERENCE_FOLLOWS_FROM, spanOrContext);
}
