// observeWebVitals against a fake page: each vital's definition (LCP final at input/hide, CLS
// session windows, INP interaction grouping and percentile, FCP, TTFB), ratings, histograms
// recorded once, hidden-page rules, and feature detection where nothing is supported.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../../src/metrics/reader.ts";
import type { HistogramMetricData, MetricData } from "../../../src/metrics/types.ts";
import { observeWebVitals, rateWebVital, type WebVitalReport } from "../../../src/runtime/rum/web-vitals.ts";
import { webVitalHistograms } from "../../../src/runtime/rum/web-vital-histograms.ts";
import { installFakePage, type FakePage } from "./fake-browser.ts";

let page: FakePage;
const FCP = { entryType: "paint", name: "first-contentful-paint", startTime: 400 };
test.after.each(() => page?.restore());

function setup(supported?: string[], before?: (p: FakePage) => void) {
  page = installFakePage(supported);
  before?.(page);
  const reader = new ManualMetricReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter("rum");
  const reports: WebVitalReport[] = [];
  // The histograms initRum records when asked (webVitals.histograms), fed by onReport.
  const recordHistogram = webVitalHistograms(meter);
  const onReport = (r: WebVitalReport): void => {
    reports.push(r);
    recordHistogram(r);
  };
  const vitals = observeWebVitals({ onReport, now: () => 12345 });
  const byName = () => Object.fromEntries(reports.map((r) => [r.name, r.value]));
  return { reader, reports, vitals, byName };
}

async function hist(reader: ManualMetricReader, name: string): Promise<HistogramMetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  for (const sm of resourceMetrics.scopeMetrics) {
    const m = sm.metrics.find((x: MetricData) => x.descriptor.name === name);
    if (m) return m as HistogramMetricData;
  }
  return undefined;
}

test("ratings follow the published thresholds, inclusive on the better side", () => {
  assert.is(rateWebVital("LCP", 2500), "good");
  assert.is(rateWebVital("LCP", 2501), "needs-improvement");
  assert.is(rateWebVital("LCP", 4001), "poor");
  assert.is(rateWebVital("INP", 200), "good");
  assert.is(rateWebVital("INP", 500), "needs-improvement");
  assert.is(rateWebVital("CLS", 0.1), "good");
  assert.is(rateWebVital("CLS", 0.26), "poor");
  assert.is(rateWebVital("FCP", 1801), "needs-improvement");
  assert.is(rateWebVital("TTFB", 1801), "poor");
});

test("TTFB and FCP are reported at once from buffered entries, minus activationStart", async () => {
  // Entries that happened before observeWebVitals was called arrive through `buffered: true`.
  const { reader, byName, reports } = setup(undefined, (p) => {
    p.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 950, activationStart: 100 });
    p.emit({ entryType: "paint", name: "first-paint", startTime: 1000 }, { entryType: "paint", name: "first-contentful-paint", startTime: 1300 });
  });
  assert.equal(byName(), { TTFB: 850, FCP: 1200 });
  assert.equal(reports.find((r) => r.name === "TTFB")?.rating, "needs-improvement");
  const ttfb = await hist(reader, "web_vitals.ttfb");
  assert.is(ttfb?.descriptor.unit, "ms");
  assert.is(ttfb?.dataPoints[0].value.count, 1);
  assert.is(ttfb?.dataPoints[0].value.sum, 850);
  assert.equal(ttfb?.dataPoints[0].attributes, { "web_vitals.rating": "needs-improvement" });
  // A second navigation entry (e.g. re-delivery) does not record twice.
  page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 50 });
  assert.is((await hist(reader, "web_vitals.ttfb"))?.dataPoints[0].value.count, 1);
});

test("LCP: the last candidate, final at the first keydown/click, later candidates ignored", async () => {
  const { byName } = setup();
  page.emit({ entryType: "largest-contentful-paint", startTime: 800 });
  page.emit({ entryType: "largest-contentful-paint", startTime: 2600 });
  assert.equal(byName(), {}); // not final yet
  page.window.dispatch("click");
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(byName(), { LCP: 2600 });
  page.emit({ entryType: "largest-contentful-paint", startTime: 5000 });
  page.document.hide();
  assert.is(byName().LCP, 2600);
});

test("LCP candidates still queued in the observer are taken on hide (takeRecords)", () => {
  const { byName } = setup();
  page.emit({ entryType: "largest-contentful-paint", startTime: 500 });
  page.queue({ entryType: "largest-contentful-paint", startTime: 4100 });
  page.document.hide();
  assert.is(byName().LCP, 4100);
});

