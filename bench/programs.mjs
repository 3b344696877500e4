// The incumbents' side of the size and cold-start comparisons (issue 16): for each program of
// `scripts/size.mjs` (`programs`: what our users write), the same job written with each
// incumbent's newest packages, in its best build. Both sides are bundled by `measure()` of
// scripts/size.mjs, i.e. with the same esbuild settings and the same tool settings (Workers:
// wrangler's conditions; pages: platform browser; Node: platform node; hand-wired: neutral);
// the incumbent's packages resolve from its own folder under bench/incumbents/ (ESM through the
// `module` condition or `exports`, tree-shaken).
//
// Each incumbent lives in its own package (bench/incumbents/<dir>/package.json + lockfile, exact
// versions) because their `@opentelemetry/api` peer ranges exclude each other: the official 3.x
// line needs api ^1.10, otel-cf-workers ~1.9. Versions: see those package.json files.
//
// Where an incumbent program does less than ours, it says so in `note` (it flatters them).

/** Incumbent folder → what it holds (for the report). */
export const incumbentDirs = {
  official: "official OpenTelemetry JS, 3.x line (core/sdk 3.1.1, exporters 0.301.2)",
  "official-web": "official OpenTelemetry JS for the browser: 3.0.0 / 0.300.0, the line @opentelemetry/instrumentation-fetch@0.300.0 (its newest) pins",
  "otel-cf-workers": "@microlabs/otel-cf-workers 1.0.0-rc.52 (its 2.0.0 official deps deduplicated)",
  "elastic-apm-rum": "@elastic/apm-rum 5.17.5",
  ".": "prom-client (bench/package.json)",
};

const officialWorkersSetup = `import { context, propagation, trace, ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";

let provider;
function setup(env) {
  if (provider) return provider;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "edge-api" }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces" }) })],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  return provider;
}
`;

/**
 * Our program name → incumbents doing the same job: `{ name, dir, source, note?, external? }`.
 * `external`: extra modules left to the runtime, as wrangler leaves them: `cloudflare:*` always,
 * and with `nodejs_compat` (which both incumbents require) the bare Node built-ins (`async_hooks`,
 * `events`) the official context manager imports, as it does `node:*`.
 */
