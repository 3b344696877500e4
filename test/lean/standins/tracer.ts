// Stand-in for bench/lean/tracer.ts (tests only): spans that record name, kind, attributes,
// events and status and hand themselves to the sink on end; SUPPRESS_KEY gives non-recording spans.
import type { Attributes, Context, Span, SpanContext, TracerConfig } from "../../../bench/lean/contract.ts";
import { SPAN_KEY, SUPPRESS_KEY } from "../../../bench/lean/context.ts";

export const getSpan = (ctx: Context): Span | undefined => ctx.getValue(SPAN_KEY) as Span | undefined;
export const setSpan = (ctx: Context, span: Span): Context => ctx.setValue(SPAN_KEY, span);
const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

export function createTracerProvider(config: TracerConfig) {
  return {
    getTracer(name: string, version?: string) {
      return {
        startSpan(spanName: string, options: { kind?: number; attributes?: Attributes } = {}, ctx?: Context): Span {
          const parent = ctx ? getSpan(ctx)?.spanContext() : undefined;
          const recording = !ctx?.getValue(SUPPRESS_KEY);
          const sc: SpanContext = { traceId: parent?.traceId ?? hex(16), spanId: hex(8), traceFlags: 1 };
          const attributes: Attributes = {};
          let ended = false;
          const span = {
            name: spanName, kind: options.kind ?? 0, attributes, events: [] as unknown[], links: [], status: { code: 0 } as { code: number; message?: string },
            parentSpanContext: parent, instrumentationScope: { name, version }, resource: config.resource, startTime: Date.now(), endTime: 0,
            spanContext: () => sc,
            isRecording: () => recording && !ended,
            setAttribute(k: string, v: unknown) { if (!ended && v !== undefined) attributes[k] = v as never; return span; },
            setAttributes(a: Attributes) { for (const k in a) span.setAttribute(k, a[k]); return span; },
            addEvent(n: string, a?: Attributes) { span.events.push({ name: n, attributes: a ?? {} }); return span; },
            recordException(e: unknown) {
              const a: Attributes = {};
              if (e && typeof e == "object") {
                const { name: t, message, stack, code } = e as Record<string, string>;
                if (code ?? t) a["exception.type"] = code ?? t;
                if (message) a["exception.message"] = message;
                if (stack) a["exception.stacktrace"] = stack;
              } else a["exception.message"] = String(e);
              span.addEvent("exception", a);
            },
            setStatus(s: { code: number; message?: string }) { span.status = s; return span; },
            updateName(n: string) { span.name = n; return span; },
            end() { if (ended) return; ended = true; span.endTime = Date.now(); if (recording) config.sink?.onEnd(span as never); },
          };
          span.setAttributes(options.attributes ?? {});
          return span as unknown as Span;
        },
      };
    },
  };
}
