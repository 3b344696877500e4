import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { LoggerProvider } from "../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { JsonLinesLogExporter, JsonLinesLogProcessor } from "../../src/logs/json-lines.ts";
import { BatchLogRecordProcessor } from "../../src/logs/batch-log-processor.ts";
import { logs } from "../../src/logs/logs-api.ts";
import { bridgeConsole } from "../../src/logs/console-bridge.ts";
import { formatLogArguments } from "../../src/logs/format.ts";
import type { Logger, LogRecordProcessor } from "../../src/logs/types.ts";

/** The four totals of a batcher's stats (the per-reason breakdown is asserted where it matters). */
const counts = (s: { queued: number; exported: number; dropped: number; failed: number }) => ({
  queued: s.queued,
  exported: s.exported,
  dropped: s.dropped,
  failed: s.failed,
});

/** A fake console whose methods record what reaches them. */
function fakeConsole() {
  const out: Array<[string, unknown[]]> = [];
  const c: Record<string, (...a: unknown[]) => void> = {};
  for (const m of ["debug", "log", "info", "warn", "error"]) c[m] = (...a: unknown[]) => void out.push([m, a]);
  return { c, out };
}

function memoryProvider(extra: LogRecordProcessor[] = []) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter), ...extra] });
  return { exporter, provider, logger: provider.getLogger("console") };
}

test("format strings render like Node's util.format", () => {
  const cases: Array<[unknown[], string]> = [
    [["%s has %d items", "cart", 3], "cart has 3 items"],
    [["%i|%f|%d", "42.9px", "1.5e3", "x"], "42|1500|NaN"],
    [["%d %i", 10n, 11n], "10n 11n"],
    [["%j", { a: [1, "b"] }], '{"a":[1,"b"]}'],
    [["100%% sure %s", "yes"], "100% sure yes"],
    [["%c styled %s", "color: red", "text"], " styled text"],
    [["%s %s", "only-one"], "only-one %s"],
    [["%x unknown", 1], "%x unknown 1"],
    [["no placeholders", 1, "two", { a: 1 }], "no placeholders 1 two { a: 1 }"],
    [[{ a: "s", b: [1, 2], c: { d: { e: { f: 1 } } } }], "{ a: 's', b: [ 1, 2 ], c: { d: { e: [Object] } } }"],
    [["%o", [1, { x: null }]], "[ 1, { x: null } ]"],
    [["%O", { u: undefined, f: function named() {} }], "{ u: undefined, f: [Function: named] }"],
    [["%s", { a: { b: 1 } }], "{ a: [Object] }"],
    [[-0, null, undefined, true, Symbol("s")], "-0 null undefined true Symbol(s)"],
    [["only"], "only"],
    [["%%"], "%%"],
    [[], ""],
    [[new Map([["k", 1]]), new Set([1])], "Map(1) { 'k' => 1 } Set(1) { 1 }"],
  ];
  for (const [args, expected] of cases) assert.is(formatLogArguments(args), expected, JSON.stringify(String(args[0])));
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.is(formatLogArguments(["%j", cyclic]), "[Circular]");
  assert.is(formatLogArguments([cyclic]), "{ a: 1, self: [Circular] }");
  const err = new Error("boom");
  assert.is(formatLogArguments(["failed:", err]), "failed: " + err.stack);
});

test("each method becomes a record with its severity; output is kept; restore puts the originals back", async () => {
  const { c, out } = fakeConsole();
  const originals = { ...c };
  const { exporter, provider, logger } = memoryProvider();
  const restore = bridgeConsole({ console: c, logger });
  c.debug!("d %d", 1);
  c.log!("l");
  c.info!("i");
  c.warn!("w");
  c.error!("e", new TypeError("bad"));
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  assert.equal(records.slice(0, 4).map((r) => [r.body, r.severityNumber, r.severityText]), [
    ["d 1", 5, "DEBUG"],
    ["l", 9, "INFO"],
    ["i", 9, "INFO"],
    ["w", 13, "WARN"],
  ]);
  assert.equal([records[4]!.severityNumber, records[4]!.severityText], [17, "ERROR"]);
  assert.match(String(records[4]!.body), /^e TypeError: bad\n\s+at /);
  assert.is(records[4]!.attributes["exception.type"], "TypeError");
  assert.equal(out.map(([m, a]) => [m, a[0]]), [["debug", "d %d"], ["log", "l"], ["info", "i"], ["warn", "w"], ["error", "e"]]);
  restore();
  restore(); // idempotent
  for (const m of Object.keys(originals)) assert.is(c[m], originals[m], m);
  c.info!("after restore");
  await provider.forceFlush();
  assert.is(exporter.getFinishedLogRecords().length, 5);
});

