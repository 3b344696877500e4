/**
 * SDK self-observability metrics (`init({ parts: [selfObservability()] })`): the SDK reports its own
 * queues and exports through its own meter provider, so they reach the same OTLP collector or
 * Prometheus scrape as the application's metrics.
 *
 * Names, instruments, units and attributes follow the semantic conventions for OpenTelemetry
 * SDK metrics (status: development): https://opentelemetry.io/docs/specs/semconv/otel/sdk-metrics/
 * (model/otel/metrics.yaml). We implement the ones that map to what otel-edge has:
 *
 * | metric | instrument | unit |
 * |---|---|---|
 * | `otel.sdk.span.live` | UpDownCounter | `{span}` |
 * | `otel.sdk.span.started` | Counter | `{span}` |
 * | `otel.sdk.processor.span.queue.size` / `.queue.capacity` | UpDownCounter | `{span}` |
 * | `otel.sdk.processor.span.processed` | Counter | `{span}` |
 * | `otel.sdk.exporter.span.inflight` | UpDownCounter | `{span}` |
 * | `otel.sdk.exporter.span.exported` | Counter | `{span}` |
 * | `otel.sdk.log.created` | Counter | `{log_record}` |
 * | `otel.sdk.processor.log.queue.size` / `.queue.capacity` | UpDownCounter | `{log_record}` |
 * | `otel.sdk.processor.log.processed` | Counter | `{log_record}` |
 * | `otel.sdk.exporter.log.inflight` / `.exported` | UpDownCounter / Counter | `{log_record}` |
 * | `otel.sdk.exporter.metric_data_point.inflight` / `.exported` | UpDownCounter / Counter | `{data_point}` |
 * | `otel.sdk.exporter.operation.duration` | Histogram | `s` |
 * | `otel.sdk.metric_reader.collection.duration` | Histogram | `s` |
 *
 * Everything except the two duration histograms is an observable instrument reading counters the
 * SDK keeps anyway (the batchers' and reader's `stats()`), so the hot path pays nothing;
 * `span.started`/`span.live`/`log.created` cost one increment per span or record, and only
 * when enabled. `otel.component.type` uses the well-known values (`batching_span_processor`,
 * `otlp_http_json_span_exporter`, ...) and `otel.component.name` the `<type>/<n>` pattern,
 * counted per SDK instance. The collection duration is measured by the meter provider for
 * every reader (`onCollect`), so it also covers readers added later, such as the one the
 * Prometheus handler registers. A reader's `otel.component.type` is its `componentType` field,
 * never its class name (minified in bundles): `periodic_metric_reader` (semconv's value) for
 * every `PeriodicExportingMetricReader`, `manual_metric_reader` (ours: semconv has no value for
 * a pull reader) for `ManualMetricReader`, `metric_reader` for a reader without one. The spec
 * defines no environment variable to enable this (the SDKs that have one use language-specific
 * names), so it is an `init()` option.
 */
import type { Attributes } from "../common/attributes.ts";
import type { Context } from "../context/context.ts";
import type { BatcherStats } from "../export/batcher.ts";
import { resolveOtlpConfig, type OtlpExporterOptions } from "../export/otlp-config.ts";
import type { ExportEvent, ExportListener } from "../export/export-outcome.ts";
import type { Histogram, ObservableResult } from "../metrics/instruments.ts";
import type { Meter } from "../metrics/meter.ts";
import type { PeriodicReaderStats } from "../metrics/periodic-reader.ts";
import type { CollectionEvent, CollectionListener, MetricReader } from "../metrics/reader.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../logs/types.ts";
import { isSpanContextValid } from "../trace/span-context.ts";
import { getSpanContext } from "../trace/span-in-context.ts";
import type { Sampler, SamplingResult } from "../trace/samplers/sampler.ts";
import type { ReadableSpan, Span, SpanProcessor } from "../trace/types.ts";

/** The meter scope the SDK metrics are recorded under. */
export const SELF_OBSERVABILITY_SCOPE = "otel-edge";

type Signal = "span" | "log" | "metric";

