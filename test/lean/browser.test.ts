// The lean browser program (bench/lean/browser.ts) beside the product's browser entry
// (src/runtime/browser.ts), driven the same way in Node with a fake page (document, window
// events, location) and a fake fetch: the exported spans, the headers sent and not sent per
// origin, the flush on page hide (started within the event, keepalive within 64 KiB), the
// option checks; plus the bundle's load path (no ALS lookup, no top-level await).
// @node-flags: --import=./test/lean/standins/register.mjs
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { build } from "esbuild";
import * as lean from "../../bench/lean/browser.ts";
import * as product from "../../src/runtime/browser.ts";

type G = Record<string, unknown>;
const g = globalThis as G;
const ORIGIN = "https://shop.example";
const COLLECTOR = "https://collector.example.com";

interface Call { url: string; headers: Record<string, string>; keepalive: boolean; body?: string; sync: boolean }

/** A fake page and fetch: every call recorded; `hold` keeps responses pending (keepalive budget). */
function fakePage(opts: { hold?: boolean } = {}) {
  const doc = new EventTarget() as EventTarget & { visibilityState: string };
  doc.visibilityState = "visible";
  const win = new EventTarget();
  const calls: Call[] = [];
  let inEvent = false;
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = typeof (input as Request).url == "string" ? (input as Request) : undefined;
    const url = request ? request.url : String(input);
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? request?.headers).forEach((v, k) => (headers[k] = v));
    calls.push({ url, headers, keepalive: init?.keepalive === true, body: typeof init?.body == "string" ? init.body : init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : undefined, sync: inEvent });
    if (opts.hold && url.startsWith(COLLECTOR)) await new Promise((r) => setTimeout(r, 50));
    if (url.includes("/fail")) throw new TypeError("network down");
    return new Response(url.includes("/missing") ? "no" : "{}", { status: url.includes("/missing") ? 404 : 200 });
  };
  Object.assign(g, {
    document: doc,
    addEventListener: win.addEventListener.bind(win),
    removeEventListener: win.removeEventListener.bind(win),
    location: { origin: ORIGIN, href: ORIGIN + "/shop/cart" },
    fetch,
  });
  const during = (f: () => void) => {
    inEvent = true;
    try {
      f();
    } finally {
      inEvent = false;
    }
  };
  return {
    calls,
    hide: () => during(() => ((doc.visibilityState = "hidden"), doc.dispatchEvent(new Event("visibilitychange")))),
    pagehide: () => during(() => win.dispatchEvent(new Event("pagehide"))),
    exports: () => calls.filter((c) => c.url.startsWith(COLLECTOR)),
    app: () => calls.filter((c) => !c.url.startsWith(COLLECTOR)),
  };
}

const realFetch = globalThis.fetch;
function removePage() {
  for (const k of ["document", "addEventListener", "removeEventListener", "location", "AsyncContext"]) delete g[k];
  g.fetch = realFetch;
}
test.after.each(removePage);

type Lib = {
  init(o?: unknown): { flush(): Promise<void>; shutdown(): Promise<void>; tracerProvider?: { getTracer(n: string): any } };
  installFetchInstrumentation(o?: unknown): () => void;
};
const LIBS: Array<[string, Lib]> = [["product", product as unknown as Lib], ["lean", lean as unknown as Lib]];

const quiet = async <T>(f: () => Promise<T> | T): Promise<[T, string[]]> => {
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (...a: unknown[]) => void seen.push(a.map(String).join(" "));
  try {
    return [await f(), seen];
  } finally {
    console.warn = warn;
  }
};

/** The spans of OTLP/JSON bodies, ids and times dropped, attribute lists as objects. */
function spansOf(bodies: Array<string | undefined>) {
  const out: any[] = [];
  for (const body of bodies) {
    for (const rs of JSON.parse(body!).resourceSpans) {
      const resource = Object.fromEntries(rs.resource.attributes.map((a: any) => [a.key, Object.values(a.value)[0]]));
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          out.push({
            scope: ss.scope.name,
            resource,
            name: s.name,
            kind: s.kind,
            attributes: Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]])),
            status: s.status ?? {},
            events: (s.events ?? []).map((e: any) => e.name),
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
          });
        }
      }
    }
  }
  return out;
}

