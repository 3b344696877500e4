// initRum on a fake page in Node: invalid options throw (TypeError/RangeError naming the option
// and the accepted form) before anything is installed; a valid start records a pageView span
// that carries the final web vitals as events and ends at page hide.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { SimpleSpanProcessor } from "../../../src/trace/simple-span-processor.ts";
import { trace } from "../../../src/trace/trace-api.ts";
import { InMemoryLogRecordExporter } from "../../../src/logs/in-memory-log-exporter.ts";
import { SimpleLogRecordProcessor } from "../../../src/logs/simple-log-processor.ts";
import { ManualMetricReader } from "../../../src/metrics/reader.ts";
import { initRum, type RumOptions } from "../../../src/runtime/rum/rum.ts";
import { webVitalHistograms } from "../../../src/runtime/rum/web-vital-histograms.ts";
import { metricsSdk } from "../../../src/sdk/metrics-part.ts";
import type { WebVitalReport } from "../../../src/runtime/rum/web-vitals.ts";
import { installFakePage } from "./fake-browser.ts";

const g = globalThis as Record<string, unknown>;

/**
 * initRum with only the page view and web vitals: no document load, fetch/XHR tracing or
 * session (unless `options` says otherwise), spans to `exporter`, exports answered 200.
 */
function startQuietRum(exporter: InMemorySpanExporter, options: Partial<RumOptions> = {}): ReturnType<typeof initRum> {
  return initRum({
    serviceName: "rum-unit",
    documentLoad: false,
    traceFetch: false,
    traceXhr: false,
    session: false,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    otlp: { fetch: async () => new Response("{}", { status: 200 }) },
    ...options,
  });
}

// The messages are init()'s (sdk/option-checks.ts): the option, the accepted form, the value given.
const INVALID: Array<[string, unknown, ErrorConstructor, RegExp]> = [
  ["errors.maxPerMinute -1", { errors: { maxPerMinute: -1 } }, RangeError, /options\.errors\.maxPerMinute must be an integer >= 0, got -1/],
  ["errors.maxPerMinute 1.5", { errors: { maxPerMinute: 1.5 } }, RangeError, /options\.errors\.maxPerMinute must be an integer >= 0, got 1\.5/],
  ["errors as a number", { errors: 3 }, TypeError, /options\.errors must be true, false or \{ maxPerMinute\? \}, got 3/],
  ["session.inactivityMillis 0", { session: { inactivityMillis: 0 } }, RangeError, /options\.session\.inactivityMillis must be a number > 0, got 0/],
  ["session.inactivityMillis Infinity", { session: { inactivityMillis: Infinity } }, RangeError, /options\.session\.inactivityMillis must be a number > 0, got Infinity/],
  ["session.inactivityMillis NaN", { session: { inactivityMillis: Number.NaN } }, TypeError, /options\.session\.inactivityMillis must be a number, got NaN/],
  ["session.storage without setItem", { session: { storage: { getItem: () => null } } }, TypeError, /options\.session\.storage must be a Storage \(an object with getItem\(\), setItem\(\)\)/],
  ["session.now not a function", { session: { now: 5 } }, TypeError, /options\.session\.now must be a function returning epoch milliseconds, got 5/],
  ["transport", { transport: "xhr" }, TypeError, /options\.transport must be "fetch" or "beacon", got "xhr"/],
  ["propagateTo", { propagateTo: [42] }, TypeError, /options\.propagateTo: expected a string, RegExp or function/],
  ["traceFetch", { traceFetch: "yes" }, TypeError, /options\.traceFetch must be true or false, got "yes"/],
  ["traceXhr", { traceXhr: 1 }, TypeError, /options\.traceXhr must be true or false, got 1/],
  ["navigations", { navigations: null }, TypeError, /options\.navigations must be true or false, got null/],
  ["pageView", { pageView: "no" }, TypeError, /options\.pageView must be true or false/],
  ["redactUrl", { redactUrl: "strip" }, TypeError, /options\.redactUrl must be a function/],
  ["redactQueryKeys", { redactQueryKeys: ["token", 7] }, TypeError, /options\.redactQueryKeys\[1\] must be a query key \(string\), got 7/],
  ["documentLoad.resourceTimings", { documentLoad: { resourceTimings: "all" } }, TypeError, /options\.documentLoad\.resourceTimings must be true or false/],
  ["webVitals.onReport", { webVitals: { onReport: true } }, TypeError, /options\.webVitals\.onReport must be a function/],
  ["webVitals.histograms", { webVitals: { histograms: "yes" } }, TypeError, /options\.webVitals\.histograms must be webVitalHistograms/],
  ["captureRequestHeaders", { captureRequestHeaders: "x-request-id" }, TypeError, /captureRequestHeaders must be an array of HTTP header names such as "content-type", got "x-request-id"/],
  ["captureResponseHeaders", { captureResponseHeaders: ["bad header"] }, TypeError, /captureResponseHeaders must be an array of HTTP header names such as "content-type", got "bad header"/],
  ["options itself", "fast", TypeError, /options must be an object/],
];

