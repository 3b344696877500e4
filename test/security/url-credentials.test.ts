// URL user/password and sensitive query values never reach telemetry, on every path that
// records a URL or a message that may quote one: traced fetch (url.full, and the TypeError
// Node's fetch throws quoting the whole URL), XHR, the server handler (url.query, exception
// messages quoting request.url), the node:http listener (absolute-form request targets with
// userinfo), RUM page URLs, the Workers wrapper — with `redactQueryKeys` extending the default
// list on each. Every diag message at the most verbose level is collected and checked too.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect } from "node:net";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { instrumentFetch } from "../../src/instrument/fetch.ts";
import { instrumentHandler } from "../../src/instrument/handler.ts";
import { instrumentNodeListener } from "../../src/instrument/node-listener.ts";
import { createQueryRedactor } from "../../src/instrument/http-semconv.ts";
import { redactUrlsInText } from "../../src/instrument/redact-text.ts";
import { instrumentXhr } from "../../src/runtime/rum/xhr.ts";
import { pageUrlFull, queryKeysRedactor } from "../../src/runtime/rum/page-url.ts";
import { validateRumOptions } from "../../src/runtime/rum/rum-options.ts";
import { captureErrors } from "../../src/runtime/rum/errors.ts";
import type { LogRecord } from "../../src/logs/types.ts";
import { installFakePage } from "../runtimes/rum/fake-browser.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { instrument } from "../../src/runtime/workers.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createTelemetry, takeSpans, startServer, type TestServer } from "../instrument/helpers.ts";

const PASSWORD = "hunter2pw";
const USER = "alice-user";
const TOKEN = "tok3n-value";
const SESSION = "sess-value"; // under the extra key "session", not in the default list
const SECRETS = [PASSWORD, USER, TOKEN, SESSION];

const t = createTelemetry();
const opts = { tracerProvider: t.tracerProvider, meterProvider: t.meterProvider, redactQueryKeys: ["Session"] };
const diagText: string[] = [];
const capture = (m: string, ...args: unknown[]) => {
  diagText.push(m, ...args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : (() => { try { return JSON.stringify(a); } catch { return String(a); } })())));
};
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);

let server: TestServer;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.close();
});

const spans = (): Promise<ReadableSpan[]> => takeSpans(t);

function assertClean(span: ReadableSpan): void {
  const text = JSON.stringify({ name: span.name, attributes: span.attributes, status: span.status, events: span.events });
  for (const s of SECRETS) assert.not.ok(text.includes(s), `leaked ${s} in ${text}`);
}

const withSecrets = (base: string, path = "/p") => {
  const u = new URL(base + path);
  u.username = USER;
  u.password = PASSWORD;
  u.search = `?token=${TOKEN}&session=${SESSION}&page=2`;
  return u.href;
};

test("redactUrlsInText: every URL in free text, parsable or not", () => {
  const r = createQueryRedactor(["session"]);
  const text = `failed: http://${USER}:${PASSWORD}@h.example/a?token=${TOKEN}&x=1 and "https://${USER}:${PASSWORD}@[bad/x" then ws://h/?session=${SESSION}#frag`;
  const out = redactUrlsInText(text, r);
  for (const s of SECRETS) assert.not.ok(out.includes(s), out);
  assert.ok(out.includes("http://REDACTED:REDACTED@h.example/a?token=REDACTED&x=1"), out);
  assert.ok(out.includes("https://REDACTED:REDACTED@[bad/x"), out);
  assert.is(redactUrlsInText("no urls here", r), "no urls here");
});

