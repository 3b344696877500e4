// Stand-in for bench/lean/propagation.ts (tests only): traceparent only, on Headers carriers.
import type { Context, Propagation } from "../../../bench/lean/contract.ts";
import { getSpan, setSpan } from "./tracer.ts";

export const w3c: Propagation = {
  inject(ctx: Context, carrier: unknown) {
    const sc = getSpan(ctx)?.spanContext();
    if (sc) (carrier as Headers).set("traceparent", `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags}`);
  },
  extract(ctx: Context, carrier: unknown) {
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([01])$/.exec((carrier as Headers).get("traceparent") ?? "");
    if (!m) return ctx;
    const sc = { traceId: m[1]!, spanId: m[2]!, traceFlags: +m[3]!, isRemote: true };
    return setSpan(ctx, { spanContext: () => sc, isRecording: () => false } as never);
  },
  fields: () => ["traceparent"],
};
