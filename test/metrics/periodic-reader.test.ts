import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ExportResultCode, type Exporter, type ExportResult } from "../../src/export/exporter.ts";
import { InMemoryMetricExporter } from "../../src/metrics/in-memory-metric-exporter.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { PeriodicExportingMetricReader } from "../../src/metrics/periodic-reader.ts";
import { createOtlpMetricExporter } from "../../src/export/otlp/otlp-metrics-exporter.ts";
import type { ResourceMetrics } from "../../src/metrics/types.ts";
import { allMetrics, captureDiag } from "./helpers.ts";

test.after.each(() => void diag.setLogger());

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("exports on a short interval, never an empty collection", async () => {
  const exporter = new InMemoryMetricExporter();
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10 });
  const provider = new MeterProvider({ readers: [reader] });
  const c = provider.getMeter("t").createCounter("c");
  await new Promise((r) => setTimeout(r, 40));
  assert.is(exporter.getMetrics().length, 0); // nothing recorded yet: nothing exported
  c.add(1);
  await until(() => exporter.getMetrics().length > 0);
  assert.is(allMetrics(exporter.getMetrics()[0])[0].dataPoints[0].value, 1);
  await provider.shutdown();
});

test("forceFlush collects and exports now (delta), shutdown exports a last time and stops", async () => {
  const exporter = new InMemoryMetricExporter();
  const reader = new PeriodicExportingMetricReader({ exporter, temporality: "delta" });
  const provider = new MeterProvider({ readers: [reader] });
  const c = provider.getMeter("t").createCounter("c");
  c.add(2);
  await provider.forceFlush();
  assert.is(exporter.getMetrics().length, 1);
  await provider.forceFlush(); // nothing new: not exported
  assert.is(exporter.getMetrics().length, 1);
  c.add(3);
  const exported: ResourceMetrics[] = [];
  const orig = exporter.shutdown.bind(exporter);
  exporter.shutdown = async () => {
    exported.push(...exporter.getMetrics());
    await orig();
  };
  await reader.shutdown();
  assert.equal(exported.map((rm) => allMetrics(rm)[0].dataPoints[0].value), [2, 3]);
  await reader.shutdown(); // idempotent
  await reader.forceFlush(); // after shutdown: resolves
});

test("without its own temporality, the reader collects with the exporter's (createOtlpMetricExporter's temporalityPreference); its own option wins", async () => {
  // Found by the real-backends suite: a hand-wired reader ignored an OTLP exporter set to delta.
  for (const [preference, own, expected] of [["delta", undefined, "delta"], ["lowmemory", undefined, "delta"], ["delta", "cumulative", "cumulative"], [undefined, undefined, "cumulative"]] as const) {
    let body = "";
    const exporter = createOtlpMetricExporter({
      url: "http://127.0.0.1:9/v1/metrics",
      temporalityPreference: preference,
      fetch: (async (_url: unknown, init: RequestInit) => {
        body = new TextDecoder().decode(init.body as Uint8Array);
        return new Response("{}");
      }) as typeof fetch,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Infinity, temporality: own });
    assert.is(reader.selectAggregationTemporality("counter" as never), expected, `${preference}/${own}`);
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter("t").createCounter("c").add(1);
    await provider.forceFlush();
    // OTLP AggregationTemporality: 1 delta, 2 cumulative.
    assert.match(body, `"aggregationTemporality":${expected === "delta" ? 1 : 2}`);
    await provider.shutdown();
  }
});

test("one export in flight; a failing or throwing exporter never rejects", async () => {
  const messages = captureDiag();
  let calls = 0;
  let release: () => void = () => {};
  const exporter: Exporter<ResourceMetrics> = {
    export(): Promise<ExportResult> {
      calls++;
      if (calls === 1) return new Promise((r) => (release = () => r({ code: ExportResultCode.FAILED, error: new Error("503") })));
      throw new Error("exporter bug");
    },
    shutdown: () => Promise.reject(new Error("shutdown bug")),
  };
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 5, exportTimeoutMillis: 10_000 });
  const provider = new MeterProvider({ readers: [reader] });
  provider.getMeter("t").createCounter("c").add(1);
  await until(() => calls === 1);
  await new Promise((r) => setTimeout(r, 40));
  assert.is(calls, 1); // ticks skipped while the first export is pending
  release();
  await until(() => calls >= 2);
  await provider.shutdown();
  assert.ok(messages.some((m) => m.includes("503")));
  assert.ok(messages.some((m) => m.includes("exporter bug")));
});

test("a hanging export is bounded by exportTimeoutMillis", async () => {
  captureDiag();
  const exporter: Exporter<ResourceMetrics> = { export: () => new Promise(() => {}), shutdown: async () => {} };
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, exportTimeoutMillis: 20 });
  const provider = new MeterProvider({ readers: [reader] });
  provider.getMeter("t").createCounter("c").add(1);
  await provider.forceFlush(); // resolves despite the export never settling
  await provider.shutdown();
});

test("configuration errors throw at construction", () => {
  const exporter = new InMemoryMetricExporter();
  assert.throws(() => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 0 }), RangeError);
  assert.throws(() => new PeriodicExportingMetricReader({ exporter, exportTimeoutMillis: -1 }), RangeError);
  assert.throws(() => new PeriodicExportingMetricReader({} as never), TypeError);
});

test("in-memory exporter fails after shutdown", async () => {
  const exporter = new InMemoryMetricExporter();
  await exporter.shutdown();
  const r = await exporter.export([{ resource: { attributes: {} }, scopeMetrics: [] }]);
  assert.is(r.code, ExportResultCode.FAILED);
});

test.run();
