// bench/lean/prometheus.ts + prometheus-http.ts + meter-provider.ts against the product's
// Prometheus exposition (src/export/prometheus/*, the oracle):
// - the renderer: random collections (every data point type the lean SDK produces, hostile and
//   UTF-8 names, units, descriptions, label keys colliding after sanitizing, reserved labels,
//   label values with quotes / newlines / backslashes, NaN / ±Inf, several scopes and resources,
//   type and name clashes, delta streams, the render options) give the same text in both formats;
// - the whole pipeline: the same measurements on the product's MeterProvider + prometheusHandler
//   and on the lean ones give the same response body and headers;
// - content negotiation: the same format and gzip decision for a table of Accept /
//   Accept-Encoding headers (and random ones);
// - node:http: the same status, headers and (decompressed) body through toNodeListener for
//   GET / HEAD / POST / other methods, bodies over 1 MiB, handlers that throw or fail mid-body;
// - streaming: slices with a turn of the event loop between them, rendering stopped when the
//   client goes away;
// - promtool (when installed): `promtool check metrics` accepts the lean text.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { diag } from "../../src/common/diag.ts";
import { MeterProvider as ProductMeterProvider } from "../../src/metrics/meter-provider.ts";
import type { MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { renderOpenMetrics, renderPrometheusText, type PrometheusRenderOptions } from "../../src/export/prometheus/text-format.ts";
import { prometheusHandler as productHandler } from "../../src/export/prometheus/handler.ts";
import { toNodeListener as productListener } from "../../src/export/prometheus/node-listener.ts";
import { acceptsGzip as productGzip, prefersOpenMetrics as productPrefers } from "../../src/export/prometheus/negotiate.ts";
import { escapeHelp as productEscapeHelp, escapeLabelValue as productEscapeLabel, mapMetricName, renderLabelPairs, unitToSuffix } from "../../src/export/prometheus/name-mapping.ts";
import { connect } from "node:net";
import { escapeLabelValue, familyName, labelPairs, render, renderText, unitWord } from "../../bench/lean/prometheus.ts";
import { acceptsGzip, prefersOpenMetrics, prometheusHandler, renderStream, toNodeListener } from "../../bench/lean/prometheus-http.ts";
import { MeterProvider } from "../../bench/lean/meter-provider.ts";
import { createMeterProvider } from "../../bench/lean/metrics.ts";

diag.disable();
const warnings: string[] = [];
console.warn = (m: string) => void warnings.push(m);

/** A seeded PRNG (mulberry32), so a failing round can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** A response's headers as [name, value] pairs (sorted, lower-case names: the Headers order). */
function list(headers: Headers): string[][] {
  const out: string[][] = [];
  headers.forEach((v, k) => void out.push([k, v]));
  return out;
}

function same(lean: string, oracle: string, what: string): void {
  if (lean === oracle) return;
  let i = 0;
  while (i < lean.length && lean[i] === oracle[i]) i++;
  assert.unreachable(`${what}: differs at ${i}:\n lean: …${JSON.stringify(lean.slice(Math.max(0, i - 160), i + 120))}\n ours: …${JSON.stringify(oracle.slice(Math.max(0, i - 160), i + 120))}`);
}

// Hostile material: UTF-8, names that sanitize alike, leading digits, `_total`, reserved labels.
const NAMES = ["http.server.request.duration", "orders.placed", "requests_total", "requests", "requests.total", "ü.count", "日本語", "1st.metric", "a..b", "__x__", "", "_", "a:b", "le", "target.info", "target", "x_bucket", "x", "x.sum", "naïve café", "\ud800lone", "a\nb", "q\"uote", "back\\slash"];
const UNITS = ["", "s", "ms", "{order}", "1", "By", "KiBy", "m/s", "1/s", "{req}/s", "By/{x}", "%", "Cel", "weird unit", "5x", "_", "constructor", "toString", "  s  ", "/", "requests"];
const DESCRIPTIONS = ["", " ", "Request duration", 'a "quoted" help', "line\nbreak", "back\\slash \\n", "ünïcödé ✓", "\t"];
const KEYS = ["method", "http.request.method", "http_request_method", "http-request-method", "le", "otel_scope_name", "otel.scope.name", "otel_scope_version", "quantile", "1", "2x", "ü", "日本", "", "_", "__", "a b", "a_b", "__proto__", "status"];
const VALUES = ["GET", "", 'say "hi"', "line\nbreak", "back\\slash", "\\\"\n", "ünïcödé", "\ud800", "x".repeat(200), 0, 1, -2.5, NaN, Infinity, true, false, [1, 2], ["a", "b\"c"], [true], [] as string[]];
const NUMBERS = [0, 1, 2, 2.5, -1, -0.5, 1e21, 1e-7, 123456789012, NaN, Infinity, -Infinity, -0];

function attributes(r: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const k = pick(r, KEYS);
    const v = r() < 0.05 ? undefined : pick(r, VALUES);
    Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
  }
  return out;
}

