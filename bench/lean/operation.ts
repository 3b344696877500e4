/**
 * The span of one operation an instrumentation observes — an HTTP request sent or served, a
 * Workers invocation — ended the same way everywhere, as the product's operation span
 * (src/instrument/operation-span.ts): the response status, `error.type`, the exception and an
 * ERROR status with URLs redacted (semconv "Recording errors on spans",
 * https://opentelemetry.io/docs/specs/semconv/general/recording-errors/).
 */
import type { Attributes, Context, SpanKind } from "./contract.ts";
import type { Tracer } from "../../src/trace/tracer.ts";
import { withContext } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { errorMessage, errorType, redactedException } from "./http.ts";
import { setSpan } from "./tracer.ts";

/** Ends an operation span: `status` a response status (a non-number is none), `error` what was thrown, `type` an `error.type` override. Never throws. */
export type Ends = (status?: unknown, error?: unknown, type?: string) => void;

/**
 * Runs `fn` in a new span (a child of `parent`), ending it with the outcome: `done` gets the
 * result (default: end without status); a throw or rejection records `error.type`, the
 * exception and an ERROR status (URLs redacted), and is rethrown unchanged. `errorStatus`: a
 * status at or above it is an error (semconv: 400 client, 500 server). A synchronous `fn`
 * stays synchronous.
 */
export function operation(tracer: Tracer, name: string, kind: SpanKind, attributes: Attributes, parent: Context, fn: () => unknown, errorStatus = 500, done?: (result: unknown, end: Ends) => unknown): unknown {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  const end: Ends = (status, error, type) => {
    try {
      const has = typeof status == "number";
      if (has) span.setAttribute("http.response.status_code", status);
      type ??= error !== undefined ? errorType(error) : has && (status as number) >= errorStatus ? String(status) : undefined;
      if (type !== undefined) {
        span.setAttribute("error.type", type);
        if (error !== undefined) span.recordException(redactedException(error));
        span.setStatus({ code: 2, message: error !== undefined ? errorMessage(error) : undefined });
      }
      span.end();
    } catch {
      warnOnce("span outcome not recorded");
    }
  };
  const fail = (error: unknown): never => {
    end(undefined, error);
    throw error;
  };
  done ??= (result) => (end(), result);
  let result: unknown;
  try {
    result = withContext(setSpan(parent, span), fn);
  } catch (error) {
    fail(error);
  }
  return typeof (result as { then?: unknown } | undefined)?.then == "function" ? (result as Promise<unknown>).then((r) => done(r, end), fail) : done(result, end);
}
