/**
 * Client-side navigations (single-page apps): a `routeChange` span for every History API
 * `pushState`/`replaceState` that changes the URL and every `popstate` (back/forward), with the
 * new route as `url.path` and the redacted `url.full` (semconv URL attributes,
 * https://opentelemetry.io/docs/specs/semconv/attributes-registry/url/).
 *
 * The History methods are wrapped on `history` itself (the instance, not the prototype, so
 * nothing else on the page is affected) and restored on stop. If another library wrapped them
 * after us, restoring would remove its wrapper too: then our wrapper stays in place but inert.
 * Feature-detected: where there is no `history` (Web Workers, servers) this does nothing.
 */
import { diagOnce } from "../../common/diag.ts";
import { context } from "../../context/context-api.ts";
import type { Tracer } from "../../trace/tracer.ts";
import { monotonicNow } from "../../common/time.ts";
import { pageUrlFull, type RedactPageUrl } from "./page-url.ts";

/** Options of {@link trackNavigations}. */
export interface NavigationOptions {
  /** The tracer the spans are recorded with. */
  tracer: Tracer;
  /** `url.full` rule (default: the HTTP instrumentation's redaction). */
  redactUrl?: RedactPageUrl;
}

type StateMethod = (data: unknown, unused: string, url?: string | URL | null) => void;

interface HistoryLike {
  pushState: StateMethod;
  replaceState: StateMethod;
}

interface NavigationGlobals {
  history?: Partial<HistoryLike>;
  location?: { href?: string };
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

/** The value of the `navigation.type` attribute: which History API call made the change. */
export type NavigationType = "push" | "replace" | "pop";

/**
 * Starts recording client-side navigations; returns a function that stops and restores the
 * History methods. Never throws; a `replaceState` that keeps the URL (state-only updates,
 * common in routers) records nothing.
 *
 * @example
 * ```ts
 * const stop = trackNavigations({ tracer: trace.getTracer("rum") });
 * history.pushState({}, "", "/cart"); // a `routeChange` span with url.path "/cart"
 * stop();
 * ```
 */
export function trackNavigations(options: NavigationOptions): () => void {
  const g = globalThis as NavigationGlobals;
  const history = g.history;
  if (typeof history?.pushState !== "function" || typeof history.replaceState !== "function") {
    diagOnce("debug", "rum.navigation.unsupported", "trackNavigations: no History API here; nothing recorded.");
    return () => {};
  }
  const h = history as HistoryLike;
  let active = true;
  const href = (): string | undefined => {
    const value = g.location?.href;
    return typeof value === "string" ? value : undefined;
  };

  const record = (type: NavigationType, from: string | undefined, startTime: number): void => {
    if (!active) return;
    try {
      const to = href();
      if (to === undefined || (type !== "pop" && to === from)) return;
      const url = new URL(to);
      const full = pageUrlFull(to, options.redactUrl);
      const span = options.tracer.startSpan(
        "routeChange",
        { startTime, attributes: { "navigation.type": type, "url.path": url.pathname, ...(full ? { "url.full": full } : {}) } },
        context.active(),
      );
      span.end();
    } catch (err) {
      diagOnce("error", "rum.navigation.record", "trackNavigations: could not record a navigation.", err);
    }
  };

  const wrap = (name: "pushState" | "replaceState", type: NavigationType): (() => void) => {
    const original = h[name];
    const wrapper: StateMethod = function (this: unknown, data, unused, url) {
      const from = href();
      const start = monotonicNow();
      // The original may throw (SecurityError for a cross-origin URL): the page sees it as before.
      original.call(this ?? h, data, unused, url);
      record(type, from, start);
    };
    h[name] = wrapper;
    return () => {
      if (h[name] === wrapper) h[name] = original;
    };
  };
  const restorePush = wrap("pushState", "push");
  const restoreReplace = wrap("replaceState", "replace");
  // popstate fires after the location changed (HTML "history traversal"): the new URL is current.
  const onPop = (): void => record("pop", undefined, monotonicNow());
  g.addEventListener?.("popstate", onPop);

  return () => {
    if (!active) return;
    active = false;
    restorePush();
    restoreReplace();
    g.removeEventListener?.("popstate", onPop);
  };
}