const BOUNDS = [[], [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000], [1, 10, 100], [-1, 0, 0.5, 1e21, 2 ** 60], [0.005, 0.01, 0.25, 1.5]];

function metric(r: () => number): MetricData {
  const descriptor = { name: pick(r, NAMES), unit: pick(r, UNITS), description: pick(r, DESCRIPTIONS), type: "counter", valueType: 1 } as MetricData["descriptor"];
  const kind = pick(r, ["counter", "updown", "gauge", "histogram", "histogram", "delta"] as const);
  const points = Math.floor(r() * 4);
  const dataPoints = [];
  const boundaries = pick(r, BOUNDS);
  for (let i = 0; i < points; i++) {
    let value: unknown = pick(r, NUMBERS);
    if (kind === "counter") value = Math.abs(value as number);
    if (kind === "histogram") {
      const bucketCounts = [...boundaries, 0].map(() => Math.floor(r() * 5));
      const count = bucketCounts.reduce((a, b) => a + b, 0);
      const min = r() < 0.3 ? -1.5 : r() < 0.1 ? undefined : 0.25;
      value = { count, sum: pick(r, NUMBERS), min, max: 9, boundaries, bucketCounts };
    }
    dataPoints.push({ attributes: attributes(r), startTime: 1, time: 2, value, exemplars: [] });
  }
  if (kind === "gauge") return { descriptor, dataPointType: "gauge", dataPoints } as unknown as MetricData;
  if (kind === "histogram") return { descriptor, dataPointType: "histogram", temporality: "cumulative", dataPoints } as unknown as MetricData;
  return { descriptor, dataPointType: "sum", temporality: kind === "delta" ? "delta" : "cumulative", isMonotonic: kind !== "updown", dataPoints } as unknown as MetricData;
}

function collections(r: () => number): ResourceMetrics[] {
  const out: ResourceMetrics[] = [];
  const n = 1 + Math.floor(r() * 2);
  for (let i = 0; i < n; i++) {
    const scopeMetrics = [];
    const scopes = Math.floor(r() * 3);
    for (let s = 0; s < scopes; s++) {
      const metrics = [];
      for (let m = Math.floor(r() * 6); m > 0; m--) metrics.push(metric(r));
      scopeMetrics.push({ scope: { name: pick(r, ["checkout", "", 'we"ird\n\\scope', "ünï"]), version: pick(r, [undefined, "", "1.2.3", 'v"\n']) }, metrics });
    }
    const bare: object = {}; // a resource without attributes
    const resource = r() < 0.1 ? bare : { attributes: r() < 0.2 ? {} : { "service.name": pick(r, ["shop", 'a "b"\n\\c']), ...attributes(r) } };
    out.push({ resource, scopeMetrics } as unknown as ResourceMetrics);
  }
  return out;
}

const OPTIONS: PrometheusRenderOptions[] = [{}, { withoutScopeInfo: true }, { withoutTargetInfo: true }, { withoutCounterSuffixes: true }, { withoutScopeInfo: true, withoutTargetInfo: true, withoutCounterSuffixes: true }];

