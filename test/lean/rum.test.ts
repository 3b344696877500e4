// The lean initRum() (bench/lean/rum.ts) beside the product's (src/runtime/rum/rum.ts), driven
// by the same scripted session on the RUM suites' fake page (test/runtimes/rum/fake-browser.ts:
// PerformanceObserver, performance timeline, document/window events) plus a fake fetch, a fake
// XMLHttpRequest, history, sessionStorage and `<meta name="traceparent">`: page load, a click
// doing fetch + XHR, a pushState navigation, an uncaught error and an unhandled rejection,
// then page hide. Both export through their own pipeline to the fake collector; the spans and
// log records posted (ids, times and random vital ids normalised to their relations) must be
// the same.
// @node-flags: --import=./test/lean/standins/register.mjs
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gunzipSync } from "node:zlib";
import { initRum as productRum } from "../../src/runtime/rum/rum.ts";
import { initRum as leanRum } from "../../bench/lean/rum.ts";
import { installFakePage } from "../runtimes/rum/fake-browser.ts";
import { createRumLogs } from "../../bench/lean/rum-logs.ts";

type G = Record<string, unknown>;
const g = globalThis as G;
const ORIGIN = "https://shop.example";
const COLLECTOR = "https://collector.example.com";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SERVER_SPAN = "00f067aa0ba902b7";

interface Call { url: string; headers: Record<string, string>; keepalive: boolean; body?: string; during: string }

/** A fake XMLHttpRequest: send() answers `status` on the next tick (0: network error), events as XHR orders them. */
function fakeXhr(calls: Call[], phase: () => string) {
  return class FakeXHR extends EventTarget {
    status = 0;
    url = "";
    method = "";
    headers: Record<string, string> = {};
    open(method: string, url: string) {
      this.method = method;
      this.url = new URL(url, ORIGIN + "/").href;
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k.toLowerCase()] = v;
    }
    send() {
      calls.push({ url: this.url, headers: this.headers, keepalive: false, during: phase() });
      setTimeout(() => {
        const fail = this.url.includes("/fail");
        this.status = fail ? 0 : this.url.includes("/missing") ? 404 : 200;
        this.dispatchEvent(new Event(fail ? "error" : "load"));
        this.dispatchEvent(new Event("loadend"));
      }, 1);
    }
  };
}

const decode = (body: unknown): string | undefined => {
  if (typeof body == "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body[0] == 0x1f && body[1] == 0x8b ? gunzipSync(body) : body);
  return undefined;
};

/** The page: fake timeline, events, fetch, XHR, history, storage, meta tag. */
function page() {
  const fake = installFakePage();
  const calls: Call[] = [];
  let phase = "start";
  const store = new Map<string, string>();
  const location = { origin: ORIGIN, href: ORIGIN + "/shop/cart?token=abc&x=1" };
  const saved = { location: g.location, history: g.history, fetch: g.fetch, XMLHttpRequest: g.XMLHttpRequest, sessionStorage: g.sessionStorage };
  Object.assign(g, {
    location,
    history: {
      pushState(_s: unknown, _t: string, url: string) {
        location.href = new URL(url, location.href).href;
      },
      replaceState(_s: unknown, _t: string, url: string) {
        location.href = new URL(url, location.href).href;
      },
    },
    sessionStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof (input as Request).url == "string" ? (input as Request).url : String(input);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      calls.push({ url, headers, keepalive: init?.keepalive === true, body: decode(init?.body), during: phase });
      if (url.includes("/fail")) throw new TypeError("network down");
      return new Response(url.startsWith(COLLECTOR) ? "{}" : "ok", { status: url.includes("/missing") ? 404 : 200 });
    },
    XMLHttpRequest: fakeXhr(calls, () => phase),
  });
  const doc = fake.document as unknown as G;
  doc.querySelector = (sel: string) => (sel == 'meta[name="traceparent"]' ? { getAttribute: () => `00-${TRACE}-${SERVER_SPAN}-01` } : null);
  return {
    fake,
    calls,
    store,
    setPhase: (p: string) => void (phase = p),
    restore() {
      fake.restore();
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete g[k] : (g[k] = v);
    },
  };
}

