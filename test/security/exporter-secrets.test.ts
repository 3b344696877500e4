// Exporter credentials never appear in diagnostics. A hostile OTLP receiver on 127.0.0.1 echoes
// everything it got (URL with query token, every header value, the bare token after "Bearer")
// in JSON and text error bodies and in partialSuccess.errorMessage; the SDK is started from
// OTEL_EXPORTER_OTLP_* env (general and per-signal headers, userinfo and query tokens in
// endpoints) and exports spans, logs and metrics through every failure path: 401, 500, 503
// with retries, partial success, timeout, refused connection, invalid configuration, and the
// console exporters. All diag output at the most verbose level, every export result's error
// and every console write is collected; no secret may appear in any of it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { init } from "../../mod.ts";
import { createOtlpTraceExporter } from "../../src/export/otlp-http-exporter.ts";
import { otlpOptionsFromEnv, resolveOtlpConfig } from "../../src/export/otlp-config.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { logs } from "../../src/logs/logs-api.ts";
import { metrics } from "../../src/metrics/metrics-api.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";

const SECRETS = ["gen-s3cret-1", "trc-s3cret-2", "key-s3cret-3", "key-s3cret-4", "pa55word", "us3r", "qtok3n-5", Buffer.from("us3r:pa55word").toString("base64")];

const collected: string[] = [];
function text(a: unknown): string {
  if (a instanceof Error) return `${a.name}: ${a.message}\n${a.stack ?? ""}\n${a.cause instanceof Error ? a.cause.message : String(a.cause ?? "")}`;
  try {
    return typeof a === "string" ? a : JSON.stringify(a);
  } catch {
    return String(a);
  }
}
const sink = (m: string, ...args: unknown[]) => void collected.push(m, ...args.map(text));
diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink }, DiagLogLevel.ALL);

type Mode = "401" | "500" | "503" | "partial" | "hang" | "ok";
let mode: Mode = "ok";
let server: Server;
let port = 0;
const hanging = new Set<ServerResponse>();

function echo(req: IncomingMessage): string {
  const values = Object.values(req.headers).flat().join(" | ");
  const auth = String(req.headers.authorization ?? "");
  return `got ${auth.slice(auth.indexOf(" ") + 1)} and ${req.headers["x-api-key"] ?? ""} at ${req.url}; headers: ${values}`;
}

test.before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const said = echo(req);
      if (mode === "hang") return void hanging.add(res);
      if (mode === "401") return void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: 16, message: said }));
      if (mode === "500") return void res.writeHead(500, { "content-type": "text/plain" }).end(said);
      if (mode === "503") return void res.writeHead(503, { "content-type": "application/json", "retry-after": "0" }).end(JSON.stringify({ message: said }));
      if (mode === "partial") {
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ partialSuccess: { rejectedSpans: "1", rejectedLogRecords: 1, rejectedDataPoints: "1", errorMessage: said } }));
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
test.before.each(() => {
  collected.length = 0;
});
test.after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function env(target = `127.0.0.1:${port}`): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://us3r:pa55word@${target}`,
    OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20gen-s3cret-1",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://us3r:pa55word@${target}/v1/traces?token=qtok3n-5`,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: "authorization=Bearer%20trc-s3cret-2,x-api-key=key-s3cret-3",
    OTEL_EXPORTER_OTLP_LOGS_HEADERS: "x-api-key=key-s3cret-4",
    OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-api-key=key-s3cret-4",
    OTEL_EXPORTER_OTLP_TIMEOUT: "1500",
    OTEL_BSP_SCHEDULE_DELAY: "60000",
    OTEL_BLRP_SCHEDULE_DELAY: "60000",
    OTEL_METRIC_EXPORT_INTERVAL: "60000",
    OTEL_LOG_LEVEL: "verbose",
  };
}

