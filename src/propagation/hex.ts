/**
 * Lowercase hex, the form W3C Trace Context (§3.2.2) and B3 require for ids and flags.
 * Checked by character code: no regex per header on the extract path.
 */

/** True when `s[from..to)` is only `0-9a-f` (true for an empty range). */
export function isLowerHex(s: string, from: number = 0, to: number = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
