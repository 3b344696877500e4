// An embedded OTLP/HTTP JSON receiver for development, demos and tests: a real HTTP server
// that accepts what an OTLP exporter sends (OTLP spec, "OTLP/HTTP": POST /v1/traces,
// /v1/metrics, /v1/logs) and keeps the parsed request bodies in memory.
//
//   import { startDevReceiver } from "./scripts/dev-receiver.mjs";
//   const receiver = await startDevReceiver();      // http://127.0.0.1:<random port>
//   ... export to receiver.url ...
//   await receiver.waitFor((r) => r.traces.length > 0, 5000);
//   await receiver.close();
//
// CLI: `node scripts/dev-receiver.mjs [--port 4318] [--host 127.0.0.1]` runs until Ctrl-C and
// prints every received trace as a waterfall, so any OTLP/JSON app can be pointed at it.
//
// It speaks JSON only (the "http/json" protocol of the OTLP exporter spec); protobuf bodies
// are answered 415 with a message saying so, rather than being misparsed.
import { createServer } from "node:http";
import { gunzip, inflate } from "node:zlib";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";
import { realpathSync } from "node:fs";
import { renderWaterfall } from "./waterfall.mjs";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Signal paths of OTLP/HTTP (OTLP spec, "OTLP/HTTP Request") → the list they are stored in. */
const SIGNALS = /** @type {const} */ ({ "/v1/traces": "traces", "/v1/metrics": "metrics", "/v1/logs": "logs" });

/** Bodies above this size are refused with 413: the receiver keeps everything in memory. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * google.rpc.Status codes used in error bodies (OTLP/HTTP "Failures": the response body
 * for a failed request is a JSON-encoded `Status`).
 */
const RPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12 };

/**
 * @typedef {{ path: string, headers: import("node:http").IncomingHttpHeaders, body: any }} ReceivedRequest
 * One accepted export request: the signal path, the request headers (lower-case names) and
 * the parsed JSON body (for traces an `ExportTraceServiceRequest`).
 */

/**
 * @typedef {object} DevReceiver
 * @property {string} url Base URL, e.g. `http://127.0.0.1:4318`; exporters append `/v1/<signal>`.
 * @property {number} port The port actually bound (useful with `port: 0`).
 * @property {any[]} traces Parsed `ExportTraceServiceRequest` bodies, in arrival order.
 * @property {any[]} metrics Parsed `ExportMetricsServiceRequest` bodies.
 * @property {any[]} logs Parsed `ExportLogsServiceRequest` bodies.
 * @property {ReceivedRequest[]} requests Every accepted request, all signals, in arrival order.
 * @property {(predicate: (receiver: DevReceiver) => boolean, timeoutMs?: number) => Promise<void>} waitFor
 *   Resolves once `predicate(receiver)` is true (checked now and after each accepted request);
 *   rejects with an Error after `timeoutMs` (default 5000).
 * @property {() => SignalCounts} counts What arrived so far, per signal: requests and their items.
 * @property {() => Promise<void>} close Stops listening and drops open keep-alive connections.
 */

/**
 * @typedef {object} SignalCounts
 * @property {{ requests: number, spans: number }} traces
 * @property {{ requests: number, metrics: number, points: number }} metrics `metrics` counts each metric once per request it came in.
 * @property {{ requests: number, records: number }} logs
 */

/**
 * Starts an OTLP/HTTP JSON receiver.
 *
 * @param {{ port?: number, host?: string, log?: (line: string) => void, onRequest?: (request: ReceivedRequest) => void }} [options]
 *   `port` 0 (default) picks a free port; `host` defaults to 127.0.0.1; `log` receives one line
 *   per handled request (`POST /v1/traces 200 (3 spans)`); `onRequest` sees each accepted request.
 * @returns {Promise<DevReceiver>}
 */
