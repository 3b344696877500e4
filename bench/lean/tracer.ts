/**
 * The tracer of the size-first core: span ids, the default sampler (parent-based always-on),
 * span limits and the recording span, replacing src/trace/{span,tracer,tracer-provider,ids,
 * limits,non-recording-span,span-in-context,suppress,multi-span-processor}.ts and the
 * samplers. Spec: Tracing API (Tracer, Span) and SDK (Sampling, Span Limits).
 *
 * One span class serves both kinds of span: a non-recording span (sampled out, suppressed) is
 * one that is ended from the start and has no tracer, so every method is a silent no-op while
 * `spanContext()` works. A recording span reports a change after `end()` once, and is handed
 * to the sink once, at its first `end()`, if sampled. Nothing here throws into the caller.
 */
import type {
  Attributes, AttributeValue, Context, InstrumentationScope, ReadableSpan, Resource, Sampler, Span, SpanContext,
  SpanKind, SpanLimits, SpanOptions, SpanSink, TimeInput, TracerConfig,
} from "./contract.ts";
import type { Exception, Link, RecordedLink, SpanStatus, TimedEvent } from "../../src/trace/types.ts";
import { active, SPAN_KEY, SUPPRESS_KEY, withContext } from "./context-core.ts";
import { copy, each, put } from "./attributes.ts";
import { warnOnce } from "./diag.ts";
import { timeOf, toTime } from "./time.ts";

/**
 * What the spans of one provider share: its config (read live: a sink set to undefined, as a
 * provider's shutdown does, makes later spans non-recording) and the resolved limits.
 */
interface Shared extends TracerConfig {
  /** attributeCountLimit, attributeValueLengthLimit, eventCountLimit, linkCountLimit, per event, per link. */
  l: number[];
}

/** The Tracer API (src/trace/tracer.ts), all three `startActiveSpan` overloads. */
export interface Tracer {
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
}

export interface TracerProvider {
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer;
}

/** The spec's limit names, in the order of `Shared.l`; defaults 128, value length unlimited. */
const LIMITS: (keyof SpanLimits)[] = [
  "attributeCountLimit", "attributeValueLengthLimit", "eventCountLimit", "linkCountLimit",
  "attributePerEventCountLimit", "attributePerLinkCountLimit",
];

/** `value` as a string (names, messages), or `fallback` when converting it throws. */
const str = (value: unknown, fallback: unknown): string => {
  try {
    return String(value);
  } catch {
    return fallback as string;
  }
};

/** Reports, once, that a span limit (spec: SDK Span Limits) dropped `what`. */
const over = (what: string): void => warnOnce(what + " over the span limit dropped");

/** `v` when it is a string, else undefined. */
const only = (v: unknown): string | undefined => (typeof v == "string" ? v : undefined);

// Random bytes drawn 2 KiB at a time: a getRandomValues call per id cost more than the rest of a span.
// Filled on first use, not at import (Workers refuse random values at global scope).
const pool = /* @__PURE__ */ new Uint8Array(2048);
let at = 2048;
/** Byte → its two hex digits (a table: a toString per byte was most of an id's cost). */
const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => (i | 256).toString(16).slice(1));

/** `n` random bytes as lowercase hex, never all zero (W3C Trace Context §3.2.2.3/4: all-zero ids are invalid). */
const hex = (n: number): string => {
  if (at + n > 2048) crypto.getRandomValues(pool), (at = 0);
  let s = "";
  let z = 0;
  for (const x of pool.subarray(at, (at += n))) (s += HEX[x]), (z |= x);
  return z ? s : hex(n);
};

/** `n` lowercase hex characters, not all zero: a valid id (W3C Trace Context §3.2.2.3/4). */
const isId = (v: unknown, n: number): boolean => typeof v == "string" && v.length == n && /^(?!0+$)[\da-f]+$/.test(v);

/** Spec (API, IsValid): the trace and span ids are valid (lowercase hex, not all zero). */
export const isSpanContextValid = (c: SpanContext): boolean => isId(c?.traceId, 32) && isId(c.spanId, 16);

/** The span stored in `ctx`, if any. */
export const getSpan = (ctx: Context): Span | undefined => ctx.getValue(SPAN_KEY) as Span | undefined;

/** A new context with `span` as its active span. */
export const setSpan = (ctx: Context, span: Span): Context => ctx.setValue(SPAN_KEY, span);

class LeanSpan implements Span, ReadableSpan {
  attributes: Attributes = {};
  links: RecordedLink[] = [];
  events: TimedEvent[] = [];
  status: SpanStatus = { code: 0 };
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  endTime = 0;
  /** Number of attribute keys (cheaper than counting them on every set). */
  n = 0;
  declare ended: boolean;
  declare name: string;
  declare kind: SpanKind;
  declare parentSpanContext: SpanContext | undefined;
  declare instrumentationScope: InstrumentationScope;
  declare resource: Resource;
  declare startTime: number;

