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
import { ROOT_CONTEXT, type Context } from "../../context/context.ts";
import { parseTraceParent } from "../../propagation/trace-context.ts";
import { createTraceState } from "../../propagation/trace-state.ts";
import { setSpan, setSpanContext } from "../../trace/span-in-context.ts";
import type { Tracer } from "../../trace/tracer.ts";
import { perfEntries } from "./activation.ts";
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

/** The Navigation/Resource Timing fields read here (all `performance.now()`-scale ms; 0: did not happen or hidden). */
type TimingEntry = { name: string; startTime: number; initiatorType?: string; type?: string; nextHopProtocol?: string } & Record<string, number | undefined>;

/**
 * Phases as child spans, in the order of the processing model: name, start field, end field.
 * A `?` marks a phase that did not happen when it is empty (no redirect, a cached lookup, a
 * reused connection); the request, the response, DOM processing and the load event always
 * happen, however short (a fast load handler gives loadEventStart === loadEventEnd).
 */
const PHASES = "redirect? redirectStart redirectEnd dns? domainLookupStart domainLookupEnd connect? connectStart connectEnd tls? secureConnectionStart connectEnd request requestStart responseStart response responseStart responseEnd domProcessing responseEnd domComplete load loadEventStart loadEventEnd".split(" ");

/** Resource spans per page load at most (bounded, DESIGN principle 4). */
const MAX_RESOURCE_SPANS = 250;

/**
 * Records the `documentLoad` span once the page has loaded: immediately when the navigation
 * entry's `loadEventEnd` is set, else after the `load` event (plus one task, since
 * `loadEventEnd` is only set when the load handlers have returned). Never throws; records
 * nothing where Navigation Timing or a document is missing.
 */
export function recordDocumentLoad(options: DocumentLoadOptions): void {
  const g = globalThis as { document?: { readyState?: string }; addEventListener?(type: string, fn: () => void, o: object): void };
  const nav = (): TimingEntry | undefined => perfEntries<TimingEntry>("navigation")[0];
  if (!g.document) return;
  const record = (): void => {
    try {
      const entry = nav();
      if (entry && entry.loadEventEnd! > 0) recordEntry(options, entry);
    } catch (err) {
      diagOnce("error", "rum.load", "recordDocumentLoad: could not record the page load.", err);
    }
  };
  const later = (): void => void setTimeout(record, 0);
  if (nav()?.loadEventEnd! > 0) record();
  else if (g.document.readyState === "complete" || !g.addEventListener) later();
  else g.addEventListener("load", later, { once: true });
}

/** The parent context from `<meta name="traceparent">` (+ `tracestate`), else the root context. */
export function metaParentContext(): Context {
  const meta = (name: string): string | undefined => {
    try {
      const value = (globalThis as { document?: Document }).document?.querySelector(`meta[name="${name}"]`)?.getAttribute("content");
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const header = meta("traceparent");
  const spanContext = header === undefined ? undefined : parseTraceParent(header);
  if (!spanContext) {
    if (header !== undefined) diagOnce("warn", "rum.meta", `RUM: ignoring an invalid <meta name="traceparent"> (${JSON.stringify(header.slice(0, 64))}).`);
    return ROOT_CONTEXT;
  }
  const state = meta("tracestate");
  return setSpanContext(ROOT_CONTEXT, state ? { ...spanContext, traceState: createTraceState(state) } : spanContext);
}

/** `url.full`, semconv `network.protocol.*` from the ALPN id ("h2", "h3", "http/1.1") and the response sizes of an entry. */
function fetchAttributes(entry: TimingEntry, redact: RedactPageUrl | undefined): Attributes {
  const m = /^(?:h(\d)|http\/(\d(?:\.\d)?))/.exec(entry.nextHopProtocol ?? "");
  const positive = (n: number | undefined): number | undefined => (n! > 0 ? n : undefined);
  return {
    "url.full": pageUrlFull(entry.name, redact),
    "network.protocol.name": m ? "http" : undefined,
    "network.protocol.version": m ? m[1] ?? m[2] : undefined,
    "http.response.status_code": positive(entry.responseStatus),
    // semconv: http.response.size is the whole response (headers + body), body.size the body.
    "http.response.size": positive(entry.transferSize),
    "http.response.body.size": positive(entry.encodedBodySize),
  };
}

function recordEntry({ tracer, redactUrl, resourceTimings }: DocumentLoadOptions, entry: TimingEntry): void {
  const attributes = fetchAttributes(entry, redactUrl);
  // Navigation Timing 2 §"NavigationTimingType": navigate, reload, back_forward, prerender.
  attributes["document.load.type"] = entry.type || undefined;
  const end = entry.loadEventEnd;
  const span = tracer.startSpan("documentLoad", { startTime: entry.startTime, attributes }, metaParentContext());
  const ctx = setSpan(ROOT_CONTEXT, span);
  for (const mark of ["domInteractive", "domContentLoadedEventStart", "domContentLoadedEventEnd", "domComplete"]) {
    if (entry[mark]! > 0) span.addEvent(mark, entry[mark]);
  }
  for (let i = 0; i < PHASES.length; i += 3) {
    const a = entry[PHASES[i + 1]!];
    const b = entry[PHASES[i + 2]!];
    const name = PHASES[i]!;
    const optional = name.endsWith("?");
    if (a! > 0 && b! >= a! && (b !== a || !optional)) tracer.startSpan(optional ? name.slice(0, -1) : name, { startTime: a }, ctx).end(b);
  }
  if (resourceTimings) {
    let count = 0;
    for (const r of perfEntries<TimingEntry>("resource")) {
      // Resources fetched during the page load only; fetch/XHR have their own CLIENT spans, beacons are ours.
      if (r.startTime > end! || /^(fetch|xmlhttprequest|beacon)$/.test(r.initiatorType!) || ++count > MAX_RESOURCE_SPANS) continue;
      const attrs = fetchAttributes(r, redactUrl);
      attrs["resource.initiator_type"] = r.initiatorType || undefined;
      tracer.startSpan("resourceFetch", { kind: 2 /* SpanKind.CLIENT */, startTime: r.startTime, attributes: attrs }, ctx).end(Math.max(r.startTime, r.responseEnd || r.startTime));
    }
  }
  span.end(end);
}
