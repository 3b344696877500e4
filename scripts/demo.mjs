// `npm run demo`: a tiny shop service observed with otel-edge — traces, logs and metrics —
// exported over OTLP/HTTP JSON and shown together: trace waterfalls with each span's log lines
// under it, then RED metrics per route whose exemplars point back at those traces.
//
// It uses the SDK exactly like a user would — `import ... from "otel-edge"`, which Node
// resolves through this package's own `exports` map (the `node` condition → dist/node.js,
// the entry that wires AsyncLocalStorage so context follows `await`). So it needs `dist/`:
// `npm run demo` builds first.
//
// Unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, all three
// signals go to an embedded receiver on 127.0.0.1 and are printed; with it set, spans go to
// your collector and the demo says where. Metrics and logs then go where OTEL_METRICS_EXPORTER
// and OTEL_LOGS_EXPORTER say, and nowhere when those are unset: a traces-only backend such as
// Jaeger would refuse them.
//
// The HTTP server is wrapped in `instrumentNodeListener` (SERVER span per request and the
// `http.server.request.duration` histogram, with exemplars); the inner spans are made by hand.
import { createServer } from "node:http";
import { startDevReceiver } from "./dev-receiver.mjs";
import { renderRedMetrics, renderWaterfall } from "./waterfall.mjs";

/** @type {typeof import("otel-edge")} */
let otel;
try {
  otel = await import("otel-edge");
} catch (err) {
  const e = /** @type {NodeJS.ErrnoException} */ (err);
  if (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
    console.error(`Cannot load otel-edge from dist/ (${e.message}).\nRun \`npm run build\` first, or use \`npm run demo\`, which builds.`);
    process.exit(1);
  }
  throw err;
}
const { init, trace, context, propagation, diag, DiagLogLevel, SpanKind, SpanStatusCode, createLog, instrumentNodeListener, ManualMetricReader, encodeMetrics } = otel;

const SERVICE = "demo-shop";
// Either variable points the SDK at a collector (the per-signal one wins, OTLP exporter spec).
const tracesEndpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || undefined;
const baseEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
const external = tracesEndpoint ?? (baseEndpoint && `${baseEndpoint.replace(/\/+$/, "")}/v1/traces`);
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

const receiver = external ? undefined : await startDevReceiver({ host: "127.0.0.1", port: 0 });
// With an external endpoint nothing comes back to print from: the RED table is read in-process.
const localMetrics = external ? new ManualMetricReader() : undefined;
const sdk = receiver
  ? // The demo exists to show its signals: export them to the embedded receiver whatever
    // OTEL_{TRACES,METRICS,LOGS}_EXPORTER say.
    init({
      serviceName: SERVICE,
      serviceVersion: "1.0.0",
      traceExporter: "otlp",
      metricExporter: "otlp",
      logExporter: "otlp",
      otlp: { endpoint: receiver.url },
    })
  : // The SDK reads OTEL_EXPORTER_OTLP_ENDPOINT (and the rest of OTEL_*) from process.env itself.
    init({
      serviceName: SERVICE,
      serviceVersion: "1.0.0",
      metricReaders: localMetrics ? [localMetrics] : [],
      ...(process.env.OTEL_METRICS_EXPORTER ? {} : { metricExporter: "none" }),
      ...(process.env.OTEL_LOGS_EXPORTER ? {} : { logExporter: "none" }),
    });

// The SDK reports failed exports through diag (it never throws): print them as usual, and
// remember that one happened so the summary does not claim success.
let sdkProblems = 0;
/** @param {"error" | "warn" | "info" | "debug"} method */
const forward = (method) => (/** @type {string} */ message, /** @type {unknown[]} */ ...args) => {
  if (method === "error" || method === "warn") sdkProblems++;
  console[method](`otel-edge: ${message}`, ...args);
};
diag.setLogger(
  { error: forward("error"), warn: forward("warn"), info: forward("info"), debug: forward("debug"), verbose: forward("debug") },
  DiagLogLevel.WARN,
);

const tracer = trace.getTracer("demo-shop", "1.0.0");
// Log records carry the active span's trace and span ids: that is how they find their span.
const log = createLog({ name: "demo-shop", version: "1.0.0" });

/** Spans the demo started: once the receiver holds this many, everything has arrived. */
let spansStarted = 0;

