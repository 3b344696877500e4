/**
 * Traced `XMLHttpRequest`: one CLIENT span per `send()`, ending at `loadend`, with the same
 * stable HTTP client semantic conventions, URL redaction, `http.client.request.duration`
 * histogram (where the program has metrics) and `propagateTo` rule (same-origin by default in browsers) as the traced `fetch`
 * (`src/instrument/fetch.ts`), so third-party endpoints never get our headers or a CORS
 * preflight caused by them.
 *
 * Patches `XMLHttpRequest.prototype.open`/`send` (the only way to see every request, including
 * those of libraries holding their own reference to the constructor) and restores them on stop.
 *
 * Opt-in header capture (`captureRequestHeaders`/`captureResponseHeaders`) follows the rules of
 * every other HTTP instrumentation (`src/instrument/http-headers.ts`: credentials, cookies,
 * `baggage` and `tracestate` are never recorded). XHR has no getter for request headers, so
 * when request headers are captured `setRequestHeader` is patched too, and the listed headers
 * the page set since `open()` are remembered (repeated names combined with ", ", as XHR itself
 * combines them — XHR spec "setRequestHeader()", Fetch spec "combine"). As with traced `fetch`,
 * they are read when the span starts, before our own `traceparent` is injected: the attribute
 * says what the page sent, not what we added. Response headers are read once at `loadend` with
 * `getAllResponseHeaders()`, which lists only what the page may see: a cross-origin response
 * exposes the CORS-safelisted headers and those in `Access-Control-Expose-Headers` (XHR spec
 * "getAllResponseHeaders()" uses the same filtered response), so a hidden one records nothing.
 * Not `getResponseHeader(name)` per listed header: for a header CORS hides, Chromium logs a
 * console error ("Refused to get unsafe header ...") on every call — one per listed header per
 * traced request, in the page's console.
 */
import type { Attributes } from "../../common/attributes.ts";
import { diagOnce } from "../../common/diag.ts";
import { monotonicNow } from "../../common/time.ts";
import { context } from "../../context/context-api.ts";
import type { Context } from "../../context/context.ts";
import type { Meter } from "../../metrics/meter.ts";
import { registeredMeterProvider } from "../../metrics/registered-meter-provider.ts";
import { propagation } from "../../propagation/propagation-api.ts";
import { getSpanContext, setSpan } from "../../trace/span-in-context.ts";
import { isTracingSuppressed } from "../../trace/suppress.ts";
import type { Tracer } from "../../trace/tracer.ts";
import type { Span } from "../../trace/types.ts";
import { capturedHeaderAttributes, compileHeaderCapture, type HeaderCaptureOptions } from "../../instrument/http-headers.ts";
import {
  clientTargetRules,
  createQueryRedactor,
  durationHistogram,
  instrumentationTracer,
  matchesUrl,
  methodAttributes,
  normalizedMethod,
  pageBase,
  redactUrl,
  seconds,
  spanMethod,
  urlPort,
  type InstrumentationProviders,
  type UrlMatchers,
} from "../../instrument/http-semconv.ts";

/** Options of {@link instrumentXhr}. */
export interface XhrInstrumentationOptions extends InstrumentationProviders, HeaderCaptureOptions {
  /** Tracer for the CLIENT spans (default: from `tracerProvider`, else the global one). */
  tracer?: Tracer;
  /**
   * Meter for `http.client.request.duration` (default: from `meterProvider`, else the registered
   * one). Without any, no duration is recorded: the program has no metrics.
   */
  meter?: Meter;
  /**
   * The parent of a request sent outside any span (`initRum`: the server span of `<meta
   * name="traceparent">`, so the request joins the page view's trace). Default: none, a new trace.
   */
  pageContext?: Context;
  /** Targets that receive `traceparent`/`tracestate`/`baggage`. Default: the page's own origin (every target where there is no page). */
  propagateTo?: UrlMatchers;
  /** Requests that are not traced at all. */
  ignore?: UrlMatchers;
  /** More query keys whose values are recorded as `REDACTED`. */
  redactQueryKeys?: readonly string[];
}

const SCOPE = "otel-edge/runtime/rum/xhr";

