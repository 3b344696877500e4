/**
 * The contract between processors/readers and exporters, shared by every signal.
 * Exporters never throw or reject: failures come back as a {@link ExportResult}.
 */

/**
 * Outcome of one export call.
 *
 * The SDK's own modules write these values as literals with the name beside them
 * (`0` and a comment naming `ExportResultCode.SUCCESS`), so this table is only in bundles whose code names it.
 */
export const ExportResultCode: { readonly SUCCESS: 0; readonly FAILED: 1 } = { SUCCESS: 0, FAILED: 1 };
/** One of the {@link ExportResultCode} values. */
export type ExportResultCode = (typeof ExportResultCode)[keyof typeof ExportResultCode];

/** What an exporter reports back for one batch. */
export interface ExportResult {
  code: ExportResultCode;
  /** Why the export failed (FAILED only). */
  error?: Error;
  /** Items the receiver accepted the request but rejected (OTLP `partialSuccess`). */
  rejected?: number;
  /**
   * Low-cardinality cause of a failure, in the form of the semantic conventions' `error.type`
   * (SDK self-observability metrics): `timeout`, `network`, an HTTP status such as `503`,
   * `encoding`, `already_shutdown`, … Exporters that cannot tell leave it out (`_OTHER` is used).
   */
  errorType?: string;
  /** HTTP status of the last request of this export, when there was one. */
  status?: number;
}

/** Per-call options a processor or reader passes to {@link Exporter.export}. */
export interface ExportOptions {
  /**
   * Aborted when the caller gives up on this export (its export timeout ran out, or it is
   * shutting down). Exporters SHOULD stop at once and resolve with a failure, so that the
   * caller's "one export in flight" rule holds in fact, not only in its bookkeeping.
   */
  signal?: AbortSignal;
}

/** Sends batches of items (spans, log records, metric snapshots) somewhere. */
export interface Exporter<T> {
  /**
   * The exporter's `otel.component.type` in SDK self-observability metrics. Without it, the
   * class name is used (semantic conventions: "the language-defined name of the type"), which
   * bundlers minify; set it to keep a stable name, e.g. `"queue_span_exporter"`.
   */
  readonly componentType?: string;
  /** Exports `items`; resolves (never rejects) with the outcome. */
  export(items: T[], options?: ExportOptions): Promise<ExportResult>;
  /** Waits for any export in progress. */
  forceFlush?(): Promise<void>;
  /** Releases resources; later exports fail. */
  shutdown(): Promise<void>;
}
