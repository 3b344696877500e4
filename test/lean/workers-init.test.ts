// bench/lean/workers-init.ts + trace-api.ts driven as workerd drives the README's Workers program
// (fake env and ctx, a fake collector behind globalThis.fetch), against the product's Workers
// init() + trace API (src/runtime/workers.ts) on the same handler calls, in the same process:
// each side exports to its own collector host, and the OTLP/JSON bodies must be the same once
// ids are replaced by labels of first appearance and times are dropped. Then the guarantees:
// proxy tracers (obtained before init, recording after it; non-recording before, carrying the
// parent), init once per isolate (a later different configuration reported; a new SDK after
// shutdown), no timer between requests, the flush in waitUntil after the response (also when the
// handler throws; a throwing waitUntil reported once), concurrent invocations' shared drain, the
// span-in-context helpers, OTEL_SDK_DISABLED.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as product from "../../src/runtime/workers.ts";
import { active } from "../../bench/lean/context.ts";
import * as lean from "../../bench/lean/workers-init.ts";
import { trace as leanTrace } from "../../bench/lean/trace-api.ts";

const warnings: string[] = [];
console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));

type Side = { name: "lean" | "product"; init: (o: object) => { flush(): Promise<void>; shutdown(): Promise<void>; disabled: boolean; tracerProvider?: unknown; resource: { attributes: Record<string, unknown> } }; flushInWaitUntil: (ctx: Ctx, sdk?: never) => Promise<void>; trace: typeof leanTrace };
const sides: Side[] = [
  { name: "lean", init: lean.init as never, flushInWaitUntil: lean.flushInWaitUntil as never, trace: leanTrace },
  { name: "product", init: product.init as never, flushInWaitUntil: product.flushInWaitUntil as never, trace: product.trace as never },
];
const [L, P] = sides as [Side, Side];

/** OTLP/JSON bodies received, by collector host (= side). */
const received: Record<string, string[]> = { lean: [], product: [] };
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  const host = new URL(request.url).hostname.split(".")[0]!;
  (received[host] ??= []).push(await request.text());
  return new Response("{}", { status: 200 });
}) as typeof fetch;

interface Ctx { pending: Promise<unknown>[]; waitUntil(p: Promise<unknown>): void }
const executionContext = (): Ctx => {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p) => void pending.push(p) };
};
const envOf = (side: Side, more: Record<string, string> = {}) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://${side.name}.test/otlp`, OTEL_RESOURCE_ATTRIBUTES: "team=edge,tier=1", KV: { get() {} }, ...more });

/** A Worker as the README writes it, with `body` inside the "handle" span. */
const worker = (side: Side, body: (span: product.Span, tracer: ReturnType<Side["trace"]["getTracer"]>, side: Side) => unknown, options: object = {}) => ({
  async fetch(request: Request, env: object, ctx: Ctx) {
    side.init({ env, serviceName: "edge-api", ...options });
    try {
      const tracer = side.trace.getTracer("edge-api", "1.2.3");
      return await tracer.startActiveSpan("handle", async (span) => {
        try {
          await body(span as never, tracer, side);
          return new Response("ok");
        } finally {
          span.end();
        }
      });
    } finally {
      side.flushInWaitUntil(ctx);
    }
  },
});

/** The body with ids as labels of first appearance and times dropped (checked: end ≥ start). */
function normalize(body: string): unknown {
  const labels = new Map<string, string>();
  const label = (id: string) => (id ? (labels.get(id) ?? (labels.set(id, "#" + labels.size), "#" + (labels.size - 1))) : id);
  return JSON.parse(body, function (key, value) {
    if (key == "traceId" || key == "spanId" || key == "parentSpanId") return label(value);
    if (key == "startTimeUnixNano") {
      assert.ok(BigInt(this.endTimeUnixNano) >= BigInt(value), "ends after it starts");
      return undefined;
    }
    if (key == "endTimeUnixNano" || key == "timeUnixNano") return undefined;
    return value;
  });
}
/** Both sides' exports since the last call, normalized; at least one each. */
function takeBoth(): [unknown[], unknown[]] {
  const [l, p] = [received.lean!.splice(0), received.product!.splice(0)];
  return [l.map(normalize), p.map(normalize)];
}