/** The program as users write it, then the app's fetches, then the page hides. */
async function scenario(lib: Lib, install: unknown) {
  const page = fakePage();
  const [, warnings] = await quiet(async () => {
    const sdk = lib.init({ serviceName: "shop-web", otlp: { endpoint: COLLECTOR } });
    const uninstall = lib.installFetchInstrumentation(install);
    const f = globalThis.fetch;
    await f("/api/cart?token=abc&x=1#frag");
    await f(ORIGIN + "/api/items", { method: "post", headers: { "x-app": "1" } });
    await f(new Request("https://cdn.other.example/lib.js", { headers: { "x-req": "r" } }));
    await f("https://api.partner.example:8443/v1/orders", { method: "PATCH" });
    await f(ORIGIN + "/missing");
    await f(ORIGIN + "/fail").catch(() => {});
    await f("https://user:pw@shop.example/login");
    assert.is(page.exports().length, 0, "nothing exported before the page hides (5 s delay)");
    page.hide();
    const sync = page.exports().length;
    await sdk.flush();
    uninstall();
    await sdk.shutdown();
    return sync;
  });
  return { page, warnings };
}

for (const [label, install] of [
  ["propagateTo: [location.origin]", () => ({ propagateTo: [ORIGIN] })],
  ["default propagateTo (the page's origin)", () => undefined],
  ["propagateTo: host, RegExp, throwing predicate", () => ({ propagateTo: ["api.partner.example:8443", /cdn\.other/g, () => { throw new Error("x"); }] })],
  ["ignore the CDN", () => ({ propagateTo: [ORIGIN], ignore: "cdn.other.example" })],
] as const) {
  test(`differential, ${label}: the same spans, the same headers per target, the flush started within the hide event with keepalive`, async () => {
    const results = [];
    for (const [, lib] of LIBS) results.push(await scenario(lib, install()));
    const [p, l] = results.map(({ page }) => {
      const exported = page.exports();
      const spans = spansOf(exported.map((c) => c.body));
      const app = page.app().map((c) => {
        const tp = c.headers.traceparent;
        const span = tp && spans.find((s) => s.spanId == tp.split("-")[2]);
        // The header names the CLIENT span of that very call.
        if (tp) assert.ok(span && span.traceId == tp.split("-")[1] && /^00-[\da-f]{32}-[\da-f]{16}-0[13]$/.test(tp), tp);
        const { traceparent, ...rest } = c.headers;
        return { url: c.url, flags: tp?.slice(53), headers: rest };
      });
      return {
        app,
        spans: spans.map(({ traceId, spanId, parentSpanId, ...s }) => ({ ...s, root: !parentSpanId })),
        keepalive: exported.map((c) => c.keepalive),
        sync: exported.map((c) => c.sync),
        collector: exported.map((c) => c.url),
      };
    });
    assert.equal(l.app, p.app, "headers sent per target");
    assert.equal(l.spans, p.spans, "exported spans");
    assert.equal(l.keepalive, p.keepalive);
    assert.equal(l.sync, [true]);
    assert.equal(p.sync, [true]);
    assert.equal(l.collector, [COLLECTOR + "/v1/traces"]);
    // The exporter's own request is never traced, nor given trace headers.
    assert.ok(!l.spans.some((s: any) => String(s.attributes["url.full"]).startsWith(COLLECTOR)));
  });
}

test("differential: propagateTo \"\" is a rule that matches nothing: no target gets trace headers (the product sent them everywhere until this test found it)", async () => {
  for (const [name, lib] of LIBS) {
    const { page } = await scenario(lib, { propagateTo: "" });
    assert.ok(!page.app().some((c) => !!c.headers.traceparent), name);
    removePage();
  }
});

