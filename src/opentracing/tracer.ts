/**
 * The OpenTracing `Tracer` of the bridge, over our tracer (OTel spec "OpenTracing
 * Compatibility" §Tracer Shim), with the methods of `Tracer` in `opentracing` 0.14, so code
 * written against that API runs on it unchanged:
 *
 * - `startSpan(name, { childOf, references, tags, startTime })`: the parent is the first
 *   `child_of` reference (`childOf` is one), else the first reference; every reference is also
 *   a link with attribute `opentracing.ref_type`; the new span's baggage is the union of the
 *   references' baggage. Tags are attributes from the start (the sampler sees them), except
 *   `span.kind` (the kind) and `error` (the status). Times are OpenTracing's epoch milliseconds.
 * - `inject` / `extract` for `FORMAT_TEXT_MAP` and `FORMAT_HTTP_HEADERS` through the propagator
 *   given for that format, else the global one (`propagation`: W3C trace context + baggage by
 *   default, Jaeger's `uber-trace-id` once `init({ propagator: new JaegerPropagator() })` or
 *   `OTEL_PROPAGATORS=jaeger` chose it). `FORMAT_BINARY` and unknown formats throw, as
 *   jaeger-client's tracer does: that is the caller's code, not data, being wrong.
 * - No implicit parent: as the spec requires for JavaScript (no scope manager in OpenTracing),
 *   a span started without references is a root span, unless `supportImplicitPropagation`
 *   (the spec's experimental opt-in) makes the active context's span its parent. Making a
 *   bridge span active for our API is explicit: `withActiveSpan` / `contextWithSpan`.
 */
import { diagOnce } from "../common/diag.ts";
import { context as contextApi } from "../context/context-api.ts";
import { ROOT_CONTEXT, type Context } from "../context/context.ts";
import { createBaggage, getBaggage, setBaggage, type Baggage } from "../propagation/baggage.ts";
import { propagation } from "../propagation/propagation-api.ts";
import { defaultTextMapGetter, defaultTextMapSetter, isPropagator, type TextMapPropagator } from "../propagation/text-map.ts";
import { INVALID_SPAN_CONTEXT, isSpanContextValid } from "../trace/span-context.ts";
import { getSpan, getSpanContext, setSpanContext } from "../trace/span-in-context.ts";
import { trace } from "../trace/trace-api.ts";
import type { Tracer } from "../trace/tracer.ts";
import type { TracerProvider } from "../trace/tracer-provider.ts";
import type { Link } from "../trace/types.ts";
import { VERSION } from "../version.ts";
import { OPENTRACING_SPAN_KEY } from "./activate.ts";
import { FORMAT_BINARY, FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP, REFERENCE_CHILD_OF } from "./constants.ts";
import { fromEpochMillis, toAttributes } from "./convert.ts";
import { contextOf } from "./reference.ts";
import { OpenTracingSpan } from "./span.ts";
import { OpenTracingSpanContext } from "./span-context.ts";
import { ERROR_TAG, SPAN_KIND_TAG, errorStatus, spanKindOf } from "./tags.ts";

/** Options of {@link OpenTracingTracer}. */
export interface OpenTracingTracerOptions {
  /**
   * Where the bridge gets its tracer, named `opentracing-shim` (the spec's name) with this
   * SDK's version. Default: the global `trace` API, resolved when each span starts, so a
   * bridge made before `init()` records once `init()` has run.
   */
  tracerProvider?: TracerProvider;
  /** The propagator for `FORMAT_TEXT_MAP` (default: the global propagator, at each call). */
  textMapPropagator?: TextMapPropagator;
  /** The propagator for `FORMAT_HTTP_HEADERS` (default: the global propagator, at each call). */
  httpHeadersPropagator?: TextMapPropagator;
  /**
   * Experimental (the spec's `supportImplicitPropagation`): a span started without `childOf`
   * or `references` takes the active context's span as its parent and its baggage, so
   * OpenTracing code called inside a span of our API (or inside `withActiveSpan`) nests under
   * it. Off by default, as the spec requires: OpenTracing code that expects a root span there
   * would get a parent it did not ask for.
   */
  supportImplicitPropagation?: boolean;
}

/** `startSpan` options, as `SpanOptions` of `opentracing` 0.14. */
export interface OpenTracingSpanOptions {
  /** The parent: a span or span context of this bridge (null/undefined: none). */
  childOf?: OpenTracingSpan | OpenTracingSpanContext | object | null;
  /** References (`childOf()`, `followsFrom()`, or `opentracing`'s `Reference` objects). */
  references?: ReadonlyArray<{ type(): string; referencedContext(): unknown } | null | undefined>;
  /** Initial tags. */
  tags?: Record<string, unknown>;
  /** Start time, in milliseconds since the epoch (default now). */
  startTime?: number;
}

