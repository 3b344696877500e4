/**
 * `initRum()` on the size-first core: the page SDK (browser.ts) with real-user monitoring wired
 * in, as the product's src/runtime/rum/rum.ts does it by default —
 * - `documentLoad` span from the navigation timing entry (events `domInteractive`,
 *   `domContentLoadedEventStart/End`, `domComplete`; child spans `redirect`, `dns`, `connect`,
 *   `tls`, `request`, `response`, `domProcessing`, `load`), child of `<meta name="traceparent">`;
 * - `routeChange` spans for `pushState` / `replaceState` / `popstate` that change the URL;
 * - a `pageView` span from navigation start (activation) to page hide, one more per
 *   back/forward-cache restore, each final web vital a `web_vital` event on it;
 * - web vitals as `browser.web_vital` log records in the page view's trace (rum-vitals.ts);
 * - uncaught errors and unhandled rejections as ERROR log records (≤ 10 a minute, repeats
 *   dropped, URLs in messages and stacks redacted);
 * - traced `fetch` and XHR (rum-xhr.ts), `traceparent` same-origin only by default, a request
 *   outside any span joining the page's trace (the meta tag's context);
 * - `session.id` (sessionStorage, 30 min inactivity) on every span and log record, and the
 *   browser resource attributes (user agent, brands, language, connection, screen);
 * - delivery: the page SDK's keepalive fetch; the page load leaves in idle time after `load`,
 *   and at page hide the final vitals and page view are recorded before the SDK's flush.
 *
 * Left out (each one import away in the product; README lists them): gzip while visible and
 * `sendBeacon` for what the keepalive budget cannot carry (`transport`, delivery.ts),
 * `resourceTimings`, `webVitals.onReport`/`histograms`, header capture, `redactUrl` and
 * `redactQueryKeys`, `session.storage`/`inactivityMillis`/`now`, a metrics part.
 *
 * @module
 */
import type { Attributes, Context, SpanContext } from "./contract.ts";
import type { Span } from "../../src/trace/types.ts";
import type { UrlMatchers } from "../../src/instrument/http-semconv.ts";
import { init, installFetchInstrumentation, matches, type BrowserSdk } from "./browser.ts";
import { fail, got, isObject, type LeanOptions } from "./config.ts";
import { active, ROOT_CONTEXT, withContext } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { TRACED, type TracedFetch } from "./fetch.ts";
import { redactText, redactUrl } from "./http.ts";
import { extract } from "./propagation.ts";
import { createRumLogs, type RumLogRecord, type RumLogs } from "./rum-logs.ts";
import { asTarget, navigationType, observeVitals, perfEntries, type PerfEntry, type VitalsHandle, type WebVitalReport } from "./rum-vitals.ts";
import { traceXhr } from "./rum-xhr.ts";
import { now } from "./time.ts";
import { VERSION } from "../../src/version.ts";
import { getSpan, setSpan } from "./tracer.ts";

/** Options of {@link initRum}: the page SDK's, plus which RUM features run (each default true). */
export interface RumOptions extends LeanOptions {
  /** Targets of traced fetch and XHR that receive `traceparent`. Default: same origin only (CORS-safe). */
  propagateTo?: UrlMatchers;
  traceFetch?: boolean;
  traceXhr?: boolean;
  documentLoad?: boolean;
  navigations?: boolean;
  pageView?: boolean;
  webVitals?: boolean;
  errors?: boolean | { maxPerMinute?: number };
  /** `false`: no `session.id`. */
  session?: boolean;
}

/** What {@link initRum} returns: the SDK, plus `stop()` undoing the RUM wiring. */
export interface RumSdk extends BrowserSdk {
  /** Reports final vitals, removes observers, listeners and patches, then shuts the SDK down. */
  stop(): Promise<void>;
}

const SCOPE = "otel-edge/rum";
const KEY = "otel-edge.session";
const FLAGS = ["traceFetch", "traceXhr", "documentLoad", "navigations", "pageView", "webVitals", "session"] as const;
/** documentLoad's child spans: name, start mark, end mark; a `?` name is left out when it took no time. */
const PHASES = "redirect? redirectStart redirectEnd dns? domainLookupStart domainLookupEnd connect? connectStart connectEnd tls? secureConnectionStart connectEnd request requestStart responseStart response responseStart responseEnd domProcessing responseEnd domComplete load loadEventStart loadEventEnd".split(" ");
const CONNECTION: Record<string, string> = { wifi: "wifi", ethernet: "wired", cellular: "cell", none: "unavailable", unknown: "unknown" };

