/**
 * Web vitals (TTFB, FCP, LCP, CLS, INP) from PerformanceObserver, as the product's
 * src/runtime/rum/web-vitals.ts computes them (the web-vitals library's rules): each vital
 * reported once, final values at page hide (LCP, CLS, INP), FCP/LCP only before the page was
 * first hidden, CLS as the largest session window (gap < 1 s, window < 5 s), INP the
 * 98th-percentile interaction over the 10 worst, prerendered pages measured from activation,
 * a back/forward-cache restore measured from `restoredAt` (TTFB 0, FCP = LCP = two frames).
 *
 * @module
 */
import { warnOnce } from "./diag.ts";

export interface WebVitalReport {
  readonly name: "TTFB" | "FCP" | "LCP" | "CLS" | "INP";
  readonly value: number;
  readonly rating: "good" | "needs-improvement" | "poor";
  readonly delta: number;
  readonly id: string;
  readonly navigationType: string;
}

export interface VitalsHandle {
  stop(): void;
  flushFinal(): void;
}

/** What RUM reads from the performance timeline. */
export interface PerfEntry {
  readonly name: string;
  readonly entryType: string;
  readonly startTime: number;
  readonly duration: number;
  readonly type?: string;
  readonly activationStart?: number;
  readonly value?: number;
  readonly hadRecentInput?: boolean;
  readonly interactionId?: number;
  readonly [k: string]: unknown;
}

/** `performance.getEntriesByType(type)`, [] where it is missing or throws. */
export const perfEntries = (type: string): readonly PerfEntry[] => {
  try {
    return (performance.getEntriesByType(type) as never) ?? [];
  } catch {
    return [];
  }
};

/** The page view's `navigation.type`: back_forward_cache, prerender, else the navigation entry's type. */
export const navigationType = (restoredAt?: number): string | undefined => {
  const nav = perfEntries("navigation")[0];
  return restoredAt !== undefined ? "back_forward_cache" : (nav?.activationStart ?? 0) > 0 ? "prerender" : nav?.type;
};

/** An `addEventListener` target (feature detection: a Worker's globalThis is one too, so callers check `document` first). */
export type Target = { addEventListener(t: string, f: (e: never) => void, o?: object): void; removeEventListener(t: string, f: (e: never) => void, o?: object): void };
export const asTarget = (v: unknown): Target | undefined => (typeof (v as Target | undefined)?.addEventListener == "function" ? (v as Target) : undefined);

/** "good" / "needs-improvement" / "poor" thresholds (web.dev), in NAME order. */
const LIMITS: Record<string, [number, number]> = { TTFB: [800, 1800], FCP: [1800, 3000], LCP: [2500, 4000], CLS: [0.1, 0.25], INP: [200, 500] };

type Observer = { observe(o: object): void; disconnect(): void; takeRecords?(): PerfEntry[] };
type ObserverCtor = (new (cb: (list: { getEntries(): PerfEntry[] }) => void) => Observer) & { supportedEntryTypes?: readonly string[] };

