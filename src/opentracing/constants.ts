/**
 * The constants of the OpenTracing API (`opentracing` 0.14 on npm: `constants.ts` and
 * `ext/tags.ts`), with the same string values, so code passing `opentracing.FORMAT_HTTP_HEADERS`
 * or `opentracing.Tags.ERROR` to our bridge means the same as passing ours.
 */

/** The carrier is an `ArrayBuffer`-like binary blob. The bridge refuses it (see `OpenTracingTracer.inject`). */
export const FORMAT_BINARY = "binary";
/** The carrier is a plain object of string keys and string values. */
export const FORMAT_TEXT_MAP = "text_map";
/** Like {@link FORMAT_TEXT_MAP}, but keys and values must be valid HTTP header names and values. */
export const FORMAT_HTTP_HEADERS = "http_headers";
/** A reference to a parent whose result this span's parent depends on. */
export const REFERENCE_CHILD_OF = "child_of";
/** A reference to a span that does not depend on this span's result. */
export const REFERENCE_FOLLOWS_FROM = "follows_from";

/**
 * The standard tag names the bridge maps (OpenTracing semantic conventions, "Standard Span
 * tags"): `error` becomes the span's status and `span.kind` its kind. Other tags become
 * attributes under their own names (the compatibility spec: no other semantic mapping).
 */
export const Tags: {
  readonly ERROR: "error";
  readonly SPAN_KIND: "span.kind";
  readonly SPAN_KIND_RPC_CLIENT: "client";
  readonly SPAN_KIND_RPC_SERVER: "server";
  readonly SPAN_KIND_MESSAGING_PRODUCER: "producer";
  readonly SPAN_KIND_MESSAGING_CONSUMER: "consumer";
} = {
  ERROR: "error",
  SPAN_KIND: "span.kind",
  SPAN_KIND_RPC_CLIENT: "client",
  SPAN_KIND_RPC_SERVER: "server",
  SPAN_KIND_MESSAGING_PRODUCER: "producer",
  SPAN_KIND_MESSAGING_CONSUMER: "consumer",
};
