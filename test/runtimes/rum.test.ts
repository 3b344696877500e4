// RUM end to end in real Chromium (Debian's `chromium`, driven by playwright-core): `initRum()`
// from the built browser bundle on a page whose server rendered `<meta name="traceparent">`;
// a click triggers a traced same-origin fetch to the site's backend (which records the
// traceparent it receives), the app throws, a banner shifts the layout, and the test navigates
// away. Everything must reach the OTLP receiver (another origin: CORS) through the page-hide
// flush — no explicit flush anywhere.
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { startRumSite } from "./rum/server.mjs";
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from "../helpers/chromium.ts";


interface KV {
  key: string;
  value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: KV[];
  events?: Array<{ name: string; attributes?: KV[] }>;
}
interface Receiver {
  url: string;
  traces: Array<{ resourceSpans: Array<{ resource: { attributes: KV[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }>;
  metrics: Array<{ resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string; histogram?: { dataPoints: Array<{ attributes?: KV[]; count: string | number; sum?: number }> } }> }> }> }>;
  logs: Array<{ resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ severityNumber?: number; attributes?: KV[]; traceId?: string }> }> }> }>;
  requests: unknown[];
  waitFor(pred: (r: Receiver) => boolean, ms: number): Promise<void>;
  close(): Promise<void>;
}
interface Sent {
  via: "fetch" | "beacon";
  url: string;
  keepalive?: boolean;
  bytes: number;
  ok?: boolean;
  type?: string;
  gzip?: boolean;
  visibility: string;
}

const spansOf = (r: Receiver): OtlpSpan[] => r.traces.flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
const attr = (kvs: KV[] | undefined, key: string): unknown => {
  const v = kvs?.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : (v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue);
};

async function withBrowser(fn: (page: Page) => Promise<void>, launch: { bfcache?: boolean } = {}): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`node scripts/ensure-test-tools.mjs\` as root (apt-get install chromium)`);
  let browser: Browser | undefined;
  try {
    // Playwright launches Chromium with --disable-back-forward-cache unless told not to;
    // headless Chromium does restore from the bfcache without that switch.
    const ignoreDefaultArgs = launch.bfcache ? ["--disable-back-forward-cache"] : [];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, ignoreDefaultArgs, timeout: 20_000 });
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await fn(page);
  } finally {
    await browser?.close().catch(() => undefined);
  }
}

async function sends(page: Page): Promise<Sent[]> {
  return JSON.parse((await page.evaluate(() => sessionStorage.getItem("otlp-sends"))) ?? "[]") as Sent[];
}

type RumSite = Awaited<ReturnType<typeof startRumSite>>;

/** Runs `fn` with an OTLP receiver and the RUM test site (another origin), closing both after it. */
async function withSite<T>(fn: (receiver: Receiver, site: RumSite) => Promise<T>): Promise<T> {
  const receiver = (await startDevReceiver()) as Receiver;
  const site = await startRumSite();
  try {
    return await fn(receiver, site);
  } finally {
    await site.close();
    await receiver.close();
  }
}

/**
 * Opens the site's page with `query` (its mode, transport…) exporting to `receiver`, waits until
 * `initRum()` ran, and returns the page's uncaught errors, collected from before the load.
 */
