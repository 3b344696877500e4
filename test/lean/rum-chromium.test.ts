// The lean initRum() in real Chromium (Debian's `chromium`, driven by playwright-core, as
// test/lean/browser-chromium.test.ts does it): the page bundles bench/lean/rum.ts with esbuild
// (platform browser), carries `<meta name="traceparent">`, runs the program as users write it,
// then a click does a fetch and an XHR to its own origin, a pushState navigation, an uncaught
// error; the test navigates away without flushing. What must reach the OTLP receiver (another
// origin: CORS) through the page's own exports (after load in idle time, and at page hide): the
// documentLoad, pageView (with web_vital events), routeChange, fetch and XHR spans, the fetch
// and XHR in the server span's trace with traceparent sent, the `browser.web_vital` and ERROR
// log records with the session id.
import { existsSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { CHROMIUM, CHROMIUM_ARGS as ARGS, serve } from "../helpers/chromium.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SERVER_SPAN = "00f067aa0ba902b7";

const attrs = (list: any[] | undefined) => Object.fromEntries((list ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]));

test("Chromium: initRum's spans and log records arrive (page load, click with fetch + XHR in the page's trace, navigation, error, page hide)", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const receiver = await startDevReceiver();
  const page = `
    import { initRum } from "./rum.ts";
    initRum({ serviceName: "shop-web", otlp: { endpoint: ${JSON.stringify(receiver.url)} } });
    document.addEventListener("click", async () => {
      await (await fetch("/api/cart?token=abc")).text();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/items");
      await new Promise((r) => { xhr.onloadend = r; xhr.send("{}"); });
      history.pushState(null, "", "/checkout");
      setTimeout(() => { throw new Error("boom"); }, 0);
      setTimeout(() => (globalThis.done = "ok"), 20);
    });`;
  const bundle = (await build({ stdin: { contents: page, resolveDir: new URL("../../bench/lean/", import.meta.url).pathname, loader: "ts" }, bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" })).outputFiles[0]!.text;
  const site = await serve((req, res) => {
    const path = req.url!.split("?")[0];
    if (path == "/app.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    if (path == "/" || path == "/next")
      return res
        .writeHead(200, { "content-type": "text/html" })
        .end(`<!doctype html><meta name="traceparent" content="00-${TRACE}-${SERVER_SPAN}-01"><h1>Shop</h1><p style="height:2000px">products</p><script type="module" src="${path == "/" ? "/app.js" : ""}"></script>`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(site.url + "/");
    await tab.click("h1");
    await tab.waitForFunction(() => (globalThis as unknown as { done?: string }).done == "ok");
    await tab.goto(site.url + "/next");
    await receiver.waitFor((r: { traces: any[]; logs: any[] }) => r.traces.some((t) => JSON.stringify(t).includes('"pageView"')) && r.logs.length > 0, 10_000);
    const spans = (receiver.traces as any[]).flatMap((t) => t.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
    const names = new Set(spans.map((s) => s.name));
    for (const n of ["documentLoad", "pageView", "routeChange", "GET", "POST", "request", "response", "load"]) assert.ok(names.has(n), `${n} in ${[...names]}`);
    const view = spans.find((s) => s.name == "pageView");
    assert.is(view.traceId, TRACE);
    assert.is(view.parentSpanId, SERVER_SPAN);
    assert.ok(view.events.some((e: any) => e.name == "web_vital" && attrs(e.attributes)["web_vital.name"] == "TTFB"), JSON.stringify(view.events));
    const session = attrs(view.attributes)["session.id"];
    assert.match(String(session), /^[0-9a-f]{32}$/);
    for (const s of spans.filter((s) => s.name == "GET" || s.name == "POST")) {
      assert.is(s.traceId, TRACE, `${s.name} joins the page's trace`);
      assert.is(s.parentSpanId, SERVER_SPAN);
      assert.is(attrs(s.attributes)["http.response.status_code"], "200");
      assert.is(attrs(s.attributes)["session.id"], session);
    }
    const api = site.seen.filter((r) => r.path.startsWith("/api/"));
    assert.is(api.length, 2);
    for (const r of api) assert.match(String(r.headers.traceparent), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    const records = (receiver.logs as any[]).flatMap((b) => b.resourceLogs.flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords)));
    const vitals = records.filter((r) => r.eventName == "browser.web_vital");
    assert.ok(vitals.some((r) => attrs(r.attributes)["browser.web_vital.name"] == "ttfb"), JSON.stringify(records));
    assert.ok(vitals.every((r) => r.traceId == TRACE && r.spanId == view.spanId && attrs(r.attributes)["session.id"] == session));
    const error = records.find((r) => r.severityText == "ERROR");
    assert.ok(error, JSON.stringify(records));
    assert.match(String(error.body.stringValue), /Error: boom/);
    assert.is(attrs(error.attributes)["exception.type"], "Error");
  } finally {
    await browser?.close().catch(() => undefined);
    await site.close();
    await receiver.close();
  }
});

test.run();
