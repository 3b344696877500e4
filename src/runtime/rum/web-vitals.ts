/**
 * Core Web Vitals from our own `PerformanceObserver`s, following the published definitions
 * (https://web.dev/articles/vitals and the reference `web-vitals` library's algorithms):
 *
 * - TTFB: the navigation entry's `responseStart` (https://web.dev/articles/ttfb).
 * - FCP: the `first-contentful-paint` paint entry (https://web.dev/articles/fcp).
 * - LCP: the last `largest-contentful-paint` entry before the first input or the page being
 *   hidden — the browser stops emitting candidates after input (https://web.dev/articles/lcp).
 * - CLS: the largest session window of `layout-shift`s without recent input, a window ending at
 *   a 1 s gap or after 5 s (https://web.dev/articles/cls, "session windows"). Only reported
 *   with an FCP, as web-vitals and CrUX do: a page never painted while visible has no CLS.
 * - INP: `event` timing entries grouped by `interactionId` (longest duration per interaction);
 *   the worst interaction, skipping one per 50 interactions — the 98th-percentile
 *   approximation of https://web.dev/articles/inp.
 *
 * Times are relative to activation: a prerendered page (https://wicg.github.io/nav-speculation/prerendering.html)
 * is observed from its `prerenderingchange` on, and its `activationStart` is subtracted (TTFB
 * and FCP clamped at 0, as web-vitals does). Paints after the page was first hidden don't count;
 * that moment comes from `visibility-state` entries when the page was hidden before we started.
 *
 * Each vital is reported once per page view, to `onReport`, with its rating
 * (`good`/`needs-improvement`/`poor` by the published thresholds) and the fields of the
 * OpenTelemetry `browser.web_vital` event (delta, id, navigation type). TTFB and FCP are final
 * when seen; LCP at the first input or hide; CLS and INP when the page is first hidden
 * (`visibilitychange` to hidden or `pagehide`), or on `flushFinal()`. Nothing is measured after
 * that by this handle.
 *
 * A page restored from the back/forward cache is a new page view (web-vitals
 * `onBFCacheRestore`, https://web.dev/articles/bfcache#impact-on-core-web-vitals): observe it
 * with a new handle given `restoredAt`, the `pageshow` event's `timeStamp`. Nothing was fetched,
 * so TTFB is 0; the whole page repaints in one frame, so FCP and LCP are the time from
 * `pageshow` to the next frame (after two `requestAnimationFrame`s, as web-vitals measures
 * them); CLS and INP start over from the restore.
 *
 * Everything is feature-detected: where an entry type is unsupported (Firefox has no
 * layout-shift, a Worker has no document) that vital is simply never reported.
 */
import { diagOnce } from "../../common/diag.ts";
import { asTarget, type ListenerTarget } from "../browser-page-hide.ts";
import { navigationType, perfEntries, whenActivated, type PerfEntry } from "./activation.ts";

/** The vitals observed. */
export type WebVitalName = "TTFB" | "FCP" | "LCP" | "CLS" | "INP";

/** Rating per the published thresholds. */
export type WebVitalRating = "good" | "needs-improvement" | "poor";

/** One final vital value, as passed to `onReport`. */
export interface WebVitalReport {
  readonly name: WebVitalName;
  /** Milliseconds (CLS: unitless layout-shift score). */
  readonly value: number;
  readonly rating: WebVitalRating;
  /** The change since the last report of this vital: the value itself, as only final values are reported. */
  readonly delta: number;
  /** Unique per reported value (web-vitals' `id`), to deduplicate on the receiving side. */
  readonly id: string;
  /**
   * How the page view began, in web-vitals' spelling: `navigate`, `reload`, `back-forward`,
   * `back-forward-cache` (a restore) or `prerender`.
   */
  readonly navigationType: string;
}

/** Options of {@link observeWebVitals}. */
export interface WebVitalsOptions {
  /** Called once per vital with its final value (e.g. to attach it to the page-view span). Never throws into the page. */
  onReport?: (report: WebVitalReport) => void;
  /** Clock in the `performance.now()` time base (default `performance.now`): the moment the page is hidden, a restore's first frame. */
  now?: () => number;
  /**
   * The `pageshow` event's `timeStamp` when this page view is a back/forward-cache restore
   * (`event.persisted`): vitals are then measured from that moment by the restore rules (see
   * the module doc), and entries from before it are ignored.
   */
  restoredAt?: number;
}

/** Handle returned by {@link observeWebVitals}. */
export interface WebVitalsHandle {
  /** Disconnects every observer and listener; nothing more is reported. */
  stop(): void;
  /** Reports every vital not yet reported with its current value (LCP, CLS, INP), then stops. */
  flushFinal(): void;
}

