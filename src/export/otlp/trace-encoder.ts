/**
 * The OTLP/HTTP JSON body of an `ExportTraceServiceRequest` (POST `/v1/traces`), written
 * by hand into one string: no intermediate object tree, so it costs about as much as a
 * `JSON.stringify` of the finished request would.
 *
 * Field names and types follow opentelemetry-proto trace/v1/trace.proto under the OTLP
 * JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lower
 * camelCase names, trace and span ids as lowercase hex (not base64), enums as integers,
 * 64-bit integers (`fixed64` times) as decimal strings. Fields equal to their proto3
 * default are omitted (empty `parentSpanId`/`traceState`/lists, zero dropped counts,
 * UNSET status without message), which the proto3 JSON mapping allows.
 */
import { toEpochNanos } from "../../common/time.ts";
import { diagOnce } from "../../common/diag.ts";
import { isValidSpanId, isValidTraceId } from "../../trace/span-context.ts";
import type { SpanContext } from "../../trace/span-context.ts";
import type { ReadableSpan, RecordedLink, TimedEvent } from "../../trace/types.ts";
import { jsonString } from "./json-string.ts";
import { attributesFields, countField, encodeGrouped, signalKeys, str } from "./resource-scope.ts";
import type { SignalKeys } from "./resource-scope.ts";

const TRACE_KEYS: SignalKeys = /* @__PURE__ */ signalKeys("resourceSpans", "scopeSpans", "spans");

// trace.proto `SpanFlags`: bits 0–7 are the W3C trace flags; bit 8 says whether bit 9 is
// known; bit 9 says the parent (Span.flags) or the linked span (Link.flags) is remote.
// A runtime span always knows, so bit 8 is always set — also for root spans, whose (absent)
// parent is "not remote", as the Java, Go and JS SDKs write it. Bits 10–31 MUST be zero.
const SPAN_FLAGS_TRACE_FLAGS_MASK = 0xff;
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x200;

function flags(traceFlags: unknown, isRemote: unknown): number {
  return (
    (typeof traceFlags === "number" ? traceFlags & SPAN_FLAGS_TRACE_FLAGS_MASK : 0) |
    SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK |
    (isRemote === true ? SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK : 0)
  );
}

/**
 * The OTLP/JSON `ExportTraceServiceRequest` body for `spans`, grouped by resource and
 * instrumentation scope. Never throws: a span with an invalid trace or span id (it would
 * make the receiver reject the whole request) or whose fields cannot be read is dropped
 * and reported once; a link with invalid ids is dropped and counted in
 * `droppedLinksCount`. `encodeTraces([])` returns the valid empty request
 * `{"resourceSpans":[]}` — callers must not send it (DESIGN: never send an empty payload).
 *
 * @example
 * const body = encodeTraces(spans);
 * await fetch("http://127.0.0.1:4318/v1/traces", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeTraces(spans: readonly ReadableSpan[]): string {
  return encodeGrouped(spans, TRACE_KEYS, encodeSpan);
}

/** One `Span` JSON object, or undefined when the span must be dropped. */
function encodeSpan(span: ReadableSpan): string | undefined {
  const ctx = span.spanContext();
  if (ctx === null || typeof ctx !== "object" || !isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) {
    diagOnce("warn", "otlp-span-ids", "OTLP encoder: dropped a span with an invalid trace or span id.");
    return undefined;
  }
  const parent = span.parentSpanContext;
  let out = '{"traceId":"' + ctx.traceId + '","spanId":"' + ctx.spanId + '"' + traceStateField(ctx);
  if (parent != null && isValidSpanId(parent.spanId)) out += ',"parentSpanId":"' + parent.spanId + '"';
  out +=
    ',"flags":' + flags(ctx.traceFlags, parent?.isRemote) +
    ',"name":' + jsonString(str(span.name)) +
    kindField(span.kind) +
    ',"startTimeUnixNano":"' + toEpochNanos(span.startTime) +
    '","endTimeUnixNano":"' + toEpochNanos(span.endTime) + '"';

  return (
    out +
    attributesFields(span.attributes, span.droppedAttributesCount) +
    listFields("events", span.events, eventJson, span.droppedEventsCount, "event") +
    listFields("links", span.links, linkJson, span.droppedLinksCount, "link") +
    statusField(span.status) + "}"
  );
}

/**
 * `,"<key>":[..]` (omitted when empty) and `,"dropped<Key>Count":n` for a span's events or
 * links. An item that `encodeItem` rejects (undefined) or that cannot be read (reported
 * once) is left out and added to the span's own dropped count.
 */
function listFields<T>(
  key: "events" | "links",
  items: readonly T[] | undefined,
  encodeItem: (item: T) => string | undefined,
  alreadyDropped: unknown,
  what: "event" | "link",
): string {
  let dropped = typeof alreadyDropped === "number" ? alreadyDropped : 0;
  let list = "";
  const n = items != null ? items.length : 0;
  for (let i = 0; i < n; i++) {
    let item: string | undefined;
    try {
      item = encodeItem(items![i]!);
    } catch {
      diagOnce("warn", `otlp-${what}-throw`, `OTLP encoder: dropped a span ${what} that could not be read.`);
    }
    if (item === undefined) dropped++;
    else list += (list === "" ? "" : ",") + item;
  }
  const countKey = key === "events" ? "droppedEventsCount" : "droppedLinksCount";
  return (list === "" ? "" : ',"' + key + '":[' + list + "]") + countField(countKey, dropped);
}

/** `SpanKind` in trace.proto is ours + 1 (0 is SPAN_KIND_UNSPECIFIED, omitted). */
function kindField(kind: unknown): string {
  return kind === 0 || kind === 1 || kind === 2 || kind === 3 || kind === 4 ? ',"kind":' + (kind + 1) : "";
}

/** `Status`: codes are the same numbers as ours (UNSET 0, OK 1, ERROR 2). */
function statusField(status: ReadableSpan["status"] | undefined): string {
  if (status == null) return "";
  const code = status.code;
  const message = str(status.message);
  let body = code === 1 || code === 2 ? '"code":' + code : "";
  if (message !== "") body += (body === "" ? "" : ",") + '"message":' + jsonString(message);
  return body === "" ? "" : ',"status":{' + body + "}";
}

function traceStateField(ctx: SpanContext): string {
  let value: unknown;
  try {
    value = ctx.traceState?.serialize();
  } catch {
    diagOnce("warn", "otlp-tracestate", "OTLP encoder: dropped a tracestate whose serialize() threw.");
    return "";
  }
  return typeof value === "string" && value !== "" ? ',"traceState":' + jsonString(value) : "";
}

/** One `Span.Event`. */
function eventJson(event: TimedEvent): string {
  return (
    '{"timeUnixNano":"' + toEpochNanos(event.time) + '","name":' + jsonString(str(event.name)) +
    attributesFields(event.attributes, event.droppedAttributesCount) + "}"
  );
}

/** One `Span.Link`, or undefined when it has invalid ids. */
function linkJson(link: RecordedLink): string | undefined {
  const ctx = link?.context;
  if (ctx == null || !isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) {
    diagOnce("warn", "otlp-link-ids", "OTLP encoder: dropped a link with an invalid trace or span id.");
    return undefined;
  }
  return (
    '{"traceId":"' + ctx.traceId + '","spanId":"' + ctx.spanId + '"' + traceStateField(ctx) +
    attributesFields(link.attributes, link.droppedAttributesCount) +
    ',"flags":' + flags(ctx.traceFlags, ctx.isRemote) + "}"
  );
}
