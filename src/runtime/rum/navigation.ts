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

type StateMethod = (this: History, ...args: [unknown, string, (string | URL | null)?]) => void;

/**
 * Starts recording client-side navigations; returns a function that stops and restores the
 * History methods. Never throws; a `replaceState` that keeps the URL (state-only updates,
 * common in routers) records nothing. The span's `navigation.type` says which History API
 * call made the change: `push`, `replace` or `pop`.
 *
 * @example
 * ```ts
 * const stop = trackNavigations({ tracer: trace.getTracer("rum") });
 * history.pushState({}, "", "/cart"); // a `routeChange` span with url.path "/cart"
 * stop();
 * ```
 */
export function trackNavigations({ tracer, redactUrl }: NavigationOptions): () => void {
  const g = globalThis as unknown as Partial<Window>;
  const h = g.history as (History & Record<string, StateMethod>) | undefined;
  if (typeof h?.pushState !== "function") return () => {};
  let active = true;
  const href = (): string | undefined => g.location?.href;

  const record = (type: string, from: string | undefined, startTime: number): void => {
    try {
      const to = href();
      if (!active || !to || (from && to === from)) return;
      tracer.startSpan("routeChange", { startTime, attributes: { "navigation.type": type, "url.path": new URL(to).pathname, "url.full": pageUrlFull(to, redactUrl) } }).end();
    } catch (err) {
      diagOnce("error", "rum.nav", "trackNavigations: could not record a navigation.", err);
    }
  };

  const restores = ["push", "replace"].map((type) => {
    const name = `${type}State`;
    const original = h[name]!;
    const wrapper: StateMethod = function (...args) {
      const from = href();
      const start = monotonicNow();
      // The original may throw (SecurityError for a cross-origin URL): the page sees it as before.
      original.apply(this ?? h, args);
      record(type, from, start);
    };
    h[name] = wrapper;
    return () => {
      if (h[name] === wrapper) h[name] = original;
    };
  });
  // popstate fires after the location changed (HTML "history traversal"): the new URL is current.
  const onPop = (): void => record("pop", undefined, monotonicNow());
  g.addEventListener?.("popstate", onPop);

  return () => {
    active = false;
    restores.forEach((restore) => restore());
    g.removeEventListener?.("popstate", onPop);
  };
}
