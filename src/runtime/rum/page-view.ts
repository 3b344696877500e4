/**
 * The page view as a span: `pageView` covers the life of the document — it starts at the
 * navigation start (time origin, `performance.now()` 0), or at the activation of a prerendered
 * page, and ends when the page is hidden, after the final web vitals were recorded and before
 * the page-hide flush sends it. A page restored from the back/forward cache is shown again
 * without loading: a new page view starts at the restore (`pageshow` with `persisted`). Each
 * final vital becomes an event `web_vital` on it (`web_vital.name`, `web_vital.value`,
 * `web_vital.rating`), so the vitals are joined to the page view and its trace, not only
 * aggregated in histograms.
 *
 * Parent: the server span from `<meta name="traceparent">` — the same parent as `documentLoad`
 * and the page's traced requests — so page view, page load, requests and the backend share one
 * trace id. (A link to `documentLoad` was not chosen: `documentLoad` is only recorded after the
 * load event, and a sibling in the same trace already joins them.) Without that meta tag the
 * page view is a root span of its own trace. Client-side navigations keep the same page view
 * (the document is the same; they have their own `routeChange` spans); so does a restored page
 * view (same document, same server response).
 *
 * `navigation.type` says how the page view began, in Navigation Timing's spelling
 * (https://www.w3.org/TR/navigation-timing-2/#dom-navigationtimingtype): `navigate`, `reload`,
 * `back_forward`, `prerender` (activated after prerendering, as web-vitals decides it:
 * `activationStart` > 0), and `back_forward_cache` for a restore (web-vitals'
 * `navigationType: "back-forward-cache"`).
 */
import type { Tracer } from "../../trace/tracer.ts";
import type { Span } from "../../trace/types.ts";
import { metaParentContext } from "./document-load.ts";
import { pageUrlFull, type RedactPageUrl } from "./page-url.ts";
import type { WebVitalReport } from "./web-vitals.ts";
import { navigationType, perfEntries } from "./activation.ts";

/** Options of {@link startPageView}. */
export interface PageViewOptions {
  /** The tracer the `pageView` span is recorded with. */
  tracer: Tracer;
  /** `url.full` rule (default: the HTTP instrumentation's redaction). */
  redactUrl?: RedactPageUrl;
  /** The `pageshow` event's `timeStamp` when this page view is a back/forward-cache restore: it starts then. */
  restoredAt?: number;
}

/** Handle of the running page view. */
export interface PageViewHandle {
  /** The `pageView` span (e.g. to add application attributes). */
  readonly span: Span;
  /** Adds a `web_vital` event for a final vital. Ignored once the page view has ended. */
  recordVital(report: WebVitalReport): unknown;
  /** Ends the page view (idempotent). */
  end(): unknown;
}

/**
 * Starts the `pageView` span at the navigation start, at `activationStart` for a prerendered
 * page (call it once activated: `whenActivated`), or at `restoredAt`. Returns undefined where
 * there is no page (no `document`: Node, Workers). Never throws for recording problems.
 */
export function startPageView({ tracer, redactUrl, restoredAt }: PageViewOptions): PageViewHandle | undefined {
  const g = globalThis as { document?: unknown; location?: Location };
  if (!g.document) return undefined;
  // performance.now() 0 is the time origin: the navigation start of this document
  // (https://w3c.github.io/hr-time/#dfn-time-origin); the span API takes that scale directly.
  const span = tracer.startSpan(
    "pageView",
    {
      startTime: restoredAt ?? (perfEntries("navigation")[0]?.activationStart || 0),
      attributes: { "url.full": pageUrlFull(g.location?.href ?? "", redactUrl), "navigation.type": navigationType(restoredAt) },
    },
    metaParentContext(),
  );
  let ended = false;
  return {
    span,
    recordVital: ({ name, value, rating }) => ended || span.addEvent("web_vital", { "web_vital.name": name, "web_vital.value": value, "web_vital.rating": rating }),
    end: () => ended || ((ended = true), span.end()),
  };
}