test("traced fetch: url.full and the TypeError Node's fetch throws for a URL with credentials", async () => {
  const f = instrumentFetch(fetch, opts);
  const url = withSecrets(server.url);
  const thrown = await f(url).then(() => undefined, (e: Error) => e);
  assert.ok(thrown instanceof TypeError && thrown.message.includes(PASSWORD), "precondition: Node quotes the URL");
  const [span] = await spans();
  assert.is(span.attributes["url.full"], `http://REDACTED:REDACTED@${new URL(server.url).host}/p?token=REDACTED&session=REDACTED&page=2`);
  const event = span.events.find((e) => e.name === "exception");
  assert.ok(event && String(event.attributes?.["exception.message"]).includes("REDACTED:REDACTED@"));
  assertClean(span);
});

test("traced fetch: refused connection and a plain URL with sensitive values", async () => {
  const f = instrumentFetch(fetch, opts);
  await f(`http://127.0.0.1:1/x?token=${TOKEN}&session=${SESSION}`).catch(() => {});
  await (await f(`${server.url}/ok?token=${TOKEN}&session=${SESSION}`)).text();
  const [refused, ok] = await spans();
  assert.is(refused.attributes["error.type"] !== undefined, true);
  assert.is(ok.attributes["url.full"], `${server.url}/ok?token=REDACTED&session=REDACTED`);
  assertClean(refused);
  assertClean(ok);
});

test("XHR: url.full with credentials and extra keys", async () => {
  const g = globalThis as Record<string, unknown>;
  const listeners: Array<[string, () => void]> = [];
  class FakeXHR {
    status = 0;
    open(): void {}
    send(): void {}
    setRequestHeader(): void {}
    addEventListener(type: string, fn: () => void): void {
      listeners.push([type, fn]);
    }
  }
  g.XMLHttpRequest = FakeXHR;
  const stop = instrumentXhr({ tracer: t.tracerProvider.getTracer("x"), meter: t.meterProvider.getMeter("x"), redactQueryKeys: ["session"] });
  try {
    const x = new FakeXHR() as unknown as { open(m: string, u: string): void; send(): void; status: number };
    x.open("GET", withSecrets("https://api.example.com"));
    x.send();
    x.status = 200;
    for (const [type, fn] of listeners) if (type === "load" || type === "loadend") fn();
    const [span] = await spans();
    assert.is(span.attributes["url.full"], "https://REDACTED:REDACTED@api.example.com/p?token=REDACTED&session=REDACTED&page=2");
    assertClean(span);
  } finally {
    stop();
    delete g.XMLHttpRequest;
  }
});

test("server handler: url.query redacted (extra keys too); a thrown error quoting request.url is redacted", async () => {
  const h = instrumentHandler((req: Request) => {
    throw new Error(`cannot serve ${req.url} for ${withSecrets("https://upstream.example")}`);
  }, opts);
  assert.throws(() => h(new Request(`https://shop.example/a?token=${TOKEN}&session=${SESSION}&q=1`)));
  const [span] = await spans();
  assert.is(span.attributes["url.query"], "token=REDACTED&session=REDACTED&q=1");
  const event = span.events.find((e) => e.name === "exception");
  assert.ok(String(event?.attributes?.["exception.message"]).includes("https://shop.example/a?token=REDACTED&session=REDACTED&q=1"));
  assert.ok(String(event?.attributes?.["exception.stacktrace"]).includes("REDACTED:REDACTED@upstream.example"));
  assertClean(span);
});

test("node listener: absolute-form request target with userinfo and tokens", async () => {
  const srv: Server = createServer(instrumentNodeListener((_req, res) => res.end("ok"), opts));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  try {
    const target = `http://${USER}:${PASSWORD}@127.0.0.1:${port}/abs?token=${TOKEN}&session=${SESSION}`;
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(port, "127.0.0.1", () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
      let data = "";
      sock.on("data", (d) => (data += d));
      sock.on("end", () => resolve(data));
      sock.on("error", reject);
    });
    assert.ok(reply.startsWith("HTTP/1.1 200"), reply);
    const [span] = await spans();
    assert.is(span.attributes["url.path"], "/abs");
    assert.is(span.attributes["url.query"], "token=REDACTED&session=REDACTED");
    assertClean(span);
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});