test("renderer: random collections give the product's text in both formats, with every option", () => {
  let nonEmpty = 0;
  for (let seed = 1; seed <= 1500; seed++) {
    const r = rng(seed);
    const data = collections(r);
    const options = pick(r, OPTIONS);
    const text = renderPrometheusText(data, options);
    same(renderText(data, false, options), text, `seed ${seed} text 0.0.4`);
    same(renderText(data, true, options), renderOpenMetrics(data, options), `seed ${seed} OpenMetrics`);
    if (text.includes("_bucket{")) nonEmpty++;
  }
  assert.ok(nonEmpty > 300, `histograms rendered in ${nonEmpty} rounds`);
});

test("renderer: spec cases (units, _total, le, target_info, escaping, merged keys, reserved labels, clashes, delta)", () => {
  const scope = { name: 'sc"ope', version: "1.0" };
  const m = (name: string, unit: string, rest: Record<string, unknown>, attrs: Record<string, unknown> = {}, value: unknown = 3): MetricData =>
    ({ descriptor: { name, unit, description: "", type: "counter", valueType: 1 }, dataPoints: [{ attributes: attrs, startTime: 0, time: 0, value, exemplars: [] }], ...rest }) as unknown as MetricData;
  const counter = { dataPointType: "sum", temporality: "cumulative", isMonotonic: true };
  const data = [
    {
      resource: { attributes: { "service.name": "shop" } },
      scopeMetrics: [
        {
          scope,
          metrics: [
            m("orders.placed", "{order}", counter, { "a.b": "x", a_b: "y", le: "kept: le is reserved in histograms only" }),
            m("http.requests_total", "s", counter),
            m("ratio", "1", { dataPointType: "gauge" }, { v: 'q"\n\\' }),
            m("speed", "m/s", { dataPointType: "gauge" }),
            m("delta.sum", "", { ...counter, temporality: "delta" }),
            m("orders.placed", "{order}", { dataPointType: "gauge" }),
            m("clash", "", { dataPointType: "gauge" }),
            m("clash_total", "", { dataPointType: "gauge" }),
            m("clash", "", counter),
            m("other", "", { dataPointType: "gauge" }),
            m("other", "", counter),
            m("other.total", "", counter),
            m("lat", "s", { dataPointType: "histogram", temporality: "cumulative" }, { le: "x", otel_scope_name: "y" }, { count: 3, sum: 1.5, min: 0, max: 1, boundaries: [0.5, 1], bucketCounts: [1, 2, 0] }),
          ],
        },
      ],
    },
  ] as unknown as ResourceMetrics[];
  for (const om of [false, true]) same(renderText(data, om), om ? renderOpenMetrics(data) : renderPrometheusText(data), `om=${om}`);
  const text = renderText(data, false);
  assert.ok(text.includes('target_info{service_name="shop"} 1'));
  assert.ok(text.includes('orders_placed_total{a_b="x;y",le="kept: le is reserved in histograms only",otel_scope_name="sc\\"ope",otel_scope_version="1.0"} 3'), text);
  assert.ok(text.includes("http_requests_seconds_total{"));
  assert.ok(text.includes('ratio{v="q\\"\\n\\\\"'));
  assert.ok(text.includes("speed_meters_per_second{"));
  assert.not.ok(text.includes("delta_sum"));
  assert.ok(text.includes('lat_seconds_bucket{otel_scope_name="sc\\"ope",otel_scope_version="1.0",le="+Inf"} 3'), text);
  assert.ok(renderText(data, true).includes('le="0.5"} 1') && renderText(data, true).includes('le="1.0"} 3') && renderText(data, true).endsWith("# EOF\n"));
  assert.ok(warnings.some((w) => w.includes("delta")) && warnings.some((w) => w.includes("clash")) && warnings.some((w) => w.includes("reserved")));
});

