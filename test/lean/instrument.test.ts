// @node-flags: --import=./test/lean/standins/register.mjs
// bench/lean/instrument.ts driven as workerd drives a Worker (fake env and ctx, a fake fetch
// that answers upstream calls and receives the OTLP export), against the product's Workers
// instrument() on the same invocations (test/lean/oracle/workers-product.ts, in its own process):
// span names, kinds, scopes, parents, attributes (in order), status and exception events must be
// the same. Then the guarantees the product's tests hold for the wrapper: context injected into a
// copy of the caller's headers, the exporter's fetch never traced, fetch patched once, config
// called once, a flush per invocation in waitUntil (also on throw, after the response), `this`/env
// untouched, OTEL_SDK_DISABLED, and a broken config or request never breaking the Worker.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { active, SUPPRESS_KEY, withContext } from "../../bench/lean/context.ts";
import { instrument, type WorkersHandler } from "../../bench/lean/instrument.ts";
import { callerRequest, executionContext, fakeFetch, handler, SCENARIOS, shape, TRACE_ID, upstream, type Shape } from "./oracle/scenarios.ts";

const root = new URL("../../", import.meta.url).pathname;
const warnings: string[] = [];
console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));

/** OTLP/JSON bodies the fake collector received. */
const exports: Array<{ url: string; headers: Headers; body: string }> = [];
const collector = async (request: Request) => {
  exports.push({ url: request.url, headers: request.headers, body: await request.text() });
  return new Response("{}", { status: 200 });
};
const original = fakeFetch(collector);
globalThis.fetch = original;

interface Decoded { name: string; kind: number; scope: string; traceId: string; spanId: string; parentSpanId?: string; attributes: Record<string, unknown>; status: { code: number; message?: string }; events: Array<{ name: string; attributes: Record<string, unknown> }> }
type Kv = Array<{ key: string; value: Record<string, unknown> }>;
const anyValue = (v: Record<string, unknown>): unknown =>
  "intValue" in v ? Number(v.intValue) : "arrayValue" in v ? ((v.arrayValue as { values?: [] }).values ?? []).map(anyValue) : Object.values(v)[0];
const kv = (list: Kv = []) => Object.fromEntries(list.map(({ key, value }) => [key, anyValue(value)]));

/** The spans of every export received since the last call, decoded from OTLP/JSON. */
function takeSpans(): Decoded[] {
  const out: Decoded[] = [];
  for (const { body } of exports.splice(0)) {
    for (const rs of JSON.parse(body).resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          out.push({
            name: s.name, kind: s.kind - 1, scope: ss.scope.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined,
            attributes: kv(s.attributes), status: { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) },
            events: (s.events ?? []).map((e: { name: string; attributes: Kv }) => ({ name: e.name, attributes: kv(e.attributes) })),
          });
        }
      }
    }
  }
  return out;
}
const shapes = (spans: Decoded[]): Shape[] => {
  const servers = spans.filter((s) => s.kind == 1).map((s) => s.spanId);
  return spans.map((s) => shape(s, servers));
};