/** Runs one invocation per side with the same body; returns both sides' normalized exports. */
async function both(body: Parameters<typeof worker>[1], request = new Request("http://worker.test/")): Promise<[unknown[], unknown[]]> {
  for (const side of sides) {
    const ctx = executionContext();
    const response = await worker(side, body).fetch(request.clone(), envOf(side), ctx);
    assert.is(await (response as Response).text(), "ok");
    assert.is(ctx.pending.length, 1, side.name + ": one flush handed to waitUntil");
    await Promise.all(ctx.pending);
  }
  return takeBoth();
}

// ---- before init: proxy tracers (must run first: init is once per isolate) -------------------

const early = { lean: L.trace.getTracer("early", "0.1"), product: P.trace.getTracer("early", "0.1") };
const PARENT = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };

test("before init: spans are non-recording and carry the parent's span context (as the product's)", () => {
  for (const side of sides) {
    const tracer = early[side.name];
    const parent = side.trace.setSpanContext(side.name == "lean" ? active() : product.context.active(), PARENT);
    const child = tracer.startSpan("x", {}, parent);
    assert.is(child.isRecording(), false, side.name);
    assert.equal({ ...child.spanContext() }, PARENT, side.name);
    const root = tracer.startSpan("x", { root: true }, parent);
    assert.is(side.trace.isSpanContextValid(root.spanContext()), false, side.name + ": a root span without SDK has the invalid context");
    // startActiveSpan runs the function with the span active and returns its result.
    assert.is(tracer.startActiveSpan("y", (s) => (side.trace.getActiveSpan() === s ? 7 : 0)), 7, side.name);
    child.end();
  }
});

test("the span-in-context helpers give what the product's give", () => {
  const invalid = { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 };
  const checks = [PARENT, invalid, { ...PARENT, spanId: "XYZ" }, { ...PARENT, traceId: "4BF92F3577B34DA6A3CE929D0E0E4736" }, { traceId: 1, spanId: 2 }, null];
  for (const c of checks) assert.is(L.trace.isSpanContextValid(c as never), P.trace.isSpanContextValid(c as never), JSON.stringify(c));
  const ctx = L.trace.setSpanContext(active(), PARENT);
  assert.equal(L.trace.getSpanContext(ctx), PARENT);
  assert.is(L.trace.getSpan(ctx)!.isRecording(), false);
  assert.is(L.trace.getSpanContext(L.trace.deleteSpan(ctx)), undefined);
  assert.is(L.trace.getSpan(L.trace.setSpan(active(), L.trace.wrapSpanContext(PARENT)))!.spanContext(), PARENT);
  assert.is(L.trace.getActiveSpan(), undefined);
  const wrapped = L.trace.wrapSpanContext(PARENT);
  assert.is(wrapped.setAttribute("a", 1), wrapped, "a wrapped span's setters return it");
  assert.is(typeof L.trace.getTracerProvider().getTracer, "function");
});

test("no timer is armed by init or by recording between requests (spans leave only on flush)", async () => {
  for (const side of sides) {
    const armed = await countTimers(() => {
      side.init({ env: envOf(side), serviceName: "edge-api" });
      side.trace.getTracer("t").startSpan("work").end();
    });
    assert.is(armed, 0, side.name);
  }
  assert.equal(received, { lean: [], product: [] });
});

test("a tracer obtained before init records once init has run", async () => {
  for (const side of sides) {
    const span = early[side.name].startSpan("late");
    assert.ok(span.isRecording(), side.name);
    span.end();
  }
  const [l, p] = await both(() => {});
  assert.equal(l, p);
  const names = JSON.stringify(l);
  assert.ok(names.includes('"late"') && names.includes('"work"') && names.includes('"early"'), "the early tracer's scope and span exported");
});

// ---- differential: the same handler calls, the same exports ----------------------------------