const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
  const { warn, error } = console;
  console.warn = console.error = () => {};
  try {
    return await f();
  } finally {
    Object.assign(console, { warn, error });
  }
};

const values = (list: any[] | undefined) => Object.fromEntries((list ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]));

type Run = Awaited<ReturnType<typeof session>>;

/** The scripted session with `initRum`; returns what reached the collector and the app's requests. */
async function session(initRum: (o: object) => { flush(): Promise<void>; stop(): Promise<void> }) {
  const p = page();
  try {
    return await quiet(async () => {
      const { fake } = p;
      // The page load, already complete when RUM starts (a script at the end of <body>).
      fake.emit({
        entryType: "navigation", name: ORIGIN + "/shop/cart?token=abc&x=1", type: "navigate", startTime: 0,
        redirectStart: 0, redirectEnd: 0, domainLookupStart: 5, domainLookupEnd: 15, connectStart: 15, secureConnectionStart: 20, connectEnd: 40,
        requestStart: 41, responseStart: 120, responseEnd: 150, domInteractive: 300, domContentLoadedEventStart: 310, domContentLoadedEventEnd: 320,
        domComplete: 500, loadEventStart: 501, loadEventEnd: 510, nextHopProtocol: "h2", responseStatus: 200, transferSize: 4000, encodedBodySize: 3000,
        activationStart: 0,
      });
      fake.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 400 });
      fake.emit({ entryType: "largest-contentful-paint", name: "", startTime: 2600 });
      fake.emit({ entryType: "layout-shift", name: "", startTime: 500, value: 0.05, hadRecentInput: false });
      const sdk = initRum({ serviceName: "shop-web", otlp: { endpoint: COLLECTOR } });
      await new Promise((r) => setTimeout(r, 5)); // documentLoad is recorded in a task after start
      // A click: fetch and XHR outside any span, a slow interaction.
      p.setPhase("click");
      fake.emit({ entryType: "event", name: "click", startTime: 3000, duration: 240, interactionId: 7 });
      await globalThis.fetch("/api/cart?token=abc&x=1");
      await globalThis.fetch("https://cdn.other.example/lib.js");
      await globalThis.fetch(ORIGIN + "/missing");
      await globalThis.fetch(ORIGIN + "/fail").catch(() => {});
      for (const url of ["/api/items", "https://api.partner.example/v1", "/fail"]) {
        const xhr = new (g.XMLHttpRequest as any)();
        xhr.open("POST", url);
        const done = new Promise((r) => xhr.addEventListener("loadend", r));
        xhr.send("{}");
        await done;
      }
      p.setPhase("navigate");
      (g.history as History).pushState(null, "", "/checkout?code=xyz");
      (g.history as History).pushState(null, "", "/checkout?code=xyz"); // same URL: no span
      p.setPhase("error");
      const boom = new Error("boom at https://u:p@shop.example/x?token=t");
      (fake.window as any).dispatch("error", { type: "error", error: boom, message: boom.message, filename: ORIGIN + "/app.js", lineno: 12, colno: 3 });
      (fake.window as any).dispatch("error", { type: "error", error: boom, message: boom.message, filename: ORIGIN + "/app.js", lineno: 12, colno: 3 }); // a repeat: dropped
      (fake.window as any).dispatch("unhandledrejection", { type: "unhandledrejection", reason: "no stock" });
      const before = p.calls.filter((c) => c.url.startsWith(COLLECTOR)).length;
      p.setPhase("hide");
      fake.document.hide();
      (fake.window as any).dispatch("pagehide", { type: "pagehide", persisted: false });
      p.setPhase("after");
      const sent = p.calls.filter((c) => c.url.startsWith(COLLECTOR) && c.during == "hide").length;
      await sdk.flush();
      await sdk.stop();
      return { calls: p.calls, before, sent, storedSession: [...p.store.values()][0] };
    });
  } finally {
    p.restore();
  }
}

