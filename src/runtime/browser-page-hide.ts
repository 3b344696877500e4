/**
 * The browser's "the user is leaving" signals, feature-detected so the module also loads
 * in Web Workers and non-browser runtimes (where it registers nothing).
 *
 * Why these two events: `visibilitychange` to `hidden` is the last event a page can rely
 * on (mobile browsers often kill hidden tabs without `pagehide`/`unload`), and `pagehide`
 * covers navigations and bfcache entries where visibility never changes; `unload` is
 * unreliable and blocks the back/forward cache, so it is not used.
 * See https://developer.chrome.com/docs/web-platform/page-lifecycle-api and
 * https://html.spec.whatwg.org/multipage/browsing-the-web.html#unloading-documents.
 */

/** The minimal `EventTarget` shape used here and by web vitals (`window` and `document` have it). */
export interface ListenerTarget {
  addEventListener(type: string, listener: (event: unknown) => void, options?: unknown): void;
  removeEventListener(type: string, listener: (event: unknown) => void, options?: unknown): void;
}

/** `value` when it has `addEventListener` and `removeEventListener`, else undefined. */
export function asTarget(value: unknown): ListenerTarget | undefined {
  const t = value as Partial<ListenerTarget> | null | undefined;
  return t && typeof t.addEventListener === "function" && typeof t.removeEventListener === "function" ? (t as ListenerTarget) : undefined;
}

/**
 * Calls `onHide` once for every `pagehide` event and every `visibilitychange` to `hidden`.
 * Returns a function removing both listeners. Registers nothing where the events don't exist
 * (Web Workers have no `document`; only a window fires `pagehide`).
 */
export function onPageHide(onHide: () => void): () => void {
  const g = globalThis as { document?: unknown; addEventListener?: unknown };
  const doc = asTarget(g.document);
  // In a Worker `globalThis` is an EventTarget too, but pagehide is a Window event: only
  // listen where there is a document, i.e. on a page.
  const win = doc ? asTarget(globalThis) : undefined;
  const call = (): void => {
    try {
      onHide();
    } catch {
      // onHide is ours (a flush that never throws); this only guards the page's event loop.
    }
  };
  const onVisibility = (): void => {
    if ((g.document as { visibilityState?: string } | undefined)?.visibilityState === "hidden") call();
  };
  doc?.addEventListener("visibilitychange", onVisibility);
  win?.addEventListener("pagehide", call);
  return () => {
    doc?.removeEventListener("visibilitychange", onVisibility);
    win?.removeEventListener("pagehide", call);
  };
}
