import { test } from "uvu";
import * as assert from "uvu/assert";
import { gunzipSync } from "node:zlib";
import { createFetchTransport, parseRetryAfter } from "../../src/export/fetch-transport.ts";
import type { FetchTransportOptions } from "../../src/export/fetch-transport.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { serveCollector, status } from "../helpers/collector-server.ts";

const logs: string[] = [];
const capture = (m: string, ...a: unknown[]) => logs.push([m, ...a.map(String)].join(" "));
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);

/** Fake clock + sleep: retries take no real time; `slept` records every wait. */
function fakeTime(): Pick<FetchTransportOptions, "sleep" | "now" | "random"> & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    random: () => 0.5,
  };
}

test.before.each(() => {
  logs.length = 0;
  resetDiagOnce();
});

test("200: POSTs the body with content-type and custom headers; one request", async () => {
  const s = await serveCollector(status(200, "{}"));
  try {
    const t = createFetchTransport({ url: s.url, headers: { "X-Api-Key": "k123", "x-tenant": "acme" } });
    const r = await t.send('{"resourceSpans":[]}');
    assert.equal(r, { ok: true, status: 200 });
    assert.is(s.received.length, 1);
    const req = s.received[0]!;
    assert.is(req.method, "POST");
    assert.is(req.url, "/v1/traces");
    assert.is(req.headers["content-type"], "application/json");
    assert.is(req.headers["x-api-key"], "k123");
    assert.is(req.headers["x-tenant"], "acme");
    assert.is(req.headers["content-encoding"], undefined);
    assert.is(req.body.toString(), '{"resourceSpans":[]}');
  } finally {
    await s.close();
  }
});

test("contentType option is sent", async () => {
  const s = await serveCollector(status(200));
  try {
    await createFetchTransport({ url: s.url, contentType: "application/x-protobuf" }).send("x");
    assert.is(s.received[0]!.headers["content-type"], "application/x-protobuf");
  } finally {
    await s.close();
  }
});

for (const code of [400, 401, 413, 500]) {
  test(`${code} is final: not retried`, async () => {
    const s = await serveCollector(status(code, JSON.stringify({ code: 3, message: "payload rejected" })), status(200));
    const time = fakeTime();
    try {
      const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
      assert.is(r.ok, false);
      assert.is(r.status, code);
      assert.is(s.received.length, 1);
      assert.equal(time.slept, []);
      assert.match(r.error!.message, new RegExp(`HTTP ${code}: payload rejected`));
      assert.match(r.error!.message, s.url);
    } finally {
      await s.close();
    }
  });
}

test("429 with Retry-After in seconds waits that long, then succeeds", async () => {
  const s = await serveCollector(status(429, "", { "retry-after": "1" }), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.equal(r, { ok: true, status: 200 });
    assert.is(s.received.length, 2);
    assert.equal(time.slept, [1000]);
  } finally {
    await s.close();
  }
});

test("429 with Retry-After as an HTTP-date waits until that date", async () => {
  const when = new Date(Date.now() + 3000).toUTCString(); // second resolution
  const s = await serveCollector(status(429, "", { "retry-after": when }), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.is(r.ok, true);
    assert.is(s.received.length, 2);
    assert.is(time.slept.length, 1);
    assert.ok(time.slept[0]! > 1000 && time.slept[0]! <= 3000, `waited ${time.slept[0]}`);
  } finally {
    await s.close();
  }
});

test("a Retry-After longer than the remaining budget gives up instead of waiting", async () => {
  const s = await serveCollector(status(503, "", { "retry-after": "60" }), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, timeoutMillis: 10_000, ...time }).send("{}");
    assert.is(r.ok, false);
    assert.is(r.status, 503);
    assert.is(s.received.length, 1);
    assert.equal(time.slept, []);
  } finally {
    await s.close();
  }
});

test("503 then 200: retried after a jittered backoff", async () => {
  const s = await serveCollector(status(503), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.equal(r, { ok: true, status: 200 });
    assert.is(s.received.length, 2);
    assert.equal(time.slept, [500], "full jitter: random (0.5) x initial 1000 ms");
  } finally {
    await s.close();
  }
});

test("502 and 504 are retried with exponential backoff", async () => {
  const s = await serveCollector(status(502), status(504), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.is(r.ok, true);
    assert.is(s.received.length, 3);
    assert.equal(time.slept, [500, 1000]);
    assert.equal(s.received.map((x) => x.body.toString()), ["{}", "{}", "{}"]);
  } finally {
    await s.close();
  }
});

