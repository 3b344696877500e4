/**
 * The two OpenTracing tags the bridge maps instead of copying (OTel spec "OpenTracing
 * Compatibility" §Set Tag; the issue asks for `span.kind` too, as the OpenTelemetry Java
 * shim does): `error` to the span status, `span.kind` to the span kind.
 */
import type { SpanKind, SpanStatusCode } from "../trace/types.ts";

/** The `error` tag. */
export const ERROR_TAG = "error";
/** The `span.kind` tag. */
export const SPAN_KIND_TAG = "span.kind";

/**
 * The status for an `error` tag value: `true` → ERROR, `false` → OK (the spec; the strings
 * "true"/"false" too, as tags read from text are strings), anything else → undefined (unset).
 */
export function errorStatus(value: unknown): SpanStatusCode | undefined {
  if (value === true || value === "true") return 2; // SpanStatusCode.ERROR
  if (value === false || value === "false") return 1; // SpanStatusCode.OK
  return undefined;
}

/** The span kind for a `span.kind` tag value (`client`, `server`, `producer`, `consumer`), else undefined. */
export function spanKindOf(value: unknown): SpanKind | undefined {
  switch (value) {
    case "server":
      return 1; // SpanKind.SERVER
    case "client":
      return 2; // SpanKind.CLIENT
    case "producer":
      return 3; // SpanKind.PRODUCER
    case "consumer":
      return 4; // SpanKind.CONSUMER
    default:
      return undefined;
  }
}