/** Observes the vitals of one page view (see the module doc); `report` receives each final value once. */
export function observeVitals(report: (r: WebVitalReport) => void, restoredAt?: number): VitalsHandle {
  const g = globalThis as unknown as { PerformanceObserver?: ObserverCtor; document?: { visibilityState?: string; prerendering?: boolean }; performance?: { interactionCount?: number }; requestAnimationFrame?: (cb: () => void) => unknown };
  const PO = g.PerformanceObserver;
  const doc = asTarget(g.document);
  const win = doc && asTarget(globalThis);
  const done = new Set<string>();
  const observers: Observer[] = [];
  const cleanups: (() => void)[] = [];
  let stopped = false;
  let firstHidden = Infinity;
  let activationStart = 0;
  const since = restoredAt ?? -Infinity;
  const count = () => g.performance?.interactionCount ?? 0;
  const countBefore = restoredAt === undefined ? 0 : count();

  const send = (name: WebVitalReport["name"], raw: number): void => {
    if (stopped || done.has(name) || !Number.isFinite(raw)) return;
    done.add(name);
    const value = Math.max(0, raw);
    const [good, poor] = LIMITS[name]!;
    try {
      report({
        name,
        value,
        rating: value > poor ? "poor" : value > good ? "needs-improvement" : "good",
        delta: value,
        id: `v1-${Date.now()}-${Math.floor(Math.random() * 9e12) + 1e12}`,
        navigationType: (navigationType(restoredAt) ?? "navigate").replace(/_/g, "-"),
      });
    } catch {
      warnOnce("web vital not recorded");
    }
  };

  let lcp: number | undefined;
  let cls = 0;
  let win0 = 0; // the current CLS session window: value, first and last shift
  let first = 0;
  let last = 0;
  let shifts = false;
  let worst: { id: number; d: number }[] = [];
  let interactions = 0;
  let lastId = 0;

  const handle = (e: PerfEntry): void => {
    const t = e.startTime;
    const type = e.entryType;
    if (t < since) return;
    if (type == "navigation") {
      activationStart = e.activationStart ?? 0;
      if ((e.responseStart as number) > 0) send("TTFB", (e.responseStart as number) - activationStart);
    } else if (type == "paint") {
      if (e.name == "first-contentful-paint" && t < firstHidden) send("FCP", t - activationStart);
    } else if (type == "largest-contentful-paint") {
      if (t < firstHidden) lcp = Math.max(0, t - activationStart);
    } else if (type == "layout-shift") {
      if (e.hadRecentInput || typeof e.value != "number") return;
      if (win0 > 0 && t - last < 1000 && t - first < 5000) win0 += e.value;
      else (win0 = e.value), (first = t);
      last = t;
      cls = Math.max(cls, win0);
    } else {
      const id = e.interactionId ?? 0;
      if (id <= 0) return;
      if (id > lastId) (lastId = id), interactions++;
      const seen = worst.find((w) => w.id == id);
      if (seen) seen.d = Math.max(seen.d, e.duration);
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
    for (const o of observers) o.takeRecords?.().forEach(handle);
    if (lcp !== undefined) send("LCP", lcp);
  };
  const flushFinal = (): void => {
    if (stopped) return;
    finalLcp();
    if (shifts && (restoredAt !== undefined || done.has("FCP"))) send("CLS", cls);
    const n = count() - countBefore || interactions;
    if (worst.length) send("INP", worst[Math.min(worst.length - 1, Math.floor(n / 50))]!.d);
    stop();
  };
  const listen = (t: Target | undefined, type: string, fn: () => void): void => {
    const o = { capture: true };
    t?.addEventListener(type, fn, o);
    cleanups.push(() => t?.removeEventListener(type, fn, o));
  };

  if (restoredAt !== undefined) {
    send("TTFB", 0);
    const raf = g.requestAnimationFrame;
    raf?.(() =>
      raf(() => {
        const value = performance.now() - restoredAt;
        send("FCP", value);
        send("LCP", value);
      }),
    );
  } else {
    const nav = perfEntries("navigation")[0];
    activationStart = nav?.activationStart || 0;
    firstHidden = perfEntries("visibility-state").find((e) => e.name == "hidden" && e.startTime >= activationStart)?.startTime ?? (g.document?.visibilityState == "hidden" ? 0 : Infinity);
    if (!observe("navigation") && nav) handle(nav);
    observe("paint");
    if (observe("largest-contentful-paint")) {
      // LCP stops at the first input: finalised in a task after it.
      const onInput = (): void => void (stopped || setTimeout(finalLcp, 0));
      listen(win, "keydown", onInput);
      listen(win, "click", onInput);
    }
  }
  shifts = observe("layout-shift");
  observe("event", { durationThreshold: 16 });
  observe("first-input");
  const onHidden = (pagehide?: 1): void => {
    if (!pagehide && g.document?.visibilityState != "hidden") return;
    if (firstHidden == Infinity) firstHidden = performance.now();
    flushFinal();
  };
  listen(doc, "visibilitychange", () => onHidden());
  listen(win, "pagehide", () => onHidden(1));
  return { stop, flushFinal };
}
