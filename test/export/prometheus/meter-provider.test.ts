// End to end through the real metrics SDK: MeterProvider → one cumulative reader → handler.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MeterProvider } from "../../../src/metrics/meter-provider.ts";
import { createResource } from "../../../src/resource/resource.ts";
import { prometheusHandler } from "../../../src/export/prometheus/handler.ts";
import { pushToGateway } from "../../../src/export/prometheus/pushgateway.ts";
import { promtoolCheckMetrics } from "../../../scripts/prometheus-tools.mjs";
import { parseSamples } from "./fixtures.ts";

test("a real MeterProvider: counters, up-down counters, histograms rendered cumulatively across scrapes", async () => {
  const provider = new MeterProvider({ resource: createResource({ "service.name": "e2e", "service.version": "1.0" }) });
  let added = 0;
  const original = provider.addMetricReader.bind(provider);
  provider.addMetricReader = (r) => {
    added++;
    original(r);
  };
  const meter = provider.getMeter("shop.checkout", "2.0.0");
  const orders = meter.createCounter("orders.placed", { unit: "{order}", description: "Orders placed" });
  const inflight = meter.createUpDownCounter("http.server.active_requests", { unit: "{request}" });
  const latency = meter.createHistogram("http.server.request.duration", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  const handler = prometheusHandler({ meterProvider: provider });
  const second = prometheusHandler(provider);
  assert.is(added, 1, "one reader per provider, shared by every handler");
  orders.add(2, { region: "eu" });
  orders.add(3, { region: "eu" });
  inflight.add(4);
  inflight.add(-1);
  for (const v of [0.05, 0.3, 0.3, 2]) latency.record(v, { route: "/pay" });
  let text = await (await handler(new Request("http://x/metrics"))).text();
  const s = parseSamples(text);
  const find = (name: string, pred: (l: Record<string, string>) => boolean = () => true) => s.find((x) => x.name === name && pred(x.labels));
  assert.is(find("orders_placed_total", (l) => l.region === "eu" && l.otel_scope_name === "shop.checkout" && l.otel_scope_version === "2.0.0")?.value, "5");
  assert.ok(text.includes("# TYPE http_server_active_requests gauge\n"));
  assert.is(find("http_server_active_requests")?.value, "3");
  assert.equal(s.filter((x) => x.name === "http_server_request_duration_seconds_bucket").map((x) => [x.labels.le, x.value]), [["0.1", "1"], ["0.5", "3"], ["1", "3"], ["+Inf", "4"]]);
  assert.is(find("http_server_request_duration_seconds_count")?.value, "4");
  assert.is(find("target_info")?.labels.service_name, "e2e");
  const lint = await promtoolCheckMetrics(text);
  assert.is(lint.output.trim(), "");
  orders.add(1, { region: "eu" });
  text = await (await second(new Request("http://x/metrics", { headers: { accept: "application/openmetrics-text" } }))).text();
  assert.ok(text.includes('orders_placed_total{region="eu",otel_scope_name="shop.checkout",otel_scope_version="2.0.0"} 6\n'), text);
  assert.ok(text.endsWith("# EOF\n"));
  // pushToGateway on the same provider reuses the reader too.
  let body = "";
  await pushToGateway(provider, { url: "http://127.0.0.1:9", job: "j", fetch: (async (_u: string, init: RequestInit) => { body = String(init.body); return new Response(""); }) as unknown as typeof fetch });
  assert.is(added, 1);
  assert.ok(body.includes('orders_placed_total{region="eu",otel_scope_name="shop.checkout",otel_scope_version="2.0.0"} 6\n'));
});

test.run();