test("passthrough: false swallows the original output", async () => {
  const { c, out } = fakeConsole();
  const { exporter, provider, logger } = memoryProvider();
  const restore = bridgeConsole({ console: c, logger, passthrough: false, methods: ["info"] });
  c.info!("quiet");
  c.log!("not bridged");
  await provider.forceFlush();
  assert.equal(exporter.getFinishedLogRecords().map((r) => r.body), ["quiet"]);
  assert.equal(out.map(([m, a]) => [m, a[0]]), [["log", "not bridged"]]);
  restore();
});

test("no recursion: a diagnostic written to the console while bridging goes straight through", async () => {
  const { c, out } = fakeConsole();
  const realConsole = globalThis.console;
  (globalThis as any).console = c; // the default diag logger writes to globalThis.console
  resetDiagOnce();
  diag.setLogger(undefined, 9999);
  let emits = 0;
  // A logger that triggers a diagnostic from inside emit (as a dropped value would).
  const noisy: Logger = {
    emit() {
      emits++;
      diag.warn("diagnostic during emit");
    },
  };
  const restore = bridgeConsole({ logger: noisy, passthrough: false });
  try {
    c.error!("user error");
    diag.error("diagnostic outside emit");
  } finally {
    restore();
    (globalThis as any).console = realConsole;
    diag.setLogger();
  }
  assert.is(emits, 1);
  // Both diagnostics are printed (even with passthrough: false), and nothing looped.
  assert.equal(out.map(([m, a]) => [m, a[0]]), [["warn", "otel-edge: diagnostic during emit"], ["error", "otel-edge: diagnostic outside emit"]]);
});

test("no recursion: a logger that itself logs to the console; two bridges on one console", async () => {
  const { c, out } = fakeConsole();
  let emits = 0;
  const chatty: Logger = {
    emit(r) {
      emits++;
      c.log!("inner log of", r.body);
    },
  };
  const r1 = bridgeConsole({ console: c, logger: chatty });
  const r2 = bridgeConsole({ console: c, logger: chatty });
  c.warn!("once");
  r2();
  r1();
  assert.is(emits, 1);
  assert.equal(out.map(([m, a]) => [m, a[0]]), [["log", "inner log of"], ["warn", "once"]]);
});

test("JSON-lines sink on stdout + bridge with passthrough false: each console call prints exactly one JSON line, also through a batch exporter", async () => {
  const { c, out } = fakeConsole();
  const realConsole = globalThis.console;
  (globalThis as any).console = c; // the sink writes to globalThis.console.log
  try {
    const { provider: p1 } = memoryProvider([new JsonLinesLogProcessor()]);
    logs.setGlobalLoggerProvider(p1);
    const restore = bridgeConsole({ passthrough: false });
    c.info("user %s", "u1");
    assert.is(out.length, 1);
    assert.is(JSON.parse(out[0]![1][0] as string).msg, "user u1");
    // Batched sink: the write happens later, outside emit; it must not be re-bridged.
    const batch = new BatchLogRecordProcessor(new JsonLinesLogExporter(), { scheduledDelayMillis: Infinity });
    const p2 = new LoggerProvider({ processors: [batch] });
    logs.setGlobalLoggerProvider(p2);
    c.warn("later");
    await p2.forceFlush();
    await p2.forceFlush();
    assert.is(out.length, 2);
    assert.is(JSON.parse(out[1]![1][0] as string).level, "warn");
    assert.equal(counts(batch.stats()), { queued: 0, exported: 1, dropped: 0, failed: 0 });
    restore();
    // Someone wrapped our wrapper: restore leaves theirs in place, ours passes through.
    const r = bridgeConsole({ passthrough: false });
    const ours = c.info!;
    const theirs = (...a: unknown[]) => ours(...a);
    c.info = theirs;
    r();
    assert.is(c.info, theirs);
    c.info("through");
    assert.equal(out.at(-1), ["info", ["through"]]);
  } finally {
    (globalThis as any).console = realConsole;
    logs.disable();
  }
});

test.run();
