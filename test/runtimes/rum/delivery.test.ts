// RUM delivery: gzip while visible, the beacon fallback for requests sent without keepalive
// while the page is hidden (split, refused pieces dropped and counted once), and the
// text/plain beacon transport with its no-cors fallback.
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, type DiagLogger } from "../../../src/common/diag.ts";
import { createRumFetch, droppedBeaconItems } from "../../../src/runtime/rum/delivery.ts";

interface Sent {
  via: "fetch" | "beacon";
  url: string;
  body: string;
  type?: string;
  keepalive?: boolean;
  mode?: string;
  encoding?: string | null;
}

async function text(data: BodyInit): Promise<string> {
  return typeof data === "string" ? data : await new Response(data).text();
}

function harness(opts: { hidden?: boolean; refuse?: (n: number) => boolean; transport?: "fetch" | "beacon"; gzip?: boolean } = {}) {
  const sent: Sent[] = [];
  const pending: Array<Promise<void>> = [];
  let hidden = opts.hidden ?? false;
  let beacons = 0;
  const fetchFn = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const raw = init?.body;
    const body = raw instanceof ArrayBuffer ? gunzipSync(Buffer.from(raw)).toString() : String(raw);
    sent.push({ via: "fetch", url: String(url), body, keepalive: init?.keepalive === true, mode: init?.mode, encoding: headers.get("content-encoding"), type: headers.get("content-type") ?? undefined });
    return new Response("{}");
  }) as typeof fetch;
  const sendBeacon = (url: string, data: BodyInit): boolean => {
    const n = beacons++;
    if (opts.refuse?.(n)) return false;
    const entry: Sent = { via: "beacon", url, body: "", type: typeof data === "string" ? "text/plain;charset=UTF-8" : (data as Blob).type };
    sent.push(entry);
    pending.push(text(data).then((t) => void (entry.body = t)));
    return true;
  };
  const rumFetch = createRumFetch({ fetch: fetchFn, transport: opts.transport, gzip: opts.gzip, isHidden: () => hidden, sendBeacon });
  return { sent, rumFetch, settle: () => Promise.all(pending), hide: (h: boolean) => void (hidden = h) };
}

function spans(count: number, pad: number): string {
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: "s" }, spans: Array.from({ length: count }, (_, i) => ({ name: `s${i}`, pad: "x".repeat(pad) })) }] }] });
}

const names = (body: string): string[] => (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));

const headers = { "content-type": "application/json", authorization: "k" };

test("fetch transport, visible page: gzipped with content-encoding, headers and keepalive kept", async () => {
  const h = harness({ gzip: true });
  const body = spans(3, 10);
  const res = await h.rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers, keepalive: true });
  assert.is(res.status, 200);
  assert.is(h.sent.length, 1);
  assert.is(h.sent[0]!.via, "fetch");
  assert.is(h.sent[0]!.encoding, "gzip");
  assert.is(h.sent[0]!.keepalive, true);
  assert.is(h.sent[0]!.body, body, "the receiver gunzips the original body");
});

test("fetch transport, hidden page: never compressed (must start synchronously); keepalive requests stay fetches", async () => {
  const h = harness({ gzip: true, hidden: true });
  const body = spans(2, 10);
  const p = h.rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers, keepalive: true });
  assert.is(h.sent.length, 1, "handed to fetch synchronously");
  await p;
  assert.is(h.sent[0]!.encoding, null);
  assert.is(h.sent[0]!.keepalive, true);
});

test("fetch transport, hidden page: a request without keepalive goes as ≤ 60 KiB beacons with its content type", async () => {
  const h = harness({ hidden: true });
  const body = spans(200, 700); // ~140 KiB
  const res = await h.rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers, keepalive: false });
  await h.settle();
  assert.is(res.status, 200);
  assert.ok(h.sent.length >= 3);
  assert.ok(h.sent.every((s) => s.via === "beacon" && s.type === "application/json" && new TextEncoder().encode(s.body).byteLength <= 60 * 1024));
  assert.equal(h.sent.flatMap((s) => names(s.body)), names(body));
});

