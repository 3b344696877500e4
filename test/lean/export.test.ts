// @node-flags: --max-old-space-size=1024
// bench/lean/export.ts: the span sink (bounded queue, batches, the shared workerd drain, flush bound)
// and its fetch transport, against real node:http servers on 127.0.0.1 and fake fetches. Ported
// from the product's test/export/fetch-transport.test.ts, otlp-http-exporter.test.ts, batcher.test.ts
// and test/security/hostile-collector.test.ts, exporter-secrets.test.ts: retries and backoff,
// Retry-After, timeouts, redirects refused, bounded response reads (100 MiB, endless, gzip bomb),
// partialSuccess (hostile values too), URL credentials, header values fetch refuses, the suppressed
// context of the exporter's fetch, no secret in any diagnostic, no unhandled rejection. The body
// sent is compared with the product's encoder output for the same spans (differential).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createGzip } from "node:zlib";
import { now as productNow } from "../../src/common/time.ts";
import { encodeTracesBytes } from "../../src/export/otlp/trace-encoder.ts";
import { createFetchTransport } from "../../src/export/fetch-transport.ts";
import { diag } from "../../src/common/diag.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { createSpanSink } from "../../bench/lean/export.ts";
import { active, ROOT_CONTEXT, SUPPRESS_KEY, withContext, key } from "../../bench/lean/context.ts";
import { now as leanNow } from "../../bench/lean/time.ts";
import type { BatchSettings, OtlpTarget } from "../../bench/lean/contract.ts";
import { makeSpan } from "../export/otlp/span-fixtures.ts";
import { countingFetch as countingFetchOver, serveCollector, status, streamBody, type Handler } from "../helpers/collector-server.ts";

// Both clocks anchored at the same millisecond: the product's encoder is the oracle for the body.
const realDateNow = Date.now;
Date.now = () => 1765100000123;
productNow();
leanNow();
Date.now = realDateNow;

diag.disable(); // the product's transport runs beside ours in the differential test; only lean diagnostics are checked
const warnings: string[] = [];
console.warn = (m: string) => void warnings.push(String(m));
const unhandled: unknown[] = [];
process.on("unhandledRejection", (e) => void unhandled.push(e));

// Every setTimeout delay export.ts asks for, to see the transport's waits (the sleeps are the
// delays in (0, 10 s); the others are request and flush bounds, and the drain's first turn).
const realSetTimeout = globalThis.setTimeout;
const delays: number[] = [];
globalThis.setTimeout = ((fn: () => void, ms?: number, ...args: unknown[]) => {
  if (new Error().stack?.includes("bench/lean/export.ts")) delays.push(ms ?? 0);
  return realSetTimeout(fn, ms, ...args);
}) as typeof setTimeout;
const waits = (): number[] => delays.filter((d) => d > 0 && d < 10_000);
const realRandom = Math.random;
const realFetch = globalThis.fetch;
test.before.each(() => {
  delays.length = 0;
  Math.random = () => 0.01; // backoff waits of 10, 20, 40, 50 ms
  globalThis.fetch = realFetch;
});
test.after.each(() => {
  Math.random = realRandom;
  globalThis.fetch = realFetch;
});

const BATCH: BatchSettings = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000 };
const sinkFor = (target: Partial<OtlpTarget> & { url: string }, batch: Partial<BatchSettings> = {}) =>
  createSpanSink({ headers: {}, timeout: 60_000, ...target }, { ...BATCH, ...batch });

/** Ends `n` spans into `sink` and flushes; the spans. */
async function send(sink: ReturnType<typeof createSpanSink>, n = 1, name = "span"): Promise<ReadableSpan[]> {
  const spans = Array.from({ length: n }, (_, i) => makeSpan({ name: `${name} ${i}`, attributes: { i } }));
  for (const s of spans) sink.onEnd(s);
  await sink.flush();
  return spans;
}

const said = (re: RegExp): number => warnings.filter((w) => re.test(w)).length;

// ---------------------------------------------------------------- request