interface XhrLike {
  status: number;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders?(): string;
  addEventListener(type: string, fn: (e: unknown) => void): void;
}
type Proto = {
  open: (...args: unknown[]) => unknown;
  send: (...args: unknown[]) => unknown;
  setRequestHeader?: (...args: unknown[]) => unknown;
};

/**
 * The headers of a `getAllResponseHeaders()` string by lowercased name. XHR spec: one
 * `name: value` per line, lines separated by CRLF, names lowercased, repeated names already
 * combined with ", "; a repeat is still combined here, for engines that list it twice.
 */
function parseResponseHeaders(all: unknown): Map<string, string> {
  const headers = new Map<string, string>();
  if (typeof all !== "string") return headers;
  for (const line of all.split("\n")) { // CRLF; trim() drops the CR
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers.get(name);
    headers.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  return headers;
}

// What open() was called with, per request object (a request can be re-opened: the last wins).
const opened = new WeakMap<object, { method: string; url: URL } | null>();

/**
 * Patches `XMLHttpRequest` so every request gets a CLIENT span. Returns a function restoring
 * the original methods (unless something else patched them since: then it leaves them alone
 * and only stops recording). Does nothing where there is no `XMLHttpRequest`.
 *
 * @throws TypeError when an option has the wrong type.
 * @example
 * ```ts
 * const stop = instrumentXhr({
 *   tracer: trace.getTracer("rum"),
 *   propagateTo: ["https://api.example.com"],
 *   captureRequestHeaders: ["x-request-id"], // never "authorization", even when listed
 *   captureResponseHeaders: ["x-served-by"], // cross-origin: only if Access-Control-Expose-Headers lists it
 * });
 * ```
 */
export function instrumentXhr(options: XhrInstrumentationOptions = {}): () => void {
  const { propagateTo, ignore } = clientTargetRules(options, "Cannot instrument XMLHttpRequest");
  const headerCapture = compileHeaderCapture(options, "Cannot instrument XMLHttpRequest");
  const ctor = (globalThis as { XMLHttpRequest?: { prototype?: Proto } }).XMLHttpRequest;
  const proto = ctor?.prototype;
  if (!proto || typeof proto.open !== "function" || typeof proto.send !== "function") return () => {};
  const redact = createQueryRedactor(options.redactQueryKeys);
  const tracer = options.tracer ?? instrumentationTracer(SCOPE, options);
  const meter = options.meter ?? (options.meterProvider ?? registeredMeterProvider())?.getMeter(SCOPE);
  const histogram = meter && durationHistogram("client", SCOPE, undefined, meter);
  const { pageContext } = options;
  const originalOpen = proto.open;
  const originalSend = proto.send;
  const originalSetRequestHeader = proto.setRequestHeader;
  // The listed request headers each request's page code set since open() (lowercase name →
  // combined value). Only kept when request headers are captured, and only for listed names.
  const captureRequest = headerCapture.request.length > 0 && typeof originalSetRequestHeader === "function";
  const listedRequest = new Set(headerCapture.request.map((h) => h.name));
  const authored = new WeakMap<object, Map<string, string>>();
  let active = true;

  const setRequestHeader = function (this: object, ...args: unknown[]): unknown {
    // The original first: it throws for a wrong state or an invalid name/value, and then
    // nothing was set, so nothing is remembered.
    const result = originalSetRequestHeader!.apply(this, args);
    if (active) {
      try {
        const name = String(args[0]).toLowerCase();
        if (listedRequest.has(name)) {
          let headers = authored.get(this);
          if (headers === undefined) authored.set(this, (headers = new Map()));
          const value = String(args[1]);
          const previous = headers.get(name);
          headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
        }
      } catch {
        // Recording never breaks the page's request.
      }
    }
    return result;
  };

  const open = function (this: object, ...args: unknown[]): unknown {
    // open() discards the author request headers of any previous use of this object.
    if (captureRequest) authored.delete(this);
    if (active) {
      try {
        const method = typeof args[0] === "string" && args[0] !== "" ? args[0] : "GET";
        const url = new URL(String(args[1]), pageBase());
        opened.set(this, ignore !== undefined && matchesUrl(ignore, url) ? null : { method, url });
      } catch {
        opened.set(this, null); // open() itself will throw for this URL, or it is unreadable: untraced
      }
    }
    return originalOpen.apply(this, args);
  };

  const send = function (this: XhrLike, ...args: unknown[]): unknown {
    const info = active ? opened.get(this) : undefined;
    const current = context.active();
    if (!info || isTracingSuppressed(current)) return originalSend.apply(this, args);
    const ctx = pageContext && !getSpanContext(current) ? pageContext : current;
    opened.delete(this); // one span per send
    const { method, url } = info;
    let span: Span;
    let spanCtx = ctx;
    const metricAttributes: Attributes = { "http.request.method": normalizedMethod(method), "server.address": url.hostname, "url.scheme": url.protocol.slice(0, -1) };
    const port = urlPort(url);
    if (port !== undefined) metricAttributes["server.port"] = port;
    try {
      // The headers the page set, read before our propagation headers are added (as traced fetch does).
      const sentHeaders = captureRequest ? authored.get(this) : undefined;
      span = tracer.startSpan(spanMethod(method), {
        kind: 2 /* SpanKind.CLIENT */,
        attributes: {
          ...methodAttributes(method),
          "url.full": redactUrl(url, redact),
          "server.address": url.hostname,
          "url.scheme": metricAttributes["url.scheme"] as string,
          ...(port !== undefined ? { "server.port": port } : {}),
          ...(captureRequest ? capturedHeaderAttributes(headerCapture.request, (name) => sentHeaders?.get(name), redact) : {}),
        },
      }, ctx);
      spanCtx = setSpan(ctx, span);
      if (propagateTo === undefined || matchesUrl(propagateTo, url)) {
        propagation.inject(spanCtx, this, { set: (xhr: XhrLike, k: string, v: string) => xhr.setRequestHeader(k, v) });
      }
    } catch (err) {
      diagOnce("warn", "rum-xhr:start", "instrumentXhr: could not start the span; sending untraced.", err);
      return originalSend.apply(this, args);
    }
    const started = monotonicNow();
    // The failure kind, from the last terminal event before loadend (status is 0 for all three).
    let failure: string | undefined;
    const s = span;
    this.addEventListener("error", () => (failure = "NetworkError"));
    this.addEventListener("abort", () => (failure = "AbortError"));
    this.addEventListener("timeout", () => (failure = "TimeoutError"));
    this.addEventListener("loadend", () => {
      try {
        const status = this.status;
        if (status > 0) {
          s.setAttribute("http.response.status_code", status);
          metricAttributes["http.response.status_code"] = status;
          if (headerCapture.response.length > 0 && typeof this.getAllResponseHeaders === "function") {
            // Absent for a header that was not sent and for one CORS does not expose: nothing is recorded.
            const headers = parseResponseHeaders(this.getAllResponseHeaders());
            s.setAttributes(capturedHeaderAttributes(headerCapture.response, (name) => headers.get(name), redact));
          }
        }
        // Semconv: every 4xx/5xx is an error on the client; status 0 is a failed request.
        const type = failure ?? (status >= 400 ? String(status) : status === 0 ? "NetworkError" : undefined);
        if (type !== undefined) {
          s.setAttribute("error.type", type);
          metricAttributes["error.type"] = type;
          s.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: failure });
        }
        s.end();
        histogram?.record(seconds(started, monotonicNow()), metricAttributes, spanCtx);
      } catch (err) {
        diagOnce("warn", "rum-xhr:finish", "instrumentXhr: recording the response failed.", err);
      }
    });
    try {
      return context.with(spanCtx, () => originalSend.apply(this, args));
    } catch (err) {
      // send() threw synchronously (InvalidStateError): no loadend will come.
      s.setAttribute("error.type", (err as { name?: string } | null)?.name || "_OTHER");
      s.setStatus({ code: 2 /* SpanStatusCode.ERROR */ });
      s.end();
      throw err;
    }
  };

  proto.open = open;
  proto.send = send;
  if (captureRequest) proto.setRequestHeader = setRequestHeader;
  return () => {
    if (!active) return;
    active = false;
    if (proto.open === open) proto.open = originalOpen;
    if (proto.send === send) proto.send = originalSend;
    if (captureRequest && proto.setRequestHeader === setRequestHeader) proto.setRequestHeader = originalSetRequestHeader;
  };
}