test("refused beacons while hidden: dropped with a count reported once; the batch still counts as delivered", async () => {
  const messages: string[] = [];
  const logger = { error: (m: string) => messages.push(m), warn: (m: string) => messages.push(m), info: () => {}, debug: () => {}, verbose: () => {} } as unknown as DiagLogger;
  diag.setLogger(logger, 9999);
  try {
    const before = droppedBeaconItems();
    const h = harness({ hidden: true, refuse: (n) => n >= 1 });
    const body = spans(200, 700);
    const res = await h.rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers });
    await h.settle();
    assert.is(res.status, 200);
    assert.is(h.sent.length, 1);
    const delivered = names(h.sent[0]!.body).length;
    assert.is(droppedBeaconItems() - before, 200 - delivered);
    await h.rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body: spans(1, 1), headers });
    assert.is(droppedBeaconItems() - before, 201 - delivered);
    const reports = messages.filter((m) => m.includes("refused a beacon"));
    assert.is(reports.length, before === 0 ? 1 : 0, "reported once");
  } finally {
    diag.setLogger();
  }
});

test("beacon transport: text/plain beacons, never compressed; refused while visible → no-cors text/plain fetch", async () => {
  const h = harness({ transport: "beacon", gzip: true, refuse: (n) => n === 1 });
  const body = spans(2, 10);
  await h.rumFetch("http://127.0.0.1:1/v1/logs", { method: "POST", body, headers, keepalive: true });
  await h.settle();
  assert.equal(h.sent.map((s) => [s.via, s.type, s.body]), [["beacon", "text/plain;charset=UTF-8", body]]);
  await h.rumFetch("http://127.0.0.1:1/v1/logs", { method: "POST", body, headers });
  assert.equal(h.sent.slice(1).map((s) => [s.via, s.mode, s.type, s.encoding, s.body]), [["fetch", "no-cors", "text/plain;charset=UTF-8", null, body]]);
});

test("bodies other than text or bytes pass through to fetch unchanged; UTF-8 bytes go like text", async () => {
  const h = harness({ hidden: true, transport: "beacon" });
  await h.rumFetch("http://127.0.0.1:1/x", { method: "POST", body: new Blob(["{}"]) });
  assert.equal(h.sent.map((s) => s.via), ["fetch"]);
  await h.rumFetch("http://127.0.0.1:1/x", { method: "POST", body: new TextEncoder().encode(spans(1, 1)) });
  assert.equal(h.sent.map((s) => s.via), ["fetch", "beacon"]);
});

test("a visible page's byte body goes to fetch as the same bytes, and gzips from the bytes (no decode on the common path)", async () => {
  const seen: unknown[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => (seen.push(init?.body), new Response("{}"))) as typeof fetch;
  const body = new TextEncoder().encode(spans(2, 5));
  await createRumFetch({ fetch: fetchFn, isHidden: () => false })("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers });
  assert.ok(seen[0] === body);
  await createRumFetch({ fetch: fetchFn, gzip: true, isHidden: () => false })("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers });
  assert.is(gunzipSync(Buffer.from(seen[1] as ArrayBuffer)).toString(), spans(2, 5));
});

/** Resolves with what `promise` settled to within `n` microtasks, else "pending". */
async function withinMicrotasks<T>(promise: Promise<T>, n = 50): Promise<T | "pending"> {
  let result: T | "pending" = "pending";
  void promise.then((v) => (result = v));
  for (let i = 0; i < n && result === "pending"; i++) await Promise.resolve();
  return result;
}

test("leave(): a request still compressing goes at once, uncompressed with keepalive, and its caller gets a 200 that reads within microtasks", async () => {
  const sent: Array<{ body: unknown; keepalive?: boolean; encoding: string | null }> = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ body: init?.body, keepalive: init?.keepalive, encoding: new Headers(init?.headers).get("content-encoding") });
    return new Promise<Response>(() => {}); // the answer never comes (the page is gone)
  }) as typeof fetch;
  let hidden = false;
  const rumFetch = createRumFetch({ fetch: fetchFn, gzip: true, isHidden: () => hidden });
  const body = spans(2, 5);
  const pending = rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body, headers, keepalive: true });
  assert.equal(sent, [], "still compressing");
  hidden = true;
  rumFetch.leave();
  assert.equal(sent, [{ body, keepalive: true, encoding: null }], "sent synchronously in leave(), uncompressed");
  const response = await withinMicrotasks(pending);
  assert.ok(response !== "pending" && response.status === 200);
  assert.is(await withinMicrotasks((response as Response).text()), "{}");
  await new Promise((r) => setTimeout(r, 50)); // the compression finishing later sends nothing more
  assert.is(sent.length, 1);
});