for (const [what, options, Type, message] of INVALID) {
  test(`invalid ${what}: throws ${Type.name} before anything is installed`, () => {
    const page = installFakePage();
    const fetchBefore = g.fetch;
    const providerBefore = trace.getTracerProvider();
    try {
      let thrown: unknown;
      try {
        initRum(options as RumOptions);
      } catch (e) {
        thrown = e;
      }
      assert.instance(thrown, Type, `${what}: ${String(thrown)}`);
      assert.match((thrown as Error).message, message);
      assert.match((thrown as Error).message, /^Cannot init: /);
      assert.is(page.document.count(), 0, "no document listener");
      assert.is(page.window.count(), 0, "no window listener");
      assert.is(page.observerCount(), 0, "no PerformanceObserver");
      assert.is(g.fetch, fetchBefore, "fetch not replaced");
      assert.is(trace.getTracerProvider(), providerBefore, "no SDK started");
    } finally {
      page.restore();
    }
  });
}

test("init()'s own configuration error also leaves no RUM listener behind", () => {
  const page = installFakePage();
  try {
    assert.throws(() => initRum({ serviceName: "rum-unit", batch: { maxExportBatchSize: 10, maxQueueSize: 5 } }), /./);
    assert.is(page.document.count(), 0);
    assert.is(page.window.count(), 0);
  } finally {
    page.restore();
  }
});

test("pageView: starts at navigation start under the meta traceparent, gets a web_vital event per final vital, ends at page hide before the flush", async () => {
  const page = installFakePage();
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const parent = "00f067aa0ba902b7";
  (page.document as unknown as Record<string, unknown>).querySelector = (sel: string) =>
    sel === 'meta[name="traceparent"]' ? { getAttribute: () => `00-${traceId}-${parent}-01` } : null;
  const savedLocation = g.location;
  g.location = { href: "https://shop.example.com/cart?token=secret&x=1", origin: "https://shop.example.com" };
  const exporter = new InMemorySpanExporter();
  const reports: WebVitalReport[] = [];
  const posted: string[] = [];
  const sdk = initRum({
    serviceName: "rum-unit",
    documentLoad: false,
    traceFetch: false,
    session: { storage: { getItem: () => null, setItem: () => {} } },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    webVitals: { onReport: (r) => reports.push(r) },
    otlp: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        posted.push(`${String(url)} ${typeof init?.body === "string" ? init.body : init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : ""}`);
        return new Response("{}", { status: 200 });
      },
    },
  });
  try {
    page.emit({ entryType: "navigation", name: "https://shop.example.com/cart", startTime: 0, responseStart: 120 });
    page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 400 });
    page.emit({ entryType: "largest-contentful-paint", name: "", startTime: 2600 });
    page.emit({ entryType: "layout-shift", name: "", startTime: 500, value: 0.3, hadRecentInput: false });
    assert.is(exporter.getFinishedSpans().length, 0, "the page view is open while the page is visible");
    page.document.hide();
    // The page-hide flush started by hide() carries the ended page view (posted synchronously
    // with the hide, so the page view ended before it).
    assert.ok(posted.some((p) => p.includes("/v1/traces") && p.includes('"name":"pageView"')), posted.join("\n"));
    await sdk.flush(); // the in-memory exporter of SimpleSpanProcessor receives asynchronously
    const spans = exporter.getFinishedSpans().filter((s) => s.name === "pageView");
    assert.is(spans.length, 1);
    const view = spans[0]!;
    assert.is(view.spanContext().traceId, traceId, "same trace as the server span");
    assert.is(view.parentSpanContext?.spanId, parent, "child of the meta traceparent");
    assert.is(view.attributes["url.full"], "https://shop.example.com/cart?token=REDACTED&x=1");
    assert.type(view.attributes["session.id"], "string");
    const events = view.events.filter((e) => e.name === "web_vital");
    const byName = new Map(events.map((e) => [e.attributes?.["web_vital.name"], e.attributes]));
    assert.equal([...byName.keys()].sort(), ["CLS", "FCP", "LCP", "TTFB"]);
    assert.equal(byName.get("TTFB"), { "web_vital.name": "TTFB", "web_vital.value": 120, "web_vital.rating": "good" });
    assert.equal(byName.get("LCP"), { "web_vital.name": "LCP", "web_vital.value": 2600, "web_vital.rating": "needs-improvement" });
    assert.equal(byName.get("CLS"), { "web_vital.name": "CLS", "web_vital.value": 0.3, "web_vital.rating": "poor" });
    assert.is(reports.length, 4, "the user's onReport still receives every vital");
    // Hiding again (tab switched back and forth) neither re-ends nor adds events.
    page.document.visibilityState = "visible";
    page.document.hide();
    assert.is(exporter.getFinishedSpans().filter((s) => s.name === "pageView").length, 1);
    await sdk.flush();
  } finally {
    await sdk.stop();
    page.restore();
    if (savedLocation === undefined) delete g.location;
    else g.location = savedLocation;
  }
});