  /** A recording span of the provider `s`; without `s`, a non-recording span carrying `c`. */
  constructor(readonly c: SpanContext, readonly s?: Shared, name?: string, kind?: SpanKind, parent?: SpanContext, scope?: InstrumentationScope, start?: TimeInput) {
    this.ended = !s;
    if (s) {
      this.name = name!;
      this.kind = kind!;
      this.parentSpanContext = parent;
      this.instrumentationScope = scope!;
      this.resource = s.resource;
      this.startTime = toTime(start);
    }
  }

  /** True when the call must be ignored: ended (reported once) or non-recording (silent). */
  g(): boolean {
    return this.ended && (this.s && warnOnce("span ended: call ignored"), true);
  }

  spanContext(): SpanContext {
    return this.c;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.g()) {
      const l = this.s!.l;
      const r = put(this.attributes, key, value, l[0]!, l[1]!, this.n);
      r < 0 ? this.droppedAttributesCount++ || over("attributes") : (this.n = r);
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    each(attributes, (k, v) => this.setAttribute(k, v as AttributeValue));
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.g()) {
      const l = this.s!.l;
      // The second argument is the time when it has a time's shape, else the attributes.
      let at = timeOf(attributesOrTime);
      let attributes: unknown;
      if (at === undefined) (attributes = attributesOrTime), (at = toTime(time));
      const [a, d] = copy(attributes, l[4], l[1]);
      // Spec (Span Limits) leaves which events to drop open; the official SDKs keep the newest.
      if (this.events.push({ name: str(name, "event"), time: at, attributes: a, droppedAttributesCount: d }) > l[2]!)
        this.events.shift(), this.droppedEventsCount++ || over("oldest events");
    }
    return this;
  }

  addLink(link: Link): this {
    if (!this.g()) {
      const l = this.s!.l;
      let c: SpanContext, attributes: unknown, dropped: unknown;
      try {
        // Read once: a link may be a Proxy or have throwing getters. Ids that are not strings
        // are dropped now rather than breaking an exporter later.
        c = link.context;
        if (typeof link != "object" || typeof c != "object" || typeof c.traceId != "string" || typeof c.spanId != "string") throw 0;
        attributes = link.attributes;
        dropped = link.droppedAttributesCount;
      } catch {
        warnOnce("link without span context dropped");
        return this;
      }
      if (this.links.length < l[3]!) {
        const [a, d] = copy(attributes, l[5], l[1]);
        this.links.push({ context: c, attributes: a, droppedAttributesCount: d + (Number.isSafeInteger(dropped) && (dropped as number) > 0 ? (dropped as number) : 0) });
      } else this.droppedLinksCount++ || over("links");
    }
    return this;
  }

  addLinks(links: Link[]): this {
    try {
      if (Array.isArray(links)) for (const link of links) this.addLink(link);
    } catch {
      warnOnce("unreadable links dropped"); // a revoked Proxy: the links read so far are kept
    }
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.g()) {
      let code: unknown, message: unknown;
      try {
        ({ code, message } = status);
      } catch {} // reported below as an invalid code
      // Spec (Set Status): UNSET is ignored, OK is final, a description only goes with ERROR.
      if (code === 0 || this.status.code == 1) return this;
      if (code === 1 || code === 2) this.status = code == 2 && typeof message == "string" ? { code, message } : { code };
      else warnOnce("invalid status ignored");
    }
    return this;
  }

  updateName(name: string): this {
    if (!this.g()) this.name = str(name, this.name);
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    // Spec (Record Exception; semconv exception.*): an event named "exception".
    const a: Attributes = {};
    const set = (k: string, v: unknown) => typeof v == "string" && (a["exception." + k] = v);
    if (exception && typeof exception == "object")
      try {
        const { code, name, message, stack } = exception;
        set("type", code != null ? str(code, name) : name);
        set("message", message);
        set("stacktrace", stack);
      } catch {} // a throwing getter: what was read is kept
    else if (exception != null) set("message", str(exception, ""));
    this.addEvent("exception", a, time);
  }

  end(endTime?: TimeInput): void {
    if (this.g()) return;
    this.ended = true;
    const t = toTime(endTime);
    if (t < this.startTime) warnOnce("span end before start clamped");
    this.endTime = Math.max(t, this.startTime);
    if (this.c.traceFlags & 1)
      try {
        this.s!.sink!.onEnd(this);
      } catch {}
  }
}

const INVALID: SpanContext = { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 };

/** Spec (API, Wrapping a SpanContext in a Span): a non-recording span carrying `c`. */
export const wrapSpanContext = (c: SpanContext): Span => new LeanSpan(c);