test("CLS: the largest session window (1 s gap, 5 s cap), shifts after input excluded; reported on hide", async () => {
  const { byName, reader, reports } = setup(undefined, (p) => p.emit(FCP));
  const shift = (t: number, value: number, hadRecentInput = false) => ({ entryType: "layout-shift", startTime: t, value, hadRecentInput });
  // Window 1: 0.05 + 0.04 (gap 500 ms) = 0.09; then a 1.2 s gap starts window 2.
  page.emit(shift(1000, 0.05), shift(1500, 0.04));
  // Window 2: every 900 ms for 6 s — capped at 5 s from its start: 1 s gap rule not hit, 5 s rule is.
  page.emit(shift(2700, 0.02), shift(3600, 0.02), shift(4500, 0.02), shift(5400, 0.02), shift(6300, 0.02), shift(7200, 0.02), shift(8100, 0.02));
  // Ignored: recent input.
  page.emit(shift(8200, 0.5, true));
  assert.equal(byName(), { FCP: 400 });
  page.document.hide();
  // window 2 = shifts at 2700..7200 (< 5 s from 2700) = 6 × 0.02 = 0.12; 8100 starts window 3.
  assert.ok(Math.abs(byName().CLS - 0.12) < 1e-9, String(byName().CLS));
  assert.is(reports.find((r) => r.name === "CLS")?.rating, "needs-improvement");
  const h = await hist(reader, "web_vitals.cls");
  assert.is(h?.descriptor.unit, "1");
  assert.is(h?.dataPoints[0].value.count, 1);
});

test("CLS is reported as 0 on hide when supported and nothing shifted; flushFinal after hide reports nothing twice", () => {
  const { reports, vitals } = setup(undefined, (p) => p.emit(FCP));
  page.document.hide();
  page.window.dispatch("pagehide");
  vitals.flushFinal();
  assert.equal(reports.map((r) => [r.name, r.value]), [["FCP", 400], ["CLS", 0]]);
});

test("CLS is only reported for a page view with a first contentful paint (as web-vitals and CrUX do)", () => {
  const { reports } = setup();
  page.emit({ entryType: "layout-shift", startTime: 100, value: 0.3, hadRecentInput: false });
  page.document.hide();
  assert.equal(reports, []);
});

test("INP: longest entry per interactionId; worst interaction when fewer than 50", () => {
  const { byName } = setup();
  page.emit(
    { entryType: "event", name: "pointerdown", startTime: 100, duration: 80, interactionId: 1 },
    { entryType: "event", name: "click", startTime: 110, duration: 240, interactionId: 1 },
    { entryType: "event", name: "keydown", startTime: 900, duration: 120, interactionId: 2 },
    { entryType: "event", name: "mousemove", startTime: 950, duration: 900, interactionId: 0 }, // not an interaction
  );
  page.document.hide();
  assert.is(byName().INP, 240);
});

test("INP skips one outlier per 50 interactions (98th percentile approximation)", () => {
  const { byName } = setup();
  const entries = [];
  for (let i = 1; i <= 120; i++) entries.push({ entryType: "event", name: "click", startTime: i * 100, duration: i === 7 ? 900 : i === 8 ? 700 : i === 9 ? 600 : 48, interactionId: i });
  page.emit(...entries);
  vitals_hide();
  // 120 interactions → skip floor(120/50) = 2 worst → the third worst (600).
  assert.is(byName().INP, 600);
  function vitals_hide() {
    page.window.dispatch("pagehide");
  }
});

test("INP: interactions shorter than 40 ms count toward the one-per-50 skip where performance.interactionCount is missing", () => {
  // The browser only delivers `event` entries at or above the observer's durationThreshold: the
  // 100 quick (24 ms) interactions are only seen with the minimum threshold, 16 ms.
  const { byName } = setup();
  const entries = [];
  for (let i = 1; i <= 120; i++) entries.push({ entryType: "event", name: "click", startTime: i * 100, duration: i === 7 ? 900 : i === 8 ? 700 : i === 9 ? 600 : i <= 20 ? 48 : 24, interactionId: i * 7 });
  page.emit(...entries);
  page.document.hide();
  assert.is(byName().INP, 600);
});

test("INP: the browser's performance.interactionCount decides how many outliers are skipped", () => {
  const { byName } = setup();
  (performance as unknown as { interactionCount: number }).interactionCount = 150; // the 147 others were under 16 ms
  page.emit(
    { entryType: "event", name: "click", startTime: 100, duration: 900, interactionId: 7 },
    { entryType: "event", name: "click", startTime: 200, duration: 700, interactionId: 14 },
    { entryType: "event", name: "keydown", startTime: 300, duration: 600, interactionId: 21 },
    { entryType: "event", name: "keydown", startTime: 400, duration: 500, interactionId: 28 },
  );
  page.document.hide();
  assert.is(byName().INP, 500); // floor(150 / 50) = 3 skipped
});