test("pageView: false records no page view; vitals still reach onReport", async () => {
  const page = installFakePage();
  const exporter = new InMemorySpanExporter();
  const reports: WebVitalReport[] = [];
  const sdk = initRum({
    serviceName: "rum-unit",
    pageView: false,
    documentLoad: false,
    traceFetch: false,
    session: false,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    webVitals: { onReport: (r) => reports.push(r) },
    otlp: { fetch: async () => new Response("{}", { status: 200 }) },
  });
  try {
    page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 300 });
    page.document.hide();
    await sdk.flush();
    assert.equal(reports.map((r) => r.name), ["FCP", "CLS"]);
    assert.is(exporter.getFinishedSpans().length, 0);
  } finally {
    await sdk.stop();
    page.restore();
  }
});

test("each final vital is a browser.web_vital log record (semconv attributes) in the page view's trace; histograms only when asked", async () => {
  const run = async (histograms: boolean) => {
    const page = installFakePage();
    const spans = new InMemorySpanExporter();
    const logs = new InMemoryLogRecordExporter();
    const reader = new ManualMetricReader();
    const sdk = startQuietRum(spans, {
      logProcessors: [new SimpleLogRecordProcessor(logs)],
      // The program's metrics: without webVitals.histograms they get no web vital.
      parts: [metricsSdk()],
      metricReaders: [reader],
      ...(histograms ? { webVitals: { histograms: webVitalHistograms } } : {}),
    });
    try {
      page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 120, type: "reload" });
      page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 400 });
      page.document.hide();
      await sdk.flush();
      const view = spans.getFinishedSpans().find((s) => s.name === "pageView")!;
      const events = logs.getFinishedLogRecords().filter((r) => r.eventName === "browser.web_vital");
      const names = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.descriptor.name));
      return { view, events, names };
    } finally {
      await sdk.stop();
      page.restore();
    }
  };
  const { view, events, names } = await run(false);
  assert.equal(events.map((e) => e.attributes["browser.web_vital.name"]).sort(), ["cls", "fcp", "ttfb"]);
  const ttfb = events.find((e) => e.attributes["browser.web_vital.name"] === "ttfb")!;
  assert.equal({ ...ttfb.attributes, "browser.web_vital.id": "<id>" }, {
    "browser.web_vital.name": "ttfb",
    "browser.web_vital.value": 120,
    "browser.web_vital.delta": 120,
    "browser.web_vital.id": "<id>",
    "browser.web_vital.rating": "good",
    "browser.web_vital.navigation_type": "reload",
  });
  assert.type(ttfb.attributes["browser.web_vital.id"], "string");
  for (const e of events) {
    assert.is(e.spanContext?.traceId, view.spanContext().traceId, "in the page view's trace");
    assert.is(e.spanContext?.spanId, view.spanContext().spanId);
  }
  assert.is(view.events.filter((e) => e.name === "web_vital").length, 3, "still attached to the page view");
  assert.ok(!names.some((n) => n.startsWith("web_vitals.")), `no histogram unless asked: ${names.join(",")}`);
  const asked = await run(true);
  assert.equal(asked.names.filter((n) => n.startsWith("web_vitals.")).sort(), ["web_vitals.cls", "web_vitals.fcp", "web_vitals.ttfb"]);
  assert.is(asked.events.length, 3, "the events too");
});

