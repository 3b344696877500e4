/**
 * The browser program on the size-first core: `init(options)` and
 * `installFetchInstrumentation(options)`, as the product's browser entry (src/runtime/browser.ts,
 * browser-init.ts, browser-page-hide.ts, src/instrument/fetch.ts) runs them:
 * - configuration from options only: a page has no environment, so no `OTEL_*` is read and a
 *   given `options.env` is ignored, with one warning; the options are checked for shape (a
 *   malformed one throws, naming it); the resource is `telemetry.sdk.*` (language `webjs`),
 *   `options.resourceAttributes` and `service.name` (else `unknown_service`, reported);
 * - context: `AsyncContext.Variable` when the engine has it, else the synchronous stack
 *   (context-browser.ts): nothing is imported at load;
 * - spans leave in batches of 512 (queue 2048) on the spec's scheduled delay, 5000 ms
 *   (OTEL_BSP_SCHEDULE_DELAY's default), on a full batch, on `flush()`, and when the page is
 *   hidden or left (`visibilitychange` to `hidden`, `pagehide`; `unload` is unreliable and
 *   blocks the back/forward cache), with keepalive requests within the browser's 64 KiB budget
 *   (keepalive.ts). Spans still open at that moment have not ended and are not exported;
 * - `fetch` calls make CLIENT spans (fetch.ts); the trace headers go only to `propagateTo`
 *   targets, by default the page's own origin: other origins never see our ids nor get a CORS
 *   preflight caused by them (https://www.w3.org/TR/trace-context/#privacy-considerations).
 *   The exporter's own requests are never traced.
 *
 * Left out (each one import away in the product): the metrics and logs signals, samplers and
 * propagators other than the spec defaults, `batch`/`spanLimits`/`serviceVersion` options,
 * `otlp.keepalive: false`, `otlp.compression`, stats, `captureRequestHeaders`, `redactQueryKeys`,
 * the duration histogram (no meter provider in this program).
 */
import type { Attributes, OtlpTarget, SpanSink } from "./contract.ts";
import type { Tracer } from "../../src/trace/tracer.ts";
import type { UrlMatcher, UrlMatchers } from "../../src/instrument/http-semconv.ts";
import type { TracerProvider } from "./tracer.ts";
import { sanitizeAttributes } from "./attributes.ts";
import { fail, got, httpUrl, isObject, join, nonEmpty, SERVICE_NAME, SHAPES, type LeanOptions } from "./config.ts";
import { install } from "./context-browser.ts";
import { warnOnce } from "./diag.ts";
import { createSpanSink } from "./export.ts";
import { traceFetch, TRACED, type TracedFetch } from "./fetch.ts";
import { createKeepaliveFetch, encodePieces } from "./keepalive.ts";
import { createTracerProvider } from "./tracer.ts";
import { VERSION } from "../../src/version.ts";

/** What `init()` returns (the product's `Sdk`, reduced to what this program has). */
export interface BrowserSdk {
  /** The tracer provider; undefined when disabled. */
  readonly tracerProvider?: TracerProvider;
  readonly disabled: boolean;
  /** Exports every span ended so far; resolves (never rejects) when done or timed out. */
  flush(): Promise<void>;
  /** Removes the page listeners, flushes, then records nothing more. Never rejects. */
  shutdown(): Promise<void>;
}

/** Options of {@link installFetchInstrumentation} (the product's, less header capture and extra redaction keys). */
export interface FetchInstrumentationOptions {
  /** Targets that receive `traceparent`/`tracestate`/`baggage`. Default: the page's own origin (every target outside a page). */
  propagateTo?: UrlMatchers;
  /** Requests that are not traced at all (no span, no headers). */
  ignore?: UrlMatchers;
}

/**
 * What `initRum()` adds to the page SDK (rum.ts): `onStart` for each recording span (the
 * session id), and `part`, started with the logs target (`/v1/logs` beside `/v1/traces`, the
 * same headers, timeout and keepalive fetch) and the resource; its `flush()` joins the SDK's
 * (timer, page hide, `flush()`, `shutdown()`).
 */
