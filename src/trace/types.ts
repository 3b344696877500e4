/**
 * The span model: kinds, status, links, options, the `Span` API and the read-only view
 * of a finished span that processors and exporters receive. Names, numeric enum values
 * and semantics match `@opentelemetry/api`, so instrumentation written against the
 * official API works unchanged (DESIGN principle 2).
 */
import type { Attributes, AttributeValue } from "../common/attributes.ts";
import type { TimeInput } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import type { Resource } from "../resource/resource.ts";
import type { SpanContext } from "./span-context.ts";

/**
 * The role of a span, numerically identical to `SpanKind` in `@opentelemetry/api`.
 *
 * The SDK's own modules write these values as literals with the name beside them
 * (`0` and a comment naming `SpanKind.INTERNAL`), so this table is only in bundles whose code names it.
 */
export const SpanKind: {
  readonly INTERNAL: 0;
  readonly SERVER: 1;
  readonly CLIENT: 2;
  readonly PRODUCER: 3;
  readonly CONSUMER: 4;
} = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 };
/** One of the {@link SpanKind} values. */
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/**
 * Span status codes, numerically identical to `SpanStatusCode` in `@opentelemetry/api`.
 *
 * The SDK's own modules write these values as literals with the name beside them
 * (`1` and a comment naming `SpanStatusCode.OK`), so this table is only in bundles whose code names it.
 */
export const SpanStatusCode: { readonly UNSET: 0; readonly OK: 1; readonly ERROR: 2 } = { UNSET: 0, OK: 1, ERROR: 2 };
/** One of the {@link SpanStatusCode} values. */
export type SpanStatusCode = (typeof SpanStatusCode)[keyof typeof SpanStatusCode];

/** The outcome of a span's operation. */
export interface SpanStatus {
  code: SpanStatusCode;
  /** Only kept for ERROR (spec: "Description MUST be IGNORED for StatusCode Ok & Unset"). */
  message?: string;
}

/** A reference from one span to another, possibly in another trace. */
export interface Link {
  context: SpanContext;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

/** Options for starting a span, as in `@opentelemetry/api`. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  startTime?: TimeInput;
  /** Start a new trace even if the context holds a span. */
  root?: boolean;
}

/** An exception as `recordException` accepts it: an `Error`-like object or a message. */
export type Exception =
  | string
  | { code?: string | number; message?: string; name?: string; stack?: string };

/** The span API, as in `@opentelemetry/api`. Every method is safe to call after `end()`. */
export interface Span {
  spanContext(): SpanContext;
  setAttribute(key: string, value: AttributeValue): this;
  setAttributes(attributes: Attributes): this;
  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this;
  addLink(link: Link): this;
  addLinks(links: Link[]): this;
  setStatus(status: SpanStatus): this;
  updateName(name: string): this;
  end(endTime?: TimeInput): void;
  isRecording(): boolean;
  recordException(exception: Exception, time?: TimeInput): void;
}

/** An event recorded on a span. `time` is anchor-relative milliseconds (see `common/time.ts`). */
export interface TimedEvent {
  readonly name: string;
  readonly time: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** A link as stored on a recorded span (attributes copied under limits). */
export interface RecordedLink {
  readonly context: SpanContext;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** The instrumentation library that produced telemetry. */
export interface InstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/**
 * A finished span, as processors and exporters see it. Times are milliseconds relative
 * to the SDK's time anchor; use `toEpochNanos` / `toEpochMillis` from the SDK to convert.
 */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  /** The parent's context, or undefined for a root span. */
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: number;
  readonly endTime: number;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly RecordedLink[];
  readonly events: readonly TimedEvent[];
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly ended: boolean;
}

/** Hooks called when spans start and end; implementations must not throw. */
export interface SpanProcessor {
  onStart(span: Span & ReadableSpan, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
