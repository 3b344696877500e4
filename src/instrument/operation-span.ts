/**
 * The span of one operation an instrumentation observes — an HTTP request sent or served, a
 * Workers invocation — and its duration histogram, ended the same way everywhere: the
 * response status, `error.type`, the exception and an ERROR status (with URLs redacted), then
 * the duration with the same `error.type` (semconv "Recording errors on spans",
 * https://opentelemetry.io/docs/specs/semconv/general/recording-errors/).
 */
import type { Attributes } from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { monotonicNow } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import { setSpan } from "../trace/span-in-context.ts";
import type { Tracer } from "../trace/tracer.ts";
import type { Span, SpanKind } from "../trace/types.ts";
import { capturedHeaderAttributes, type CapturedHeader, type HeaderReader } from "./http-headers.ts";
import { errorMessage, errorType, seconds, type DurationHistogram } from "./http-semconv.ts";
import { redactedException, redactUrlsInText } from "./redact-text.ts";

/** What an operation span needs besides its name, kind, attributes and parent. */
export interface OperationRecording {
  readonly tracer: Tracer;
  readonly histogram: DurationHistogram;
  /** Redacts a query string (for URLs quoted in error messages). */
  readonly redactSearch: (search: string) => string;
  /** A status at or above this is an error: 400 for clients, 500 for servers (semconv). */
  readonly errorStatus?: number;
  /** Response headers to record at the end (`captureResponseHeaders`). */
  readonly responseHeaders?: readonly CapturedHeader[];
}

/** A started operation span and how to end it. */
export interface OperationSpan {
  readonly span: Span;
  /** The context to run the operation in: the parent plus the span. */
  readonly context: Context;
  /**
   * Ends the span and records the duration; only the first call counts. `type` overrides
   * `error.type`; `responseHeader` reads the response's headers for header capture. Never throws.
   */
  end(status?: number, error?: unknown, type?: string, responseHeader?: HeaderReader): void;
}

/**
 * Starts a span for one operation; `metricAttributes` are the duration's attributes, completed
 * at the end with the status code and `error.type`.
 */
export function startOperationSpan(
  recording: OperationRecording,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  metricAttributes: Attributes,
  parent: Context,
): OperationSpan {
  const { tracer, histogram, redactSearch, errorStatus = Infinity, responseHeaders } = recording;
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const ctx = setSpan(parent, span);
  const started = monotonicNow();
  let ended = false;
  return {
    span,
    context: ctx,
    end(status, error, type, responseHeader) {
      if (ended) return;
      ended = true;
      try {
        if (responseHeaders?.length && responseHeader) span.setAttributes(capturedHeaderAttributes(responseHeaders, responseHeader, redactSearch));
        if (status !== undefined) {
          span.setAttribute("http.response.status_code", status);
          metricAttributes["http.response.status_code"] = status;
        }
        type ??= error !== undefined ? errorType(error) : status !== undefined && status >= errorStatus ? String(status) : undefined;
        if (type !== undefined) {
          span.setAttribute("error.type", type);
          metricAttributes["error.type"] = type;
          // Redacted: a message may quote a URL with credentials or tokens (Node's fetch quotes
          // the whole URL when it rejects one).
          if (error !== undefined) span.recordException(redactedException(error, redactSearch));
          span.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: error !== undefined ? redactUrlsInText(errorMessage(error), redactSearch) : undefined });
        }
        span.end();
        histogram.record(seconds(started, monotonicNow()), metricAttributes, ctx);
      } catch (err) {
        diagOnce("warn", "instrument:end", `Recording the outcome of span "${name}" failed; the span may lack its status or duration.`, err);
      }
    },
  };
}
