// Scenarios 5 and 6 of the real-backends suite (issue 17), against Prometheus 3 built from the Go
// module proxy (scripts/peers.mjs):
//  5. Prometheus scrapes our `/metrics` handler with its own default content negotiation (and,
//     on a second target, with legacy name validation, so it asks for underscore escaping): the
//     targets are up, `target_info` and every family are queryable with the values we recorded,
//     exemplars are stored, and names outside the legacy character set arrive as legal names.
//  6. Our OTLP/HTTP JSON metric exporter pushes to Prometheus' OTLP receiver
//     (`--web.enable-otlp-receiver`); PromQL returns the counter, gauge and histogram values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  BasicTracerProvider,
  MeterProvider,
  PeriodicExportingMetricReader,
  ROOT_CONTEXT,
  createOtlpMetricExporter,
  createResource,
  diag,
  trace,
} from "../../mod.ts";
import { prometheusHandler, toNodeListener } from "../../src/export/prometheus/mod.ts";
import { poll, startPrometheus3, type Prometheus, setUpReporting } from "./peers.ts";

const diagLines: string[] = [];
diag.setLogger({ error: (m: string) => diagLines.push(`error ${m}`), warn: (m: string) => diagLines.push(`warn ${m}`), info: () => {}, debug: () => {}, verbose: () => {} });

