/**
 * `initRum()`: the browser SDK with real-user monitoring wired in — the page load, client-side
 * navigations, web vitals (`browser.web_vital` events), uncaught errors, traced `fetch` and XHR,
 * a rotating `session.id` on spans and log records, and browser resource attributes — delivered
 * with the RUM transport
 * (`delivery.ts`: keepalive fetch, gzip while visible, `sendBeacon` at page hide, or
 * `text/plain` beacons without preflight).
 *
 * @module
 */
import { diagOnce } from "../../common/diag.ts";
import type { UrlMatchers } from "../../instrument/http-semconv.ts";
import type { HeaderCaptureOptions } from "../../instrument/http-headers.ts";
import { instrumentFetch } from "../../instrument/fetch.ts";
import { context } from "../../context/context-api.ts";
import { ROOT_CONTEXT } from "../../context/context.ts";
import { registeredMeterProvider } from "../../metrics/registered-meter-provider.ts";
import { getSpanContext, setSpan } from "../../trace/span-in-context.ts";
import type { Sdk } from "../../sdk/init.ts";
import type { InitOptions } from "../../sdk/options.ts";
import { init } from "../browser-init.ts";
import { logsSdk } from "../../sdk/logs-part.ts";
import { asTarget } from "../browser-page-hide.ts";
import { createRumFetch, type RumTransport } from "./delivery.ts";
import { captureErrors } from "./errors.ts";
import { metaParentContext, recordDocumentLoad } from "./document-load.ts";
import { trackNavigations } from "./navigation.ts";
import { queryKeysRedactor, type RedactPageUrl } from "./page-url.ts";
import { startPageView, type PageViewHandle } from "./page-view.ts";
import { validateRumOptions } from "./rum-options.ts";
import { rumResourceAttributes, SessionProcessor, type SessionOptions } from "./session.ts";
import { instrumentXhr } from "./xhr.ts";
import { observeWebVitals, type WebVitalReport, type WebVitalsHandle } from "./web-vitals.ts";
import type { WebVitalRecorder } from "./web-vital-histograms.ts";
import { whenActivated } from "./activation.ts";

/** Options of {@link initRum}: everything `init()` takes, plus what RUM records and how it sends. */
export interface RumOptions extends InitOptions, HeaderCaptureOptions {
  /**
   * `"fetch"` (default): keepalive `fetch`, gzip while the page is visible (unless
   * `otlp.compression` is `"none"`), `sendBeacon` for what the keepalive budget can't carry at
   * page hide. `"beacon"`: `text/plain` beacons, no preflight — the receiver must accept
   * OTLP/JSON as `text/plain`; no custom headers.
   */
  transport?: RumTransport;
  /** Targets of the traced `fetch` that receive `traceparent`. Default: same origin only (CORS-safe). */
  propagateTo?: UrlMatchers;
  /** Trace `fetch` (replacing `globalThis.fetch` until `stop()`). Default true. */
  traceFetch?: boolean;
  /** Trace `XMLHttpRequest` (same `propagateTo` rule) until `stop()`. Default true. */
  traceXhr?: boolean;
  /** Record the `documentLoad` span. Default true. */
  documentLoad?: boolean | { resourceTimings?: boolean };
  /** Record History API navigations. Default true. */
  navigations?: boolean;
  /**
   * Record a `pageView` span from navigation start (activation for a prerendered page) to page
   * hide, child of the `<meta name="traceparent">` server span, with each final web vital as a
   * `web_vital` event; and a new one, with its own vitals, each time the page is restored from
   * the back/forward cache (`navigation.type` `back_forward_cache`). Default true.
   */
  pageView?: boolean;
  /**
   * Observe web vitals (again for each back/forward-cache restore). Each final value is a
   * `browser.web_vital` event (a log record, OpenTelemetry browser conventions) and a
   * `web_vital` event of the page view; `onReport` receives it too. `histograms:
   * webVitalHistograms` (imported from this entry) also records the `web_vitals.*` histograms,
   * on the SDK's meter provider (else the registered one). Default true.
   */
  webVitals?: boolean | { onReport?: (report: WebVitalReport) => void; histograms?: WebVitalRecorder };
  /** Uncaught errors and unhandled rejections as ERROR log records (≤ `maxPerMinute`, default 10). Default true. */
  errors?: boolean | { maxPerMinute?: number };
  /** Session settings; `false` records no `session.id`. */
  session?: boolean | SessionOptions;
  /** `url.full` rule for page URLs (default: the HTTP instrumentation's redaction). */
  redactUrl?: RedactPageUrl;
  /**
   * More query keys whose values are recorded as `REDACTED` (added to the default list) in
   * `url.full` of traced `fetch`/XHR spans and, unless `redactUrl` is given, of page URLs.
   */
  redactQueryKeys?: readonly string[];
  /**
   * Request headers of traced `fetch` and XHR calls to record as `http.request.header.<name>`:
   * the headers the page itself sends (not our `traceparent`). Credentials (`authorization`,
   * `cookie`, ...) and `baggage`/`tracestate` are never recorded even when listed. Default: none.
   */
  captureRequestHeaders?: readonly string[];
  /**
   * Response headers of traced `fetch` and XHR calls to record as `http.response.header.<name>`;
   * same rules. A cross-origin response shows only the headers its `Access-Control-Expose-Headers`
   * lists (and the CORS-safelisted ones): the others record nothing. Default: none.
   */
  captureResponseHeaders?: readonly string[];
}

