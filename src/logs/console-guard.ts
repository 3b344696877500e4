/**
 * Marks console writes made by the SDK's own log output (the JSON-lines sink), so that a
 * console bridge passes them through instead of turning them back into log records — which
 * would loop forever once the sink writes them again. Diagnostics have their own marker
 * (`isDiagnosticWrite()` in `common/diag.ts`).
 */

let depth = 0;

/** Runs `write` marked as an SDK-internal console write; returns what it returns. */
export function runAsInternalWrite<T>(write: () => T): T {
  depth++;
  try {
    return write();
  } finally {
    depth--;
  }
}

/** True while an SDK-internal console write is running. */
export function isInternalWrite(): boolean {
  return depth > 0;
}
