/**
 * Page URLs on RUM spans: `url.full` is redacted like the HTTP instrumentation's (semconv
 * https://opentelemetry.io/docs/specs/semconv/attributes-registry/url/ — credentials and
 * sensitive query values replaced, fragment dropped), unless the caller supplies its own rule.
 */
import { createQueryRedactor, redactUrl } from "../../instrument/http-semconv.ts";

/** Turns a page URL into the `url.full` value to record (return `""` to record none). */
export type RedactPageUrl = (url: URL) => string;

/** The instrumentation's `url.full` rule with more sensitive query keys (`redactQueryKeys`) added to the default list. */
export function queryKeysRedactor(extraKeys?: readonly string[]): RedactPageUrl {
  const search = createQueryRedactor(extraKeys);
  return (url) => redactUrl(url, search);
}

let defaultRedactor: RedactPageUrl | undefined;

/**
 * `url.full` for `href` through `redact` (default: the instrumentation's rule, built on first
 * use); undefined when the href does not parse or the rule throws or returns nothing — a user
 * rule must not break recording, and an unredacted URL must never be recorded by accident.
 */
export function pageUrlFull(href: string, redact: RedactPageUrl | undefined): string | undefined {
  try {
    const full = (redact ?? (defaultRedactor ??= queryKeysRedactor()))(new URL(href));
    return typeof full === "string" && full !== "" ? full : undefined;
  } catch {
    return undefined;
  }
}