type G = typeof globalThis & {
  document?: Document & { prerendering?: boolean };
  sessionStorage?: Storage;
  requestIdleCallback?: (fn: () => void, o: object) => unknown;
  navigator?: { userAgent?: string; language?: string; userAgentData?: { brands?: { brand: string; version: string }[]; mobile?: boolean; platform?: string }; connection?: { type?: string; effectiveType?: string } };
  screen?: { width?: number; height?: number };
};
const g = globalThis as G;

/** `url.full` of a page URL (the HTTP redaction); undefined when it does not parse. */
const pageUrl = (href: string): string | undefined => {
  try {
    return redactUrl(new URL(href)) || undefined;
  } catch {}
};

/** The browser resource attributes (the product's rumResourceAttributes), unset ones left out. */
function browserResource(): Attributes {
  const n = g.navigator;
  const ua = n?.userAgentData;
  const a: Record<string, unknown> = {
    "user_agent.original": n?.userAgent || undefined,
    "browser.brands": ua?.brands?.map((b) => `${b.brand} ${b.version}`),
    "browser.platform": ua?.platform || undefined,
    "browser.mobile": ua?.mobile,
    "browser.language": n?.language || undefined,
    "network.connection.type": CONNECTION[n?.connection?.type!],
    "network.connection.effective_type": n?.connection?.effectiveType,
    "browser.screen.width": g.screen?.width,
    "browser.screen.height": g.screen?.height,
  };
  for (const k in a) if (a[k] === undefined) delete a[k];
  return a as Attributes;
}

let memory: string | null = null;

/**
 * The session id: 32 hex digits kept in sessionStorage (memory where it is unavailable) as
 * `<id>.<last use>`, renewed after 30 minutes without a span or record (the product's
 * getSessionId; the timestamp is written at most once a second).
 */
function sessionId(): string {
  const t = Date.now();
  let store: Storage | undefined;
  let stored = memory;
  try {
    stored = (store = g.sessionStorage)!.getItem(KEY);
  } catch {
    store = undefined;
  }
  const [, id, last] = /^([0-9a-f]{32})\.(.+)$/.exec(stored ?? "") ?? [];
  const idle = t - Number(last);
  const current = idle < 18e5 && id;
  if (current && idle < 1000) return current;
  const next = current || Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join("");
  try {
    store!.setItem(KEY, `${next}.${t}`);
  } catch {
    memory = `${next}.${t}`;
  }
  return next;
}

/** The context of `<meta name="traceparent">` (and `tracestate`): the server span that rendered the page; ROOT without one. */
function metaContext(): Context {
  const meta = (name: string): string | undefined => {
    try {
      const v = g.document?.querySelector(`meta[name="${name}"]`)?.getAttribute("content");
      return typeof v == "string" ? v : undefined;
    } catch {}
  };
  const traceparent = meta("traceparent");
  if (traceparent === undefined) return ROOT_CONTEXT;
  const ctx = extract(ROOT_CONTEXT, { traceparent, tracestate: meta("tracestate") });
  if (!getSpan(ctx)) warnOnce("invalid <meta name=traceparent> ignored");
  return ctx;
}

/** The `exception.*` attributes of a thrown value (the product's exceptionAttributes). */
function exception(error: unknown): Attributes {
  const out: Attributes = {};
  try {
    if (error instanceof Error || Object.prototype.toString.call(error) == "[object Error]") {
      const e = error as Error;
      out["exception.type"] = String(e.name || e.constructor?.name || "Error");
      out["exception.message"] = String(e.message ?? "");
      if (typeof e.stack == "string" && e.stack) out["exception.stacktrace"] = e.stack;
    } else {
      let text = "[object Object]"; // a toString that throws (the product's describe())
      try {
        text = String(error);
      } catch {}
      out["exception.message"] = text;
    }
  } catch {} // a hostile error: what was read
  return out;
}

