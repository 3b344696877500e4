/**
 * Diagnostics for the size-first core: each problem is reported once, at warn level, to
 * `console.warn` with the `otel-edge:` prefix; a key space bounded so hostile input cannot
 * grow it. Messages are short and say what was dropped and why; the docs carry the rest.
 */
const seen = new Set<string>();
/** How many distinct messages may still be reported (-1: none, `mute()`). */
let room = 999;

/** Reports nothing from now on (`OTEL_LOG_LEVEL=none` or `error`: every report here is a warning). */
export const mute = (): void => void (room = -1);

/** Reports `message` the first time it is seen (its text is its key), never throws. */
export function warnOnce(message: string): void {
  if (seen.has(message) || seen.size > room) return;
  seen.add(message);
  try {
    console.warn("otel-edge: " + message);
  } catch {}
}
