// The one scenario every runtime runs (Node, Deno, Bun, Workers, Chromium), written in plain
// JavaScript against the public API so each engine loads it as is (or bundled, for Workers
// and the browser). It instruments a request handler by hand — nested spans across `await`,
// a counter and a histogram, two correlated log lines, and an outgoing traced `fetch` — then
// flushes. `assert-scenario.mjs` checks what arrived at the receiver.
//
// With `explicitContext: true` (runtimes without AsyncLocalStorage), the context is passed
// explicitly to every call instead of being taken from the active context.

/** The traceparent the scenario's incoming request carries: the scenario's spans join this trace. */
export const INCOMING_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const INCOMING_SPAN_ID = "00f067aa0ba902b7";
export const INCOMING_TRACEPARENT = `00-${INCOMING_TRACE_ID}-${INCOMING_SPAN_ID}-01`;

/**
 * Builds the instrumented handler. `otel` is the SDK module (whatever entry the runtime
 * imports), `backendUrl` the downstream the handler calls with a traced fetch.
 */
export function createScenarioHandler(otel, { backendUrl, runtime, explicitContext = false, fetchImpl = fetch }) {
  const { trace, context, propagation, metrics, createLog, SpanKind, SpanStatusCode } = otel;
  const tracer = trace.getTracer("scenario", "1.0.0");
  const meter = metrics.getMeter("scenario", "1.0.0");
  const requests = meter.createCounter("scenario.requests", { description: "Handled requests", unit: "{request}" });
  const duration = meter.createHistogram("scenario.duration", { description: "Handler duration", unit: "ms" });
  const baseLog = createLog({ name: "scenario" });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  return async function handle(request) {
    const started = Date.now();
    const parent = propagation.extract(context.active(), request.headers);
    const url = new URL(request.url);
    const server = tracer.startSpan(
      `${request.method} ${url.pathname}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "url.path": url.pathname, "scenario.runtime": runtime } },
      parent,
    );
    const serverCtx = trace.setSpan(parent, server);
    const run = (fn) => (explicitContext ? fn() : context.with(serverCtx, fn));
    return run(async () => {
      const log = explicitContext ? baseLog.withContext(serverCtx) : baseLog;
      try {
        // A nested span across await.
        const db = tracer.startSpan("db.query", { attributes: { "db.system": "memory" } }, explicitContext ? serverCtx : undefined);
        await sleep(2);
        db.end();
        log.info("loaded the work item", { "work.id": 42 });

        // An outgoing traced fetch: a CLIENT span whose context goes out as traceparent.
        const client = tracer.startSpan("GET", { kind: SpanKind.CLIENT, attributes: { "http.request.method": "GET", "url.full": backendUrl } }, serverCtx);
        const headers = {};
        propagation.inject(trace.setSpan(serverCtx, client), headers);
        let status = 0;
        try {
          const response = await fetchImpl(backendUrl, { headers });
          status = response.status;
          await response.text();
          client.setAttribute("http.response.status_code", status);
        } catch (err) {
          client.recordException(err);
          client.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
        } finally {
          client.end();
        }
        log.warn("backend answered", { "http.response.status_code": status });

        requests.add(1, { "scenario.runtime": runtime }, explicitContext ? serverCtx : undefined);
        duration.record(Date.now() - started, { "scenario.runtime": runtime }, explicitContext ? serverCtx : undefined);
        server.setAttribute("http.response.status_code", 200);
        return new Response(JSON.stringify({ traceId: server.spanContext().traceId }), { status: 200, headers: { "content-type": "application/json" } });
      } finally {
        server.end();
      }
    });
  };
}

/** Runs the scenario once end to end: init, one request, flush. Returns the server span's trace id. */
export async function runScenario(otel, { endpoint, backendUrl, runtime, explicitContext = false, initOptions = {} }) {
  const sdk = otel.init({
    serviceName: `scenario-${runtime}`,
    serviceVersion: "1.0.0",
    otlp: { endpoint },
    metricExportIntervalMillis: 60000,
    ...initOptions,
  });
  const handle = createScenarioHandler(otel, { backendUrl, runtime, explicitContext });
  const response = await handle(new Request("http://scenario.test/work", { headers: { traceparent: INCOMING_TRACEPARENT } }));
  const body = await response.json();
  await sdk.flush();
  return { sdk, traceId: body.traceId };
}
