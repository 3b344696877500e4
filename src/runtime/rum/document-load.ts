/**
 * The page load as a trace: one `documentLoad` span from Navigation Timing Level 2
 * (https://www.w3.org/TR/navigation-timing-2/, the `PerformanceNavigationTiming` entry), with a
 * child span per phase of the processing model (redirect, DNS, connect, TLS, request, response,
 * DOM processing, load event) and, optionally, one span per resource fetched
 * (https://www.w3.org/TR/resource-timing/).
 *
 * The parent comes from a server-rendered `<meta name="traceparent" content="00-…">` (and an
 * optional `<meta name="tracestate">`), the convention of the OpenTelemetry JS document-load
 * instrumentation: the server span that rendered the HTML then contains the page load, and the
 * front end and back end share one trace id.
 *
 * Timing values are `performance.now()`-scale milliseconds (relative to the time origin); the
 * span API takes such numbers directly (`common/time.ts`), so no wall-clock conversion happens.
 * Feature-detected throughout: in a Web Worker or on the server this records nothing.
 */
import type { Attributes } from "../../common/attributes.ts";
import { diagOnce } from "../../common/diag.ts";
import type { Context } from "../../context/context.ts";
import { ROOT_CONTEXT } from "../../context/context.ts";
import { parseTraceParent } from "../../propagation/trace-context.ts";
import { createTraceState } from "../../propagation/trace-state.ts";
import { setSpan, setSpanContext } from "../../trace/span-in-context.ts";
import type { Tracer } from "../../trace/tracer.ts";
import { pageUrlFull, type RedactPageUrl } from "./page-url.ts";

/** Options of {@link recordDocumentLoad}. */
export interface DocumentLoadOptions {
  /** The tracer the spans are recorded with. */
  tracer: Tracer;
  /** Also record a `resourceFetch` span per Resource Timing entry (default false). */
  resourceTimings?: boolean;
  /** `url.full` rule (default: the HTTP instrumentation's redaction). */
  redactUrl?: RedactPageUrl;
}

/** The Navigation/Resource Timing fields read here (all `performance.now()`-scale ms). */
interface TimingEntry {
  readonly name: string;
  readonly startTime: number;
  readonly initiatorType?: string;
  readonly type?: string;
  readonly nextHopProtocol?: string;
  readonly responseStatus?: number;
  readonly transferSize?: number;
  readonly encodedBodySize?: number;
  readonly decodedBodySize?: number;
  readonly redirectStart?: number;
  readonly redirectEnd?: number;
  readonly fetchStart?: number;
  readonly domainLookupStart?: number;
  readonly domainLookupEnd?: number;
  readonly connectStart?: number;
  readonly connectEnd?: number;
  readonly secureConnectionStart?: number;
  readonly requestStart?: number;
  readonly responseStart?: number;
  readonly responseEnd?: number;
  readonly domInteractive?: number;
  readonly domContentLoadedEventStart?: number;
  readonly domContentLoadedEventEnd?: number;
  readonly domComplete?: number;
  readonly loadEventStart?: number;
  readonly loadEventEnd?: number;
}

interface TimingSource {
  getEntriesByType(type: string): readonly TimingEntry[];
}

interface PageGlobals {
  performance?: Partial<TimingSource>;
  document?: { readyState?: string; querySelector?(selector: string): { getAttribute?(name: string): string | null } | null };
  addEventListener?(type: string, listener: () => void, options?: { once?: boolean }): void;
}

/** Phases as child spans: [name, start field, end field]. Order follows the processing model. */
const PHASES: readonly (readonly [string, keyof TimingEntry, keyof TimingEntry])[] = [
  ["redirect", "redirectStart", "redirectEnd"],
  ["dns", "domainLookupStart", "domainLookupEnd"],
  ["connect", "connectStart", "connectEnd"],
  ["tls", "secureConnectionStart", "connectEnd"],
  ["request", "requestStart", "responseStart"],
  ["response", "responseStart", "responseEnd"],
  ["domProcessing", "responseEnd", "domComplete"],
  ["load", "loadEventStart", "loadEventEnd"],
];

// A zero-length redirect, DNS, connect or TLS phase did not happen (no redirect, a cached
// lookup, a reused connection). The request, the response, DOM processing and the load event
// always happen, however short: a fast load handler gives loadEventStart === loadEventEnd at the
// browser's timer resolution, and that load phase is still recorded.
const SKIPPED_WHEN_EMPTY: ReadonlySet<string> = /* @__PURE__ */ new Set(["redirect", "dns", "connect", "tls"]);

/** Marks on the `documentLoad` span as events. */
const MARKS: readonly (keyof TimingEntry)[] = ["domInteractive", "domContentLoadedEventStart", "domContentLoadedEventEnd", "domComplete"];

/** Initiators whose requests are traced elsewhere (fetch/XHR instrumentation) or are ours (beacons). */
const SKIPPED_INITIATORS: ReadonlySet<string> = /* @__PURE__ */ new Set(["fetch", "xmlhttprequest", "beacon"]);

/** Resource spans per page load at most (bounded, DESIGN principle 4). */
const MAX_RESOURCE_SPANS = 250;

/**
 * Records the `documentLoad` span once the page has loaded: immediately when the navigation
 * entry's `loadEventEnd` is set, else after the `load` event (plus one task, since
 * `loadEventEnd` is only set when the load handlers have returned). Never throws; records
 * nothing where Navigation Timing or a document is missing.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge/browser";
 * init({ otlp: { endpoint: "https://collector.example.com" } });
 * recordDocumentLoad({ tracer: trace.getTracer("rum"), resourceTimings: true });
 * ```
 */