test("differential: hostile fetch input never throws from the instrumentation: a throwing method getter, a throwing URL, a throwing predicate", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    const outcomes: string[] = [];
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "s", otlp: { endpoint: COLLECTOR } });
      const uninstall = lib.installFetchInstrumentation({ propagateTo: () => { throw new Error("predicate"); }, ignore: [() => { throw new Error("ignore"); }] });
      const hostileInit = Object.defineProperty({}, "method", { get() { throw new Error("method getter"); } });
      const hostileUrl = { toString() { throw new Error("toString"); } };
      for (const call of [() => globalThis.fetch(ORIGIN + "/a", hostileInit), () => globalThis.fetch(hostileUrl as never), () => globalThis.fetch(ORIGIN + "/b")]) {
        await call().then(() => outcomes.push("ok"), (e: Error) => outcomes.push("rejected " + e.message));
      }
      await sdk.flush();
      uninstall();
      await sdk.shutdown();
    });
    // What fetch itself does with the input (the fake reads no method; String() of the URL throws).
    assert.equal(outcomes, ["ok", "rejected toString", "ok"], name);
    assert.equal(page.app().map((c) => c.headers.traceparent), [undefined, undefined], name);
    assert.equal(spansOf(page.exports().map((c) => c.body)).map((s) => s.attributes["url.full"]), [ORIGIN + "/b"], name);
    removePage();
  }
});

test("differential: init() twice warns and the new SDK takes the fetch spans; shutdown() removes the page listeners and later fetches are not traced", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    const [, warnings] = await quiet(async () => {
      const first = lib.init({ serviceName: "first", otlp: { endpoint: COLLECTOR } });
      const second = lib.init({ serviceName: "second", otlp: { endpoint: COLLECTOR } });
      const uninstall = lib.installFetchInstrumentation();
      await globalThis.fetch(ORIGIN + "/a");
      await first.flush();
      await second.flush();
      await first.shutdown();
      await second.shutdown();
      await globalThis.fetch(ORIGIN + "/after-shutdown");
      page.hide();
      page.pagehide();
      uninstall();
    });
    assert.is(warnings.filter((w) => /again/.test(w)).length, 1, name + ": " + warnings);
    const spans = spansOf(page.exports().map((c) => c.body));
    assert.equal(spans.map((s) => [s.resource["service.name"], s.attributes["url.full"]]), [["second", ORIGIN + "/a"]], name);
    assert.equal(page.app().map((c) => !!c.headers.traceparent), [true, false], name);
    removePage();
  }
});

test("differential: pagehide flushes too; spans ended after the hide wait for the timer (5 s) or the next hide", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "s", otlp: { endpoint: COLLECTOR } });
      const tracer = name == "lean" ? sdk.tracerProvider!.getTracer("t") : product.trace.getTracer("t");
      tracer.startSpan("one").end();
      page.pagehide();
      assert.is(page.exports().length, 1, name);
      assert.ok(page.exports()[0]!.sync && page.exports()[0]!.keepalive, name);
      await sdk.flush();
      tracer.startSpan("two").end();
      await new Promise((r) => setTimeout(r, 100));
      assert.is(page.exports().length, 1, name + ": not before the scheduled delay");
      page.hide();
      assert.is(page.exports().length, 2, name);
      await sdk.shutdown();
    });
    removePage();
  }
});

test("differential: a batch over 60 KiB leaves as several requests of at most 60 KiB, at most 64 KiB of them with keepalive, every span once", async () => {
  const seen: Record<string, { n: number; keepalive: number; names: number }> = {};
  for (const [name, lib] of LIBS) {
    const page = fakePage({ hold: true });
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "big", otlp: { endpoint: COLLECTOR } });
      const tracer = name == "lean" ? sdk.tracerProvider!.getTracer("big") : product.trace.getTracer("big");
      for (let i = 0; i < 240; i++) tracer.startSpan(`big-${i}`, { attributes: { pad: "x".repeat(700) } }).end();
      page.pagehide();
      const sent = page.exports();
      const bytes = sent.map((c) => new TextEncoder().encode(c.body!).length);
      assert.ok(sent.length >= 3 && sent.every((c) => c.sync), `${name}: ${sent.length} requests, started within the event`);
      assert.ok(bytes.every((b) => b <= 60 * 1024), `${name}: ${bytes}`);
      const kept = bytes.filter((_, i) => sent[i]!.keepalive);
      assert.ok(kept.length >= 1 && kept.reduce((a, b) => a + b, 0) <= 64 * 1024, `${name}: keepalive ${kept}`);
      const names = spansOf(sent.map((c) => c.body)).map((s) => s.name);
      assert.is(new Set(names).size, 240, name);
      assert.is(names.length, 240, name);
      seen[name] = { n: sent.length, keepalive: kept.length, names: names.length };
      await sdk.shutdown();
    });
    removePage();
  }
  assert.is(seen.lean!.keepalive, seen.product!.keepalive);
});

