/**
 * `init()` for Node on the size-first core, as the product's src/runtime/node.ts + src/sdk/
 * full-init.ts for the quick-start job: three signals over OTLP/HTTP JSON, selected and tuned by
 * the SDK environment variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 *
 * - the active context carried across `await` by AsyncLocalStorage (context.ts);
 * - traces: `OTEL_TRACES_EXPORTER` (`otlp` default, `console`, `none`, a list), the sampler
 *   (`OTEL_TRACES_SAMPLER` + `_ARG`, samplers.ts), the batch span processor (`OTEL_BSP_*`: queue,
 *   batch size, export timeout, and the schedule delay as an unref'd timer, default 5000 ms; a full
 *   batch is exported at once), the span limits, `OTEL_EXPORTER_OTLP_[TRACES_]*` (config.ts);
 * - metrics: metrics-sdk.ts's part, cumulative unless `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`
 *   says otherwise, collected and exported every `OTEL_METRIC_EXPORT_INTERVAL` ms (default 60000;
 *   unref'd timer), each bounded by `OTEL_METRIC_EXPORT_TIMEOUT`; exemplars by
 *   `OTEL_METRICS_EXEMPLAR_FILTER` (`trace_based` default, `always_on`, `always_off`);
 * - logs: logs.ts's records (createLog) through the batch log record processor (`OTEL_BLRP_*`,
 *   schedule delay default 1000 ms), `OTEL_LOGS_EXPORTER`, `OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT`
 *   (else `OTEL_ATTRIBUTE_*`), `OTEL_EXPORTER_OTLP_[LOGS_]*`;
 * - the resource: `telemetry.sdk.*` (language `nodejs`), `OTEL_RESOURCE_ATTRIBUTES`,
 *   `OTEL_SERVICE_NAME`, the options, `service.version`; `unknown_service:node` without a name;
 * - `OTEL_SDK_DISABLED=true`: a no-op SDK, nothing registered;
 * - `sdk.flush()` exports every signal; `sdk.shutdown()` stops the timers, flushes all three and
 *   stops recording (later spans are non-recording, later records dropped); the pending data is
 *   also flushed once when the event loop empties (`beforeExit`), as the product's.
 *
 * `console`: the signal's OTLP/JSON body on one line (`console.log`) per export — the product
 * prints its own formats (span objects, JSON log lines); metrics `console` is reported, not printed.
 * - `OTEL_PROPAGATORS` (propagators.ts: tracecontext, baggage, b3, b3multi, jaeger, none) into
 *   the global `propagation` API.
 *
 * - `OTEL_LOG_LEVEL`: `none`/`error` silence diag.ts (which reports each problem once, at warn
 *   level; the product's also has info/debug output), for the life of the process.
 *
 * Left out: `OTEL_CONFIG_FILE`, runtime metrics, `stats()`.
 */
import "./context.ts";
import type { Resource, SpanSink, TracerConfig } from "./contract.ts";
import { batch, configure, integer, otlpTarget, read, SERVICE_NAME, type LeanOptions } from "./config.ts";
import { mute, warnOnce } from "./diag.ts";
import { createSpanSink } from "./export.ts";
import { createLogQueue, setLogSink, type LogData } from "./logs.ts";
import { metricsSdk } from "./metrics-sdk.ts";
import { encodeLogs } from "./otlp-logs.ts";
import { encodeSpans } from "./otlp.ts";
import { envSampler } from "./samplers.ts";
import { propagation, propagatorFromEnv } from "./propagators.ts";
import { trace } from "./trace-api.ts";
import { createTracerProvider, type TracerProvider } from "./tracer.ts";
import { exemplars } from "./exemplars.ts";

/** `init()`'s options: config.ts's, and `serviceVersion`. */
export interface NodeInitOptions extends LeanOptions {
  serviceVersion?: string;
}

