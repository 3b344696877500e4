/**
 * What `OTEL_*` variables select by name for `init()`: the diagnostic level (`OTEL_LOG_LEVEL`),
 * the exporters (`OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`, `OTEL_LOGS_EXPORTER`), the
 * sampler (`OTEL_TRACES_SAMPLER(_ARG)`) and the propagators (`OTEL_PROPAGATORS`); and the OTLP
 * exporter settings (`OTEL_EXPORTER_OTLP_*`).
 *
 * The entries whose runtime has an environment (the core `init`, Node, Deno, Workers) pass
 * {@link ENV_SELECTION} to `initForRuntime`. The browser entry passes its own selection, the
 * spec defaults, because a page has no environment: it bundles none of this (no B3, Jaeger,
 * ratio or rate-limiting code, no name parsing, no `OTEL_EXPORTER_OTLP_*` parsing).
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
import { diag, parseDiagLogLevel, setDiagLogLevel } from "./common/diag.ts";
import { envList, envString, warnEnv, type EnvRecord } from "./common/env.ts";
import { otlpOptionsFromEnv, type OtlpExporterOptions, type OtlpSignal } from "./export/otlp-config.ts";
import type { OtlpMetricExporterOptions } from "./export/otlp/otlp-metrics-exporter.ts";
import { propagatorFromEnv } from "./propagation/from-env.ts";
import type { TextMapPropagator } from "./propagation/text-map.ts";
import { samplerFromEnv } from "./trace/samplers/from-env.ts";
import type { Sampler } from "./trace/samplers/sampler.ts";

/** A built-in exporter name. */
export type ExporterName = "otlp" | "console" | "none";

/** The by-name selections `init()` makes from `env` (see the module doc). */
export interface EnvSelection {
  /** Applies `OTEL_LOG_LEVEL` to `diag`; an invalid value warns and changes nothing. */
  logLevel(env: EnvRecord | undefined): void;
  /**
   * The exporters the comma-separated list in `variable` names; `undefined` when it names
   * none (unset or empty), for the default `otlp`.
   */
  exporters(env: EnvRecord | undefined, variable: string): ExporterName[] | undefined;
  /** The sampler `OTEL_TRACES_SAMPLER(_ARG)` selects, else the spec default. */
  sampler(env: EnvRecord | undefined): Sampler;
  /** The propagator `OTEL_PROPAGATORS` selects, else W3C tracecontext + baggage. */
  propagator(env: EnvRecord | undefined): TextMapPropagator;
  /**
   * The options of the OTLP exporter for `signal`: `options`, completed from
   * `OTEL_EXPORTER_OTLP_*` (for metrics, with the temporality preference).
   */
  otlp(signal: OtlpSignal, options: OtlpExporterOptions | undefined, env: EnvRecord | undefined): OtlpMetricExporterOptions;
}

const EXPORTER_NAMES = ["otlp", "console", "none"] as const;

/** Selection from `OTEL_*` variables, for the runtime entries that have an environment. */
export const ENV_SELECTION: EnvSelection = {
  logLevel(env) {
    const name = envString(env, "OTEL_LOG_LEVEL");
    const level = parseDiagLogLevel(name);
    if (level !== undefined) setDiagLogLevel(level);
    else if (name !== undefined) warnEnv("OTEL_LOG_LEVEL", name, "none, error, warn, info, debug, verbose or all");
  },
  exporters: exportersFromEnv,
  sampler: samplerFromEnv,
  propagator: (env) => propagatorFromEnv(envString(env, "OTEL_PROPAGATORS")),
  otlp: (signal, options, env) => otlpOptionsFromEnv(signal, env, options),
};

/**
 * The exporters named in `variable`. Unknown names warn and are skipped; `none` anywhere in
 * the list means none; `prometheus` in `OTEL_METRICS_EXPORTER` pushes nothing (a pull exporter).
 */
function exportersFromEnv(env: EnvRecord | undefined, variable: string): ExporterName[] | undefined {
  const names = envList(env, variable);
  if (!names || names.length === 0) return undefined;
  const chosen: ExporterName[] = [];
  const unknown: string[] = [];
  let pull = false;
  for (const name of names) {
    const lower = name.toLowerCase();
    const known = EXPORTER_NAMES.find((n) => n === lower);
    if (known !== undefined) {
      if (!chosen.includes(known)) chosen.push(known);
    } else if (lower === "prometheus" && variable === "OTEL_METRICS_EXPORTER") {
      // A pull exporter: nothing is pushed; Prometheus scrapes the handler the app serves.
      pull = true;
      diag.info('OTEL_METRICS_EXPORTER=prometheus: serve prometheusHandler(sdk) from "otel-edge/prometheus" for Prometheus to scrape.');
    } else unknown.push(name);
  }
  if (unknown.length > 0) {
    // One warning for the variable, however many names it got wrong.
    warnEnv(variable, unknown.join(","), "a comma-separated list of otlp, console, none", chosen.length === 0 && !pull ? "using otlp" : "skipped");
  }
  if (chosen.length === 0) return pull ? ["none"] : undefined;
  return chosen.includes("none") ? ["none"] : chosen;
}