test("RUM page URLs: default rule and redactQueryKeys; a bad redactQueryKeys option throws", () => {
  const href = withSecrets("https://app.example") + "#access_token=" + TOKEN;
  assert.is(pageUrlFull(href, undefined), "https://REDACTED:REDACTED@app.example/p?token=REDACTED&session=" + SESSION + "&page=2");
  assert.is(pageUrlFull(href, queryKeysRedactor(["session"])), "https://REDACTED:REDACTED@app.example/p?token=REDACTED&session=REDACTED&page=2");
  assert.throws(() => validateRumOptions({ redactQueryKeys: "session" as never }), (e: Error) => e instanceof TypeError && e.message.includes("redactQueryKeys"));
  validateRumOptions({ redactQueryKeys: ["session"] });
});

test("RUM error records: URLs in message, stack and file path are redacted; other URLs are left as written", () => {
  const page = installFakePage();
  const records: LogRecord[] = [];
  const stop = captureErrors({ logger: { emit: (r: LogRecord) => void records.push(r) } as never, redactQueryKeys: ["session"] });
  try {
    const err = new Error(`could not load ${withSecrets("https://api.example")} (see https://docs.example/errors)`);
    err.stack = `Error: ${err.message}\n    at load (https://app.example/app.js?session=${SESSION}:10:5)`;
    page.window.dispatch("error", { type: "error", error: err, message: err.message, filename: `https://app.example/app.js?token=${TOKEN}`, lineno: 10, colno: 5 });
    page.window.dispatch("unhandledrejection", { type: "unhandledrejection", reason: new Error(`GET ${withSecrets("https://b.example")} failed`) });
    assert.is(records.length, 2);
    for (const r of records) {
      const text = JSON.stringify(r);
      for (const s of SECRETS) assert.not.ok(text.includes(s), `leaked ${s} in ${text}`);
    }
    assert.ok(String(records[0].attributes?.["exception.message"]).includes("https://REDACTED:REDACTED@api.example/p?token=REDACTED&session=REDACTED&page=2"));
    assert.ok(String(records[0].attributes?.["exception.message"]).endsWith("(see https://docs.example/errors)"), "a URL without secrets is not rewritten");
    assert.ok(String(records[0].body).includes("REDACTED:REDACTED@"));
  } finally {
    stop();
    page.restore();
  }
});

test("Workers instrument(): handler and outgoing fetch options extend the key list; errors quoting URLs are redacted", async () => {
  const spansOut = new InMemorySpanExporter();
  const upstream = withSecrets(server.url, "/up").replace(`${USER}:${PASSWORD}@`, "");
  const worker = instrument({
    async fetch(request: Request, _env: unknown, _ctx: unknown): Promise<Response> {
      await (await fetch(upstream)).text();
      throw new Error(`failed for ${request.url} via ${withSecrets("https://db.example")}`);
    },
  }, { serviceName: "w", traceExporter: spansOut, handler: { redactQueryKeys: ["session"] }, fetch: { redactQueryKeys: ["session"] } });
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {} };
  await worker.fetch!(new Request(`https://edge.example/w?token=${TOKEN}&session=${SESSION}`), {}, ctx).catch(() => {});
  await Promise.all(pending);
  const finished = spansOut.getFinishedSpans();
  assert.is(finished.length, 2);
  const client = finished.find((s) => s.kind === 2)!;
  const serverSpan = finished.find((s) => s.kind === 1)!;
  assert.is(client.attributes["url.full"], `${server.url}/up?token=REDACTED&session=REDACTED&page=2`);
  assert.is(serverSpan.attributes["url.query"], "token=REDACTED&session=REDACTED");
  for (const s of finished) assertClean(s);
});

test("no diag message of this suite (at the most verbose level) carried a secret", () => {
  const all = diagText.join("\n");
  for (const s of SECRETS) assert.not.ok(all.includes(s), `diag leaked ${s}`);
});

test.run();