/** Spans and log records posted, ids replaced by their relations (parent span's name, page trace or not). */
function normalise(run: Run) {
  const spans: any[] = [];
  const logs: any[] = [];
  const raw: any[] = [];
  const rawLogs: any[] = [];
  let resource: any;
  for (const c of run.calls) {
    if (!c.url.startsWith(COLLECTOR)) continue;
    const body = JSON.parse(c.body!);
    for (const rs of body.resourceSpans ?? []) {
      resource = values(rs.resource.attributes);
      for (const ss of rs.scopeSpans) for (const s of ss.spans) raw.push({ ...s, scope: ss.scope });
    }
    for (const rl of body.resourceLogs ?? []) {
      resource = { ...values(rl.resource.attributes), logs: true, ...resource };
      for (const sl of rl.scopeLogs) for (const r of sl.logRecords) rawLogs.push({ ...r, scope: sl.scope });
    }
  }
  const byId = new Map(raw.map((s) => [s.spanId, s]));
  const sid = run.storedSession?.split(".")[0];
  const fix = (a: any) => {
    if ("session.id" in a) a["session.id"] = a["session.id"] == sid ? "<session>" : a["session.id"];
    if ("browser.web_vital.id" in a) a["browser.web_vital.id"] = /^v1-\d+-\d{13}$/.test(a["browser.web_vital.id"]) ? "<id>" : a["browser.web_vital.id"];
    // Stacks name each implementation's own frames: their first line (the error) is compared.
    if (typeof a["exception.stacktrace"] == "string") a["exception.stacktrace"] = a["exception.stacktrace"].split("\n")[0];
    return a;
  };
  for (const s of raw) {
    spans.push({
      scope: s.scope.name + (s.scope.version ? "@" : ""),
      name: s.name,
      kind: s.kind,
      flags: s.flags,
      attributes: fix(values(s.attributes)),
      events: (s.events ?? []).map((e: any) => [e.name, fix(values(e.attributes))]),
      status: s.status ?? {},
      parent: s.parentSpanId == SERVER_SPAN ? "<server>" : byId.get(s.parentSpanId)?.name ?? s.parentSpanId ?? "",
      trace: s.traceId == TRACE ? "<page>" : "other",
      timed: BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano),
    });
  }
  for (const r of rawLogs) {
    logs.push({
      scope: r.scope.name,
      severity: [r.severityNumber, r.severityText],
      body: r.body,
      eventName: r.eventName,
      attributes: fix(values(r.attributes)),
      span: r.spanId ? byId.get(r.spanId)?.name ?? r.spanId : undefined,
      trace: r.traceId == TRACE ? "<page>" : r.traceId,
      flags: r.flags,
      keys: Object.keys(r).filter((k) => k != "scope"),
    });
  }
  const key = (x: any) => JSON.stringify([x.name ?? x.eventName ?? x.body, x.attributes]);
  spans.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  logs.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return { spans, logs, resource };
}

let product: Run;
let lean: Run;
test.before(async () => {
  product = await session(productRum as never);
  lean = await session(leanRum as never);
});

test("the same spans: documentLoad and its phases, pageView with web_vital events, routeChange, fetch and XHR in the page's trace", () => {
  const p = normalise(product).spans;
  const l = normalise(lean).spans;
  assert.ok(p.length >= 15, `the product exported ${p.length} spans`);
  assert.equal(l.map((s) => s.name), p.map((s) => s.name));
  for (let i = 0; i < p.length; i++) assert.equal(l[i], p[i], p[i].name);
});

test("the same log records: browser.web_vital events in the page view's span, ERROR records for the error and the rejection", () => {
  const p = normalise(product).logs;
  const l = normalise(lean).logs;
  assert.ok(p.some((r) => r.eventName == "browser.web_vital") && p.some((r) => r.severity[1] == "ERROR"), JSON.stringify(p));
  assert.equal(l, p);
});

test("the same resource (service, SDK, browser attributes)", () => {
  assert.equal(normalise(lean).resource, normalise(product).resource);
});

test("the same requests by the app: traceparent same-origin only, in the page's trace", () => {
  const app = (run: Run) => run.calls.filter((c) => !c.url.startsWith(COLLECTOR)).map((c) => [c.url, c.during, c.headers.traceparent?.slice(0, 35) ?? null]);
  const p = app(product);
  assert.equal(app(lean), p);
  assert.ok(p.some((c) => c[2] == `00-${TRACE}`), "a same-origin request carries the page's trace id");
});

