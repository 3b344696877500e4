// The browser entry's keepalive fetch: OTLP bodies over 60 KiB split into whole-item pieces,
// the 64 KiB in-flight keepalive budget, the retry without keepalive, and one combined answer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createKeepaliveFetch, splitOtlpJson } from "../../../src/runtime/browser-keepalive-fetch.ts";
import { context, ROOT_CONTEXT } from "../../../mod.ts";
import { StackContextManager } from "../../../src/context/stack-manager.ts";
import { isTracingSuppressed, suppressTracing } from "../../../src/trace/suppress.ts";

const bytes = (s: string): number => new TextEncoder().encode(s).byteLength;

function tracesBody(resources: number, spansPerScope: number, pad: number): string {
  return JSON.stringify({
    resourceSpans: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: [{ key: "service.name", value: { stringValue: `svc-${r}` } }] },
      scopeSpans: [0, 1].map((s) => ({
        scope: { name: `scope-${s}` },
        spans: Array.from({ length: spansPerScope }, (_, i) => ({ name: `r${r}s${s}i${i}`, attributes: [{ key: "pad", value: { stringValue: "é".repeat(pad) } }] })),
      })),
    })),
  });
}

function spanNames(body: string): string[] {
  const root = JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: Array<{ value: { stringValue: string } }> }; scopeSpans: Array<{ scope: { name: string }; spans: Array<{ name: string }> }> }> };
  return root.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => `${rs.resource.attributes[0]!.value.stringValue}/${ss.scope.name}/${s.name}`)));
}

test("splitOtlpJson: pieces fit, keep every span once and in order, with its own resource and scope", () => {
  const body = tracesBody(3, 40, 400); // ~3*2*40*800 bytes (é is 2 bytes) ≈ 190 KiB
  assert.ok(bytes(body) > 150 * 1024);
  const pieces = splitOtlpJson(body, 60 * 1024)!;
  assert.ok(pieces.length >= 4);
  for (const p of pieces) {
    assert.ok(p.bytes <= 60 * 1024, `piece of ${p.bytes} bytes`);
    assert.is(p.bytes, bytes(p.body));
  }
  assert.equal(pieces.flatMap((p) => spanNames(p.body)), spanNames(body));
});

test("splitOtlpJson: logs and metrics too; undefined for non-OTLP bodies and single oversized items", () => {
  const logs = JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [{ scope: { name: "l" }, logRecords: Array.from({ length: 10 }, (_, i) => ({ body: { stringValue: `${i}${"x".repeat(1000)}` } })) }] }] });
  const logPieces = splitOtlpJson(logs, 3000)!;
  assert.ok(logPieces.length >= 4);
  assert.is(logPieces.flatMap((p) => (JSON.parse(p.body) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }> }).resourceLogs[0]!.scopeLogs[0]!.logRecords).length, 10);
  const metrics = JSON.stringify({ resourceMetrics: [{ resource: {}, scopeMetrics: [{ scope: { name: "m" }, metrics: [{ name: "a", description: "x".repeat(900) }, { name: "b", description: "y".repeat(900) }] }] }] });
  assert.equal(splitOtlpJson(metrics, 1100)!.map((p) => (JSON.parse(p.body) as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }> }).resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name), ["a", "b"]);
  assert.is(splitOtlpJson("not json", 10), undefined);
  assert.is(splitOtlpJson(JSON.stringify({ other: [] }), 10), undefined);
  assert.is(splitOtlpJson(tracesBody(1, 1, 10), 10), undefined, "an item larger than the limit cannot be split");
});

interface Call {
  keepalive: boolean;
  bytes: number;
  body: string;
}

function recorder(respond: (call: Call, index: number) => Promise<Response> | Response = () => new Response("{}")) {
  const calls: Call[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = String(init?.body);
    const call = { keepalive: init?.keepalive === true, bytes: bytes(body), body };
    calls.push(call);
    return respond(call, calls.length - 1);
  }) as typeof fetch;
  return { calls, fetchFn };
}

test("keepalive fetch: an oversized body goes out as pieces started together; only 64 KiB of them with keepalive", async () => {
  const body = tracesBody(3, 40, 400);
  const releases: Array<() => void> = [];
  const { calls, fetchFn } = recorder(() => new Promise<Response>((resolve) => releases.push(() => resolve(new Response("{}")))));
  const kf = createKeepaliveFetch(fetchFn);
  const pending = kf("http://127.0.0.1:1/v1/traces", { method: "POST", body });
  // Every piece was handed to fetch synchronously, before any answer.
  assert.ok(calls.length >= 4);
  const keepaliveBytes = calls.filter((c) => c.keepalive).reduce((n, c) => n + c.bytes, 0);
  assert.ok(keepaliveBytes > 0 && keepaliveBytes <= 64 * 1024, `keepalive bytes in flight: ${keepaliveBytes}`);
  assert.ok(calls.some((c) => !c.keepalive), "pieces beyond the budget are sent without keepalive");
  assert.equal(calls.flatMap((c) => spanNames(c.body)), spanNames(body));
  releases.forEach((r) => r());
  const response = await pending;
  assert.is(response.status, 200);

  // The budget is released when requests settle: a small body now goes with keepalive.
  const small = tracesBody(1, 1, 10);
  const again = kf("http://127.0.0.1:1/v1/traces", { method: "POST", body: small, keepalive: true });
  assert.is(calls.at(-1)!.keepalive, true);
  releases.forEach((r) => r());
  await again;
});

