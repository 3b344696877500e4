/**
 * The seams between the modules of the size-first core (bench/lean/README.md). Types only:
 * this file bundles to 0 bytes. The public shapes are the product's own (`src/trace/types.ts`
 * …), imported as types, so a lean module can be checked against the product module it would
 * replace, on the same inputs (differential tests).
 */
import type { Attributes, AttributeValue } from "../../src/common/attributes.ts";
import type { TimeInput } from "../../src/common/time.ts";
import type { Context } from "../../src/context/context.ts";
import type { TextMapGetter, TextMapPropagator, TextMapSetter } from "../../src/propagation/text-map.ts";
import type { Resource } from "../../src/resource/resource.ts";
import type { SpanContext, TraceState } from "../../src/trace/span-context.ts";
import type { InstrumentationScope, ReadableSpan, Span, SpanKind, SpanOptions } from "../../src/trace/types.ts";

export type {
  Attributes, AttributeValue, Context, InstrumentationScope, ReadableSpan, Resource, Span, SpanContext, SpanKind,
  SpanOptions, TextMapGetter, TextMapPropagator, TextMapSetter, TimeInput, TraceState,
};

/**
 * tracer.ts → export.ts. `onEnd`: called once per span that ends sampled. Never throws.
 * `onStart` (optional; the span processors of sdk-classes.ts): each recording span, once started.
 */
export interface SpanSink {
  onStart?(span: Span, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  /** Resolves when everything ended so far has been exported or dropped (bounded in time). */
  flush(): Promise<void>;
}

/** tracer.ts: what `createTracerProvider` takes. Limits default to the spec's (128 …). */
export interface TracerConfig {
  resource: Resource;
  /** Without one, every span is non-recording and carries its parent's context (the global API before `init()`). */
  sink?: SpanSink;
  /** Spec: Span Limits (`OTEL_ATTRIBUTE_COUNT_LIMIT` …), already read from env by config.ts. */
  limits?: Partial<SpanLimits>;
  /** Default: parent-based always-on (the spec default needs no import). */
  sampler?: Sampler;
}

export interface SpanLimits {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
}

/** The spec's Sampler, reduced to what a decision needs (ShouldSample). */
export interface Sampler {
  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes | undefined): {
    /** 0 drop, 1 record only, 2 record and sample (spec SamplingDecision). */
    decision: 0 | 1 | 2;
    attributes?: Attributes;
    traceState?: TraceState;
  };
  toString(): string;
}

/** export.ts: the OTLP/HTTP traces endpoint, resolved by config.ts from options and env. */
export interface OtlpTarget {
  url: string;
  headers: Record<string, string>;
  /** ms, `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` (default 10000). */
  timeout: number;
  /**
   * The fetch to send with (the product's `otlp.fetch`): the browser's keepalive fetch.
   * Default: `globalThis.fetch`, looked up at each send.
   */
  fetch?: typeof fetch;
}

/**
 * export.ts: how a sink sends, where the runtime needs it otherwise than Workers (the browser).
 * Default: one body per batch, the drain started after a timer turn (the response goes first).
 */
export interface SinkMode {
  /** The request bodies for one batch (the browser keeps each one within the keepalive limit). */
  encode?(spans: readonly ReadableSpan[]): Uint8Array<ArrayBuffer>[];
  /** Start a drain at once: a flush at page hide must start its requests within the event. */
  now?: boolean;
}

/** export.ts: the batch span processor settings (`OTEL_BSP_*`, spec defaults). */
export interface BatchSettings {
  maxQueueSize: number; // 2048
  maxExportBatchSize: number; // 512
  scheduledDelayMillis: number; // 5000
  exportTimeoutMillis: number; // 30000
}

/** config.ts → instrument.ts: everything the Workers program needs, from options + env. */
export interface LeanConfig {
  /** `OTEL_SDK_DISABLED=true`: handlers run untraced. */
  disabled: boolean;
  resource: Resource;
  target: OtlpTarget;
  batch: BatchSettings;
  limits: Partial<SpanLimits>;
}

/** propagation.ts: the W3C trace-context + baggage propagator and the `propagation` API. */
export interface Propagation {
  inject(context: Context, carrier: unknown, setter?: TextMapSetter): void;
  extract(context: Context, carrier: unknown, getter?: TextMapGetter): Context;
  fields(): string[];
}
