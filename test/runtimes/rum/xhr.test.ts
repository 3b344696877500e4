// instrumentXhr with a fake XMLHttpRequest whose send() goes over real fetch to a 127.0.0.1
// server: CLIENT span attributes and redaction, traceparent only to same-origin / propagateTo
// targets, failures (status, network error, abort, timeout), the duration histogram, ignore,
// suppression, restoring the prototype on stop, and opt-in header capture (the headers the page
// set, not ours; credentials never; response headers the fake hides as CORS would record nothing).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { context } from "../../../src/context/context-api.ts";
import { suppressTracing } from "../../../src/trace/suppress.ts";
import { SpanKind, SpanStatusCode } from "../../../src/trace/types.ts";
import { instrumentXhr } from "../../../src/runtime/rum/xhr.ts";
import type { ReadableSpan } from "../../../src/trace/types.ts";
import { createTelemetry, finishedSpans, histogram, startServer, type TestServer } from "../../instrument/helpers.ts";

type Listener = () => void;
class FakeXHR {
  static pending: FakeXHR[] = [];
  status = 0;
  method = "";
  url = "";
  static hidden = new Set<string>(); // response headers hidden from script, as CORS hides non-exposed ones
  headers: Record<string, string> = {};
  responseHeaders: Headers | undefined;
  listeners: Record<string, Listener[]> = {};
  done!: Promise<void>;
  open(method: string, url: string): void {
    this.method = method;
    this.url = new URL(url, (globalThis as { location?: { href: string } }).location?.href).href;
  }
  setRequestHeader(k: string, v: string): void {
    if (this.method === "") throw Object.assign(new Error("not opened"), { name: "InvalidStateError" });
    const name = k.toLowerCase();
    // XHR combines repeated names with ", ".
    this.headers[name] = name in this.headers ? `${this.headers[name]}, ${v}` : v;
  }
  // Names getResponseHeader() was asked for that CORS hides: Chromium logs "Refused to get
  // unsafe header" to the page's console for each such call.
  static refused: string[] = [];
  static extraRaw = ""; // appended to getAllResponseHeaders() (parsing cases)
  getResponseHeader(name: string): string | null {
    if (FakeXHR.hidden.has(name.toLowerCase())) {
      FakeXHR.refused.push(name);
      return null;
    }
    return this.responseHeaders?.get(name) ?? null;
  }
  /** As XHR: the exposed headers, `name: value` each followed by CRLF, names lowercased, repeats combined. */
  getAllResponseHeaders(): string {
    let out = "";
    this.responseHeaders?.forEach((value, name) => {
      if (!FakeXHR.hidden.has(name) && name !== "set-cookie") out += `${name}: ${value}\r\n`;
    });
    return out + FakeXHR.extraRaw;
  }
  addEventListener(type: string, fn: Listener): void {
    (this.listeners[type] ??= []).push(fn);
  }
  fire(type: string): void {
    for (const fn of this.listeners[type] ?? []) fn();
  }
  send(): void {
    if (this.method === "") throw Object.assign(new Error("not opened"), { name: "InvalidStateError" });
    FakeXHR.pending.push(this);
  }
  /** Performs the request over real fetch and fires the events a browser would. */
  async complete(): Promise<void> {
    try {
      const res = await fetch(this.url, { method: this.method, headers: this.headers });
      await res.text();
      this.responseHeaders = res.headers;
      this.status = res.status;
      this.fire("load");
    } catch {
      this.fire("error");
    }
    this.fire("loadend");
  }
  failWith(type: "abort" | "timeout" | "error"): void {
    this.fire(type);
    this.fire("loadend");
  }
}

const g = globalThis as Record<string, unknown>;
const t = createTelemetry();
let server: TestServer;
let other: TestServer;
let stop: () => void = () => {};

test.before(async () => {
  server = await startServer();
  other = await startServer();
});
test.after(async () => {
  await server.close();
  await other.close();
});
test.before.each(async () => {
  g.XMLHttpRequest = FakeXHR;
  g.location = { origin: server.url, href: `${server.url}/page` };
  FakeXHR.pending = [];
  FakeXHR.hidden.clear();
  FakeXHR.refused = [];
  server.seen.length = 0;
  other.seen.length = 0;
  await t.tracerProvider.forceFlush();
  t.exporter.reset();
});
test.after.each(() => {
  stop();
  delete g.XMLHttpRequest;
  delete g.location;
});

function xhr(method: string, url: string): FakeXHR {
  const x = new FakeXHR();
  x.open(method, url);
  x.send();
  return x;
}
const spans = (): Promise<ReadableSpan[]> => finishedSpans(t);

