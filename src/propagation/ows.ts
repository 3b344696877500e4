/**
 * Optional white space in HTTP header lists: `OWS = *( SP / HTAB )` (RFC 9110 §5.6.3), which
 * W3C Trace Context (tracestate §3.3.1.2) and W3C Baggage both allow around members. Trimmed
 * by hand: `String.prototype.trim` also strips white space the grammars do not allow, and a
 * regex like `/[ \t]+$/` takes quadratic time on a long run of spaces.
 */

const isOws = (c: number): boolean => c === 32 || c === 9;

/** `s[from..to)` without leading and trailing SP/HTAB (an empty member is "", which allocates nothing). */
export function trimOws(s: string, from: number = 0, to: number = s.length): string {
  while (from < to && isOws(s.charCodeAt(from))) from++;
  while (to > from && isOws(s.charCodeAt(to - 1))) to--;
  return s.slice(from, to);
}

/**
 * The value of a header a propagator expects once: a string, or an array holding exactly one
 * (a repeated header is ambiguous and ignored), OWS-trimmed; otherwise undefined.
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
 * §5.6.1: empty members are allowed and skipped) in one linear scan, until `visit` returns true.
 */
export function forEachListMember(list: string, visit: (member: string) => boolean | void): void {
  for (let start = 0, end = 0; end < list.length; start = end + 1) {
    end = list.indexOf(",", start);
    if (end === -1) end = list.length;
    // Trimmed by index: a hostile header of a million ", " would otherwise make a million
    // throw-away strings, and the collector's pauses made the scan's time grow faster than the
    // header (seen in CI under load).
    const member = trimOws(list, start, end);
    if (member && visit(member)) return;
  }
}
