/**
 * The page's activation, shared by the page view and the web vitals so both measure from the
 * same moment: a prerendered page (https://wicg.github.io/nav-speculation/prerendering.html)
 * runs hidden and unseen until the user navigates to it; its navigation entry's
 * `activationStart` is when that happened, and `prerenderingchange` fires then. Timing read
 * before activation would count the prerender as the user's wait (web-vitals `whenActivated`,
 * `getActivationStart`).
 */
import { asTarget } from "../browser-page-hide.ts";

/** The Performance Timeline entries read by the RUM modules (all times `performance.now()`-scale ms). */
export interface PerfEntry {
  readonly name: string;
  readonly entryType: string;
  readonly startTime: number;
  readonly duration: number;
  readonly type?: string;
  readonly responseStart?: number;
  readonly activationStart?: number;
  readonly value?: number;
  readonly hadRecentInput?: boolean;
  readonly interactionId?: number;
}

/** `performance.getEntriesByType(type)`, or `[]` where the API is missing or throws. */
export function perfEntries<T = PerfEntry>(type: string): readonly T[] {
  try {
    return (globalThis as { performance?: { getEntriesByType?(type: string): readonly unknown[] } }).performance?.getEntriesByType?.(type) as T[] ?? [];
  } catch {
    return [];
  }
}

/**
 * Calls `fn` now, or at activation when the page is still prerendering. Returns a function
 * that cancels a pending call (the listener is removed once it ran, too).
 */
export function whenActivated(fn: () => void): () => void {
  const doc = (globalThis as { document?: { prerendering?: boolean } }).document;
  const t = asTarget(doc);
  if (!doc?.prerendering || !t) {
    fn();
    return () => {};
  }
  const opts = { capture: true };
  const cancel = (): void => t.removeEventListener("prerenderingchange", on, opts);
  const on = (): void => {
    cancel();
    fn();
  };
  t.addEventListener("prerenderingchange", on, opts);
  return cancel;
}

/**
 * How the page view began, in Navigation Timing's spelling
 * (https://www.w3.org/TR/navigation-timing-2/#dom-navigationtimingtype): `navigate`, `reload`,
 * `back_forward`; `prerender` for a page activated after prerendering (`activationStart` > 0,
 * as web-vitals decides it); `back_forward_cache` for a restore (`restoredAt` given).
 * Undefined where there is no navigation entry.
 */
export function navigationType(restoredAt: number | undefined): string | undefined {
  const nav = perfEntries("navigation")[0];
  return restoredAt !== undefined ? "back_forward_cache" : (nav?.activationStart ?? 0) > 0 ? "prerender" : nav?.type;
}