test("TTFB and FCP before activationStart are clamped to 0, not dropped", () => {
  const { byName } = setup(undefined, (p) => {
    p.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 300, activationStart: 1000 });
    p.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 900 });
  });
  assert.equal(byName(), { TTFB: 0, FCP: 0 });
});

test("a prerendered page is measured from activation: nothing observed while prerendering, then activationStart is subtracted", () => {
  const { byName, reports } = setup(undefined, (p) => {
    p.document.prerendering = true;
    p.document.visibilityState = "hidden"; // always hidden while prerendering: not a background load
  });
  assert.is(page.observerCount(), 0);
  page.document.hide(); // a visibilitychange while prerendering finalizes nothing
  assert.equal(reports, []);
  // Activation: the navigation entry gets its activationStart, the page becomes visible, and
  // the first paints happen.
  page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 500, activationStart: 2000 });
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 2300 }, { entryType: "largest-contentful-paint", startTime: 2500 });
  page.document.prerendering = false;
  page.document.visibilityState = "visible";
  page.document.dispatch("prerenderingchange");
  assert.ok(page.observerCount() > 0);
  page.document.hide();
  assert.equal(byName(), { TTFB: 0, FCP: 300, LCP: 500, CLS: 0 });
});

test("stop() while prerendering: nothing starts at activation", () => {
  const { reports, vitals } = setup(undefined, (p) => {
    p.document.prerendering = true;
    p.document.visibilityState = "hidden";
  });
  vitals.stop();
  assert.is(page.document.count(), 0);
  page.document.prerendering = false;
  page.document.dispatch("prerenderingchange");
  assert.is(page.observerCount(), 0);
  page.emit(FCP);
  assert.equal(reports, []);
});

test("a page hidden before observing started (visibility-state entries): paints after that moment don't count", () => {
  // Hidden at 1000 ms, visible again at 3000 ms, observed from 3500 ms.
  const { byName } = setup(undefined, (p) => {
    p.emit({ entryType: "visibility-state", name: "visible", startTime: 0 }, { entryType: "visibility-state", name: "hidden", startTime: 1000 }, { entryType: "visibility-state", name: "visible", startTime: 3000 });
    p.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 600 }, { entryType: "largest-contentful-paint", startTime: 800 }, { entryType: "largest-contentful-paint", startTime: 3200 });
  });
  page.document.hide();
  assert.equal(byName(), { FCP: 600, LCP: 800, CLS: 0 });
});

test("a page loaded in a background tab (visibility-state hidden at 0) reports no paint vitals even once visible", () => {
  const { byName } = setup(undefined, (p) => {
    p.emit({ entryType: "visibility-state", name: "hidden", startTime: 0 }, { entryType: "visibility-state", name: "visible", startTime: 5000 });
    p.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 300 }, { entryType: "largest-contentful-paint", startTime: 5200 });
  });
  page.document.hide();
  assert.equal(byName(), {});
});

test("no interaction → no INP; paints after the page was hidden don't count", () => {
  page = installFakePage();
  page.document.visibilityState = "hidden"; // loaded in a background tab
  const reader = new ManualMetricReader();
  const reports: WebVitalReport[] = [];
  const v = observeWebVitals({ onReport: (r) => reports.push(r) });
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 40 }, { entryType: "largest-contentful-paint", startTime: 50 });
  v.flushFinal();
  assert.equal(reports, []); // no FCP, so no CLS either
});

test("a back/forward-cache restore (restoredAt): TTFB 0, FCP = LCP = pageshow to the second frame, CLS and INP only from entries after the restore", () => {
  page = installFakePage();
  // The previous page view's shifts and interactions are still in the timeline (and buffered).
  page.emit(
    { entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 300 },
    { entryType: "paint", name: "first-contentful-paint", startTime: 400 },
    { entryType: "layout-shift", startTime: 500, value: 0.3, hadRecentInput: false },
    { entryType: "event", name: "click", startTime: 600, duration: 900, interactionId: 3 },
  );
  const perf = performance as unknown as { interactionCount: number };
  perf.interactionCount = 60; // 60 interactions before the restore
  let clock = 10_000;
  const reports: WebVitalReport[] = [];
  const vitals = observeWebVitals({ onReport: (r) => reports.push(r), now: () => clock, restoredAt: 10_000 });
  const byName = () => Object.fromEntries(reports.map((r) => [r.name, r.value]));
  // No request was made; no paint or LCP entry comes for a restore, nor is any observed.
  assert.equal(byName(), { TTFB: 0 });
  assert.equal(page.observed().sort(), ["event", "first-input", "layout-shift"]);
  clock = 10_016;
  page.frame();
  assert.equal(byName(), { TTFB: 0 }, "the first frame's callbacks run before it is painted");
  clock = 10_040;
  page.frame();
  assert.equal(byName(), { TTFB: 0, FCP: 40, LCP: 40 });
  page.emit(
    { entryType: "layout-shift", startTime: 10_100, value: 0.05, hadRecentInput: false },
    { entryType: "event", name: "click", startTime: 10_200, duration: 300, interactionId: 70 },
    { entryType: "event", name: "keydown", startTime: 10_300, duration: 120, interactionId: 77 },
  );
  perf.interactionCount = 62;
  page.document.hide();
  // 2 interactions since the restore: none skipped (counting all 62 would skip the 300 ms one).
  assert.equal(byName(), { TTFB: 0, FCP: 40, LCP: 40, CLS: 0.05, INP: 300 });
  assert.is(page.observerCount(), 0);
  vitals.stop();
});