const env = { tag: "env", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.test/otlp" };
let configCalls = 0;
const worker = instrument(handler, (e: typeof env) => {
  configCalls++;
  return { env: e, serviceName: "edge-api" };
}) as unknown as Parameters<(typeof SCENARIOS)[0][1]>[0];

const oracle: Record<string, Shape[]> = JSON.parse(
  execFileSync(process.execPath, ["--no-warnings", "--import", "./scripts/register.mjs", "test/lean/oracle/workers-product.ts"], { cwd: root, encoding: "utf8" }),
);

// The scenarios in order, as the product ran them (the first is the isolate's cold start).
const leanResults: Record<string, Decoded[]> = {};
for (const [name, run] of SCENARIOS) {
  test(`same spans as the product: ${name}`, async () => {
    const ctx = executionContext();
    await run(worker, env, ctx);
    assert.is(ctx.pending.length, 1, "one flush handed to waitUntil");
    await Promise.all(ctx.pending);
    const spans = (leanResults[name] = takeSpans());
    // Order of ending can differ only between spans of different scopes; compare sorted by kind.
    const byKind = (a: Shape, b: Shape) => a.kind - b.kind;
    assert.equal(shapes(spans).sort(byKind), [...oracle[name]!].sort(byKind));
  });
}

test("the export: OTLP/JSON POSTed to the generic endpoint + /v1/traces, with the resource of the options", async () => {
  const ctx = executionContext();
  await worker.fetch(new Request("http://worker.test/"), env, ctx);
  await Promise.all(ctx.pending);
  assert.is(exports.length, 1);
  assert.is(exports[0]!.url, "http://collector.test/otlp/v1/traces");
  const resource = kv(JSON.parse(exports[0]!.body).resourceSpans[0].resource.attributes);
  assert.is(resource["service.name"], "edge-api");
  assert.is(resource["telemetry.sdk.language"], "webjs");
  takeSpans();
});

test("outgoing fetch: the CLIENT span's context is injected into a copy; the caller's Request and headers are unchanged", () => {
  const spans = leanResults[SCENARIOS[0]![0]]!;
  const client = spans.find((s) => s.kind == 2)!;
  const server = spans.find((s) => s.kind == 1)!;
  assert.is(server.traceId, TRACE_ID);
  assert.is(upstream[0]!.traceparent, `00-${TRACE_ID}-${client.spanId}-01`);
  assert.is(upstream[0]!.url, "https://user:pw@api.example.com/v1/items?sig=abc&page=2#frag", "the call itself is sent as given");
  const put = upstream.find((u) => u.url.endsWith("/missing"))!;
  assert.is(put.headers["x-caller"], "1", "the Request's own headers are sent");
  assert.ok(put.traceparent);
  assert.is(callerRequest.headers.get("traceparent"), null, "the caller's Request is not modified");
});

test("the exporter's own requests are not traced (SUPPRESS_KEY), and no span names the collector", () => {
  for (const spans of Object.values(leanResults)) for (const s of spans) assert.is.not(s.attributes["server.address"], "collector.test");
});

test("a fetch under SUPPRESS_KEY (the exporter's) passes straight through: no span, no headers added, init untouched", async () => {
  const init = { headers: { "x-own": "1" } };
  await withContext(active().setValue(SUPPRESS_KEY, true), () => fetch("https://api.example.com/suppressed", init));
  const seen = upstream.find((u) => u.url.endsWith("/suppressed"))!;
  assert.equal(seen.headers, { "x-own": "1" });
  assert.equal(init, { headers: { "x-own": "1" } });
  const ctx = executionContext();
  await worker.fetch(new Request("http://worker.test/"), env, ctx); // flushes whatever was recorded
  await Promise.all(ctx.pending);
  assert.equal(takeSpans().map((s) => s.kind), [1], "only the invocation's SERVER span");
});

test("config function called once per isolate; globalThis.fetch patched once, also by a second wrapper", async () => {
  assert.is(configCalls, 1);
  const patched = globalThis.fetch;
  assert.is.not(patched, original);
  const second = instrument({ fetch: () => fetch("https://api.example.com/v1/again") }, { serviceName: "second" }) as unknown as { fetch: typeof worker.fetch };
  const ctx = executionContext();
  await second.fetch(new Request("http://worker.test/"), env, ctx);
  await Promise.all(ctx.pending);
  assert.is(globalThis.fetch, patched, "not patched twice");
  const spans = takeSpans();
  assert.is(spans.filter((s) => s.kind == 2).length, 1, "one CLIENT span per call");
});

test("the flush goes to waitUntil and runs after the response is returned", async () => {
  const ctx = executionContext();
  const response = (await worker.fetch(new Request("http://worker.test/"), env, ctx)) as Response;
  assert.is(await response.text(), "ok");
  assert.is(exports.length, 0, "nothing exported on the response's path");
  await Promise.all(ctx.pending);
  assert.is(takeSpans().length, 1);
});

test("concurrent invocations share one drain; each one's waitUntil lasts until every span is exported", async () => {
  const ctxs = [executionContext(), executionContext(), executionContext()];
  await Promise.all(ctxs.map((ctx, i) => worker.fetch(new Request("http://worker.test/n" + i), env, ctx)));
  await Promise.race(ctxs.map((c) => Promise.all(c.pending)));
  assert.is(takeSpans().length, 3);
});

test("a wrapper: same prototype and other properties, the user's object untouched, absent methods stay absent", () => {
  class App {
    greet() { return "hi"; }
    fetch() { return new Response(this.greet()); }
  }
  const app = new App();
  const wrapped = instrument(app, {});
  assert.ok(wrapped instanceof App);
  assert.is.not(wrapped.fetch, app.fetch);
  assert.is(app.fetch, App.prototype.fetch);
  assert.is((wrapped as { scheduled?: unknown }).scheduled, undefined);
  assert.is((handler as { marker: string }).marker, "mine");
  assert.is((worker as unknown as { marker: string }).marker, "mine");
});

test("a handler returning undefined passes it through (scheduled)", async () => {
  const ctx = executionContext();
  assert.is(await worker.scheduled({ cron: "* * * * *" }, env, ctx), undefined);
  await Promise.all(ctx.pending);
  takeSpans();
});

test("construction errors: a handler or config of the wrong type throws a TypeError", () => {
  assert.throws(() => instrument(null as never, {}), TypeError);
  assert.throws(() => instrument({}, null as never), TypeError);
  assert.throws(() => instrument({}, "x" as never), /config/);
});

test("a config function that throws: reported once, invocations run untraced, then retried", async () => {
  let calls = 0;
  const broken = instrument({ async fetch() { return new Response("still works"); } }, () => {
    calls++;
    throw new Error("no config");
  });
  for (let i = 0; i < 2; i++) {
    const ctx = executionContext();
    const response = (await (broken as WorkersHandler).fetch!(new Request("http://worker.test/"), env, ctx)) as Response;
    assert.is(await response.text(), "still works");
    assert.is(ctx.pending.length, 0, "nothing to flush");
  }
  assert.is(calls, 2);
  assert.is(warnings.filter((w) => w.includes("no config")).length, 1);
});

test("malformed options (otlp.url): reported, untraced", async () => {
  const w = instrument({ fetch: () => new Response("ok") }, { otlp: { url: "http://c/v1/traces" } as never });
  const response = (await (w as WorkersHandler).fetch!(new Request("http://worker.test/"), env, executionContext())) as Response;
  assert.is(await response.text(), "ok");
  assert.ok(warnings.some((w) => w.includes("otlp.url")));
});

test("OTEL_SDK_DISABLED=true: handlers run untraced, nothing exported", async () => {
  const w = instrument({ fetch: () => new Response("off"), queue: async () => "done" }, (e: Record<string, unknown>) => ({ env: e }));
  const ctx = executionContext();
  const disabledEnv = { OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.test" };
  assert.is(await ((await (w as WorkersHandler).fetch!(new Request("http://worker.test/"), disabledEnv, ctx)) as Response).text(), "off");
  assert.is(await (w as WorkersHandler).queue!({ queue: "q", messages: [] }, disabledEnv, ctx), "done");
  assert.is(ctx.pending.length, 0);
  assert.is(exports.length, 0);
});

test("never a crash from telemetry: an unreadable request, a throwing waitUntil, a hostile fetch input", async () => {
  const hostile = new Proxy(new Request("http://worker.test/"), {
    get(target, key) {
      if (key == "headers") throw new Error("trap");
      return Reflect.get(target, key);
    },
  });
  const w = instrument({ fetch: () => new Response("fine") }, { serviceName: "h" });
  const r1 = (await (w as WorkersHandler).fetch!(hostile, env, executionContext())) as Response;
  assert.is(await r1.text(), "fine");
  const r2 = (await (w as WorkersHandler).fetch!(new Request("http://worker.test/"), env, { waitUntil() { throw new Error("no ctx"); } })) as Response;
  assert.is(await r2.text(), "fine");
  // An input fetch itself rejects: passed through, fetch's own error reaches the caller.
  const bad = { toString() { throw new Error("no url"); } };
  await fetch(bad as never).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof Error));
  await new Promise((r) => setTimeout(r, 20));
  exports.length = 0;
});

test.run();
