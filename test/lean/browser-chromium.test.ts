// The lean browser program in real Chromium (Debian's `chromium`, driven by playwright-core, as
// test/runtimes/browser.test.ts does it): the page bundles bench/lean/browser.ts with esbuild
// (platform browser), runs the program as users write it, fetches its own origin and another
// one, and does NOT flush; the test navigates away, and the spans must reach the OTLP receiver
// (a third origin: CORS) through the page-hide flush, with keepalive. Trace headers must reach
// the page's origin only (the other origin sees neither them nor a preflight caused by them).
import { existsSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { CHROMIUM, CHROMIUM_ARGS as ARGS, serve } from "../helpers/chromium.ts";


test("Chromium: the lean program's fetch spans arrive after navigation (page-hide flush, keepalive); trace headers to the page's origin only", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const receiver = await startDevReceiver();
  // Another origin that allows simple CORS requests only: a traceparent header would need a preflight.
  const other = await serve((req, res) => {
    res.writeHead(200, { "access-control-allow-origin": "*", "content-type": "text/plain" });
    res.end("other");
  });
  const page = `
    import { init, installFetchInstrumentation } from "./browser.ts";
    const log = [];
    const real = fetch;
    globalThis.fetch = (input, init) => {
      const url = typeof input == "string" ? input : input.url ?? String(input);
      if (url.startsWith(${JSON.stringify(receiver.url)})) log.push({ keepalive: init?.keepalive === true, bytes: typeof init.body == "string" ? new TextEncoder().encode(init.body).length : init.body.byteLength });
      sessionStorage.setItem("otlp", JSON.stringify(log));
      return real(input, init);
    };
    init({ serviceName: "lean-web", otlp: { endpoint: ${JSON.stringify(receiver.url)} } });
    installFetchInstrumentation({ propagateTo: [location.origin] });
    globalThis.done = (async () => {
      await (await fetch("/api/cart?token=abc")).text();
      await (await fetch(${JSON.stringify(other.url)} + "/lib.js")).text();
      return "ok";
    })();`;
  const bundle = (await build({ stdin: { contents: page, resolveDir: new URL("../../bench/lean/", import.meta.url).pathname, loader: "ts" }, bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" })).outputFiles[0]!.text;
  const site = await serve((req, res) => {
    const path = req.url!.split("?")[0];
    if (path == "/app.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    if (path == "/" || path == "/next") return res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><script type="module" src="${path == "/" ? "/app.js" : ""}"></script>`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(site.url + "/");
    assert.is(await tab.evaluate(() => (globalThis as unknown as { done: Promise<string> }).done), "ok", errors.join("\n"));
    assert.is(receiver.requests.length, 0, "nothing sent before the page was left");
    await tab.goto(site.url + "/next");
    await receiver.waitFor((r: { traces: unknown[] }) => r.traces.length > 0, 10_000);
    const spans = (receiver.traces as any[]).flatMap((t) => t.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
    const urls = spans.map((s) => s.attributes.find((a: any) => a.key == "url.full").value.stringValue).sort();
    assert.equal(urls, [`${other.url}/lib.js`, `${site.url}/api/cart?token=REDACTED`].sort());
    assert.ok(spans.every((s) => s.kind == 3 && s.name == "GET"));
    // The page's origin got the CLIENT span's traceparent; the other origin got none, and no preflight.
    const api = site.seen.find((r) => r.path.startsWith("/api/cart"))!;
    const cart = spans.find((s) => s.attributes.some((a: any) => a.value.stringValue?.includes("/api/cart")));
    assert.match(String(api.headers.traceparent), new RegExp(`^00-${cart.traceId}-${cart.spanId}-0[13]$`)); // sampled (+ random trace id)
    assert.equal(other.seen.map((r) => [r.method, r.headers.traceparent]), [["GET", undefined]]);
    const sent = JSON.parse((await tab.evaluate(() => sessionStorage.getItem("otlp"))) ?? "[]");
    assert.equal(sent.map((s: { keepalive: boolean }) => s.keepalive), [true]);
    assert.ok(sent[0].bytes <= 60 * 1024);
  } finally {
    await browser?.close().catch(() => undefined);
    await site.close();
    await other.close();
    await receiver.close();
  }
});

test("Chromium: a batch over 60 KiB leaves on page hide as several requests, at most 64 KiB of them with keepalive; those arrive", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  const receiver = await startDevReceiver();
  const page = `
    import { init } from "./browser.ts";
    const log = [];
    const real = fetch;
    globalThis.fetch = (input, init) => {
      log.push({ keepalive: init?.keepalive === true, bytes: typeof init.body == "string" ? new TextEncoder().encode(init.body).length : init.body.byteLength });
      sessionStorage.setItem("otlp", JSON.stringify(log));
      return real(input, init);
    };
    const sdk = init({ serviceName: "big-web", otlp: { endpoint: ${JSON.stringify(receiver.url)} } });
    const tracer = sdk.tracerProvider.getTracer("big");
    for (let i = 0; i < 240; i++) tracer.startSpan("big-" + i, { attributes: { pad: "x".repeat(700) } }).end();
    globalThis.done = "queued";`;
  const bundle = (await build({ stdin: { contents: page, resolveDir: new URL("../../bench/lean/", import.meta.url).pathname, loader: "ts" }, bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" })).outputFiles[0]!.text;
  const site = await serve((req, res) => {
    const path = req.url!.split("?")[0];
    if (path == "/app.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><script type="module" src="${path == "/" ? "/app.js" : ""}"></script>`);
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    const tab = await browser.newPage();
    await tab.goto(site.url + "/");
    await tab.waitForFunction(() => (globalThis as unknown as { done?: string }).done == "queued");
    await tab.goto(site.url + "/next");
    const sent = JSON.parse((await tab.evaluate(() => sessionStorage.getItem("otlp"))) ?? "[]") as Array<{ keepalive: boolean; bytes: number }>;
    const keepalive = sent.filter((f) => f.keepalive);
    assert.ok(sent.length >= 3, `${sent.length} requests`);
    for (const f of sent) assert.ok(f.bytes <= 60 * 1024, `a request of ${f.bytes} bytes`);
    assert.ok(keepalive.length >= 1 && keepalive.reduce((n, f) => n + f.bytes, 0) <= 64 * 1024);
    // The keepalive requests outlive the page; the others arrive only if they beat the unload.
    await receiver.waitFor((r: { traces: unknown[] }) => r.traces.length >= keepalive.length, 10_000);
    const names = (receiver.traces as any[]).flatMap((t) => t.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name))));
    assert.ok(new Set(names).size >= 60 && names.every((n: string) => /^big-\d+$/.test(n)), `${names.length} spans arrived`);
  } finally {
    await browser?.close().catch(() => undefined);
    await site.close();
    await receiver.close();
  }
});

test.run();
