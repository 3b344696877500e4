/**
 * `OTEL_PROPAGATORS` (OTel spec "SDK environment variables" §General): a comma-separated
 * list of propagator names, combined in order. Default `tracecontext,baggage`; empty is
 * unset; `none` configures nothing. Unknown names (including spec names we do not ship,
 * such as `xray` or `ottrace`) are reported once and skipped; duplicates are ignored.
 */
import { diagOnce } from "../common/diag.ts";
import { B3Propagator } from "./b3.ts";
import { W3CBaggagePropagator } from "./baggage-propagator.ts";
import { CompositePropagator } from "./composite.ts";
import { JaegerPropagator } from "./jaeger.ts";
import type { TextMapPropagator } from "./text-map.ts";
import { W3CTraceContextPropagator } from "./trace-context.ts";

/** The propagators `OTEL_PROPAGATORS` may name (besides `none`). */
const BY_NAME: Record<string, () => TextMapPropagator<unknown>> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: "multi" }),
  jaeger: () => new JaegerPropagator(),
};

/** The `OTEL_PROPAGATORS` names we accept (a literal: computing it would keep every propagator in bundles that never call this). */
export const KNOWN_PROPAGATORS: readonly string[] = ["tracecontext", "baggage", "b3", "b3multi", "jaeger", "none"];

/**
 * Builds the propagator `OTEL_PROPAGATORS=value` asks for. Never throws.
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(propagatorFromEnv(env.OTEL_PROPAGATORS)); // e.g. "tracecontext,baggage,b3multi"
 * ```
 */
export function propagatorFromEnv(value: string | undefined): TextMapPropagator<unknown> {
  const raw = typeof value === "string" ? value.trim() : "";
  const names = (raw === "" ? ["tracecontext", "baggage"] : raw.split(","))
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
  const seen = new Set<string>();
  const propagators: TextMapPropagator<unknown>[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === "none") continue;
    if (Object.hasOwn(BY_NAME, name)) propagators.push(BY_NAME[name]!());
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    // One warning per value, listing every unknown name (each cut short: values can be huge).
    const names = unknown.slice(0, 8).map((n) => JSON.stringify(n.slice(0, 64))).join(", ") + (unknown.length > 8 ? ", …" : "");
    // Only unknown names is an invalid value: fall back to the default (spec: invalid = ignore).
    const fallback = propagators.length === 0 && !seen.has("none");
    diagOnce(
      "warn",
      `OTEL_PROPAGATORS:${raw.slice(0, 256)}`,
      `Ignoring unknown propagator${unknown.length > 1 ? "s" : ""} ${names} in OTEL_PROPAGATORS: accepted values are ${KNOWN_PROPAGATORS.join(", ")}` +
        (fallback ? "; using the default tracecontext,baggage." : "."),
    );
    if (fallback) return propagatorFromEnv(undefined);
  }
  return propagators.length === 1 ? propagators[0]! : new CompositePropagator({ propagators });
}
