// The "Node quick start" program (scripts/size.mjs) on the lean core (bench/lean/node.ts:
// node-init.ts, logs.ts, otlp-logs.ts, samplers.ts) against the product's Node entry
// (src/runtime/node.ts), in one process with one fake clock and one stubbed `fetch`: for each
// `OTEL_*` environment of a table, a scripted run (a good order, then a failing one: the
// catch path with recordException, an ERROR status and log.error with the Error) must send the
// same requests — same URLs, same OTLP/JSON bodies per signal once ids are numbered in order of
// appearance. Plus the OTLP logs encoder against the product's on hostile and edge records.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { now as productNow } from "../../src/common/time.ts";
import { diag } from "../../src/common/diag.ts";
import * as product from "../../src/runtime/node.ts";
import { encodeLogsBytes } from "../../src/export/otlp/logs-encoder.ts";
import { now as leanNow } from "../../bench/lean/time.ts";
import * as lean from "../../bench/lean/node.ts";
import { encodeLogs } from "../../bench/lean/otlp-logs.ts";
import { severity } from "../../bench/lean/logs.ts";
import { createTraceState } from "../../bench/lean/propagation.ts";

let clock = 1000;
Object.defineProperty(performance, "now", { value: () => clock, configurable: true, writable: true });
const realNow = Date.now;
Date.now = () => 1765100000123;
productNow();
leanNow();
Date.now = realNow;
diag.disable();
Math.random = () => 0.4; // the exemplar reservoirs of both sides replace alike
const warned: string[] = [];
console.warn = (m: string) => void warned.push(String(m));
const printed: string[] = [];
console.log = (m: string) => void printed.push(String(m));

const sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
globalThis.fetch = (async (url: string, init: RequestInit) => {
  const body = typeof init.body == "string" ? init.body : new TextDecoder().decode(init.body as Uint8Array);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  sent.push({ url: String(url), body, headers });
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
}) as typeof fetch;

type Api = Pick<typeof lean, "init" | "trace" | "metrics" | "createLog" | "SpanStatusCode">;
/** One Error for both runs: the same `exception.stacktrace`. */
const DECLINED = new Error("card declined");

/** The measured program's code (program-node.ts), over either implementation; `fail` takes the catch path. */
function program({ init, trace, metrics, createLog, SpanStatusCode }: Api, env: Record<string, string>) {
  const sdk = init({ serviceName: "checkout", serviceVersion: "1.4.0", env } as never);
  const tracer = trace.getTracer("checkout");
  const orders = metrics.getMeter("checkout").createCounter("orders.placed", { unit: "{order}" });
  const log = createLog({ name: "checkout" });
  async function handle(orderId: string, fail: boolean) {
    return tracer.startActiveSpan("process order", { attributes: { "order.id": orderId } }, async (span) => {
      try {
        orders.add(1, { "payment.method": "card" });
        clock += 3;
        if (fail) throw DECLINED;
        log.info("order placed", { "order.id": orderId });
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        log.error("payment failed", err);
        throw err;
      } finally {
        span.end();
      }
    });
  }
  return { sdk, handle };
}

/** Hex ids (32 and 16 digits) numbered in order of appearance, so two runs compare. */
function normalize(body: string): string {
  const seen = new Map<string, string>();
  return body.replace(/"(traceId|spanId|parentSpanId)":"([\da-f]+)"/g, (_, k, id) => {
    if (!seen.has(id)) seen.set(id, "#" + seen.size);
    return `"${k}":"${seen.get(id)}"`;
  });
}

/** The scripted run: two orders, the second failing, then shutdown. The requests sent, by URL then body. */
async function run(api: Api, env: Record<string, string>) {
  sent.length = 0;
  printed.length = 0;
  clock = 5000;
  const { sdk, handle } = program(api, env);
  await handle("o-1", false);
  clock += 10;
  await handle("o-2", true).then(() => assert.unreachable("must rethrow"), (e) => assert.is(e, DECLINED));
  clock += 10;
  await sdk.shutdown();
  // Later telemetry is not recorded.
  await handle("o-3", false);
  await new Promise((r) => setTimeout(r, 5));
  return sent.map((s) => ({ url: s.url, body: normalize(s.body) })).sort((a, b) => (a.url + a.body < b.url + b.body ? -1 : 1));
}

