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
import { instrumentFetch, type FetchInstrumentationOptions } from "../../instrument/fetch.ts";
import { context } from "../../context/context-api.ts";
import { ROOT_CONTEXT } from "../../context/context.ts";
import { registeredMeterProvider } from "../../metrics/registered-meter-provider.ts";
import { getSpanContext, setSpan } from "../../trace/span-in-context.ts";
import type { Sdk } from "../../sdk/init.ts";
import type { InitOptions } from "../../sdk/options.ts";
import { init } from "../browser-init.ts";
import { logsSdk } from "../../sdk/logs-part.ts";
import { onPageHide } from "../browser-page-hide.ts";
import { createRumFetch, type RumTransport } from "./delivery.ts";
import { captureErrors } from "./errors.ts";
import { metaParentContext, recordDocumentLoad } from "./document-load.ts";
import { trackNavigations } from "./navigation.ts";
import { queryKeysRedactor, type RedactPageUrl } from "./page-url.ts";
import { startPageView, type PageViewHandle } from "./page-view.ts";
import { validateRumOptions } from "./rum-options.ts";
import { rumResourceAttributes, SessionProcessor, type SessionOptions } from "./session.ts";
import { instrumentXhr, type XhrInstrumentationOptions } from "./xhr.ts";
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
  const g = globalThis as { fetch?: typeof fetch };
  // Captured before the traced fetch replaces it: exports must never produce spans, and the
  // suppression context does not follow the gzip `await` under the stack context manager.
  const baseFetch = options.otlp?.fetch ?? (typeof g.fetch === "function" ? g.fetch.bind(globalThis) : undefined);
  const transport = options.transport ?? "fetch";
  const session = options.session === false ? undefined : new SessionProcessor(options.session === true ? {} : options.session);
  // Final vitals must be recorded before the SDK's own page-hide flush exports the logs (and
  // metrics): this listener is registered first, so it runs first.
  // `leaving` also tells the delivery fetch that the page is going away: on a navigation
  // `pagehide` fires while `visibilityState` is still "visible", and the gzip `await` there
  // would start the request too late. Reset when the page is shown again (bfcache, tab back).
  let beforeHide = (): void => {};
  let onRestore = (_restoredAt: number): void => {};
  let leaving = false;
  const doc = (globalThis as { document?: { visibilityState?: string; readyState?: string } & Partial<EventTarget> }).document;
  const delivery = createRumFetch({ fetch: baseFetch, transport, isHidden: () => leaving || doc?.visibilityState === "hidden", gzip: transport === "fetch" && options.otlp?.compression !== "none" });
  const removeBeforeHide = onPageHide(() => {
    leaving = true;
    // What was sent while visible must not hold the page-hide export back (delivery.ts).
    delivery.leave();
    beforeHide();
  });
  const onShow = (event: unknown): void => {
    if (doc?.visibilityState !== "hidden") leaving = false;
    // A back/forward-cache restore (HTML "pageshow" with persisted): a new page view of the
    // same document. The event's timeStamp is in the performance.now() time base.
    const e = event as { persisted?: boolean; timeStamp: number };
    if (e.persisted) onRestore(e.timeStamp);
  };
  const win = globalThis as Partial<EventTarget>;
  if (typeof doc?.addEventListener === "function" && typeof win.addEventListener === "function") {
    doc.addEventListener("visibilitychange", onShow);
    win.addEventListener("pageshow", onShow);
  }
  const removeShow = (): void => {
    doc?.removeEventListener?.("visibilitychange", onShow);
    win.removeEventListener?.("pageshow", onShow);
  };
  let sdk: Sdk;
  try {
    sdk = init({
      ...options,
      resourceAttributes: { ...rumResourceAttributes(), ...options.resourceAttributes },
      otlp: {
        ...options.otlp,
        // Compression happens in the RUM fetch, only while the page is visible (see delivery.ts).
        compression: "none",
        fetch: delivery,
      },
      spanProcessors: session ? [session, ...(options.spanProcessors ?? [])] : options.spanProcessors,
      logProcessors: session ? [session, ...(options.logProcessors ?? [])] : options.logProcessors,
      // Errors and web-vital events are log records: RUM brings the logs signal. Metrics (the
      // web_vitals.* histograms, HTTP client durations) come only with a metrics part the
      // program passes.
      parts: [logsSdk(), ...(options.parts ?? [])],
    });
  } catch (error) {
    // init() rejected its own options: leave nothing installed.
    removeBeforeHide();
    removeShow();
    throw error;
  }
  if (sdk.disabled) {
    removeBeforeHide();
    removeShow();
    return { ...sdk, stop: () => sdk.shutdown() };
  }

  const tracer = sdk.tracerProvider!.getTracer(SCOPE);
  // Errors and web-vital events are log records: recorded where the program has logs.
  const logger = sdk.loggerProvider?.getLogger(SCOPE);
  const stops: Array<() => void> = [removeBeforeHide, removeShow];
  const guarded = (what: string, start: () => void): void => {
    try {
      start();
    } catch (error) {
      // One feature failing to start (an odd browser) must not take the page or the others down.
      diagOnce("warn", `rum:${what}`, `initRum: ${what} could not start; the rest of RUM runs without it.`, error);
    }
  };
  const { redactQueryKeys, propagateTo, captureRequestHeaders, captureResponseHeaders } = options;
  // What traced fetch and XHR are given alike: the SDK's providers, and propagateTo, the
  // redacted query keys and the header capture lists unchanged (checked by validateRumOptions;
  // undefined means the default). HTTP client durations are recorded only where the program
  // has metrics (the SDK's, or a registered meter provider).
  const meterProvider = sdk.meterProvider ?? registeredMeterProvider();
  const clientOptions: FetchInstrumentationOptions & XhrInstrumentationOptions = {
    tracerProvider: sdk.tracerProvider,
    meterProvider,
    propagateTo,
    redactQueryKeys,
    captureRequestHeaders,
    captureResponseHeaders,
  };
  const redactUrl = options.redactUrl ?? (redactQueryKeys !== undefined ? queryKeysRedactor(redactQueryKeys) : undefined);
  // The page-URL options of document load, navigations and the page view.
  const pageUrl = redactUrl ? { redactUrl } : {};
  if (options.documentLoad !== false) {
    const resourceTimings = typeof options.documentLoad === "object" && options.documentLoad.resourceTimings === true;
    guarded("documentLoad", () => recordDocumentLoad({ tracer, resourceTimings, ...pageUrl }));
  }
  if (options.navigations !== false) guarded("navigations", () => stops.push(trackNavigations({ tracer, ...pageUrl })));
  // One page view (span and vitals) at a time: the document's, from activation, then one per
  // back/forward-cache restore. Each ends at the page hide before the restore, so the handles
  // are replaced, not accumulated; a stopped vitals handle holds no observer or listener.
  let pageView: PageViewHandle | undefined;
  let vitals: WebVitalsHandle | undefined;
  const vitalOptions = typeof options.webVitals === "object" ? options.webVitals : {};
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
      ...(pageView ? { context: setSpan(ROOT_CONTEXT, pageView.span) } : {}),
    });
    recordHistogram?.(report);
    vitalOptions.onReport?.(report);
  };
  const startView = (restoredAt?: number): void => {
    if (options.pageView !== false) guarded("pageView", () => (pageView = startPageView({ tracer, restoredAt, ...pageUrl })));
    if (options.webVitals !== false) guarded("webVitals", () => (vitals = observeWebVitals({ onReport, restoredAt })));
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
  if (options.errors !== false && logger) {
    const maxPerMinute = typeof options.errors === "object" ? options.errors.maxPerMinute : undefined;
    guarded("errors", () => stops.push(captureErrors({ logger, maxPerMinute, redactQueryKeys })));
  }
  // A request made outside any span (a click handler) joins the page view's trace: its parent
  // is the server span from `<meta name="traceparent">`, so page load, requests and the backend
  // share one trace id. Without that meta tag each request starts a trace.
  const pageContext = metaParentContext();
  if (options.traceFetch !== false && typeof g.fetch === "function") {
    guarded("fetch", () => {
      const previous = g.fetch!;
      const traced = instrumentFetch(previous, clientOptions);
      const rumFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
        const active = context.active();
        return getSpanContext(active) ? traced(input, init) : context.with(pageContext, () => traced(input, init));
      } as typeof fetch;
      g.fetch = rumFetch;
      stops.push(() => {
        if (g.fetch === rumFetch) g.fetch = previous;
      });
    });
  }
  if (options.traceXhr !== false) guarded("xhr", () => stops.push(instrumentXhr({ ...clientOptions, pageContext })));

  // The page load leaves once the page has loaded, in idle time, one signal per idle period. The
  // page-hide handler then sends only what came later (the page view, final vitals, late
  // requests) through export code that already ran: an export first run at page hide would
  // compile the encoder and transport there, in the one task that must stay short (issue 16:
  // no task over 50 ms at page hide at 4× CPU throttling).
  const scheduler = globalThis as { requestIdleCallback?: (fn: () => void, options?: { timeout: number }) => unknown };
  const idle = (fn: () => void): unknown => (typeof scheduler.requestIdleCallback === "function" ? scheduler.requestIdleCallback(fn, { timeout: 10_000 }) : setTimeout(fn, 1000));
  const providers = [sdk.tracerProvider, sdk.loggerProvider, sdk.meterProvider].filter((p) => p !== undefined);
  const exportNext = (): void => {
    const provider = providers.shift();
    if (stopped || leaving || !provider) return;
    provider.forceFlush().catch(() => {});
    idle(exportNext);
  };
  // After the load event's task and the documentLoad recording it schedules.
  const afterLoad = (): unknown => setTimeout(() => idle(exportNext), 0);
  if (doc?.readyState === "complete") afterLoad();
  else if (typeof win.addEventListener === "function") {
    win.addEventListener("load", afterLoad, { once: true });
    stops.push(() => win.removeEventListener?.("load", afterLoad));
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (stopped) return stopped;
    beforeHide();
    for (const s of stops.reverse()) {
      try {
        s();
      } catch {
        // Stopping is best effort; the SDK shutdown below still runs.
      }
    }
    stopped = sdk.shutdown();
    return stopped;
  };
  return { ...sdk, shutdown: stop, stop };
}
