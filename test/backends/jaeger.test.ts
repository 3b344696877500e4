// Scenario 4 of the real-backends suite (issue 17): Jaeger v2 (built from the Go module proxy by
// scripts/peers.mjs; in-memory storage) receives, over OTLP/HTTP JSON, a trace that crosses two
// services: "storefront" opens a span and calls "inventory" with our traced `fetch`; "inventory"
// serves it with our traced handler (instrumentHandler through node:http), adds an event and a
// child span, and answers 503. Jaeger's query API must return one trace with the right
// parent/child tree, service names, span kinds, status and events. Inside the child span
// "inventory" also writes a log record through a logger provider with spanEventLogProcessor()
// (issue 19, "Logs inline in Jaeger"): Jaeger must show it as a log of that span.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import {
  AsyncLocalStorageContextManager,
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  SeverityNumber,
  SpanKind,
  SpanStatusCode,
  context,
  createOtlpTraceExporter,
  createResource,
  diag,
  instrumentFetch,
  instrumentHandler,
  spanEventLogProcessor,
  trace,
} from "../../mod.ts";
import { toNodeListener } from "../../src/export/prometheus/mod.ts";
import { poll, startJaeger, type Jaeger, setUpReporting } from "./peers.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));
const diagLines: string[] = [];
diag.setLogger({ error: (m: string) => diagLines.push(`error ${m}`), warn: (m: string) => diagLines.push(`warn ${m}`), info: () => {}, debug: () => {}, verbose: () => {} });

let jaeger: Jaeger;
let traceId = "";
const ids: Record<string, string> = {};
const logExporter = new InMemoryLogRecordExporter();

test.before(() => setUpReporting(setUp));

function provider(service: string): BasicTracerProvider {
  const exporter = createOtlpTraceExporter({ endpoint: jaeger.otlpEndpoint, compression: "gzip" });
  return new BasicTracerProvider({ resource: createResource({ "service.name": service, "service.version": "1.0.0" }), spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: Infinity })] });
}

