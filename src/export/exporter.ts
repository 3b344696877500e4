/**
 * The contract between processors/readers and exporters, shared by every signal.
 * Exporters never throw or reject: failures come back as a {@link ExportResult}.
 */

/** Outcome of one export call. */
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
}

/** Sends batches of items (spans, log records, metric snapshots) somewhere. */
export interface Exporter<T> {
  /** Exports `items`; resolves (never rejects) with the outcome. */
  export(items: T[]): Promise<ExportResult>;
  /** Waits for any export in progress. */
  forceFlush?(): Promise<void>;
  /** Releases resources; later exports fail. */
  shutdown(): Promise<void>;
}
