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
import { diagOnce } from "../../common/diag.ts";
import type { SpanContext } from "../../trace/span-context.ts";
import type { ReadableSpan, RecordedLink, TimedEvent } from "../../trace/types.ts";
import { finishText, fragment, JsonWriter } from "./json-writer.ts";
import { writeList } from "./write-items.ts";
import { attributesFields, countField, signalKeys, str, stringField, writeGrouped } from "./resource-scope.ts";
import type { SignalKeys } from "./resource-scope.ts";

const TRACE_KEYS: SignalKeys = /* @__PURE__ */ signalKeys("resourceSpans", "scopeSpans", "spans");

// trace.proto `SpanFlags`: bits 0–7 are the W3C trace flags; bit 8 says whether bit 9 is
// known; bit 9 says the parent (Span.flags) or the linked span (Link.flags) is remote.
// A runtime span always knows, so bit 8 is always set — also for root spans, whose (absent)
// parent is "not remote", as the Java, Go and JS SDKs write it. Bits 10–31 MUST be zero.
const SPAN_FLAGS_TRACE_FLAGS_MASK = 0xff;
const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x200;

// Hot constant fragments, pre-encoded (json-writer.ts: a copy beats converting characters).
const SPAN_OPEN = /* @__PURE__ */ fragment('{"traceId":"');
const SPAN_ID = /* @__PURE__ */ fragment('","spanId":"');
const PARENT_SPAN_ID = /* @__PURE__ */ fragment(',"parentSpanId":"');
const START_TIME = /* @__PURE__ */ fragment(',"startTimeUnixNano":"');
const END_TIME = /* @__PURE__ */ fragment('","endTimeUnixNano":"');
const EVENT_OPEN = /* @__PURE__ */ fragment('{"timeUnixNano":"');
const EVENT_NAME = /* @__PURE__ */ fragment('","name":');
const EVENTS = /* @__PURE__ */ fragment(',"events":[');
const LINKS = /* @__PURE__ */ fragment(',"links":[');

// `,"flags":<n>,"name":` per flags value (at most 2^10 of them), made on first use: one copy
// instead of three writes per span.
const flagsAndName: Uint8Array[] = [];

function flagsNameFragment(n: number): Uint8Array {
  return (flagsAndName[n] ??= fragment(',"flags":' + n + ',"name":'));
}

