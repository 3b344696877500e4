/**
 * The SDK logger: turns an emitted {@link LogRecord} into a {@link ReadableLogRecord} and
 * hands it to the provider's processors (spec: Logs SDK "Logger", "Emit a LogRecord").
 *
 * Trace correlation (Logs data model, "Trace Context Fields"): the record takes trace id,
 * span id and trace flags from the span in `logRecord.context` when given (runtimes without
 * AsyncLocalStorage pass it explicitly), else from the active context. Outside any valid
 * span it carries none.
 */
import { describe } from "../common/describe.ts";
import { copyPlainAttributes, type AttributeLimits } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { now, toTime } from "../common/time.ts";
import { activeContext } from "../context/context-api.ts";
import type { Context } from "../context/context.ts";
import type { Resource } from "../resource/resource.ts";
import { isSpanContextValid, type SpanContext } from "../trace/span-context.ts";
import { getSpanContext } from "../trace/span-in-context.ts";
import { addLogAttributes, sanitizeAnyValue, type LogRecordLimits } from "./log-record.ts";
import { isSeverityNumber } from "./severity.ts";
import type {
  AnyValueMap,
  LogInstrumentationScope,
  LogRecord,
  LogRecordProcessor,
  Logger,
  ReadableLogRecord,
} from "./types.ts";

/** What a logger shares with its provider. */
export interface LoggerConfig {
  readonly resource: Resource;
  readonly instrumentationScope: LogInstrumentationScope;
  readonly limits: LogRecordLimits;
  /** Calls every processor of the provider; never throws. */
  readonly processor: LogRecordProcessor;
  /** Take trace ids from the context (`LoggerOptions.includeTraceContext`, default true). */
  readonly includeTraceContext: boolean;
  /** False once the provider is shut down: records are then dropped. */
  isActive(): boolean;
}

/** The SDK's logger. */
export class SdkLogger implements Logger {
  readonly #config: LoggerConfig;
  readonly #attributeLimits: AttributeLimits;

  constructor(config: LoggerConfig) {
    this.#config = config;
    this.#attributeLimits = { countLimit: config.limits.attributeCountLimit, valueLengthLimit: config.limits.attributeValueLengthLimit };
  }

  /** The instrumentation scope this logger records under. */
  get instrumentationScope(): LogInstrumentationScope {
    return this.#config.instrumentationScope;
  }

  /** Records `logRecord` and passes it to the processors. Never throws. */
  emit(logRecord: LogRecord): void {
    const config = this.#config;
    if (!config.isActive()) return;
    let record: ReadableLogRecord;
    let ctx: Context | undefined;
    try {
      ctx = logRecord?.context ?? activeContext();
      record = buildRecord(config, this.#attributeLimits, logRecord ?? {}, ctx);
    } catch (error) {
      diagOnce("warn", "log-emit", `Dropped a log record that could not be read: ${describe(error)}`);
      return;
    }
    // The provider's processor reports and contains a processor that throws.
    config.processor.onEmit(record, ctx);
  }
}

function buildRecord(config: LoggerConfig, attributeLimits: AttributeLimits, input: LogRecord, ctx: Context): ReadableLogRecord {
  const observedTimestamp = input.observedTimestamp === undefined ? now() : toTime(input.observedTimestamp);
  // The JS SDK and most log pipelines expect a time on every record: default to when we saw it.
  const timestamp = input.timestamp === undefined ? observedTimestamp : toTime(input.timestamp);
  // The common case, primitive values within the limits, is one shallow copy; anything else
  // (nested values, nullish, long strings, limits) goes key by key, with the same outcome.
  const plain = copyPlainAttributes(input.attributes, attributeLimits);
  let attributes: AnyValueMap;
  let dropped = 0;
  if (plain !== undefined) attributes = plain as AnyValueMap;
  else {
    attributes = {};
    dropped = addLogAttributes(attributes, input.attributes, config.limits);
  }
  const record: {
    -readonly [K in keyof ReadableLogRecord]: ReadableLogRecord[K];
  } = {
    timestamp,
    observedTimestamp,
    attributes,
    droppedAttributesCount: dropped,
    resource: config.resource,
    instrumentationScope: config.instrumentationScope,
  };
  const severity = input.severityNumber;
  if (isSeverityNumber(severity)) {
    if (severity !== 0) record.severityNumber = severity;
  } else if (severity !== undefined) {
    diagOnce("warn", "log-severity", `Ignored severityNumber ${describe(severity)}: expected an integer 0–24 (Logs data model).`);
  }
  if (typeof input.severityText === "string") record.severityText = input.severityText;
  if (input.body !== undefined) {
    // The body is not an attribute: the spec's length limit does not apply to it.
    const body = sanitizeAnyValue(input.body);
    if (body !== undefined) record.body = body;
  }
  if (typeof input.eventName === "string" && input.eventName !== "") record.eventName = input.eventName;
  if (config.includeTraceContext) {
    const spanContext = spanContextOf(ctx);
    if (spanContext !== undefined) record.spanContext = spanContext;
  }
  return record;
}

function spanContextOf(ctx: Context | undefined): SpanContext | undefined {
  if (ctx === null || typeof ctx !== "object" || typeof ctx.getValue !== "function") return undefined;
  const sc = getSpanContext(ctx);
  if (sc == null || !isSpanContextValid(sc)) return undefined;
  // Copy the fields we export, so a later change to the span context object is not seen.
  return { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, isRemote: sc.isRemote, traceState: sc.traceState };
}