test("delivery: the page-hide export starts within the hide event, with keepalive; nothing before it", () => {
  for (const run of [product, lean]) {
    assert.is(run.before, 0, "nothing exported before the page hides");
    assert.ok(run.sent >= 1, "an export started within the hide event");
    assert.ok(run.calls.filter((c) => c.url.startsWith(COLLECTOR)).every((c) => c.keepalive), "keepalive");
  }
  const paths = (run: Run) => [...new Set(run.calls.filter((c) => c.url.startsWith(COLLECTOR)).map((c) => new URL(c.url).pathname))].sort();
  assert.equal(paths(lean), paths(product));
});

/** A page left to the back/forward cache and restored: a second page view with its own vitals (TTFB 0, FCP = LCP after two frames). */
async function bfcache(initRum: (o: object) => { flush(): Promise<void>; stop(): Promise<void> }) {
  const p = page();
  try {
    return await quiet(async () => {
      const { fake } = p;
      fake.emit({ entryType: "navigation", name: ORIGIN + "/", type: "navigate", startTime: 0, responseStart: 90, activationStart: 0 });
      fake.emit({ entryType: "paint", name: "first-contentful-paint", startTime: 300 });
      const sdk = initRum({ serviceName: "shop-web", otlp: { endpoint: COLLECTOR }, documentLoad: false });
      p.setPhase("leave");
      fake.leaveToCache();
      await new Promise((r) => setTimeout(r, 5));
      p.setPhase("restore");
      fake.restoreFromCache(performance.now());
      fake.frame();
      fake.frame();
      fake.emit({ entryType: "layout-shift", name: "", startTime: performance.now() + 1, value: 0.2, hadRecentInput: false });
      p.setPhase("hide");
      fake.document.hide();
      (fake.window as any).dispatch("pagehide", { type: "pagehide", persisted: false });
      await sdk.flush();
      await sdk.stop();
      return { calls: p.calls, before: 0, sent: 0, storedSession: [...p.store.values()][0] };
    });
  } finally {
    p.restore();
  }
}