test("same-origin GET: CLIENT span with semconv attributes, redacted url.full, traceparent of the span", async () => {
  stop = instrumentXhr({ tracer: t.tracerProvider.getTracer("rum"), meter: t.meterProvider.getMeter("rum") });
  await xhr("get", "/api/items?token=secret&x=1").complete();
  const [span] = await spans();
  assert.is(span.name, "GET");
  assert.is(span.kind, SpanKind.CLIENT);
  assert.equal(span.attributes, {
    "http.request.method": "GET",
    "http.request.method_original": "get",
    "url.full": `${server.url}/api/items?token=REDACTED&x=1`,
    "server.address": "127.0.0.1",
    "url.scheme": "http",
    "server.port": Number(new URL(server.url).port),
    "http.response.status_code": 200,
  });
  const sc = span.spanContext();
  assert.match(String(server.seen[0].headers.traceparent), new RegExp(`^00-${sc.traceId}-${sc.spanId}-0[13]$`));
  const h = await histogram(t.reader, "http.client.request.duration");
  assert.is(h?.descriptor.unit, "s");
  assert.is(h?.dataPoints[0].value.count, 1);
  assert.is(h?.dataPoints[0].attributes["http.response.status_code"], 200);
});

test("cross-origin targets get no headers by default; propagateTo opts them in", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  await xhr("POST", `${other.url}/collect`).complete();
  assert.is(other.seen[0].headers.traceparent, undefined);
  stop();
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, propagateTo: [other.url] });
  await xhr("POST", `${other.url}/collect`).complete();
  assert.ok(other.seen[1].headers.traceparent);
  assert.is((await spans()).length, 2);
});

test("the span is a child of the active span at send()", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  const parent = t.tracerProvider.getTracer("app").startSpan("click");
  const { setSpan } = await import("../../../src/trace/span-in-context.ts");
  const x = context.with(setSpan(context.active(), parent), () => xhr("GET", "/x"));
  await x.complete();
  parent.end();
  const child = (await spans()).find((s) => s.name === "GET")!;
  assert.is(child.parentSpanContext?.spanId, parent.spanContext().spanId);
  assert.is(child.spanContext().traceId, parent.spanContext().traceId);
});

test("pageContext: a request sent outside any span is its child (the page view's trace); inside a span the span stays the parent", async () => {
  const { setSpan, setSpanContext } = await import("../../../src/trace/span-in-context.ts");
  const { ROOT_CONTEXT } = await import("../../../src/context/context.ts");
  const server = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true };
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, pageContext: setSpanContext(ROOT_CONTEXT, server) });
  const outside = xhr("GET", "/outside");
  await outside.complete();
  const parent = t.tracerProvider.getTracer("app").startSpan("click");
  const inside = context.with(setSpan(context.active(), parent), () => xhr("GET", "/inside"));
  await inside.complete();
  parent.end();
  const byPath = (p: string) => t.exporter.getFinishedSpans().find((s) => String(s.attributes["url.full"]).endsWith(p))!;
  await t.tracerProvider.forceFlush();
  assert.is(byPath("/outside").spanContext().traceId, server.traceId);
  assert.is(byPath("/outside").parentSpanContext?.spanId, server.spanId);
  assert.is(byPath("/inside").parentSpanContext?.spanId, parent.spanContext().spanId);
  // The traceparent sent names the request's span in the server's trace.
  assert.match(String(outside.headers.traceparent), new RegExp(`^00-${server.traceId}-${byPath("/outside").spanContext().spanId}-01$`));
});

test("5xx, network error, abort and timeout set error.type and ERROR status", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  await xhr("GET", "/status/503").complete();
  xhr("GET", "/a").failWith("abort");
  xhr("GET", "/b").failWith("timeout");
  xhr("GET", "/c").failWith("error");
  const got = (await spans()).map((s) => [s.attributes["error.type"], s.status.code, s.attributes["http.response.status_code"]]);
  assert.equal(got, [
    ["503", SpanStatusCode.ERROR, 503],
    ["AbortError", SpanStatusCode.ERROR, undefined],
    ["TimeoutError", SpanStatusCode.ERROR, undefined],
    ["NetworkError", SpanStatusCode.ERROR, undefined],
  ]);
});

test("ignored targets and suppressed contexts are not traced and carry no headers", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, ignore: /\/health/ });
  await xhr("GET", "/health").complete();
  await context.with(suppressTracing(context.active()), () => xhr("GET", "/export")).complete();
  assert.is((await spans()).length, 0);
  assert.is(server.seen.length, 2);
  assert.ok(server.seen.every((s) => s.headers.traceparent === undefined));
});

test("send() throwing synchronously ends the span and rethrows", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  const x = new FakeXHR();
  x.open("GET", "/y");
  x.method = ""; // make the fake's send throw as an unopened request would
  assert.throws(() => x.send(), /not opened/);
  const [span] = await spans();
  assert.is(span.attributes["error.type"], "InvalidStateError");
});

