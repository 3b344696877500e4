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

/** The `OTEL_PROPAGATORS` names we accept. */
export const KNOWN_PROPAGATORS: readonly string[] = ["tracecontext", "baggage", "b3", "b3multi", "jaeger", "none"];

const DEFAULT_NAMES = ["tracecontext", "baggage"];

function create(name: string): TextMapPropagator<unknown> | undefined {
  switch (name) {
    case "tracecontext":
      return new W3CTraceContextPropagator();
    case "baggage":
      return new W3CBaggagePropagator();
    case "b3":
      return new B3Propagator({ injectEncoding: "single" });
    case "b3multi":
      return new B3Propagator({ injectEncoding: "multi" });
    case "jaeger":
      return new JaegerPropagator();
    default:
      return undefined;
  }
}

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
  const names = (raw === "" ? DEFAULT_NAMES : raw.split(","))
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
  const seen = new Set<string>();
  const propagators: TextMapPropagator<unknown>[] = [];
  let unknown = 0;
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === "none") continue;
    const p = create(name);
    if (p) {
      propagators.push(p);
      continue;
    }
    unknown++;
    diagOnce(
      "warn",
      `OTEL_PROPAGATORS:${name}`,
      `Ignoring unknown propagator ${JSON.stringify(name.slice(0, 64))} in OTEL_PROPAGATORS: accepted values are ${KNOWN_PROPAGATORS.join(", ")}.`,
    );
  }
  // Only unknown names is an invalid value: warn and fall back to the default (spec: invalid = ignore).
  if (propagators.length === 0 && unknown > 0 && !seen.has("none")) {
    diagOnce("warn", "OTEL_PROPAGATORS:default", "OTEL_PROPAGATORS named no known propagator; using the default tracecontext,baggage.");
    return propagatorFromEnv(undefined);
  }
  return propagators.length === 1 ? propagators[0]! : new CompositePropagator({ propagators });
}
