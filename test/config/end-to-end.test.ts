// A configuration file builds the same SDK as the equivalent init() options: the same spans,
// metrics and log records reach the same local OTLP receiver, byte for byte once ids and
// timestamps are set aside. Read through OTEL_CONFIG_FILE, as the Node entry does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prometheusHandler } from "../../src/export/prometheus/handler.ts";
import { configFile, init as nodeInit, trace, metrics, logs, type FullSdk } from "../../src/runtime/node.ts";

// Every init() here may read a configuration file: the program passes the reader part.
const init = (options: Parameters<typeof nodeInit>[0] = {}): ReturnType<typeof nodeInit> => nodeInit({ ...options, parts: [configFile(), ...(options.parts ?? [])] });
import { startReceiver, type Receiver } from "./receiver.ts";

const examples = fileURLToPath(new URL("./examples/", import.meta.url));

/** The same work on whichever SDK is global: a span with attributes, a counter, a log record inside the span. */
async function work(sdk: FullSdk): Promise<void> {
  trace.getTracer("e2e", "1.0.0").startActiveSpan("checkout", { attributes: { "order.id": 42, "long.value": "x".repeat(20) } }, (span) => {
    metrics.getMeter("e2e").createCounter("orders").add(3, { region: "eu" });
    logs.getLogger("e2e").emit({ body: "placed", attributes: { "order.id": 42 } });
    span.end();
  });
  await sdk.shutdown();
}

/** The exported payloads without what differs from run to run (ids, times). */
function normalized(receiver: Receiver): Record<string, unknown[]> {
  const strip = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) => (/^(traceId|spanId|parentSpanId|\w*[tT]imeUnixNano)$/.test(key) ? "-" : v));
  const out: Record<string, unknown[]> = {};
  for (const path of ["/v1/traces", "/v1/metrics", "/v1/logs"]) out[path] = receiver.bodies(path).map(strip);
  return out;
}

test("getting-started.yaml (via OTEL_CONFIG_FILE) exports what the equivalent options export", async () => {
  const fromFile = await startReceiver();
  const fromOptions = await startReceiver();
  try {
    await work(
      init({
        env: {
          OTEL_CONFIG_FILE: `${examples}getting-started.yaml`,
          OTEL_EXPORTER_OTLP_ENDPOINT: fromFile.url,
          OTEL_RESOURCE_ATTRIBUTES: "service.name=shop,team=web",
          // Ignored with a configuration file (spec): only substitutions read the environment.
          OTEL_SERVICE_NAME: "not-this",
          OTEL_TRACES_SAMPLER: "always_off",
        },
      }),
    );
    await work(init({ env: {}, otlp: { endpoint: fromOptions.url }, resourceAttributes: { "service.name": "shop", team: "web" } }));
    const file = normalized(fromFile);
    assert.is(file["/v1/traces"]!.length, 1);
    assert.is(file["/v1/metrics"]!.length, 1);
    assert.is(file["/v1/logs"]!.length, 1);
    assert.equal(file, normalized(fromOptions));
    const resource = fromFile.bodies("/v1/traces")[0].resourceSpans[0].resource.attributes;
    assert.ok(resource.some((a: any) => a.key === "service.name" && a.value.stringValue === "shop"));
  } finally {
    await fromFile.close();
    await fromOptions.close();
  }
});