type Series = Array<{ metric: Record<string, string>; value: [number, string] }>;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** Records the same instruments into `provider`; returns the ids of the exemplars' span. */
function recordInto(provider: MeterProvider): { traceId: string; spanId: string } {
  const span = new BasicTracerProvider().getTracer("t").startSpan("checkout", {}, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  const meter = provider.getMeter("shop.meter", "2.0.0");
  meter.createCounter("orders.placed", { unit: "{order}", description: "Orders placed" }).add(42, { "shop.region": "eu/west", note: 'say "hi"' });
  meter.createUpDownCounter("queue.depth", { unit: "{item}" }).add(-3);
  meter.createGauge("room.temperature", { unit: "Cel" }).record(21.5, { room: "lab" });
  const hist = meter.createHistogram("http.server.request.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  for (const v of [0.05, 0.2, 0.3, 2]) hist.record(v, { "http.route": "/orders/{id}" }, ctx);
  // Outside the legacy character set (but valid OTel names): '/' and '-' in the metric name,
  // a non-ASCII label key.
  meter.createCounter("shop.visits/by-street").add(5, { "straße-name": "Hauptstraße" });
  span.end();
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

let prom: Prometheus;
const servers: Server[] = [];
const accepts: Record<string, string[]> = { default: [], legacy: [] };
let recorded: { traceId: string; spanId: string };

/** Bucket counts by upper bound (Prometheus writes `le` as "1.0" for a scrape, "1" for OTLP). */
const byBound = (buckets: Series): Record<string, string> => Object.fromEntries(buckets.map((b) => [b.metric.le === "+Inf" ? "+Inf" : String(Number(b.metric.le)), b.value[1]]));
const BUCKETS = { "0.1": "1", "0.5": "3", "1": "3", "+Inf": "4" };

const values = (q: string): Promise<Series> =>
  poll(q, async () => {
    const r = await prom.query(q);
    return r.status === "success" && r.data.result.length ? (r.data.result as Series) : undefined;
  });

test.before(() => setUpReporting(setUp));

async function setUp(): Promise<void> {
  const provider = new MeterProvider({ resource: createResource({ "service.name": "shop", "service.instance.id": "i-1", "deployment.environment.name": "prod" }) });
  recorded = recordInto(provider);
  const handler = prometheusHandler(provider);
  const ports: Record<string, number> = {};
  for (const job of ["default", "legacy"]) {
    const listener = toNodeListener(handler);
    const server = createServer((req, res) => {
      accepts[job]!.push(String(req.headers.accept ?? ""));
      void listener(req, res);
    });
    servers.push(server);
    ports[job] = await listen(server);
  }
  prom = await startPrometheus3([
    { name: "default", port: ports.default! },
    // Legacy validation: Prometheus asks for names escaped to the legacy character set.
    { name: "legacy", port: ports.legacy!, config: ["    metric_name_validation_scheme: legacy", "    metric_name_escaping_scheme: underscores"] },
  ]);
}

test.after(async () => {
  await prom?.close();
  for (const s of servers) await new Promise((r) => s.close(r));
});

test("scrape: both targets are up with no scrape error; Prometheus asked with its own Accept header", async () => {
  const targets = await poll("both targets up", async () => {
    const r = await prom.api("/api/v1/targets");
    const active = r.data.activeTargets as Array<{ health: string; lastError: string; labels: { job: string } }>;
    return active.length === 2 && active.every((t) => t.health === "up") ? active : undefined;
  });
  assert.equal(targets.map((t) => t.lastError), ["", ""]);
  // Prometheus 3 offers OpenMetrics first and says which name escaping it accepts.
  assert.match(accepts.default![0]!, /application\/openmetrics-text;version=1\.0\.0;escaping=allow-utf-8/);
  assert.match(accepts.legacy![0]!, /escaping=underscores/);
});

for (const job of ["default", "legacy"]) {
  test(`scrape (${job}): every family is queryable with the values we recorded`, async () => {
    const orders = await values(`orders_placed_total{job="${job}"}`);
    assert.is(orders.length, 1);
    assert.is(orders[0]!.value[1], "42");
    assert.is(orders[0]!.metric.shop_region, "eu/west");
    assert.is(orders[0]!.metric.note, 'say "hi"');
    assert.is(orders[0]!.metric.otel_scope_name, "shop.meter");
    assert.is(orders[0]!.metric.otel_scope_version, "2.0.0");
    assert.is((await values(`queue_depth{job="${job}"}`))[0]!.value[1], "-3");
    const temp = await values(`room_temperature_celsius{job="${job}"}`);
    assert.is(temp[0]!.value[1], "21.5");
    assert.is(temp[0]!.metric.room, "lab");
    assert.is((await values(`http_server_request_duration_seconds_count{job="${job}"}`))[0]!.value[1], "4");
    assert.is((await values(`http_server_request_duration_seconds_sum{job="${job}"}`))[0]!.value[1], "2.55");
    const buckets = await values(`http_server_request_duration_seconds_bucket{job="${job}"}`);
    assert.equal(byBound(buckets), BUCKETS);
    assert.equal(buckets.map((b) => b.metric.le).sort(), ["+Inf", "0.1", "0.5", "1.0"]);
    assert.is(buckets[0]!.metric.http_route, "/orders/{id}");
    // Outside the legacy character set: served under a legal name, not dropped or broken.
    const visits = await values(`shop_visits_by_street_total{job="${job}"}`);
    assert.is(visits.length, 1);
    assert.is(visits[0]!.value[1], "5");
    assert.is(visits[0]!.metric["stra_e_name"], "Hauptstraße", JSON.stringify(visits[0]!.metric));
    const info = await values(`target_info{job="${job}"}`);
    assert.is(info.length, 1);
    assert.is(info[0]!.metric.deployment_environment_name, "prod");
  });
}

test("scrape: exemplars are stored with our trace and span ids", async () => {
  const now = Date.now() / 1000;
  const ex = await poll("exemplars", async () => {
    const r = await prom.api(`/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{job="default"}')}&start=${now - 600}&end=${now + 600}`);
    return r.data?.length ? r.data : undefined;
  });
  const all = ex.flatMap((s: any) => s.exemplars);
  assert.ok(all.length >= 1);
  for (const e of all) {
    assert.is(e.labels.trace_id, recorded.traceId);
    assert.is(e.labels.span_id, recorded.spanId);
  }
  // Issue 18: each exemplar is stored on the lowest bucket that includes its value only (not
  // repeated on every cumulative bucket above it).
  const bounds = [0.1, 0.5, 1, Infinity];
  const values: number[] = [];
  for (const series of ex) {
    const le = series.seriesLabels.le === "+Inf" ? Infinity : Number(series.seriesLabels.le);
    for (const e of series.exemplars) {
      const v = Number(e.value);
      values.push(v);
      assert.ok(v <= le && !bounds.some((b) => b < le && v <= b), `exemplar ${v} stored on le="${series.seriesLabels.le}"`);
    }
  }
  assert.is(new Set(values).size, values.length, `an exemplar stored on two series: ${values}`);
});

test("OTLP receiver: our JSON exporter's push is accepted and PromQL returns the values", async () => {
  // Record each response, so a rejection shows Prometheus' own words.
  const responses: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const r = await fetch(input, init);
    responses.push(`${r.status} ${await r.clone().text()}`);
    return r;
  };
  const exporter = createOtlpMetricExporter({ url: `${prom.base}/api/v1/otlp/v1/metrics`, fetch: recordingFetch });
  const provider = new MeterProvider({
    resource: createResource({ "service.name": "otlp-shop", "service.instance.id": "i-2", "deployment.environment.name": "staging" }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Infinity })],
  });
  recordInto(provider);
  await provider.forceFlush();
  assert.is(responses.length, 1);
  assert.match(responses[0]!, /^200 /, responses[0]);
  const orders = await values('orders_placed_total{job="otlp-shop"}');
  assert.is(orders[0]!.value[1], "42");
  assert.is(orders[0]!.metric.instance, "i-2");
  assert.is(orders[0]!.metric.shop_region, "eu/west");
  assert.is((await values('queue_depth{job="otlp-shop"}'))[0]!.value[1], "-3");
  assert.is((await values('room_temperature_celsius{job="otlp-shop"}'))[0]!.value[1], "21.5");
  assert.is((await values('http_server_request_duration_seconds_count{job="otlp-shop"}'))[0]!.value[1], "4");
  const buckets = await values('http_server_request_duration_seconds_bucket{job="otlp-shop"}');
  assert.equal(byBound(buckets), BUCKETS);
  const info = await values('target_info{job="otlp-shop"}');
  assert.is(info[0]!.metric.deployment_environment_name, "staging");
  await provider.shutdown();
});

test("no SDK diagnostics; Prometheus logged no warning or error", () => {
  assert.equal(diagLines, []);
  assert.equal(prom.log().split("\n").filter((l) => /level=(WARN|ERROR)/i.test(l)), [], prom.log());
});

test.run();