/** A batching processor (`span`, `log`) or periodic reader (`metric`) and its exporter. */
interface Component<S> {
  signal: Signal;
  processor: Attributes;
  exporter: Attributes;
  stats: () => S;
}

/** What batching processors and periodic readers both count of their exporter's work. */
type ExporterStats = Pick<PeriodicReaderStats, "inFlight" | "exported" | "failedByReason">;

/** How an exporting processor or reader is wired for self-observability. */
export interface SelfObservedExport {
  /** Pass to the processor/reader as `onExport`. */
  onExport: ExportListener;
  /** Registers the processor/reader whose `stats()` the observable instruments read. */
  attach(source: { stats(): BatcherStats } | { stats(): PeriodicReaderStats }): void;
}

const SAMPLING = ["DROP", "RECORD_ONLY", "RECORD_AND_SAMPLE"] as const;
const ORIGIN = ["none", "local", "remote"] as const;
const UNIT: Record<Signal, string> = { span: "{span}", log: "{log_record}", metric: "{data_point}" };
// Semantic conventions' recommended boundaries for durations in seconds (HTTP metrics).
const DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The self-observability state of one SDK instance; see the module doc. */
export class SelfObservability {
  readonly #instances = new Map<string, number>();
  readonly #components: Array<Component<BatcherStats | PeriodicReaderStats>> = [];
  // started[decision * 3 + origin]; live[decision] for recording spans.
  readonly #started = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  readonly #live = [0, 0, 0];
  #logsCreated = 0;
  #duration: Histogram | undefined;
  #collectionDuration: Histogram | undefined;
  // otel.component.type/name of each metric reader: set by attach() for the periodic readers
  // init() wires to an exporter, on first collection for any other (readerTypeName).
  readonly #readerComponents = new WeakMap<object, Attributes>();

  /**
   * Pass to the meter provider as `onCollect`: records `otel.sdk.metric_reader.collection.duration`
   * for every collection by any of its readers.
   */
  readonly onCollect: CollectionListener = (event) => this.#recordCollection(event);

  /** `otel.component.name` for a new component of `type`: `<type>/<n>`, n counting from 0 per SDK. */
  componentName(type: string): string {
    const n = this.#instances.get(type) ?? 0;
    this.#instances.set(type, n + 1);
    return `${type}/${n}`;
  }

  /**
   * Wiring for one exporting pipeline: a batching processor (`span`, `log`) or the periodic
   * reader (`metric`) and its exporter. `otlpUrl`: the URL of our OTLP exporter, which gives
   * the type `otlp_http_json_<signal>_exporter` and `server.address`/`server.port`; without it
   * the type is that of `exporter` (see {@link exporterTypeName}).
   */
  exportPipeline(signal: Signal, exporter: unknown, otlp?: OtlpExporterOptions): SelfObservedExport {
    const otlpUrl = otlp && resolveOtlpConfig(signal === "span" ? "traces" : signal === "log" ? "logs" : "metrics", otlp).url;
    return this.#pipeline(signal, otlpUrl === undefined ? exporterTypeName(exporter, signal) : `otlp_http_json_${signal}_exporter`, otlpUrl);
  }