/** A reference whose context is one of ours. */
interface Resolved {
  type: string;
  context: OpenTracingSpanContext;
}

/** `options.references` then `options.childOf` (as `opentracing`'s own `startSpan` orders them), keeping ours. */
function resolveReferences(options: OpenTracingSpanOptions): Resolved[] {
  const out: Resolved[] = [];
  const add = (type: unknown, referenced: unknown): void => {
    const context = contextOf(referenced);
    if (context instanceof OpenTracingSpanContext) out.push({ type: String(type), context });
    else if (context !== null && context !== undefined) {
      diagOnce("warn", "opentracing.reference", "OpenTracing startSpan: ignored a reference to a span context this bridge did not create (another tracer's): carry it across with inject/extract instead.");
    }
  };
  const references = options.references;
  if (Array.isArray(references)) {
    for (const reference of references) {
      if (reference === null || typeof reference !== "object") continue;
      add(reference.type?.(), reference.referencedContext?.());
    }
  }
  if (options.childOf !== undefined && options.childOf !== null) add(REFERENCE_CHILD_OF, options.childOf);
  return out;
}

/**
 * An OpenTracing tracer that records through our tracer.
 *
 * @example
 * ```ts
 * import * as opentracing from "opentracing";
 * import { init } from "otel-edge";
 * import { OpenTracingTracer } from "otel-edge/opentracing";
 *
 * init({ serviceName: "checkout" });
 * opentracing.initGlobalTracer(new OpenTracingTracer());
 * // Library code, unchanged:
 * const span = opentracing.globalTracer().startSpan("charge", { tags: { "span.kind": "client" } });
 * span.finish();
 * ```
 */
export class OpenTracingTracer {
  readonly #tracer: Tracer;
  readonly #textMap: TextMapPropagator | undefined;
  readonly #httpHeaders: TextMapPropagator | undefined;
  readonly #implicit: boolean;