async function openRumPage(page: Page, site: RumSite, receiver: Receiver, query = ""): Promise<string[]> {
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${site.url}/index.html?${query}endpoint=${encodeURIComponent(receiver.url)}`);
  await page.evaluate(() => (globalThis as unknown as { ready: Promise<unknown> }).ready);
  return pageErrors;
}

test("Chromium RUM: page load under the server's traceparent, traced fetch joined to the backend, vitals and the error log arrive after navigating away", () =>
  withSite(async (receiver, site) => {
    await withBrowser(async (page) => {
      const pageErrors = await openRumPage(page, site, receiver);
      // What Chromium itself says, read before the click (LCP candidates stop at input): the
      // vitals recorded must be these (no prerender here, so activationStart is 0).
      const browserSays = await page.evaluate(
        () =>
          new Promise<{ ttfb: number; fcp: number; lcp: number; activationStart: number }>((resolve) => {
            const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming & { activationStart: number };
            const lcp: PerformanceEntry[] = [];
            const po = new PerformanceObserver((list) => lcp.push(...list.getEntries()));
            po.observe({ type: "largest-contentful-paint", buffered: true });
            setTimeout(() => {
              po.disconnect();
              const fcp = performance.getEntriesByName("first-contentful-paint")[0]!.startTime;
              resolve({ ttfb: nav.responseStart, fcp, lcp: lcp.at(-1)!.startTime, activationStart: nav.activationStart });
            }, 0);
          }),
      );
      assert.is(browserSays.activationStart, 0);
      await page.click("#go");
      await page.waitForFunction(() => document.getElementById("result")!.textContent !== "");
      await new Promise((r) => setTimeout(r, 200)); // let the thrown error's task run (not a timing assertion)
      assert.equal(pageErrors.map((e) => e.includes("checkout exploded")), [true]);
      // The page load leaves in idle time after load, while the page is visible (gzipped); the
      // rest waits for the page hide.
      await receiver.waitFor((r) => spansOf(r).some((s) => s.name === "documentLoad"), 10_000);
      const afterLoad = await sends(page);
      assert.ok(afterLoad.some((f) => f.url.endsWith("/v1/traces") && f.gzip && f.keepalive && f.visibility === "visible"), JSON.stringify(afterLoad));
      assert.not.ok(spansOf(receiver).some((s) => s.name === "pageView"), "the page view waits for the page hide");

      // The after-load export's later turns (logs, metrics) are over after two idle periods.
      await page.evaluate(() => new Promise((r) => requestIdleCallback(() => requestIdleCallback(() => setTimeout(r, 50)))));
      const beforeHide = (await sends(page)).length;
      await page.goto(`${site.url}/next.html`);
      // Metrics and log records may already have left in idle time after load (TTFB, FCP): wait
      // for the page hide's exports, which carry the final LCP, CLS and INP.
      const hideExported = (r: Receiver): boolean => {
        const metrics = JSON.stringify(r.metrics);
        const events = JSON.stringify(r.logs).split('"browser.web_vital"').length - 1;
        return spansOf(r).some((s) => s.name === "pageView") && ["lcp", "cls", "inp"].every((v) => metrics.includes(`web_vitals.${v}`)) && events >= 5;
      };
      await receiver.waitFor(hideExported, 10_000);
      const [serverTp] = site.serverTraceparents as string[];
      const [, traceId, serverSpanId] = serverTp!.split("-");
      const spans = spansOf(receiver);
      const docLoad = spans.find((s) => s.name === "documentLoad");
      assert.ok(docLoad, "a documentLoad span");
      assert.is(docLoad!.traceId, traceId, "page load continues the server's trace");
      assert.is(docLoad!.parentSpanId, serverSpanId, "documentLoad is a child of the server span");
      const phases = spans.filter((s) => s.parentSpanId === docLoad!.spanId).map((s) => s.name);
      assert.ok(phases.includes("request") && phases.includes("load"), `phases: ${phases.join(",")}`);
      const fetchSpan = spans.find((s) => s.kind === 3 && String(attr(s.attributes, "url.full")).endsWith("/api/work"));
      assert.ok(fetchSpan, "a CLIENT span for the traced fetch");
      assert.is(fetchSpan!.traceId, traceId, "the fetch joins the page view's trace");
      assert.match(String(attr(fetchSpan!.attributes, "url.full")), /\/api\/work$/);
      assert.ok(attr(fetchSpan!.attributes, "session.id"), "session.id on spans");
      // The backend received a traceparent for the same trace, naming the fetch span as parent.
      const backendTps = site.backendTraceparents as Array<string | null>;
      assert.is(backendTps.length, 1);
      assert.is(backendTps[0]!.split("-")[1], traceId);
      assert.is(backendTps[0]!.split("-")[2], fetchSpan!.spanId);
      // The same-origin XHR sent outside any span joins the page view's trace too.
      const xhrSpan = spans.find((s) => s.kind === 3 && String(attr(s.attributes, "url.full")).endsWith("/api/xhr-work"));
      assert.ok(xhrSpan, "a CLIENT span for the XHR");
      assert.is(xhrSpan!.traceId, traceId, "the XHR joins the page view's trace");
      assert.is(xhrSpan!.parentSpanId, serverSpanId, "its parent is the server span, as the fetch's");
      const xhrTps = site.xhrTraceparents as Array<string | null>;
      assert.is(xhrTps.length, 1);
      assert.is(xhrTps[0], `00-${traceId}-${xhrSpan!.spanId}-01`, "the backend continues the same trace");
      const resource = receiver.traces[0]!.resourceSpans[0]!.resource.attributes;
      assert.is(attr(resource, "telemetry.sdk.language"), "webjs");
      assert.ok(String(attr(resource, "user_agent.original")).includes("Chrome"));

      // Web vitals, final values recorded at page hide: browser.web_vital events (log records,
      // in the page view's trace) and, as this page asked, histograms.
      const logRecords = receiver.logs.flatMap((l) => l.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords))) as Array<{ eventName?: string; attributes?: KV[]; traceId?: string; spanId?: string }>;
      const vitalRecords = logRecords.filter((r) => r.eventName === "browser.web_vital");
      const vitalValue = (name: string): number => Number(attr(vitalRecords.find((r) => attr(r.attributes, "browser.web_vital.name") === name)?.attributes, "browser.web_vital.value"));
      assert.equal(vitalRecords.map((r) => String(attr(r.attributes, "browser.web_vital.name"))).sort(), ["cls", "fcp", "inp", "lcp", "ttfb"]);
      for (const r of vitalRecords) {
        assert.is(r.traceId, traceId, "the event is in the page view's trace");
        assert.is(attr(r.attributes, "browser.web_vital.navigation_type"), "navigate");
        assert.is(Number(attr(r.attributes, "browser.web_vital.delta")), Number(attr(r.attributes, "browser.web_vital.value")));
        assert.ok(String(attr(r.attributes, "browser.web_vital.id")).length > 0);
        assert.ok(["good", "needs-improvement", "poor"].includes(String(attr(r.attributes, "browser.web_vital.rating"))));
      }
      assert.equal({ ttfb: vitalValue("ttfb"), fcp: vitalValue("fcp"), lcp: vitalValue("lcp") }, { ttfb: browserSays.ttfb, fcp: browserSays.fcp, lcp: browserSays.lcp });
      const metricList = receiver.metrics.flatMap((m) => m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
      for (const name of ["web_vitals.ttfb", "web_vitals.fcp", "web_vitals.lcp", "web_vitals.cls", "web_vitals.inp"]) {
        const metric = metricList.find((m) => m.name === name);
        assert.ok(metric?.histogram, `${name} recorded`);
        const points = metric!.histogram!.dataPoints;
        assert.is(points.reduce((n, p) => n + Number(p.count), 0), 1, `${name}: one final value`);
        assert.ok(["good", "needs-improvement", "poor"].includes(String(attr(points[0]!.attributes, "web_vitals.rating"))));
      }
      const sumOf = (name: string): number => Number(metricList.find((m) => m.name === name)!.histogram!.dataPoints[0]!.sum);
      assert.equal({ ttfb: sumOf("web_vitals.ttfb"), fcp: sumOf("web_vitals.fcp"), lcp: sumOf("web_vitals.lcp") }, { ttfb: browserSays.ttfb, fcp: browserSays.fcp, lcp: browserSays.lcp });
      assert.ok(sumOf("web_vitals.inp") > 0, "the click's interaction latency");
      const cls = metricList.find((m) => m.name === "web_vitals.cls")!.histogram!.dataPoints[0]!;
      assert.ok(Number(cls.sum) > 0, "the banner's layout shift counted");

      // The page view: one span in documentLoad's trace (both children of the server span),
      // ended at page hide with each final vital as a web_vital event.
      const views = spans.filter((s) => s.name === "pageView");
      assert.is(views.length, 1, "one pageView span");
      const view = views[0]!;
      assert.is(view.traceId, docLoad!.traceId, "pageView joins documentLoad's trace");
      assert.is(view.parentSpanId, serverSpanId, "pageView is a child of the server span");
      assert.match(String(attr(view.attributes, "url.full")), /\/index\.html\?endpoint=/);
      assert.is(attr(view.attributes, "session.id"), attr(fetchSpan!.attributes, "session.id"));
      const vitalEvents = (view.events ?? []).filter((e) => e.name === "web_vital");
      const vitalNames = vitalEvents.map((e) => String(attr(e.attributes, "web_vital.name")));
      for (const name of ["TTFB", "FCP", "LCP", "CLS"]) assert.ok(vitalNames.includes(name), `${name} event on pageView: ${vitalNames.join(",")}`);
      assert.is(new Set(vitalNames).size, vitalNames.length, "each vital once");
      for (const e of vitalEvents) {
        // A whole number is encoded as intValue (a string), a fraction as doubleValue.
        assert.ok(Number.isFinite(Number(attr(e.attributes, "web_vital.value"))), JSON.stringify(e));
        assert.ok(["good", "needs-improvement", "poor"].includes(String(attr(e.attributes, "web_vital.rating"))));
      }
      const clsEvent = vitalEvents.find((e) => attr(e.attributes, "web_vital.name") === "CLS")!;
      assert.is(Number(attr(clsEvent.attributes, "web_vital.value")), Number(cls.sum), "the event carries the histogram's value");

      // The thrown error as one ERROR log record with exception.* and the session.
      const records = receiver.logs.flatMap((l) => l.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
      const errors = records.filter((r) => attr(r.attributes, "exception.message") === "checkout exploded");
      assert.is(errors.length, 1);
      assert.is(errors[0]!.severityNumber, 17);
      assert.is(attr(errors[0]!.attributes, "exception.type"), "TypeError");
      assert.ok(String(attr(errors[0]!.attributes, "exception.stacktrace")).includes("page.mjs"));
      assert.is(attr(errors[0]!.attributes, "session.id"), attr(fetchSpan!.attributes, "session.id"));

      // How it left at page hide: uncompressed (must start synchronously), with keepalive.
      const sent = (await sends(page)).slice(beforeHide);
      assert.equal(sent.map((f) => new URL(f.url).pathname).sort(), ["/v1/logs", "/v1/metrics", "/v1/traces"]);
      for (const f of sent) assert.ok(f.via === "fetch" && f.keepalive && !f.gzip, JSON.stringify(f));
    });
  }));

test("Chromium RUM: header capture on traced XHR (cross-origin, CORS) and fetch — listed headers recorded, credentials and hidden ones not", () =>
  withSite(async (receiver, site) => {
    await withBrowser(async (page) => {
      // Reading a header CORS hides with getResponseHeader() makes Chromium log "Refused to get
      // unsafe header" (once per listed header per request): capture must not spam the console.
      const unsafe: string[] = [];
      page.on("console", (m) => {
        if (/unsafe header/i.test(m.text())) unsafe.push(m.text());
      });
      const pageErrors = await openRumPage(page, site, receiver, `mode=headers&api=${encodeURIComponent(site.apiUrl)}&`);
      assert.equal(pageErrors, []);
      await receiver.waitFor((r) => spansOf(r).filter((s) => s.kind === 3).length >= 2, 10_000);
      assert.equal(unsafe, [], "no console error for headers CORS hides");
    });
    const spans = spansOf(receiver).filter((s) => s.kind === 3);
    const headers = (s: OtlpSpan): Record<string, string[]> =>
      Object.fromEntries((s.attributes ?? []).filter((a) => a.key.includes(".header.")).map((a) => [a.key, ((a.value as { arrayValue?: { values: Array<{ stringValue: string }> } }).arrayValue?.values ?? []).map((v) => v.stringValue)]));
    const xhrSpan = spans.find((s) => String(attr(s.attributes, "url.full")).endsWith("/api/xhr"));
    const fetchSpan = spans.find((s) => String(attr(s.attributes, "url.full")).endsWith("/api/work"));
    assert.ok(xhrSpan && fetchSpan, JSON.stringify(spans));
    // XHR: repeated setRequestHeader combined as XHR sends it; authorization and our traceparent
    // (cross-origin: none was sent anyway) not recorded; x-served-by exposed by CORS, x-internal
    // hidden (nothing recorded); content-type is CORS-safelisted.
    assert.equal(headers(xhrSpan!), {
      "http.request.header.x-request-id": ["xhr-1, xhr-2"],
      "http.response.header.x-served-by": ["api-1"],
      "http.response.header.content-type": ["application/json"],
    });
    const [apiRequest] = site.apiRequests as Array<{ headers: Record<string, string> }>;
    assert.is(apiRequest!.headers["x-request-id"], "xhr-1, xhr-2", "what the browser sent");
    assert.is(apiRequest!.headers.authorization, "Bearer xhr-secret");
    // fetch (same origin): initRum passed the same lists; traceparent was sent but is ours; set-cookie never.
    assert.equal(headers(fetchSpan!), {
      "http.request.header.x-request-id": ["fetch-1"],
      "http.response.header.x-served-by": ["site-1"],
      "http.response.header.content-type": ["application/json"],
    });
    assert.ok((site.backendTraceparents as Array<string | null>)[0], "the same-origin backend received a traceparent");
    const all = JSON.stringify(receiver.traces);
    for (const secret of ["xhr-secret", "fetch-secret", "cookie-secret", "hidden-by-cors"]) assert.not.ok(all.includes(secret), secret);
  }));

test("Chromium RUM: a page restored from the back/forward cache records a second pageView (navigation.type back_forward_cache) with its own vitals", () =>
  withSite(async (receiver, site) => {
    const pageViews = (r: Receiver): OtlpSpan[] => spansOf(r).filter((s) => s.name === "pageView");
    await withBrowser(async (page) => {
      const pageErrors = await openRumPage(page, site, receiver, "mode=bfcache&");
      await page.goto(`${site.url}/next.html`);
      await receiver.waitFor((r) => pageViews(r).length === 1, 10_000);
      // A restore fires no load event: wait for the commit, then for the pageshow.
      await page.goBack({ waitUntil: "commit" });
      await page.waitForFunction(() => (globalThis as unknown as { shows?: unknown[] }).shows?.length === 2);
      const shows = await page.evaluate(() => ({
        shows: (globalThis as unknown as { shows: Array<{ persisted: boolean; timeStamp: number }> }).shows,
        notRestored: JSON.stringify((performance.getEntriesByType("navigation")[0] as { notRestoredReasons?: unknown }).notRestoredReasons ?? null),
      }));
      assert.equal(shows.shows.map((s) => s.persisted), [false, true], `restored from the bfcache (not: ${shows.notRestored})`);
      // The restored page view's FCP and LCP come two frames after pageshow.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)))));
      await page.goto(`${site.url}/next.html`);
      await receiver.waitFor((r) => pageViews(r).length === 2, 10_000);
      assert.equal(pageErrors, []);
    }, { bfcache: true });
    const [first, restored] = pageViews(receiver);
    assert.is(attr(first!.attributes, "navigation.type"), "navigate");
    assert.is(attr(restored!.attributes, "navigation.type"), "back_forward_cache");
    assert.is(restored!.traceId, first!.traceId, "the same document: the same server span's trace");
    assert.ok(BigInt(restored!.startTimeUnixNano!) >= BigInt(first!.endTimeUnixNano!), "the restored page view starts after the first one ended");
    const vitals = (s: OtlpSpan): Record<string, number> =>
      Object.fromEntries((s.events ?? []).filter((e) => e.name === "web_vital").map((e) => [String(attr(e.attributes, "web_vital.name")), Number(attr(e.attributes, "web_vital.value"))]));
    const again = vitals(restored!);
    assert.equal(Object.keys(again).sort(), ["CLS", "FCP", "LCP", "TTFB"], JSON.stringify(again));
    assert.is(again.TTFB, 0, "nothing was fetched");
    assert.is(again.CLS, 0, "no shift since the restore");
    assert.ok(again.FCP! >= 0 && again.LCP === again.FCP, JSON.stringify(again));
    assert.equal(Object.keys(vitals(first!)).sort(), ["CLS", "FCP", "LCP", "TTFB"], "the first view kept its own vitals");
    // One histogram stream per vital across page views (cumulative by default): the last export counts both.
    const lastTtfb = receiver.metrics.flatMap((m) => m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))).filter((m) => m.name === "web_vitals.ttfb").at(-1);
    assert.is(lastTtfb?.histogram?.dataPoints.reduce((n, p) => n + Number(p.count), 0), 2, JSON.stringify(lastTtfb));
  }));

/**
 * A collector in front of `receiver` that holds its answer to the first traces request for
 * `holdMillis` (forwarding it then): an export still awaiting its answer when the page is left.
 */
async function slowCollector(receiver: Receiver, holdMillis: number): Promise<{ url: string; held: () => number; close(): Promise<void> }> {
  let held = 0;
  const read = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (req, res) => {
    const body = await read(req);
    if (req.method === "POST" && req.url === "/v1/traces" && held++ === 0) await new Promise((r) => setTimeout(r, holdMillis));
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
    try {
      const answer = await fetch(`${receiver.url}${req.url}`, { method: req.method, headers, ...(req.method === "POST" ? { body: new Uint8Array(body) } : {}) });
      answer.headers.forEach((value, key) => res.setHeader(key, value));
      res.writeHead(answer.status);
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.destroy(); // the receiver closed (the test is over)
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, held: () => held, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test("Chromium RUM: hidden while the page load's export still awaits its answer, the page view and vitals leave at once", () =>
  withSite(async (receiver, site) => {
    const holdMillis = 8000;
    const collector = await slowCollector(receiver, holdMillis);
    try {
      await withBrowser(async (page) => {
        const pageErrors = await openRumPage(page, site, { ...receiver, url: collector.url } as Receiver);
        // The page load's traces request went out after load and is held by the collector.
        const deadline = Date.now() + 10_000;
        while (collector.held() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.is(collector.held(), 1, "the after-load export is in flight");
        // OTLP exporters send one request at a time: without delivery's leave() the page-hide
        // export would wait for the held answer (a hidden mobile page may be frozen or killed
        // before it comes). A keepalive request outlives the page, so it counts as delivered.
        const hiddenAt = Date.now();
        await hideInPlace(page);
        await receiver.waitFor((r) => spansOf(r).some((s) => s.name === "pageView") && r.logs.length > 0, holdMillis / 2);
        assert.ok(Date.now() - hiddenAt < holdMillis / 2);
        assert.equal(pageErrors, []);
      });
      const records = receiver.logs.flatMap((l) => l.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords))) as Array<{ eventName?: string }>;
      assert.ok(records.some((r) => r.eventName === "browser.web_vital"), "the final vitals too");
    } finally {
      await collector.close();
    }
  }));

async function bigBatch(transport: "fetch" | "beacon", leave: (page: Page, siteUrl: string) => Promise<void>): Promise<{ sent: Sent[]; names: Set<string> }> {
  return withSite(async (receiver, site) => {
    let result: { sent: Sent[]; names: Set<string> } | undefined;
    await withBrowser(async (page) => {
      await openRumPage(page, site, receiver, `mode=big&transport=${transport}&`);
      // The page load left after load; the big spans were recorded after it, and wait for the hide.
      const before = (await sends(page)).length;
      await leave(page, site.url);
      // Everything the browser accepted (keepalive fetches, plain fetches, accepted beacons) arrives;
      // beacons refused by Chromium's 64 KiB quota while hidden are dropped and counted.
      const sent = (await sends(page)).slice(before);
      const accepted = sent.filter((f) => f.url.endsWith("/v1/traces") && (f.via === "fetch" || f.ok === true)).length;
      await receiver.waitFor((r) => r.traces.length >= accepted, 10_000);
      // That count includes requests from before the hide, so it can be reached while the last
      // big requests are still on their way (seen once in a clean-clone CI run: 35 of the big
      // spans had arrived). Wait for the spans the tests expect; fewer is what they report.
      await receiver.waitFor((r) => spansOf(r).filter((s) => s.name.startsWith("big-")).length >= 60, 10_000).catch(() => undefined);
      result = { sent, names: new Set(spansOf(receiver).map((s) => s.name)) };
    });
    return result!;
  });
}

const hideInPlace = async (page: Page): Promise<void> => {
  // Headless Chromium never hides its page; make it report "hidden" and fire the event.
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  });
};

test("Chromium RUM: a ~190 KiB batch hidden before the batch timer fires is split into ≤ 60 KiB requests and delivered", async () => {
  const { sent, names } = await bigBatch("fetch", hideInPlace);
  assert.ok([...names].filter((n) => n.startsWith("big-")).length >= 60, `${names.size} spans arrived`);
  const traces = sent.filter((f) => f.url.endsWith("/v1/traces"));
  assert.ok(traces.length >= 3, `${traces.length} requests`);
  for (const f of traces) assert.ok(f.bytes <= 60 * 1024 && !f.gzip && f.visibility === "hidden", JSON.stringify(f));
  const keepaliveBytes = traces.filter((f) => f.via === "fetch" && f.keepalive).reduce((n, f) => n + f.bytes, 0);
  assert.ok(keepaliveBytes > 0 && keepaliveBytes <= 64 * 1024, `keepalive bytes ${keepaliveBytes}`);
  assert.ok(traces.some((f) => f.via === "beacon"), "what the keepalive budget could not carry went as beacons");
});

test("Chromium RUM: transport \"beacon\" sends text/plain beacons (no preflight) that the receiver accepts", async () => {
  const { sent, names } = await bigBatch("beacon", hideInPlace);
  assert.ok([...names].filter((n) => n.startsWith("big-")).length >= 60, `${names.size} spans arrived`);
  const traces = sent.filter((f) => f.url.endsWith("/v1/traces"));
  assert.ok(traces.length >= 3 && traces.every((f) => f.via === "beacon" && f.type === "text/plain" && f.bytes <= 60 * 1024), JSON.stringify(traces));
});

test.run();
