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
import { context } from "../../context/context-api.ts";
import type { Context } from "../../context/context.ts";
import type { Meter } from "../../metrics/meter.ts";
import { propagation } from "../../propagation/propagation-api.ts";
import { getSpanContext } from "../../trace/span-in-context.ts";
import { isTracingSuppressed } from "../../trace/suppress.ts";
import type { Tracer } from "../../trace/tracer.ts";
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
  spanMethod,
  urlPort,
  type InstrumentationProviders,
  type UrlMatchers,
} from "../../instrument/http-semconv.ts";
import { startOperationSpan, type OperationSpan } from "../../instrument/operation-span.ts";

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

type Xhr = XMLHttpRequest;
type Method = (this: Xhr, ...args: unknown[]) => unknown;
type Proto = Record<"open" | "send" | "setRequestHeader", Method>;

/** `name: value, name2: value2` → value of `name`, repeats combined with ", " (`seen` holds the combined values). */
function combine(seen: Map<string, string>, name: string, value: string): void {
  const previous = seen.get(name);
  seen.set(name, previous === undefined ? value : `${previous}, ${value}`);
}

// Per request object: what open() was called with (a request can be re-opened: the last wins;
// null: untraced), and the listed request headers the page set since open().
const opened = new WeakMap<object, { method: string; url: URL } | null>();
const authored = new WeakMap<object, Map<string, string>>();

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
  const what = "Cannot instrument XMLHttpRequest";
  const { propagateTo, ignore } = clientTargetRules(options, what);
  const { request: requestHeaders, response: responseHeaders } = compileHeaderCapture(options, what);
  const proto = (globalThis as { XMLHttpRequest?: { prototype: Proto } }).XMLHttpRequest?.prototype;
  if (!proto) return () => {};
  const redactSearch = createQueryRedactor(options.redactQueryKeys);
  const recording = {
    tracer: options.tracer ?? instrumentationTracer(SCOPE, options),
    histogram: durationHistogram("client", SCOPE, options, options.meter),
    redactSearch,
    // Semconv: on the client side every 4xx and 5xx is an error.
    errorStatus: 400,
    requestHeaders,
    responseHeaders,
  };
  const { pageContext } = options;
  const { open, send, setRequestHeader } = proto;
  const original: Proto = { open, send, setRequestHeader };
  const captureRequest = requestHeaders.length > 0;
  let active = true;

  const patched: Proto = {
    setRequestHeader(...args) {
      // The original first: it throws for a wrong state or an invalid name/value, and then
      // nothing was set, so nothing is remembered.
      const result = original.setRequestHeader.apply(this, args);
      const name = String(args[0]).toLowerCase();
      if (active && requestHeaders.some((h) => h.name === name)) {
        if (!authored.has(this)) authored.set(this, new Map());
        combine(authored.get(this)!, name, String(args[1]));
      }
      return result;
    },

    open(...args) {
      // open() discards the author request headers of any previous use of this object.
      authored.delete(this);
      if (active) {
        try {
          const method = typeof args[0] === "string" && args[0] ? args[0] : "GET";
          const url = new URL(String(args[1]), pageBase());
          opened.set(this, ignore !== undefined && matchesUrl(ignore, url) ? null : { method, url });
        } catch {
          opened.set(this, null); // open() itself will throw for this URL: untraced
        }
      }
      return original.open.apply(this, args);
    },

    send(...args) {
      const info = active && opened.get(this);
      const current = context.active();
      if (!info || isTracingSuppressed(current)) return original.send.apply(this, args);
      opened.delete(this); // one span per send
      const { method, url } = info;
      let handle: OperationSpan;
      try {
        const port = urlPort(url);
        const metricAttributes: Attributes = { "http.request.method": normalizedMethod(method), "server.address": url.hostname, "url.scheme": url.protocol.slice(0, -1), "server.port": port };
        // The headers the page set, read before our propagation headers are added (as traced fetch does).
        const sent = authored.get(this);
        const attributes = { ...methodAttributes(method), ...metricAttributes, "url.full": redactUrl(url, redactSearch), ...capturedHeaderAttributes(requestHeaders, (name) => sent?.get(name), redactSearch) };
        if (port === undefined) delete metricAttributes["server.port"];
        handle = startOperationSpan(recording, spanMethod(method), 2 /* SpanKind.CLIENT */, attributes, metricAttributes, pageContext && !getSpanContext(current) ? pageContext : current);
        if (propagateTo === undefined || matchesUrl(propagateTo, url)) propagation.inject(handle.context, this, { set: (xhr: Xhr, k: string, v: string) => original.setRequestHeader.call(xhr, k, v) });
      } catch (err) {
        diagOnce("warn", "rum.xhr", "instrumentXhr: could not start the span; sending untraced.", err);
        return original.send.apply(this, args);
      }
      // The failure kind, from the last terminal event before loadend (status is 0 for all three).
      let failure: string | undefined;
      for (const [event, type] of [["error", "NetworkError"], ["abort", "AbortError"], ["timeout", "TimeoutError"]]) this.addEventListener(event!, () => (failure = type));
      this.addEventListener("loadend", () => {
        const status = this.status;
        // Absent for a header that was not sent and for one CORS does not expose: nothing is recorded.
        const received = new Map<string, string>();
        if (status && responseHeaders.length > 0) parseResponseHeaders(this.getAllResponseHeaders(), received);
        // Semconv: status 0 is a failed request.
        handle.end(status || undefined, undefined, failure ?? (status ? undefined : "NetworkError"), (name) => received.get(name));
      });
      try {
        return context.with(handle.context, () => original.send.apply(this, args));
      } catch (err) {
        // send() threw synchronously (InvalidStateError): no loadend will come.
        handle.end(undefined, err);
        throw err;
      }
    },
  };

  const names = ["open", "send", ...(captureRequest ? ["setRequestHeader" as const] : [])] as const;
  for (const name of names) proto[name] = patched[name];
  return () => {
    active = false;
    for (const name of names) if (proto[name] === patched[name]) proto[name] = original[name];
  };
}

/**
 * The headers of a `getAllResponseHeaders()` string by lowercased name. XHR spec: one
 * `name: value` per line, lines separated by CRLF, names lowercased, repeated names already
 * combined with ", "; a repeat is still combined here, for engines that list it twice.
 */
function parseResponseHeaders(all: string, headers: Map<string, string>): void {
  for (const line of all.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) combine(headers, line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()); // trim() drops the CR
  }
}
