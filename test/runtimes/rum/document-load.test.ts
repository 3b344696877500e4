// recordDocumentLoad in Node with a fake page: Navigation/Resource Timing entries served by a
// stand-in `performance` (whose `now` stays the real clock the SDK's time anchor uses), a fake
// `document` with <meta> tags, and a fake window `load` event.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../../src/common/diag.ts";
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { SimpleSpanProcessor } from "../../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../../src/trace/tracer-provider.ts";
import { SpanKind, type ReadableSpan } from "../../../src/trace/types.ts";
import { recordDocumentLoad } from "../../../src/runtime/rum/document-load.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SERVER_SPAN = "b7ad6b7169203331";
const realPerformance = globalThis.performance;
const g = globalThis as Record<string, unknown>;

const warnings: string[] = [];
const logger: DiagLogger = { error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} };

// A navigation over HTTP/2 with TLS, fresh DNS and connection, no redirect.
function navigation(overrides: Record<string, number | string> = {}): Record<string, number | string> {
  return {
    name: "https://shop.example.com:8443/cart?token=secret&item=3#frag",
    entryType: "navigation",
    startTime: 0,
    type: "navigate",
    nextHopProtocol: "h2",
    responseStatus: 200,
    transferSize: 5300,
    encodedBodySize: 5000,
    redirectStart: 0,
    redirectEnd: 0,
    fetchStart: 2,
    domainLookupStart: 3,
    domainLookupEnd: 13,
    connectStart: 13,
    secureConnectionStart: 20,
    connectEnd: 40,
    requestStart: 41,
    responseStart: 90,
    responseEnd: 110,
    domInteractive: 150,
    domContentLoadedEventStart: 151,
    domContentLoadedEventEnd: 155,
    domComplete: 300,
    loadEventStart: 301,
    loadEventEnd: 305,
    ...overrides,
  };
}

interface Page {
  entries: Record<string, Record<string, number | string>[]>;
  meta: Record<string, string>;
  readyState: string;
  listeners: Map<string, () => void>;
}

function installPage(page: Page): void {
  Object.defineProperty(globalThis, "performance", {
    configurable: true,
    writable: true,
    value: { now: () => realPerformance.now(), getEntriesByType: (type: string) => page.entries[type] ?? [] },
  });
  g.document = {
    get readyState() {
      return page.readyState;
    },
    querySelector: (selector: string) => {
      const m = /^meta\[name="([^"]+)"\]$/.exec(selector);
      const content = m ? page.meta[m[1]!] : undefined;
      return content === undefined ? null : { getAttribute: (n: string) => (n === "content" ? content : null) };
    },
  };
  g.addEventListener = (type: string, listener: () => void) => page.listeners.set(type, listener);
}

function page(entries: Page["entries"], meta: Record<string, string> = {}, readyState = "complete"): Page {
  const p: Page = { entries, meta, readyState, listeners: new Map() };
  installPage(p);
  return p;
}

function telemetry(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  return { exporter, provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }) };
}

const byName = (spans: ReadableSpan[], name: string): ReadableSpan | undefined => spans.find((s) => s.name === name);
const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

test.before.each(() => {
  warnings.length = 0;
  resetDiagOnce();
  diag.setLogger(logger, 9999);
});

test.after.each(() => {
  diag.setLogger();
  Object.defineProperty(globalThis, "performance", { configurable: true, writable: true, value: realPerformance });
  delete g.document;
  delete g.addEventListener;
});

