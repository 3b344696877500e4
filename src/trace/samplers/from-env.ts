/**
 * The sampler named by `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`
 * (spec: SDK environment variables, "General SDK Configuration").
 *
 * | `OTEL_TRACES_SAMPLER`                  | sampler                                              | `OTEL_TRACES_SAMPLER_ARG`            |
 * |----------------------------------------|------------------------------------------------------|--------------------------------------|
 * | `always_on`                            | AlwaysOn                                             | –                                    |
 * | `always_off`                           | AlwaysOff                                            | –                                    |
 * | `traceidratio`                         | TraceIdRatioBased(arg)                               | ratio in [0, 1], default 1.0         |
 * | `parentbased_always_on` (default)      | ParentBased(root = AlwaysOn)                         | –                                    |
 * | `parentbased_always_off`               | ParentBased(root = AlwaysOff)                        | –                                    |
 * | `parentbased_traceidratio`             | ParentBased(root = TraceIdRatioBased(arg))           | ratio in [0, 1], default 1.0         |
 * | `otel_edge_ratelimiting`               | RateLimiting(arg)  (otel-edge extension)             | traces per second >= 0, default 1    |
 * | `parentbased_otel_edge_ratelimiting`   | ParentBased(root = RateLimiting(arg)) (extension)    | traces per second >= 0, default 1    |
 *
 * `jaeger_remote`, `parentbased_jaeger_remote` and `xray` are valid spec values that need
 * network-polled or vendor samplers we do not ship: they warn once and fall back to the
 * default. Unknown names do the same. Empty values count as unset; an invalid argument is
 * reported naming the variable and the accepted form, and the default argument is used.
 */
import { diag } from "../../common/diag.ts";
import { envString, quoteEnvValue, warnEnv, type EnvRecord } from "../../common/env.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "./always.ts";
import { ParentBasedSampler } from "./parent-based.ts";
import { RateLimitingSampler } from "./rate-limiting.ts";
import type { Sampler } from "./sampler.ts";
import { TraceIdRatioBasedSampler } from "./trace-id-ratio.ts";

const SAMPLER = "OTEL_TRACES_SAMPLER";
const ARG = "OTEL_TRACES_SAMPLER_ARG";
/** The spec's default sampler name. */
const DEFAULT_NAME = "parentbased_always_on";
/** Default traces per second for the rate-limiting extension (AWS X-Ray's default reservoir is also 1/s). */
const DEFAULT_RATE = 1;
const UNSUPPORTED = /* @__PURE__ */ new Set(["jaeger_remote", "parentbased_jaeger_remote", "xray"]);

/**
 * Builds the sampler configured by `OTEL_TRACES_SAMPLER(_ARG)` in `env`; with no env (or an
 * unset variable) the spec default `ParentBased(root = AlwaysOn)`. Never throws.
 *
 * @example
 * ```ts
 * samplerFromEnv({ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" });
 * ```
 */
export function samplerFromEnv(env?: EnvRecord): Sampler {
  const raw = envString(env, SAMPLER);
  const name = raw?.toLowerCase() ?? DEFAULT_NAME;
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratioArg(env));
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioArg(env)) });
    case "otel_edge_ratelimiting":
      return new RateLimitingSampler(rateArg(env));
    case "parentbased_otel_edge_ratelimiting":
      return new ParentBasedSampler({ root: new RateLimitingSampler(rateArg(env)) });
  }
  if (UNSUPPORTED.has(name)) {
    diag.warn(`${SAMPLER}=${quoteEnvValue(raw!)} is not supported by otel-edge; using ${DEFAULT_NAME}.`);
  } else {
    warnEnv(
      SAMPLER,
      raw!,
      "one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, " +
        "otel_edge_ratelimiting, parentbased_otel_edge_ratelimiting",
      `using ${DEFAULT_NAME}`,
    );
  }
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}

function ratioArg(env: EnvRecord | undefined): number {
  const value = envString(env, ARG);
  if (value === undefined) return 1;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) {
    warnEnv(ARG, value, "a number in [0, 1]", "using 1.0");
    return 1;
  }
  return n;
}

function rateArg(env: EnvRecord | undefined): number {
  const value = envString(env, ARG);
  if (value === undefined) return DEFAULT_RATE;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0)) {
    warnEnv(ARG, value, "a number of traces per second >= 0", `using ${DEFAULT_RATE}`);
    return DEFAULT_RATE;
  }
  return n;
}