interface View {
  attributes: Record<string, unknown>;
  startTime: number;
  ended: boolean;
  vitals: Record<string, unknown>;
}

function views(exporter: InMemorySpanExporter): View[] {
  return exporter.getFinishedSpans().filter((s) => s.name === "pageView").map((s) => ({
    attributes: s.attributes,
    startTime: s.startTime,
    ended: s.ended,
    vitals: Object.fromEntries(s.events.filter((e) => e.name === "web_vital").map((e) => [e.attributes?.["web_vital.name"], e.attributes?.["web_vital.value"]])),
  }));
}

test("bfcache restore: a new pageView (navigation.type back_forward_cache) starts at pageshow with re-measured vitals, cycle after cycle, without leaking listeners or observers", async () => {
  const page = installFakePage();
  // The navigation entry exists before any script runs.
  page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 120, type: "navigate" });
  const exporter = new InMemorySpanExporter();
  const sdk = startQuietRum(exporter, { session: { storage: { getItem: () => null, setItem: () => {} } } });
  try {
    page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 400 }, { entryType: "largest-contentful-paint", startTime: 900 });
    page.emit({ entryType: "layout-shift", startTime: 500, value: 0.3, hadRecentInput: false });
    page.leaveToCache();
    await sdk.flush();
    assert.equal(views(exporter).map((v) => [v.attributes["navigation.type"], v.vitals]), [["navigate", { TTFB: 120, FCP: 400, LCP: 900, CLS: 0.3 }]]);
    const hiddenCounts = [page.document.count(), page.window.count(), page.observerCount()];
    assert.is(page.observerCount(), 0, "the ended page view observes nothing while in the cache");

    // The restores below happen at performance.now(): after the first page view's entries (≤ 900 ms).
    while (performance.now() <= 1_000) await new Promise((r) => setTimeout(r, 50));
    let restoredCounts: number[] | undefined;
    for (const cycle of [1, 2, 3]) {
      // The pageshow timeStamp: now, in the performance.now() time base.
      const at = performance.now();
      page.restoreFromCache(at);
      const live = [page.document.count(), page.window.count(), page.observerCount()];
      restoredCounts ??= live;
      assert.equal(live, restoredCounts, `cycle ${cycle}: same listeners and observers as the first restore`);
      assert.ok(page.observerCount() > 0, "vitals observed again");
      page.frame();
      page.frame();
      // Only what happened after this restore counts: the 0.3 shift at 500 ms (buffered) does not.
      // (At the restore time itself: later times would lie in the next cycle's past.)
      page.emit({ entryType: "layout-shift", startTime: at, value: 0.01 * cycle, hadRecentInput: false });
      page.emit({ entryType: "event", name: "click", startTime: at, duration: 100 + cycle, interactionId: 10 * cycle });
      assert.is(views(exporter).length, cycle, "the restored page view runs until the next hide");
      page.leaveToCache();
      assert.equal([page.document.count(), page.window.count(), page.observerCount()], hiddenCounts, `cycle ${cycle}: back to the hidden page's listeners`);
      await sdk.flush();
      const all = views(exporter);
      assert.is(all.length, cycle + 1);
      const view = all[cycle]!;
      assert.is(view.attributes["navigation.type"], "back_forward_cache");
      assert.type(view.attributes["session.id"], "string");
      assert.ok(Math.abs(view.startTime - all[0]!.startTime - at) < 1e-6, "starts at the pageshow timeStamp");
      const { FCP, LCP, ...rest } = view.vitals;
      assert.equal(rest, { TTFB: 0, CLS: 0.01 * cycle, INP: 100 + cycle });
      assert.ok(typeof FCP === "number" && FCP >= 0 && FCP === LCP, JSON.stringify(view.vitals));
    }
    // Hiding twice (tab switches) and a show that is not a restore start nothing and end nothing twice.
    page.document.visibilityState = "visible";
    page.window.dispatch("pageshow", { type: "pageshow", persisted: false, timeStamp: performance.now() });
    page.document.hide();
    await sdk.flush();
    assert.is(views(exporter).length, 4);
  } finally {
    await sdk.stop();
    page.restore();
  }
  assert.is(page.document.count() + page.window.count() + page.observerCount(), 0, "stop() removes everything");
});