test("POSTs the product encoder's exact bytes with content-type and the target's headers; one request", async () => {
  const s = await serveCollector(status(200, "{}"));
  try {
    const sink = sinkFor({ url: s.url + "?tenant=a", headers: { "X-Api-Key": "k123", "x-tenant": "acme" } });
    const spans = await send(sink, 3);
    assert.is(s.received.length, 1);
    const req = s.received[0]!;
    assert.is(req.method, "POST");
    assert.is(req.url, "/v1/traces?tenant=a");
    assert.is(req.headers["content-type"], "application/json");
    assert.is(req.headers["x-api-key"], "k123");
    assert.is(req.headers["x-tenant"], "acme");
    assert.equal(new Uint8Array(req.body), encodeTracesBytes(spans), "byte-identical to the product's body");
  } finally {
    await s.close();
  }
});

test("the exporter's fetch is looked up at send time and runs with SUPPRESS_KEY set; the caller's context is untouched", async () => {
  const seen: unknown[] = [];
  const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces" });
  globalThis.fetch = (async () => {
    seen.push(active().getValue(SUPPRESS_KEY));
    return new Response("{}", { status: 200 });
  }) as typeof fetch;
  const mine = ROOT_CONTEXT.setValue(key("lean test"), 1);
  await withContext(mine, async () => {
    await send(sink);
    assert.is(active().getValue(SUPPRESS_KEY), undefined);
  });
  assert.equal(seen, [true]);
});

test("a content-type header of the target wins; a header value fetch would refuse is dropped and reported once, not a crash", async () => {
  const bodies: Array<Headers> = [];
  globalThis.fetch = (async (_u: unknown, init: RequestInit) => {
    bodies.push(new Headers(init.headers));
    return new Response("", { status: 200 });
  }) as typeof fetch;
  const before = said(/invalid header/);
  const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces", headers: { "x-bad": "a\nb", "bad name": "v", "x-good": "ok", "content-type": "application/json; charset=utf-8" } });
  sinkFor({ url: "http://127.0.0.1:9/v1/traces", headers: { "x-bad": "a\nb" } });
  await send(sink);
  assert.is(bodies.length, 1);
  assert.is(bodies[0]!.get("x-good"), "ok");
  assert.is(bodies[0]!.get("x-bad"), null);
  assert.is(bodies[0]!.get("content-type"), "application/json; charset=utf-8");
  assert.is(said(/invalid header/) - before, 2, "once per header name");
  assert.not.ok(warnings.join("\n").includes("a\nb"), "the value is never printed");
});

