import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";

/**
 * Captures every diagnostic (all levels) into the returned array until the next call, with
 * the once-only warnings reset so each test sees its own.
 */
export function captureDiag(): string[] {
  const messages: string[] = [];
  const sink = (m: string) => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  diag.setLogger(logger, 9999);
  resetDiagOnce();
  return messages;
}