test("kitchen-sink.yaml: limits, headers, gzip, temporality, views and the resource as configured", async () => {
  const receiver = await startReceiver();
  const log = console.log;
  console.log = () => {}; // the console exporters of the example
  try {
    const sdk = init({ env: { OTEL_CONFIG_FILE: `${examples}kitchen-sink.yaml`, RECEIVER: receiver.url } });
    trace.getTracer("kitchen").startActiveSpan("cook", { attributes: { a: "0123456789", b: 1, c: 2 } }, (span) => {
      const meter = metrics.getMeter("kitchen");
      meter.createCounter("orders").add(1, { region: "eu", customer: "c1" });
      meter.createCounter("noise").add(1);
      meter.createHistogram("latency").record(50);
      logs.getLogger("kitchen").emit({ body: "hot", attributes: { first: "0123456789abcdefXYZ", second: 2 } });
      span.end();
    });
    await sdk.shutdown();
  } finally {
    console.log = log;
    await receiver.close();
  }
  const [traces] = receiver.requests.filter((r) => r.path === "/v1/traces");
  assert.ok(traces, "spans exported");
  assert.is(traces!.headers["content-encoding"], "gzip");
  assert.is(traces!.headers["api-key"], "1234"); // headers win over headers_list
  assert.is(traces!.headers["x-team"], "web");
  assert.is(traces!.headers["ignored"], undefined);
  const resourceSpans = traces!.body.resourceSpans[0];
  assert.is(resourceSpans.schemaUrl, "https://opentelemetry.io/schemas/1.26.0");
  const resource = Object.fromEntries(resourceSpans.resource.attributes.map((a: any) => [a.key, a.value]));
  assert.equal(resource["service.name"], { stringValue: "kitchen-sink" });
  assert.equal(resource["service.version"], { stringValue: "1.2.3" });
  assert.equal(resource["int_key"], { intValue: "1" });
  assert.equal(resource["string_array_key"], { arrayValue: { values: [{ stringValue: "value1" }, { stringValue: "value2" }] } });
  const span = resourceSpans.scopeSpans[0].spans[0];
  // attribute_count_limit: 2, attribute_value_length_limit: 8
  assert.is(span.attributes.length, 2);
  assert.equal(span.attributes[0], { key: "a", value: { stringValue: "01234567" } });
  assert.is(span.droppedAttributesCount, 1);

  const metricNames = receiver.bodies("/v1/metrics").flatMap((b) => b.resourceMetrics[0].scopeMetrics.flatMap((s: any) => s.metrics));
  const orders = metricNames.find((m: any) => m.name === "orders.placed");
  assert.ok(orders, "the view renames orders");
  assert.is(orders.description, "Orders placed");
  assert.is(orders.sum.aggregationTemporality, 1); // delta
  assert.equal(orders.sum.dataPoints[0].attributes, [{ key: "region", value: { stringValue: "eu" } }]);
  assert.not.ok(metricNames.some((m: any) => m.name === "noise"), "the drop view");
  const latency = metricNames.find((m: any) => m.name === "latency");
  assert.equal(latency.histogram.dataPoints[0].explicitBounds, [10, 100, 1000]);
  assert.is(latency.histogram.dataPoints[0].min, undefined);

  const record = receiver.bodies("/v1/logs")[0].resourceLogs[0].scopeLogs[0].logRecords[0];
  assert.equal(record.attributes, [{ key: "first", value: { stringValue: "0123456789abcdef" } }]);
  assert.is(record.droppedAttributesCount, 1);
});

test("a JSON file is read like YAML", async () => {
  const receiver = await startReceiver();
  try {
    const sdk = init({ env: { OTEL_CONFIG_FILE: `${examples}sdk-config.json`, RECEIVER: receiver.url } });
    trace.getTracer("json").startSpan("s").end();
    await sdk.shutdown();
  } finally {
    await receiver.close();
  }
  const attributes = receiver.bodies("/v1/traces")[0].resourceSpans[0].resource.attributes;
  assert.ok(attributes.some((a: any) => a.key === "service.name" && a.value.stringValue === "from-json"));
});

test("the README's example builds, and a pull reader's Prometheus exporter is served by prometheusHandler(sdk)", async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = /```yaml\n(# otel\.yaml[\s\S]*?)```/.exec(readme)![1]!;
  const receiver = await startReceiver();
  try {
    // Without the example's delta preference: a Prometheus reader added after a delta reader
    // sees no data, with options as with a file (a metrics-core issue reported separately).
    const config = example.replace("temporality_preference: delta", "temporality_preference: cumulative");
    const sdk = init({ env: { COLLECTOR: receiver.url }, config: config.replace("meter_provider:\n  readers:\n", "meter_provider:\n  readers:\n    - pull:\n        exporter:\n          prometheus/development:\n") });
    metrics.getMeter("readme").createCounter("hits").add(2);
    const text = await (await prometheusHandler(sdk)(new Request("http://localhost/metrics"))).text();
    assert.match(text, /^hits_total\{.*\} 2$/m, text);
    await sdk.shutdown();
  } finally {
    await receiver.close();
  }
  assert.ok(receiver.bodies("/v1/metrics").length > 0);
});

test.run();
