/**
 * `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` for node-init.ts (SDK environment variables
 * spec): `always_on`, `always_off`, `traceidratio`, `parentbased_always_on` (the default: no
 * sampler object, tracer.ts follows the parent), `parentbased_always_off`,
 * `parentbased_traceidratio`. An unknown name or a ratio outside [0, 1] is reported and the
 * default used, as the product's src/trace/samplers/from-env.ts.
 *
 * The ratio sampler is the product's consistent-probability one (OpenTelemetry "TraceIdRatioBased"
 * with W3C Trace Context Level 2 randomness, OTEP 235): the last 14 hex digits of the trace id
 * (or a valid `ot=rv`) against the threshold `2^56 - round(ratio × 2^56)`, rounded to 4
 * significant hex digits (+1 per 4 leading zero bits); a sampled span carries `ot=th:<T>` (its
 * parent's other `ot` sub-keys kept after it). The 256-character bound of the `ot` entry is not checked.
 */
import type { Context, Sampler } from "./contract.ts";
import { warnOnce } from "./diag.ts";
import { createTraceState } from "./propagation.ts";
import { getSpan, isSpanContextValid } from "./tracer.ts";

const fixed = (decision: 0 | 2): Sampler => ({ shouldSample: (c: Context) => ({ decision, traceState: getSpan(c)?.spanContext().traceState }), toString: () => "" });

/** probability → the `th` value (threshold.ts `probabilityToTh`, precision 4); undefined: never sample. */
function th(p: number): string | undefined {
  if (p >= 1) return "0";
  const scaled = BigInt(Math.round(p * 2 ** 56));
  if (!scaled) return;
  let e = 0;
  for (let m = p; m < 0.5; m *= 2) e--;
  const shift = BigInt(4 * (14 - Math.max(1, Math.min(14, 4 + Math.floor(-e / 4)))));
  let t = 2n ** 56n - scaled;
  if (shift) {
    t = ((t + (1n << shift >> 1n)) >> shift) << shift;
    if (t >= 2n ** 56n) t = 2n ** 56n - (1n << shift);
  }
  return t.toString(16).padStart(14, "0").replace(/0+$/, "") || "0";
}

function ratio(p: number): Sampler {
  const t = th(p);
  const threshold = t?.padEnd(14, "0");
  const root = t ? createTraceState("ot=th:" + t) : undefined;
  return {
    shouldSample(c: Context, traceId: string) {
      const ts = getSpan(c)?.spanContext().traceState;
      const rv = ts?.get("ot")?.match(/(?:^|;)rv:([\da-f]{14})(?:;|$)/)?.[1];
      if (!(threshold && /^[\da-f]{32}$/.test(traceId) && (rv ?? traceId.slice(-14)) >= threshold)) return { decision: 0, traceState: ts };
      // A sampled span's `ot` entry carries this sampler's threshold first (OpenTelemetry TraceState Handling).
      const parts = ts?.get("ot")?.split(";") ?? [];
      const th = "th:" + t;
      return { decision: 2, traceState: ts ? (parts.includes(th) ? ts : ts.set("ot", [th, ...parts.filter((p) => p && !p.startsWith("th:"))].join(";"))) : root };
    },
    toString: () => "",
  };
}

/** ParentBased(root): a valid parent's sampled flag decides, else `root`. */
const parentBased = (root: Sampler): Sampler => ({
  shouldSample(c, ...rest) {
    const p = getSpan(c)?.spanContext();
    return p && isSpanContextValid(p) ? { decision: (p.traceFlags & 1) * 2 as 0 | 2, traceState: p.traceState } : root.shouldSample(c, ...rest);
  },
  toString: () => "",
});

/** The sampler `OTEL_TRACES_SAMPLER` (+ `_ARG`) names, lowercased; undefined for the default (parent-based always-on). */
export function envSampler(name = "parentbased_always_on", arg?: string): Sampler | undefined {
  const m = /^(parentbased_)?(always_on|always_off|traceidratio)$/.exec(name);
  if (!m) return warnOnce("ignored OTEL_TRACES_SAMPLER: unknown sampler"), undefined;
  let p = arg == null || arg == "" ? 1 : +arg;
  if (!(p >= 0 && p <= 1)) warnOnce("ignored OTEL_TRACES_SAMPLER_ARG: not a ratio in [0, 1]"), (p = 1);
  const root = m[2] == "always_on" ? (m[1] ? undefined : fixed(2)) : m[2] == "always_off" ? fixed(0) : ratio(p);
  return root && (m[1] ? parentBased(root) : root);
}
