/**
 * The tracer: creates spans, asks the sampler, and runs callbacks with a span active.
 * Shape-compatible with `Tracer` in `@opentelemetry/api` (all `startActiveSpan` overloads).
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { context as contextApi } from "../context/context-api.ts";
import type { Context } from "../context/context.ts";
import { randomIdGenerator, type IdGenerator } from "./ids.ts";
import { NonRecordingSpan } from "./non-recording-span.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "./samplers/always.ts";
import { parentBasedSamplers } from "./samplers/parent-based.ts";
import type { Sampler, SamplingResult } from "./samplers/sampler.ts";
import { RecordingSpan, safeString, type SpanOwner } from "./span.ts";
import { isSpanContextValid, noteValidIds, type SpanContext } from "./span-context.ts";
import { deleteSpan, getSpan, setSpan } from "./span-in-context.ts";
import { isTracingSuppressed } from "./suppress.ts";
import type { Span, SpanOptions } from "./types.ts";

/** Creates spans. */
export interface Tracer {
  /** Starts a span; the parent is the span in `ctx` (default: the active context). Does not make it active. */
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span;
  /** Starts a span, makes it active while `fn` runs, and returns what `fn` returns. `fn` must end the span. */
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
}

/** What a tracer shares with every span it creates, plus sampling and id generation. */
export interface TracerConfig extends SpanOwner {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  /** False once the provider is shut down: spans are then non-recording. */
  isActive(): boolean;
}

const EMPTY_ATTRIBUTES: Attributes = /* @__PURE__ */ Object.freeze({}) as Attributes;

/**
 * W3C Trace Context Level 2 §3.2.2.5.2 "Random Trace ID Flag": set on new traces whose id
 * comes from our random generator, telling consistent-probability samplers downstream that
 * the id's rightmost 7 bytes are random (OTel spec: TraceIdRatioBased randomness).
 */
const RANDOM_TRACE_ID_FLAG = 0x02;

/**
 * For samplers whose decision depends only on the parent — AlwaysOn, AlwaysOff, and
 * ParentBased over those (the default) — whether each case is sampled, indexed
 * `[root, remote sampled, remote not sampled, local sampled, local not sampled]`, so the
 * tracer decides without calling the sampler (no result object, no second look-up of the
 * parent). `undefined` for any other sampler: it is asked for every span.
 */
function constantDecisions(sampler: Sampler): readonly boolean[] | undefined {
  const constant = (s: Sampler | undefined): boolean | undefined =>
    s?.constructor === AlwaysOnSampler ? true : s?.constructor === AlwaysOffSampler ? false : undefined;
  const all = constant(sampler);
  if (all !== undefined) return [all, all, all, all, all];
  const delegates = parentBasedSamplers(sampler)?.map(constant);
  return delegates !== undefined && !delegates.includes(undefined) ? (delegates as boolean[]) : undefined;
}

/**
 * The SDK tracer over `config` (closures rather than a class: the state is read from the
 * closure, which minifies to less than private fields and is as fast).
 */
