// createOtlpMetricExporter against the real embedded OTLP/HTTP JSON receiver on 127.0.0.1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startDevReceiver } from "../../../scripts/dev-receiver.mjs";
import { diag } from "../../../src/common/diag.ts";
import { toEpochNanos } from "../../../src/common/time.ts";
import { ExportResultCode } from "../../../src/export/exporter.ts";
import { encodeMetrics } from "../../../src/export/otlp/metrics-encoder.ts";
import { otlpOptionsFromEnv } from "../../../src/export/otlp-config.ts";
import { createOtlpMetricExporter } from "../../../src/export/otlp/otlp-metrics-exporter.ts";
import type { TemporalityPreference } from "../../../src/metrics/temporality-preference.ts";
import { collection, exemplar, gauge, histogram, histogramValue, point, sum } from "./metric-fixtures.ts";

diag.disable();

test("posts the encoded collections to <endpoint>/v1/metrics as JSON; the receiver gets exactly our request", async () => {
  const receiver = await startDevReceiver();
  try {
    const exporter = createOtlpMetricExporter({ endpoint: receiver.url, headers: { "x-api-key": "k1" } });
    const batch = [
      collection([
        sum("http.requests", [point(7, { attributes: { route: "/a" }, exemplars: [exemplar(1)] })], { valueType: 0 }),
        histogram("http.duration", [point(histogramValue())], "delta"),
      ]),
    ];
    const result = await exporter.export(batch);
    assert.equal(result, { code: ExportResultCode.SUCCESS, status: 200 });
    assert.is(receiver.requests.length, 1);
    const request = receiver.requests[0]!;
    assert.is(request.path, "/v1/metrics");
    assert.is(request.headers["content-type"], "application/json");
    assert.is(request.headers["x-api-key"], "k1");
    assert.equal(request.body, JSON.parse(encodeMetrics(batch)));
    const metrics = receiver.metrics[0].resourceMetrics[0].scopeMetrics[0].metrics;
    assert.is(metrics[0].sum.dataPoints[0].asInt, "7");
    assert.is(metrics[0].sum.dataPoints[0].timeUnixNano, toEpochNanos(2000.5));
    assert.equal(metrics[1].histogram.dataPoints[0].bucketCounts, ["1", "2", "1", "0"]);
    await exporter.shutdown();
    assert.is((await exporter.export(batch)).code, ExportResultCode.FAILED);
    assert.is(receiver.requests.length, 1);
  } finally {
    await receiver.close();
  }
});

test("never sends an empty payload: no collections, or collections without any point", async () => {
  const receiver = await startDevReceiver();
  try {
    const exporter = createOtlpMetricExporter({ endpoint: receiver.url });
    assert.equal(await exporter.export([]), { code: ExportResultCode.SUCCESS });
    assert.equal(await exporter.export([collection([]), collection([gauge("g", []), sum("s", [])])]), { code: ExportResultCode.SUCCESS });
    // A real one afterwards still goes out, so the receiver was reachable all along.
    assert.is((await exporter.export([collection([gauge("g", [point(1)])])])).code, ExportResultCode.SUCCESS);
    assert.is(receiver.requests.length, 1);
    await exporter.shutdown();
  } finally {
    await receiver.close();
  }
});

test("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is used as-is and wins over the general endpoint", async () => {
  const receiver = await startDevReceiver();
  try {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/ignored",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-tenant=t%201",
    };
    const exporter = createOtlpMetricExporter(otlpOptionsFromEnv("metrics", env));
    assert.is((await exporter.export([collection([gauge("g", [point(2)])])])).code, ExportResultCode.SUCCESS);
    assert.is(receiver.requests[0]!.path, "/v1/metrics");
    assert.is(receiver.requests[0]!.headers["x-tenant"], "t 1");
    await exporter.shutdown();
  } finally {
    await receiver.close();
  }
});

test("a failed request is reported as FAILED, not thrown", async () => {
  const receiver = await startDevReceiver();
  const url = `${receiver.url}/not-an-otlp-path`; // the receiver answers 404
  try {
    const exporter = createOtlpMetricExporter({ url, timeoutMillis: 2000 });
    const result = await exporter.export([collection([gauge("g", [point(1)])])]);
    assert.is(result.code, ExportResultCode.FAILED);
    assert.instance(result.error, Error);
    await exporter.shutdown();
  } finally {
    await receiver.close();
  }
});

test("temporality preference: option, then OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, then cumulative", () => {
  const env = { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "Delta" };
  const fromEnv = createOtlpMetricExporter(otlpOptionsFromEnv("metrics", env));
  assert.is(fromEnv.selectAggregationTemporality("counter"), "delta");
  assert.is(fromEnv.selectAggregationTemporality("updowncounter"), "cumulative");
  const fromOption = createOtlpMetricExporter(otlpOptionsFromEnv("metrics", env, { temporalityPreference: "lowmemory" }));
  assert.is(fromOption.selectAggregationTemporality("counter"), "delta");
  assert.is(fromOption.selectAggregationTemporality("observablecounter"), "cumulative");
  const byDefault = createOtlpMetricExporter(otlpOptionsFromEnv("metrics", {}));
  for (const type of ["counter", "histogram", "observablecounter", "updowncounter", "gauge"] as const) {
    assert.is(byDefault.selectAggregationTemporality(type), "cumulative", type);
  }
  assert.throws(() => createOtlpMetricExporter({ temporalityPreference: "sometimes" as TemporalityPreference }), (e: Error) => e instanceof TypeError && /cumulative.*delta.*lowmemory/.test(e.message));
  assert.throws(() => createOtlpMetricExporter({ url: "ftp://x" }), TypeError);
});

test.run();