export function recordDocumentLoad(options: DocumentLoadOptions): void {
  const g = globalThis as PageGlobals;
  const perf = g.performance;
  if (typeof perf?.getEntriesByType !== "function" || g.document === undefined) {
    diagOnce("debug", "rum.document-load.unsupported", "recordDocumentLoad: no Navigation Timing or no document here; nothing recorded.");
    return;
  }
  const source = perf as TimingSource;
  const record = (): void => {
    try {
      const entry = source.getEntriesByType("navigation")[0];
      if (entry === undefined || !(Number(entry.loadEventEnd) > 0)) {
        diagOnce("debug", "rum.document-load.no-entry", "recordDocumentLoad: no complete navigation timing entry; nothing recorded.");
        return;
      }
      recordEntry(options, entry, source);
    } catch (err) {
      diagOnce("error", "rum.document-load.failed", "recordDocumentLoad: could not record the page load.", err);
    }
  };
  const later = (): void => void setTimeout(record, 0);
  const loaded = Number(source.getEntriesByType("navigation")[0]?.loadEventEnd) > 0;
  if (loaded) record();
  else if (g.document.readyState === "complete" || typeof g.addEventListener !== "function") later();
  else g.addEventListener("load", later, { once: true });
}

/** The parent context from `<meta name="traceparent">` (+ `tracestate`), else the root context. */
export function metaParentContext(): Context {
  const doc = (globalThis as PageGlobals).document;
  const meta = (name: string): string | undefined => {
    try {
      const value = doc?.querySelector?.(`meta[name="${name}"]`)?.getAttribute?.("content");
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const header = meta("traceparent");
  if (header === undefined) return ROOT_CONTEXT;
  const spanContext = parseTraceParent(header);
  if (spanContext === undefined) {
    diagOnce("warn", "rum.document-load.meta", `recordDocumentLoad: ignoring an invalid <meta name="traceparent"> (${JSON.stringify(header.slice(0, 64))}).`);
    return ROOT_CONTEXT;
  }
  const state = meta("tracestate");
  return setSpanContext(ROOT_CONTEXT, state ? { ...spanContext, traceState: createTraceState(state) } : spanContext);
}

function valid(start: unknown, end: unknown): boolean {
  // Zero means "did not happen or hidden" (cross-origin redirects, reused connections, http:).
  return typeof start === "number" && typeof end === "number" && start > 0 && end >= start;
}

/** semconv `network.protocol.*` from an ALPN id ("h2", "h3", "http/1.1"). */
function protocolAttributes(alpn: string | undefined, attributes: Attributes): void {
  if (!alpn) return;
  const m = /^(?:h(\d)|http\/(\d(?:\.\d)?))/.exec(alpn);
  if (m === null) return;
  attributes["network.protocol.name"] = "http";
  attributes["network.protocol.version"] = m[1] ?? m[2];
}

function fetchAttributes(entry: TimingEntry, redact: RedactPageUrl | undefined): Attributes {
  const attributes: Attributes = {};
  const full = pageUrlFull(entry.name, redact);
  if (full !== undefined) attributes["url.full"] = full;
  protocolAttributes(entry.nextHopProtocol, attributes);
  if (Number(entry.responseStatus) > 0) attributes["http.response.status_code"] = entry.responseStatus;
  // semconv: http.response.size is the whole response (headers + body), body.size the body.
  if (Number(entry.transferSize) > 0) attributes["http.response.size"] = entry.transferSize;
  if (Number(entry.encodedBodySize) > 0) attributes["http.response.body.size"] = entry.encodedBodySize;
  return attributes;
}

function recordEntry(options: DocumentLoadOptions, entry: TimingEntry, source: TimingSource): void {
  const { tracer } = options;
  const attributes = fetchAttributes(entry, options.redactUrl);
  // Navigation Timing 2 §"NavigationTimingType": navigate, reload, back_forward, prerender.
  if (entry.type) attributes["document.load.type"] = entry.type;
  const start = entry.startTime;
  const span = tracer.startSpan("documentLoad", { kind: 0 /* SpanKind.INTERNAL */, startTime: start, attributes }, metaParentContext());
  const ctx = setSpan(ROOT_CONTEXT, span);
  for (const mark of MARKS) {
    const t = entry[mark];
    if (typeof t === "number" && t > 0) span.addEvent(mark, t);
  }
  for (const [name, from, to] of PHASES) {
    const a = entry[from];
    const b = entry[to];
    if (valid(a, b) && (b !== a || !SKIPPED_WHEN_EMPTY.has(name))) tracer.startSpan(name, { startTime: a as number }, ctx).end(b as number);
  }
  if (options.resourceTimings === true) recordResources(options, source, ctx, Number(entry.loadEventEnd));
  span.end(entry.loadEventEnd);
}

function recordResources(options: DocumentLoadOptions, source: TimingSource, ctx: Context, until: number): void {
  let count = 0;
  for (const r of source.getEntriesByType("resource")) {
    // Resources fetched during the page load only; fetch/XHR have their own CLIENT spans.
    if (r.startTime > until || SKIPPED_INITIATORS.has(r.initiatorType ?? "")) continue;
    if (++count > MAX_RESOURCE_SPANS) {
      diagOnce("debug", "rum.document-load.resources", `recordDocumentLoad: more than ${MAX_RESOURCE_SPANS} resources; the rest have no span.`);
      break;
    }
    const attributes = fetchAttributes(r, options.redactUrl);
    if (r.initiatorType) attributes["resource.initiator_type"] = r.initiatorType;
    const end = Math.max(r.startTime, Number(r.responseEnd) || r.startTime);
    options.tracer.startSpan("resourceFetch", { kind: 2 /* SpanKind.CLIENT */, startTime: r.startTime, attributes }, ctx).end(end);
  }
}