test("differential: options checked for shape (same error class, naming the option); env ignored with one warning", async () => {
  const bad: unknown[] = [
    "x", { serviceName: "" }, { serviceName: 5 }, { resourceAttributes: "a=b" }, { otlp: "https://c.example" }, { otlp: { url: COLLECTOR + "/v1/traces" } },
    { disabled: "yes" }, { env: 5 }, { otlp: { endpoint: "collector" } }, { otlp: { headers: "a" } }, { otlp: { headers: { a: 1 } } }, { otlp: { timeoutMillis: -1 } },
  ];
  for (const options of bad) {
    const errors = [];
    for (const [, lib] of LIBS) {
      fakePage();
      try {
        await quiet(() => lib.init(options));
        errors.push("no error");
      } catch (e) {
        // The option named, by its last part (the product's OTLP config names `endpoint` alone).
        const m = /options\.(?:\w+\.)*(\w+)/.exec((e as Error).message);
        errors.push(`${(e as Error).constructor.name} ${m?.[1] ?? "options"}`);
      }
      removePage();
    }
    assert.is(errors[1], errors[0], JSON.stringify(options));
  }
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    const [, warnings] = await quiet(async () => {
      const sdk = lib.init({ serviceName: "a", env: { OTEL_SERVICE_NAME: "b", OTEL_SDK_DISABLED: "true" }, otlp: { endpoint: COLLECTOR } });
      sdk.tracerProvider?.getTracer("t");
      (name == "lean" ? sdk.tracerProvider!.getTracer("t") : product.trace.getTracer("t")).startSpan("x").end();
      await sdk.flush();
      await sdk.shutdown();
    });
    assert.is(warnings.filter((w) => /env/.test(w)).length, 1, name + ": " + warnings);
    const [span] = spansOf(page.exports().map((c) => c.body));
    assert.is(span.resource["service.name"], "a", name);
    assert.equal(Object.keys(span.resource).sort(), ["service.name", "telemetry.sdk.language", "telemetry.sdk.name", "telemetry.sdk.version"], name);
    assert.is(span.resource["telemetry.sdk.language"], "webjs");
    removePage();
  }
});

test("differential: disabled: nothing recorded, nothing sent, no listeners; matchers of the wrong type throw at install", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "a", disabled: true, otlp: { endpoint: COLLECTOR } });
      const uninstall = lib.installFetchInstrumentation();
      await globalThis.fetch(ORIGIN + "/x");
      page.hide();
      await sdk.flush();
      uninstall();
    });
    assert.is(page.exports().length, 0, name);
    assert.equal(page.app()[0]!.headers, {}, name);
    for (const rules of [5, [ORIGIN, {}]]) {
      assert.throws(() => lib.installFetchInstrumentation({ propagateTo: rules }), (e: Error) => e instanceof TypeError && /propagateTo/.test(e.message), name);
      assert.throws(() => lib.installFetchInstrumentation({ ignore: rules }), (e: Error) => e instanceof TypeError && /ignore/.test(e.message), name);
    }
    delete g.fetch;
    assert.throws(() => lib.installFetchInstrumentation(), TypeError);
    removePage();
  }
});