/** Throws the product's TypeError / RangeError (its message) for a RUM option of the wrong shape, before anything is installed. */
function check(o: RumOptions): void {
  if (!isObject(o)) fail("", "an object"); // init() would say it too, after the page listeners were added
  for (const k of FLAGS) if (o[k] !== undefined && typeof o[k] != "boolean") fail(k, "true or false" + got(o[k]));
  const e = o.errors;
  if (e === undefined || typeof e == "boolean") return;
  if (!isObject(e)) fail("errors", "true, false or { maxPerMinute? }" + got(e));
  const n = e.maxPerMinute;
  if (n !== undefined && !(Number.isInteger(n) && n! >= 0)) fail("errors.maxPerMinute", (typeof n == "number" ? "an integer >= 0" : "a number") + got(n), typeof n == "number" ? RangeError : TypeError);
}

/**
 * Starts the browser SDK with RUM. Call it once, early (in the document `<head>`).
 * @throws TypeError / RangeError for an invalid option (before anything is installed).
 */
export function initRum(options: RumOptions = {}): RumSdk {
  check(options);
  const o = options;
  const doc = g.document;
  const win = asTarget(doc) && asTarget(globalThis);
  const session = o.session !== false && (sessionId(), true);
  let logs: RumLogs | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let beforeHide = (): void => {};
  let onRestore = (_at: number): void => {};
  // Registered before init() registers its page-hide flush, so the final vitals and the page
  // view are recorded before that flush exports them.
  const onPage = (event: Event): void => {
    try {
      if (event.type == "pagehide" || (event.type == "visibilitychange" && doc!.visibilityState == "hidden")) beforeHide();
      else if ((event as PageTransitionEvent).persisted) onRestore(event.timeStamp); // a back/forward-cache restore: a new page view
    } catch {}
  };
  const pageEvents = (method: "addEventListener" | "removeEventListener"): void => {
    doc?.[method]("visibilitychange", onPage);
    win?.[method]("pagehide", onPage as never);
    win?.[method]("pageshow", onPage as never);
  };
  if (win) pageEvents("addEventListener");
  const stops: (() => unknown)[] = [() => win && pageEvents("removeEventListener")];
  let sdk: BrowserSdk | undefined;
  try {
    sdk = init(
      { ...o, resourceAttributes: { ...browserResource(), ...o.resourceAttributes } },
      {
        onStart: session ? (span) => (span as unknown as { attributes: Attributes }).attributes["session.id"] ?? span.setAttribute("session.id", sessionId()) : undefined,
        part: (target, resource) => (logs = createRumLogs(target, resource, SCOPE, () => (timer ??= setTimeout(() => ((timer = undefined), sdk!.flush()), 5e3)))),
      },
    );
  } finally {
    if (!sdk || sdk.disabled) stops[0]!();
  }
  const s = sdk;
  if (s.disabled) return { ...s, stop: s.shutdown };
  const tracer = s.tracerProvider!.getTracer(SCOPE);
  const emit = (r: RumLogRecord, span?: SpanContext): void => {
    if (session) r.attributes["session.id"] ??= sessionId();
    r.span = span ?? getSpan(active())?.spanContext();
    logs!.emit(r);
  };
  /** Starts one feature; one failing (an odd browser) does not take the page or the others down. */
  const guarded = (what: string, start: () => unknown): void => {
    try {
      const stop = start();
      if (typeof stop == "function") stops.push(stop as () => unknown);
    } catch {
      warnOnce(`RUM ${what} not started: it failed`);
    }
  };
  const pageContext = metaContext();

  if (o.documentLoad !== false) {
    guarded("documentLoad", () => {
      const nav = () => perfEntries("navigation")[0];
      const record = (): void => {
        const e = nav();
        if (!e || !((e.loadEventEnd as number) > 0)) return;
        const m = /^(?:h(\d)|http\/(\d(?:\.\d)?))/.exec((e.nextHopProtocol as string) ?? "");
        const positive = (n: unknown) => ((n as number) > 0 ? n : undefined);
        const attributes = {
          "url.full": pageUrl(e.name),
          "network.protocol.name": m ? "http" : undefined,
          "network.protocol.version": m ? m[1] ?? m[2] : undefined,
          "http.response.status_code": positive(e.responseStatus),
          "http.response.size": positive(e.transferSize),
          "http.response.body.size": positive(e.encodedBodySize),
          "document.load.type": e.type || undefined,
        } as Attributes;
        const span = tracer.startSpan("documentLoad", { startTime: e.startTime, attributes }, pageContext);
        const ctx = setSpan(ROOT_CONTEXT, span as never);
        for (const mark of ["domInteractive", "domContentLoadedEventStart", "domContentLoadedEventEnd", "domComplete"]) if ((e[mark] as number) > 0) span.addEvent(mark, e[mark] as number);
        for (let i = 0; i < PHASES.length; i += 3) {
          const a = e[PHASES[i + 1]!] as number;
          const b = e[PHASES[i + 2]!] as number;
          const name = PHASES[i]!;
          const optional = name.endsWith("?");
          if (a > 0 && b >= a && (b != a || !optional)) tracer.startSpan(optional ? name.slice(0, -1) : name, { startTime: a }, ctx).end(b);
        }
        span.end(e.loadEventEnd as number);
      };
      const later = (): void => void setTimeout(record, 0);
      if (!doc) return;
      if ((nav()?.loadEventEnd as number) > 0) record();
      else if (doc.readyState == "complete" || !win) later();
      else win.addEventListener("load", later, { once: true });
    });
  }

  if (o.navigations !== false) {
    guarded("navigations", () => {
      const h = g.history as History & Record<string, (...a: unknown[]) => void>;
      if (typeof h?.pushState != "function") return;
      let live = true;
      const href = () => g.location?.href;
      const record = (type: string, from: string | undefined, startTime: number): void => {
        const to = href();
        if (!live || !to || (from && to == from)) return;
        try {
          tracer.startSpan("routeChange", { startTime, attributes: { "navigation.type": type, "url.path": new URL(to).pathname, "url.full": pageUrl(to) } as Attributes }).end();
        } catch {}
      };
      const undo = ["push", "replace"].map((type) => {
        const name = type + "State";
        const original = h[name]!;
        const wrapper = function (this: History, ...args: unknown[]) {
          const from = href();
          const start = now();
          original.apply(this ?? h, args);
          record(type, from, start);
        };
        h[name] = wrapper;
        return () => h[name] == wrapper && (h[name] = original);
      });
      const onPop = (): void => record("pop", undefined, now());
      win?.addEventListener("popstate", onPop);
      return () => {
        live = false;
        undo.forEach((u) => u());
        win?.removeEventListener("popstate", onPop);
      };
    });
  }

  // One page view (span and vitals) at a time: the document's, then one per bfcache restore.
  let view: Span | undefined;
  let viewEnded = false;
  let vitals: VitalsHandle | undefined;
  const onReport = (r: WebVitalReport): void => {
    if (view && !viewEnded) view.addEvent("web_vital", { "web_vital.name": r.name, "web_vital.value": r.value, "web_vital.rating": r.rating });
    // The OpenTelemetry browser event (semconv "browser.web_vital"), in the page view's trace.
    emit(
      {
        eventName: "browser.web_vital",
        attributes: {
          "browser.web_vital.name": r.name.toLowerCase(),
          "browser.web_vital.value": r.value,
          "browser.web_vital.delta": r.delta,
          "browser.web_vital.id": r.id,
          "browser.web_vital.rating": r.rating,
          "browser.web_vital.navigation_type": r.navigationType,
        },
      },
      view?.spanContext(),
    );
  };
  const startView = (restoredAt?: number): void => {
    if (o.pageView !== false && doc) {
      guarded("pageView", () => {
        view = tracer.startSpan(
          "pageView",
          { startTime: restoredAt ?? ((perfEntries("navigation")[0] as PerfEntry | undefined)?.activationStart || 0), attributes: { "url.full": pageUrl(g.location?.href ?? ""), "navigation.type": navigationType(restoredAt) } as Attributes },
          pageContext,
        ) as Span;
        viewEnded = false;
      });
    }
    if (o.webVitals !== false) guarded("webVitals", () => void (vitals = observeVitals(onReport, restoredAt)));
  };
  // At page hide: final vitals first (events of the page view), then the page view ends; idempotent.
  beforeHide = () => {
    vitals?.flushFinal();
    if (view && !viewEnded) (viewEnded = true), view.end();
  };
  onRestore = (at) => {
    beforeHide();
    startView(at);
  };
  // A prerendered page's view starts at its activation.
  if (doc?.prerendering && win) {
    const on = (): void => (doc.removeEventListener("prerenderingchange", on, true), startView());
    doc.addEventListener("prerenderingchange", on, true);
    stops.push(() => doc.removeEventListener("prerenderingchange", on, true));
  } else startView();
  stops.push(() => vitals?.stop());

  if (o.errors !== false && win) {
    guarded("errors", () => {
      const max = (o.errors as { maxPerMinute?: number })?.maxPerMinute ?? 10;
      const seen = new Set<string>();
      let windowStart = -Infinity;
      let inWindow = 0;
      let dropped = 0;
      const report = () => dropped && ((dropped = 0), warnOnce("error records dropped: over maxPerMinute"));
      const record = (attrs: Attributes): void => {
        for (const k of ["exception.message", "exception.stacktrace", "code.file.path"]) if (typeof attrs[k] == "string") attrs[k] = redactText(attrs[k] as string);
        const type = attrs["exception.type"] ?? "";
        const message = attrs["exception.message"];
        const frame = /^\s*(at .*|\S*@\S+:\d+.*)$/m.exec(String(attrs["exception.stacktrace"] ?? ""))?.[1];
        const key = `${type}\0${message}\0${frame ?? `${attrs["code.file.path"]}:${attrs["code.line.number"]}`}`;
        if (seen.has(key)) return; // the same error again (a loop): recorded once
        const t = Date.now();
        if (t - windowStart >= 6e4) report(), (windowStart = t), (inWindow = 0);
        if (inWindow >= max) return void dropped++;
        inWindow++;
        seen.add(key);
        if (seen.size > 200) seen.delete(seen.values().next().value!);
        emit({ severityNumber: 17, severityText: "ERROR", body: type ? `${type}: ${message}` : message, attributes: attrs });
      };
      const onError = (e: Partial<ErrorEvent>): void => {
        if (e.error == null && typeof e.message != "string") return;
        const attrs = e.error != null ? exception(e.error) : { "exception.message": e.message! };
        if (e.filename) {
          attrs["code.file.path"] = e.filename;
          if (e.lineno) attrs["code.line.number"] = e.lineno;
          if (e.colno) attrs["code.column.number"] = e.colno;
        }
        record(attrs);
      };
      const onRejection = (e: { reason?: unknown }): void => record({ "exception.type": "UnhandledRejection", ...exception(e.reason) });
      const guard = (fn: (e: never) => void) => (e: unknown) => {
        try {
          fn((e ?? {}) as never);
        } catch {
          warnOnce("error not recorded");
        }
      };
      const listeners: [string, (e: never) => void][] = [["error", guard(onError)], ["unhandledrejection", guard(onRejection)]];
      for (const [t, f] of listeners) win.addEventListener(t, f);
      return () => {
        for (const [t, f] of listeners) win.removeEventListener(t, f);
        report();
      };
    });
  }

  // A request made outside any span (a click handler) joins the page's trace.
  // Only the span is replaced: the rest of the context (our exports' SUPPRESS_KEY, baggage) is kept.
  const pageSpan = getSpan(pageContext);
  const parent = (c = active()): Context => (getSpan(c) || !pageSpan ? c : setSpan(c, pageSpan));
  const previous = g.fetch as TracedFetch | undefined;
  if (o.traceFetch !== false && previous) {
    guarded("fetch", () => {
      const undo = installFetchInstrumentation({ propagateTo: o.propagateTo });
      const traced = g.fetch;
      const rumFetch: TracedFetch = (input, init) => withContext(parent(), () => traced(input, init));
      rumFetch[TRACED] = true;
      g.fetch = rumFetch;
      return () => g.fetch == rumFetch && ((g.fetch = traced), undo());
    });
  }
  if (o.traceXhr !== false) {
    const origin = g.location?.origin;
    const to = o.propagateTo;
    guarded("xhr", () => traceXhr(s.tracerProvider!.getTracer("otel-edge/runtime/rum/xhr", VERSION), () => parent(), (url) => (to === undefined ? url.origin == origin : matches(to, url))));
  }

  // The page load leaves in idle time after `load`, so the page-hide export runs code that already ran (no long task at page hide).
  const idle = (fn: () => void): unknown => (g.requestIdleCallback ? g.requestIdleCallback(fn, { timeout: 1e4 }) : setTimeout(fn, 1000));
  const afterLoad = (): unknown => setTimeout(() => idle(() => stopped || s.flush()), 0);
  if (doc?.readyState == "complete") afterLoad();
  else if (win) {
    win.addEventListener("load", afterLoad, { once: true });
    stops.push(() => win.removeEventListener("load", afterLoad));
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (() => {
      clearTimeout(timer);
      beforeHide();
      for (const f of stops.reverse()) {
        try {
          f();
        } catch {}
      }
      return s.shutdown();
    })());
  return { ...s, shutdown: stop, stop };
}