test("names, units, label pairs: the product's mapping (spec table, a/b, annotations, _total before the unit, merged keys)", () => {
  const names = [...NAMES, "http.server.duration", "request_duration_seconds", "system.memory.utilization", "cache.hits", "cpu.time_total", "seconds_until_x", "net.io", "(lambda).function.executions(#)", "café", "_total", "x_total_total", "ratio"];
  const units = [...UNITS, "us", "min", "h", "d", "MiBy", "GiBy", "TiBy", "KBy", "GBy", "TB", "V", "A", "J", "W", "g", "Hz", "By/s", "By{compressed}", "foo-bar", "m/{x}", "/s", "1/", "a/b/c", "{a}{b}", " {x} ", "w", "mo", "s/mo", "hasOwnProperty", "__proto__"];
  for (const name of names)
    for (const unit of units)
      for (const kind of ["counter", "gauge", "other"] as const) {
        const { family, unit: word } = mapMetricName(name, unit, kind);
        assert.equal(familyName(name, unit, kind), [family, word], `${name} ${unit} ${kind}`);
      }
  for (const unit of units) for (const gauge of [false, true]) assert.is(unitWord(unit, gauge), unitToSuffix(unit, gauge), unit);
  const r = rng(17);
  for (let i = 0; i < 3000; i++) {
    const a = attributes(r);
    const reserved = pick(r, [undefined, ["le"], ["otel_scope_name", "otel_scope_version", "le"]]);
    assert.is(labelPairs(a as never, reserved), renderLabelPairs(a as never, reserved && new Set(reserved)), JSON.stringify(a));
  }
  for (const v of VALUES.filter((x): x is string => typeof x == "string")) {
    assert.is(escapeLabelValue(v), productEscapeLabel(v));
    for (const om of [false, true]) assert.ok(renderText([{ resource: {}, scopeMetrics: [{ scope: { name: "s" }, metrics: [{ descriptor: { name: "m", unit: "", description: v, type: "gauge", valueType: 1 }, dataPointType: "gauge", dataPoints: [{ attributes: {}, startTime: 0, time: 0, value: 1, exemplars: [] }] }] }] } as never], om).includes(productEscapeHelp(v, om)) || !v.trim());
  }
});

test("each GET collects; HEAD collects; 405 and 401 do not collect", async () => {
  let calls = 0;
  const lean = new MeterProvider();
  lean.getMeter("s").createObservableGauge("temp").addCallback((o) => (calls++, o.observe(21.5)));
  const open = prometheusHandler(lean);
  const guarded = prometheusHandler({ meterProvider: lean }, { auth: { bearerToken: "tok" } });
  assert.ok((await (await open(new Request("http://x/"))).text()).includes('temp{otel_scope_name="s"} 21.5\n'));
  await open(new Request("http://x/", { method: "HEAD" }));
  assert.is(calls, 2);
  assert.is((await open(new Request("http://x/", { method: "POST" }))).status, 405);
  assert.is((await guarded(new Request("http://x/", { headers: { authorization: "Bearer nope" } }))).status, 401);
  assert.is(calls, 2);
  assert.is((await guarded(new Request("http://x/", { headers: { authorization: "Bearer tok" } }))).status, 200);
  assert.is(calls, 3);
});