test("bfcache restore: delivery compresses again once shown, and a restore after the inactivity timeout gets a new session.id", async () => {
  const page = installFakePage();
  const exporter = new InMemorySpanExporter();
  const posted: Array<{ url: string; gzip: boolean }> = [];
  let wall = 1_000_000;
  const stored = new Map<string, string>();
  const sdk = initRum({
    serviceName: "rum-unit",
    documentLoad: false,
    traceFetch: false,
    traceXhr: false,
    webVitals: false,
    session: { inactivityMillis: 60_000, now: () => wall, storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v) } },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    otlp: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        posted.push({ url: String(url), gzip: new Headers(init?.headers).get("content-encoding") === "gzip" });
        return new Response("{}", { status: 200 });
      },
    },
  });
  try {
    const sent = async (): Promise<boolean[]> => {
      await sdk.flush();
      return posted.splice(0).filter((p) => p.url.endsWith("/v1/traces")).map((p) => p.gzip);
    };
    for (let i = 0; i < 2; i++) {
      page.leaveToCache();
      assert.equal(await sent(), [false], "the page-hide flush is not compressed (it must start synchronously)");
      page.restoreFromCache(performance.now());
      trace.getTracer("app").startSpan("work").end();
      assert.equal(await sent(), [true], "shown again: compressed as before the hide");
    }
    wall += 30_000; // in the cache for 30 s: same session
    page.leaveToCache();
    page.restoreFromCache(performance.now());
    wall += 120_000; // in the cache for 2 minutes: past the inactivity timeout
    page.leaveToCache();
    page.restoreFromCache(performance.now());
    page.leaveToCache();
    await sdk.flush();
    const ids = exporter.getFinishedSpans().filter((s) => s.name === "pageView").map((s) => s.attributes["session.id"]);
    assert.is(ids.length, 5);
    assert.is(new Set(ids.slice(0, 4)).size, 1, "within the inactivity timeout: one session");
    assert.not.equal(ids[4], ids[3], "a restore after the timeout starts a new session");
  } finally {
    await sdk.stop();
    page.restore();
  }
});

test("a prerendered page: the pageView starts at activationStart (navigation.type prerender) with the vitals measured from activation; nothing starts before", async () => {
  const page = installFakePage();
  page.document.prerendering = true;
  page.document.visibilityState = "hidden";
  const exporter = new InMemorySpanExporter();
  const sdk = startQuietRum(exporter);
  try {
    assert.is(page.observerCount(), 0, "no vitals while prerendering");
    page.emit({ entryType: "navigation", name: "https://x/", startTime: 0, responseStart: 300, activationStart: 2_000, type: "navigate" });
    page.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 2_300 });
    page.document.prerendering = false;
    page.document.visibilityState = "visible";
    page.document.dispatch("prerenderingchange");
    assert.is(page.document.count("prerenderingchange"), 0, "the activation listener is gone");
    // A span at time 0 would start at the same anchor offset as a performance.now() 0 time.
    const origin = trace.getTracer("probe").startSpan("origin", { startTime: 0 });
    origin.end();
    page.document.hide();
    await sdk.flush();
    const [view] = views(exporter);
    const originStart = exporter.getFinishedSpans().find((s) => s.name === "origin")!.startTime;
    assert.ok(Math.abs(view!.startTime - originStart - 2_000) < 1e-6, `starts at activation: ${view!.startTime - originStart}`);
    assert.is(view!.attributes["navigation.type"], "prerender");
    assert.equal(view!.vitals, { TTFB: 0, FCP: 300, CLS: 0 }, "vitals reported at activation found the page view");
  } finally {
    await sdk.stop();
    page.restore();
  }
});

test("stop() while prerendering: no page view or vitals start at activation", async () => {
  const page = installFakePage();
  page.document.prerendering = true;
  const exporter = new InMemorySpanExporter();
  const sdk = startQuietRum(exporter);
  await sdk.stop();
  assert.is(page.document.count() + page.window.count(), 0);
  page.document.prerendering = false;
  page.document.dispatch("prerenderingchange");
  assert.is(page.observerCount(), 0);
  assert.is(exporter.getFinishedSpans().length, 0);
  page.restore();
});

test.run();