test("back/forward cache: a second pageView (navigation.type back_forward_cache) with its own vitals, as the product records it", async () => {
  const p = normalise(await bfcache(productRum as never));
  const l = normalise(await bfcache(leanRum as never));
  const views = p.spans.filter((s) => s.name == "pageView");
  assert.equal(views.map((v) => v.attributes["navigation.type"]).sort(), ["back_forward_cache", "navigate"]);
  // The restored view's FCP/LCP are measured in frames from the restore: their values differ run to run.
  const strip = (x: any) => JSON.parse(JSON.stringify(x).replace(/"(web_vital\.value|browser\.web_vital\.(value|delta))":("[^"]*"|[\d.e-]+)/g, '"$1":0'));
  assert.equal(strip(l.spans), strip(p.spans));
  assert.equal(strip(l.logs), strip(p.logs));
});

test("logs part: records leave in bodies of at most 60 KiB (keepalive), all started at once, every record once; 5 s timer armed per record", async () => {
  const bodies: Uint8Array[] = [];
  let armed = 0;
  const logs = createRumLogs(
    { url: COLLECTOR + "/v1/logs", headers: {}, timeout: 1000, fetch: async (_u, init) => (bodies.push(init!.body as Uint8Array), new Response("{}")) },
    { "service.name": "shop-web" },
    "otel-edge/rum",
    () => armed++,
  );
  for (let i = 0; i < 700; i++) logs.emit({ severityNumber: 17, severityText: "ERROR", body: "e" + i, attributes: { pad: "x".repeat(300) } });
  const done = logs.flush();
  await new Promise((r) => setTimeout(r, 0));
  const started = bodies.length;
  await done;
  assert.is(armed, 700);
  assert.ok(bodies.length >= 4 && started == bodies.length, `${started} of ${bodies.length} started at once`);
  const seen: string[] = [];
  for (const b of bodies) {
    assert.ok(b.length <= 61440, `${b.length} bytes`);
    const body = JSON.parse(new TextDecoder().decode(b));
    assert.equal(values(body.resourceLogs[0].resource.attributes), { "service.name": "shop-web" });
    for (const r of body.resourceLogs[0].scopeLogs[0].logRecords) seen.push(r.body.stringValue);
  }
  assert.equal(seen, Array.from({ length: 700 }, (_, i) => "e" + i));
});

test("hostile errors never throw into the page: a Proxy error with throwing traps, a cyclic rejection reason, a 20 kB message; both record the same attributes", async () => {
  const hostile = new Proxy(new Error("x"), { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const out: Record<string, unknown[]> = {};
  for (const [name, initRum] of [["product", productRum], ["lean", leanRum]] as const) {
    const p = page();
    try {
      await quiet(async () => {
        const sdk = initRum({ serviceName: "shop-web", otlp: { endpoint: COLLECTOR } } as never);
        const w = p.fake.window as any;
        w.dispatch("error", { type: "error", error: hostile, message: "m" });
        w.dispatch("unhandledrejection", { type: "unhandledrejection", reason: cyclic });
        w.dispatch("error", { type: "error", error: new Error("y".repeat(20_000)) });
        w.dispatch("error", null);
        p.fake.document.hide();
        await sdk.flush();
        await sdk.stop();
      });
      const records = p.calls.filter((c) => c.url.endsWith("/v1/logs")).flatMap((c) => JSON.parse(c.body!).resourceLogs.flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords)));
      out[name] = records.filter((r: any) => r.severityText == "ERROR").map((r: any) => [r.body?.stringValue?.slice(0, 40), Object.keys(values(r.attributes)).sort()]);
    } finally {
      p.restore();
    }
  }
  assert.is(out.product!.length, 3, JSON.stringify(out));
  assert.equal(out.lean, out.product);
});

// The product's messages (test/runtimes/rum/init-rum.test.ts), for the options both take.
const INVALID: Array<[string, unknown, ErrorConstructor, RegExp]> = [
  ["errors.maxPerMinute -1", { errors: { maxPerMinute: -1 } }, RangeError, /options\.errors\.maxPerMinute must be an integer >= 0, got -1/],
  ["errors.maxPerMinute 1.5", { errors: { maxPerMinute: 1.5 } }, RangeError, /options\.errors\.maxPerMinute must be an integer >= 0, got 1\.5/],
  ["errors as a number", { errors: 3 }, TypeError, /options\.errors must be true, false or \{ maxPerMinute\? \}, got 3/],
  ["traceFetch", { traceFetch: "yes" }, TypeError, /options\.traceFetch must be true or false, got "yes"/],
  ["traceXhr", { traceXhr: 1 }, TypeError, /options\.traceXhr must be true or false, got 1/],
  ["navigations", { navigations: null }, TypeError, /options\.navigations must be true or false, got null/],
  ["pageView", { pageView: "no" }, TypeError, /options\.pageView must be true or false/],
  ["otlp.endpoint (init()'s own check)", { otlp: { endpoint: "collector" } }, TypeError, /endpoint must be an absolute http:\/\/ or https:\/\/ URL/],
];
for (const [what, options, Type, message] of INVALID) {
  test(`invalid ${what}: both throw ${Type.name} (the product's message) before anything is installed`, async () => {
    for (const initRum of [productRum, leanRum]) {
      const p = page();
      const fetchBefore = g.fetch;
      try {
        let thrown: unknown;
        try {
          await quiet(async () => void initRum(options as never));
        } catch (e) {
          thrown = e;
        }
        assert.instance(thrown, Type, `${what}: ${String(thrown)}`);
        assert.match((thrown as Error).message, message);
        assert.match((thrown as Error).message, /^Cannot /);
        assert.is(p.fake.document.count(), 0, "no document listener");
        assert.is(p.fake.window.count(), 0, "no window listener");
        assert.is(p.fake.observerCount(), 0, "no PerformanceObserver");
        assert.is(g.fetch, fetchBefore, "fetch not replaced");
      } finally {
        p.restore();
      }
    }
  });
}

test.run();