test("raw socket through toNodeListener: hostile request line and headers are not reflected", async () => {
  const MARK = "zqx";
  const [server, port] = await serve(toNodeListener(prometheusHandler(new MeterProvider(), { auth: { bearerToken: "tok-Secret_1" } })) as never);
  const send = (raw: string) =>
    new Promise<string>((resolve, reject) => {
      const sock = connect(port, "127.0.0.1", () => sock.write(raw));
      let data = "";
      sock.on("data", (d) => (data += d));
      sock.on("end", () => resolve(data));
      sock.on("error", reject);
    });
  try {
    const path = `/metrics/%3Cscript%3E${MARK}?x=<script>${MARK}</script>&y=%0d%0aSet-Cookie:${MARK}`;
    for (const auth of ["", `Authorization: Bearer <script>${MARK}</script>\r\n`, `Authorization: Basic ${MARK}\r\n`, "Authorization: Bearer tok-Secret_1\r\n"]) {
      const reply = await send(`GET ${path} HTTP/1.1\r\nHost: ${MARK}.example\r\nAccept: text/html;q=${MARK}\r\nX-Evil: ${MARK + "A".repeat(8000)}\r\n${auth}Connection: close\r\n\r\n`);
      assert.is(reply.startsWith("HTTP/1.1 200"), auth.includes("tok-Secret_1"), reply.slice(0, 200));
      assert.ok(/^HTTP\/1\.1 (200|401) /.test(reply));
      assert.not.ok(reply.includes(MARK) || reply.includes("tok-Secret") || /set-cookie/i.test(reply), reply.slice(0, 300));
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

// Measurements on both SDKs (the product's MeterProvider with its handler's reader, the lean one).
type Inst = { add(v: number, a?: object): void; record(v: number, a?: object): void };
const SDK_NAMES = ["orders.placed", "http.server.request.duration", "queue.depth", "ratio", "Ünïcode.ignored", "requests_total", "requests"];

test("pipeline: the same measurements give the same /metrics response (body and headers) through both SDKs and handlers", async () => {
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed * 7919);
    const resource = { attributes: { "service.name": pick(r, ["checkout", 'we"ird\n']), "deployment.environment": "prod" } };
    const product = new ProductMeterProvider({ resource, exemplarFilter: "always_off" });
    const lean = new MeterProvider({ resource });
    const ph = productHandler(product);
    const lh = prometheusHandler({ meterProvider: lean });
    const instruments: [Inst, Inst, string][] = [];
    for (let i = 1 + Math.floor(r() * 5); i > 0; i--) {
      const kind = pick(r, ["Counter", "UpDownCounter", "Histogram", "Gauge"] as const);
      const name = pick(r, SDK_NAMES);
      const opts = { unit: pick(r, ["", "s", "{order}", "1", "By"]), description: pick(r, DESCRIPTIONS) };
      const meter = pick(r, [["checkout", undefined], ["lib", "2.0"]] as [string, string | undefined][]);
      const method = ("create" + kind) as "createCounter";
      instruments.push([product.getMeter(...meter)[method](name, opts) as unknown as Inst, lean.getMeter(...meter)[method](name, opts) as unknown as Inst, kind]);
    }
    for (let i = Math.floor(r() * 30); i > 0; i--) {
      const [p, l, kind] = pick(r, instruments);
      const v = pick(r, [0, 1, 2.5, 7, 0.004, 12000, 3]) * (kind === "UpDownCounter" || kind === "Gauge" ? pick(r, [1, -1]) : 1);
      // Without the empty key: the lean SDK drops it, the product keeps it (metrics.ts, "Differences").
      const a = Object.fromEntries(Object.entries(attributes(r)).filter(([k]) => k !== ""));
      const method = kind === "Histogram" ? "record" : "add";
      p[method](v, a);
      l[method](v, a);
    }
    for (const accept of [undefined, "application/openmetrics-text; version=1.0.0", "text/plain"]) {
      const req = () => new Request("http://localhost/metrics", { headers: accept ? { accept } : {} });
      const [po, lo] = await Promise.all([ph(req()), lh(req())]);
      assert.is(lo.status, po.status);
      assert.equal(list(lo.headers), list(po.headers), `seed ${seed} headers`);
      same(await lo.text(), await po.text(), `seed ${seed} accept ${accept}`);
    }
  }
});

const ACCEPTS: (string | null)[] = [
  null, "", "*/*", "text/plain", "text/plain;version=0.0.4", "text/plain; version=0.0.5", "text/*",
  "application/openmetrics-text", "application/openmetrics-text; version=1.0.0", "application/openmetrics-text; version=0.0.1",
  "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1",
  "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.6",
  "application/openmetrics-text;q=0.5, text/plain;q=0.5", "application/openmetrics-text;q=0", "application/openmetrics-text;q=abc",
  "application/openmetrics-text;q=", "application/openmetrics-text;q=Infinity", "application/openmetrics-text;q=2, text/plain",
  "APPLICATION/OPENMETRICS-TEXT; VERSION=\"1.0.0\"", "application/openmetrics-text; q=0.3; version=1.0.0, */*; q=0.2",
  "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
  ",,;;=,", "application/openmetrics-text;=1.0.0", "application/openmetrics-text;version", " application/openmetrics-text , text/plain;q=1",
];
const ENCODINGS: (string | null)[] = [null, "", "gzip", "GZIP", "x-gzip", "gzip;q=0", "gzip;q=0, *", "*", "*;q=0", "br, deflate", "deflate, gzip;q=0.1", "identity", "gzip; q=abc", "*;q=0.5, gzip;q=0"];

test("negotiation: the product's format and gzip decisions for a table of headers and random ones", async () => {
  for (const a of ACCEPTS) assert.is(prefersOpenMetrics(a), productPrefers(a), `accept ${a}`);
  for (const e of ENCODINGS) assert.is(acceptsGzip(e), productGzip(e), `accept-encoding ${e}`);
  const r = rng(99);
  const parts = ["application/openmetrics-text", "text/plain", "text/*", "*/*", "gzip", "*", "x", ";", ",", "q=", "0", "0.5", "1", "version=", "1.0.0", "0.0.4", " ", '"', "=", "e"];
  for (let i = 0; i < 20000; i++) {
    let h = "";
    for (let n = Math.floor(r() * 12); n > 0; n--) h += pick(r, parts);
    assert.is(prefersOpenMetrics(h), productPrefers(h), `accept ${JSON.stringify(h)}`);
    assert.is(acceptsGzip(h), productGzip(h), `accept-encoding ${JSON.stringify(h)}`);
  }
  // And through the handlers: Content-Type, Content-Encoding, Vary.
  const rm = collections(rng(5))[0]!;
  const ph = productHandler({ collect: async () => ({ resourceMetrics: rm }) });
  const lh = prometheusHandler({ collect: async () => rm });
  for (const accept of ACCEPTS)
    for (const encoding of ENCODINGS.slice(0, 6)) {
      const headers: Record<string, string> = {};
      if (accept !== null) headers.accept = accept;
      if (encoding !== null) headers["accept-encoding"] = encoding;
      const [po, lo] = await Promise.all([ph(new Request("http://x/", { headers })), lh(new Request("http://x/", { headers }))]);
      assert.equal(list(lo.headers), list(po.headers), `${accept} / ${encoding}`);
      const body = async (res: Response) => {
        const bytes = new Uint8Array(await res.arrayBuffer());
        return (res.headers.get("content-encoding") ? gunzipSync(bytes) : Buffer.from(bytes)).toString();
      };
      same(await body(lo), await body(po), `${accept} / ${encoding}`);
    }
});

test("handler options: openMetrics always/never, compression false, configuration errors throw", async () => {
  const rm = collections(rng(11))[0]!;
  const get = (h: (r: Request) => Promise<Response>) => h(new Request("http://x/", { headers: { accept: "application/openmetrics-text", "accept-encoding": "gzip" } }));
  for (const openMetrics of ["always", "never", "negotiate"] as const)
    for (const compression of [true, false]) {
      const [po, lo] = await Promise.all([get(productHandler({ collect: async () => ({ resourceMetrics: rm }) }, { openMetrics, compression })), get(prometheusHandler({ collect: async () => rm }, { openMetrics, compression }))]);
      assert.equal(list(lo.headers), list(po.headers), `${openMetrics} ${compression}`);
    }
  assert.throws(() => prometheusHandler({} as never), TypeError);
  assert.throws(() => prometheusHandler(null as never), TypeError);
  assert.throws(() => prometheusHandler({ meterProvider: new MeterProvider() }, { openMetrics: "sometimes" as never }), TypeError);
  assert.throws(() => new MeterProvider({ cardinalityLimit: 0 }), RangeError);
  // A collection that fails: 500, constant body, never a rejection.
  const failing = prometheusHandler({ collect: () => Promise.reject(new Error("boom")) });
  const res = await failing(new Request("http://x/"));
  assert.is(res.status, 500);
  assert.is(await res.text(), "Internal Server Error\n");
});

test("auth: the product's 401 / 200 decisions and headers for bearer and Basic credentials; invalid auth throws as the product's", async () => {
  const rm = collections(rng(8))[0]!;
  const configs: unknown[] = [
    { bearerToken: "s3cret" }, { bearerToken: "a-b.c~d" }, { basic: { username: "ü", password: "pä:ss" } }, { basic: { username: "u", password: "" } },
    null, {}, "token", 5, { bearerToken: "" }, { bearerToken: "with space" }, { bearerToken: "naïve" }, { bearerToken: 5 }, { bearerToken: undefined, basic: { username: "u", password: "p" } },
    { basic: { username: "a:b", password: "p" } }, { basic: { username: "u" } }, { basic: null }, { basic: { username: 1, password: "p" } },
  ];
  const basic = (u: string, p: string) => "Basic " + Buffer.from(u + ":" + p).toString("base64");
  const headers = [undefined, "", "Bearer s3cret", "bearer s3cret", "BEARER   s3cret  ", "Bearer s3cre", "Bearer s3crett", "Bearer", "Bearer a-b.c~d", "Basic s3cret", "Token s3cret", basic("ü", "pä:ss"), basic("u", ""), basic("u", "x"), "basic " + Buffer.from("ü:pä:ss").toString("base64"), " Bearer s3cret", "Bearer  s3cret extra"];
  let constructed = 0;
  for (const auth of configs) {
    let productError: unknown;
    let leanError: unknown;
    let ph: ((r: Request) => Promise<Response>) | undefined;
    let lh: ((r: Request) => Promise<Response>) | undefined;
    try {
      ph = productHandler({ collect: async () => ({ resourceMetrics: rm }) }, { auth: auth as never });
    } catch (e) {
      productError = e;
    }
    try {
      lh = prometheusHandler({ collect: async () => rm }, { auth: auth as never });
    } catch (e) {
      leanError = e;
    }
    assert.is(leanError?.constructor, productError?.constructor, `auth ${JSON.stringify(auth)}: ${leanError} / ${productError}`);
    if (!ph || !lh) continue;
    constructed++;
    for (const authorization of headers) {
      const h: Record<string, string> = authorization === undefined ? {} : { authorization };
      const [po, lo] = await Promise.all([ph(new Request("http://x/", { headers: h })), lh(new Request("http://x/", { headers: h }))]);
      assert.is(lo.status, po.status, `${JSON.stringify(auth)} ${authorization}`);
      assert.equal(list(lo.headers), list(po.headers));
      same(await lo.text(), await po.text(), `${JSON.stringify(auth)} ${authorization}`);
    }
  }
  assert.is(constructed, 4);
});

// node:http: a server for each adapter over the same handler; requests compared on status, headers (not Date) and body.
async function serve(listener: (req: never, res: never) => void): Promise<[Server, number]> {
  const server = createServer(listener as never);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return [server, (server.address() as AddressInfo).port];
}
function call(port: number, method: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, headers, path: "/metrics" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      const done = (error?: string) => {
        const h = { ...res.headers };
        delete h.date;
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: h, body: (h["content-encoding"] === "gzip" && !error && raw.length ? gunzipSync(raw) : raw).toString(), error });
      };
      res.on("end", () => done());
      res.on("error", (e) => done(e.message));
      res.on("aborted", () => done("aborted"));
    });
    req.on("error", (e) => resolve({ status: 0, headers: {}, body: "", error: e.message }));
    req.end(body);
  });
}

