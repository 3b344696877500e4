// SeverityNumber against @opentelemetry/api-logs 0.208.0, and our LoggerProvider registered
// with the official logs API (an existing OTel instrumentation's view).
import { createRequire } from "node:module";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { setSpanContext } from "../../src/trace/span-in-context.ts";
import { levelName, parseSeverity, severityName, SeverityNumber } from "../../src/logs/severity.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";

const require = createRequire(import.meta.url);
const apiLogs = require("@opentelemetry/api-logs");
const api = require("@opentelemetry/api");

test("SeverityNumber is identical to the official enum, every name and number", () => {
  const official = Object.fromEntries(Object.entries(apiLogs.SeverityNumber).filter(([k]) => Number.isNaN(Number(k))));
  assert.equal({ ...SeverityNumber }, official);
  assert.is(Object.keys(SeverityNumber).length, 25);
});

test("display names, range names and level parsing", () => {
  assert.is(severityName(9), "INFO");
  assert.is(severityName(10), "INFO2");
  assert.is(severityName(24), "FATAL4");
  assert.is(severityName(0), undefined);
  assert.is(severityName(25), undefined);
  assert.is(levelName(16), "warn");
  assert.is(levelName(1), "trace");
  assert.is(parseSeverity("INFO"), 9);
  assert.is(parseSeverity(" warning "), 13);
  assert.is(parseSeverity("error3"), 19);
  assert.is(parseSeverity("critical"), 21);
  assert.is(parseSeverity("7"), 7);
  assert.is(parseSeverity(17), 17);
  assert.is(parseSeverity("off"), 25);
  assert.is(parseSeverity("all"), 1);
  assert.is(parseSeverity("loud"), undefined);
  assert.is(parseSeverity("info5"), undefined);
  assert.is(parseSeverity(0), undefined);
  assert.is(parseSeverity(""), undefined);
});

test("interop: registered with @opentelemetry/api-logs, records emitted through the official API arrive with ids", async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: { attributes: { "service.name": "interop" } }, processors: [new SimpleLogRecordProcessor(exporter)] });
  apiLogs.logs.setGlobalLoggerProvider(provider);
  try {
    const logger = apiLogs.logs.getLogger("instrumentation-x", "0.1.0", { schemaUrl: "https://schema" });
    // A context built by the official API: same span key, so ids are found.
    const sc = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: api.TraceFlags.SAMPLED };
    const officialCtx = api.trace.setSpanContext(api.ROOT_CONTEXT, sc);
    logger.emit({ severityNumber: apiLogs.SeverityNumber.WARN, severityText: "WARN", body: "from official API", attributes: { k: "v" }, context: officialCtx });
    logger.emit({ severityNumber: apiLogs.SeverityNumber.INFO, body: "ours", context: setSpanContext(ROOT_CONTEXT, sc) });
    logger.emit({ body: "no context" });
    await provider.forceFlush();
    const [a, b, c] = exporter.getFinishedLogRecords();
    assert.is(a!.body, "from official API");
    assert.is(a!.severityNumber, 13);
    assert.equal(a!.attributes, { k: "v" });
    assert.is(a!.spanContext!.traceId, sc.traceId);
    assert.is(a!.spanContext!.spanId, sc.spanId);
    assert.is(a!.instrumentationScope.name, "instrumentation-x");
    assert.is(a!.instrumentationScope.schemaUrl, "https://schema");
    assert.is(b!.spanContext!.spanId, sc.spanId);
    assert.is(c!.spanContext, undefined);
  } finally {
    apiLogs.logs.disable();
  }
});

test.run();
