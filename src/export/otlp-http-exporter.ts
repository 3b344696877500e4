/**
 * The OTLP/HTTP JSON exporter: a pure encoder (items → body: UTF-8 bytes, or a string)
 * plus a transport (body → HTTP). Generic over the signal, so traces, metrics and logs share it.
 *
 * Spec: https://opentelemetry.io/docs/specs/otlp/#otlphttp — never send an empty
 * payload (DESIGN); a `partialSuccess` is a success whose rejected count is passed on.
 */
import { context } from "../context/context-api.ts";
import { suppressTracing } from "../trace/suppress.ts";
import type { ReadableSpan } from "../trace/types.ts";
import type { Exporter, ExportOptions, ExportResult } from "./exporter.ts";
import { describe } from "../common/describe.ts";
import { createFetchTransport } from "./fetch-transport.ts";
import type { Transport } from "./fetch-transport.ts";
import { resolveOtlpConfig } from "./otlp-config.ts";
import type { OtlpExporterOptions, OtlpSignal } from "./otlp-config.ts";
import { encodeTracesBytes } from "./otlp/trace-encoder.ts";

/** What an {@link OtlpHttpExporter} is made of. */
export interface OtlpHttpExporterConfig<T> {
  /**
   * Serializes a batch to the request body (pure; may throw on a bug, which fails the batch):
   * UTF-8 bytes (what the OTLP encoders make) or a string. `undefined` means nothing in the
   * batch could be encoded: the exporter then sends nothing.
   */
  encode: (items: T[]) => Uint8Array | string | undefined;
  /** Delivers the body. */
  transport: Transport;
}

/**
 * Exports batches by encoding them and handing the body to a transport.
 *
 * @example
 * ```ts
 * const exporter = new OtlpHttpExporter({
 *   encode: (spans) => encodeTracesBytes(spans),
 *   transport: createFetchTransport({ url: "http://localhost:4318/v1/traces" }),
 * });
 * ```
 */
export class OtlpHttpExporter<T> implements Exporter<T> {
  readonly #config: OtlpHttpExporterConfig<T>;
  #sends: Promise<unknown> = Promise.resolve(); // settles once every send so far has
  #stopped = false;

  /** @throws TypeError when `encode` or `transport` is missing. */
  constructor(config: OtlpHttpExporterConfig<T>) {
    if (typeof config?.encode !== "function" || typeof config.transport?.send !== "function") {
      throw new TypeError("Cannot create OtlpHttpExporter: encode must be a function and transport must have send()");
    }
    this.#config = config;
  }

  /**
   * Encodes and sends `items`; resolves (never rejects) with the outcome. Aborting
   * `options.signal` abandons the send at once (it then fails with `errorType` `aborted`).
   */
  async export(items: T[], options?: ExportOptions): Promise<ExportResult> {
    if (this.#stopped) return failed(new Error("OTLP exporter is shut down"), "already_shutdown");
    let body: Uint8Array | string | undefined;
    try {
      // Never send an empty payload: nothing to say, and some receivers reject it.
      body = items.length ? this.#config.encode(items) : undefined;
    } catch (error) {
      return failed(new Error(`OTLP encoding failed: ${describe(error)}`), "encoding");
    }
    if (body === undefined) return { code: 0 /* ExportResultCode.SUCCESS */ };
    // Our own request must not be traced by an instrumented fetch. (async: a transport that
    // throws rejects instead.)
    const sending = (async () => context.with(suppressTracing(context.active()), () => this.#config.transport.send(body, options?.signal)))();
    this.#sends = Promise.allSettled([this.#sends, sending]);
    try {
      const { ok, status, rejected, error, errorType } = await sending;
      const out: ExportResult = ok ? { code: 0 /* ExportResultCode.SUCCESS */ } : failed(error ?? new Error(`OTLP export failed${status ? ` with HTTP ${status}` : ""}`), errorType ?? (status ? String(status) : "_OTHER"));
      if (ok && rejected !== undefined) out.rejected = rejected;
      if (typeof status === "number") out.status = status;
      return out;
    } catch (error) {
      return failed(error instanceof Error ? error : new Error(describe(error)), "_OTHER");
    }
  }

  /** Waits for the sends in progress. */
  async forceFlush(): Promise<void> {
    await this.#sends;
  }

  /** Waits for the sends in progress (bounded by the transport's timeout); later exports fail at once. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.forceFlush();
  }
}

function failed(error: Error, errorType: string): ExportResult {
  return { code: 1 /* ExportResultCode.FAILED */, error, errorType };
}

/**
 * The OTLP/HTTP JSON span exporter, configured from `options`, else the defaults
 * (`http://localhost:4318/v1/traces`, 10 s timeout, no compression). It reads no environment:
 * pass `otlpOptionsFromEnv("traces", env, options)` to honour `OTEL_EXPORTER_OTLP_*`.
 *
 * @example
 * ```ts
 * const exporter = createOtlpTraceExporter({ endpoint: "https://collector.example.com", headers: { "x-api-key": key } });
 * const processor = new BatchSpanProcessor(exporter);
 * ```
 * @throws TypeError/RangeError for invalid options (see {@link resolveOtlpConfig}).
 */
export function createOtlpTraceExporter(options: OtlpExporterOptions = {}): Exporter<ReadableSpan> {
  return createOtlpExporter("traces", encodeTracesBytes, options);
}

/**
 * The one "check options → fetch transport → {@link OtlpHttpExporter}" sequence behind the
 * trace, metric and log exporters: settings from `options`, else the defaults (for
 * `OTEL_EXPORTER_OTLP_*`, pass `otlpOptionsFromEnv(signal, env, options)`); a request with
 * no data is not sent.
 *
 * @example
 * ```ts
 * const exporter = createOtlpExporter("logs", encodeLogsBytes, { endpoint: "https://collector.example.com" });
 * ```
 * @throws TypeError/RangeError for invalid options (see {@link resolveOtlpConfig}).
 */
export function createOtlpExporter<T>(signal: OtlpSignal, encode: (items: T[]) => Uint8Array | string, options: OtlpExporterOptions = {}): OtlpHttpExporter<T> {
  const config = resolveOtlpConfig(signal, options);
  return new OtlpHttpExporter<T>({
    encode: (items) => unlessEmpty(encode(items)),
    transport: createFetchTransport({ ...config, fetch: options.fetch, keepalive: options.keepalive }),
  });
}

/**
 * `undefined` for a request with no data (`{"resourceSpans":[]}` and its siblings: every
 * item was dropped by the encoder), else `body` (bytes or text). DESIGN: never send an empty payload.
 */
export function unlessEmpty<B extends Uint8Array | string>(body: B): B | undefined {
  if (body.length >= 40) return body;
  const text = typeof body === "string" ? body : String.fromCharCode(...(body as Uint8Array));
  return /^\{"resource[A-Za-z]+":\[\]\}$/.test(text) ? undefined : body;
}