async function setUp(): Promise<void> {
  jaeger = await startJaeger();
  const storefront = provider("storefront");
  const inventory = provider("inventory");

  const inventoryTracer = inventory.getTracer("inventory.app");
  const inventoryLogs = new LoggerProvider({ processors: [spanEventLogProcessor(), new SimpleLogRecordProcessor(logExporter)] });
  const inventoryLog = inventoryLogs.getLogger("inventory.app");
  const server = createServer(
    toNodeListener(
      instrumentHandler(
        async () => {
          trace.getActiveSpan()?.addEvent("stock checked", { "stock.sku": "A-1", "stock.left": 0 });
          const lookup = inventoryTracer.startSpan("lookup stock");
          ids.lookup = lookup.spanContext().spanId;
          inventoryLog.emit({
            severityNumber: SeverityNumber.WARN,
            severityText: "WARN",
            body: "sku A-1 out of stock",
            attributes: { "stock.sku": "A-1", "stock.warehouses": ["fra", "ams"] },
            context: trace.setSpan(context.active(), lookup),
          });
          lookup.end();
          return new Response("out of stock", { status: 503 });
        },
        { tracerProvider: inventory, route: "/stock/{sku}" },
      ),
    ),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const tracedFetch = instrumentFetch(fetch, { tracerProvider: storefront });
    await storefront.getTracer("storefront.app").startActiveSpan("checkout", async (span) => {
      traceId = span.spanContext().traceId;
      ids.checkout = span.spanContext().spanId;
      const res = await tracedFetch(`http://127.0.0.1:${port}/stock/A-1`);
      await res.text();
      span.setStatus({ code: SpanStatusCode.ERROR, message: "inventory unavailable" });
      span.end();
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
  // The server span ends when the response is finished, maybe just after the client saw it.
  await new Promise((r) => setTimeout(r, 100));
  await Promise.all([storefront.forceFlush(), inventory.forceFlush(), inventoryLogs.forceFlush()]);
}

test.after(async () => {
  await jaeger?.close();
});

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  processID: string;
  tags: Array<{ key: string; type: string; value: unknown }>;
  logs: Array<{ timestamp: number; fields: Array<{ key: string; value: unknown }> }>;
}

test("Jaeger returns one trace with both services, the right tree, kinds, status and events", async () => {
  const data = await poll("the trace in Jaeger's query API", async () => {
    const r = await fetch(`${jaeger.queryBase}/api/traces/${traceId}`);
    if (!r.ok) return undefined;
    const body = await r.json();
    return body.data?.[0]?.spans?.length >= 4 ? body.data[0] : undefined;
  });
  assert.is(data.traceID, traceId);
  const spans = data.spans as JaegerSpan[];
  assert.is(spans.length, 4, spans.map((s) => s.operationName).join());
  const tag = (s: JaegerSpan, key: string): unknown => s.tags.find((t) => t.key === key)?.value;
  const service = (s: JaegerSpan): string => data.processes[s.processID].serviceName;
  const by = (name: string): JaegerSpan => {
    const found = spans.find((s) => s.operationName === name);
    assert.ok(found, `span ${name} among ${spans.map((s) => s.operationName).join()}`);
    return found!;
  };
  const checkout = by("checkout");
  const client = spans.find((s) => tag(s, "span.kind") === "client")!;
  const server = spans.find((s) => tag(s, "span.kind") === "server")!;
  const lookup = by("lookup stock");
  assert.ok(client && server, "a client and a server span");
  const parentOf = (s: JaegerSpan): string | undefined => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

  // The tree: checkout → client GET → server GET /stock/{sku} → lookup stock.
  assert.is(checkout.spanID, ids.checkout);
  assert.is(parentOf(checkout), undefined);
  assert.is(parentOf(client), checkout.spanID);
  assert.is(parentOf(server), client.spanID);
  assert.is(parentOf(lookup), server.spanID);
  assert.is(lookup.spanID, ids.lookup);
  for (const s of spans) assert.is(s.traceID, traceId);

  // Services and kinds.
  assert.is(service(checkout), "storefront");
  assert.is(service(client), "storefront");
  assert.is(service(server), "inventory");
  assert.is(service(lookup), "inventory");
  assert.is(tag(checkout, "span.kind"), "internal");
  assert.is(tag(lookup, "span.kind"), "internal");
  assert.is(server.operationName, "GET /stock/{sku}");
  assert.is(tag(server, "http.response.status_code"), 503);
  assert.is(tag(client, "http.response.status_code"), 503);

  // Status: our ERROR status with its message; the 503 server span is an error too (HTTP semconv).
  assert.is(tag(checkout, "error"), true);
  assert.is(tag(checkout, "otel.status_code"), "ERROR");
  assert.is(tag(checkout, "otel.status_description"), "inventory unavailable");
  assert.is(tag(server, "otel.status_code"), "ERROR");
  assert.is(tag(lookup, "error"), undefined);

  // The event, as a Jaeger log with its attributes.
  assert.is(server.logs.length, 1);
  const fields = Object.fromEntries(server.logs[0]!.fields.map((f) => [f.key, f.value]));
  assert.equal(fields, { event: "stock checked", "stock.sku": "A-1", "stock.left": 0 });

  const services = await (await fetch(`${jaeger.queryBase}/api/services`)).json();
  for (const s of ["storefront", "inventory"]) assert.ok(services.data.includes(s), JSON.stringify(services.data));
});

test("spanEventLogProcessor: the log record written inside a span is a log of that span in Jaeger, and still a log record", async () => {
  const data = await poll("the trace in Jaeger's query API", async () => {
    const r = await fetch(`${jaeger.queryBase}/api/traces/${traceId}`);
    return r.ok ? (await r.json()).data?.[0] : undefined;
  });
  const lookup = (data.spans as JaegerSpan[]).find((s) => s.spanID === ids.lookup)!;
  assert.ok(lookup, "the lookup span");
  assert.is(lookup.logs.length, 1, JSON.stringify(lookup.logs));
  const fields = Object.fromEntries(lookup.logs[0]!.fields.map((f) => [f.key, f.value]));
  assert.equal(fields, {
    event: "log",
    "log.record.body": "sku A-1 out of stock",
    "log.record.severity_number": 13,
    "log.record.severity_text": "WARN",
    "stock.sku": "A-1",
    // Jaeger's model has no array values: the OTLP translator writes them as JSON text.
    "stock.warehouses": '["fra","ams"]',
  });
  const records = logExporter.getFinishedLogRecords();
  assert.equal(records.map((r) => [r.body, r.spanContext?.spanId]), [["sku A-1 out of stock", ids.lookup]]);
});

test("the demo (npm run demo) with OTEL_EXPORTER_OTLP_ENDPOINT at Jaeger: its three traces show there under demo-shop", async () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OTEL_")) env[k] = v;
  env.NO_COLOR = "1";
  env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger.otlpEndpoint;
  // Plain node, as `npm run demo` runs it (dist/ is built by npm test before the suites).
  const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/demo.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  assert.is(run.code, 0, run.out);
  assert.match(run.out, /look for service "demo-shop"/, run.out);
  const traces = await poll("demo-shop traces in Jaeger", async () => {
    const body = await (await fetch(`${jaeger.queryBase}/api/traces?service=demo-shop&limit=20`)).json();
    return body.data?.length >= 3 ? body.data : undefined;
  });
  assert.is(traces.length, 3);
  for (const t of traces) {
    const spans = t.spans as JaegerSpan[];
    // One root per trace; every other span's parent is in the same trace.
    const ids = new Set(spans.map((s) => s.spanID));
    const roots = spans.filter((s) => !s.references.some((r) => r.refType === "CHILD_OF" && ids.has(r.spanID)));
    assert.is(roots.length, 1, JSON.stringify(spans.map((s) => [s.operationName, s.references])));
    for (const s of spans) assert.is(t.processes[s.processID].serviceName, "demo-shop");
  }
});

test("no SDK diagnostics; Jaeger logged no error", () => {
  assert.equal(diagLines, []);
  // A build from the module proxy has no UI (release builds embed it, built with npm): Jaeger
  // warns about that once at start; any other warning or error counts.
  const problems = jaeger.log().split("\n").filter((l) => /\t(error|warn)\t/.test(l) && !l.includes("ui assets not embedded"));
  assert.equal(problems, [], jaeger.log());
});

test.run();