test("node:http: the product adapter's status, headers and body for GET, HEAD, POST, other methods, big bodies, failing handlers", async () => {
  const data = collections(rng(3))[0]!;
  const ph = productHandler({ collect: async () => ({ resourceMetrics: data }) });
  const lh = prometheusHandler({ collect: async () => data });
  const echo = async (req: Request) => new Response(`${req.method} ${new URL(req.url).pathname} ${req.headers.get("x-a")} ${(await req.text()).length}`, { status: 201, headers: { "x-b": "1" } });
  const thrower = () => {
    throw new Error("sync");
  };
  const rejecter = async () => Promise.reject(new Error("async"));
  const midBody = async () =>
    new Response(new ReadableStream({ pull(c) { c.enqueue(new TextEncoder().encode("part")); c.error(new Error("mid")); } }), { headers: { "content-type": "text/plain" } });
  const pairs: [(r: Request) => unknown, (r: Request) => unknown, string][] = [[ph, lh, "metrics"], [echo, echo, "echo"], [thrower, thrower, "throws"], [rejecter, rejecter, "rejects"], [midBody, midBody, "mid-body"]];
  const big = Buffer.alloc((1 << 20) + 5, 97);
  const small = Buffer.from("hello ü");
  for (const [p, l, what] of pairs) {
    const [[ps, pport], [ls, lport]] = await Promise.all([serve(productListener(p as never) as never), serve(toNodeListener(l as never) as never)]);
    try {
      const cases: [string, Record<string, string>, Buffer?][] = [
        ["GET", {}], ["GET", { accept: "application/openmetrics-text", "accept-encoding": "gzip" }], ["HEAD", {}], ["HEAD", { "accept-encoding": "gzip" }],
        ["POST", { "x-a": "z" }, small], ["POST", {}, big], ["PUT", {}], ["DELETE", {}], ["OPTIONS", {}], ["get", {}], ["GET", { host: "[bad" }],
      ];
      for (const [method, headers, body] of cases) {
        const [po, lo] = await Promise.all([call(pport, method, headers, body), call(lport, method, headers, body)]);
        assert.equal(lo, po, `${what} ${method} ${JSON.stringify(headers)}`);
      }
    } finally {
      ps.close();
      ls.close();
      ps.closeAllConnections();
      ls.closeAllConnections();
    }
  }
});