  #pipeline(signal: Signal, exporterType: string, url: string | undefined): SelfObservedExport {
    const exporter: Attributes = { "otel.component.type": exporterType, "otel.component.name": this.componentName(exporterType), ...server(url) };
    const processorType = signal === "metric" ? "periodic_metric_reader" : `batching_${signal}_processor`;
    const processor: Attributes = { "otel.component.type": processorType, "otel.component.name": this.componentName(processorType) };
    return {
      onExport: (event) => this.#recordDuration(exporter, event),
      attach: (source) => {
        if (signal === "metric") this.#readerComponents.set(source, processor);
        this.#components.push({ signal, processor, exporter, stats: () => source.stats() });
      },
    };
  }

  /** `sampler`, counting every decision for `otel.sdk.span.started` (it sees every span, recording or not). */
  countingSampler(sampler: Sampler): Sampler {
    const started = this.#started;
    return {
      shouldSample(context, traceId, spanName, spanKind, attributes, links): SamplingResult {
        const result = sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
        const decision = result?.decision;
        if (decision === 0 || decision === 1 || decision === 2) started[decision * 3 + parentOrigin(context)]!++;
        return result;
      },
      toString: () => sampler.toString(),
    };
  }

  /** A span processor counting recording spans between start and end (`otel.sdk.span.live`). */
  liveSpanProcessor(): SpanProcessor {
    const live = this.#live;
    const decision = (span: ReadableSpan): number => ((span.spanContext().traceFlags & 1) === 1 ? 2 : 1);
    return {
      onStart: (span: Span & ReadableSpan, _parent: Context) => void live[decision(span)]!++,
      onEnd: (span: ReadableSpan) => void live[decision(span)]!--,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }

  /** A log record processor counting emitted records (`otel.sdk.log.created`). */
  createdLogProcessor(): LogRecordProcessor {
    return {
      onEmit: (_record: ReadableLogRecord) => void this.#logsCreated++,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }

  /** Creates the instruments on `meter` (from the SDK's own meter provider). */
  register(meter: Meter): void {
    this.#duration = meter.createHistogram("otel.sdk.exporter.operation.duration", {
      unit: "s",
      description: "The duration of exporting a batch of telemetry records.",
      advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
    });
    this.#collectionDuration = meter.createHistogram("otel.sdk.metric_reader.collection.duration", {
      unit: "s",
      description: "The duration of the collect operation of the metric reader.",
      advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
    });
    const observe = (kind: "counter" | "updown", name: string, unit: string, description: string, cb: (r: ObservableResult) => void): void => {
      const options = { unit, description };
      const inst = kind === "counter" ? meter.createObservableCounter(name, options) : meter.createObservableUpDownCounter(name, options);
      inst.addCallback(cb);
    };

    observe("updown", "otel.sdk.span.live", "{span}", "The number of created spans with recording=true for which the end operation has not been called yet.", (r) => {
      for (const d of [1, 2]) r.observe(this.#live[d]!, { "otel.span.sampling_result": SAMPLING[d]! });
    });
    observe("counter", "otel.sdk.span.started", "{span}", "The number of created spans.", (r) => {
      this.#started.forEach((n, i) => {
        if (n > 0) r.observe(n, { "otel.span.sampling_result": SAMPLING[Math.floor(i / 3)]!, "otel.span.parent.origin": ORIGIN[i % 3]! });
      });
    });
    observe("counter", "otel.sdk.log.created", "{log_record}", "The number of log records submitted to enabled SDK Loggers.", (r) => r.observe(this.#logsCreated));

    // Per pipeline, in this order: the processor's queue metrics (batching processors only),
    // then its exporter's. `what` is the noun of the semconv descriptions.
    const pipelines = [
      ["span", "span", "spans"],
      ["log", "log", "log records"],
      ["metric", "metric_data_point", "metric data points"],
    ] as const;
    for (const [signal, item, what] of pipelines) {
      const unit = UNIT[signal];
      const each =
        <S,>(fn: (c: Component<S>, s: S, r: ObservableResult) => void) =>
        (r: ObservableResult): void => {
          for (const c of this.#components) if (c.signal === signal) fn(c as Component<S>, c.stats() as S, r);
        };
      if (signal !== "metric") {
        observe("updown", `otel.sdk.processor.${signal}.queue.size`, unit, `The number of ${what} in the queue of a given instance of an SDK ${signal} processor.`, each<BatcherStats>((c, s, r) => r.observe(s.queued, c.processor)));
        observe("updown", `otel.sdk.processor.${signal}.queue.capacity`, unit, `The maximum number of ${what} the queue of a given instance of an SDK ${signal} processor can hold.`, each<BatcherStats>((c, s, r) => r.observe(s.capacity, c.processor)));
        observe("counter", `otel.sdk.processor.${signal}.processed`, unit, `The number of ${what} for which the processing has finished, either successful or failed.`, each<BatcherStats>((c, s, r) => {
          // Spec: processed = handed to the exporter (whatever the export outcome), or dropped with a cause.
          r.observe(s.exported + s.failed + s.inFlight, c.processor);
          for (const [reason, n] of Object.entries(s.droppedByReason)) r.observe(n, { ...c.processor, "error.type": reason });
        }));
      }
      observe("updown", `otel.sdk.exporter.${item}.inflight`, unit, `The number of ${what} which were passed to the exporter, but that have not been exported yet (neither successful, nor failed).`, each<ExporterStats>((c, s, r) => r.observe(s.inFlight, c.exporter)));
      observe("counter", `otel.sdk.exporter.${item}.exported`, unit, `The number of ${what} for which the export has finished, either successful or failed.`, each<ExporterStats>((c, s, r) => {
        r.observe(s.exported, c.exporter);
        for (const [reason, n] of Object.entries(s.failedByReason)) r.observe(n, { ...c.exporter, "error.type": reason });
      }));
    }
  }

  #recordCollection(event: CollectionEvent): void {
    if (!this.#collectionDuration) return;
    let component = this.#readerComponents.get(event.reader);
    if (component === undefined) {
      const type = readerTypeName(event.reader);
      component = { "otel.component.type": type, "otel.component.name": this.componentName(type) };
      this.#readerComponents.set(event.reader, component);
    }
    // Spec: error.type MUST NOT be set for a successful collection, SHOULD name the cause otherwise.
    const attributes = event.errorType !== undefined ? { ...component, "error.type": event.errorType } : component;
    this.#collectionDuration.record(event.durationMillis / 1000, attributes);
  }

  #recordDuration(exporter: Attributes, event: ExportEvent): void {
    if (!this.#duration) return;
    const attributes: Attributes = { ...exporter };
    // Spec: error.type unless the export fully succeeded (a partial success is unsuccessful here).
    if (event.errorType !== undefined) attributes["error.type"] = event.errorType;
    if (event.status !== undefined) attributes["http.response.status_code"] = event.status;
    this.#duration.record(event.durationMillis / 1000, attributes);
  }
}

/** `otel.span.parent.origin` index: 0 none, 1 local, 2 remote. */
function parentOrigin(context: Context): number {
  try {
    const parent = getSpanContext(context);
    if (parent === undefined || !isSpanContextValid(parent)) return 0;
    return parent.isRemote ? 2 : 1;
  } catch {
    return 0;
  }
}

/** `server.address` / `server.port` of an exporter URL. */
function server(url: string | undefined): Attributes {
  if (url === undefined) return {};
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
    return { "server.address": u.hostname.replace(/^\[|\]$/g, ""), "server.port": port };
  } catch {
    return {};
  }
}