test("a restore hidden before its second frame reports no FCP/LCP (then nothing late), but CLS", () => {
  page = installFakePage();
  const reports: WebVitalReport[] = [];
  observeWebVitals({ onReport: (r) => reports.push(r), now: () => 5_000, restoredAt: 4_000 });
  page.frame();
  page.window.dispatch("pagehide", { type: "pagehide", persisted: true });
  page.frame();
  assert.equal(reports.map((r) => [r.name, r.value]), [["TTFB", 0], ["CLS", 0]]);
  assert.is(page.document.count() + page.window.count() + page.observerCount(), 0);
});

test("a restore where requestAnimationFrame is missing reports TTFB and CLS, no paint vitals", () => {
  page = installFakePage();
  delete (globalThis as Record<string, unknown>).requestAnimationFrame;
  const reports: WebVitalReport[] = [];
  observeWebVitals({ onReport: (r) => reports.push(r), restoredAt: 4_000 });
  page.document.hide();
  assert.equal(reports.map((r) => r.name), ["TTFB", "CLS"]);
});

test("stop() disconnects observers and listeners; nothing is reported after", () => {
  const { reports, vitals } = setup();
  assert.ok(page.observerCount() > 0);
  assert.ok(page.document.count("visibilitychange") === 1 && page.window.count("pagehide") === 1);
  vitals.stop();
  assert.is(page.observerCount(), 0);
  assert.is(page.document.count() + page.window.count(), 0);
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 40 });
  page.document.hide();
  assert.equal(reports, []);
});

test("unsupported entry types are skipped (no CLS/LCP/INP in this browser); no page at all is harmless", () => {
  const { reports, vitals } = setup(["navigation", "paint"]);
  assert.equal(page.observed().sort(), ["navigation", "paint"]);
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 400 });
  page.document.hide();
  assert.equal(reports.map((r) => r.name), ["FCP"]);
  vitals.stop();
  page.restore();
  const g = globalThis as Record<string, unknown>;
  const savedPO = g.PerformanceObserver;
  delete g.PerformanceObserver;
  try {
    const h = observeWebVitals({});
    h.flushFinal();
    h.stop();
  } finally {
    g.PerformanceObserver = savedPO;
  }
});

test("a throwing onReport does not escape into the page", () => {
  page = installFakePage();
  let calls = 0;
  observeWebVitals({
    onReport: () => {
      calls++;
      throw new Error("boom");
    },
  });
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 40 });
  page.document.hide();
  assert.ok(calls >= 1);
});

test("each report carries the browser.web_vital fields: delta (= value, final values only), a unique id, the navigation type in web-vitals' spelling", () => {
  const { reports } = setup(undefined, (p) => {
    p.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 120, type: "back_forward" });
    p.emit(FCP);
  });
  page.document.hide();
  assert.equal(reports.map((r) => r.name).sort(), ["CLS", "FCP", "TTFB"]);
  for (const r of reports) {
    assert.is(r.delta, r.value);
    assert.is(r.navigationType, "back-forward");
    assert.match(r.id, /^v1-\d+-\d+$/);
  }
  assert.is(new Set(reports.map((r) => r.id)).size, reports.length, "one id per value");
});

test("a restore's reports say back-forward-cache; a prerendered page's say prerender", () => {
  page = installFakePage();
  const restored: WebVitalReport[] = [];
  observeWebVitals({ onReport: (r) => restored.push(r), restoredAt: 4_000 });
  assert.equal(restored.map((r) => [r.name, r.navigationType]), [["TTFB", "back-forward-cache"]]);
  page.restore();
  const prerendered: WebVitalReport[] = [];
  page = installFakePage();
  page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 120, activationStart: 50, type: "navigate" });
  observeWebVitals({ onReport: (r) => prerendered.push(r) });
  assert.equal(prerendered.map((r) => [r.name, r.navigationType]), [["TTFB", "prerender"]]);
});

test.run();
