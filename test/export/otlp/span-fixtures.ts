// Plain-object ReadableSpan fixtures for the OTLP encoder tests (no dependency on the
// real Span class).
import type { Attributes } from "../../../src/common/attributes.ts";
import type { Resource } from "../../../src/resource/resource.ts";
import type { SpanContext, TraceState } from "../../../src/trace/span-context.ts";
import type {
  InstrumentationScope,
  ReadableSpan,
  RecordedLink,
  SpanKind,
  SpanStatus,
  TimedEvent,
} from "../../../src/trace/types.ts";

/** A minimal immutable TraceState over a fixed header value. */
export function traceState(header: string): TraceState {
  const entries = header === "" ? [] : header.split(",").map((e) => e.split("=") as [string, string]);
  const make = (list: [string, string][]): TraceState => ({
    set: (k, v) => make([[k, v], ...list.filter(([key]) => key !== k)]),
    unset: (k) => make(list.filter(([key]) => key !== k)),
    get: (k) => list.find(([key]) => key === k)?.[1],
    serialize: () => list.map(([k, v]) => `${k}=${v}`).join(","),
  });
  return make(entries);
}

export interface SpanInit {
  name?: string;
  kind?: SpanKind;
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
  traceState?: TraceState;
  parent?: SpanContext;
  startTime?: number;
  endTime?: number;
  status?: SpanStatus;
  attributes?: Attributes;
  links?: RecordedLink[];
  events?: TimedEvent[];
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  resource?: Resource;
  scope?: InstrumentationScope;
}

export const RESOURCE: Resource = { attributes: { "service.name": "svc" } };
export const SCOPE: InstrumentationScope = { name: "lib", version: "1.0.0" };

let counter = 1;
/** A unique valid 16-hex span id. */
export function nextSpanId(): string {
  return (counter++).toString(16).padStart(16, "0");
}

/** A ReadableSpan plain object; unspecified fields get neutral defaults. */
export function makeSpan(init: SpanInit = {}): ReadableSpan {
  const ctx: SpanContext = {
    traceId: init.traceId ?? "0af7651916cd43dd8448eb211c80319c",
    spanId: init.spanId ?? nextSpanId(),
    traceFlags: init.traceFlags ?? 1,
    traceState: init.traceState,
  };
  return {
    name: init.name ?? "span",
    kind: init.kind ?? 0,
    spanContext: () => ctx,
    parentSpanContext: init.parent,
    startTime: init.startTime ?? 10,
    endTime: init.endTime ?? 20,
    status: init.status ?? { code: 0 },
    attributes: init.attributes ?? {},
    links: init.links ?? [],
    events: init.events ?? [],
    droppedAttributesCount: init.droppedAttributesCount ?? 0,
    droppedEventsCount: init.droppedEventsCount ?? 0,
    droppedLinksCount: init.droppedLinksCount ?? 0,
    resource: init.resource ?? RESOURCE,
    instrumentationScope: init.scope ?? SCOPE,
    ended: true,
  };
}