const BODIES: Array<[string, Parameters<typeof worker>[1]]> = [
  ["the README's handler", () => {}],
  ["attributes, events, status OK, an updated name", (span) => {
    span.setAttributes({ "http.route": "/items", n: 3, f: 1.5, ok: true, list: ["a", "b"], nums: [1, 2], bad: { x: 1 } as never, empty: [] });
    span.addEvent("cache.miss", { key: "k" });
    span.addEvent("plain");
    span.setStatus({ code: 1 });
    span.updateName("handle items");
  }],
  ["nested spans: startSpan under the active span, startActiveSpan within it, a root span", async (_span, tracer) => {
    tracer.startSpan("child", { kind: 2, attributes: { a: 1 } }).end();
    await tracer.startActiveSpan("inner", { kind: 3 }, async (inner) => {
      await Promise.resolve();
      tracer.startSpan("grandchild").end();
      inner.end();
    });
    tracer.startSpan("detached", { root: true }).end();
  }],
  ["an error recorded, status ERROR with a message", (span) => {
    const error = new TypeError("boom");
    error.stack = "TypeError: boom\n    at here";
    span.recordException(error);
    span.setStatus({ code: 2, message: "boom" });
  }],
  ["links, and a span under a remote parent", (_span, tracer, side) => {
    tracer.startSpan("linked", { links: [{ context: PARENT, attributes: { why: "batch" } }, { context: { ...PARENT, traceState: undefined } }] }).end();
    const remote = side.trace.setSpanContext(side.name == "lean" ? active() : product.context.active(), PARENT);
    tracer.startSpan("from-remote", {}, remote).end();
  }],
  ["hostile input dropped, never thrown", (span) => {
    const hostile = new Proxy({}, { ownKeys() { throw new Error("trap"); }, get() { throw new Error("trap"); } });
    span.setAttributes(hostile as never);
    span.setAttribute("huge", "x".repeat(100_000));
    span.addEvent(hostile as never);
    span.setStatus(hostile as never);
  }],
];

for (const [name, body] of BODIES) {
  test(`same export as the product: ${name}`, async () => {
    const [l, p] = await both(body);
    assert.ok(l.length >= 1);
    assert.equal(l, p);
  });
}