/**
 * `otel.component.type` of a user-supplied exporter: its `componentType` field, else its class
 * name (spec: "the language-defined name of the type"), else `<signal>_exporter`.
 */
export function exporterTypeName(exporter: unknown, signal: Signal): string {
  return componentTypeName(exporter, `${signal}_exporter`);
}

/**
 * `otel.component.type` of a metric reader: its `componentType` field (ours set it:
 * `periodic_metric_reader`, `manual_metric_reader`), else `metric_reader`. Never the class
 * name, which minifiers mangle (a browser bundle would report `l`).
 */
function readerTypeName(reader: MetricReader): string {
  try {
    const type = reader.componentType;
    return typeof type === "string" && type !== "" ? type : "metric_reader";
  } catch {
    return "metric_reader"; // a throwing getter: recording never throws
  }
}

/** The class name of `component`, else `fallback` (an object literal, a null prototype). */
function componentTypeName(component: unknown, fallback: string): string {
  try {
    const c = component as { componentType?: unknown; constructor?: { name?: unknown } } | null;
    const type = c?.componentType;
    if (typeof type === "string" && type !== "") return type;
    const name = c?.constructor?.name;
    return typeof name === "string" && name !== "" && name !== "Object" ? name : fallback;
  } catch {
    return fallback; // a throwing getter or proxy: recording never throws
  }
}
