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
import { context } from "../context/context-api.ts";
import type { Context } from "../context/context.ts";
import { setSpan } from "../trace/span-in-context.ts";
import type { Tracer } from "../trace/tracer.ts";
import type { Span, SpanKind } from "../trace/types.ts";
import { capturedHeaderAttributes, compileHeaderCapture, type CapturedHeader, type HeaderCaptureOptions, type HeaderReader } from "./http-headers.ts";
import {
  createQueryRedactor,
  durationHistogram,
  errorMessage,
  errorType,
  instrumentationTracer,
  seconds,
  type DurationHistogram,
  type InstrumentationProviders,
} from "./http-semconv.ts";
import { redactedException, redactUrlsInText } from "./redact-text.ts";

/** What an operation span needs besides its name, kind, attributes and parent. */
export interface OperationRecording {
  readonly tracer: Tracer;
  readonly histogram: DurationHistogram;
  /** Redacts a query string (for URLs quoted in error messages). */
  readonly redactSearch: (search: string) => string;
  /** A status at or above this is an error: 400 for clients, 500 for servers (semconv). */
  readonly errorStatus: number;
  /** Request headers to record at the start (`captureRequestHeaders`). */
  readonly requestHeaders: readonly CapturedHeader[];
  /** Response headers to record at the end (`captureResponseHeaders`). */
  readonly responseHeaders: readonly CapturedHeader[];
}

/** The options every instrumentation takes for how it records. */
export interface RecordingOptions extends InstrumentationProviders, HeaderCaptureOptions {
  /** More query keys whose values are recorded as `REDACTED` (added to the default list). */
  redactQueryKeys?: readonly string[];
}

/**
 * Checks and compiles an instrumentation's recording options once (a TypeError prefixed with
 * `what` for a bad header list): its tracer, its duration histogram (`kind`), redaction and
 * header capture.
 */
export function operationRecording(kind: "client" | "server" | "faas", scope: string, options: RecordingOptions, what: string): OperationRecording {
  const headers = compileHeaderCapture(options, what);
  return {
    tracer: instrumentationTracer(scope, options),
    histogram: durationHistogram(kind, scope, options),
    redactSearch: createQueryRedactor(options.redactQueryKeys),
    // Semconv: a client's 4xx and 5xx are errors; a server's 4xx is the client's fault.
    errorStatus: kind === "client" ? 400 : 500,
    requestHeaders: headers.request,
    responseHeaders: headers.response,
  };
}

/** A started operation span and how to end it. */
export interface OperationSpan {
  readonly span: Span;
  /** The context to run the operation in: the parent plus the span. */
  readonly context: Context;
  /**
   * Ends the span and records the duration; only the first call counts. `status` is the
   * response's status code (a value that is not a number is none); `type` overrides
   * `error.type`; `responseHeader` reads the response's headers for header capture. Never throws.
   */
  end(status?: unknown, error?: unknown, type?: string, responseHeader?: HeaderReader): void;
  /**
   * Runs `fn` in the span's context and hands its result (awaited when it is a promise) to
   * `done`, which ends the span and returns what the caller gets (default: ends without a
   * status, returns the result). A throw or rejection ends the span with the error and is
   * rethrown unchanged. A synchronous `fn` stays synchronous.
   */
  run<T>(fn: () => T, done?: (result: Awaited<T>) => unknown): T;
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
  const { tracer, histogram, redactSearch, errorStatus, responseHeaders } = recording;
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const ctx = setSpan(parent, span);
  const started = monotonicNow();
  let ended = false;
  const end: OperationSpan["end"] = (status, error, type, responseHeader) => {
    if (ended) return;
    ended = true;
    try {
      if (responseHeader) span.setAttributes(capturedHeaderAttributes(responseHeaders, responseHeader, redactSearch));
      const hasStatus = typeof status === "number";
      if (hasStatus) span.setAttribute("http.response.status_code", (metricAttributes["http.response.status_code"] = status));
      type ??= error !== undefined ? errorType(error) : hasStatus && status >= errorStatus ? String(status) : undefined;
      if (type !== undefined) {
        span.setAttribute("error.type", (metricAttributes["error.type"] = type));
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
  };
  const fail = (error: unknown): never => {
    end(undefined, error);
    throw error;
  };
  return {
    span,
    context: ctx,
    end,
    run(fn, done = (result) => (end(), result)) {
      let result;
      try {
        result = context.with(ctx, fn);
      } catch (error) {
        fail(error);
      }
      return typeof (result as { then?: unknown } | undefined)?.then === "function" ? (result as Promise<never>).then(done, fail) : done(result as never);
    },
  } as OperationSpan;
}