  /** Throws a TypeError for a `tracerProvider` or propagator of the wrong shape. */
  constructor(options: OpenTracingTracerOptions = {}) {
    const { tracerProvider, textMapPropagator, httpHeadersPropagator } = options;
    if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== "function") {
      throw new TypeError("Cannot create OpenTracingTracer: tracerProvider must have a getTracer method (a TracerProvider)");
    }
    for (const [name, value] of [["textMapPropagator", textMapPropagator], ["httpHeadersPropagator", httpHeadersPropagator]] as const) {
      if (value !== undefined && !isPropagator(value)) throw new TypeError(`Cannot create OpenTracingTracer: ${name} must have inject and extract methods (a TextMapPropagator)`);
    }
    this.#tracer = (tracerProvider ?? trace).getTracer("opentracing-shim", VERSION);
    this.#textMap = textMapPropagator;
    this.#httpHeaders = httpHeadersPropagator;
    this.#implicit = options.supportImplicitPropagation === true;
  }

  /** Starts a span (see the module summary for how references, tags and times map). Never throws. */
  startSpan(name: string, options?: OpenTracingSpanOptions): OpenTracingSpan {
    try {
      return this.#start(name, options ?? {});
    } catch {
      diagOnce("warn", "opentracing.options", "OpenTracing startSpan: unreadable options ignored.");
      return this.#start(name, {});
    }
  }

  #start(name: string, options: OpenTracingSpanOptions): OpenTracingSpan {
    const references = resolveReferences(options);
    const parent = (references.find((r) => r.type === REFERENCE_CHILD_OF) ?? references[0])?.context;
    const active = contextApi.active();
    // The spec: the union of the references' baggage, else the current baggage, which is read
    // only with supportImplicitPropagation (reading the active context is implicit propagation).
    let baggage: Baggage = references[0]?.context.getBaggage() ?? (this.#implicit ? getBaggage(active) : undefined) ?? createBaggage();
    for (const { context } of references.slice(1)) {
      for (const [key, entry] of context.getBaggage().getAllEntries()) baggage = baggage.setEntry(key, entry);
    }
    // A context extracted with baggage but no span identifies no span to link to.
    const links: Link[] = [];
    for (const { type, context } of references) {
      const spanContext = context.getSpanContext();
      if (isSpanContextValid(spanContext)) links.push({ context: spanContext, attributes: { "opentracing.ref_type": type } });
    }
    const attributes = toAttributes(options.tags);
    const kind = spanKindOf(attributes[SPAN_KIND_TAG]);
    if (kind !== undefined) delete attributes[SPAN_KIND_TAG];
    const status = errorStatus(attributes[ERROR_TAG]);
    if (status !== undefined) delete attributes[ERROR_TAG];

    const span = this.#tracer.startSpan(
      name,
      { attributes, links, kind: kind ?? 0 /* SpanKind.INTERNAL */, startTime: fromEpochMillis(options.startTime), root: parent === undefined && !this.#implicit },
      parent === undefined ? active : setSpanContext(active, parent.getSpanContext()),
    );
    // The spec: the `error` tag among the initial tags is handled once the span exists.
    if (status !== undefined) span.setStatus({ code: status });
    return new OpenTracingSpan(this, span, baggage);
  }

  /**
   * Writes `spanContext` (or a span's context) and its baggage into `carrier` with the
   * format's propagator. Baggage is injected even without a valid span context (the spec).
   * Throws a TypeError for `FORMAT_BINARY` or an unknown format.
   */
  inject(spanContext: OpenTracingSpanContext | OpenTracingSpan | object | null | undefined, format: string, carrier: unknown): void {
    const propagator = this.#propagator(format, "inject");
    const context = contextOf(spanContext);
    if (!(context instanceof OpenTracingSpanContext)) {
      if (context !== null && context !== undefined) diagOnce("warn", "opentracing.inject", "OpenTracing inject: the span context is not one this bridge created; nothing injected.");
      return;
    }
    if (carrier === null || typeof carrier !== "object") return;
    let ctx: Context = ROOT_CONTEXT;
    if (isSpanContextValid(context.getSpanContext())) ctx = setSpanContext(ctx, context.getSpanContext());
    const baggage = context.getBaggage();
    if (baggage.getAllEntries().length > 0) ctx = setBaggage(ctx, baggage);
    try {
      propagator.inject(ctx, carrier, defaultTextMapSetter);
    } catch (err) {
      diagOnce("warn", "opentracing.inject.throw", "OpenTracing inject: the propagator threw; the carrier may be incomplete.", err);
    }
  }

  /**
   * Reads a span context and baggage from `carrier` with the format's propagator: null when
   * the carrier holds neither a valid span context nor baggage (the spec). Throws a TypeError
   * for `FORMAT_BINARY` or an unknown format.
   */
  extract(format: string, carrier: unknown): OpenTracingSpanContext | null {
    const propagator = this.#propagator(format, "extract");
    if (carrier === null || typeof carrier !== "object") return null;
    let ctx: Context;
    try {
      ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    } catch (err) {
      diagOnce("warn", "opentracing.extract.throw", "OpenTracing extract: the propagator threw; nothing extracted.", err);
      return null;
    }
    const spanContext = getSpanContext(ctx);
    const baggage = getBaggage(ctx);
    const valid = spanContext !== undefined && isSpanContextValid(spanContext);
    if (!valid && (baggage === undefined || baggage.getAllEntries().length === 0)) return null;
    return new OpenTracingSpanContext(valid ? spanContext : INVALID_SPAN_CONTEXT, baggage ?? createBaggage());
  }

  /**
   * The active span, for OpenTracing code running inside our API's spans (the spec's
   * ScopeManager "Get the active Span"): the bridge span `withActiveSpan` activated, else a
   * bridge span over the active span of our API (finishing it ends that span), else — with
   * baggage but no valid span — a bridge span that records nothing, else null.
   */
  activeSpan(): OpenTracingSpan | null {
    const ctx = contextApi.active();
    const span = getSpan(ctx);
    const baggage = getBaggage(ctx);
    if (span === undefined || !isSpanContextValid(span.spanContext())) {
      if (baggage === undefined || baggage.getAllEntries().length === 0) return null;
      return new OpenTracingSpan(this, trace.wrapSpanContext(INVALID_SPAN_CONTEXT), baggage);
    }
    const activated = ctx.getValue(OPENTRACING_SPAN_KEY);
    if (activated instanceof OpenTracingSpan && activated.getSpan() === span) return activated;
    return new OpenTracingSpan(this, span, baggage ?? createBaggage());
  }

  /** The propagator for `format`; throws for a format the bridge does not carry. */
  #propagator(format: string, operation: string): TextMapPropagator {
    if (format === FORMAT_TEXT_MAP) return this.#textMap ?? (propagation as TextMapPropagator);
    if (format === FORMAT_HTTP_HEADERS) return this.#httpHeaders ?? (propagation as TextMapPropagator);
    throw new TypeError(
      format === FORMAT_BINARY
        ? `OpenTracingTracer.${operation}: FORMAT_BINARY is not supported; OpenTelemetry propagators carry context as text: use FORMAT_HTTP_HEADERS or FORMAT_TEXT_MAP`
        : `OpenTracingTracer.${operation}: unsupported format ${JSON.stringify(String(format))}; use FORMAT_HTTP_HEADERS or FORMAT_TEXT_MAP`,
    );
  }
}