test("the resource: env bindings (strings only) and the options, webjs", async () => {
  const [l] = await both(() => {});
  const attributes = Object.fromEntries((l[0] as { resourceSpans: [{ resource: { attributes: Array<{ key: string; value: { stringValue: string } }> } }] }).resourceSpans[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
  assert.is(attributes["service.name"], "edge-api");
  assert.is(attributes["team"], "edge");
  assert.is(attributes["telemetry.sdk.language"], "webjs");
});

// ---- the guarantees ----------------------------------------------------------------------------

test("init once per isolate: later calls return the same SDK; different options reported once, the same ones not", () => {
  warnings.length = 0;
  const sdk = L.init({ env: envOf(L), serviceName: "edge-api" });
  assert.is(L.init({ env: envOf(L), serviceName: "edge-api" }), sdk);
  assert.is(warnings.length, 0, "the same options (a new env object) are not reported");
  assert.is(L.init({ env: envOf(L), serviceName: "other" }), sdk);
  assert.is(L.init({ env: envOf(L), serviceName: "third" }), sdk);
  assert.is(warnings.filter((w) => w.includes("options of this call ignored")).length, 1);
  assert.is(sdk.resource.attributes["service.name"], "edge-api");
  // The product: the same SDK, options ignored.
  const p = P.init({ serviceName: "other" });
  assert.is(P.init({}), p);
  assert.is(p.resource.attributes["service.name"], "edge-api");
});

test("flushInWaitUntil: the promise handed to waitUntil is the one returned; nothing is exported on the response's path", async () => {
  const ctx = executionContext();
  const response = await worker(L, () => {}).fetch(new Request("http://worker.test/"), envOf(L), ctx);
  assert.is(await (response as Response).text(), "ok");
  await Promise.resolve();
  assert.is(received.lean!.length, 0, "the export waits a timer turn");
  const handed: Promise<unknown>[] = [];
  const returned = L.flushInWaitUntil({ waitUntil: (p) => void handed.push(p) } as Ctx);
  assert.is(handed[0], returned);
  await Promise.all(ctx.pending);
  await returned;
  assert.is(received.lean!.length, 1);
  received.lean!.length = 0;
});

test("a handler that throws: the span ends, the flush still goes to waitUntil, the error reaches the caller", async () => {
  for (const side of sides) {
    const ctx = executionContext();
    const err = Object.assign(new Error("handler failed"), { stack: "Error: handler failed\n    at handler" });
    const thrown = await (worker(side, (span) => { span.recordException(err); throw err; }).fetch(new Request("http://worker.test/"), envOf(side), ctx) as Promise<unknown>).catch((e) => e);
    assert.is(thrown, err, side.name);
    assert.is(ctx.pending.length, 1, side.name);
    await Promise.all(ctx.pending);
  }
  const [l, p] = takeBoth();
  assert.equal(l, p);
  assert.ok(JSON.stringify(l).includes("handler failed"));
});

test("flushInWaitUntil never throws: a throwing waitUntil is reported once and the flush still runs", async () => {
  warnings.length = 0;
  const ctx = { waitUntil() { throw new Error("outside a request"); } } as never as Ctx;
  L.trace.getTracer("t").startSpan("a").end();
  await L.flushInWaitUntil(ctx);
  await L.flushInWaitUntil(ctx);
  assert.is(warnings.filter((w) => w.includes("ctx.waitUntil threw")).length, 1);
  assert.is(received.lean!.length, 1);
  received.lean!.length = 0;
});

test("concurrent invocations share one drain; each one's waitUntil lasts until every span is exported", async () => {
  const ctxs = Array.from({ length: 5 }, executionContext);
  await Promise.all(ctxs.map((ctx) => worker(L, async () => { await new Promise((r) => setTimeout(r, 1)); }).fetch(new Request("http://worker.test/"), envOf(L), ctx)));
  await Promise.race(ctxs.map((c) => Promise.all(c.pending)));
  const spans = received.lean!.splice(0).flatMap((b) => JSON.parse(b).resourceSpans.flatMap((r: { scopeSpans: Array<{ spans: unknown[] }> }) => r.scopeSpans.flatMap((s) => s.spans)));
  assert.is(spans.length, 5, "the first waitUntil to settle saw every span exported");
});

test("shutdown: flushes, drops later spans, and the next init starts a new SDK (then OTEL_SDK_DISABLED: nothing registered)", async () => {
  const sdk = L.init({});
  const tracer = L.trace.getTracer("t");
  tracer.startSpan("before").end();
  await sdk.shutdown();
  assert.is(received.lean!.splice(0).length, 1, "flushed on shutdown");
  const after = tracer.startSpan("after");
  assert.is(after.isRecording(), false, "a span started after shutdown is non-recording, as the product's");
  after.end();
  await sdk.flush();
  assert.is(received.lean!.length, 0, "a span ended after shutdown is not exported");
  const off = L.init({ env: envOf(L, { OTEL_SDK_DISABLED: "true" }) });
  assert.is.not(off, sdk);
  assert.is(off.disabled, true);
  assert.is(L.init({ env: envOf(L, { OTEL_SDK_DISABLED: "true" }) }), off, "a disabled SDK is memoized too");
  assert.is(off.tracerProvider, undefined);
  L.trace.getTracer("t").startSpan("disabled").end();
  await off.flush();
  await L.flushInWaitUntil(executionContext());
  assert.is(received.lean!.length, 0, "nothing recorded while disabled");
  await off.shutdown();
  const next = L.init({ env: envOf(L), serviceName: "next" });
  assert.is(next.resource.attributes["service.name"], "next");
  assert.is.not(next, sdk);
  // The product, on the same calls.
  const p = P.init({});
  await p.shutdown();
  assert.is(P.trace.getTracer("t").startSpan("after").isRecording(), false);
  const pOff = P.init({ env: envOf(P, { OTEL_SDK_DISABLED: "true" }) });
  assert.is(pOff.disabled, true);
  assert.is(P.init({}), pOff);
  await pOff.shutdown();
  P.init({ env: envOf(P), serviceName: "next" });
});

test("parts: each started once with the options, the env and the tracer's resource (not when disabled; one that throws leaves no provider registered); flushInWaitUntil's one promise covers the spans and every part's flush", async () => {
  await L.init({}).shutdown();
  const calls: Array<{ options: unknown; env: unknown; resource: unknown }> = [];
  let release!: () => void;
  let flushes = 0;
  const slow = { start: (c: never) => (calls.push(c), { flush: () => (++flushes > 1 ? Promise.resolve() : new Promise<void>((r) => (release = r))) }) };
  const none = { start: (c: never) => void calls.push(c) };
  const env = envOf(L);
  const options = { env, serviceName: "parts", parts: [slow, none] };
  const sdk = L.init(options);
  assert.is(L.init({ env: envOf(L), serviceName: "parts", parts: [slow, none] }), sdk, "the same options: the same SDK, parts not started again");
  assert.is(calls.length, 2);
  for (const c of calls) {
    assert.is(c.options, options);
    assert.is(c.env, env);
    assert.is(c.resource, sdk.resource);
  }
  L.trace.getTracer("t").startSpan("with parts").end();
  const handed: Promise<unknown>[] = [];
  let settled = false;
  const returned = L.flushInWaitUntil({ waitUntil: (p) => void handed.push(p) } as Ctx);
  void returned.then(() => (settled = true));
  assert.is(handed.length, 1, "one promise for every signal");
  assert.is(handed[0], returned);
  await new Promise((r) => setTimeout(r, 20));
  assert.is(received.lean!.splice(0).length, 1, "the spans went");
  assert.is(flushes, 1);
  assert.is(settled, false, "still waiting for the part's flush");
  release();
  await returned;
  await sdk.shutdown();
  assert.is(flushes, 2, "shutdown flushes the parts too");
  const bad = { start() { throw new TypeError("Cannot init: a part's option"); } };
  assert.throws(() => L.init({ env: envOf(L), parts: [bad] }), TypeError);
  assert.is(L.trace.getTracer("t").startSpan("after a part threw").isRecording(), false, "a part that throws leaves no provider registered");
  calls.length = 0;
  const off = L.init({ env: envOf(L, { OTEL_SDK_DISABLED: "true" }), parts: [slow] });
  assert.is(calls.length, 0, "a disabled SDK starts no part");
  await off.shutdown();
});

test("a malformed option throws, naming it (before anything starts), as the product's", async () => {
  await L.init({}).shutdown();
  await P.init({}).shutdown();
  for (const options of [{ serviceName: 3 }, { otlp: "x" }, { otlp: { endpoint: "ftp://x" } }]) {
    const e1 = catchError(() => L.init(options));
    const e2 = catchError(() => P.init(options));
    assert.ok(e1 instanceof Error && e2 instanceof Error, JSON.stringify(options));
    assert.is(e1.constructor, e2.constructor, JSON.stringify(options));
  }
});

test.after(async () => {
  await L.init({}).shutdown();
  await P.init({}).shutdown();
  globalThis.fetch = realFetch;
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
}

/** Counts setTimeout/setInterval calls while `fn` runs. */
async function countTimers(fn: () => unknown): Promise<number> {
  const g = globalThis as { setTimeout: typeof setTimeout; setInterval: typeof setInterval };
  const { setTimeout: realTimeout, setInterval: realInterval } = g;
  let armed = 0;
  g.setTimeout = ((...args: Parameters<typeof setTimeout>) => (armed++, realTimeout(...args))) as typeof setTimeout;
  g.setInterval = ((...args: Parameters<typeof setInterval>) => (armed++, realInterval(...args))) as typeof setInterval;
  try {
    await fn();
  } finally {
    g.setTimeout = realTimeout;
    g.setInterval = realInterval;
  }
  return armed;
}

test.run();
