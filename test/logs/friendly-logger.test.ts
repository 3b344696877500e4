// The friendly logger, run with the synchronous stack context manager: the browser case,
// with no AsyncLocalStorage. Trace ids then come from the synchronous extent of
// startActiveSpan, or from an explicit context passed with withContext().
import { test } from "uvu";
import * as assert from "uvu/assert";
import { context } from "../../src/context/context-api.ts";
import { StackContextManager } from "../../src/context/stack-manager.ts";
import { diag, resetDiagOnce, type DiagLogger } from "../../src/common/diag.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { setSpan } from "../../src/trace/span-in-context.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { logs } from "../../src/logs/logs-api.ts";
import { createLog, LOG_LEVEL_ENV } from "../../src/logs/friendly-logger.ts";

context.setGlobalContextManager(new StackContextManager());

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ resource: { attributes: { "service.name": "svc" } }, processors: [new SimpleLogRecordProcessor(exporter)] });
logs.setGlobalLoggerProvider(provider);

async function records() {
  await provider.forceFlush();
  const out = exporter.getFinishedLogRecords();
  exporter.reset();
  return out;
}

test("levels: severity numbers and texts; default minimum is info", async () => {
  const log = createLog({ name: "app-scope", version: "2.0.0" });
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  log.fatal("f");
  const got = await records();
  assert.equal(got.map((r) => [r.body, r.severityNumber, r.severityText]), [
    ["i", 9, "INFO"],
    ["w", 13, "WARN"],
    ["e", 17, "ERROR"],
    ["f", 21, "FATAL"],
  ]);
  assert.is(got[0]!.instrumentationScope.name, "app-scope");
  assert.is(got[0]!.instrumentationScope.version, "2.0.0");
});

test("minimum level from options, then OTEL_EDGE_LOG_LEVEL, invalid env warns; setLevel is shared with children", async () => {
  const all = createLog({ level: "trace" });
  all.trace("yes");
  assert.is((await records()).length, 1);
  const fromEnv = createLog({ env: { [LOG_LEVEL_ENV]: "WARN" } });
  fromEnv.info("no");
  fromEnv.warn("yes");
  assert.equal((await records()).map((r) => r.body), ["yes"]);
  assert.is(createLog({ level: "error", env: { [LOG_LEVEL_ENV]: "trace" } }).isEnabled("warn"), false);
  const messages: string[] = [];
  const sink = (m: string) => void messages.push(m);
  const logger: DiagLogger = { error: sink, warn: sink, info: sink, debug: sink, verbose: sink };
  resetDiagOnce();
  diag.setLogger(logger, 9999);
  assert.is(createLog({ env: { [LOG_LEVEL_ENV]: "loud" } }).isEnabled("info"), true);
  assert.ok(messages.some((m) => m.includes(LOG_LEVEL_ENV)));
  diag.setLogger();
  assert.throws(() => createLog({ level: "loud" }), RangeError);
  const off = createLog({ level: "off" });
  off.fatal("never");
  assert.is((await records()).length, 0);
  const parent = createLog({ level: "info" });
  const child = parent.child({ a: 1 });
  parent.setLevel("debug");
  child.debug("now visible");
  assert.equal((await records()).map((r) => r.body), ["now visible"]);
});

test("errors: log.error(err) and log.error(msg, err, attrs) record exception.* attributes", async () => {
  const log = createLog();
  const err = new TypeError("bad input");
  log.error(err);
  log.error("charge failed", err, { "order.id": 7 });
  log.warn("with attrs only", { k: "v" });
  log.error("thrown string", "just a string");
  const [a, b, c, d] = await records();
  assert.is(a!.body, "bad input");
  assert.is(a!.attributes["exception.type"], "TypeError");
  assert.is(a!.attributes["exception.message"], "bad input");
  assert.is(a!.attributes["exception.stacktrace"], err.stack);
  assert.is(b!.body, "charge failed");
  assert.is(b!.attributes["exception.type"], "TypeError");
  assert.is(b!.attributes["order.id"], 7);
  assert.equal(c!.attributes, { k: "v" });
  assert.equal(d!.attributes, { "exception.message": "just a string" });
});

test("non-string bodies are kept structured", async () => {
  const log = createLog();
  log.info({ event: "signup", plan: "pro" } as any);
  const [r] = await records();
  assert.equal(r!.body, { event: "signup", plan: "pro" });
});

test("child() binds fields; call-site attributes win; children nest; parent unaffected", async () => {
  const log = createLog({ attributes: { app: "shop" } });
  const req = log.child({ "http.route": "/cart", user: "u1" });
  const sub = req.child({ step: "pay" });
  req.info("a", { user: "u2" });
  sub.info("b");
  log.info("c");
  const [a, b, c] = await records();
  assert.equal(a!.attributes, { app: "shop", "http.route": "/cart", user: "u2" });
  assert.equal(b!.attributes, { app: "shop", "http.route": "/cart", user: "u1", step: "pay" });
  assert.equal(c!.attributes, { app: "shop" });
});

test("correlation without AsyncLocalStorage: synchronous active span, explicit withContext across await, none outside", async () => {
  const log = createLog();
  const tracer = new BasicTracerProvider().getTracer("t");
  log.info("outside");
  let outerIds: { traceId: string; spanId: string } | undefined;
  let innerIds: { traceId: string; spanId: string } | undefined;
  await tracer.startActiveSpan("outer", async (outer) => {
    outerIds = outer.spanContext();
    log.info("sync in outer");
    const outerCtx = context.active();
    await Promise.resolve();
    // The stack manager lost the span across await: pass the context explicitly.
    log.withContext(outerCtx).info("explicit after await");
    const inner = tracer.startSpan("inner", {}, outerCtx);
    innerIds = inner.spanContext();
    await Promise.resolve();
    log.withContext(setSpan(outerCtx, inner)).child({ k: 1 }).info("explicit inner");
    inner.end();
    outer.end();
  });
  log.info("after");
  const byBody = new Map((await records()).map((r) => [r.body, r]));
  assert.is(byBody.get("outside")!.spanContext, undefined);
  assert.is(byBody.get("after")!.spanContext, undefined);
  assert.is(byBody.get("sync in outer")!.spanContext!.spanId, outerIds!.spanId);
  assert.is(byBody.get("explicit after await")!.spanContext!.spanId, outerIds!.spanId);
  assert.is(byBody.get("explicit inner")!.spanContext!.spanId, innerIds!.spanId);
  assert.is(byBody.get("explicit inner")!.spanContext!.traceId, outerIds!.traceId);
  assert.is(byBody.get("explicit inner")!.attributes.k, 1);
});

test("never throws, even with a throwing logger", () => {
  const log = createLog({ logger: { emit() { throw new Error("x"); } } });
  log.info("fine");
  log.error(Object.create(null));
  log.error(undefined as any);
});

test.run();