/** What `init()` returns. */
export interface NodeSdk {
  readonly tracerProvider?: TracerProvider;
  readonly resource: Resource;
  readonly disabled: boolean;
  /** Exports what every signal holds; never rejects. */
  flush(): Promise<void>;
  /** Stops the timers, flushes, stops recording; never rejects. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, unknown>>;

/** `OTEL_<signal>_EXPORTER`: the names listed (default `otlp`), unknown ones reported. */
function exporters(env: Env, signal: string): string[] {
  const names = (read(env, signal + "_EXPORTER") ?? "otlp").toLowerCase().split(",").map((s) => s.trim());
  for (const n of names) if (!/^(otlp|console|none)$/.test(n)) warnOnce(`OTEL_${signal}_EXPORTER: ${n.slice(0, 32)} not exported`);
  return names;
}

const print = (body: Uint8Array): void => console.log(new TextDecoder().decode(body));

let running: NodeSdk | undefined;

/**
 * Starts the SDK once per process; later calls return the same SDK (until it is shut down).
 *
 * @example
 * ```ts
 * const sdk = init({ serviceName: "checkout" });
 * process.on("SIGTERM", () => sdk.shutdown());
 * ```
 */
export function init(options: NodeInitOptions = {}): NodeSdk {
  if (running) return running;
  const env: Env = options.env ?? process.env;
  // OTEL_LOG_LEVEL: diag.ts reports at warn level only, so `none` and `error` silence it.
  const level = read(env, "LOG_LEVEL")?.toLowerCase();
  if (level == "none" || level == "error") mute();
  else if (level && !/^(warn|info|debug|verbose|all)$/.test(level)) warnOnce("ignored OTEL_LOG_LEVEL: unknown level");
  const c = configure(options, env);
  const attributes = c.resource.attributes;
  attributes["telemetry.sdk.language"] = "nodejs";
  if (attributes[SERVICE_NAME] == "unknown_service") attributes[SERVICE_NAME] = "unknown_service:node";
  if (options.serviceVersion) attributes["service.version"] = options.serviceVersion;
  const resource = c.resource;
  const timers: ReturnType<typeof setInterval>[] = [];
  const flushes: (() => Promise<unknown>)[] = [];
  /** Runs `f` every `ms` without keeping the process alive (a delay past 2^31 - 1 never fires). */
  const every = (ms: number, f: () => unknown): unknown => ms < 2 ** 31 && timers.push(setInterval(f, ms).unref());
  const config: TracerConfig = { resource, limits: c.limits };
  if (!c.disabled) {
    // Traces.
    const names = exporters(env, "TRACES");
    const sinks: SpanSink[] = [];
    if (names.includes("otlp")) {
      const sink = createSpanSink(c.target, c.batch);
      let n = 0;
      sinks.push({ onEnd: (s) => (sink.onEnd(s), ++n >= c.batch.maxExportBatchSize && ((n = 0), sink.flush())), flush: () => ((n = 0), sink.flush()) });
    }
    if (names.includes("console")) sinks.push({ onEnd: (s) => print(encodeSpans([s])), flush: async () => {} });
    const flush = (): Promise<unknown> => Promise.all(sinks.map((s) => s.flush()));
    // Spans are recorded even when no exporter takes them (`none`): logs and exemplars still
    // carry the active span's ids, as the product's.
    config.sink = { onEnd: (s) => sinks.forEach((k) => k.onEnd(s)), flush: flush as () => Promise<void> };
    flushes.push(flush);
    every(integer(env, 0, "BSP_SCHEDULE_DELAY") ?? 5e3, flush);
    propagation.setGlobalPropagator(propagatorFromEnv(read(env, "PROPAGATORS")));
    config.sampler = envSampler(read(env, "TRACES_SAMPLER")?.toLowerCase(), read(env, "TRACES_SAMPLER_ARG"));

    // Metrics.
    const metrics = metricsSdk("cumulative", exemplars(read(env, "METRICS_EXEMPLAR_FILTER")?.toLowerCase())).start({ options, env, resource });
    if (metrics) {
      flushes.push(metrics.flush);
      every(integer(env, 1, "METRIC_EXPORT_INTERVAL") ?? 6e4, metrics.flush);
    }

    // Logs.
    const logNames = exporters(env, "LOGS");
    const queue = logNames.includes("otlp") ? createLogQueue(otlpTarget(options.otlp ?? {}, env, "logs"), batch(env, "BLRP_")) : undefined;
    const toConsole = logNames.includes("console");
    if (queue || toConsole) {
      setLogSink({
        resource,
        count: integer(env, 0, "LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "ATTRIBUTE_COUNT_LIMIT") ?? 128,
        length: integer(env, 0, "LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "ATTRIBUTE_VALUE_LENGTH_LIMIT") ?? 1 / 0,
        emit(r: LogData) {
          queue?.push(r);
          if (toConsole) print(encodeLogs([r]));
        },
      });
      if (queue) flushes.push(queue.flush), every(integer(env, 0, "BLRP_SCHEDULE_DELAY") ?? 1e3, queue.flush);
    }
  }
  const tracerProvider = config.sink && createTracerProvider(config);
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);
  const flush = (): Promise<void> => Promise.all(flushes.map((f) => f())).then(() => {}, () => {});
  process.once("beforeExit", flush);
  const sdk: NodeSdk = {
    tracerProvider,
    resource,
    disabled: c.disabled,
    flush,
    shutdown() {
      if (running == sdk) running = undefined;
      timers.forEach(clearInterval);
      process.off("beforeExit", flush);
      const done = flush();
      config.sink = undefined;
      setLogSink();
      return done;
    },
  };
  return (running = sdk);
}