export async function startDevReceiver({ port = 0, host = "127.0.0.1", log, onRequest } = {}) {
  /** @type {Set<() => void>} */
  const waiters = new Set();

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // Only reachable on a bug in this file: answer rather than leave the client hanging.
      reply(req, res, 500, { code: 13, message: `dev receiver error: ${err?.message ?? err}` });
    });
  });

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    const path = (req.url ?? "/").split("?")[0];
    const signal = SIGNALS[/** @type {keyof typeof SIGNALS} */ (path)];

    if (req.method === "OPTIONS") {
      // CORS preflight (Fetch standard, "CORS protocol"): browsers posting JSON cross-origin
      // ask first; allow any origin, method and the headers they ask for.
      res.writeHead(204, {
        "Access-Control-Allow-Origin": req.headers.origin ?? "*",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "Content-Type, Content-Encoding",
        "Access-Control-Max-Age": "86400",
        Vary: "Origin",
      });
      res.end();
      return;
    }
    if (!signal) {
      await drain(req);
      return fail(req, res, 404, RPC.NOT_FOUND, `no OTLP endpoint at ${path}; use POST /v1/traces, /v1/metrics or /v1/logs`);
    }
    if (req.method !== "POST") {
      await drain(req);
      res.setHeader("Allow", "POST, OPTIONS");
      return fail(req, res, 405, RPC.UNIMPLEMENTED, `${req.method} is not supported on ${path}; OTLP/HTTP uses POST`);
    }

    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type === "application/x-protobuf" || type === "application/protobuf") {
      await drain(req);
      return fail(req, res, 415, RPC.UNIMPLEMENTED,
        "this dev receiver only speaks OTLP/HTTP JSON; configure the exporter with protocol http/json (Content-Type: application/json)");
    }
    // text/plain: navigator.sendBeacon cannot set application/json without a preflight, so
    // browsers send JSON as text/plain. An absent type is read as JSON too (curl -d ...).
    if (type !== "application/json" && type !== "text/plain" && type !== "") {
      await drain(req);
      return fail(req, res, 415, RPC.UNIMPLEMENTED, `unsupported Content-Type ${type}; send application/json`);
    }

    const raw = await readBody(req);
    if (raw === undefined) {
      return fail(req, res, 413, RPC.RESOURCE_EXHAUSTED, `body larger than ${MAX_BODY_BYTES} bytes`);
    }

    const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
    /** @type {Buffer} */
    let bytes;
    try {
      if (encoding === "gzip" || encoding === "x-gzip") bytes = await gunzipAsync(raw, { maxOutputLength: MAX_BODY_BYTES });
      else if (encoding === "deflate") bytes = await inflateAsync(raw, { maxOutputLength: MAX_BODY_BYTES });
      else if (encoding === "identity" || encoding === "") bytes = raw;
      else return fail(req, res, 415, RPC.UNIMPLEMENTED, `unsupported Content-Encoding ${encoding}; use gzip or none`);
    } catch (err) {
      return fail(req, res, 400, RPC.INVALID_ARGUMENT, `cannot decode ${encoding} body: ${/** @type {Error} */ (err).message}`);
    }

    let body;
    try {
      body = JSON.parse(bytes.toString("utf8"));
    } catch (err) {
      return fail(req, res, 400, RPC.INVALID_ARGUMENT, `malformed JSON: ${/** @type {Error} */ (err).message}`);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return fail(req, res, 400, RPC.INVALID_ARGUMENT, `body must be a JSON object (an Export${capitalize(signal)}ServiceRequest)`);
    }

    /** @type {ReceivedRequest} */
    const received = { path, headers: req.headers, body };
    receiver.requests.push(received);
    receiver[signal].push(body);
    // Full success is an empty ExportXServiceResponse (OTLP/HTTP "Full Success").
    reply(req, res, 200, {});
    log?.(`POST ${path} 200 (${describe(signal, body)})`);
    try {
      onRequest?.(received);
    } finally {
      for (const wake of [...waiters]) wake();
    }
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @param {number} status
   * @param {number} code
   * @param {string} message
   */
  function fail(req, res, status, code, message) {
    reply(req, res, status, { code, message });
    log?.(`${req.method} ${req.url} ${status} ${message}`);
  }

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  /** @type {DevReceiver} */
  const receiver = {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    traces: [],
    metrics: [],
    logs: [],
    requests: [],
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          let done;
          try {
            done = predicate(receiver);
          } catch (err) {
            finish();
            reject(err);
            return;
          }
          if (done) {
            finish();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`dev receiver: condition not met within ${timeoutMs} ms ` +
            `(received ${receiver.traces.length} trace, ${receiver.metrics.length} metric, ${receiver.logs.length} log requests)`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    counts() {
      /** @param {any[]} bodies @param {(body: any) => number} count */
      const sum = (bodies, count) => bodies.reduce((n, body) => n + count(body), 0);
      return {
        traces: { requests: receiver.traces.length, spans: sum(receiver.traces, spanCount) },
        metrics: { requests: receiver.metrics.length, metrics: sum(receiver.metrics, (b) => metricsOf(b).length), points: sum(receiver.metrics, pointCount) },
        logs: { requests: receiver.logs.length, records: sum(receiver.logs, recordCount) },
      };
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Exporters keep connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections?.();
      });
    },
  };
  return receiver;
}

