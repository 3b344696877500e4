// What each feature and guarantee of the lean initRum() costs in the measured program
// (program-rum.ts, bundled for a page as measure.mjs does): the program is rebuilt with the
// code cut out of the sources (exact text replacements, checked to apply), and the difference
// in minified and gzip bytes printed. `node bench/lean/rum-costs.mjs`
import { printCosts } from "./costs.mjs";

/** feature → { file: [[text, replacement] or [from, through, replacement], …] } */
const VARIANTS = {
  "documentLoad span, its marks and phase spans": { "rum.ts": [["  if (o.documentLoad !== false) {", "  if (o.navigations !== false) {", "  if (o.navigations !== false) {"]] },
  "routeChange spans (pushState / replaceState / popstate)": { "rum.ts": [["  if (o.navigations !== false) {", "  // One page view", "  // One page view"]] },
  "web vitals (observers, CLS windows, INP, final values at hide) with their events and records": {
    "rum.ts": [['    if (o.webVitals !== false) guarded("webVitals", () => void (vitals = observeVitals(onReport, restoredAt)));\n', ""]],
  },
  "pageView span": { "rum.ts": [['    if (o.pageView !== false && doc) {', '        viewEnded = false;\n      });\n    }\n', ""]] },
  "back/forward-cache restore: a new page view and vitals": {
    "rum.ts": [["      else if ((event as PageTransitionEvent).persisted) onRestore(event.timeStamp); // a back/forward-cache restore: a new page view\n", ""]],
    "rum-vitals.ts": [["  if (restoredAt !== undefined) {\n    send(", "  if (0) {\n    send("]],
  },
  "prerendered page: view from activation": { "rum.ts": [["doc?.prerendering && win", "0"]] },
  "errors as log records (listeners, exception attributes, redaction, dedup, rate limit)": {
    "rum.ts": [["  if (o.errors !== false && win) {", "  // A request made outside any span", "  // A request made outside any span"]],
  },
  "  of which: dedup (200 keys) and the per-minute limit": { "rum.ts": [["        const frame =", "seen.values().next().value!);\n", ""]] },
  "the logs pipeline (queue, OTLP logs encoder, /v1/logs export)": {
    "rum.ts": [["    logs!.emit(r);\n", ""], ["        part: (target, resource) => (logs = createRumLogs(", "5e3)))),\n", ""]],
  },
  "traced XHR": { "rum.ts": [["  if (o.traceXhr !== false) {", "  // The page load leaves", "  // The page load leaves"]] },
  "fetch/XHR joining the page's trace (meta traceparent parent)": { "rum.ts": [["(getSpan(c) || !pageSpan ? c : setSpan(c, pageSpan))", "c"]] },
  "session.id (sessionStorage, 30 min inactivity) on spans and records": {
    "rum.ts": [
      ["  const session = o.session !== false && (sessionId(), true);", "  const session = false;"],
      ['    if (session) r.attributes["session.id"] ??= sessionId();\n', ""],
      ['session ? (span) => (span as unknown as { attributes: Attributes }).attributes["session.id"] ?? span.setAttribute("session.id", sessionId()) : undefined', "undefined"],
    ],
  },
  "browser resource attributes": { "rum.ts": [["{ ...browserResource(), ...o.resourceAttributes }", "o.resourceAttributes"]] },
  "page load exported in idle time after load": { "rum.ts": [["  // The page load leaves", "  let stopped", "  let stopped"]] },
  "RUM option checks": { "rum.ts": [["  check(options);\n", ""]] },
};

await printCosts("program-rum.ts", "browser", VARIANTS, "feature / guarantee");