test("leave(): a keepalive request awaiting its answer counts as delivered at once; one without keepalive keeps waiting for its own", async () => {
  let answer: (r: Response) => void = () => {};
  const fetchFn = (async () => new Promise<Response>((resolve) => (answer = resolve))) as typeof fetch;
  const rumFetch = createRumFetch({ fetch: fetchFn, isHidden: () => false });
  const keepalive = rumFetch("http://127.0.0.1:1/v1/traces", { method: "POST", body: spans(1, 1), headers, keepalive: true });
  const plain = rumFetch("http://127.0.0.1:1/v1/logs", { method: "POST", body: spans(1, 1), headers });
  await Promise.resolve();
  assert.is(await withinMicrotasks(keepalive, 5), "pending", "visible: waits for the answer");
  rumFetch.leave();
  const early = await withinMicrotasks(keepalive);
  assert.ok(early !== "pending" && early.status === 200);
  assert.is(await withinMicrotasks(plain), "pending");
  answer(new Response("{}", { status: 503 }));
  assert.is((await plain).status, 503);
});

test("a gzipped request that fails goes again uncompressed; once that works the page stops compressing (said once); an outage keeps gzip", async () => {
  const messages: string[] = [];
  const sink = (m: string) => void messages.push(m);
  diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink } as DiagLogger);
  const sent: Array<string | null> = [];
  let down = true; // the collector is unreachable: both attempts fail
  let corsRefusesGzip = true;
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const encoding = new Headers(init?.headers).get("content-encoding");
    sent.push(encoding);
    if (down || (corsRefusesGzip && encoding === "gzip")) throw new TypeError("Failed to fetch");
    return new Response("{}");
  }) as typeof fetch;
  const rumFetch = createRumFetch({ fetch: fetchFn, gzip: true, isHidden: () => false });
  const request = { method: "POST", body: spans(1, 1), headers, keepalive: true };
  await rumFetch("https://collector.example.com/v1/traces?key=secret", request).then(
    () => assert.unreachable("an outage rejects"),
    (e: unknown) => assert.instance(e, TypeError),
  );
  assert.equal(sent, ["gzip", null], "tried uncompressed once");
  down = false;
  const first = await rumFetch("https://collector.example.com/v1/traces?key=secret", request);
  assert.is(first.status, 200);
  assert.equal(sent.slice(2), ["gzip", null], "the outage did not turn gzip off; the CORS refusal did");
  await rumFetch("https://collector.example.com/v1/logs", request);
  assert.equal(sent.slice(4), [null], "uncompressed from then on");
  const warned = messages.filter((m) => m.includes("Content-Encoding"));
  assert.is(warned.length, 1);
  assert.ok(warned[0]!.includes("https://collector.example.com") && !warned[0]!.includes("secret"), warned[0]);
  corsRefusesGzip = false;
  diag.setLogger();
});

test.run();