export interface BrowserExtra {
  onStart?: SpanSink["onStart"];
  part?: (target: OtlpTarget, resource: Attributes) => { flush(): Promise<unknown> };
}

/** The running SDK's fetch tracer (undefined: not started, disabled or shut down). */
let fetchTracer: Tracer | undefined;

/** An `addEventListener`/`removeEventListener` target, when `value` is one (feature detection). */
type Target = { addEventListener(type: string, fn: () => void): void; removeEventListener(type: string, fn: () => void): void };
const target = (value: unknown): Target | undefined => (typeof (value as Target | undefined)?.removeEventListener == "function" ? (value as Target) : undefined);

/** The resource of a page: `telemetry.sdk.*` < `options.resourceAttributes` < `options.serviceName`. */
function resource(o: LeanOptions): Attributes {
  const user: Attributes = o.resourceAttributes ? sanitizeAttributes(o.resourceAttributes) : {};
  if (o.serviceName) user[SERVICE_NAME] = o.serviceName;
  if (SERVICE_NAME in user && !nonEmpty(user[SERVICE_NAME])) {
    warnOnce("ignored service.name: not a non-empty string");
    delete user[SERVICE_NAME];
  }
  const attributes: Attributes = { "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "webjs", "telemetry.sdk.version": VERSION, ...user };
  if (attributes[SERVICE_NAME]) return attributes;
  warnOnce("no service.name: set options.serviceName");
  return { [SERVICE_NAME]: "unknown_service", ...attributes };
}

/**
 * Starts tracing in a page (or Web Worker: no page events there, so spans leave on the timer and
 * on `flush()`). Throws a TypeError/RangeError naming a malformed option; never afterwards.
 *
 * @example
 * ```ts
 * init({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
 * ```
 */
export function init(options: LeanOptions = {}, extra?: BrowserExtra): BrowserSdk {
  const o = options;
  if (!isObject(o)) throw new TypeError("Cannot init: options must be an object.");
  for (const [key, ok, expected] of SHAPES) if (o[key] !== undefined && !ok(o[key])) fail(key, expected + got(o[key]));
  const { endpoint, headers = {}, timeoutMillis, url } = (o.otlp ?? {}) as NonNullable<LeanOptions["otlp"]> & { url?: unknown };
  // One setting for every signal: a signal's full URL would send them all to the traces path.
  if (url !== undefined) fail("otlp.url", "unset: set options.otlp.endpoint, the base URL (/v1/traces is appended)");
  // Not echoed: an endpoint may carry credentials.
  const sendTo = endpoint === undefined ? "http://localhost:4318/v1/traces" : join(httpUrl(endpoint) ?? fail("otlp.endpoint", "an absolute http:// or https:// URL"));
  if (!isObject(headers)) fail("otlp.headers", "an object of string values" + got(headers));
  const sent: Record<string, string> = Object.create(null); // a key "__proto__" stays a key
  for (const key in headers) {
    if (typeof headers[key] != "string") fail(`otlp.headers[${JSON.stringify(key)}]`, "a string"); // the value is not echoed
    sent[key.toLowerCase()] = headers[key]!;
  }
  if (timeoutMillis !== undefined && !(typeof timeoutMillis == "number" && timeoutMillis > 0)) fail("otlp.timeoutMillis", "a number > 0" + got(timeoutMillis), RangeError);
  if (o.env !== undefined) warnOnce("options.env ignored: a page has no environment");
  const attributes = resource(o);
  const flushed = Promise.resolve();
  if (o.disabled) return { disabled: true, flush: () => flushed, shutdown: () => flushed };
  if (fetchTracer) warnOnce("init() again: the new SDK replaces the previous one");

  install();
  const to = { url: sendTo, headers: { ...sent }, timeout: timeoutMillis ?? 1e4, fetch: createKeepaliveFetch() };
  const part = extra?.part?.({ ...to, url: sendTo.replace(/traces$/, "logs") }, attributes);
  const sink = createSpanSink(
    to,
    { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 3e4 },
    { encode: encodePieces, now: true },
  );
  let live = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    return Promise.all([sink.flush(), part?.flush()]).then(() => {});
  };
  // Spec, batching processor: a span waits at most the scheduled delay (the timer is armed only
  // while spans wait); a full batch leaves at once (export.ts).
  const batcher: SpanSink = {
    onStart: extra?.onStart,
    onEnd(span) {
      if (!live) return warnOnce("span ended after shutdown: dropped");
      sink.onEnd(span);
      timer ??= setTimeout(flush, 5000);
    },
    flush,
  };
  const tracerProvider = createTracerProvider({ resource: { attributes }, sink: batcher });
  const tracer = (fetchTracer = tracerProvider.getTracer("otel-edge/instrument/fetch", VERSION));

  // Page hidden or left: export now. The flush starts its keepalive requests within the event
  // (no timer turn: after pagehide there may be none). A Worker has no document: no listeners.
  const g = globalThis as { document?: { visibilityState?: string } };
  const doc = target(g.document);
  const win = doc && target(globalThis);
  const onHide = () => void flush();
  const onVisibility = () => g.document!.visibilityState == "hidden" && onHide();
  doc?.addEventListener("visibilitychange", onVisibility);
  win?.addEventListener("pagehide", onHide);
  return {
    tracerProvider,
    disabled: false,
    flush,
    shutdown() {
      doc?.removeEventListener("visibilitychange", onVisibility);
      win?.removeEventListener("pagehide", onHide);
      if (fetchTracer == tracer) fetchTracer = undefined;
      const done = flush();
      live = false;
      return done;
    },
  };
}

