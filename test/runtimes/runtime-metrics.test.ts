// Runtime metrics (process CPU, memory, event-loop delay) in Node: names, units, attributes and
// plausible values through a ManualMetricReader; `init({ runtimeMetrics: true })` of the Node
// entry; off by default; stopped on shutdown; the delay monitor does not keep the process alive.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { MetricData, ResourceMetrics } from "../../src/metrics/types.ts";
import { init } from "../../src/runtime/node.ts";
import { nodeRuntimeReadings } from "../../src/runtime/node-runtime-readings.ts";
import { eventLoopDelayFrom, RUNTIME_METRICS_SCOPE, startRuntimeMetrics, type IntervalHistogramLike } from "../../src/runtime/runtime-metrics.ts";

function metricsOf(rm: ResourceMetrics): Map<string, MetricData> {
  const out = new Map<string, MetricData>();
  for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.descriptor.name, m);
  return out;
}

const DELAY = ["min", "max", "mean", "stddev", "p50", "p90", "p99"];
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("startRuntimeMetrics with Node readings: process.cpu.time, process.memory.usage and nodejs.eventloop.delay.* with semconv names, units and attributes", async () => {
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  const handle = startRuntimeMetrics(provider, nodeRuntimeReadings());
  busy(30);
  await sleep(60); // let the delay monitor take samples
  const { resourceMetrics, errors } = await reader.collect();
  assert.equal(errors, []);
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === RUNTIME_METRICS_SCOPE);
  assert.ok(scope, "runtime metrics scope");
  const m = metricsOf(resourceMetrics);

  const cpu = m.get("process.cpu.time")!;
  assert.ok(cpu && cpu.dataPointType === "sum");
  assert.is(cpu.descriptor.unit, "s");
  assert.is(cpu.dataPointType === "sum" && cpu.isMonotonic, true);
  const modes = cpu.dataPoints.map((p) => p.attributes["cpu.mode"]).sort();
  assert.equal(modes, ["system", "user"]);
  const user = cpu.dataPoints.find((p) => p.attributes["cpu.mode"] === "user")!.value;
  // Seconds, not microseconds: we burnt ≥ 30 ms of CPU in a process that has run for well under an hour.
  assert.ok(user >= 0.03 && user < 3600, `user cpu ${user}`);

  const mem = m.get("process.memory.usage")!;
  assert.ok(mem && mem.dataPointType === "sum");
  assert.is(mem.descriptor.unit, "By");
  assert.is(mem.dataPointType === "sum" && mem.isMonotonic, false, "an UpDownCounter");
  const rss = mem.dataPoints[0]!.value;
  assert.ok(rss > 1024 * 1024 && rss < 64 * 1024 ** 3, `rss ${rss}`);

  for (const stat of DELAY) {
    const g = m.get(`nodejs.eventloop.delay.${stat}`);
    assert.ok(g && g.dataPointType === "gauge", `nodejs.eventloop.delay.${stat}`);
    assert.is(g.descriptor.unit, "s");
    const v = g.dataPoints[0]!.value as number;
    assert.ok(Number.isFinite(v) && v >= 0 && v < 60, `${stat} = ${v} (seconds)`);
  }
  const max = (m.get("nodejs.eventloop.delay.max")!.dataPoints[0]!.value as number);
  const min = (m.get("nodejs.eventloop.delay.min")!.dataPoints[0]!.value as number);
  assert.ok(min <= max);

  // CPU time is cumulative: a second collection never goes down.
  busy(10);
  const second = metricsOf((await reader.collect()).resourceMetrics);
  const user2 = (second.get("process.cpu.time")!.dataPoints as unknown as Array<{ attributes: Record<string, unknown>; value: number }>).find((p) => p.attributes["cpu.mode"] === "user")!.value;
  assert.ok(user2 >= user);

  handle.stop();
  handle.stop(); // idempotent
  const after = metricsOf((await reader.collect()).resourceMetrics);
  assert.not.ok(after.get("process.cpu.time")?.dataPoints.length, "no cpu points after stop()");
  await provider.shutdown();
});