const ENVS: Array<Record<string, string>> = [
  {},
  { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.test:4318/base", OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc" },
  { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://logs.test/in", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces.test/t" },
  { OTEL_TRACES_EXPORTER: "none" },
  { OTEL_METRICS_EXPORTER: "none" },
  { OTEL_LOGS_EXPORTER: "none" },
  { OTEL_TRACES_EXPORTER: "none", OTEL_METRICS_EXPORTER: "none", OTEL_LOGS_EXPORTER: "none" },
  { OTEL_SDK_DISABLED: "true" },
  { OTEL_TRACES_SAMPLER: "always_off" },
  { OTEL_TRACES_SAMPLER: "parentbased_always_off" },
  { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" },
  { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1" },
  { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1" },
  { OTEL_TRACES_SAMPLER: "always_on" },
  { OTEL_TRACES_SAMPLER: "bogus" },
  { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,team=pay", OTEL_SERVICE_NAME: "ignored-by-option" },
  { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "delta" },
  { OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: "2", OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: "1" },
  { OTEL_ATTRIBUTE_COUNT_LIMIT: "0" },
  { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: "1" },
];

for (const env of ENVS) {
  test(`the program, env ${JSON.stringify(env)}: the same requests as the product's`, async () => {
    const ours = await run(product as unknown as Api, env);
    const leanSent = await run(lean, env);
    assert.equal(leanSent.map((s) => s.url), ours.map((s) => s.url));
    for (let i = 0; i < ours.length; i++) assert.fixture(leanSent[i]!.body, ours[i]!.body);
  });
}

test("the program: three signals reach the collector, the error path recorded on the span and the log", async () => {
  const out = await run(lean, {});
  assert.equal(out.map((s) => s.url), ["http://localhost:4318/v1/logs", "http://localhost:4318/v1/metrics", "http://localhost:4318/v1/traces"]);
  const logs = JSON.parse(out[0]!.body).resourceLogs[0].scopeLogs[0].logRecords;
  assert.equal(logs.map((r: { severityText: string }) => r.severityText), ["INFO", "ERROR"]);
  assert.ok(logs.every((r: { traceId?: string }) => r.traceId), "correlated with the active span");
  const attrs = Object.fromEntries(logs[1].attributes.map((a: { key: string; value: { stringValue: string } }) => [a.key, a.value.stringValue]));
  assert.is(attrs["exception.type"], "Error");
  assert.is(attrs["exception.message"], "card declined");
  assert.is(attrs["exception.stacktrace"], DECLINED.stack);
  const spans = JSON.parse(out[2]!.body).resourceSpans[0].scopeSpans[0].spans;
  assert.is(spans.length, 2);
  assert.equal(spans[1].status, { code: 2, message: "card declined" });
  assert.is(spans[1].events[0].name, "exception");
  const sum = JSON.parse(out[1]!.body).resourceMetrics[0].scopeMetrics[0].metrics[0].sum;
  assert.is(sum.aggregationTemporality, 2);
  assert.is(sum.dataPoints[0].asDouble, 2);
});

test("console exporters: each signal's records printed, nothing sent for it", async () => {
  const out = await run(lean, { OTEL_TRACES_EXPORTER: "console", OTEL_LOGS_EXPORTER: "console,otlp", OTEL_METRICS_EXPORTER: "none" });
  assert.equal(out.map((s) => s.url), ["http://localhost:4318/v1/logs"]);
  assert.is(printed.filter((p) => p.startsWith('{"resourceSpans"')).length, 2);
  assert.is(printed.filter((p) => p.startsWith('{"resourceLogs"')).length, 2);
});

test("the batch timers export without a flush (OTEL_BSP_SCHEDULE_DELAY, OTEL_BLRP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL)", async () => {
  sent.length = 0;
  const { sdk, handle } = program(lean, { OTEL_BSP_SCHEDULE_DELAY: "20", OTEL_BLRP_SCHEDULE_DELAY: "20", OTEL_METRIC_EXPORT_INTERVAL: "20" });
  await handle("t-1", false);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal([...new Set(sent.map((s) => s.url))].sort(), ["http://localhost:4318/v1/logs", "http://localhost:4318/v1/metrics", "http://localhost:4318/v1/traces"]);
  await sdk.shutdown();
});

// ---- the OTLP logs encoder against the product's --------------------------------------------

const resource = { attributes: { "service.name": "s", n: 1 } };
const other = { attributes: { "service.name": "t" }, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" };
const scope = { name: "checkout", version: "1.4.0" };
const ctx = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 };
const base = { timestamp: 12.5, observedTimestamp: 13.000001, attributes: {}, droppedAttributesCount: 0, resource, instrumentationScope: scope };
const hostile = new Proxy({}, { ownKeys: () => { throw new Error("no"); } });
const getter = Object.defineProperty({ ok: "yes" }, "bad", { enumerable: true, get() { throw new Error("no"); } });
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const RECORDS = [
  { ...base, severityNumber: 9, severityText: "INFO", body: "order placed", attributes: { "order.id": "o-1" }, spanContext: ctx },
  { ...base, severityNumber: 17, severityText: "ERROR", body: { nested: [1, 2.5, "x", true, null, 2n ** 70n, new Uint8Array([1, 2, 255])] }, droppedAttributesCount: 3, spanContext: { ...ctx, traceFlags: 0 } },
  { ...base, severityNumber: 0, body: undefined, eventName: "checkout.done", spanContext: { ...ctx, traceId: "00000000000000000000000000000000" } },
  { ...base, severityNumber: 25, severityText: "", body: "", attributes: { big: 2 ** 64, neg: -0, nan: NaN, inf: -Infinity, s: "é\u0000\ud800" } },
  { ...base, severityNumber: 1.5, timestamp: NaN, body: cyclic, attributes: getter },
  { ...base, body: hostile, attributes: hostile as never, instrumentationScope: { name: "other" } },
  { ...base, resource: other, body: ["a", undefined, () => 1], spanContext: { ...ctx, spanId: "XYZ" } },
  { ...base, body: new Date(0), severityNumber: 24, spanContext: { ...ctx, traceFlags: 0x1ff } },
];

test("encodeLogs: byte-identical to the product's encodeLogsBytes, record by record and together", () => {
  for (const r of RECORDS) assert.equal(new TextDecoder().decode(encodeLogs([r as never])), new TextDecoder().decode(encodeLogsBytes([r as never])));
  assert.equal(new TextDecoder().decode(encodeLogs(RECORDS as never)), new TextDecoder().decode(encodeLogsBytes(RECORDS as never)));
  assert.is(new TextDecoder().decode(encodeLogs([])), '{"resourceLogs":[]}');
  assert.equal(encodeLogs([]), encodeLogsBytes([]));
});

test("severity: level names, suffixes and numbers as the product's parseSeverity", async () => {
  const { parseSeverity } = await import("../../src/logs/severity.ts");
  for (const v of ["info", " WARN ", "warning", "err", "fatal4", "debug2", "trace5", "off", "none", "all", "12", "0", "26", 5, 0, 1.5, 25, "", "crit", "critical", "nope", null])
    assert.is(severity(v), parseSeverity(v), String(v));
});

test("createLog: levels, env level, child attributes, errors without a message, never throws", async () => {
  sent.length = 0;
  const { sdk } = program(lean, {});
  const log = lean.createLog({ name: "unit", env: { OTEL_EDGE_LOG_LEVEL: "warn" } });
  assert.is(log.isEnabled("info"), false);
  log.info("dropped");
  log.child({ a: 1 }).warn("kept", { b: 2 });
  log.error(new TypeError("boom"));
  log.setLevel("error");
  log.warn("dropped too");
  log.error("with value", 42 as never);
  log.error("hostile", hostile as never);
  assert.throws(() => lean.createLog({ level: "loud" }), RangeError);
  await sdk.shutdown();
  const records = JSON.parse(sent.find((s) => s.url.endsWith("/v1/logs"))!.body).resourceLogs[0].scopeLogs.find((s: { scope: { name: string } }) => s.scope.name == "unit").logRecords;
  assert.equal(records.map((r: { body: { stringValue: string } }) => r.body.stringValue), ["kept", "boom", "with value", "hostile"]);
  assert.equal(records[0].attributes.map((a: { key: string }) => a.key), ["a", "b"]);
  assert.equal(records[1].attributes.find((a: { key: string }) => a.key == "exception.type").value.stringValue, "TypeError");
  assert.equal(records[2].attributes[0], { key: "exception.message", value: { stringValue: "42" } });
  assert.is(createTraceState("ot=th:0").get("ot"), "th:0");
});

test("OTEL_TRACES_SAMPLER(+_ARG): the product's decisions and ot=th tracestate on the same trace ids and parents", async () => {
  const { samplerFromEnv } = await import("../../src/trace/samplers/from-env.ts");
  const { setSpanContext } = await import("../../src/trace/span-in-context.ts");
  const { ROOT_CONTEXT: P_ROOT } = await import("../../src/context/context.ts");
  const { createTraceState: productTraceState } = await import("../../src/propagation/trace-state.ts");
  const { envSampler } = await import("../../bench/lean/samplers.ts");
  const { ROOT_CONTEXT, SPAN_KEY } = await import("../../bench/lean/context-core.ts");
  const { nonRecordingSpan } = await import("../../bench/lean/propagation.ts");
  const names = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"];
  const args = [undefined, "0", "1", "0.5", "0.1", "0.25", "0.00001", "0.3333", "2", "x"];
  const ids = Array.from({ length: 64 }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n + 12345n).toString(16).padStart(32, "7").slice(-32));
  for (const name of names)
    for (const arg of args) {
      const ours = samplerFromEnv({ OTEL_TRACES_SAMPLER: name, ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }) } as never);
      const lean = envSampler(name, arg);
      for (const parent of [undefined, { flags: 1, ts: undefined }, { flags: 0, ts: "ot=th:8,a=1" }, { flags: 1, ts: "vendor=x" }]) {
        for (const id of ids) {
          const psc = parent && { traceId: id, spanId: "b7ad6b7169203331", traceFlags: parent.flags, isRemote: true };
          const pc = psc ? setSpanContext(P_ROOT, { ...psc, traceState: parent!.ts ? productTraceState(parent!.ts) : undefined }) : P_ROOT;
          const lc = psc ? ROOT_CONTEXT.setValue(SPAN_KEY, nonRecordingSpan({ ...psc, traceState: parent!.ts ? createTraceState(parent!.ts) : undefined })) : ROOT_CONTEXT;
          const b = ours.shouldSample(pc, id, "n", 0, {}, []);
          // The lean default (parent-based always-on) is no sampler: the tracer follows the parent's flag.
          const a = lean ? lean.shouldSample(lc, id, "n", 0, {}) : { decision: psc ? (psc.traceFlags & 1) * 2 : 2, traceState: (lc.getValue(SPAN_KEY) as { spanContext(): { traceState?: { serialize(): string } } } | undefined)?.spanContext().traceState };
          const key = `${name} ${arg} ${JSON.stringify(parent)} ${id}`;
          assert.is(a.decision == 2, b.decision == 2, key);
          assert.is(a.traceState?.serialize(), b.traceState?.serialize(), key);
        }
      }
    }
});

// Last: muting is for the life of the process.
test("OTEL_LOG_LEVEL: an unknown level reported; none silences the SDK's diagnostics", async () => {
  warned.length = 0;
  await program(lean, { OTEL_LOG_LEVEL: "loud" }).sdk.shutdown();
  assert.ok(warned.some((w) => w.includes("OTEL_LOG_LEVEL")), warned.join("|"));
  warned.length = 0;
  await program(lean, { OTEL_LOG_LEVEL: "none", OTEL_BSP_MAX_QUEUE_SIZE: "-1" }).sdk.shutdown();
  assert.equal(warned, []);
});

test.run();