test("streaming: slices with a turn of the event loop between them, same bytes; a client going away stops rendering", async () => {
  // A big collection: 20k series.
  const dataPoints = Array.from({ length: 20000 }, (_, i) => ({ attributes: { id: "series-" + i, path: "/a\"b\n" }, startTime: 0, time: 0, value: i, exemplars: [] }));
  const data = [{ resource: { attributes: { "service.name": "big" } }, scopeMetrics: [{ scope: { name: "s" }, metrics: [{ descriptor: { name: "big.gauge", unit: "By", description: "", type: "gauge", valueType: 1 }, dataPointType: "gauge", dataPoints }] }] }] as unknown as ResourceMetrics[];
  const reader = renderStream(data, false).getReader();
  let chunks = 0;
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const bytes: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks++;
    bytes.push(r.value);
  }
  clearInterval(ticker);
  assert.ok(chunks >= 20, `${chunks} slices`);
  assert.ok(turns >= 3, `timers ran ${turns} times while rendering`);
  same(Buffer.concat(bytes).toString(), renderPrometheusText(data), "streamed text");
  // A client that goes away after the first bytes: rendering stops (points read are counted).
  let read = 0;
  const counted = dataPoints.map((p) => ({ ...p, get attributes() { read++; return p.attributes; } }));
  const scopeMetrics = [{ scope: { name: "s" }, metrics: [{ ...data[0]!.scopeMetrics[0]!.metrics[0]!, dataPoints: counted }] }];
  const [server, port] = await serve(toNodeListener(prometheusHandler({ collect: async () => ({ resource: data[0]!.resource, scopeMetrics }) as never })) as never);
  await new Promise<void>((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/" }, (res) => {
      res.once("data", () => {
        req.destroy();
        setTimeout(resolve, 200);
      });
    });
    req.end();
  });
  server.close();
  server.closeAllConnections();
  assert.ok(read > 0 && read < 15000, `${read} of 20000 series rendered after the client left`);
});