test("stop() restores open/send; requests after it are untraced; bad options throw; no XHR is a no-op", async () => {
  const { open, send } = FakeXHR.prototype;
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  assert.is.not(FakeXHR.prototype.open, open);
  stop();
  assert.is(FakeXHR.prototype.open, open);
  assert.is(FakeXHR.prototype.send, send);
  await xhr("GET", "/z").complete();
  assert.is((await spans()).length, 0);
  assert.throws(() => instrumentXhr({ propagateTo: 42 as never }), (e: Error) => e instanceof TypeError && /propagateTo/.test(e.message));
  delete g.XMLHttpRequest;
  instrumentXhr({})();
});

test("header capture: the listed headers the page set (repeats combined), never credentials or our traceparent; exposed response headers only", async () => {
  const { setRequestHeader } = FakeXHR.prototype;
  stop = instrumentXhr({
    tracerProvider: t.tracerProvider,
    meterProvider: t.meterProvider,
    captureRequestHeaders: ["X-Request-Id", "x-tags", "Authorization", "traceparent", "cookie", "x-absent"],
    captureResponseHeaders: ["content-type", "date", "set-cookie", "x-absent"],
  });
  assert.is.not(FakeXHR.prototype.setRequestHeader, setRequestHeader, "patched: XHR has no getter for request headers");
  FakeXHR.hidden.add("date"); // as a cross-origin response without Access-Control-Expose-Headers: date
  const x = new FakeXHR();
  x.open("GET", "/api/a");
  x.setRequestHeader("X-Request-Id", "stale"); // forgotten: open() again discards author headers
  x.open("POST", "/api/a");
  x.setRequestHeader("x-request-id", "r-1");
  x.setRequestHeader("X-Tags", "a");
  x.setRequestHeader("x-tags", "b");
  x.setRequestHeader("Authorization", "Bearer secret-token");
  x.setRequestHeader("x-unlisted", "u");
  x.send();
  await x.complete();
  const [span] = await spans();
  const headerAttributes = Object.fromEntries(Object.entries(span.attributes).filter(([k]) => k.includes(".header.")));
  assert.equal(headerAttributes, {
    "http.request.header.x-request-id": ["r-1"],
    "http.request.header.x-tags": ["a, b"],
    "http.response.header.content-type": ["text/plain"],
  });
  // What went over the wire: the page's headers and our traceparent (not recorded: we added it).
  const sent = server.seen[0].headers;
  assert.is(sent["x-tags"], "a, b");
  assert.is(sent.authorization, "Bearer secret-token");
  assert.ok(sent.traceparent);
  assert.not.ok(JSON.stringify(span.attributes).includes("secret-token"));
  assert.equal(FakeXHR.refused, [], "no getResponseHeader() for a hidden header: Chromium would log a console error for it");
  stop();
  assert.is(FakeXHR.prototype.setRequestHeader, setRequestHeader, "stop() restores setRequestHeader");
});

test("header capture: response headers parsed from getAllResponseHeaders() (CRLF lines, any case, repeats combined, colons in values)", async () => {
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, captureResponseHeaders: ["X-Multi", "x-colon", "x-empty"] });
  FakeXHR.extraRaw = "X-Multi: a\r\nx-multi: b\r\nx-colon: a: b \r\nx-empty:\r\nnot a header line\r\n";
  try {
    const x = new FakeXHR();
    x.open("GET", "/api/a");
    x.send();
    await x.complete();
    const [span] = await spans();
    const headerAttributes = Object.fromEntries(Object.entries(span.attributes).filter(([k]) => k.includes(".header.")));
    assert.equal(headerAttributes, {
      "http.response.header.x-multi": ["a, b"],
      "http.response.header.x-colon": ["a: b"],
      "http.response.header.x-empty": [""],
    });
  } finally {
    FakeXHR.extraRaw = "";
    stop();
  }
});

test("header capture: setRequestHeader errors still throw (and record nothing); no capture lists leave setRequestHeader alone; bad lists throw", async () => {
  const { setRequestHeader } = FakeXHR.prototype;
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider });
  assert.is(FakeXHR.prototype.setRequestHeader, setRequestHeader, "nothing captured: not patched");
  stop();
  stop = instrumentXhr({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, captureRequestHeaders: ["x-request-id"] });
  const x = new FakeXHR();
  assert.throws(() => x.setRequestHeader("x-request-id", "early"), /not opened/);
  x.open("GET", "/b");
  x.send();
  await x.complete();
  const [span] = await spans();
  assert.is(span.attributes["http.request.header.x-request-id"], undefined);
  assert.throws(() => instrumentXhr({ captureRequestHeaders: "x-request-id" as never }), (e: Error) => e instanceof TypeError && /captureRequestHeaders/.test(e.message));
  assert.throws(() => instrumentXhr({ captureResponseHeaders: ["bad header"] }), (e: Error) => e instanceof TypeError && /captureResponseHeaders/.test(e.message));
});

test.run();