test("keepalive fetch: a refused keepalive request is retried once without keepalive; bodies other than text or bytes pass through", async () => {
  const { calls, fetchFn } = recorder((call) => {
    if (call.keepalive) throw new TypeError("Failed to fetch");
    return new Response("{}");
  });
  const kf = createKeepaliveFetch(fetchFn);
  const response = await kf("http://127.0.0.1:1/v1/logs", { method: "POST", body: "{}", keepalive: true });
  assert.is(response.status, 200);
  assert.equal(calls.map((c) => c.keepalive), [true, false]);

  const aborted = new AbortController();
  aborted.abort();
  await kf("http://127.0.0.1:1/v1/logs", { method: "POST", body: "{}", signal: aborted.signal }).then(
    () => assert.unreachable("should reject"),
    (e: unknown) => assert.instance(e, TypeError),
  );
  assert.is(calls.length, 3, "no retry when the caller aborted");

  const passthrough = recorder();
  await createKeepaliveFetch(passthrough.fetchFn)("http://127.0.0.1:1/x", { method: "POST", body: new Blob(["{}"]) });
  assert.equal(passthrough.calls.map((c) => c.keepalive), [false]);
  // UTF-8 bytes (what the OTLP exporters send) are budgeted like text: a small body goes with keepalive.
  await createKeepaliveFetch(passthrough.fetchFn)("http://127.0.0.1:1/x", { method: "POST", body: new TextEncoder().encode("{}"), keepalive: true });
  assert.equal(passthrough.calls.map((c) => c.keepalive), [false, true]);
});

test("keepalive fetch: the retry without keepalive runs in the caller's context (the exporter's suppression holds under a page's stack context manager)", async () => {
  context.setGlobalContextManager(new StackContextManager()); // a page without AsyncContext
  try {
    const suppressed: boolean[] = [];
    const kf = createKeepaliveFetch(async (_input, init) => {
      suppressed.push(isTracingSuppressed(context.active()));
      if (init?.keepalive) throw new TypeError("Failed to fetch");
      return new Response("{}");
    });
    const response = await context.with(suppressTracing(ROOT_CONTEXT), () => kf("http://127.0.0.1:1/v1/traces", { method: "POST", body: "{}", keepalive: true }));
    assert.is(response.status, 200);
    // Before the fix the retry ran after an await, outside the suppressed context: a traced
    // fetch then traced the SDK's own export request.
    assert.equal(suppressed, [true, true]);
  } finally {
    context.disable();
  }
});

test("keepalive fetch: split answers combine — partialSuccess rejected counts add up; the first failure wins", async () => {
  const body = tracesBody(2, 40, 400);
  const ok = recorder(() => new Response(JSON.stringify({ partialSuccess: { rejectedSpans: "2", errorMessage: "too old" } })));
  const combined = await createKeepaliveFetch(ok.fetchFn)("http://127.0.0.1:1/v1/traces", { method: "POST", body });
  const n = ok.calls.length;
  assert.ok(n >= 2);
  assert.equal(await combined.json(), { partialSuccess: { rejectedSpans: 2 * n, errorMessage: "too old" } });

  const failing = recorder((_c, i) => new Response(i === 1 ? "slow down" : "{}", { status: i === 1 ? 429 : 200 }));
  const answer = await createKeepaliveFetch(failing.fetchFn)("http://127.0.0.1:1/v1/traces", { method: "POST", body });
  assert.is(answer.status, 429);
  assert.is(await answer.text(), "slow down");
});

test("keepalive fetch: pieces answered with uncoercible partialSuccess fields or endless bodies still combine into an accepted 200", async () => {
  const body = tracesBody(2, 40, 400);
  let pulled = 0;
  const endless = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
  const hostile = recorder((_c, i) =>
    i === 0 ? new Response(JSON.stringify({ partialSuccess: { rejectedSpans: { valueOf: 1, toString: 1 }, errorMessage: { toString: 1 } } })) : new Response(endless()),
  );
  const combined = await createKeepaliveFetch(hostile.fetchFn)("http://127.0.0.1:1/v1/traces", { method: "POST", body });
  assert.ok(hostile.calls.length >= 2);
  assert.is(combined.status, 200);
  assert.equal(await combined.json(), {});
  // Per endless answer: the 64 KiB bound plus the chunk the stream pulls ahead.
  assert.ok(pulled <= (hostile.calls.length - 1) * 96 * 1024, `read ${pulled} bytes of ${hostile.calls.length - 1} endless answers`);
});

test("keepalive fetch: a byte body under the limit goes out as the same bytes (not decoded); an oversized one is split", async () => {
  const seen: unknown[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => (seen.push(init?.body), new Response("{}"))) as typeof fetch;
  const kf = createKeepaliveFetch(fetchFn);
  const small = new TextEncoder().encode(tracesBody(1, 1, 10));
  await kf("http://127.0.0.1:1/v1/traces", { method: "POST", body: small, keepalive: true });
  assert.ok(seen[0] === small, "the exporter's bytes, untouched");
  const large = tracesBody(3, 40, 400);
  await kf("http://127.0.0.1:1/v1/traces", { method: "POST", body: new TextEncoder().encode(large) });
  const pieces = seen.slice(1) as string[];
  assert.ok(pieces.length >= 4 && pieces.every((p) => typeof p === "string" && bytes(p) <= 60 * 1024));
  assert.equal(pieces.flatMap(spanNames), spanNames(large));
});

test.run();
