// observeWebVitals against a fake page: each vital's definition (LCP final at input/hide, CLS
// session windows, INP interaction grouping and percentile, FCP, TTFB), ratings, histograms
// recorded once, hidden-page rules, and feature detection where nothing is supported.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../../src/metrics/reader.ts";
import type { HistogramMetricData, MetricData } from "../../../src/metrics/types.ts";
import { observeWebVitals, rateWebVital, type WebVitalReport } from "../../../src/runtime/rum/web-vitals.ts";
import { installFakePage, type FakePage } from "./fake-browser.ts";

let page: FakePage;
test.after.each(() => page?.restore());

function setup(supported?: string[], before?: (p: FakePage) => void) {
  page = installFakePage(supported);
  before?.(page);
  const reader = new ManualMetricReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter("rum");
  const reports: WebVitalReport[] = [];
  const vitals = observeWebVitals({ meter, onReport: (r) => reports.push(r), now: () => 12345 });
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
  const { byName, reader, reports } = setup();
  const shift = (t: number, value: number, hadRecentInput = false) => ({ entryType: "layout-shift", startTime: t, value, hadRecentInput });
  // Window 1: 0.05 + 0.04 (gap 500 ms) = 0.09; then a 1.2 s gap starts window 2.
  page.emit(shift(1000, 0.05), shift(1500, 0.04));
  // Window 2: every 900 ms for 6 s — capped at 5 s from its start: 1 s gap rule not hit, 5 s rule is.
  page.emit(shift(2700, 0.02), shift(3600, 0.02), shift(4500, 0.02), shift(5400, 0.02), shift(6300, 0.02), shift(7200, 0.02), shift(8100, 0.02));
  // Ignored: recent input.
  page.emit(shift(8200, 0.5, true));
  assert.equal(byName(), {});
  page.document.hide();
  // window 2 = shifts at 2700..7200 (< 5 s from 2700) = 6 × 0.02 = 0.12; 8100 starts window 3.
  assert.ok(Math.abs(byName().CLS - 0.12) < 1e-9, String(byName().CLS));
  assert.is(reports.find((r) => r.name === "CLS")?.rating, "needs-improvement");
  const h = await hist(reader, "web_vitals.cls");
  assert.is(h?.descriptor.unit, "1");
  assert.is(h?.dataPoints[0].value.count, 1);
});

test("CLS is reported as 0 on hide when supported and nothing shifted; flushFinal after hide reports nothing twice", () => {
  const { reports, vitals } = setup();
  page.document.hide();
  page.window.dispatch("pagehide");
  vitals.flushFinal();
  assert.equal(reports.map((r) => [r.name, r.value]), [["CLS", 0]]);
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

test("no interaction → no INP; paints after the page was hidden don't count", () => {
  page = installFakePage();
  page.document.visibilityState = "hidden"; // loaded in a background tab
  const reader = new ManualMetricReader();
  const reports: WebVitalReport[] = [];
  const v = observeWebVitals({ meter: new MeterProvider({ readers: [reader] }).getMeter("x"), onReport: (r) => reports.push(r) });
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 40 }, { entryType: "largest-contentful-paint", startTime: 50 });
  v.flushFinal();
  assert.equal(reports.map((r) => r.name).sort(), ["CLS"]);
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
    const meter = new MeterProvider({}).getMeter("x");
    const h = observeWebVitals({ meter });
    h.flushFinal();
    h.stop();
  } finally {
    g.PerformanceObserver = savedPO;
  }
});

test("a throwing onReport does not escape into the page; a missing meter is a TypeError", () => {
  page = installFakePage();
  const meter = new MeterProvider({}).getMeter("x");
  observeWebVitals({ meter, onReport: () => { throw new Error("boom"); } });
  page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 40 });
  page.document.hide();
  assert.throws(() => observeWebVitals({} as never), (e: Error) => e instanceof TypeError && /meter/.test(e.message));
});

test.run();
