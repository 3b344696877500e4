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
import { finishText, JsonWriter } from "./json-writer.ts";
import { dropped, writeList } from "./write-items.ts";
import { attributesFields, closeObject, countField, hexField, str, stringField, writeRequest } from "./resource-scope.ts";

// trace.proto `SpanFlags`: bits 0–7 are the W3C trace flags; bit 8 says whether bit 9 is
// known; bit 9 says the parent (Span.flags) or the linked span (Link.flags) is remote.
// A runtime span always knows, so bit 8 is always set — also for root spans, whose (absent)
// parent is "not remote", as the Java, Go and JS SDKs write it. Bits 10–31 MUST be zero.
const SPAN_FLAGS_TRACE_FLAGS_MASK = 0xff;
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x200;

/** `,"flags":n` (trace.proto `SpanFlags`, see above) of a span or link. */
function flagsField(w: JsonWriter, traceFlags: unknown, isRemote: unknown): void {
  w.ascii(',"flags":');
  w.uint(
    (typeof traceFlags === "number" ? traceFlags & SPAN_FLAGS_TRACE_FLAGS_MASK : 0) |
      SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK |
      (isRemote === true ? SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK : 0),
  );
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
  return write(spans).finish();
}

/**
 * The OTLP/JSON `ExportTraceServiceRequest` body for `spans` as a string: the text of
 * {@link encodeTracesBytes} (same rules; use the bytes form to send it).
 *
 * @example
 * const request = JSON.parse(encodeTraces(spans));
 */
export function encodeTraces(spans: readonly ReadableSpan[]): string {
  return finishText(write(spans));
}

function write(spans: readonly ReadableSpan[]): JsonWriter {
  return writeRequest("traces", "Spans", "spans", spans, writeSpan);
}

/**
 * One `Span` JSON object into `w`; false when the span must be dropped. Ids are checked
 * while they are copied (`JsonWriter.hexId`, the rule of `isValidTraceId`/`isValidSpanId`).
 */
function writeSpan(w: JsonWriter, span: ReadableSpan): boolean {
  const ctx = span.spanContext();
  if (!idFields(w, ctx, "a span")) return false;
  const parent = span.parentSpanContext;
  if (parent != null) {
    const mark = w.pos;
    if (!hexField(w, ',"parentSpanId":"', parent.spanId, 16)) w.pos = mark;
  }
  flagsField(w, ctx.traceFlags, parent?.isRemote);
  w.ascii(',"name":');
  w.string(str(span.name));
  const kind = span.kind;
  // `SpanKind` in trace.proto is ours + 1 (0 is SPAN_KIND_UNSPECIFIED, omitted).
  if (kind === 0 || kind === 1 || kind === 2 || kind === 3 || kind === 4) {
    w.ascii(',"kind":');
    w.uint(kind + 1);
  }
  w.ascii(',"startTimeUnixNano":"');
  w.epochNanos(span.startTime);
  w.ascii('","endTimeUnixNano":"');
  w.epochNanos(span.endTime);
  w.byte(0x22);
  attributesFields(w, span.attributes, span.droppedAttributesCount);
  listFields(w, ',"events":[', span.events, writeEvent, span.droppedEventsCount, ',"droppedEventsCount":', "a span event");
  listFields(w, ',"links":[', span.links, writeLink, span.droppedLinksCount, ',"droppedLinksCount":', "a span link");
  statusField(w, span.status);
  w.byte(0x7d);
  return true;
}

/**
 * `{"traceId":"..","spanId":".."` and `,"traceState":".."` — the start of a span or link
 * (`what`) — when both ids are valid (checked while copied, `JsonWriter.hexId`); otherwise
 * nothing, false, and the drop reported once.
 */
function idFields(w: JsonWriter, ctx: SpanContext | null | undefined, what: string): ctx is SpanContext {
  const mark = w.pos;
  if (ctx === null || typeof ctx !== "object" || !hexField(w, '{"traceId":"', ctx.traceId, 32) || !hexField(w, ',"spanId":"', ctx.spanId, 16)) {
    w.pos = mark;
    dropped(what + " with an invalid trace or span id");
    return false;
  }
  let traceState: unknown;
  try {
    traceState = ctx.traceState?.serialize();
  } catch {
    dropped("a tracestate whose serialize() threw");
  }
  stringField(w, ',"traceState":', traceState);
  return true;
}

/**
 * `,"<key>":[..]` (omitted when empty) and `,"dropped<Key>Count":n` for a span's events or
 * links (`what` names one, "a span event", for the report). An item that `writeItem` rejects
 * (false) or that cannot be read (reported once) is left out and added to the span's own
 * dropped count.
 */
function listFields<T>(
  w: JsonWriter,
  open: string,
  items: readonly T[] | undefined,
  writeItem: (w: JsonWriter, item: T) => boolean,
  alreadyDropped: unknown,
  droppedField: string,
  what: string,
): void {
  let dropped = typeof alreadyDropped === "number" ? alreadyDropped : 0;
  if (items != null) dropped += writeList(w, open, items, writeItem, undefined, what);
  countField(w, droppedField, dropped);
}

/** `Status`: codes are the same numbers as ours (UNSET 0, OK 1, ERROR 2); omitted when UNSET without a message. */
function statusField(w: JsonWriter, status: ReadableSpan["status"] | undefined): void {
  if (status == null) return;
  const code = status.code;
  const mark = w.pos;
  w.ascii(',"status":');
  const start = w.pos;
  if (code === 1 || code === 2) {
    w.ascii(',"code":');
    w.uint(code);
  }
  stringField(w, ',"message":', status.message);
  if (w.pos === start) w.pos = mark;
  else closeObject(w, start);
}

/** One `Span.Event`. */
function writeEvent(w: JsonWriter, event: TimedEvent): boolean {
  w.ascii('{"timeUnixNano":"');
  w.epochNanos(event.time);
  w.ascii('","name":');
  w.string(str(event.name));
  attributesFields(w, event.attributes, event.droppedAttributesCount);
  w.byte(0x7d);
  return true;
}

/** One `Span.Link`; false when it has invalid ids (checked as in {@link writeSpan}). */
function writeLink(w: JsonWriter, link: RecordedLink): boolean {
  const ctx = link?.context;
  if (!idFields(w, ctx, "a link")) return false;
  attributesFields(w, link.attributes, link.droppedAttributesCount);
  flagsField(w, ctx.traceFlags, ctx.isRemote);
  w.byte(0x7d);
  return true;
}
