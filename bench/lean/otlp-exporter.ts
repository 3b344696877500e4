/**
 * `createOtlpTraceExporter` on the size-first core: the product's OTLP/HTTP JSON span exporter
 * (src/export/otlp-http-exporter.ts + otlp-config.ts's option checks) over otlp.ts's encoder and
 * export.ts's transport (retries, Retry-After, redirects refused, bounded reads, tracing
 * suppressed). Like the product's, it reads no environment.
 *
 * Kept: `url` (as-is) or `endpoint` (a base: `/v1/traces` appended), else
 * `http://localhost:4318/v1/traces`; `headers`; `timeoutMillis` (10 s); `fetch`; invalid options
 * throw (TypeError; RangeError for the timeout); an empty batch, or one whose every span is
 * unencodable, sends nothing and succeeds; results with `code`, `status`, `errorType`,
 * `rejected`; an encoder that throws gives FAILED ("encoding"), never a rejection; `shutdown()`
 * waits for the sends in progress, then every export fails at once ("already_shutdown").
 *
 * Left out: `compression` (gzip), `keepalive`; `error` objects in results (the cause is
 * `errorType`; the text went to the once-only warning); the caller's abort signal.
 */
import type { ReadableSpan } from "./contract.ts";
import { createPost, type ExportResult } from "./export.ts";
import { encodeSpans } from "./otlp.ts";
import type { SpanExporter } from "./batch-processor.ts";

/** The product's `OtlpExporterOptions` this exporter takes. */
export interface OtlpExporterOptions {
  /** The full traces URL, used as-is. */
  url?: string;
  /** A base URL: `/v1/traces` is appended. */
  endpoint?: string;
  headers?: Record<string, string>;
  timeoutMillis?: number;
  fetch?: typeof fetch;
}

const fail = (what: string, E: ErrorConstructor = TypeError): never => {
  throw new E("Cannot create OTLP exporter: options." + what);
};

/** `value` when it is an absolute http(s) URL; else throws naming `field`. */
const checked = (value: unknown, field: string): string => {
  try {
    if (/^https?:$/.test(new URL(value as string).protocol)) return value as string;
  } catch {}
  return fail(field + " must be an http(s) URL");
};

/** The span exporter (see the module doc). @throws TypeError/RangeError for invalid options. */
export function createOtlpTraceExporter(options: OtlpExporterOptions = {}): Required<SpanExporter> {
  const { url, endpoint, headers = {}, timeoutMillis: timeout = 1e4 } = options;
  if (!headers || typeof headers != "object") fail("headers must be an object of string values");
  for (const name in headers) if (typeof headers[name] != "string") fail(`headers[${JSON.stringify(name)}] must be a string`);
  if (!(typeof timeout == "number" && timeout > 0)) fail("timeoutMillis must be a number > 0", RangeError);
  const post = createPost(
    {
      // A base's path and the signal's joined by one slash, before any query (the product's joinUrl).
      url: url !== undefined ? checked(url, "url") : checked(endpoint ?? "http://localhost:4318", "endpoint").replace(/^([^?#]*?)\/*(?=[?#]|$)/, "$1/v1/traces"),
      headers,
      timeout,
      fetch: options.fetch,
    },
  );
  let sends: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const forceFlush = async (): Promise<void> => void (await sends);
  return {
    async export(spans): Promise<ExportResult> {
      if (stopped) return { code: 1, errorType: "already_shutdown" };
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = encodeSpans(spans);
      } catch {
        return { code: 1, errorType: "encoding" };
      }
      // `{"resourceSpans":[]}` (every span dropped by the encoder) or no span: nothing to send.
      if (body.length < 21) return { code: 0 };
      const sending = post(body);
      sends = Promise.allSettled([sends, sending]);
      return sending;
    },
    forceFlush,
    shutdown: () => ((stopped = true), forceFlush()),
  };
}
