/**
 * `OTEL_PROPAGATORS` for node-init.ts and the global `propagation` API it registers them in, as
 * the product's src/propagation/from-env.ts + propagation-api.ts: `tracecontext` and `baggage`
 * (propagation.ts's W3C propagator, which handles both headers: naming one of them gives both —
 * a difference from the product), `b3` (single header), `b3multi` (`x-b3-*`), `jaeger`
 * (`uber-trace-id`), `none`; a list is one composite (inject each, extract in order, the
 * later winning). Unset: `tracecontext,baggage`; only unknown names: reported, the default.
 *
 * B3 as the product's src/propagation/b3.ts (openzipkin/b3-propagation): 64- or 128-bit trace
 * ids (padded), the single header first, then the multi headers; `d` (debug) and
 * `x-b3-flags: 1` read as sampled (the debug flag itself is not carried). Jaeger: the
 * `uber-trace-id` header (`trace:span:parent:flags`, percent-decoded, ids padded, flags & 3 →
 * sampled); the `uberctx-*` baggage headers are left out. Neither injects while tracing is
 * suppressed or without a valid span context. Never throws.
 */
import type { Context, Propagation, SpanContext, TextMapGetter, TextMapSetter } from "./contract.ts";
import { active, SPAN_KEY, SUPPRESS_KEY } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { defaultSetter, nonRecordingSpan, read, trim, w3c } from "./propagation.ts";
import { getSpan, isSpanContextValid } from "./tracer.ts";

const one = (getter: TextMapGetter | undefined, carrier: unknown, name: string): string => {
  const v = read(getter, carrier, name);
  return v.length == 1 ? trim(v[0]!) : "";
};

/** The span context to inject, unless tracing is suppressed. */
const toInject = (ctx: Context): SpanContext | undefined => {
  const sc = ctx.getValue(SUPPRESS_KEY) === true ? undefined : getSpan(ctx)?.spanContext();
  return sc && isSpanContextValid(sc) ? sc : undefined;
};

/** `ctx` with the remote span `traceId`/`spanId` (padded), when valid. */
const remote = (ctx: Context, traceId: string, spanId: string, sampled: unknown): Context => {
  const sc = { traceId: traceId.padStart(32, "0"), spanId: spanId.padStart(16, "0"), traceFlags: sampled ? 1 : 0, isRemote: true };
  return isSpanContextValid(sc) ? ctx.setValue(SPAN_KEY, nonRecordingSpan(sc)) : ctx;
};

const safe = (p: Propagation): Propagation => ({
  inject(ctx, carrier, setter = defaultSetter) {
    try {
      p.inject(ctx, carrier, setter);
    } catch {}
  },
  extract(ctx, carrier, getter) {
    try {
      return p.extract(ctx, carrier, getter);
    } catch {
      return ctx;
    }
  },
  fields: p.fields,
});

const SINGLE = /^((?:[\da-f]{16}){1,2})-([\da-f]{16})(?:-([01d])(?:-[\da-f]{16})?)?$/;
const B3 = ["x-b3-traceid", "x-b3-spanid", "x-b3-flags", "x-b3-sampled", "x-b3-parentspanid"];

/** B3, single (`b3`) or multi-header (`x-b3-*`) injection; both extracted. */
export const b3 = (multi?: boolean): Propagation =>
  safe({
    inject(ctx, carrier, setter = defaultSetter) {
      const sc = toInject(ctx);
      const s = sc && (sc.traceFlags & 1) + "";
      if (!sc) return;
      if (!multi) return setter.set(carrier, "b3", `${sc.traceId}-${sc.spanId}-${s}`);
      setter.set(carrier, B3[0]!, sc.traceId);
      setter.set(carrier, B3[1]!, sc.spanId);
      setter.set(carrier, B3[3]!, s!);
    },
    extract(ctx, carrier, getter) {
      const m = SINGLE.exec(one(getter, carrier, "b3"));
      const next = m && remote(ctx, m[1]!, m[2]!, m[3] == "d" || m[3] == "1");
      if (next && next != ctx) return next;
      const [t, s, f, sampled] = B3.map((h) => one(getter, carrier, h));
      return /^(?:[\da-f]{16}){1,2}$/.test(t!) && /^[\da-f]{16}$/.test(s!) ? remote(ctx, t!, s!, f == "1" || /^(1|true)$/i.test(sampled!)) : ctx;
    },
    fields: () => (multi ? B3 : ["b3"]),
  });

/** Jaeger's `uber-trace-id` (its baggage headers left out). */
export const jaeger: Propagation = safe({
  inject(ctx, carrier, setter = defaultSetter) {
    const sc = toInject(ctx);
    if (sc) setter.set(carrier, "uber-trace-id", `${sc.traceId}:${sc.spanId}:0:0${sc.traceFlags & 1}`);
  },
  extract(ctx, carrier, getter) {
    const raw = one(getter, carrier, "uber-trace-id");
    let m;
    try {
      m = raw.length < 129 && /^([\da-f]{1,32}):([\da-f]{1,16}):[\da-f]{1,16}:([\da-f]{1,2})$/.exec(decodeURIComponent(raw).toLowerCase());
    } catch {}
    return m ? remote(ctx, m[1]!, m[2]!, parseInt(m[3]!, 16) & 3) : ctx;
  },
  fields: () => ["uber-trace-id"],
});

/** The propagator `OTEL_PROPAGATORS` names (see the module doc). */
export function propagatorFromEnv(value = "tracecontext,baggage"): Propagation {
  const names = [...new Set(value.toLowerCase().split(",").map((s) => s.trim()).filter(Boolean))];
  const by: Record<string, Propagation> = { tracecontext: w3c, baggage: w3c, b3: b3(), b3multi: b3(1 as never), jaeger };
  const list = [...new Set(names.filter((n) => n != "none" && (Object.hasOwn(by, n) || void warnOnce("OTEL_PROPAGATORS: unknown propagator ignored"))).map((n) => by[n]!))];
  if (!list.length && names.length && !names.includes("none")) return propagatorFromEnv();
  return {
    inject: (ctx, carrier, setter) => list.forEach((p) => p.inject(ctx, carrier, setter)),
    extract: (ctx, carrier, getter) => list.reduce((c, p) => p.extract(c, carrier, getter), ctx),
    fields: () => [...new Set(list.flatMap((p) => p.fields()))],
  };
}

let global: Propagation | undefined;

/** The global propagation API (the OTel API's `propagation`, text maps only): a no-op until a propagator is set. */
export const propagation = {
  inject: (ctx: Context = active(), carrier: unknown, setter?: TextMapSetter): void => global?.inject(ctx, carrier, setter),
  extract: (ctx: Context = active(), carrier: unknown, getter?: TextMapGetter): Context => global?.extract(ctx, carrier, getter) ?? ctx,
  fields: (): string[] => global?.fields() ?? [],
  setGlobalPropagator: (p: Propagation | undefined): void => void (global = p),
};