export const incumbentPrograms = {
  "Workers instrument(handler)": [
    {
      name: "official 3.x, hand-wired",
      dir: "official",
      external: ["async_hooks", "events"],
      note: "the official SDK has no Workers wrapper: the program wraps fetch, scheduled and queue itself (server span from the W3C headers, error status, flush in waitUntil); it instruments no outgoing fetch and records no metrics",
      source: `${officialWorkersSetup}
function traced(name, kind, parent, attributes, env, ctx, run) {
  const p = setup(env);
  const span = trace.getTracer("edge-api").startSpan(name, { kind, attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await run(span);
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
      ctx.waitUntil(p.forceFlush());
    }
  });
}

const handler = {
  async fetch(request, env, ctx) { return new Response("ok"); },
  async scheduled(controller, env, ctx) {},
  async queue(batch, env, ctx) {},
};

export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, { get: (h, k) => h.get(k) ?? undefined, keys: (h) => [...h.keys()] });
    return traced(request.method, SpanKind.SERVER, parent, { "http.request.method": request.method, "url.full": request.url, "url.path": url.pathname }, env, ctx, async (span) => {
      const response = await handler.fetch(request, env, ctx);
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    });
  },
  scheduled(controller, env, ctx) {
    return traced(controller.cron, SpanKind.INTERNAL, ROOT_CONTEXT, { "faas.trigger": "timer", "faas.cron": controller.cron }, env, ctx, () => handler.scheduled(controller, env, ctx));
  },
  queue(batch, env, ctx) {
    return traced(batch.queue + " process", SpanKind.CONSUMER, ROOT_CONTEXT, { "faas.trigger": "pubsub", "messaging.destination.name": batch.queue, "messaging.batch.message_count": batch.messages.length }, env, ctx, () => handler.queue(batch, env, ctx));
  },
};
`,
    },
    {
      name: "otel-cf-workers",
      dir: "otel-cf-workers",
      external: ["cloudflare:*"],
      note: "also instruments outgoing fetch, caches and bindings",
      source: `import { instrument } from "@microlabs/otel-cf-workers";

const handler = {
  async fetch(request, env, ctx) { return new Response("ok"); },
  async scheduled(controller, env, ctx) {},
  async queue(batch, env, ctx) {},
};

export default instrument(handler, (env) => ({
  exporter: { url: env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces" },
  service: { name: "edge-api" },
}));
`,
    },
  ],
  "Workers init + traced handler": [
    {
      name: "official 3.x, hand-wired",
      dir: "official",
      external: ["async_hooks", "events"],
      source: `${officialWorkersSetup}
export default {
  async fetch(request, env, ctx) {
    const p = setup(env); // once per isolate
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      ctx.waitUntil(p.forceFlush());
    }
  },
};
`,
    },
    {
      name: "otel-cf-workers",
      dir: "otel-cf-workers",
      external: ["cloudflare:*"],
      note: "its only way to start is instrument(handler): the same program as above",
      source: `import { instrument } from "@microlabs/otel-cf-workers";
import { trace } from "@opentelemetry/api";

const handler = {
  async fetch(request, env, ctx) {
    return trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
      try { return new Response("ok"); } finally { span.end(); }
    });
  },
};

export default instrument(handler, (env) => ({
  exporter: { url: env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/traces" },
  service: { name: "edge-api" },
}));
`,
    },
  ],
  "Workers init + traces + metrics": [
    {
      name: "official 3.x, hand-wired",
      dir: "official",
      external: ["async_hooks", "events"],
      source: `${officialWorkersSetup}
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { metrics } from "@opentelemetry/api";

let meterProvider;
const meter = metrics.getMeter("edge-api");
const requests = meter.createCounter("app.requests", { unit: "{request}" });
const latency = meter.createHistogram("app.latency", { unit: "ms" });

export default {
  async fetch(request, env, ctx) {
    const p = setup(env);
    if (!meterProvider) {
      meterProvider = new MeterProvider({
        resource: resourceFromAttributes({ "service.name": "edge-api" }),
        readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: env.OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/metrics" }) })],
      });
      metrics.setGlobalMeterProvider(meterProvider);
    }
    const started = performance.now();
    try {
      return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
        try { return new Response("ok"); } finally { span.end(); }
      });
    } finally {
      requests.add(1, { "http.request.method": request.method });
      latency.record(performance.now() - started);
      ctx.waitUntil(Promise.all([p.forceFlush(), meterProvider.forceFlush()]));
    }
  },
};
`,
    },
  ],
  "Browser init + traced fetch": [
    {
      name: "official 3.0",
      dir: "official-web",
      source: `import { context, propagation, trace } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, StackContextManager, TracerProvider } from "@opentelemetry/sdk-trace";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { FetchInstrumentation } from "@opentelemetry/instrumentation-fetch";

const provider = new TracerProvider({
  resource: resourceFromAttributes({ "service.name": "shop-web" }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: "https://collector.example.com/v1/traces" }) })],
});
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new StackContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
registerInstrumentations({ instrumentations: [new FetchInstrumentation({ propagateTraceHeaderCorsUrls: [location.origin] })] });
`,
    },
  ],
  "Browser initRum()": [
    {
      name: "Elastic APM RUM",
      dir: "elastic-apm-rum",
      note: "exports to Elastic's intake, not OTLP",
      source: `import { init as initApm } from "@elastic/apm-rum";

initApm({ serviceName: "shop-web", serverUrl: "https://collector.example.com" });
`,
    },
  ],
  "Traces only, hand-wired": [
    {
      name: "official 3.x",
      dir: "official",
      source: `import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { trace } from "@opentelemetry/api";

const provider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: "http://127.0.0.1:4318/v1/traces" }) })],
});
trace.setGlobalTracerProvider(provider);
export { provider };
`,
    },
  ],
  "Node quick start": [
    {
      name: "official 3.x, hand-wired",
      dir: "official",
      note: "hand-wired: exporters and propagators fixed in code, no OTEL_*_EXPORTER / OTEL_PROPAGATORS selection by name (sdk-node does that, and brings auto-instrumentation loading with it)",
      source: `import { context, logs, metrics, propagation, trace, SeverityNumber, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";

const resource = defaultResource().merge(resourceFromAttributes({ "service.name": "checkout", "service.version": "1.4.0" }));
const tracerProvider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })] });
const meterProvider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })] });
const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
trace.setGlobalTracerProvider(tracerProvider);
metrics.setGlobalMeterProvider(meterProvider);
logs.setGlobalLoggerProvider(loggerProvider);

const tracer = trace.getTracer("checkout");
const orders = metrics.getMeter("checkout").createCounter("orders.placed", { unit: "{order}" });
const logger = logs.getLogger("checkout");

export async function handle(orderId) {
  return tracer.startActiveSpan("process order", { attributes: { "order.id": orderId } }, async (span) => {
    try {
      orders.add(1, { "payment.method": "card" });
      logger.emit({ severityNumber: SeverityNumber.INFO, severityText: "INFO", body: "order placed", attributes: { "order.id": orderId } });
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: "ERROR", body: "payment failed", attributes: { "exception.message": err.message, "exception.stacktrace": err.stack } });
      throw err;
    } finally {
      span.end();
    }
  });
}

process.on("SIGTERM", () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]));
`,
    },
  ],
  "Prometheus only": [
    {
      name: "prom-client",
      dir: ".",
      note: "CommonJS only (no ESM build); also collects nothing by default (no default metrics), like ours",
      source: `import { Counter, Histogram, register } from "prom-client";
import { createServer } from "node:http";

export const orders = new Counter({ name: "orders_placed_total", help: "Orders placed" });
export const latency = new Histogram({ name: "http_server_request_duration_seconds", help: "Request duration" });

createServer(async (req, res) => {
  res.setHeader("Content-Type", register.contentType);
  res.end(await register.metrics());
}).listen(9464);
`,
    },
  ],
};