/** True when a rule selects `url` (the product's matchesUrl): a URL prefix or a host, a RegExp on the URL, a predicate; a throwing predicate does not match. */
export const matches = (rules: UrlMatchers, url: URL): boolean =>
  [rules].flat().some((rule: UrlMatcher) => {
    try {
      if (typeof rule == "string") return rule.includes("://") ? url.href.startsWith(rule) : url.host == rule || url.hostname == rule;
      if (rule instanceof RegExp) return (rule.lastIndex = 0), rule.test(url.href); // a /g or /y RegExp keeps state between tests
      return rule(url) === true;
    } catch {
      return false;
    }
  });

/** Throws the product's TypeError unless `rules` is a matcher or an array of them. */
const check = (rules: unknown, name: string): void => {
  for (const r of [rules].flat()) {
    if (rules !== undefined && typeof r != "string" && typeof r != "function" && !(r instanceof RegExp)) {
      throw new TypeError(`Cannot instrument fetch: ${name}: expected a string, RegExp or function (or an array of them), got ${typeof r}`);
    }
  }
};

/**
 * Replaces `globalThis.fetch` with a traced one (fetch.ts); calls before `init()` (or after
 * `shutdown()`) pass through untraced. Returns a function restoring the previous fetch unless
 * something replaced ours since. Installing twice keeps the first (no double spans).
 *
 * @throws TypeError when there is no `globalThis.fetch` or a matcher has the wrong type.
 * @example
 * ```ts
 * installFetchInstrumentation({ propagateTo: [location.origin, "https://api.example.com"] });
 * ```
 */
export function installFetchInstrumentation(options: FetchInstrumentationOptions = {}): () => void {
  const { propagateTo, ignore } = options;
  check(propagateTo, "propagateTo");
  check(ignore, "ignore");
  const g = globalThis as { fetch?: TracedFetch };
  const previous = g.fetch;
  if (previous?.[TRACED]) return () => {};
  if (typeof previous != "function") throw new TypeError("Cannot instrument fetch: globalThis.fetch is missing");
  // The default, decided now as the product does: only a page's own origin gets the headers.
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  const to: UrlMatchers | undefined = propagateTo ?? (typeof origin == "string" && origin && origin != "null" ? (u: URL) => u.origin == origin : undefined);
  const traced = traceFetch(previous, (url) => (ignore && matches(ignore, url) ? undefined : fetchTracer), to === undefined ? undefined : (url) => matches(to, url));
  g.fetch = traced;
  return () => {
    if (g.fetch == traced) g.fetch = previous;
  };
}
