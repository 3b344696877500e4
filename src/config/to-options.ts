/**
 * The mapping from a checked configuration document (file format 1.0) to the `init()` options
 * that build the same SDK: the first batch processor of a signal becomes its exporting pipeline
 * (`traceExporter` + `batch`, ...) exactly as the options would set it up, every other processor
 * or reader is built and passed as an extra one (`spanProcessors`, `metricReaders`, ...). So a
 * file and the equivalent options give one SDK, with the same defaults, limits and stats.
 *
 * Spec: configuration/sdk.md ("Create": null uses the property's default; an omitted provider
 * or propagator is a no-op one), and the schema's property descriptions.
 */
import type { Attributes } from "../common/attributes.ts";
import { DiagLogLevel, diagOnce } from "../common/diag.ts";
import { describe } from "../common/describe.ts";
import { NO_TIMEOUT_MILLIS, parseKeyValueList } from "../common/env.ts";
import { ConsoleSpanExporter } from "../export/console-exporter.ts";
import { ConsoleMetricExporter } from "../export/console-metric-exporter.ts";
import type { Exporter } from "../export/exporter.ts";
import type { OtlpExporterOptions } from "../export/otlp-config.ts";
import { createOtlpTraceExporter } from "../export/otlp-http-exporter.ts";
import { createOtlpLogExporter } from "../export/otlp/otlp-logs-exporter.ts";
import { createOtlpMetricExporter } from "../export/otlp/otlp-metrics-exporter.ts";
import { BatchLogRecordProcessor } from "../logs/batch-log-processor.ts";
import { JsonLinesLogExporter, JsonLinesLogProcessor } from "../logs/json-lines.ts";
import { SimpleLogRecordProcessor } from "../logs/simple-log-processor.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../logs/types.ts";
import { exponentialHistogram } from "../metrics/aggregation/exponential-histogram.ts";
import { PeriodicExportingMetricReader } from "../metrics/periodic-reader.ts";
import type { TemporalityPreference } from "../metrics/temporality-preference.ts";
import { InstrumentType, type ResourceMetrics } from "../metrics/types.ts";
import { view, type View, type ViewOptions } from "../metrics/view.ts";
import { B3Propagator } from "../propagation/b3.ts";
import { W3CBaggagePropagator } from "../propagation/baggage-propagator.ts";
import { CompositePropagator } from "../propagation/composite.ts";
import { JaegerPropagator } from "../propagation/jaeger.ts";
import type { TextMapPropagator } from "../propagation/text-map.ts";
import { W3CTraceContextPropagator } from "../propagation/trace-context.ts";
import { AlwaysOffSampler, AlwaysOnSampler } from "../trace/samplers/always.ts";
import { ParentBasedSampler } from "../trace/samplers/parent-based.ts";
import type { Sampler } from "../trace/samplers/sampler.ts";
import { TraceIdRatioBasedSampler } from "../trace/samplers/trace-id-ratio.ts";
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from "../trace/batch-span-processor.ts";
import { SimpleSpanProcessor } from "../trace/simple-span-processor.ts";
import type { ReadableSpan, SpanProcessor } from "../trace/types.ts";
import type { InitOptions } from "../sdk/options.ts";
import { join, type ConfigLocator } from "./schema.ts";

/** A checked mapping node (see `schema.ts`): properties are present, null, or absent. */
type Node = { readonly [key: string]: any };

/** What the file configures: the `init()` options, and the resource and log level it asks for. */
export interface ConfiguredOptions {
  /** The options that build the SDK the file describes. */
  readonly options: InitOptions;
  /** Resource attributes (`resource.attributes` over `resource.attributes_list`). */
  readonly resourceAttributes: Attributes;
  /** `resource.schema_url`. */
  readonly schemaUrl: string | undefined;
  /** `log_level`, as a `diag` level. */
  readonly logLevel: DiagLogLevel | undefined;
}

/** The one property of a choice node (`{ batch: {...} }`) that otel-edge reads, without `/development` ones. */
function chosen(node: Node): [string, Node | null] | undefined {
  const key = Object.keys(node).find((k) => !k.endsWith("/development"));
  return key === undefined ? undefined : [key, node[key]];
}

/** `value` unless null/undefined. */
const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
/** A Timeout property: `0` means no limit (schema: "A value of 0 indicates no limit"). */
const timeout = (value: number | null | undefined): number | undefined => (value === 0 ? NO_TIMEOUT_MILLIS : given(value));