async function exportEverything(e: Record<string, string>): Promise<void> {
  resetDiagOnce();
  const sdk = init({ serviceName: "secrets", env: e });
  trace.getTracer("t").startSpan("work").end();
  logs.getLogger("l").emit({ body: "hello" });
  metrics.getMeter("m").createCounter("c").add(1);
  await sdk.flush();
  await sdk.shutdown();
  diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink }, DiagLogLevel.ALL);
}

async function finishedSpan(): Promise<ReadableSpan> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer("t").startSpan("direct").end();
  await provider.forceFlush();
  return exporter.getFinishedSpans()[0]!;
}

function assertNoSecrets(what: string): void {
  const all = collected.join("\n");
  for (const s of SECRETS) assert.not.ok(all.includes(s), `${what}: "${s}" leaked in: ${all.slice(Math.max(0, all.indexOf(s) - 200), all.indexOf(s) + 100)}`);
}

for (const m of ["401", "500", "503", "partial", "ok"] as const) {
  test(`receiver answering ${m}: export results and diag carry no secret`, async () => {
    mode = m;
    const before = collected.length;
    await exportEverything(env());
    if (m !== "ok") assert.ok(collected.length > before, "something was reported (the test would catch a leak)");
    // The exporter's own result, as a caller would log it.
    const exporter = createOtlpTraceExporter(otlpOptionsFromEnv("traces", env()));
    const result = await exporter.export([await finishedSpan()]);
    collected.push(text(result.error));
    if (m !== "ok" && m !== "partial") assert.ok(result.error, `a ${m} is a failure: ${JSON.stringify(result)}`);
    await exporter.shutdown();
    assertNoSecrets(m);
  });
}

test("timeout: a receiver that never answers", async () => {
  mode = "hang";
  const e = { ...env(), OTEL_EXPORTER_OTLP_TIMEOUT: "300" };
  await exportEverything(e);
  assert.ok(collected.join("\n").includes("timed out"));
  assertNoSecrets("timeout");
});

test("refused connection", async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const dead = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await exportEverything({ ...env(`127.0.0.1:${dead}`), OTEL_EXPORTER_OTLP_TIMEOUT: "500" });
  assertNoSecrets("refused");
});

test("invalid configuration: warnings and errors never echo URLs or header values", async () => {
  resetDiagOnce();
  otlpOptionsFromEnv("traces", {
    OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://us3r:pa55word@host/x?token=qtok3n-5",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "not a url us3r:pa55word qtok3n-5",
    OTEL_EXPORTER_OTLP_HEADERS: "Authorization Bearer gen-s3cret-1,x-api-key=%zzkey-s3cret-3",
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: "=trc-s3cret-2",
  });
  const thrown: unknown[] = [];
  for (const bad of [
    { url: "ftp://us3r:pa55word@h/?token=qtok3n-5" },
    { endpoint: "us3r:pa55word@nowhere" },
    { headers: { authorization: 42 as unknown as string, "gen-s3cret-1": {} as unknown as string } },
  ]) {
    try {
      createOtlpTraceExporter(bad);
    } catch (e) {
      thrown.push(e);
    }
  }
  assert.ok(thrown.length >= 2);
  collected.push(...thrown.map(text));
  // A header *name* may be echoed (it is configuration, not a credential), so drop that case's name.
  const all = collected.join("\n").split('"gen-s3cret-1"').join("");
  for (const s of SECRETS) assert.not.ok(all.includes(s), `config: ${s}`);
});

test("console exporters: nothing of the OTLP settings is written", async () => {
  const writes: string[] = [];
  const original = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug, dir: console.dir };
  for (const k of Object.keys(original) as Array<keyof typeof original>) console[k] = (...a: unknown[]) => void writes.push(a.map(text).join(" "));
  try {
    await exportEverything({ ...env(), OTEL_TRACES_EXPORTER: "console", OTEL_LOGS_EXPORTER: "console", OTEL_METRICS_EXPORTER: "console" });
  } finally {
    Object.assign(console, original);
  }
  assert.ok(writes.length > 0);
  collected.push(...writes);
  assertNoSecrets("console");
});

test.run();
