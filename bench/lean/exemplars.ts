/**
 * Exemplars for metrics.ts (spec: Metrics SDK "Exemplar"), as the product's src/metrics/exemplar.ts
 * with its defaults: the filter from `OTEL_METRICS_EXEMPLAR_FILTER` — `trace_based` (default: a
 * measurement made inside a sampled span), `always_on` (every measurement; outside a span, no
 * ids), `always_off` — and the default reservoirs: a histogram keeps the last measurement of
 * each bucket (AlignedHistogramBucketExemplarReservoir); any other instrument one measurement,
 * each later one replacing it with probability 1/(n+1), n counted since the last collection
 * (SimpleFixedSizeExemplarReservoir of size 1, naive reservoir sampling). No filtered
 * attributes (there are no views).
 */
import { active } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import type { Offer } from "./metrics.ts";
import { getSpan, isSpanContextValid } from "./tracer.ts";

/** The `Offer` for the filter named (lowercased), or undefined for `always_off`. */
export function exemplars(filter = "trace_based"): Offer | undefined {
  if (!/^(trace_based|always_on|always_off)$/.test(filter)) warnOnce("ignored OTEL_METRICS_EXEMPLAR_FILTER: unknown filter"), (filter = "trace_based");
  if (filter == "always_off") return;
  const on = filter == "always_on";
  return (cell, value, time, bucket) => {
    let c;
    try {
      c = getSpan(active())?.spanContext();
    } catch {
      return; // a broken context must not break recording
    }
    const ok = c && isSpanContextValid(c);
    if (!on && !(ok && c!.traceFlags & 1)) return;
    const n = (cell[6] = (cell[6] ?? 0) + 1) - 1;
    const slot = bucket ?? (n && Math.floor(Math.random() * (n + 1)));
    if (bucket == null && slot) return;
    (cell[5] ??= [])[slot] = { value, time, traceId: ok ? c!.traceId : undefined, spanId: ok ? c!.spanId : undefined, filteredAttributes: {} };
  };
}