/** Object without its undefined fields, so the options' "unset" stays unset. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// Tables made per call (once per init), not on import: reading enum members at module level
// would keep them, and this module, in programs that never read a file.
const severityLevel = (name: string): DiagLogLevel | undefined =>
  (
    ({
      trace: DiagLogLevel.VERBOSE,
      debug: DiagLogLevel.DEBUG,
      info: DiagLogLevel.INFO,
      warn: DiagLogLevel.WARN,
      error: DiagLogLevel.ERROR,
      fatal: DiagLogLevel.ERROR,
    }) as Record<string, DiagLogLevel>
  )[name];

const instrumentType = (name: string): InstrumentType | undefined =>
  (
    ({
      counter: InstrumentType.COUNTER,
      gauge: InstrumentType.GAUGE,
      histogram: InstrumentType.HISTOGRAM,
      observable_counter: InstrumentType.OBSERVABLE_COUNTER,
      observable_gauge: InstrumentType.OBSERVABLE_GAUGE,
      observable_up_down_counter: InstrumentType.OBSERVABLE_UP_DOWN_COUNTER,
      up_down_counter: InstrumentType.UP_DOWN_COUNTER,
    }) as Record<string, InstrumentType>
  )[name];

/** Maps a checked document (see `checkNode`) to options; throws for what otel-edge cannot honour. */
export function optionsFromConfig(doc: Node, at: ConfigLocator): ConfiguredOptions {
  /** Runs `make`, turning a constructor's configuration error into one about `path`. */
  const build = <T>(path: string, make: () => T): T => {
    try {
      return make();
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("Cannot init: ")) throw e;
      return at.fail(path, describe(e).replace(/^(TypeError|RangeError): /, ""), e instanceof RangeError);
    }
  };
  const unsupported = (path: string, why: string): never => at.fail(path, `not supported: ${why}`);

  const general: Node = doc.attribute_limits ?? {};
  const options: InitOptions = { disabled: given(doc.disabled) };

  // --- exporters -----------------------------------------------------------------------
  const otlp = (node: Node | null, path: string): OtlpExporterOptions => {
    const o: Node = node ?? {};
    if (o.tls && Object.values(o.tls).some((v) => v !== null)) unsupported(join(path, "tls"), "fetch uses the runtime's certificate store (Node: NODE_EXTRA_CA_CERTS); client certificates cannot be set");
    if (o.encoding === "protobuf") diagOnce("warn", "config-otlp-protobuf", `Configuration: ${join(path, "encoding")} is protobuf; otel-edge sends OTLP/JSON (every OTLP/HTTP receiver accepts it).`);
    const compression = given(o.compression);
    if (compression !== undefined && compression !== "gzip" && compression !== "none") at.fail(join(path, "compression"), `expected gzip or none, got ${JSON.stringify(compression)}`);
    const headers: Record<string, string> = parseKeyValueList(given(o.headers_list), join(path, "headers_list"));
    for (const { name, value } of o.headers ?? []) if (value !== null) headers[name] = value;
    return defined({ url: given(o.endpoint), headers, timeoutMillis: timeout(o.timeout), compression });
  };
  /** A span or log exporter; undefined when only development exporters are named. */
  const exporter = <T>(node: Node, path: string, otlpHttp: (o: OtlpExporterOptions) => Exporter<T>, console: () => Exporter<T>): Exporter<T> | undefined => {
    const [kind, value] = chosen(node) ?? [];
    const where = join(path, kind ?? "");
    if (kind === "otlp_grpc") unsupported(where, "otel-edge exports OTLP over HTTP: use otlp_http");
    if (kind === "otlp_http") return build(where, () => otlpHttp(otlp(value ?? null, where)));
    return kind === "console" ? console() : undefined;
  };
  const batchOptions = (b: Node): BatchSpanProcessorOptions =>
    defined({ scheduledDelayMillis: given(b.schedule_delay), exportTimeoutMillis: timeout(b.export_timeout), maxQueueSize: given(b.max_queue_size), maxExportBatchSize: given(b.max_export_batch_size) });

  /**
   * The processors of a provider: the first batch processor is the signal's own pipeline (its
   * exporter and batch options), the others are built here. Returns that pipeline, if any.
   */
  const pipelines = <T, P>(
    list: Node[],
    path: string,
    exporterOf: (node: Node, path: string) => Exporter<T> | undefined,
    batchOf: (e: Exporter<T>, o: BatchSpanProcessorOptions) => P,
    simpleOf: (e: Exporter<T>) => P,
    extra: P[],
  ): { exporter: Exporter<T>; batch: BatchSpanProcessorOptions } | undefined => {
    let main: { exporter: Exporter<T>; batch: BatchSpanProcessorOptions } | undefined;
    list.forEach((item, i) => {
      const [kind, p] = chosen(item) ?? [];
      if (!kind) return;
      const where = `${path}[${i}].${kind}`;
      const e = exporterOf(p!.exporter, join(where, "exporter"));
      if (!e) return;
      if (kind === "simple") extra.push(simpleOf(e));
      else {
        const batch = build(where, () => batchOptions(p!));
        if (!main) main = { exporter: e, batch };
        else extra.push(build(where, () => batchOf(e, batch)));
      }
    });
    return main;
  };

  // --- traces ----------------------------------------------------------------------------
  const sampler = (node: Node, path: string): Sampler | undefined => {
    const [kind, s] = chosen(node) ?? [];
    const where = join(path, kind ?? "");
    const o: Node = s ?? {};
    if (kind === "always_on") return new AlwaysOnSampler();
    if (kind === "always_off") return new AlwaysOffSampler();
    if (kind === "trace_id_ratio_based") return build(where, () => new TraceIdRatioBasedSampler(o.ratio ?? 1));
    if (kind !== "parent_based") return undefined;
    const delegate = (key: string): Sampler | undefined => (o[key] ? sampler(o[key], join(where, key)) : undefined);
    return new ParentBasedSampler(
      defined({
        root: delegate("root") ?? new AlwaysOnSampler(),
        remoteParentSampled: delegate("remote_parent_sampled"),
        remoteParentNotSampled: delegate("remote_parent_not_sampled"),
        localParentSampled: delegate("local_parent_sampled"),
        localParentNotSampled: delegate("local_parent_not_sampled"),
      }),
    );
  };

  const tp: Node | undefined = doc.tracer_provider;
  if (!tp) {
    // Spec: "If omitted, a noop tracer provider is used": nothing is sampled or exported.
    Object.assign(options, { traceExporter: "none", sampler: new AlwaysOffSampler() });
  } else {
    const spanProcessors: SpanProcessor[] = [];
    const main = pipelines<ReadableSpan, SpanProcessor>(
      tp.processors,
      "tracer_provider.processors",
      (node, path) => exporter(node, path, createOtlpTraceExporter, () => new ConsoleSpanExporter()),
      (e, o) => new BatchSpanProcessor(e, o),
      (e) => new SimpleSpanProcessor(e),
      spanProcessors,
    );
    const limits: Node = tp.limits ?? {};
    Object.assign(options, {
      traceExporter: main?.exporter ?? "none",
      batch: main?.batch,
      spanProcessors,
      // Spec default: parent_based with an always_on root.
      sampler: (tp.sampler && sampler(tp.sampler, "tracer_provider.sampler")) ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      spanLimits: defined({
        attributeCountLimit: given(limits.attribute_count_limit ?? general.attribute_count_limit),
        attributeValueLengthLimit: given(limits.attribute_value_length_limit ?? general.attribute_value_length_limit),
        eventCountLimit: given(limits.event_count_limit),
        linkCountLimit: given(limits.link_count_limit),
        attributePerEventCountLimit: given(limits.event_attribute_count_limit),
        attributePerLinkCountLimit: given(limits.link_attribute_count_limit),
      }),
    });
  }

  // --- logs ------------------------------------------------------------------------------
  const lp: Node | undefined = doc.logger_provider;
  if (!lp) options.logExporter = "none";
  else {
    const logProcessors: LogRecordProcessor[] = [];
    const main = pipelines<ReadableLogRecord, LogRecordProcessor>(
      lp.processors,
      "logger_provider.processors",
      (node, path) => exporter(node, path, createOtlpLogExporter, () => new JsonLinesLogExporter()),
      (e, o) => new BatchLogRecordProcessor(e, o),
      // A console exporter behind a simple processor is the JSON-lines processor `OTEL_LOGS_EXPORTER=console` gives.
      (e) => (e instanceof JsonLinesLogExporter ? new JsonLinesLogProcessor() : new SimpleLogRecordProcessor(e)),
      logProcessors,
    );
    const limits: Node = lp.limits ?? {};
    Object.assign(options, {
      logExporter: main?.exporter ?? "none",
      logBatch: main?.batch,
      logProcessors,
      logLimits: defined({
        attributeCountLimit: given(limits.attribute_count_limit ?? general.attribute_count_limit),
        attributeValueLengthLimit: given(limits.attribute_value_length_limit ?? general.attribute_value_length_limit),
      }),
    });
  }

  // --- metrics ---------------------------------------------------------------------------
  const mp: Node | undefined = doc.meter_provider;
  if (!mp) options.metricExporter = "none";
  else {
    const metricReaders: PeriodicExportingMetricReader[] = [];
    let cardinality: number | undefined;
    mp.readers.forEach((item: Node, i: number) => {
      const [kind, reader] = chosen(item) ?? [];
      if (!kind || !reader) return; // only development readers
      const where = `meter_provider.readers[${i}].${kind}`;
      if (reader.producers) unsupported(join(where, "producers"), "otel-edge has no metric producers (opencensus)");
      const limits: Node = reader.cardinality_limits ?? {};
      const perType = Object.keys(limits).find((k) => k !== "default" && limits[k] !== null);
      if (perType) unsupported(join(where, `cardinality_limits.${perType}`), "otel-edge has one cardinality limit for every instrument type: set cardinality_limits.default, or a view's aggregation_cardinality_limit");
      if (limits.default != null) {
        if (cardinality !== undefined && cardinality !== limits.default) unsupported(join(where, "cardinality_limits.default"), "otel-edge applies one cardinality limit to every reader, and another reader sets a different one");
        cardinality = limits.default;
      }
      const prometheus = "prometheus/development";
      const [exporterKind, e] = kind === "pull" && prometheus in reader.exporter ? [prometheus, reader.exporter[prometheus]] : (chosen(reader.exporter) ?? []);
      const exporterPath = join(where, `exporter.${exporterKind}`);
      if (kind === "pull") {
        if (exporterKind === prometheus) {
          const set = Object.entries((e ?? {}) as Node).filter(([, v]) => v !== null).map(([k]) => k);
          if (set.length > 0) diagOnce("warn", "config-prometheus-options", `Configuration: ${exporterPath}: ${set.join(", ")} ignored: otel-edge starts no server.`);
          diagOnce("info", "config-prometheus", `Configuration: ${exporterPath}: serve prometheusHandler(sdk) from "otel-edge/prometheus" for Prometheus to scrape.`);
        }
        return;
      }
      const o: Node = e ?? {};
      if (o.default_histogram_aggregation === "base2_exponential_bucket_histogram") {
        unsupported(join(exporterPath, "default_histogram_aggregation"), "histograms are explicit-bucket by default: choose base2_exponential_bucket_histogram in a view");
      }
      const preference = given(o.temporality_preference)?.replace("low_memory", "lowmemory") as TemporalityPreference | undefined;
      let push: Exporter<ResourceMetrics> | undefined;
      if (exporterKind === "otlp_grpc") unsupported(exporterPath, "otel-edge exports OTLP over HTTP: use otlp_http");
      if (exporterKind === "otlp_http") {
        const { default_histogram_aggregation: _h, temporality_preference: _t, ...http } = o;
        push = build(exporterPath, () => createOtlpMetricExporter({ ...otlp(http, exporterPath), temporalityPreference: preference }));
      } else if (exporterKind === "console") push = new ConsoleMetricExporter();
      if (!push) return;
      const interval = given(reader.interval) ?? 60000;
      if (interval === 0) at.fail(join(where, "interval"), "expected an integer > 0 (0 would collect without pause)", true);
      const exportTimeout = timeout(reader.timeout) ?? 30000;
      // The console exporter has no preference of its own: the reader gets it.
      const temporality = exporterKind === "console" ? preference : undefined;
      if (options.metricExporter === undefined) {
        Object.assign(options, { metricExporter: push, metricExportIntervalMillis: interval, metricExportTimeoutMillis: exportTimeout, metricTemporality: temporality });
      } else {
        metricReaders.push(
          build(where, () => new PeriodicExportingMetricReader({ exporter: push!, exportIntervalMillis: interval, exportTimeoutMillis: Math.min(exportTimeout, interval), temporality })),
        );
      }
    });
    const views = (mp.views ?? []).map((v: Node, i: number): View => viewOf(v, `meter_provider.views[${i}]`, build, unsupported));
    Object.assign(options, {
      metricExporter: options.metricExporter ?? "none",
      metricReaders,
      views,
      cardinalityLimit: cardinality,
      exemplarFilter: given(mp.exemplar_filter),
    });
  }

  // --- propagators -----------------------------------------------------------------------
  const p: Node = doc.propagator ?? {};
  const names: Array<[string, string]> = (p.composite ?? []).map((item: Node, i: number) => [chosen(item)?.[0], `propagator.composite[${i}]`]).filter(([name]: [string | undefined]) => name);
  for (const name of (given<string>(p.composite_list) ?? "").split(",")) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed && trimmed !== "none") names.push([trimmed, "propagator.composite_list"]);
  }
  const propagators: TextMapPropagator[] = [];
  const seen = new Set<string>();
  for (const [name, where] of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === "tracecontext") propagators.push(new W3CTraceContextPropagator());
    else if (name === "baggage") propagators.push(new W3CBaggagePropagator());
    else if (name === "b3" || name === "b3multi") propagators.push(new B3Propagator({ injectEncoding: name === "b3" ? "single" : "multi" }));
    else if (name === "jaeger") propagators.push(new JaegerPropagator());
    else unsupported(where, `otel-edge has no ${JSON.stringify(name)} propagator: use tracecontext, baggage, b3, b3multi or jaeger`);
  }
  // Spec: an omitted propagator is a no-op one (an empty composite injects and extracts nothing).
  options.propagator = new CompositePropagator({ propagators });

  // --- resource --------------------------------------------------------------------------
  const r: Node = doc.resource ?? {};
  const resourceAttributes: Attributes = parseKeyValueList(given(r.attributes_list), "resource.attributes_list");
  (r.attributes ?? []).forEach((a: Node, i: number) => {
    const value = attributeValue(a.value, given(a.type) ?? "string");
    if (value === undefined) at.fail(`resource.attributes[${i}].value`, `expected a value of type ${given(a.type) ?? "string"}, got ${Array.isArray(a.value) ? "a sequence" : JSON.stringify(a.value)}`);
    resourceAttributes[a.name] = value;
  });

  return { options: defined(options), resourceAttributes, schemaUrl: given(r.schema_url), logLevel: doc.log_level ? severityLevel(doc.log_level.replace(/\d$/, "")) : undefined };
}