export function createTracer(config: TracerConfig): Tracer {
  const { sampler, idGenerator } = config;
  const decisions = constantDecisions(sampler);
  const randomIds = idGenerator === randomIdGenerator;

  const start = (name: string, options?: SpanOptions, ctx?: Context): Span => {
    let parentContext = ctx ?? contextApi.active();
    if (options?.root) parentContext = deleteSpan(parentContext);
    const parent = getSpan(parentContext)?.spanContext();
    const validParent = parent && isSpanContextValid(parent) ? parent : undefined;
    // Keep propagating the parent (if any) without recording: matches the official SDK.
    if (isTracingSuppressed(parentContext) || !config.isActive()) return new NonRecordingSpan(validParent);

    const parentFlags = validParent ? validParent.traceFlags : randomIds ? RANDOM_TRACE_ID_FLAG : 0;
    let kind = options?.kind ?? 0 /* SpanKind.INTERNAL */;
    // Exporters index tables by kind: anything but a SpanKind (a Symbol, an object) must not reach them.
    if (kind !== 1 && kind !== 2 && kind !== 3 && kind !== 4 && kind !== 0) {
      diagOnce("warn", "startSpan: invalid kind; using INTERNAL.");
      kind = 0;
    }
    const spanName = safeString(name, "span");
    let result: SamplingResult | undefined;
    let sampled: boolean | undefined;
    // A parent's tracestate may carry a sampling threshold that ParentBased checks: ask the sampler.
    if (decisions && validParent?.traceState === undefined) {
      sampled = decisions[
        validParent === undefined ? 0 : (validParent.isRemote ? 1 : 3) + ((validParent.traceFlags & 1 /* TraceFlags.SAMPLED */) === 0 ? 1 : 0)
      ] as boolean;
      if (!sampled && randomIds) {
        // Sampled out: ids are drawn only if someone asks for the span context.
        return new NonRecordingSpan(undefined, true, validParent, parentFlags & ~1 /* TraceFlags.SAMPLED */);
      }
    }
    const traceId = validParent ? validParent.traceId : idGenerator.generateTraceId();
    const spanId = idGenerator.generateSpanId();
    if (sampled === undefined) {
      try {
        result = sampler.shouldSample(parentContext, traceId, spanName, kind, options?.attributes ?? EMPTY_ATTRIBUTES, options?.links ?? []);
        // What would otherwise reach the exporters: an invalid decision, a traceState that cannot serialize.
        const { decision, traceState } = result;
        if (!(decision === 0 || decision === 1 || decision === 2) || (traceState !== undefined && typeof traceState.serialize !== "function")) result = undefined;
      } catch {
        result = undefined;
      }
      if (result === undefined) {
        // A broken custom sampler must not break the application: record nothing.
        diagOnce("warn", "Invalid sampler result; span not recorded.");
        result = { decision: 0 /* SamplingDecision.NOT_RECORD */ };
      }
      sampled = result.decision === 2 /* SamplingDecision.RECORD_AND_SAMPLED */;
    }
    if (randomIds) noteValidIds(traceId, spanId);
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: sampled ? parentFlags | 1 /* TraceFlags.SAMPLED */ : parentFlags & ~1 /* TraceFlags.SAMPLED */,
      traceState: result?.traceState ?? validParent?.traceState,
    };
    if (result ? result.decision === 0 /* SamplingDecision.NOT_RECORD */ : !sampled) return new NonRecordingSpan(spanContext);

    const span = new RecordingSpan(
      config,
      parentContext,
      spanName,
      spanContext,
      kind,
      validParent,
      options?.attributes,
      options?.links,
      options?.startTime,
    );
    if (result?.attributes) span.setAttributes(result.attributes);
    return span;
  };

  const tracer: Tracer = {
    startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
      try {
        return start(name, options, ctx);
      } catch {
        // Recording never throws (DESIGN principle 3): `options` or `ctx` that cannot be read (a
        // throwing getter or Proxy, a `ctx` that is not a Context) are dropped, the span is kept.
        diagOnce("warn", "startSpan: unreadable options or context ignored.");
        try {
          return start(name);
        } catch {
          return new NonRecordingSpan(); // a throwing custom idGenerator or sampler result
        }
      }
    },
    startActiveSpan(name: string, ...args: unknown[]): never {
      return runInActiveSpan(tracer, name, args) as never;
    },
  };
  return tracer;
}

/**
 * The body of every `startActiveSpan` overload: `(fn)`, `(options, fn)`, `(options, ctx, fn)`.
 * Starts a span through `tracer.startSpan`, runs `fn(span)` with the span active, and returns
 * what `fn` returns (a promise included). As in the official API, `fn` ends the span.
 */
export function runInActiveSpan(tracer: Pick<Tracer, "startSpan">, name: string, args: unknown[]): unknown {
  let options: SpanOptions | undefined;
  let ctx: Context | undefined;
  let fn: unknown;
  if (args.length <= 1) fn = args[0];
  else if (args.length === 2) [options, fn] = args as [SpanOptions, unknown];
  else [options, ctx, fn] = args as [SpanOptions, Context, unknown];
  if (typeof fn !== "function") return undefined; // nothing to run, as in the official API
  const span = tracer.startSpan(name, options, ctx);
  let active: Context;
  try {
    active = setSpan(ctx ?? contextApi.active(), span);
  } catch {
    active = setSpan(contextApi.active(), span); // `ctx` is not a Context (startSpan reported it)
  }
  // Outside the try: an error of `fn` reaches the caller unchanged.
  return contextApi.with(active, fn as (span: Span) => unknown, undefined, span);
}