test("documentLoad is a child of the <meta> traceparent, with a child span per phase", async () => {
  page({ navigation: [navigation()] }, { traceparent: `00-${TRACE}-${SERVER_SPAN}-01`, tracestate: "vendor=abc" });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  const spans = (await finished());
  const load = byName(spans, "documentLoad");
  assert.ok(load, "documentLoad recorded when loadEventEnd is set");
  assert.is(load.spanContext().traceId, TRACE);
  assert.is(load.parentSpanContext?.spanId, SERVER_SPAN);
  assert.is(load.parentSpanContext?.traceState?.serialize(), "vendor=abc");
  assert.is(load.kind, SpanKind.INTERNAL);
  assert.is(load.attributes["url.full"], "https://shop.example.com:8443/cart?token=REDACTED&item=3");
  assert.is(load.attributes["network.protocol.name"], "http");
  assert.is(load.attributes["network.protocol.version"], "2");
  assert.is(load.attributes["http.response.status_code"], 200);
  assert.is(load.attributes["http.response.size"], 5300);
  assert.is(load.attributes["http.response.body.size"], 5000);
  assert.is(load.attributes["document.load.type"], "navigate");
  assert.ok(close(load.endTime - load.startTime, 305), "spans startTime (0) to loadEventEnd");
  assert.equal(load.events.map((e) => e.name), ["domInteractive", "domContentLoadedEventStart", "domContentLoadedEventEnd", "domComplete"]);
  assert.ok(close(load.events[0]!.time - load.startTime, 150));

  const phases: [string, number, number][] = [
    ["dns", 3, 13],
    ["connect", 13, 40],
    ["tls", 20, 40],
    ["request", 41, 90],
    ["response", 90, 110],
    ["domProcessing", 110, 300],
    ["load", 301, 305],
  ];
  for (const [name, start, end] of phases) {
    const s = byName(spans, name);
    assert.ok(s, `${name} span`);
    assert.is(s.parentSpanContext?.spanId, load.spanContext().spanId, `${name} is a child of documentLoad`);
    assert.is(s.spanContext().traceId, TRACE);
    assert.ok(close(s.startTime - load.startTime, start), `${name} start`);
    assert.ok(close(s.endTime - load.startTime, end), `${name} end`);
  }
  assert.not.ok(byName(spans, "redirect"), "no redirect happened (redirectStart 0)");
  assert.is(spans.length, 1 + phases.length);
  assert.equal(warnings, []);
});

test("a redirect is recorded; a reused connection and plain HTTP record no dns/connect/tls", async () => {
  page({
    navigation: [
      navigation({
        nextHopProtocol: "http/1.1",
        redirectStart: 1,
        redirectEnd: 30,
        domainLookupStart: 31,
        domainLookupEnd: 31,
        connectStart: 31,
        connectEnd: 31,
        secureConnectionStart: 0,
      }),
    ],
  });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  const spans = (await finished());
  const names = spans.map((s) => s.name).sort();
  assert.equal(names, ["documentLoad", "domProcessing", "load", "redirect", "request", "response"]);
  assert.is(byName(spans, "documentLoad")!.attributes["network.protocol.version"], "1.1");
  assert.is(byName(spans, "documentLoad")!.parentSpanContext, undefined, "no meta: a root span");
});

test("a zero-length load event, request or response phase is still a span (it happened, only fast)", async () => {
  // A fast load handler: loadEventStart === loadEventEnd at the browser's timer resolution.
  page({ navigation: [navigation({ requestStart: 90, responseStart: 90, responseEnd: 90, loadEventStart: 305, loadEventEnd: 305 })] });
  const { exporter, provider } = telemetry();
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  for (const name of ["request", "response", "load"]) {
    const s = byName(spans, name);
    assert.ok(s, `${name} span`);
    assert.is(s.endTime, s.startTime, `${name} is zero-length`);
  }
});

test("waits for the load event (and one task) when the page is still loading", async () => {
  const entry = navigation({ loadEventStart: 0, loadEventEnd: 0 });
  const p = page({ navigation: [entry] }, {}, "loading");
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  assert.is((await finished()).length, 0);
  const onLoad = p.listeners.get("load");
  assert.type(onLoad, "function");
  // The browser sets loadEventEnd after the load handlers return.
  onLoad!();
  entry.loadEventStart = 301;
  entry.loadEventEnd = 305;
  p.readyState = "complete";
  await tick();
  const load = byName((await finished()), "documentLoad");
  assert.ok(load, "recorded after load");
  assert.ok(close(load.endTime - load.startTime, 305));
});