/** What {@link initRum} returns: the SDK, plus `stop()` undoing the RUM wiring. */
export interface RumSdk extends Sdk {
  /** Reports final vitals, removes observers, listeners and the traced fetch, then shuts the SDK down. */
  stop(): Promise<void>;
}

const SCOPE = "otel-edge/rum";

/**
 * Starts the browser SDK with RUM. Call it once, early (in the document `<head>`, so the page
 * load and first paints are observed).
 *
 * @example
 * ```ts
 * import { initRum } from "otel-edge/browser";
 * initRum({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
 * ```
 *
 * @throws TypeError / RangeError for an invalid option (before anything is installed).
 */
export function initRum(options: RumOptions = {}): RumSdk {
  // Configuration errors throw here, before any listener, patch or SDK exists; the per-feature
  // guard below only catches runtime failures of browser APIs.
  validateRumOptions(options);
  const { redactQueryKeys, session: sessionOptions, webVitals, errors } = options;
  const g = globalThis as { fetch?: typeof fetch; requestIdleCallback?: (fn: () => void, options: { timeout: number }) => unknown };
  // Captured before the traced fetch replaces it: exports must never produce spans, and the
  // suppression context does not follow the gzip `await` under the stack context manager.
  const baseFetch = options.otlp?.fetch ?? g.fetch?.bind(globalThis);
  const session = sessionOptions === false ? undefined : new SessionProcessor(sessionOptions === true ? {} : sessionOptions);
  const doc = (globalThis as { document?: Document }).document;
  // Page events only on a page (in a Worker `globalThis` is an EventTarget too).
  const win = asTarget(doc) && asTarget(globalThis);
  // `leaving` tells the delivery fetch that the page is going away: on a navigation `pagehide`
  // fires while `visibilityState` is still "visible", and the gzip `await` there would start
  // the request too late. Reset when the page is shown again (bfcache, tab back).
  let leaving = false;
  const delivery = createRumFetch({ fetch: baseFetch, transport: options.transport, isHidden: () => leaving || doc?.visibilityState === "hidden", gzip: options.transport !== "beacon" && options.otlp?.compression !== "none" });
  let beforeHide = (): void => {};
  let onRestore = (_restoredAt: number): void => {};
  // Registered before init() registers the SDK's page-hide flush, so it runs first: the final
  // vitals and the page view are recorded before that flush exports them. The events are
  // `onPageHide`'s (browser-page-hide.ts), plus `pageshow`.
  const onPageEvent = (event: Event): void => {
    try {
      const hidden = doc!.visibilityState === "hidden";
      if (event.type === "pagehide" || (event.type === "visibilitychange" && hidden)) {
        leaving = true;
        // What was sent while visible must not hold the page-hide export back (delivery.ts).
        delivery.leave();
        beforeHide();
        return;
      }
      if (!hidden) leaving = false;
      // A back/forward-cache restore (HTML "pageshow" with persisted): a new page view of the
      // same document. The event's timeStamp is in the performance.now() time base.
      if ((event as PageTransitionEvent).persisted) onRestore(event.timeStamp);
    } catch {
      // ours never throws; this only guards the page's event loop
    }
  };
  const pageEvents = (method: "addEventListener" | "removeEventListener"): void => {
    doc?.[method]("visibilitychange", onPageEvent);
    win?.[method]("pagehide", onPageEvent as never);
    win?.[method]("pageshow", onPageEvent as never);
  };
  if (win) pageEvents("addEventListener");
  const stops: Array<() => void> = [() => win && pageEvents("removeEventListener")];
  let sdk: Sdk;
  try {
    sdk = init({
      ...options,
      resourceAttributes: { ...rumResourceAttributes(), ...options.resourceAttributes },
      // Compression happens in the RUM fetch, only while the page is visible (see delivery.ts).
      otlp: { ...options.otlp, compression: "none", fetch: delivery },
      spanProcessors: session ? [session, ...(options.spanProcessors ?? [])] : options.spanProcessors,
      logProcessors: session ? [session, ...(options.logProcessors ?? [])] : options.logProcessors,
      // Errors and web-vital events are log records: RUM brings the logs signal. Metrics (the
      // web_vitals.* histograms, HTTP client durations) come only with a metrics part the
      // program passes.
      parts: [logsSdk(), ...(options.parts ?? [])],
    });
  } finally {
    // init() rejected its own options, or the SDK is disabled: leave nothing installed.
    if (!sdk! || sdk.disabled) stops[0]!();
  }
  if (sdk.disabled) return { ...sdk, stop: () => sdk.shutdown() };

  const { tracerProvider, loggerProvider } = sdk;
  const tracer = tracerProvider!.getTracer(SCOPE);
  // Errors and web-vital events are log records: recorded where the program has logs.
  const logger = loggerProvider?.getLogger(SCOPE);
  const guarded = (what: string, start: () => unknown): void => {
    try {
      const stop = start();
      if (typeof stop === "function") stops.push(stop as () => void);
    } catch (error) {
      // One feature failing to start (an odd browser) must not take the page or the others down.
      diagOnce("warn", `rum:${what}`, `initRum: ${what} could not start; the rest of RUM runs without it.`, error);
    }
  };
  // Traced fetch and XHR get the SDK's providers and the options unchanged (checked by
  // validateRumOptions; undefined means the default). HTTP client durations are recorded only
  // where the program has metrics (the SDK's, or a registered meter provider).
  const meterProvider = sdk.meterProvider ?? registeredMeterProvider();
  const clientOptions = { ...options, tracerProvider, meterProvider };
  // The page-URL rule of document load, navigations and the page view.
  const redactUrl = options.redactUrl ?? (redactQueryKeys && queryKeysRedactor(redactQueryKeys));
  if (options.documentLoad !== false) {
    guarded("documentLoad", () => recordDocumentLoad({ tracer, redactUrl, resourceTimings: (options.documentLoad as { resourceTimings?: boolean })?.resourceTimings }));
  }
  if (options.navigations !== false) guarded("navigations", () => trackNavigations({ tracer, redactUrl }));
  // One page view (span and vitals) at a time: the document's, from activation, then one per
  // back/forward-cache restore. Each ends at the page hide before the restore, so the handles
  // are replaced, not accumulated; a stopped vitals handle holds no observer or listener.
  let pageView: PageViewHandle | undefined;
  let vitals: WebVitalsHandle | undefined;
  const vitalOptions = typeof webVitals === "object" ? webVitals : {};
  const meter = vitalOptions.histograms && meterProvider?.getMeter(SCOPE);
  if (vitalOptions.histograms && !meter) diagOnce("warn", "rum:histograms", "initRum: webVitals.histograms needs metrics: pass the metrics part to initRum (or register a meter provider); no histogram is recorded.");
  const recordHistogram = meter && vitalOptions.histograms!(meter);
  const onReport = (report: WebVitalReport): void => {
    pageView?.recordVital(report);
    // The OpenTelemetry browser event (semconv "browser.web_vital"), in the page view's trace.
    logger?.emit({
      eventName: "browser.web_vital",
      attributes: {
        "browser.web_vital.name": report.name.toLowerCase(),
        "browser.web_vital.value": report.value,
        "browser.web_vital.delta": report.delta,
        "browser.web_vital.id": report.id,
        "browser.web_vital.rating": report.rating,
        "browser.web_vital.navigation_type": report.navigationType,
      },
      context: pageView && setSpan(ROOT_CONTEXT, pageView.span),
    });
    recordHistogram?.(report);
    vitalOptions.onReport?.(report);
  };
  const startView = (restoredAt?: number): void => {
    if (options.pageView !== false) guarded("pageView", () => void (pageView = startPageView({ tracer, restoredAt, redactUrl })));
    if (webVitals !== false) guarded("webVitals", () => void (vitals = observeWebVitals({ onReport, restoredAt })));
  };
  // At page hide: final vitals first (they become events of the page view), then the page view
  // ends — all before the SDK's page-hide flush, which exports it. Idempotent: a page hidden
  // twice (tab switches) ends nothing twice.
  beforeHide = () => {
    vitals?.flushFinal();
    pageView?.end();
  };
  onRestore = (restoredAt) => {
    beforeHide(); // already done at the pagehide before it; guards a browser that skipped it
    startView(restoredAt);
  };
  // A prerendered page's view starts at its activation (both page view and vitals, so vitals
  // reported at start find the page view).
  stops.push(whenActivated(startView), () => vitals?.stop());
  if (errors !== false && logger) guarded("errors", () => captureErrors({ logger, maxPerMinute: (errors as { maxPerMinute?: number })?.maxPerMinute, redactQueryKeys }));
  // A request made outside any span (a click handler) joins the page view's trace: its parent
  // is the server span from `<meta name="traceparent">`, so page load, requests and the backend
  // share one trace id. Without that meta tag each request starts a trace.
  const pageContext = metaParentContext();
  const previous = g.fetch;
  if (options.traceFetch !== false && previous) {
    guarded("fetch", () => {
      const traced = instrumentFetch(previous, clientOptions);
      const rumFetch = ((input, init) => context.with(getSpanContext(context.active()) ? context.active() : pageContext, () => traced(input, init))) as typeof fetch;
      g.fetch = rumFetch;
      return () => g.fetch === rumFetch && (g.fetch = previous);
    });
  }
  if (options.traceXhr !== false) guarded("xhr", () => instrumentXhr({ ...clientOptions, pageContext }));

  // The page load leaves once the page has loaded, in idle time, one signal per idle period. The
  // page-hide handler then sends only what came later (the page view, final vitals, late
  // requests) through export code that already ran: an export first run at page hide would
  // compile the encoder and transport there, in the one task that must stay short (issue 16:
  // no task over 50 ms at page hide at 4× CPU throttling).
  const idle = (fn: () => void): unknown => (g.requestIdleCallback ? g.requestIdleCallback(fn, { timeout: 10_000 }) : setTimeout(fn, 1000));
  const providers = [tracerProvider, loggerProvider, sdk.meterProvider];
  const exportNext = (): void => {
    if (stopped || leaving || !providers.length) return;
    providers.shift()?.forceFlush().catch(() => {});
    idle(exportNext);
  };
  // After the load event's task and the documentLoad recording it schedules.
  const afterLoad = (): unknown => setTimeout(() => idle(exportNext), 0);
  if (doc?.readyState === "complete") afterLoad();
  else if (win) {
    win.addEventListener("load", afterLoad, { once: true });
    stops.push(() => win.removeEventListener("load", afterLoad));
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (() => {
      beforeHide();
      for (const s of stops.reverse()) {
        try {
          s();
        } catch {
          // Stopping is best effort; the SDK shutdown below still runs.
        }
      }
      return sdk.shutdown();
    })());
  return { ...sdk, shutdown: stop, stop };
}
