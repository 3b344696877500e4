// What each guarantee of the lean Prometheus exposition costs in the measured program
// (program-prometheus.ts, bundled for node as measure.mjs does): the program is rebuilt with the
// guarantee's code cut out of the sources (exact text replacements, checked to apply), and the
// difference in minified and gzip bytes printed. `node bench/lean/prometheus-costs.mjs`
import { printCosts } from "./costs.mjs";

const NO_GZIP = {
  "prometheus-http.ts": [
    ["/** True when `Accept-Encoding` accepts gzip. */\n", "  return (gzip >= 0 ? gzip : bestQ(header, (t) => t == \"*\")) > 0;\n}\n", ""],
    ["      const gzip = options.compression != false", "\n", ""],
    ['      if (gzip) headers["Content-Encoding"] = "gzip";\n', ""],
    ['        if (gzip) body = body.pipeThrough(new CompressionStream("gzip"));\n', ""],
  ],
};

/** guarantee → { file: [[text, replacement] or [from, through, replacement], …] } */
const VARIANTS = {
  "gzip (Accept-Encoding with q-values, CompressionStream)": NO_GZIP,
  "streaming (64 K slices, a turn of the event loop between them; drain and client-gone in the adapter) vs one buffered body": {
    "prometheus-http.ts": [
      ["/** A full turn of the event loop", "    cancel: () => void slices.return(),\n  });\n}\n", ""],
      ['import { render, type', 'import { renderText, type'],
      ["body = renderStream([collected], om, options);", "body = new Blob([renderText([collected], om, options)]).stream();"],
      ['      const stream = method == "HEAD" ? null : response.body;\n', "      res.end();\n    } catch", '      res.end(method == "HEAD" ? undefined : new Uint8Array(await response.arrayBuffer()));\n    } catch'],
    ],
    "prometheus.ts": [["        if (out.length >= slice) {\n", "        }\n", ""]],
  },
  "bounded request body in the adapter (1 MiB, then 413)": {
    "prometheus-http.ts": [
      ["/** Largest request body buffered", "    req.on(\"error\", reject);\n  });\n", ""],
      ["      if (read) req.resume?.();\n", "      req.resume?.();\n"],
      ["read ? undefined : await readBody(req)", "undefined"],
      ["      const big = error instanceof RangeError;\n", "      const big = 0;\n"],
    ],
  },
  "q-value negotiation (RFC 9110) vs substring tests (gzip kept)": {
    "prometheus-http.ts": [
      ["/** The highest q among", "  return (gzip >= 0 ? gzip : bestQ(header, (t) => t == \"*\")) > 0;\n}\n",
        'export const prefersOpenMetrics = (accept: string | null): boolean => !!accept?.includes("application/openmetrics-text");\nexport const acceptsGzip = (h: string | null): boolean => !!h?.includes("gzip");\n'],
    ],
  },
  "never throwing to the server (500, constant body; cut connection mid-body)": {
    "prometheus-http.ts": [
      ["  return async (request) => {\n    try {\n", "  return async (request) => {\n    {\n"],
      ["    } catch {\n      warnOnce(\"prometheusHandler: collection failed; 500\");\n      return plain(500, \"Internal Server Error\\n\");\n    }\n", "    }\n"],
      ["  return async (req, res) => {\n    try {\n", "  return async (req, res) => {\n    {\n"],
      ["    } catch (error) {\n", "        res.destroy?.();\n      }\n    }\n", "    }\n"],
    ],
  },
  "UCUM unit words (the translator's table) vs units sanitized as they are": {
    "prometheus.ts": [
      ["const UNITS = /* @__PURE__ */ words(\n", "\n);\n", "const UNITS = new Map();\n"],
      ['words("s:second m:minute h:hour d:day w:week mo:month y:year")', "new Map()"],
    ],
  },
  "colliding label keys merged (values joined by ;)": {
    "prometheus.ts": [["    else if (sorted) values[i] += \";\" + text;\n    else return labelPairs(attributes, reserved, onReserved, true);\n", ""]],
  },
  "label-key cache (speed: 4096 keys)": {
    "prometheus.ts": [["const keys = new Map<string, string>();\n", "(sanitize(key));\n", "const labelOf = sanitize;\n"]],
  },
  "family TYPE / sample-name clashes and repeated series dropped": {
    "prometheus.ts": [
      ["        const existing = found.get(family);\n", "        found.set(family, [family, type, w, description, [[metric, scopeLabels]]]);\n", "        const existing = found.get(family);\n        if (existing) existing[4].push([metric, scopeLabels]);\n        else found.set(family, [family, type, w, description, [[metric, scopeLabels]]]);\n"],
      ["  const claimed = new Map<string, string>();\n", ""],
      ['  if (!options.withoutTargetInfo) claimed.set("target_info", "target_info").set("target", "target_info");\n', ""],
      ["        if (seen.has(labels)) {\n", "        seen.add(labels);\n", ""],
    ],
  },
  "auth (bearer / Basic, constant-time check, 401; invalid auth throws)": {
    "prometheus-http.ts": [
      ["/**\n * [scheme (lower case), credentials, challenge]", "  return !diff;\n}\n", ""],
      ["  const auth = options.auth !== undefined ? expected(options.auth) : undefined;\n", ""],
      ["      if (auth) {\n", "Cache-Control\": \"no-store\" });\n      }\n", ""],
    ],
  },
  "handler options (openMetrics mode, compression) and their TypeError": {
    "prometheus-http.ts": [
      ['  const mode = options.openMetrics ?? "negotiate";\n', ""],
      ['  if (!/^(negotiate|always|never)$/.test(mode)) invalid("openMetrics");\n', ""],
      ['const om = mode == "always" || (mode == "negotiate" && prefersOpenMetrics(request.headers.get("accept")));', 'const om = prefersOpenMetrics(request.headers.get("accept"));'],
      ["options.compression != false && ", ""],
    ],
  },
  "MeterProvider class (vs createMeterProvider)": {
    "program-prometheus.ts": [
      ['import { MeterProvider } from "./meter-provider.ts";', 'import { createMeterProvider } from "./metrics.ts";'],
      ["new MeterProvider()", 'createMeterProvider({ resource: { attributes: { "service.name": "unknown_service" } } })'],
    ],
  },
  "global metrics API (proxies; vs meterProvider.getMeter)": {
    "program-prometheus.ts": [
      ['import { metrics } from "./metrics-api.ts";\n', ""],
      ["metrics.setGlobalMeterProvider(meterProvider);\n", ""],
      ['metrics.getMeter("checkout")', 'meterProvider.getMeter("checkout")'],
    ],
  },
};

await printCosts("program-prometheus.ts", "node", VARIANTS);