/**
 * [good ≤ a, poor > b] thresholds from https://web.dev/articles/vitals (LCP, INP, CLS) and
 * https://web.dev/articles/fcp, https://web.dev/articles/ttfb.
 */
const WEB_VITAL_THRESHOLDS: { readonly [K in WebVitalName]: readonly [number, number] } = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};

/** The rating of `value` for vital `name` (boundaries inclusive on the better side, as web-vitals does). */
export function rateWebVital(name: WebVitalName, value: number): WebVitalRating {
  const [good, poor] = WEB_VITAL_THRESHOLDS[name];
  return value > poor ? "poor" : value > good ? "needs-improvement" : "good";
}

type Observer = { observe(options: object): void; disconnect(): void; takeRecords?(): PerfEntry[] };
type ObserverCtor = (new (cb: (list: { getEntries(): PerfEntry[] }) => void) => Observer) & { supportedEntryTypes?: readonly string[] };

/**
 * Starts observing the web vitals of this page view. Loads and does nothing harmful where the
 * APIs are missing (Node, Workers).
 *
 * @example
 * ```ts
 * const vitals = observeWebVitals({ onReport: (v) => pageSpan.setAttribute(`web_vitals.${v.name.toLowerCase()}`, v.value) });
 * ```
 */
export function observeWebVitals(options: WebVitalsOptions): WebVitalsHandle {
  const { onReport, restoredAt } = options;
  const clock = options.now ?? (() => performance.now());
  const g = globalThis as { PerformanceObserver?: ObserverCtor; document?: { visibilityState?: string }; performance?: { interactionCount?: number }; requestAnimationFrame?: (cb: () => void) => unknown };
  const PO = g.PerformanceObserver;
  const doc = asTarget(g.document);
  const win = doc && asTarget(globalThis);
  const reported = new Set<WebVitalName>();
  const observers: Observer[] = [];
  const cleanups: Array<() => void> = [];
  let stopped = false;
  // Entries after the page was first hidden don't count (a background tab paints late); set in start().
  let firstHidden = Infinity;
  let activationStart = 0; // prerendered pages measure from activation, not navigation start
  // A restored page view ignores what happened before the restore (buffered shifts,
  // interactions; web-vitals resets its interaction count at restore).
  const since = restoredAt ?? -Infinity;
  const interactionCount = (): number => g.performance?.interactionCount ?? 0;
  const countBefore = restoredAt === undefined ? 0 : interactionCount();

  const report = (name: WebVitalName, raw: number): void => {
    if (stopped || reported.has(name) || !Number.isFinite(raw)) return;
    reported.add(name);
    // Before activation (a prerendered page's response, paints) counts as 0 (web-vitals clamps so).
    const value = Math.max(0, raw);
    try {
      onReport?.({
        name,
        value,
        rating: rateWebVital(name, value),
        delta: value,
        // web-vitals' id format (version, time, random): unique per value.
        id: `v1-${Date.now()}-${Math.floor(Math.random() * 9e12) + 1e12}`,
        // web-vitals' spelling of the navigation type.
        navigationType: (navigationType(restoredAt) ?? "navigate").replace(/_/g, "-"),
      });
    } catch (err) {
      diagOnce("warn", "rum.vitals", "observeWebVitals: recording a vital failed.", err);
    }
  };

  // LCP: last candidate wins. CLS: session windows. INP: longest duration per interactionId,
  // the 10 worst kept; interactions counted (ids grow with each interaction, so a larger id is
  // a new one) for browsers without performance.interactionCount.
  let lcp: number | undefined;
  let cls = 0;
  let windowValue = 0;
  let windowFirst = 0;
  let windowLast = 0;
  let hasShiftSupport = false;
  let worst: Array<{ id: number; d: number }> = [];
  let interactions = 0;
  let lastId = 0;

  const handle = (e: PerfEntry): void => {
    const t = e.startTime;
    const type = e.entryType;
    if (t < since) return;
    if (type === "navigation") {
      activationStart = e.activationStart ?? 0;
      if (e.responseStart! > 0) report("TTFB", e.responseStart! - activationStart);
    } else if (type === "paint") {
      if (e.name === "first-contentful-paint" && t < firstHidden) report("FCP", t - activationStart);
    } else if (type === "largest-contentful-paint") {
      if (t < firstHidden) lcp = Math.max(0, t - activationStart);
    } else if (type === "layout-shift") {
      if (e.hadRecentInput || typeof e.value !== "number") return;
      if (windowValue > 0 && t - windowLast < 1000 && t - windowFirst < 5000) windowValue += e.value;
      else {
        windowValue = e.value;
        windowFirst = t;
      }
      windowLast = t;
      cls = Math.max(cls, windowValue);
    } else {
      // "event", "first-input"
      const id = e.interactionId ?? 0;
      if (id <= 0) return; // not part of an interaction (e.g. mousemove)
      if (id > lastId) {
        lastId = id;
        interactions++;
      }
      const existing = worst.find((w) => w.id === id);
      if (existing) existing.d = Math.max(existing.d, e.duration);
      else worst.push({ id, d: e.duration });
      worst = worst.sort((a, b) => b.d - a.d).slice(0, 10);
    }
  };

  const observe = (type: string, extra?: object): boolean => {
    if (!PO?.supportedEntryTypes?.includes(type)) return false;
    try {
      const o = new PO((list) => list.getEntries().forEach(handle));
      o.observe({ type, buffered: true, ...extra });
      return !!observers.push(o);
    } catch {
      return false;
    }
  };

  const stop = (): void => {
    stopped = true;
    for (const o of observers.splice(0)) o.disconnect();
    for (const c of cleanups.splice(0)) c();
  };

  const finalLcp = (): void => {
    // Entries still queued in the observers (takeRecords is best effort).
    for (const o of observers) o.takeRecords?.().forEach(handle);
    if (lcp !== undefined) report("LCP", lcp);
  };

  const flushFinal = (): void => {
    if (stopped) return;
    finalLcp();
    // CLS only with an FCP (web-vitals onCLS waits for onFCP, matching CrUX); a restore's CLS
    // is reported without (web-vitals resets it at restore, whether or not a frame followed).
    if (hasShiftSupport && (restoredAt !== undefined || reported.has("FCP"))) report("CLS", cls);
    // One outlier skipped per 50 interactions; counted by the browser when it exposes it (it
    // also counts interactions below our durationThreshold).
    const count = interactionCount() - countBefore || interactions;
    if (worst.length) report("INP", worst[Math.min(worst.length - 1, Math.floor(count / 50))]!.d);
    stop();
  };

  const listen = (t: ListenerTarget | undefined, type: string, fn: () => void): void => {
    const opts = { capture: true };
    t?.addEventListener(type, fn, opts);
    cleanups.push(() => t?.removeEventListener(type, fn, opts));
  };

  const start = (): void => {
    if (restoredAt !== undefined) {
      // No request was made: TTFB is 0 (web-vitals onTTFB). The browser emits no paint or LCP
      // entry for a restore: FCP and LCP are read in the second animation frame's callback, i.e.
      // once the first frame after `pageshow` was painted (a frame's callbacks run before it is
      // painted) — web-vitals' doubleRAF.
      report("TTFB", 0);
      const raf = g.requestAnimationFrame;
      raf?.(() =>
        raf(() => {
          const value = clock() - restoredAt;
          report("FCP", value);
          report("LCP", value);
        }),
      );
    } else {
      const nav = perfEntries("navigation")[0];
      // Read now, not from the navigation observer: its entry may only be delivered after the
      // paints (at load end), which would then miss the subtraction.
      activationStart = nav?.activationStart || 0;
      // Hidden before we started (the script loaded late, the user switched tabs): the first
      // `visibility-state` "hidden" since activation, else assume hidden since the start if hidden
      // now (web-vitals getVisibilityWatcher). `>=` keeps an entry at 0: loaded in a background tab.
      firstHidden = perfEntries("visibility-state").find((e) => e.name === "hidden" && e.startTime >= activationStart)?.startTime ?? (g.document?.visibilityState === "hidden" ? 0 : Infinity);
      if (!observe("navigation") && nav) handle(nav);
      observe("paint");
      if (observe("largest-contentful-paint")) {
        // The browser stops LCP candidates at the first input; finalize there (web-vitals: keydown, click).
        const onInput = (): void => void (stopped || setTimeout(finalLcp, 0));
        listen(win, "keydown", onInput);
        listen(win, "click", onInput);
      }
    }
    hasShiftSupport = observe("layout-shift");
    // 16 ms, the smallest threshold Event Timing allows. web-vitals takes INP candidates at 40
    // and, without performance.interactionCount, counts interactions with a second observer at
    // 16; one observer at 16 serves both (and a page whose interactions are all quick gets its
    // slowest one, not only the first input's).
    observe("event", { durationThreshold: 16 });
    observe("first-input");
    const onHidden = (pagehide?: unknown): void => {
      if (!pagehide && g.document?.visibilityState !== "hidden") return;
      if (firstHidden === Infinity) firstHidden = clock();
      flushFinal();
    };
    listen(doc, "visibilitychange", () => onHidden());
    listen(win, "pagehide", () => onHidden(1));
  };
  // A prerendering page is hidden and unpainted until activated: measure from activation, when
  // activationStart is known (a restored page was activated long ago: starts now).
  cleanups.push(whenActivated(start));

  return { stop, flushFinal };
}