function flags(traceFlags: unknown, isRemote: unknown): number {
  return (
    (typeof traceFlags === "number" ? traceFlags & SPAN_FLAGS_TRACE_FLAGS_MASK : 0) |
    SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK |
    (isRemote === true ? SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK : 0)
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
  const w = new JsonWriter("traces");
  writeGrouped(w, spans, TRACE_KEYS, writeSpan);
  return w.finish();
}

/**
 * The OTLP/JSON `ExportTraceServiceRequest` body for `spans` as a string: the text of
 * {@link encodeTracesBytes} (same rules; use the bytes form to send it).
 *
 * @example
 * const request = JSON.parse(encodeTraces(spans));
 */
export function encodeTraces(spans: readonly ReadableSpan[]): string {
  const w = new JsonWriter("traces");
  writeGrouped(w, spans, TRACE_KEYS, writeSpan);
  return finishText(w);
}

/**
 * One `Span` JSON object into `w`; false when the span must be dropped. Ids are checked
 * while they are copied (`JsonWriter.hexId`, the rule of `isValidTraceId`/`isValidSpanId`).
 */
function writeSpan(w: JsonWriter, span: ReadableSpan): boolean {
  const ctx = span.spanContext();
  const mark = w.pos;
  if (!openWithIds(w, ctx)) {
    w.pos = mark;
    diagOnce("warn", "OTLP encoder: dropped a span with an invalid trace or span id.");
    return false;
  }
  w.byte(0x22);
  traceStateField(w, ctx);
  const parent = span.parentSpanContext;
  if (parent != null) {
    const parentMark = w.pos;
    w.bytes(PARENT_SPAN_ID);
    if (w.hexId(parent.spanId, 16)) w.byte(0x22);
    else w.pos = parentMark;
  }
  w.bytes(flagsNameFragment(flags(ctx.traceFlags, parent?.isRemote)));
  w.string(str(span.name));
  const kind = span.kind;
  // `SpanKind` in trace.proto is ours + 1 (0 is SPAN_KIND_UNSPECIFIED, omitted).
  if (kind === 0 || kind === 1 || kind === 2 || kind === 3 || kind === 4) {
    w.ascii(KIND_FIELDS[kind]!);
  }
  w.bytes(START_TIME);
  w.epochNanos(span.startTime);
  w.bytes(END_TIME);
  w.epochNanos(span.endTime);
  w.byte(0x22);
  attributesFields(w, span.attributes, span.droppedAttributesCount);
  listFields(w, EVENTS, span.events, writeEvent, span.droppedEventsCount, ',"droppedEventsCount":', "a span event");
  listFields(w, LINKS, span.links, writeLink, span.droppedLinksCount, ',"droppedLinksCount":', "a span link");
  statusField(w, span.status);
  w.byte(0x7d);
  return true;
}

/**
 * `{"traceId":"..","spanId":".."` — the start of a span or link — when both ids are valid
 * (checked while copied, `JsonWriter.hexId`); false otherwise, with a partial write the
 * caller takes back.
 */
function openWithIds(w: JsonWriter, ctx: SpanContext | null | undefined): boolean {
  if (ctx === null || typeof ctx !== "object") return false;
  w.bytes(SPAN_OPEN);
  if (!w.hexId(ctx.traceId, 32)) return false;
  w.bytes(SPAN_ID);
  return w.hexId(ctx.spanId, 16);
}

const KIND_FIELDS: readonly string[] = [',"kind":1', ',"kind":2', ',"kind":3', ',"kind":4', ',"kind":5'];

/**
 * `,"<key>":[..]` (omitted when empty) and `,"dropped<Key>Count":n` for a span's events or
 * links (`what` names one, "a span event", for the report). An item that `writeItem` rejects
 * (false) or that cannot be read (reported once) is left out and added to the span's own
 * dropped count.
 */
function listFields<T>(
  w: JsonWriter,
  open: Uint8Array,
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

/** `Status`: codes are the same numbers as ours (UNSET 0, OK 1, ERROR 2). */
function statusField(w: JsonWriter, status: ReadableSpan["status"] | undefined): void {
  if (status == null) return;
  const code = status.code;
  const message = str(status.message);
  const hasCode = code === 1 || code === 2;
  if (!hasCode && message === "") return;
  w.ascii(',"status":{');
  if (hasCode) {
    w.ascii('"code":');
    w.uint(code);
  }
  if (message !== "") {
    w.ascii(hasCode ? ',"message":' : '"message":');
    w.string(message);
  }
  w.byte(0x7d);
}

function traceStateField(w: JsonWriter, ctx: SpanContext): void {
  let value: unknown;
  try {
    value = ctx.traceState?.serialize();
  } catch {
    diagOnce("warn", "OTLP encoder: dropped a tracestate whose serialize() threw.");
    return;
  }
  stringField(w, ',"traceState":', value);
}

/** One `Span.Event`. */
function writeEvent(w: JsonWriter, event: TimedEvent): boolean {
  w.bytes(EVENT_OPEN);
  w.epochNanos(event.time);
  w.bytes(EVENT_NAME);
  w.string(str(event.name));
  attributesFields(w, event.attributes, event.droppedAttributesCount);
  w.byte(0x7d);
  return true;
}

/** One `Span.Link`; false when it has invalid ids (checked as in {@link writeSpan}). */
function writeLink(w: JsonWriter, link: RecordedLink): boolean {
  const ctx = link?.context;
  const mark = w.pos;
  if (!openWithIds(w, ctx)) {
    w.pos = mark;
    diagOnce("warn", "OTLP encoder: dropped a link with an invalid trace or span id.");
    return false;
  }
  w.byte(0x22);
  traceStateField(w, ctx);
  attributesFields(w, link.attributes, link.droppedAttributesCount);
  w.ascii(',"flags":');
  w.uint(flags(ctx.traceFlags, ctx.isRemote));
  w.byte(0x7d);
  return true;
}
