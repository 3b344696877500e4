// captureErrors on a fake window: error and unhandledrejection events become ERROR records with
// exception.* attributes, muted cross-origin errors keep their location, duplicates are dropped,
// the per-minute limit drops and reports its count, stop() removes the listeners.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce, type DiagLogger } from "../../../src/common/diag.ts";
import type { LogRecord } from "../../../src/logs/types.ts";
import { LoggerProvider } from "../../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../../src/logs/in-memory-log-exporter.ts";
import { captureErrors } from "../../../src/runtime/rum/errors.ts";
import { validateRumOptions } from "../../../src/runtime/rum/rum-options.ts";
import { installFakePage, type FakePage } from "./fake-browser.ts";

let page: FakePage;
let records: LogRecord[];
const logger = { emit: (r: LogRecord) => void records.push(r) };
let warnings: string[];

test.before.each(() => {
  page = installFakePage();
  records = [];
  warnings = [];
  resetDiagOnce();
  const sink: DiagLogger = { error() {}, warn: (m: string) => void warnings.push(m), info() {}, debug() {}, verbose() {} };
  diag.setLogger(sink, 9999);
});
test.after.each(() => {
  page.restore();
  diag.setLogger();
});

function thrown(message: string, frame = "at render (https://app.example/app.js:10:5)"): Error {
  const e = new TypeError(message);
  e.stack = `TypeError: ${message}\n    ${frame}\n    at main (https://app.example/app.js:1:1)`;
  return e;
}

test("an uncaught error becomes an ERROR record with exception.* and code.* attributes", () => {
  const stop = captureErrors({ logger });
  const err = thrown("x is undefined");
  page.window.dispatch("error", { type: "error", error: err, message: "Uncaught TypeError: x is undefined", filename: "https://app.example/app.js", lineno: 10, colno: 5 });
  assert.is(records.length, 1);
  const r = records[0];
  assert.is(r.severityNumber, 17);
  assert.is(r.severityText, "ERROR");
  assert.is(r.body, "TypeError: x is undefined");
  assert.equal(r.attributes, {
    "exception.type": "TypeError",
    "exception.message": "x is undefined",
    "exception.stacktrace": err.stack,
    "code.file.path": "https://app.example/app.js",
    "code.line.number": 10,
    "code.column.number": 5,
  });
  stop();
});

test("a muted cross-origin 'Script error.' keeps its message; resource load errors are ignored", () => {
  captureErrors({ logger });
  page.window.dispatch("error", { type: "error", error: null, message: "Script error.", filename: "", lineno: 0, colno: 0 });
  page.window.dispatch("error", { type: "error", target: { tagName: "IMG" } }); // an <img> 404
  assert.is(records.length, 1);
  assert.equal(records[0].attributes, { "exception.message": "Script error." });
  assert.is(records[0].body, "Script error.");
});

test("unhandled rejections: Error reasons and non-Error reasons", () => {
  captureErrors({ logger });
  page.window.dispatch("unhandledrejection", { type: "unhandledrejection", reason: thrown("fetch failed") });
  page.window.dispatch("unhandledrejection", { type: "unhandledrejection", reason: "nope" });
  assert.is(records.length, 2);
  assert.is(records[0].attributes!["exception.type"], "TypeError");
  assert.is(records[0].attributes!["exception.message"], "fetch failed");
  assert.equal(records[1].attributes, { "exception.message": "nope", "exception.type": "UnhandledRejection" });
});

test("duplicates (same type, message and first frame) are recorded once; another frame is a new error", () => {
  captureErrors({ logger });
  for (let i = 0; i < 5; i++) page.window.dispatch("error", { error: thrown("loop") });
  page.window.dispatch("error", { error: thrown("loop", "at other (https://app.example/b.js:3:3)") });
  page.window.dispatch("error", { error: thrown("loop 2") });
  assert.equal(records.map((r) => r.attributes!["exception.message"]), ["loop", "loop", "loop 2"]);
  assert.is(records.length, 3);
});

test("rate limit: maxPerMinute records per window; the dropped count is reported when the window ends and on stop", () => {
  let t = 0;
  const stop = captureErrors({ logger, maxPerMinute: 3, now: () => t });
  for (let i = 0; i < 7; i++) page.window.dispatch("error", { error: thrown(`e${i}`) });
  assert.is(records.length, 3);
  assert.equal(warnings, []);
  t = 60_000; // next window
  page.window.dispatch("error", { error: thrown("later") });
  assert.is(records.length, 4);
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /4 error record\(s\) dropped by the limit of 3 per minute/);
  // A dropped error was not remembered as seen: it is recorded once the limit allows.
  page.window.dispatch("error", { error: thrown("e5") });
  assert.is(records.at(-1)!.attributes!["exception.message"], "e5");
  page.window.dispatch("error", { error: thrown("e6") });
  page.window.dispatch("error", { error: thrown("e7") });
  stop();
  assert.is(warnings.length, 2);
  assert.match(warnings[1], /1 error record\(s\) dropped/);
});

test("stop() removes both listeners; errors after it are not recorded", () => {
  const stop = captureErrors({ logger });
  assert.is(page.window.count("error") + page.window.count("unhandledrejection"), 2);
  stop();
  stop();
  assert.is(page.window.count(), 0);
  page.window.dispatch("error", { error: thrown("late") });
  assert.is(records.length, 0);
});

test("through a real LoggerProvider: the record is exported with its severity and attributes", () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] });
  captureErrors({ logger: provider.getLogger("rum") });
  page.window.dispatch("error", { error: thrown("real") });
  const [r] = exporter.getFinishedLogRecords();
  assert.is(r.severityNumber, 17);
  assert.is(r.attributes["exception.type"], "TypeError");
  assert.is(r.attributes["exception.message"], "real");
});

test("configuration errors throw (initRum's option checks); without an event-target globalThis it installs nothing", () => {
  assert.throws(() => validateRumOptions({ errors: { maxPerMinute: -1 } }), (e: Error) => e instanceof RangeError && /maxPerMinute/.test(e.message));
  page.restore();
  const stop = captureErrors({ logger });
  stop();
  page = installFakePage();
});

test.run();