/** A view (spec: metrics/sdk.md "View") from `meter_provider.views[i]`. */
function viewOf(v: Node, path: string, build: <T>(path: string, make: () => T) => T, unsupported: (path: string, why: string) => never): View {
  const s: Node = v.selector;
  const stream: Node = v.stream;
  if (given(s.unit) !== undefined) unsupported(join(path, "selector.unit"), "views select by name, type and meter");
  const keys: Node | undefined = stream.attribute_keys;
  if (keys?.excluded) unsupported(join(path, "stream.attribute_keys.excluded"), "list the keys to keep in included");
  if (keys?.included?.some((k: string) => /[*?]/.test(k))) unsupported(join(path, "stream.attribute_keys.included"), "attribute keys are exact names (no * or ?)");
  const [kind, a] = (stream.aggregation && chosen(stream.aggregation)) || [];
  const o: Node = a ?? {};
  const aggregation: ViewOptions["aggregation"] =
    kind === "drop"
      ? { type: "drop" }
      : kind === "sum"
        ? { type: "sum" }
        : kind === "last_value"
          ? { type: "lastValue" }
          : kind === "explicit_bucket_histogram"
            ? defined({ type: "explicitBucketHistogram" as const, boundaries: given(o.boundaries), recordMinMax: given(o.record_min_max) })
            : kind === "base2_exponential_bucket_histogram"
              ? exponentialHistogram(defined({ maxSize: given(o.max_size), maxScale: given(o.max_scale), recordMinMax: given(o.record_min_max) }))
              : undefined;
  return build(path, () =>
    view(
      defined({
        instrumentName: given(s.instrument_name),
        instrumentType: s.instrument_type ? instrumentType(s.instrument_type) : undefined,
        meterName: given(s.meter_name),
        meterVersion: given(s.meter_version),
        meterSchemaUrl: given(s.meter_schema_url),
        name: given(stream.name),
        description: given(stream.description),
        aggregation,
        attributeKeys: keys?.included,
        cardinalityLimit: given(stream.aggregation_cardinality_limit),
      }),
    ),
  );
}

/** `value` if it has `type` (schema `AttributeNameValue`: "The type of value must match .type"). */
function attributeValue(value: unknown, type: string): Attributes[string] | undefined {
  const scalar = type.replace("_array", "");
  const ok = (v: unknown): boolean =>
    scalar === "string" ? typeof v === "string" : scalar === "bool" ? typeof v === "boolean" : typeof v === "number" && (scalar === "double" || Number.isInteger(v));
  if (type.endsWith("_array")) return Array.isArray(value) && value.length > 0 && value.every(ok) ? (value as Attributes[string]) : undefined;
  return ok(value) ? (value as Attributes[string]) : undefined;
}