test("differential: with AsyncContext.Variable, a fetch after `await` inside an active span is its child; without it (stack), the context holds in the callback only", async () => {
  class Variable {
    als = new AsyncLocalStorage();
    get() { return this.als.getStore(); }
    run(v: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) { return this.als.run(v, fn, ...args); }
  }
  for (const withAsync of [true, false]) {
    const parents = [];
    for (const [name, lib] of LIBS) {
      const page = fakePage();
      if (withAsync) g.AsyncContext = { Variable };
      await quiet(async () => {
        const sdk = lib.init({ serviceName: "a", otlp: { endpoint: COLLECTOR } });
        const uninstall = lib.installFetchInstrumentation();
        const tracer = name == "lean" ? sdk.tracerProvider!.getTracer("ui") : product.trace.getTracer("ui");
        await tracer.startActiveSpan("click", async (span: any) => {
          if (!span) throw new Error(name + ": no span");
          await globalThis.fetch(ORIGIN + "/sync-part");
          await null;
          await globalThis.fetch(ORIGIN + "/after-await");
          span.end();
        });
        await sdk.flush();
        uninstall();
        await sdk.shutdown();
      });
      const spans = spansOf(page.exports().map((c) => c.body));
      const click = spans.find((s) => s.name == "click");
      parents.push(spans.filter((s) => s.kind == 3).map((s) => s.parentSpanId == click.spanId));
      removePage();
    }
    assert.equal(parents[1], parents[0], `AsyncContext ${withAsync}`);
    assert.equal(parents[1], withAsync ? [true, true] : [true, false]);
  }
});

test("differential: the batch timer is the spec's 5000 ms, armed by the first ended span; it exports without the page hiding", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    const real = globalThis.setTimeout;
    const armed: Array<[number, () => void]> = [];
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "s", otlp: { endpoint: COLLECTOR } });
      const tracer = name == "lean" ? sdk.tracerProvider!.getTracer("t") : product.trace.getTracer("t");
      g.setTimeout = ((fn: () => void, ms: number) => (armed.push([ms, fn]), real(() => {}, 0))) as never;
      try {
        tracer.startSpan("a").end();
        tracer.startSpan("b").end();
      } finally {
        g.setTimeout = real;
      }
      assert.equal(armed.map((a) => a[0]), [5000], name + ": one timer, 5000 ms");
      armed[0]![1]();
      await new Promise((r) => real(r, 10));
      assert.equal(spansOf(page.exports().map((c) => c.body)).map((s) => s.name), ["a", "b"], name);
      await sdk.shutdown();
    });
    removePage();
  }
});

test("differential: a keepalive request the browser refuses is sent again without keepalive, and that retry is not traced either (the product traced it until this test found it)", async () => {
  for (const [name, lib] of LIBS) {
    const page = fakePage();
    const fake = globalThis.fetch;
    g.fetch = (input: RequestInfo | URL, init?: RequestInit) => (init?.keepalive ? Promise.reject(new TypeError("keepalive quota")) : fake(input, init));
    await quiet(async () => {
      const sdk = lib.init({ serviceName: "s", otlp: { endpoint: COLLECTOR } });
      const uninstall = lib.installFetchInstrumentation();
      await globalThis.fetch(ORIGIN + "/x");
      page.hide();
      await sdk.flush();
      // Exported by the next flush: every span that exists (the retry would be one).
      await sdk.flush();
      uninstall();
      await sdk.shutdown();
    });
    const sent = page.exports();
    assert.equal(sent.map((c) => c.keepalive), [false], name);
    assert.equal(spansOf(sent.map((c) => c.body)).map((s) => s.attributes["url.full"]), [ORIGIN + "/x"], name);
    removePage();
  }
});

test("the program's bundle: no AsyncLocalStorage lookup, no import(), no top-level await at load", async () => {
  // An IIFE cannot hold a top-level await: esbuild refuses to build one that has it.
  const r = await build({ entryPoints: ["bench/lean/program-browser.ts"], bundle: true, minify: true, format: "iife", target: "es2022", platform: "browser", write: false, logLevel: "silent" });
  const code = r.outputFiles[0]!.text;
  assert.not.match(code, /async_hooks|AsyncLocalStorage|import\(/);
  assert.match(code, /AsyncContext/);
  // The Workers program does have it (context.ts): the check can fail.
  await build({ entryPoints: ["bench/lean/program.ts"], bundle: true, format: "iife", write: false, logLevel: "silent", external: ["node:*"] }).then(
    () => assert.unreachable("the Workers program built as an IIFE"),
    (e: Error) => assert.match(e.message, /Top-level await/),
  );
});

test.run();