/**
 * Writes a JSON response; every response carries `Access-Control-Allow-Origin` so that a
 * cross-origin browser exporter can read the status.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} payload
 */
function reply(req, res, status, payload) {
  if (res.headersSent) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Access-Control-Allow-Origin": req.headers.origin ?? "*",
    Vary: "Origin",
  });
  res.end(text);
}

/**
 * Reads the whole body, or returns undefined (and stops reading) past MAX_BODY_BYTES.
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<Buffer | undefined>}
 */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Consumes and discards a request body, so the connection can be reused after an error reply.
 * @param {import("node:http").IncomingMessage} req
 */
async function drain(req) {
  for await (const _ of req) void _;
}

/** @param {string} s */
function capitalize(s) {
  return s[0].toUpperCase() + s.slice(1);
}

/**
 * A short count of what a request carried, for log lines.
 * @param {"traces" | "metrics" | "logs"} signal
 * @param {any} body
 */
function describe(signal, body) {
  /** @param {number} n @param {string} noun */
  const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  if (signal === "traces") return plural(spanCount(body), "span");
  if (signal === "metrics") return plural(metricsOf(body).length, "metric");
  return plural(recordCount(body), "log record");
}

/** @param {any} body an ExportTraceServiceRequest */
function spanCount(body) {
  let n = 0;
  for (const rs of body?.resourceSpans ?? []) for (const ss of rs?.scopeSpans ?? []) n += ss?.spans?.length ?? 0;
  return n;
}

/** @param {any} body an ExportMetricsServiceRequest @returns {any[]} */
function metricsOf(body) {
  return (body?.resourceMetrics ?? []).flatMap((/** @type {any} */ rm) => (rm?.scopeMetrics ?? []).flatMap((/** @type {any} */ sm) => sm?.metrics ?? []));
}

/** Data points of every metric type (OTLP `Metric.data` oneof). @param {any} body */
function pointCount(body) {
  let n = 0;
  for (const m of metricsOf(body)) {
    const data = m?.sum ?? m?.gauge ?? m?.histogram ?? m?.exponentialHistogram ?? m?.summary;
    n += data?.dataPoints?.length ?? 0;
  }
  return n;
}

/** @param {any} body an ExportLogsServiceRequest */
function recordCount(body) {
  let n = 0;
  for (const rl of body?.resourceLogs ?? []) for (const sl of rl?.scopeLogs ?? []) n += sl?.logRecords?.length ?? 0;
  return n;
}

/** Runs the receiver in the foreground: `node scripts/dev-receiver.mjs [--port 4318] [--host 127.0.0.1]`. */
async function main() {
  const args = process.argv.slice(2);
  /** @param {string} name */
  const option = (name) => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return args[i].includes("=") ? args[i].slice(name.length + 1) : args[i + 1];
  };
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: node scripts/dev-receiver.mjs [--port 4318] [--host 127.0.0.1]\n" +
      "An OTLP/HTTP JSON receiver that prints received traces as waterfalls.");
    return;
  }
  const portText = option("--port") ?? "4318";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0..65535, got ${portText}`);
    process.exitCode = 2;
    return;
  }
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const receiver = await startDevReceiver({
    port,
    host: option("--host") ?? "127.0.0.1",
    log: (line) => console.log(line),
    onRequest: ({ path, body }) => {
      if (path === "/v1/traces") console.log(`${renderWaterfall([body], { color })}\n`);
    },
  });
  console.log(`OTLP/HTTP JSON receiver listening on ${receiver.url} (Ctrl-C to stop)`);
  console.log(`  point an app at it: OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url} OTEL_EXPORTER_OTLP_PROTOCOL=http/json`);
  const stop = () => {
    receiver.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err?.message ?? err);
    process.exit(1);
  });
}