test("readyState complete but loadEventEnd unset (called from a load handler): records on the next task", async () => {
  const entry = navigation({ loadEventEnd: 0 });
  page({ navigation: [entry] });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  entry.loadEventEnd = 305;
  await tick();
  assert.is((await finished()).filter((s) => s.name === "documentLoad").length, 1);
});

test("an invalid <meta> traceparent is ignored with one warning: a new trace", async () => {
  page({ navigation: [navigation()] }, { traceparent: "00-not-a-traceparent" });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  const loads = (await finished()).filter((s) => s.name === "documentLoad");
  assert.is(loads.length, 2);
  assert.is(loads[0]!.parentSpanContext, undefined);
  assert.is.not(loads[0]!.spanContext().traceId, TRACE);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /invalid <meta name="traceparent">/);
});

test("resource timings: one CLIENT resourceFetch span per resource loaded with the page, fetch/XHR/beacon skipped", async () => {
  const resource = (name: string, initiatorType: string, startTime: number, responseEnd: number, extra: Record<string, number | string> = {}) => ({
    name,
    entryType: "resource",
    initiatorType,
    startTime,
    responseEnd,
    ...extra,
  });
  page({
    navigation: [navigation()],
    resource: [
      resource("https://cdn.example.com/app.js?sig=abc", "script", 120, 180, { nextHopProtocol: "h3", responseStatus: 200, transferSize: 900, encodedBodySize: 800 }),
      resource("https://shop.example.com/logo.png", "img", 160, 200),
      resource("https://shop.example.com/api/cart", "fetch", 170, 220),
      resource("https://collector.example.com/v1/traces", "beacon", 171, 221),
      resource("https://shop.example.com/api/x", "xmlhttprequest", 172, 222),
      resource("https://shop.example.com/late.js", "script", 400, 450),
    ],
  });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum"), resourceTimings: true, redactUrl: (u) => `${u.origin}${u.pathname}` });
  const spans = (await finished());
  const load = byName(spans, "documentLoad")!;
  assert.is(load.attributes["url.full"], "https://shop.example.com:8443/cart", "custom redactUrl applies to the page URL");
  const resources = spans.filter((s) => s.name === "resourceFetch");
  assert.equal(resources.map((s) => s.attributes["url.full"]), ["https://cdn.example.com/app.js", "https://shop.example.com/logo.png"]);
  for (const r of resources) {
    assert.is(r.kind, SpanKind.CLIENT);
    assert.is(r.parentSpanContext?.spanId, load.spanContext().spanId);
  }
  const script = resources[0]!;
  assert.is(script.attributes["resource.initiator_type"], "script");
  assert.is(script.attributes["network.protocol.version"], "3");
  assert.is(script.attributes["http.response.status_code"], 200);
  assert.is(script.attributes["http.response.body.size"], 800);
  assert.ok(close(script.startTime - load.startTime, 120));
  assert.ok(close(script.endTime - load.startTime, 180));
  assert.not.ok("http.response.status_code" in resources[1]!.attributes, "responseStatus 0 (opaque) is left out");
});

test("without resourceTimings no resource spans are recorded", async () => {
  page({ navigation: [navigation()], resource: [{ name: "https://x.example/a.js", initiatorType: "script", startTime: 10, responseEnd: 20 }] });
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  assert.is((await finished()).filter((s) => s.name === "resourceFetch").length, 0);
});

test("no document or no Navigation Timing (Worker, server, old browser): nothing recorded, nothing thrown", async () => {
  const { exporter, provider } = telemetry();
  const finished = async (): Promise<ReadableSpan[]> => (await provider.forceFlush(), exporter.getFinishedSpans());
  recordDocumentLoad({ tracer: provider.getTracer("rum") }); // real Node: no document
  page({}); // a document, but no navigation entry
  recordDocumentLoad({ tracer: provider.getTracer("rum") });
  assert.is((await finished()).length, 0);
  assert.equal(warnings, []);
});

test.run();
