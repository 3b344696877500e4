/**
 * The log model: what callers emit (`LogRecord`, shape-compatible with `@opentelemetry/api-logs`),
 * what processors and exporters receive (`ReadableLogRecord`), and the processor contract.
 * Spec: https://opentelemetry.io/docs/specs/otel/logs/api/ and .../logs/sdk/.
 */
import type { Attributes } from "../common/attributes.ts";
import type { TimeInput } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import type { Exporter } from "../export/exporter.ts";
import type { Resource } from "../resource/resource.ts";
import type { SpanContext } from "../trace/span-context.ts";
import type { InstrumentationScope } from "../trace/types.ts";
import type { SeverityNumber } from "./severity.ts";

/** A scalar log value. */
export type AnyValueScalar = string | number | boolean;
/** A list of log values. */
export type AnyValueArray = Array<AnyValue>;
/** A map of log values (logs allow nesting, unlike span attributes). */
export interface AnyValueMap {
  [key: string]: AnyValue;
}
/** A log body or attribute value, as `AnyValue` in `@opentelemetry/api-logs` and common.proto. */
export type AnyValue = AnyValueScalar | Uint8Array | AnyValueArray | AnyValueMap | null | undefined;

/** Attributes of a log record: keys to {@link AnyValue}s. */
export type LogAttributes = AnyValueMap;

/** A log record as the caller emits it; every field is optional (`LogRecord` in `@opentelemetry/api-logs`). */
export interface LogRecord {
  /** Name of the event, when the record is an event (logs.proto `event_name`). */
  eventName?: string;
  /** When the event occurred. Default: the observed time. */
  timestamp?: TimeInput;
  /** When the SDK saw the event. Default: now. */
  observedTimestamp?: TimeInput;
  /** Severity, 1–24 (0 = unspecified). */
  severityNumber?: SeverityNumber;
  /** Severity as the source wrote it (`"INFO"`, `"warning"`). */
  severityText?: string;
  /** The message: a string, or any structured {@link AnyValue}. */
  body?: AnyValue;
  /** Extra fields; nested maps and arrays are allowed. */
  attributes?: LogAttributes | Attributes;
  /** Context whose span the record belongs to. Default: the active context. */
  context?: Context;
}

/** Emits log records (`Logger` in `@opentelemetry/api-logs`). */
export interface Logger {
  /** Records `logRecord`. Never throws. */
  emit(logRecord: LogRecord): void;
}

/** Options of `getLogger`, as `LoggerOptions` in `@opentelemetry/api-logs`. */
export interface LoggerOptions {
  /** Schema URL of the instrumentation scope. */
  schemaUrl?: string;
  /** Attributes of the instrumentation scope. */
  scopeAttributes?: Attributes;
  /** Take trace and span ids from the context (default true). */
  includeTraceContext?: boolean;
}

/** Hands out loggers (`LoggerProvider` in `@opentelemetry/api-logs`). */
export interface LoggerProvider {
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger;
}

/** The instrumentation scope of a log record, with its optional attributes. */
export interface LogInstrumentationScope extends InstrumentationScope {
  readonly attributes?: Attributes;
}

/**
 * A recorded log record, as processors and exporters see it. Times are milliseconds relative
 * to the SDK's time anchor, like span times; convert with `toEpochNanos` / `toEpochMillis`.
 */
export interface ReadableLogRecord {
  /** When the event occurred (anchor-relative ms). */
  readonly timestamp: number;
  /** When the SDK observed it (anchor-relative ms). */
  readonly observedTimestamp: number;
  /** Severity number 1–24, absent when unspecified. */
  readonly severityNumber?: SeverityNumber;
  /** Severity text, absent when not given. */
  readonly severityText?: string;
  /** The body, sanitized (no cycles, no functions). */
  readonly body?: AnyValue;
  /** Event name, when given. */
  readonly eventName?: string;
  /** Attributes after limits were applied. */
  readonly attributes: LogAttributes;
  /** Attributes dropped by the count limit. */
  readonly droppedAttributesCount: number;
  /** The span the record belongs to; absent outside any (valid) span. */
  readonly spanContext?: SpanContext;
  /** The resource of the provider that recorded it. */
  readonly resource: Resource;
  /** The logger's instrumentation scope. */
  readonly instrumentationScope: LogInstrumentationScope;
}

/** Hooks called for every emitted record (spec: LogRecordProcessor); must not throw. */
export interface LogRecordProcessor {
  /** Called synchronously from `emit` with the recorded record and the context it was emitted in. */
  onEmit(record: ReadableLogRecord, context?: Context): void;
  /** Exports everything received so far; never rejects. */
  forceFlush(): Promise<void>;
  /** Flushes and releases resources; never rejects. */
  shutdown(): Promise<void>;
}

/** An exporter of log records. */
export type LogRecordExporter = Exporter<ReadableLogRecord>;