test("stop() unregisters the callbacks and stops the delay monitor", async () => {
  const reader = new ManualMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  let reads = 0;
  let stopped = 0;
  const handle = startRuntimeMetrics(provider, {
    memoryRss: () => (reads++, 4096),
    startEventLoopDelay: () => ({ read: () => ({ min: 0.001, max: 0.002, mean: 0.0015, stddev: 0, p50: 0.001, p90: 0.002, p99: 0.002 }), stop: () => void stopped++ }),
  });
  const first = metricsOf((await reader.collect()).resourceMetrics);
  assert.is(first.get("process.memory.usage")!.dataPoints[0]!.value, 4096);
  assert.is(first.get("nodejs.eventloop.delay.p99")!.dataPoints[0]!.value, 0.002);
  assert.not.ok(first.has("process.cpu.time"), "no cpu reading, no cpu instrument");
  handle.stop();
  handle.stop();
  assert.is(stopped, 1);
  const readsBefore = reads;
  await reader.collect();
  assert.is(reads, readsBefore, "callbacks no longer run after stop()");
  await provider.shutdown();
});

test("a reading that throws is skipped and reported once; collection still succeeds", async () => {
  const messages: string[] = [];
  diag.setLogger({ error: (m) => messages.push(m), warn: (m) => messages.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, 9999);
  resetDiagOnce();
  try {
    const reader = new ManualMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    startRuntimeMetrics(provider, { memoryRss: () => 1, cpuTime: () => { throw new Error("no cpu"); } });
    for (let i = 0; i < 3; i++) {
      const { resourceMetrics, errors } = await reader.collect();
      assert.equal(errors, []);
      assert.is(metricsOf(resourceMetrics).get("process.memory.usage")!.dataPoints[0]!.value, 1);
    }
    assert.is(messages.filter((m) => m.includes("cpu time")).length, 1);
    await provider.shutdown();
  } finally {
    diag.setLogger();
    resetDiagOnce();
  }
});

test("eventLoopDelayFrom: nanoseconds to seconds, reset after each read, nothing before the first sample, undefined when unsupported", () => {
  let resets = 0;
  let enabled = false;
  let samples = false;
  const h: IntervalHistogramLike = {
    get min() { return samples ? 1e6 : 9223372036854776000; },
    get max() { return samples ? 5e6 : 0; },
    get mean() { return samples ? 2e6 : NaN; },
    get stddev() { return samples ? 1e5 : NaN; },
    percentile: (p) => p * 1e5,
    reset: () => void resets++,
    enable: () => void (enabled = true),
    disable: () => void (enabled = false),
  };
  const monitor = eventLoopDelayFrom(() => h)!;
  assert.ok(enabled);
  assert.is(monitor.read(), undefined);
  samples = true;
  assert.equal(monitor.read(), { min: 0.001, max: 0.005, mean: 0.002, stddev: 0.0001, p50: 0.005, p90: 0.009, p99: 0.0099 });
  assert.is(resets, 1);
  monitor.stop();
  assert.not.ok(enabled);
  assert.is(eventLoopDelayFrom(undefined), undefined);
  assert.is(eventLoopDelayFrom(() => { throw new Error("not implemented"); }), undefined);
});

test("Node init({ runtimeMetrics: true }) reports through the SDK's readers; off by default; shutdown stops it", async () => {
  const off = new ManualMetricReader();
  const sdkOff = init({ traceExporter: "none", metricExporter: "none", logExporter: "none", metricReaders: [off], env: {} });
  assert.not.ok(metricsOf((await off.collect()).resourceMetrics).has("process.memory.usage"), "off by default");
  await sdkOff.shutdown();

  const reader = new ManualMetricReader();
  const sdk = init({ traceExporter: "none", metricExporter: "none", logExporter: "none", metricReaders: [reader], runtimeMetrics: true, env: {} });
  const m = metricsOf((await reader.collect()).resourceMetrics);
  assert.ok(m.has("process.memory.usage") && m.has("process.cpu.time"));
  assert.is(m.get("process.memory.usage")!.dataPoints.length, 1);
  await sdk.flush();
  await sdk.shutdown();
  const after = await reader.collect();
  assert.ok(after.errors.length > 0 || !metricsOf(after.resourceMetrics).has("process.memory.usage"), "nothing after shutdown");
});

test("the event-loop delay monitor does not keep a Node process alive", async () => {
  // A child imports the built Node entry, enables runtime metrics, never shuts down, and must exit by itself.
  const script = `
    import { init } from "otel-edge/node";
    const sdk = init({ traceExporter: "none", metricExporter: "none", logExporter: "none", runtimeMetrics: true, env: {} });
    globalThis.__sdk = sdk;
    console.log("started");
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url).pathname, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve("still running after 20 s");
    }, 20000);
    child.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c ?? "killed");
    });
  });
  assert.is(code, 0, out);
  assert.ok(out.includes("started"), out);
});

test.run();
