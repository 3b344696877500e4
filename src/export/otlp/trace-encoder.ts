/**
 * The OTLP/HTTP JSON body of an `ExportTraceServiceRequest` (POST `/v1/traces`), written
 * by hand as the UTF-8 bytes that go on the wire: no intermediate object tree and no
 * concatenated string to flatten and re-encode (json-writer.ts has the measurements).
 *
 * Field names and types follow opentelemetry-proto trace/v1/trace.proto under the OTLP
 * JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): lower
 * camelCase names, trace and span ids as lowercase hex (not base64), enums as integers,
 * 64-bit integers (`fixed64` times) as decimal strings. Fields equal to their proto3
 * default are omitted (empty `parentSpanId`/`traceState`/lists, zero dropped counts,
 * UNSET status without message), which the proto3 JSON mapping allows.
 */
import type { SpanContext } from "../../trace/span-context.ts";
import type { ReadableSpan, RecordedLink, TimedEvent } from "../../trace/types.ts";
import { ascii, byte, closeObject, epochNanos, hexField, pos, rewind, string, uint, utf8Text } from "./json-writer.ts";
import { dropped, unreadable, writeList } from "./write-items.ts";
import { attributesFields, countField, str, stringField, writeRequest } from "./resource-scope.ts";

/**
 * `,"flags":n` of a span or link: trace.proto `SpanFlags`, whose bits 0–7 are the W3C trace
 * flags; bit 8 (0x100) says whether bit 9 is known; bit 9 (0x200) says the parent
 * (Span.flags) or the linked span (Link.flags) is remote. A runtime span always knows, so
 * bit 8 is always set — also for root spans, whose (absent) parent is "not remote", as the
 * Java, Go and JS SDKs write it. Bits 10–31 MUST be zero.
 */
function flagsField(traceFlags: unknown, isRemote: unknown): void {
  ascii(',"flags":');
  uint((typeof traceFlags === "number" ? traceFlags & 255 : 0) | (isRemote === true ? 0x300 : 0x100));
}

/**
 * The OTLP/JSON `ExportTraceServiceRequest` body for `spans`, grouped by resource and
 * instrumentation scope, as UTF-8 bytes: what the OTLP trace exporter sends. Never throws:
 * a span with an invalid trace or span id (it would make the receiver reject the whole
 * request) or whose fields cannot be read is dropped and reported once; a link with invalid
 * ids is dropped and counted in `droppedLinksCount`. An empty input gives the valid empty
 * request `{"resourceSpans":[]}` — callers must not send it (DESIGN: never send an empty
 * payload). Byte for byte `new TextEncoder().encode(encodeTraces(spans))`.
 *
 * @example
 * const body = encodeTracesBytes(spans);
 * await fetch("http://127.0.0.1:4318/v1/traces", {
 *   method: "POST", headers: { "content-type": "application/json" }, body,
 * });
 */
export function encodeTracesBytes(spans: readonly ReadableSpan[]): Uint8Array {
  return writeRequest("traces", "Spans", "spans", spans, writeSpan);
}

/**
 * The OTLP/JSON `ExportTraceServiceRequest` body for `spans` as a string: the text of
 * {@link encodeTracesBytes} (same rules; use the bytes form to send it).
 *
 * @example
 * const request = JSON.parse(encodeTraces(spans));
 */
export function encodeTraces(spans: readonly ReadableSpan[]): string {
  return utf8Text(encodeTracesBytes(spans));
}

/**
 * One `Span` JSON object; false when the span must be dropped. Ids are checked
 * while they are copied (`hexField` of json-writer.ts, the rule of `isValidTraceId`/`isValidSpanId`).
 */
function writeSpan(span: ReadableSpan): boolean {
  const ctx = span.spanContext();
  if (!idFields(ctx, "a span")) return false;
  const parent = span.parentSpanContext;
  if (parent != null) hexField(',"parentSpanId":"', parent.spanId, 16);
  flagsField(ctx.traceFlags, parent?.isRemote);
  ascii(',"name":');
  string(str(span.name));
  const kind = span.kind;
  // `SpanKind` in trace.proto is ours + 1 (0 is SPAN_KIND_UNSPECIFIED, omitted).
  if (kind === 0 || kind === 1 || kind === 2 || kind === 3 || kind === 4) {
    ascii(',"kind":');
    uint(kind + 1);
  }
  ascii(',"startTimeUnixNano":"');
  epochNanos(span.startTime);
  ascii('","endTimeUnixNano":"');
  epochNanos(span.endTime);
  byte(34);
  attributesFields(span.attributes, span.droppedAttributesCount);
  listFields(',"events":[', span.events, writeEvent, span.droppedEventsCount, ',"droppedEventsCount":', "a span event");
  listFields(',"links":[', span.links, writeLink, span.droppedLinksCount, ',"droppedLinksCount":', "a span link");
  statusField(span.status);
  byte(125);
  return true;
}

/**
 * `{"traceId":"..","spanId":".."` and `,"traceState":".."` — the start of a span or link
 * (`what`) — when both ids are valid (checked while copied, `hexField`); otherwise
 * nothing, false, and the drop reported once.
 */
function idFields(ctx: SpanContext | null | undefined, what: string): ctx is SpanContext {
  const mark = pos;
  if (ctx === null || typeof ctx !== "object" || !hexField('{"traceId":"', ctx.traceId, 32) || !hexField(',"spanId":"', ctx.spanId, 16)) {
    rewind(mark);
    dropped(what + " with an invalid trace or span id");
    return false;
  }
  let traceState: unknown;
  try {
    traceState = ctx.traceState?.serialize();
  } catch {
    unreadable("a tracestate");
  }
  stringField(',"traceState":', traceState);
  return true;
}

/**
 * `,"<key>":[..]` (omitted when empty) and `,"dropped<Key>Count":n` for a span's events or
 * links (`what` names one, "a span event", for the report). An item that `writeItem` rejects
 * (false) or that cannot be read (reported once) is left out and added to the span's own
 * dropped count.
 */
function listFields<T>(
  open: string,
  items: readonly T[] | undefined,
  writeItem: (item: T) => boolean,
  alreadyDropped: unknown,
  droppedField: string,
  what: string,
): void {
  let dropped = typeof alreadyDropped === "number" ? alreadyDropped : 0;
  if (items != null) dropped += writeList(open, items, writeItem, undefined, what);
  countField(droppedField, dropped);
}

/** `Status`: codes are the same numbers as ours (UNSET 0, OK 1, ERROR 2); omitted when UNSET without a message. */
function statusField(status: ReadableSpan["status"] | undefined): void {
  if (status == null) return;
  const code = status.code;
  const mark = pos;
  ascii(',"status":');
  const start = pos;
  if (code === 1 || code === 2) {
    ascii(',"code":');
    uint(code);
  }
  stringField(',"message":', status.message);
  if (pos === start) rewind(mark);
  else closeObject(start);
}

/** One `Span.Event`. */
function writeEvent(event: TimedEvent): boolean {
  ascii('{"timeUnixNano":"');
  epochNanos(event.time);
  ascii('","name":');
  string(str(event.name));
  attributesFields(event.attributes, event.droppedAttributesCount);
  byte(125);
  return true;
}

/** One `Span.Link`; false when it has invalid ids (checked as in {@link writeSpan}). */
function writeLink(link: RecordedLink): boolean {
  const ctx = link?.context;
  if (!idFields(ctx, "a link")) return false;
  attributesFields(link.attributes, link.droppedAttributesCount);
  flagsField(ctx.traceFlags, ctx.isRemote);
  byte(125);
  return true;
}