test("a receiver that keeps failing: bounded attempts, capped backoff, last status reported", async () => {
  const s = await serveCollector(status(503));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, timeoutMillis: 60_000, ...time }).send("{}");
    assert.is(r.ok, false);
    assert.is(r.status, 503);
    assert.is(r.errorType, "503", "error.type: the final status");
    assert.is(s.received.length, 5);
    assert.equal(time.slept, [500, 1000, 2000, 2500], "doubles, capped at 5000 ms before jitter");
  } finally {
    await s.close();
  }
});

test("a hung server: send resolves failed when the timeout budget runs out", async () => {
  const s = await serveCollector(() => {
    /* never answers */
  });
  try {
    const r = await createFetchTransport({ url: s.url, timeoutMillis: 300 }).send("{}");
    assert.is(r.ok, false);
    assert.match(r.error!.message, /timed out after 300 ms/);
    assert.is(r.errorType, "timeout");
    assert.is(s.received.length, 1);
  } finally {
    await s.close();
  }
});

test("an abort signal cancels the send", async () => {
  const s = await serveCollector(() => {});
  try {
    const controller = new AbortController();
    const p = createFetchTransport({ url: s.url, timeoutMillis: 60_000 }).send("{}", controller.signal);
    while (s.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const r = await p;
    assert.is(r.ok, false);
    assert.match(r.error!.message, /aborted/);
    assert.is(r.errorType, "aborted");
    // An already-aborted signal sends nothing.
    const before = s.received.length;
    const again = await createFetchTransport({ url: s.url, timeoutMillis: 60_000 }).send("{}", controller.signal);
    assert.equal([again.ok, again.errorType, s.received.length], [false, "aborted", before]);
  } finally {
    await s.close();
  }
});

test("connection refused (closed port): retried as a network error, then fails", async () => {
  const s = await serveCollector(status(200));
  const url = s.url;
  await s.close();
  const time = fakeTime();
  const r = await createFetchTransport({ url, ...time }).send("{}");
  assert.is(r.ok, false);
  assert.is(r.status, undefined);
  assert.match(r.error!.message, /network error/);
  assert.is(r.errorType, "network");
  assert.is(time.slept.length, 4, "5 attempts");
});

test("a connection cut before the response is retried", async () => {
  const s = await serveCollector((req) => req.socket.destroy(), status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.equal(r, { ok: true, status: 200 });
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

test("a connection cut mid-response after a 2xx status counts as accepted", async () => {
  const s = await serveCollector((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"partialSucc');
    setTimeout(() => req.socket.destroy(), 20);
  });
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.equal(r, { ok: true, status: 200 });
    assert.is(s.received.length, 1, "accepted data is not sent twice");
  } finally {
    await s.close();
  }
});

test("a connection cut mid-response after a 503 is retried", async () => {
  const s = await serveCollector((req, res) => {
    res.writeHead(503, { "content-length": "100" });
    res.write("partial");
    setTimeout(() => req.socket.destroy(), 20);
  }, status(200));
  const time = fakeTime();
  try {
    const r = await createFetchTransport({ url: s.url, ...time }).send("{}");
    assert.is(r.ok, true);
    assert.is(s.received.length, 2);
  } finally {
    await s.close();
  }
});

test("partialSuccess is a success with the rejected count; errorMessage goes to diag", async () => {
  const s = await serveCollector(
    status(200, JSON.stringify({ partialSuccess: { rejectedSpans: "3", errorMessage: "3 spans too old" } })),
    status(200, JSON.stringify({ partialSuccess: { rejectedLogRecords: 2 } })),
    status(200, JSON.stringify({ partialSuccess: {} })),
  );
  try {
    const t = createFetchTransport({ url: s.url });
    assert.equal(await t.send("{}"), { ok: true, status: 200, rejected: 3 });
    assert.ok(logs.some((l) => /3 rejected \(3 spans too old\)/.test(l)), logs.join("\n"));
    assert.equal(await t.send("{}"), { ok: true, status: 200, rejected: 2 });
    assert.equal(await t.send("{}"), { ok: true, status: 200 });
  } finally {
    await s.close();
  }
});

test("gzip: body is compressed, content-encoding set, and decodes on the server", async () => {
  const s = await serveCollector(status(200));
  const body = JSON.stringify({ resourceSpans: Array.from({ length: 50 }, (_, i) => ({ name: `span-${i}` })) });
  try {
    const r = await createFetchTransport({ url: s.url, compression: "gzip" }).send(body);
    assert.is(r.ok, true);
    const req = s.received[0]!;
    assert.is(req.headers["content-encoding"], "gzip");
    assert.ok(req.body.length < body.length, "compressed");
    assert.is(gunzipSync(req.body).toString(), body);
  } finally {
    await s.close();
  }
});

test("gzip without CompressionStream falls back to plain, with one diag note", async () => {
  const s = await serveCollector(status(200));
  const g = globalThis as { CompressionStream?: unknown };
  const saved = g.CompressionStream;
  delete g.CompressionStream;
  try {
    const t = createFetchTransport({ url: s.url, compression: "gzip" });
    await t.send("{}");
    await t.send("{}");
    assert.is(s.received[0]!.headers["content-encoding"], undefined);
    assert.is(s.received[1]!.body.toString(), "{}");
    assert.is(logs.filter((l) => /uncompressed/.test(l)).length, 1);
  } finally {
    g.CompressionStream = saved;
    await s.close();
  }
});

test("credentials and header values never appear in diag output or errors", async () => {
  const secretHeader = "sk-live-SUPERSECRET";
  // The server echoes the key back in its error body, as some do.
  const s = await serveCollector(
    status(503, JSON.stringify({ message: `bad key ${secretHeader}` })),
    status(401, JSON.stringify({ message: `invalid key ${secretHeader} for alice` })),
  );
  const time = fakeTime();
  try {
    const url = s.url.replace("http://", "http://alice:hunter2pass@") + "?token=querysecret";
    const t = createFetchTransport({ url, headers: { "x-api-key": secretHeader }, ...time });
    const r = await t.send("{}");
    assert.is(r.ok, false);
    assert.is(r.status, 401);
    // Credentials from the URL travel as Basic auth, not in the URL.
    assert.is(s.received[0]!.headers.authorization, `Basic ${Buffer.from("alice:hunter2pass").toString("base64")}`);
    assert.is(s.received[0]!.url, "/v1/traces?token=querysecret");
    const all = [...logs, r.error!.message].join("\n");
    for (const secret of [secretHeader, "hunter2pass", "querysecret", Buffer.from("alice:hunter2pass").toString("base64")]) {
      assert.not.ok(all.includes(secret), `leaked ${secret}:\n${all}`);
    }
    assert.ok(logs.length > 0, "the retry was reported (debug)");
    assert.match(r.error!.message, /\[redacted\]/);
  } finally {
    await s.close();
  }
  // Network errors too.
  logs.length = 0;
  const r = await createFetchTransport({ url: s.url.replace("http://", "http://bob:pw-secret-9@"), ...fakeTime() }).send("{}");
  assert.is(r.ok, false);
  assert.not.ok([...logs, r.error!.message].join("\n").includes("pw-secret-9"));
});

test("fetch is looked up at call time; keepalive only for small bodies", async () => {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const stub = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response("{}", { status: 200 });
  }) as unknown as typeof fetch;
  const saved = globalThis.fetch;
  const t = createFetchTransport({ url: "http://127.0.0.1:9/v1/logs", keepalive: true });
  globalThis.fetch = stub;
  try {
    assert.is((await t.send("{}")).ok, true);
    await t.send("x".repeat(61 * 1024));
  } finally {
    globalThis.fetch = saved;
  }
  assert.is(calls.length, 2);
  assert.is(calls[0]!.init.keepalive, true);
  assert.is(calls[0]!.init.method, "POST");
  assert.is(calls[1]!.init.keepalive, undefined, "over the browser keepalive limit");
});

test("never rejects: a throwing fetch or no fetch at all resolve failed", async () => {
  const throwing = (() => {
    throw new Error("boom");
  }) as unknown as typeof fetch;
  const r1 = await createFetchTransport({ url: "http://127.0.0.1:9/", fetch: throwing, ...fakeTime() }).send("{}");
  assert.is(r1.ok, false);
  assert.match(r1.error!.message, /boom/);
  const saved = globalThis.fetch;
  (globalThis as { fetch?: unknown }).fetch = undefined;
  try {
    const r2 = await createFetchTransport({ url: "http://127.0.0.1:9/" }).send("{}");
    assert.is(r2.ok, false);
    assert.match(r2.error!.message, /no fetch/);
  } finally {
    globalThis.fetch = saved;
  }
});

test("invalid configuration throws at construction", () => {
  assert.throws(() => createFetchTransport({ url: "not a url" }), TypeError);
  assert.throws(() => createFetchTransport({ url: "ftp://127.0.0.1/" }), TypeError);
  assert.throws(() => createFetchTransport({ url: "http://127.0.0.1/", timeoutMillis: 0 }), RangeError);
});

test("parseRetryAfter: delay-seconds, HTTP-date, past date, garbage", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assert.is(parseRetryAfter("120", now), 120_000);
  assert.is(parseRetryAfter(" 0 ", now), 0);
  assert.is(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30_000);
  assert.is(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
  assert.is(parseRetryAfter("-5", now), undefined);
  assert.is(parseRetryAfter("soon", now), undefined);
  assert.is(parseRetryAfter(null, now), undefined);
});

test.run();
