// The shared runtime scenario in real Chromium (Debian's `chromium`, driven by playwright-core;
// `scripts/ensure-test-tools.mjs` installs it before the suites run). The page loads the built
// browser bundle (dist/browser.js) from a static server on 127.0.0.1, runs the scenario with
// explicit context passing and does NOT flush; the test then navigates away, and the data must
// reach the OTLP receiver (another origin: CORS preflights) through the page-hide flush, sent
// with fetch keepalive so it outlives the page.
import { existsSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { assertScenario } from "./assert-scenario.mjs";
import { startBackend } from "./backend.mjs";
import { startStaticServer } from "./browser/static-server.mjs";
import { INCOMING_TRACE_ID } from "./scenario.mjs";
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from "../helpers/chromium.ts";


interface OtlpFetch {
  url: string;
  keepalive: boolean;
  bytes: number;
  visibility: string;
}

async function withBrowser(fn: (page: Page) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`node scripts/ensure-test-tools.mjs\` as root (apt-get install chromium)`);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    try {
      await fn(page);
    } catch (err) {
      if (errors.length) throw new Error(`${err instanceof Error ? err.message : String(err)}\npage errors: ${errors.join("\n")}`);
      throw err;
    }
  } finally {
    await browser?.close().catch(() => undefined);
  }
}

test("Chromium: the scenario's spans, metrics and correlated logs arrive after the page navigates away (page-hide flush, keepalive)", async () => {
  const receiver = await startDevReceiver();
  const backend = await startBackend();
  const site = await startStaticServer();
  try {
    await withBrowser(async (page) => {
      const query = `endpoint=${encodeURIComponent(receiver.url)}&backend=${encodeURIComponent(backend.url)}`;
      await page.goto(`${site.url}/index.html?${query}`);
      const result = await page.evaluate(() => (globalThis as unknown as { scenarioDone: Promise<Record<string, unknown>> }).scenarioDone);
      assert.is(result.traceId, INCOMING_TRACE_ID, "the server span continued the incoming trace");
      // No AsyncContext in Chromium today: the stack manager, so context does not follow await.
      assert.is(result.hasAsyncContext, false);
      assert.is(result.stackManager, true);
      assert.is(result.activeInWith, true, "init() registered a context manager");
      assert.is(result.activeAfterAwait, false, "the stack manager does not carry context across await");

      // Long batch delays and no flush: nothing has been sent yet.
      const before = await page.evaluate(() => sessionStorage.getItem("otlp-fetches"));
      assert.is(before, null, "no OTLP request before the page was left");
      assert.is(receiver.requests.length, 0);

      await page.goto(`${site.url}/next.html`);
      await receiver.waitFor((r: { traces: unknown[]; metrics: unknown[]; logs: unknown[] }) => r.traces.length > 0 && r.metrics.length > 0 && r.logs.length > 0, 10_000);
      assertScenario(receiver, { runtime: "browser", backendTraceparents: backend.traceparents, sdkLanguage: "webjs" });

      // How the data left: during page hide, one keepalive request per signal, each under the limit.
      const sent = JSON.parse((await page.evaluate(() => sessionStorage.getItem("otlp-fetches"))) ?? "[]") as OtlpFetch[];
      const paths = sent.map((f) => new URL(f.url).pathname).sort();
      assert.equal(paths, ["/v1/logs", "/v1/metrics", "/v1/traces"]);
      for (const f of sent) {
        assert.ok(f.keepalive, `${f.url} was sent without keepalive`);
        assert.ok(f.bytes > 0 && f.bytes <= 60 * 1024, `${f.url}: ${f.bytes} bytes`);
      }
      assert.is(receiver.requests.length, 3);
    });
  } finally {
    await site.close();
    await backend.close();
    await receiver.close();
  }
});

test("Chromium: visibilitychange to hidden flushes while the page stays open", async () => {
  const receiver = await startDevReceiver();
  const site = await startStaticServer();
  try {
    await withBrowser(async (page) => {
      await page.goto(`${site.url}/index.html?mode=hidden&endpoint=${encodeURIComponent(receiver.url)}&backend=unused`);
      await page.evaluate(() => (globalThis as unknown as { scenarioDone: Promise<unknown> }).scenarioDone);
      assert.is(receiver.requests.length, 0);
      // Headless Chromium never hides its page; make it report "hidden" and fire the event.
      await page.evaluate(() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await receiver.waitFor((r: { traces: unknown[] }) => r.traces.length > 0, 10_000);
      const names = (receiver.traces as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }>)
        .flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))));
      assert.equal(names, ["before-hide"]);
      const sent = JSON.parse((await page.evaluate(() => sessionStorage.getItem("otlp-fetches"))) ?? "[]") as OtlpFetch[];
      const traces = sent.filter((f) => f.url.endsWith("/v1/traces"));
      assert.is(traces.length, 1);
      assert.ok(traces[0]!.keepalive);
      assert.is(traces[0]!.visibility, "hidden");
    });
  } finally {
    await site.close();
    await receiver.close();
  }
});

test("Chromium: a batch over 60 KiB leaves on page hide as several requests, at most 64 KiB of them with keepalive", async () => {
  const receiver = await startDevReceiver();
  const site = await startStaticServer();
  try {
    await withBrowser(async (page) => {
      await page.goto(`${site.url}/index.html?mode=big&endpoint=${encodeURIComponent(receiver.url)}&backend=unused`);
      await page.evaluate(() => (globalThis as unknown as { scenarioDone: Promise<unknown> }).scenarioDone);
      await page.goto(`${site.url}/next.html`);
      const sent = JSON.parse((await page.evaluate(() => sessionStorage.getItem("otlp-fetches"))) ?? "[]") as OtlpFetch[];
      const keepalive = sent.filter((f) => f.keepalive);
      assert.ok(sent.length >= 3, `${sent.length} requests`);
      for (const f of sent) assert.ok(f.bytes <= 60 * 1024, `a request of ${f.bytes} bytes`);
      assert.ok(keepalive.length >= 1 && keepalive.reduce((n, f) => n + f.bytes, 0) <= 64 * 1024);
      // The keepalive requests outlive the page; the others arrive only if they beat the unload.
      await receiver.waitFor((r: { traces: unknown[] }) => r.traces.length >= keepalive.length, 10_000);
      const names = new Set(
        (receiver.traces as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }>).flatMap((t) =>
          t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name))),
        ),
      );
      assert.ok(names.size >= 60, `${names.size} spans arrived`);
      assert.ok([...names].every((n) => /^big-\d+$/.test(n)));
    });
  } finally {
    await site.close();
    await receiver.close();
  }
});

test.run();
