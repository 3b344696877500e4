// @node-flags: --max-old-space-size=1024
// An OTLP receiver that lies (issue 18, "The exporter and a collector that lies"), played by real
// node:http servers on 127.0.0.1: huge, endless and gzip-bomb response bodies; redirects to
// another origin that records whether our headers reached it; error bodies echoing the API key
// past the length messages are cut to; partialSuccess fields that throw when coerced. The
// transport must read at most 64 KiB of any body, never follow a redirect, redact before
// cutting, and keep an accepted export accepted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";
import { createFetchTransport } from "../../src/export/fetch-transport.ts";
import { createOtlpExporter } from "../../src/export/otlp-http-exporter.ts";
import { classifyExport } from "../../src/export/export-outcome.ts";
import { diag, DiagLogLevel, resetDiagOnce } from "../../src/common/diag.ts";
import { countingFetch, streamBody } from "../helpers/collector-server.ts";

const logs: string[] = [];
const capture = (m: string, ...a: unknown[]) => logs.push([m, ...a.map(String)].join(" "));
diag.setLogger({ error: capture, warn: capture, info: capture, debug: capture, verbose: capture }, DiagLogLevel.ALL);
test.before.each(() => {
  logs.length = 0;
  resetDiagOnce();
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real server on 127.0.0.1 answering every request with `handler`; records hits and bytes written. */
async function serve(handler: Handler) {
  const hits: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/v1/traces`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Bytes the servers' streamed bodies got out of `res.write` (backpressure: what the client drained, plus buffers). */
let streamed = 0;

/** Writes `total` bytes of `chunk`s (Infinity: forever), respecting backpressure, until the client goes away. */
function stream(res: http.ServerResponse, chunk: Buffer, total: number): void {
  streamBody(res, chunk, total, (bytes) => (streamed += bytes));
}

const MiB = 1024 * 1024;
const KiB = 1024;
const BODY = '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"}]}]}]}';

/** Peak growth of heap + array buffers while `run` runs, sampled every 2 ms. */
async function peakMemory<R>(run: () => Promise<R>): Promise<{ result: R; peak: number }> {
  globalThis.gc?.();
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, used() - base)), 2);
  try {
    const result = await run();
    peak = Math.max(peak, used() - base);
    return { result, peak };
  } finally {
    clearInterval(sampler);
  }
}

// ---------------------------------------------------------------- bounded response reads

for (const code of [200, 400, 503]) {
  test(`a 100 MiB response body (${code}) is read up to 64 KiB, the rest cancelled; the outcome follows the status`, async () => {
    const s = await serve((_req, res) => {
      res.writeHead(code, { "content-type": "text/plain", "content-length": String(100 * MiB) });
      stream(res, Buffer.alloc(64 * KiB, 0x61), 100 * MiB);
    });
    try {
      streamed = 0;
      const { fetch, counter } = countingFetch();
      const t = createFetchTransport({ url: s.url, fetch, timeoutMillis: 20_000, random: () => 0, sleep: async () => {} });
      const started = performance.now();
      const { result: r, peak } = await peakMemory(() => t.send(BODY));
      const ms = performance.now() - started;
      console.log(`    100 MiB ${code}: read ${counter.bytes} B, server streamed ${streamed} B, heap +${(peak / MiB).toFixed(1)} MiB, ${ms.toFixed(0)} ms`);
      assert.is(r.ok, code === 200);
      assert.is(r.status, code);
      if (code !== 200) assert.is(r.errorType, String(code));
      // Per attempt: the bound plus at most one chunk of the stream (503 is retried: 5 attempts).
      const attempts = code === 503 ? 5 : 1;
      assert.ok(counter.bytes <= attempts * 128 * KiB, `read ${counter.bytes} bytes`);
      assert.ok(peak < 48 * MiB, `heap grew ${peak} bytes`);
      assert.ok(ms < 10_000, `took ${ms} ms`);
    } finally {
      await s.close();
    }
  });
}

test("an endless chunked body: the read stops at 64 KiB; the export's status decides, long before the timeout", async () => {
  const s = await serve((_req, res) => {
    res.writeHead(400, { "content-type": "text/plain" }); // no content-length: chunked
    stream(res, Buffer.alloc(16 * KiB, 0x62), Infinity);
  });
  try {
    const { fetch, counter } = countingFetch();
    const t = createFetchTransport({ url: s.url, fetch, timeoutMillis: 15_000 });
    const started = performance.now();
    const { result: r, peak } = await peakMemory(() => t.send(BODY));
    const ms = performance.now() - started;
    console.log(`    endless chunked: read ${counter.bytes} B, heap +${(peak / MiB).toFixed(1)} MiB, ${ms.toFixed(0)} ms`);
    assert.is(r.ok, false);
    assert.is(r.status, 400);
    assert.is(r.errorType, "400");
    assert.ok(counter.bytes <= 128 * KiB, `read ${counter.bytes} bytes`);
    assert.ok(ms < 5000, `took ${ms} ms (timeout budget 15000)`);
  } finally {
    await s.close();
  }
});

/** ~`inflated` bytes of zeros, gzipped (about 1000:1). */
async function gzipBomb(inflated: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on("end", r));
  const zeros = Buffer.alloc(MiB);
  for (let n = 0; n < inflated; n += MiB) if (!gz.write(zeros)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

for (const code of [200, 500]) {
  test(`a gzip bomb (${code}; small body, hundreds of MiB inflated) is inflated no further than 64 KiB`, async () => {
    const bomb = await gzipBomb(400 * MiB);
    const s = await serve((_req, res) => {
      res.writeHead(code, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    try {
      const { fetch, counter } = countingFetch();
      const t = createFetchTransport({ url: s.url, fetch, timeoutMillis: 30_000 });
      const started = performance.now();
      const { result: r, peak } = await peakMemory(() => t.send(BODY));
      const ms = performance.now() - started;
      console.log(`    gzip bomb ${code} (${bomb.length} B → 400 MiB): read ${counter.bytes} B decoded, heap +${(peak / MiB).toFixed(1)} MiB, ${ms.toFixed(0)} ms`);
      assert.is(r.ok, code === 200);
      assert.is(r.status, code);
      assert.ok(counter.bytes <= 128 * KiB, `inflated ${counter.bytes} bytes`);
      assert.ok(peak < 48 * MiB, `heap grew ${peak} bytes`);
      assert.ok(ms < 5000, `took ${ms} ms`);
    } finally {
      await s.close();
    }
  });
}

test("the bound holds with the runtime's own fetch too (no wrapper): a 100 MiB body costs no 100 MiB", async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(100 * MiB) });
    stream(res, Buffer.alloc(64 * KiB, 0x61), 100 * MiB);
  });
  try {
    streamed = 0;
    const t = createFetchTransport({ url: s.url });
    const { result: r, peak } = await peakMemory(() => t.send(BODY));
    assert.equal(r, { ok: true, status: 200 });
    assert.ok(peak < 48 * MiB, `heap grew ${peak} bytes`);
    await new Promise((r) => setTimeout(r, 100));
    console.log(`    100 MiB, runtime fetch: server streamed ${streamed} B, heap +${(peak / MiB).toFixed(1)} MiB`);
    assert.ok(streamed < 32 * MiB, `server streamed ${streamed} bytes`);
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------- redirects

for (const code of [301, 302, 303, 307, 308]) {
  test(`a ${code} to another origin is a failed export counted with its status; the other origin never sees a request`, async () => {
    const elsewhere = await serve((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    const collector = await serve((_req, res) => void res.writeHead(code, { location: `${elsewhere.origin}/steal/path?token=qs-s3cret` }).end());
    try {
      const exporter = createOtlpExporter<string>("traces", () => BODY, { url: collector.url, headers: { "x-api-key": "hdr-s3cret-key" } });
      const r = await exporter.export(["span"]);
      assert.is(r.code, 1, "a redirect is a failed export");
      assert.is(r.status, code);
      assert.is(r.errorType, String(code));
      assert.is(elsewhere.hits.length, 0, "the redirect target must never be contacted");
      assert.is(collector.hits.length, 1, "not retried");
      const said = logs.join("\n") + "\n" + String(r.error?.message);
      assert.ok(said.includes(elsewhere.origin), said);
      assert.not.ok(/steal|qs-s3cret|hdr-s3cret/.test(said), said);
      // Reported once, however often it happens.
      await exporter.export(["span"]);
      assert.is(logs.filter((l) => l.includes(elsewhere.origin) && /redirect/i.test(l)).length, 1, logs.join("\n"));
    } finally {
      await collector.close();
      await elsewhere.close();
    }
  });
}

test("a browser's opaque redirect (type opaqueredirect, status 0) is a failed export, not a success", async () => {
  const opaque = { type: "opaqueredirect", status: 0, ok: false, headers: new Headers(), body: null, text: async () => "" } as unknown as Response;
  let redirect: RequestRedirect | undefined;
  const t = createFetchTransport({
    url: "https://collector.example/v1/traces",
    fetch: (async (_u: RequestInfo | URL, init?: RequestInit) => ((redirect = init?.redirect), opaque)) as typeof fetch,
  });
  const r = await t.send(BODY);
  assert.is(redirect, "manual");
  assert.is(r.ok, false);
  assert.ok(/redirect/i.test(String(r.error?.message)), String(r.error?.message));
});

// ---------------------------------------------------------------- credentials in diagnostics

test("an API key echoed in a long error body is redacted before the message is cut (no partial key in any message)", async () => {
  const key = "sk-live-0123456789abcdefghijklmnopqrstuvwxyz";
  const bearer = "bearer-tok-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  for (const pad of [150, 170, 185, 190, 195]) {
    for (const json of [false, true]) {
      // The text body runs past the 64 KiB read bound; the JSON one stays within it (to be parsed).
      const body = `${"e".repeat(pad)} invalid key ${key} and token ${bearer} ` + "x".repeat(json ? 10_000 : 70_000);
      const s = await serve((_req, res) => void res.writeHead(401, { "content-type": json ? "application/json" : "text/plain" }).end(json ? JSON.stringify({ code: 16, message: body }) : body));
      try {
        logs.length = 0;
        const t = createFetchTransport({ url: s.url, headers: { "x-api-key": key, authorization: `Bearer ${bearer}` } });
        const r = await t.send(BODY);
        assert.is(r.status, 401);
        const said = logs.join("\n") + "\n" + String(r.error?.message);
        // Any 8 consecutive characters of either credential is too much.
        for (const secret of [key, bearer]) {
          for (let i = 0; i + 8 <= secret.length; i++) assert.not.ok(said.includes(secret.slice(i, i + 8)), `pad ${pad} json ${json}: ${said}`);
        }
        if (pad <= 170) assert.ok(said.includes("[redacted]"), said); // further on, the cut falls inside "[redacted]"
      } finally {
        await s.close();
      }
    }
  }
});

test("a credential the receiver cut short itself (a prefix of the key) is redacted too", async () => {
  const key = "sk-live-0123456789abcdefghijklmnopqrstuvwxyz";
  const s = await serve((_req, res) => void res.writeHead(403, { "content-type": "text/plain" }).end(`key ${key.slice(0, 20)}… is not allowed`));
  try {
    const t = createFetchTransport({ url: s.url, headers: { "x-api-key": key } });
    const r = await t.send(BODY);
    const said = String(r.error?.message);
    assert.not.ok(said.includes(key.slice(0, 12)), said);
    assert.ok(/not allowed/.test(said), said);
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------- partialSuccess that throws

test("a partialSuccess whose fields cannot be coerced (valueOf/toString not callable) keeps the export accepted", async () => {
  const hostile = JSON.stringify({
    partialSuccess: { rejectedSpans: { valueOf: 1, toString: 1 }, rejectedLogRecords: { toString: {} }, errorMessage: { toString: 1 } },
  });
  const s = await serve((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(hostile));
  try {
    const t = createFetchTransport({ url: s.url });
    const r = await t.send(BODY);
    assert.is(r.ok, true, String(r.error?.message));
    assert.is(r.status, 200);
    assert.is(s.hits.length, 1, "an accepted export is not retried");
    const exporter = createOtlpExporter<string>("traces", () => BODY, { url: s.url });
    assert.is((await exporter.export(["span"])).code, 0);
  } finally {
    await s.close();
  }
});

test("an exporter result whose rejected count throws when read or coerced still counts as accepted", () => {
  const throwing = {
    code: 0,
    get rejected(): number {
      throw new Error("getter");
    },
  };
  const coercion = { code: 0, rejected: { valueOf: () => { throw new Error("valueOf"); }, toString: () => { throw new Error("toString"); } } };
  for (const value of [throwing, coercion]) {
    const c = classifyExport({ kind: "value", value: value as never }, 5);
    assert.is(c.exported, 5, JSON.stringify(c));
    assert.is(c.failed, 0);
  }
});

test.run();
