// What each feature and guarantee of the lean initRum() costs in the measured program
// (program-rum.ts, bundled for a page as measure.mjs does): the program is rebuilt with the
// code cut out of the sources (exact text replacements, checked to apply), and the difference
// in minified and gzip bytes printed. `node bench/lean/rum-costs.mjs`
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const here = new URL(".", import.meta.url).pathname;
const settings = { bundle: true, minify: true, format: "esm", target: "es2022", write: false, platform: "browser", legalComments: "none", logLevel: "silent" };

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

/** Applies `edits` as an esbuild plugin; throws when a text is not found. */
function edited(edits) {
  return {
    name: "edits",
    setup(b) {
      b.onLoad({ filter: /bench\/lean\/[\w-]+\.ts$/ }, (args) => {
        const file = args.path.slice(args.path.lastIndexOf("/") + 1);
        let text = readFileSync(args.path, "utf8");
        for (const edit of edits[file] ?? []) {
          const [from, to] = edit.length == 2 ? edit : [edit[0], edit[2]];
          const i = text.indexOf(from);
          const j = edit.length == 2 ? i + from.length : text.indexOf(edit[1], i + from.length) + (edit[1] == to ? 0 : edit[1].length);
          if (i < 0 || j < i + from.length) throw new Error(`${file}: text not found: ${from.slice(0, 80)}`);
          text = text.slice(0, i) + to + text.slice(edit.length == 2 ? j : edit[1] == to ? text.indexOf(edit[1], i + from.length) + edit[1].length : j);
        }
        return { contents: text, loader: "ts" };
      });
    },
  };
}

async function size(edits) {
  const r = await build({ ...settings, entryPoints: [here + "program-rum.ts"], plugins: [edited(edits)] });
  const code = r.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const base = await size({});
console.log(`program-rum.ts: ${base.min} B min, ${base.gzip} B gzip`);
console.log("feature / guarantee → bytes it costs in the program (min / gzip)");
for (const [name, edits] of Object.entries(VARIANTS)) {
  const s = await size(edits);
  console.log(`  ${String(base.min - s.min).padStart(5)} / ${String(base.gzip - s.gzip).padStart(4)}  ${name}`);
}