test("promtool check metrics accepts the lean text (when promtool is installed)", () => {
  let promtool = "";
  try {
    promtool = execFileSync("which", ["promtool"]).toString().trim();
  } catch {}
  if (!promtool) return console.log("promtool not installed: skipped");
  let checked = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const text = renderText(collections(rng(seed)), false);
    try {
      execFileSync(promtool, ["check", "metrics"], { input: text, stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      const out = String((e as { stdout?: Buffer }).stdout ?? "") + String((e as { stderr?: Buffer }).stderr ?? "");
      // Lint findings (naming advice about the random names: `name message` lines) are not
      // format errors; a parse failure is "error while linting: text format parsing error …".
      assert.not.match(out, /error while linting|parsing error/, `seed ${seed}: ${out}\n${text}`);
      assert.ok(out.trim(), "promtool failed without output");
    }
    checked++;
  }
  // The program's own exposition (meaningful names): no findings at all.
  const lean = new MeterProvider({ resource: { attributes: { "service.name": "checkout" } } });
  const m = lean.getMeter("checkout");
  m.createCounter("orders.placed", { unit: "{order}", description: "Orders placed" }).add(3, { "payment.method": 'card "visa"\n' });
  m.createHistogram("http.server.request.duration", { unit: "s", description: "Duration" }).record(0.2, { "http.route": "/cart" });
  return lean.collect(1000).then((rm) => {
    const text = renderText([rm], false);
    execFileSync(promtool, ["check", "metrics"], { input: text });
    assert.ok(checked === 60);
  });
});

test.run();
