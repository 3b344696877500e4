/**
 * The export step shared by the line-writing exporters (console spans, JSON-lines logs):
 * one line per item, in order. A writer that throws fails the batch; nothing is rejected.
 */
import { describe } from "../common/describe.ts";
import type { ExportResult } from "./exporter.ts";

/** Writes `format(item)` for each item with `write`; FAILED (with the error) if writing throws. */
export function writeLines<T>(items: readonly T[], format: (item: T) => string, write: (line: string) => void): Promise<ExportResult> {
  try {
    for (const item of items) write(format(item));
  } catch (error) {
    return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: error instanceof Error ? error : new Error(describe(error)) });
  }
  return Promise.resolve({ code: 0 /* ExportResultCode.SUCCESS */ });
}