/**
 * Runs `fn` in a new active span and ends it, recording a thrown error on the span first
 * (semantic conventions, "Recording errors": exception event + ERROR status).
 * @template T
 * @param {string} name
 * @param {import("otel-edge").SpanOptions} options
 * @param {(span: import("otel-edge").Span) => Promise<T>} fn
 * @param {import("otel-edge").Context} [ctx]
 * @returns {Promise<T>}
 */
function inSpan(name, options, fn, ctx = context.active()) {
  spansStarted++;
  return tracer.startActiveSpan(name, options, ctx, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      const error = /** @type {Error} */ (err);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.setAttribute("error.type", error.name || "Error");
      throw err;
    } finally {
      span.end();
    }
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `fetch` with a CLIENT span and the W3C `traceparent` of that span injected, so the
 * server's span becomes its child in the same trace (W3C Trace Context, section 3).
 * @param {string} url
 */
function tracedFetch(url) {
  const target = new URL(url);
  const attributes = {
    "http.request.method": "GET",
    "url.full": target.href,
    "server.address": target.hostname,
    "server.port": Number(target.port),
  };
  // Semantic conventions, HTTP client span name: the method alone when there is no template.
  return inSpan("GET", { kind: SpanKind.CLIENT, attributes }, async (span) => {
    /** @type {Record<string, string>} */
    const headers = {};
    propagation.inject(context.active(), headers);
    const res = await fetch(target, { headers });
    span.setAttribute("http.response.status_code", res.status);
    if (res.status >= 400) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` });
      span.setAttribute("error.type", String(res.status));
    }
    return res;
  });
}

/** Route handlers: each returns `[status, body]`; they run inside the server span. */
/** @type {Record<string, (url: URL) => Promise<[number, unknown]>>} */
const routes = {
  async "/checkout"() {
    const user = await inSpan("auth.verify", { attributes: { "demo.user": "u-1024" } }, async () => {
      await sleep(2);
      log.info("user verified", { "demo.user": "u-1024" });
      return "u-1024";
    });
    const cart = await inSpan(
      "cart.load",
      {
        attributes: {
          "db.system": "sqlite",
          "db.operation.name": "SELECT",
          "db.query.text": "SELECT sku, qty FROM cart_items WHERE user_id = ?",
        },
      },
      async (span) => {
        await sleep(8); // the simulated query
        const items = [{ sku: "mug", qty: 2 }, { sku: "tee", qty: 1 }];
        span.setAttribute("demo.items", items.length);
        log.info("cart loaded", { "demo.items": items.length });
        return items;
      },
    );
    const quote = await inSpan("pricing.quote", {}, async () => {
      const res = await tracedFetch(`${baseUrl}/price?items=${cart.length}`);
      return /** @type {{ total: number }} */ (await res.json());
    });
    await inSpan("payment.charge", { attributes: { "demo.amount": quote.total } }, async () => {
      await sleep(5);
      log.info("payment accepted", { "demo.amount": quote.total });
    });
    log.info("order placed", { "demo.user": user });
    return [200, { user, total: quote.total }];
  },
  async "/price"(url) {
    await sleep(3);
    const items = Number(url.searchParams.get("items") ?? 1);
    log.info("price quoted", { "demo.total": 12.5 * items });
    return [200, { total: 12.5 * items }];
  },
  async "/fail"() {
    await inSpan("inventory.reserve", { attributes: { "demo.sku": "mug" } }, async () => {
      await sleep(3);
      log.warn("inventory service did not answer", { "demo.sku": "mug" });
      throw new Error("inventory service unavailable");
    });
    return [200, {}];
  },
};

/**
 * The route template of a request's path, or undefined for an unknown path.
 * @param {{ url?: string }} req
 */
function routeOf(req) {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  return Object.hasOwn(routes, path) ? path : undefined;
}

/** Requests the server took, and those whose response finished (span ended, duration recorded). */
let requestsStarted = 0;
let requestsFinished = 0;

const server = createServer(
  instrumentNodeListener(
    (req, res) => {
      spansStarted++; // the SERVER span the instrumentation started
      requestsStarted++;
      // Registered after the instrumentation's own listener, so it runs once the span ended.
      res.once("finish", () => requestsFinished++);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const route = routeOf(req);
      const run = async () => {
        try {
          return route ? await routes[route](url) : [404, { error: "not found" }];
        } catch (err) {
          // The inner span recorded the exception; the 500 makes the SERVER span an error
          // (semantic conventions: 5xx is a server error), and the log says why.
          log.error("request failed", err);
          return [500, { error: /** @type {Error} */ (err).message }];
        }
      };
      run().then(([status, body]) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      }).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
    // `http.route` and the span name "{method} {route}" (semantic conventions, HTTP server span).
    { route: routeOf },
  ),
);

await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
const baseUrl = `http://127.0.0.1:${port}`;

const where = receiver ? `embedded OTLP/JSON receiver at ${receiver.url}` : `OTLP endpoint ${external}`;
console.log(`otel-edge demo: service ${SERVICE} on ${baseUrl}, exporting to the ${where}\n`);

let exitCode = 0;
try {
  // Plain fetches from "outside": no traceparent, so each request starts a new trace.
  for (const path of ["/checkout", "/checkout", "/fail"]) {
    const res = await fetch(baseUrl + path);
    await res.arrayBuffer();
    const expected = path === "/fail" ? 500 : 200;
    if (res.status !== expected) throw new Error(`GET ${path} answered ${res.status}, expected ${expected}`);
  }
  // A server span ends, and its duration is recorded, when the response finished: that can
  // come a moment after the client read the body. Flush only once every request got there.
  for (let waited = 0; requestsFinished < requestsStarted && waited < 5000; waited += 10) await sleep(10);
  await sdk.flush();

  if (receiver) {
    // flush() resolves once the exports were answered; the wait only covers a slow export.
    await receiver
      .waitFor((r) => {
        const n = r.counts();
        return n.traces.spans >= spansStarted && n.metrics.points > 0 && n.logs.records > 0;
      }, 5000)
      .catch(() => {
        exitCode = 1;
      });
    const text = renderWaterfall(receiver.traces, { color, logs: receiver.logs });
    if (text) console.log(`${text}\n`);
    const red = renderRedMetrics(receiver.metrics, { color });
    console.log(red ? `RED metrics per route (http.server.request.duration; p50/p99 estimated from its buckets):\n${red}\n` : "No http.server.request.duration points arrived.\n");

    const n = receiver.counts();
    const traceIds = new Set(receiver.traces.flatMap(spansOf).map((s) => s.traceId));
    /** @param {number} count @param {string} noun */
    const plural = (count, noun) => `${count} ${noun}${count === 1 ? "" : "s"}`;
    console.log(
      "The embedded receiver got:\n" +
        `  traces   ${plural(traceIds.size, "trace")}, ${plural(n.traces.spans, "span")} in ${plural(n.traces.requests, "export request")}` +
        (n.traces.spans < spansStarted ? ` — expected ${spansStarted} spans: some did not arrive` : "") +
        `\n  metrics  ${plural(n.metrics.points, "point")} of ${plural(n.metrics.metrics, "metric")} in ${plural(n.metrics.requests, "export request")}` +
        `\n  logs     ${plural(n.logs.records, "record")} in ${plural(n.logs.requests, "export request")}`,
    );
  } else {
    const { resourceMetrics } = await /** @type {import("otel-edge").ManualMetricReader} */ (localMetrics).collect();
    const red = renderRedMetrics(JSON.parse(encodeMetrics([resourceMetrics])), { color });
    if (red) console.log(`RED metrics per route (http.server.request.duration, read in-process; the exemplars' traces are in your backend):\n${red}\n`);
    const also = ["metrics", "logs"].filter((s) => process.env[`OTEL_${s.toUpperCase()}_EXPORTER`]);
    console.log(
      also.length > 0
        ? `Metrics and logs went where OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER say (${also.join(", ")} set).`
        : "Metrics and logs were not exported: set OTEL_METRICS_EXPORTER=otlp and OTEL_LOGS_EXPORTER=otlp to send them too (a Collector takes all three; Jaeger only traces).",
    );
    if (sdkProblems > 0) {
      exitCode = 1;
      console.log(`${spansStarted} spans in 3 traces were due at ${external}, but the SDK reported a problem (above).`);
    } else {
      console.log(`${spansStarted} spans in 3 traces sent to ${external} — look for service "${SERVICE}" in your backend.`);
    }
  }
} catch (err) {
  console.error(`demo failed: ${/** @type {Error} */ (err)?.stack ?? err}`);
  exitCode = 1;
} finally {
  await sdk.shutdown();
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  await receiver?.close();
}
process.exitCode = exitCode;

/**
 * The spans of one ExportTraceServiceRequest.
 * @param {any} request
 * @returns {{ traceId: string }[]}
 */
function spansOf(request) {
  return (request.resourceSpans ?? []).flatMap((/** @type {any} */ rs) =>
    (rs.scopeSpans ?? []).flatMap((/** @type {any} */ ss) => ss.spans ?? []),
  );
}