test("URL credentials travel as Basic auth (percent-decoded UTF-8), never in the URL; an explicit authorization wins", async () => {
  const s = await serveCollector(status(200));
  try {
    await send(sinkFor({ url: s.url.replace("http://", "http://alice:hunter2%C3%A9@") + "?token=q" }));
    assert.is(s.received[0]!.headers.authorization, `Basic ${Buffer.from("alice:hunter2é").toString("base64")}`);
    assert.is(s.received[0]!.url, "/v1/traces?token=q");
    await send(sinkFor({ url: s.url.replace("http://", "http://bob:pw@"), headers: { Authorization: "Bearer t" } }));
    assert.is(s.received[1]!.headers.authorization, "Bearer t");
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------- outcomes, retries

for (const code of [400, 401, 413, 500]) {
  test(`${code} is final: not retried, reported once`, async () => {
    const s = await serveCollector(status(code, JSON.stringify({ code: 3, message: "payload rejected" })), status(200));
    try {
      const sink = sinkFor({ url: s.url });
      await send(sink);
      await send(sink);
      assert.is(s.received.length, 2, "one request per flush");
      assert.equal(waits(), []);
      assert.is(said(new RegExp(`HTTP ${code}$`)), 1);
    } finally {
      await s.close();
    }
  });
}

test("429 with Retry-After in seconds waits that long, then succeeds", async () => {
  const s = await serveCollector(status(429, "", { "retry-after": "1" }), status(200));
  try {
    await send(sinkFor({ url: s.url }));
    assert.is(s.received.length, 2);
    assert.equal(waits(), [1000]);
    assert.equal(s.received[0]!.body, s.received[1]!.body, "the same body again");
  } finally {
    await s.close();
  }
});

test("503 with Retry-After as an HTTP-date waits until that date; a past date retries at once", async () => {
  const when = new Date(Date.now() + 2000).toUTCString();
  const s = await serveCollector(status(503, "", { "retry-after": when }), status(503, "", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }), status(200));
  try {
    await send(sinkFor({ url: s.url }));
    assert.is(s.received.length, 3);
    const w = waits();
    assert.is(w.length, 1, `waits ${w}`); // the past date: a wait of 0
    assert.ok(w[0]! > 0 && w[0]! <= 2000, `waited ${w[0]}`);
  } finally {
    await s.close();
  }
});

test("an invalid Retry-After falls back to the backoff", async () => {
  const s = await serveCollector(status(503, "", { "retry-after": "-5" }), status(503, "", { "retry-after": "soon" }), status(200));
  try {
    await send(sinkFor({ url: s.url }));
    assert.is(s.received.length, 3);
    assert.equal(waits(), [10, 20]);
  } finally {
    await s.close();
  }
});

test("a Retry-After longer than the remaining budget gives up instead of waiting", async () => {
  const s = await serveCollector(status(503, "", { "retry-after": "60" }), status(200));
  try {
    await send(sinkFor({ url: s.url, timeout: 10_000 }));
    assert.is(s.received.length, 1);
    assert.equal(waits(), []);
    assert.ok(said(/HTTP 503$/) >= 1);
  } finally {
    await s.close();
  }
});

test("502 and 504 are retried with exponential backoff and full jitter", async () => {
  const s = await serveCollector(status(502), status(504), status(200));
  try {
    await send(sinkFor({ url: s.url }));
    assert.is(s.received.length, 3);
    assert.equal(waits(), [10, 20]);
  } finally {
    await s.close();
  }
});

test("a collector that keeps failing: 5 attempts, backoff capped at 5 s before jitter, reported once", async () => {
  const s = await serveCollector(status(503));
  try {
    Math.random = () => 0.001;
    const sink = sinkFor({ url: s.url });
    await send(sink);
    assert.is(s.received.length, 5);
    assert.equal(waits(), [1, 2, 4, 5]);
    Math.random = () => 0.5;
    delays.length = 0;
    const before = s.received.length;
    const started = performance.now();
    await send(sinkFor({ url: s.url, timeout: 1200 }));
    assert.is(s.received.length - before, 2, "the budget ends it first: 500 + 1000 ms of waits do not fit in 1200 ms");
    assert.ok(performance.now() - started < 1200);
    assert.is(said(/HTTP 503$/), 1);
  } finally {
    await s.close();
  }
});

test("a hung collector: the request is aborted when the budget runs out; reported as a timeout", async () => {
  const s = await serveCollector(() => {});
  try {
    const started = performance.now();
    await send(sinkFor({ url: s.url, timeout: 300 }));
    const ms = performance.now() - started;
    assert.ok(ms >= 280 && ms < 2000, `${ms} ms`);
    assert.is(s.received.length, 1);
    assert.is(said(/failed: timeout$/), 1);
  } finally {
    await s.close();
  }
});

test("connection refused: retried as a network error, then given up", async () => {
  const s = await serveCollector(status(200));
  await s.close();
  await send(sinkFor({ url: s.url }));
  assert.equal(waits(), [10, 20, 40, 50], "5 attempts");
  assert.is(said(/failed: network error$/), 1);
});

test("a connection cut before the response is retried", async () => {
  const s = await serveCollector((req) => req.socket.destroy(), status(200));
  try {
    await send(sinkFor({ url: s.url }));
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

test("a connection cut mid-response after a 2xx counts as accepted; after a 503 it is retried", async () => {
  const cut =
    (code: number): Handler =>
    (req, res) => {
      res.writeHead(code, { "content-type": "application/json", "content-length": "100" });
      res.write('{"partialSucc');
      realSetTimeout(() => req.socket.destroy(), 20);
    };
  const ok = await serveCollector(cut(200));
  const busy = await serveCollector(cut(503), status(200));
  try {
    await send(sinkFor({ url: ok.url }));
    assert.is(ok.received.length, 1, "accepted data is not sent twice");
    await send(sinkFor({ url: busy.url }));
    assert.is(busy.received.length, 2);
  } finally {
    await ok.close();
    await busy.close();
  }
});

test("partialSuccess: a success, reported once; values that throw when coerced change nothing", async () => {
  const hostile = JSON.stringify({ partialSuccess: { rejectedSpans: { valueOf: 1, toString: 1 }, errorMessage: { toString: 1 } } });
  const s = await serveCollector(
    status(200, JSON.stringify({ partialSuccess: { rejectedSpans: "3", errorMessage: "3 spans too old" } })),
    status(200, JSON.stringify({ partialSuccess: { rejectedSpans: 2 } })),
    status(200, hostile),
    status(200, JSON.stringify({ partialSuccess: {} })),
    status(200, "not json"),
  );
  try {
    const sink = sinkFor({ url: s.url });
    for (let i = 0; i < 5; i++) await send(sink);
    assert.is(s.received.length, 5, "accepted: none retried");
    assert.is(said(/partialSuccess/), 1);
    assert.not.ok(warnings.join("\n").includes("too old"), "the collector's text is not echoed");
  } finally {
    await s.close();
  }
});

test("never an unhandled rejection or a throw: a throwing fetch, a rejecting fetch, no fetch at all", async () => {
  const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces", timeout: 500 });
  for (const f of [
    () => {
      throw new Error("boom");
    },
    () => Promise.reject(new Error("kaput")),
    undefined,
    async () => ({ status: 200, body: { getReader: () => { throw new Error("reader"); } } }),
    async () => new Proxy({}, { get: () => { throw new Error("response"); } }),
  ]) {
    globalThis.fetch = f as never;
    await send(sink);
  }
  await new Promise((r) => realSetTimeout(r, 50));
  assert.equal(unhandled, []);
});

test("differential: the product's transport and the lean sink make the same requests and waits on the same collector behaviour", async () => {
  const cut: Handler = (req) => req.socket.destroy();
  const cutMid =
    (code: number): Handler =>
    (req, res) => {
      res.writeHead(code, { "content-length": "100" });
      res.write("partial");
      realSetTimeout(() => req.socket.destroy(), 20);
    };
  const scenarios: Array<[string, Handler[]]> = [
    ["200", [status(200, "{}")]],
    ["400", [status(400, '{"message":"no"}')]],
    ["503 forever", [status(503)]],
    ["502, 504, 200", [status(502), status(504), status(200)]],
    ["429 Retry-After 0, 200", [status(429, "", { "retry-after": "0" }), status(200)]],
    ["503 Retry-After garbage, 200", [status(503, "", { "retry-after": "later" }), status(503, "", { "retry-after": "-1" }), status(200)]],
    ["503 Retry-After past date, 200", [status(503, "", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }), status(200)]],
    ["503 Retry-After beyond the budget", [status(503, "", { "retry-after": "3600" })]],
    ["302", [status(302, "", { location: "http://127.0.0.1:9/elsewhere" })]],
    ["307", [status(307, "", { location: "/v1/other" })]],
    ["cut, 200", [cut, status(200)]],
    ["200 cut mid-body", [cutMid(200)]],
    ["503 cut mid-body, 200", [cutMid(503), status(200)]],
    ["partialSuccess", [status(200, '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"x"}}')]],
  ];
  for (const [name, handlers] of scenarios) {
    const ours = await serveCollector(...handlers);
    const lean = await serveCollector(...handlers);
    try {
      const slept: number[] = [];
      const spans = [makeSpan({ name }), makeSpan({ attributes: { scenario: name } })];
      await createFetchTransport({ url: ours.url, random: () => 0.01, sleep: async (ms) => void slept.push(ms) }).send(encodeTracesBytes(spans));
      delays.length = 0;
      const sink = sinkFor({ url: lean.url });
      for (const span of spans) sink.onEnd(span);
      await sink.flush();
      assert.is(lean.received.length, ours.received.length, `${name}: requests`);
      assert.equal(waits(), slept.filter((ms) => ms > 0), `${name}: waits`);
      assert.equal(lean.received.map((r) => r.body.toString()), ours.received.map((r) => r.body.toString()), `${name}: bodies`);
      assert.equal(lean.received.map((r) => [r.method, r.url, r.headers["content-type"]]), ours.received.map((r) => [r.method, r.url, r.headers["content-type"]]), `${name}: requests`);
    } finally {
      await ours.close();
      await lean.close();
    }
  }
});

// ---------------------------------------------------------------- a collector that lies


/** The real fetch, counting the (decoded) body bytes its caller pulls out of each response, installed as `fetch`. */
function countingFetch() {
  const counting = countingFetchOver(realFetch);
  globalThis.fetch = counting.fetch;
  return counting.counter;
}

const MiB = 1024 * 1024;
const KiB = 1024;

for (const code of [200, 400, 503]) {
  test(`a 100 MiB response body (${code}) is read up to 64 KiB, the rest cancelled`, async () => {
    const s = await serveCollector((_req, res) => {
      res.writeHead(code, { "content-type": "text/plain", "content-length": String(100 * MiB) });
      streamBody(res, Buffer.alloc(64 * KiB, 0x61), 100 * MiB);
    });
    try {
      const counter = countingFetch();
      const started = performance.now();
      await send(sinkFor({ url: s.url, timeout: 20_000 }));
      const ms = performance.now() - started;
      const attempts = code === 503 ? 5 : 1;
      assert.is(s.received.length, attempts);
      assert.ok(counter.bytes <= attempts * 128 * KiB, `read ${counter.bytes} bytes`);
      assert.ok(ms < 10_000, `took ${ms} ms`);
    } finally {
      await s.close();
    }
  });
}

test("the rest of a body is cancelled, not left pending: the collector sees the response closed", async () => {
  let closed = false;
  const s = await serveCollector((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(100 * MiB) });
    res.on("close", () => (closed = true));
    streamBody(res, Buffer.alloc(64 * KiB, 0x61), 100 * MiB);
  });
  try {
    await send(sinkFor({ url: s.url }));
    for (let i = 0; i < 500 && !closed; i++) await new Promise((r) => realSetTimeout(r, 10));
    assert.ok(closed, "the response stream was cancelled");
  } finally {
    await s.close();
  }
});

test("an endless chunked body: the read stops at 64 KiB, long before the timeout", async () => {
  const s = await serveCollector((_req, res) => {
    res.writeHead(400, { "content-type": "text/plain" });
    streamBody(res, Buffer.alloc(16 * KiB, 0x62), Infinity);
  });
  try {
    const counter = countingFetch();
    const started = performance.now();
    await send(sinkFor({ url: s.url, timeout: 15_000 }));
    assert.ok(counter.bytes <= 128 * KiB, `read ${counter.bytes} bytes`);
    assert.ok(performance.now() - started < 5000);
  } finally {
    await s.close();
  }
});

test("a gzip bomb (400 MiB inflated) is inflated no further than 64 KiB, with the runtime's own fetch too", async () => {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on("end", r));
  const zeros = Buffer.alloc(MiB);
  for (let n = 0; n < 400 * MiB; n += MiB) if (!gz.write(zeros)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  const bomb = Buffer.concat(out);
  const s = await serveCollector((_req, res) => void res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) }).end(bomb));
  try {
    const counter = countingFetch();
    globalThis.gc?.();
    const base = process.memoryUsage().heapUsed;
    const started = performance.now();
    await send(sinkFor({ url: s.url }));
    assert.ok(counter.bytes <= 128 * KiB, `inflated ${counter.bytes} bytes`);
    globalThis.fetch = realFetch;
    await send(sinkFor({ url: s.url }));
    assert.ok(process.memoryUsage().heapUsed - base < 48 * MiB);
    assert.ok(performance.now() - started < 5000);
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

for (const code of [301, 302, 303, 307, 308]) {
  test(`a ${code} to another origin is a failed export: never followed, never retried, reported once without secrets`, async () => {
    const elsewhere = await serveCollector(status(200, "{}"));
    const collector = await serveCollector((_req, res) => void res.writeHead(code, { location: `${elsewhere.origin}/steal?token=qs-s3cret` }).end());
    try {
      const sink = sinkFor({ url: collector.url, headers: { "x-api-key": "hdr-s3cret-key" } });
      await send(sink);
      await send(sink);
      assert.is(elsewhere.received.length, 0, "the redirect target is never contacted");
      assert.is(collector.received.length, 2, "one request per flush: not retried");
      assert.is(said(/redirect not followed/), 1);
      assert.not.ok(/steal|qs-s3cret|hdr-s3cret/.test(warnings.join("\n")));
    } finally {
      await collector.close();
      await elsewhere.close();
    }
  });
}

test("a browser's opaque redirect (type opaqueredirect, status 0) is a failed export, sent with redirect: manual", async () => {
  let redirect: RequestRedirect | undefined;
  let calls = 0;
  globalThis.fetch = (async (_u: unknown, init?: RequestInit) => {
    calls++;
    redirect = init?.redirect;
    return { type: "opaqueredirect", status: 0, ok: false, headers: new Headers(), body: null } as unknown as Response;
  }) as typeof fetch;
  await send(sinkFor({ url: "https://collector.example/v1/traces" }));
  assert.is(redirect, "manual");
  assert.is(calls, 1);
});

test("no secret in any diagnostic: a collector echoing the key, the token and the URL in every failure", async () => {
  const SECRETS = ["sk-live-SUPERSECRET", "hunter2pass", "querysecret", "bearer-tok-XYZ", Buffer.from("alice:hunter2pass").toString("base64")];
  const echo = (code: number): Handler => (req, res) => void res.writeHead(code, { "content-type": "application/json", "retry-after": "0" }).end(JSON.stringify({ message: `bad key ${req.headers["x-api-key"]} ${req.headers.authorization} at ${req.url}`, partialSuccess: { rejectedSpans: 1, errorMessage: `${req.headers["x-api-key"]}` } }));
  const s = await serveCollector(echo(503), echo(401), echo(500), echo(200), echo(302), () => {});
  try {
    const url = s.url.replace("http://", "http://alice:hunter2pass@") + "?token=querysecret";
    const sink = sinkFor({ url, headers: { "x-api-key": SECRETS[0]!, "x-other": `Bearer ${SECRETS[3]}` }, timeout: 500 });
    for (let i = 0; i < 6; i++) await send(sink);
    const closed = await serveCollector(status(200));
    await closed.close();
    await send(sinkFor({ url: closed.url.replace("http://", "http://alice:hunter2pass@") + "?token=querysecret", timeout: 300 }));
    assert.ok(s.received.length >= 6);
    const all = warnings.join("\n");
    for (const secret of SECRETS) assert.not.ok(all.includes(secret), `leaked ${secret}:\n${all}`);
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------- queue, batches, flush, drain

test("the queue is bounded: the newest spans are dropped when full, reported once", async () => {
  const s = await serveCollector(status(200));
  try {
    const sink = sinkFor({ url: s.url }, { maxQueueSize: 3, maxExportBatchSize: 3 });
    const before = said(/queue full/);
    for (let i = 0; i < 2; i++) sink.onEnd(makeSpan({ name: `kept ${i}` }));
    // The third fills a batch and starts an export, which takes them out of the queue after a timer turn.
    sink.onEnd(makeSpan({ name: "kept 2" }));
    for (let i = 0; i < 5; i++) sink.onEnd(makeSpan({ name: `dropped ${i}` }));
    await sink.flush();
    const body = JSON.parse(s.received.map((r) => r.body.toString()).join(""));
    assert.equal(body.resourceSpans[0].scopeSpans[0].spans.map((x: { name: string }) => x.name), ["kept 0", "kept 1", "kept 2"]);
    assert.is(sink.dropped, 5, "every drop counted");
    assert.is(said(/queue full/) - before, before ? 0 : 1);
    assert.is(said(/queue full/), 1);
  } finally {
    await s.close();
  }
});

test("batches of maxExportBatchSize, in order, one request in flight at a time", async () => {
  const s = await serveCollector((_req, res) => void realSetTimeout(() => res.writeHead(200).end("{}"), 30));
  try {
    const sink = sinkFor({ url: s.url }, { maxExportBatchSize: 2 });
    const spans = await send(sink, 5);
    assert.is(s.received.length, 3);
    assert.is(s.maxOpen(), 1);
    const names = s.received.flatMap((r) => JSON.parse(r.body.toString()).resourceSpans[0].scopeSpans[0].spans.map((x: { name: string }) => x.name));
    assert.equal(names, spans.map((x) => x.name));
    assert.equal(new Uint8Array(s.received[2]!.body), encodeTracesBytes(spans.slice(4)));
  } finally {
    await s.close();
  }
});

test("a full batch is exported without flush or scheduled timer; the rest waits for flush", async () => {
  const s = await serveCollector(status(200));
  try {
    const sink = sinkFor({ url: s.url }, { maxExportBatchSize: 2, scheduledDelayMillis: 10 });
    sink.onEnd(makeSpan());
    await new Promise((r) => realSetTimeout(r, 100));
    assert.is(s.received.length, 0, "no timer export of a partial batch");
    sink.onEnd(makeSpan());
    await new Promise((r) => realSetTimeout(r, 200));
    assert.is(s.received.length, 1, "the full batch went out");
    sink.onEnd(makeSpan());
    await new Promise((r) => realSetTimeout(r, 100));
    assert.is(s.received.length, 1, "a partial batch waits for flush");
    await sink.flush();
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

test("concurrent flushes share one drain, which also takes spans ended while it runs; nothing queued: flush resolves at once", async () => {
  let release: () => void = () => {};
  const s = await serveCollector((_req, res) => void (release = () => res.writeHead(200).end("{}")));
  try {
    const sink = sinkFor({ url: s.url }, { maxExportBatchSize: 1 });
    sink.onEnd(makeSpan({ name: "a" }));
    const first = sink.flush();
    while (s.received.length === 0) await new Promise((r) => realSetTimeout(r, 5));
    sink.onEnd(makeSpan({ name: "b" }));
    let secondDone = false;
    const second = sink.flush().then(() => (secondDone = true));
    await new Promise((r) => realSetTimeout(r, 30));
    assert.is(secondDone, false, "waits for the drain");
    release();
    while (s.received.length < 2) await new Promise((r) => realSetTimeout(r, 5));
    release();
    await Promise.all([first, second]);
    assert.equal(s.received.map((r) => JSON.parse(r.body.toString()).resourceSpans[0].scopeSpans[0].spans[0].name), ["a", "b"]);
    const t = performance.now();
    await sink.flush();
    assert.ok(performance.now() - t < 1000, "nothing left to drain: resolves at once");
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

test("flush resolves within exportTimeoutMillis whatever the collector does; a drain that hung is abandoned by a later flush", async () => {
  const bodies: string[] = [];
  globalThis.fetch = ((_u: unknown, init: RequestInit) => {
    bodies.push(new TextDecoder().decode(init.body as Uint8Array));
    // The first request never settles and ignores its abort signal (a workerd request whose context ended).
    return bodies.length === 1 ? new Promise(() => {}) : Promise.resolve(new Response("{}", { status: 200 }));
  }) as typeof fetch;
  // exportTimeoutMillis long enough that a loaded machine cannot blur "a new drain" (milliseconds)
  // with "waited for the hung one" (the whole budget).
  const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces", timeout: 3000 }, { exportTimeoutMillis: 800 });
  let t = performance.now();
  await send(sink, 1, "hung");
  let ms = performance.now() - t;
  assert.ok(ms >= 790 && ms < 3000, `${ms} ms`);
  await new Promise((r) => realSetTimeout(r, 20));
  t = performance.now();
  await send(sink, 1, "later");
  ms = performance.now() - t;
  assert.ok(ms < 790, `${ms} ms: a new drain, not the hung one`);
  assert.is(bodies.length, 2);
  assert.ok(bodies[1]!.includes('"later 0"'));
});

test("an empty request is never sent: every span dropped by the encoder", async () => {
  let calls = 0;
  globalThis.fetch = (async () => (calls++, new Response("{}"))) as typeof fetch;
  const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces" });
  sink.onEnd(makeSpan({ spanId: "0000000000000000" }));
  sink.onEnd({ ...makeSpan(), spanContext: () => { throw new Error("x"); } } as ReadableSpan);
  await sink.flush();
  assert.is(calls, 0);
});

test("invalid batch sizes never hang the isolate (the queue just stays)", async () => {
  let calls = 0;
  globalThis.fetch = (async () => (calls++, new Response("{}"))) as typeof fetch;
  for (const maxExportBatchSize of [0, NaN]) {
    const sink = sinkFor({ url: "http://127.0.0.1:9/v1/traces" }, { maxExportBatchSize, exportTimeoutMillis: 100 });
    await send(sink, 2);
  }
  assert.is(calls, 0);
});

test("last: no unhandled rejection in the whole suite; every diagnostic is short", () => {
  assert.equal(unhandled, []);
  for (const w of warnings) assert.ok(w.length < 100, w);
});

test.run();