/** Starts a span (Tracer.startSpan); throws on unreadable options or context (the caller retries without them). */
function start(s: Shared, scope: InstrumentationScope, name: string, options?: SpanOptions, ctx?: Context): Span {
  let parentContext = ctx ?? active();
  if (options?.root) parentContext = parentContext.deleteValue(SPAN_KEY);
  let p = getSpan(parentContext)?.spanContext();
  p = p && isSpanContextValid(p) ? p : undefined;
  // Suppressed (the exporter's own fetch), or no provider yet: keep propagating the parent, record nothing.
  if (!s.sink || parentContext.getValue(SUPPRESS_KEY) === true) return new LeanSpan(p ?? INVALID);
  let kind = options?.kind ?? 0;
  // Exporters index tables by kind: anything but a SpanKind must not reach them.
  if (![0, 1, 2, 3, 4].includes(kind)) warnOnce("invalid span kind ignored"), (kind = 0);
  const spanName = str(name, "span");
  const attributes = options?.attributes;
  const traceId = p ? p.traceId : hex(16);
  let traceState = p?.traceState;
  let result: ReturnType<Sampler["shouldSample"]> | undefined;
  // W3C Trace Context Level 2 §3.2.2.5.2: a new trace's id is random (flag 0x02, here with the
  // sampled flag of the default decision); a child starts from its parent's flags.
  const flags = p ? p.traceFlags : 3;
  // The default sampler, ParentBased(AlwaysOn), needs no object: follow the parent's sampled flag.
  let decision = (flags & 1) * 2;
  if (s.sampler) {
    try {
      result = s.sampler.shouldSample(parentContext, traceId, spanName, kind, attributes ?? {});
      decision = result.decision;
      // What would otherwise reach the exporter: an invalid decision, a tracestate that cannot serialize.
      if (![0, 1, 2].includes(decision) || (result.traceState !== undefined && typeof result.traceState.serialize != "function")) throw 0;
    } catch {
      warnOnce("invalid sampler result: span dropped");
      result = undefined;
      decision = 0;
    }
    traceState = result?.traceState ?? traceState;
  }
  const c: SpanContext = { traceId, spanId: hex(8), traceFlags: decision > 1 ? flags | 1 : flags & ~1, traceState };
  if (!decision) return new LeanSpan(c);
  const links = options?.links;
  const span = new LeanSpan(c, s, spanName, kind, p, scope, options?.startTime);
  span.setAttributes(attributes!).addLinks(links!);
  if (result?.attributes) span.setAttributes(result.attributes);
  s.sink.onStart?.(span, parentContext);
  return span;
}

/**
 * The tracer provider (spec: TracerProvider) over `config`, which it keeps and reads at each span
 * start (`config.sink = undefined` stops recording); tracers are not cached (each is two closures).
 */
export function createTracerProvider(config: TracerConfig): TracerProvider {
  const s = config as Shared;
  // A limit that is not a non-negative number gets the spec default (config.ts reports bad env).
  s.l = LIMITS.map((k, i) => {
    const v = config.limits?.[k];
    return typeof v == "number" && v >= 0 ? v : i == 1 ? 1 / 0 : 128;
  });
  return {
    getTracer(name, version, options) {
      let schemaUrl: unknown;
      try {
        schemaUrl = options?.schemaUrl;
      } catch {}
      // Spec (Get a Tracer): an invalid name still gives a working tracer, reported.
      name = only(name) || (warnOnce("invalid tracer name ignored"), "");
      // Spec (Get a Tracer): name, version and schema URL identify the instrumentation scope.
      const scope: InstrumentationScope = {
        name,
        version: only(version),
        schemaUrl: only(schemaUrl),
      };
      const startSpan = (name: string, options?: SpanOptions, ctx?: Context): Span => {
        try {
          return start(s, scope, name, options, ctx);
        } catch {
          // Options or a context that cannot be read (throwing getters, a ctx that is not a Context).
          warnOnce("unreadable startSpan arguments ignored");
          try {
            return start(s, scope, name);
          } catch {
            return new LeanSpan(INVALID);
          }
        }
      };
      return {
        startSpan,
        // (fn), (options, fn), (options, ctx, fn): `fn` (the last argument) runs with the span
        // active and ends it; what it returns (a promise too) is returned as is, and what it
        // throws reaches the caller.
        startActiveSpan(name: string, ...args: unknown[]): never {
          const fn = args.pop();
          const [options, ctx] = args as [SpanOptions?, Context?];
          if (typeof fn != "function") return undefined as never;
          const span = startSpan(name, options, ctx);
          let c: Context;
          try {
            c = setSpan(ctx ?? active(), span);
          } catch {
            c = setSpan(active(), span); // `ctx` is not a Context (startSpan reported it)
          }
          return withContext(c, () => fn(span)) as never;
        },
      } as Tracer;
    },
  };
}
