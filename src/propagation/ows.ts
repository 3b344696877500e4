/**
 * Optional white space in HTTP header lists: `OWS = *( SP / HTAB )` (RFC 9110 §5.6.3),
 * which W3C Trace Context (tracestate §3.3.1.2) and W3C Baggage both allow around members.
 * Trimmed by hand because `String.prototype.trim` also strips other white space the
 * grammars do not allow.
 */

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

/** `s` without leading and trailing SP/HTAB. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * The value of a header a propagator expects once: a string, or an array holding exactly one
 * (a repeated header is ambiguous and ignored), OWS-trimmed; otherwise undefined.
 * HTTP trims only OWS (SP / HTAB, RFC 9110 §5.6.3); `trim()` would also accept e.g. NBSP.
 */
export function singleValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  return typeof v === "string" ? trimOws(v) : undefined;
}

/**
 * The value of a list-valued header: repeated field lines joined with "," (RFC 9110 §5.3
 * lets a recipient combine them so), otherwise the value as given.
 */
export function joinFieldLines(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Calls `visit` with each non-empty, OWS-trimmed member of a comma-separated list (RFC 9110
 * §5.6.1: empty members are allowed and skipped) in one linear scan, until `visit` returns
 * true. Returns the offset just past the last member read, where the unread rest starts.
 */
export function forEachListMember(list: string, visit: (member: string) => boolean | void): number {
  let start = 0;
  while (start <= list.length) {
    let end = list.indexOf(",", start);
    if (end === -1) end = list.length;
    // Trimmed by index, so an empty member allocates nothing: a hostile header of a million
    // ", " would otherwise make a million throw-away strings, and the collector's pauses
    // made the scan's time grow faster than the header (seen in CI under load).
    let a = start;
    let b = end;
    while (a < b && isOws(list.charCodeAt(a))) a++;
    while (b > a && isOws(list.charCodeAt(b - 1))) b--;
    start = end + 1;
    if (a < b && visit(list.slice(a, b))) break;
  }
  return start;
}
