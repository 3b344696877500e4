// Plain-object ReadableLogRecord fixtures for the encoder tests.
import type { Resource } from "../../src/resource/resource.ts";
import type { SpanContext } from "../../src/trace/span-context.ts";
import type { LogAttributes, LogInstrumentationScope, ReadableLogRecord, AnyValue } from "../../src/logs/types.ts";

export const RESOURCE: Resource = { attributes: { "service.name": "svc" } };
export const SCOPE: LogInstrumentationScope = { name: "lib", version: "1.0.0" };

export interface LogInit {
  timestamp?: number;
  observedTimestamp?: number;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  eventName?: string;
  attributes?: LogAttributes;
  droppedAttributesCount?: number;
  spanContext?: SpanContext;
  resource?: Resource;
  scope?: LogInstrumentationScope;
}

/** A ReadableLogRecord plain object; unspecified fields get neutral defaults. */
export function makeLog(init: LogInit = {}): ReadableLogRecord {
  const r: Record<string, unknown> = {
    timestamp: init.timestamp ?? 10,
    observedTimestamp: init.observedTimestamp ?? 11,
    attributes: init.attributes ?? {},
    droppedAttributesCount: init.droppedAttributesCount ?? 0,
    resource: init.resource ?? RESOURCE,
    instrumentationScope: init.scope ?? SCOPE,
  };
  for (const k of ["severityNumber", "severityText", "body", "eventName", "spanContext"] as const) {
    if (init[k] !== undefined) r[k] = init[k];
  }
  return r as unknown as ReadableLogRecord;
}
