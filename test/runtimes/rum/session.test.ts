// Session id rotation (fake storage and clock), the SessionProcessor on real spans and log
// records, and rumResourceAttributes from a fake navigator/screen.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { InMemoryLogRecordExporter } from "../../../src/logs/in-memory-log-exporter.ts";
import { LoggerProvider } from "../../../src/logs/logger-provider.ts";
import { SimpleLogRecordProcessor } from "../../../src/logs/simple-log-processor.ts";
import { SimpleSpanProcessor } from "../../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../../src/trace/tracer-provider.ts";
import { getSessionId, rumResourceAttributes, SESSION_STORAGE_KEY, SessionProcessor, type SessionStorageLike } from "../../../src/runtime/rum/session.ts";
import { validateRumOptions } from "../../../src/runtime/rum/rum-options.ts";

const g = globalThis as Record<string, unknown>;
const MINUTE = 60_000;

function fakeStorage(): SessionStorageLike & { data: Map<string, string>; writes: number } {
  const data = new Map<string, string>();
  const s = {
    data,
    writes: 0,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => {
      s.writes++;
      data.set(k, v);
    },
  };
  return s;
}

test("a new random id, kept while active, rotated after the inactivity period", () => {
  const storage = fakeStorage();
  let t = 1_700_000_000_000;
  const opts = { storage, now: () => t };
  const a = getSessionId(opts);
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.is(storage.data.get(SESSION_STORAGE_KEY), `${a}.${t}`);
  t += 29 * MINUTE;
  assert.is(getSessionId(opts), a, "activity within 30 min keeps the session");
  t += 29 * MINUTE;
  assert.is(getSessionId(opts), a, "each call counts as activity (58 min since start, 29 since last)");
  t += 30 * MINUTE;
  const b = getSessionId(opts);
  assert.match(b, /^[0-9a-f]{32}$/);
  assert.is.not(b, a, "30 min of inactivity starts a new session");
  assert.is(getSessionId({ ...opts, inactivityMillis: 1000 }), b);
  t += 1000;
  assert.is.not(getSessionId({ ...opts, inactivityMillis: 1000 }), b, "custom inactivity period");
});

test("the id survives a reload (same storage) and storage writes are throttled to one a second", () => {
  const storage = fakeStorage();
  let t = 1_700_000_000_000;
  const id = getSessionId({ storage, now: () => t });
  const writes = storage.writes;
  for (let i = 0; i < 100; i++) getSessionId({ storage, now: () => t + i });
  assert.is(storage.writes, writes, "no write within the same second");
  t += 1500;
  assert.is(getSessionId({ storage, now: () => t }), id);
  assert.is(storage.writes, writes + 1);
  assert.is(storage.data.get(SESSION_STORAGE_KEY), `${id}.${t}`);
});

test("garbage in storage starts a new session; a throwing storage falls back to memory", () => {
  const storage = fakeStorage();
  storage.data.set(SESSION_STORAGE_KEY, "not-a-session");
  const id = getSessionId({ storage, now: () => 5e12 });
  assert.match(id, /^[0-9a-f]{32}$/);
  const broken: SessionStorageLike = {
    getItem: () => {
      throw new Error("SecurityError");
    },
    setItem: () => {
      throw new Error("SecurityError");
    },
  };
  const m = getSessionId({ storage: broken, now: () => 6e12 });
  assert.match(m, /^[0-9a-f]{32}$/);
  assert.is(getSessionId({ storage: broken, now: () => 6e12 + MINUTE }), m, "memory keeps the id stable");
});

test("sessionStorage is the default store", () => {
  const storage = fakeStorage();
  g.sessionStorage = storage;
  try {
    const id = getSessionId();
    assert.ok(storage.data.get(SESSION_STORAGE_KEY)?.startsWith(`${id}.`));
  } finally {
    delete g.sessionStorage;
  }
});

test("inactivityMillis must be positive (configuration error, initRum's option checks)", () => {
  assert.throws(() => validateRumOptions({ session: { inactivityMillis: 0 } }), (e: unknown) => e instanceof RangeError && /inactivityMillis/.test((e as Error).message));
  assert.throws(() => validateRumOptions({ session: { inactivityMillis: -1 } }), RangeError);
});

test("SessionProcessor stamps session.id on spans and log records, not overriding one set by the app", async () => {
  const storage = fakeStorage();
  let t = 1_700_000_000_000;
  const session = new SessionProcessor({ storage, now: () => t });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [session, new SimpleSpanProcessor(spanExporter)] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [session, new SimpleLogRecordProcessor(logExporter)] });
  const tracer = tracerProvider.getTracer("rum");
  const logger = loggerProvider.getLogger("rum");

  tracer.startSpan("a").end();
  tracer.startSpan("b", { attributes: { "session.id": "mine" } }).end();
  logger.emit({ body: "hello" });
  t += 31 * MINUTE;
  tracer.startSpan("c").end();
  logger.emit({ body: "later", attributes: { "session.id": "app" } });
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();

  const spans = spanExporter.getFinishedSpans();
  const first = spans[0]!.attributes["session.id"];
  assert.match(String(first), /^[0-9a-f]{32}$/);
  assert.is(spans[1]!.attributes["session.id"], "mine");
  assert.match(String(spans[2]!.attributes["session.id"]), /^[0-9a-f]{32}$/);
  assert.is.not(spans[2]!.attributes["session.id"], first, "rotated after inactivity");
  const records = logExporter.getFinishedLogRecords();
  assert.is(records[0]!.attributes["session.id"], first);
  assert.is(records[1]!.attributes["session.id"], "app");
});

test("rumResourceAttributes reads navigator, client hints, connection and screen", () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", {
    configurable: true,
    value: {
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
      language: "de-CH",
      userAgentData: { brands: [{ brand: "Chromium", version: "126" }], mobile: false, platform: "Linux" },
      connection: { type: "cellular", effectiveType: "3g" },
    },
  });
  g.screen = { width: 1280, height: 800 };
  try {
    assert.equal(rumResourceAttributes(), {
      "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
      "browser.brands": ["Chromium 126"],
      "browser.platform": "Linux",
      "browser.mobile": false,
      "browser.language": "de-CH",
      "network.connection.type": "cell",
      "network.connection.effective_type": "3g",
      "browser.screen.width": 1280,
      "browser.screen.height": 800,
    });
    Object.defineProperty(globalThis, "navigator", { configurable: true, value: {} });
    delete g.screen;
    assert.equal(rumResourceAttributes(), {});
  } finally {
    if (saved) Object.defineProperty(globalThis, "navigator", saved);
    else delete g.navigator;
    delete g.screen;
  }
});

test.run();
