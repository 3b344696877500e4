// A program written against the real `opentracing` package (0.14.7): our bridge installed with
// `opentracing.initGlobalTracer`, then library code (ot-instrumented-library.ts) that only
// knows the OpenTracing API. Its spans are exported by our SDK (init() from the Node entry,
// the default W3C propagator) and checked as exported: parents, links, kinds, status, events.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as opentracing from "opentracing";
import { init } from "../../src/runtime/node.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { trace } from "../../src/trace/trace-api.ts";
import { SpanKind, SpanStatusCode, type ReadableSpan } from "../../src/trace/types.ts";
import { OpenTracingTracer, withActiveSpan } from "../../src/opentracing/mod.ts";
import { handleRequest } from "./ot-instrumented-library.ts";
import { named } from "./setup.ts";

const exporter = new InMemorySpanExporter();
const sdk = init({ env: {}, serviceName: "orders", traceExporter: exporter, metricExporter: "none", logExporter: "none" });

// TypeScript: opentracing's Tracer class has protected members, so another class is not
// assignable to it without a cast; JavaScript needs none.
opentracing.initGlobalTracer(new OpenTracingTracer() as unknown as opentracing.Tracer);

async function exported(): Promise<ReadableSpan[]> {
  await sdk.flush();
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return spans;
}

const UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const UPSTREAM_SPAN = "00f067aa0ba902b7";

test.after(() => sdk.shutdown());

test("OpenTracing library code continues the caller's W3C trace: server, client, followsFrom spans as exported", async () => {
  const outgoing = await handleRequest({ traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`, baggage: "tenant=acme" });
  const spans = await exported();
  assert.equal(spans.map((s) => s.name).sort(), ["GET /inventory", "GET /orders", "SELECT orders", "cache write"]);
  for (const s of spans) assert.is(s.spanContext().traceId, UPSTREAM_TRACE, s.name);

  const server = named(spans, "GET /orders");
  assert.is(server.parentSpanContext?.spanId, UPSTREAM_SPAN);
  assert.is(server.parentSpanContext?.isRemote, true);
  assert.is(server.kind, SpanKind.SERVER);
  assert.equal(server.attributes, { "http.method": "GET", component: "orders-lib", "http.status_code": 200 });
  assert.equal(server.status, { code: SpanStatusCode.UNSET });
  assert.equal(server.events.map((e) => [e.name, e.attributes]), [["tenant.resolved", { event: "tenant.resolved", tenant: "acme" }]]);
  assert.equal(server.links.map((l) => [l.context.spanId, l.attributes]), [[UPSTREAM_SPAN, { "opentracing.ref_type": "child_of" }]]);
  assert.is(server.instrumentationScope.name, "opentracing-shim");
  assert.is(server.resource.attributes["service.name"], "orders");

  const query = named(spans, "SELECT orders");
  assert.is(query.parentSpanContext?.spanId, server.spanContext().spanId);
  assert.is(query.kind, SpanKind.CLIENT);
  assert.equal(query.attributes, { "db.type": "sql" });

  // followsFrom alone: the referenced span is the parent (the spec's rule) and a link.
  const cacheWrite = named(spans, "cache write");
  assert.is(cacheWrite.parentSpanContext?.spanId, query.spanContext().spanId);
  assert.equal(cacheWrite.links.map((l) => [l.context.spanId, l.attributes]), [[query.spanContext().spanId, { "opentracing.ref_type": "follows_from" }]]);

  // opentracing.childOf(span) (a Reference holding our span) and the injected headers.
  const call = named(spans, "GET /inventory");
  assert.is(call.parentSpanContext?.spanId, server.spanContext().spanId);
  assert.is(call.kind, SpanKind.CLIENT);
  const flags = call.spanContext().traceFlags.toString(16).padStart(2, "0");
  assert.equal(outgoing, { traceparent: `00-${UPSTREAM_TRACE}-${call.spanContext().spanId}-${flags}`, baggage: "tenant=acme" });
});

test("an error in the handler: status ERROR and an exception event from the OpenTracing error log", async () => {
  const failure = new RangeError("no such order");
  await handleRequest({}, () => {
    throw failure;
  }).then(
    () => assert.unreachable("the handler rethrows"),
    (err) => assert.is(err, failure),
  );
  const server = named(await exported(), "GET /orders");
  assert.is(server.parentSpanContext, undefined, "no caller: a root span");
  assert.equal(server.status, { code: SpanStatusCode.ERROR });
  assert.is(server.attributes["http.status_code"], 500);
  assert.equal(server.events.at(-1)?.name, "exception");
  assert.equal(server.events.at(-1)?.attributes, {
    event: "error",
    message: "no such order",
    "exception.type": "RangeError",
    "exception.message": "no such order",
    "exception.stacktrace": failure.stack!,
  });
});

test("the library's spans and our API's spans nest in either order (supportImplicitPropagation + withActiveSpan)", async () => {
  opentracing.initGlobalTracer(new OpenTracingTracer({ supportImplicitPropagation: true }) as unknown as opentracing.Tracer);
  try {
    const app = trace.getTracer("app");
    await app.startActiveSpan("ours: POST /checkout", async (ours) => {
      // Our span is active: the library's server span (no caller headers) becomes its child,
      // and our code inside `work` runs with the library's span active.
      await handleRequest({}, (otSpan) =>
        withActiveSpan(otSpan, async () => {
          await new Promise((r) => setTimeout(r, 1));
          app.startSpan("ours: reserve stock").end();
        }),
      );
      ours.end();
    });
  } finally {
    opentracing.initGlobalTracer(new OpenTracingTracer() as unknown as opentracing.Tracer);
  }
  const spans = await exported();
  const id = (name: string) => named(spans, name).spanContext().spanId;
  assert.is(named(spans, "GET /orders").parentSpanContext?.spanId, id("ours: POST /checkout"));
  assert.is(named(spans, "ours: reserve stock").parentSpanContext?.spanId, id("GET /orders"));
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
});

test("opentracing's own Reference objects and globalTracer() delegate work; FORMAT_BINARY is refused with a TypeError", async () => {
  const tracer = opentracing.globalTracer();
  const a = tracer.startSpan("a");
  const b = tracer.startSpan("b", { references: [new opentracing.Reference(opentracing.REFERENCE_FOLLOWS_FROM, a.context()), opentracing.childOf(a)] });
  b.finish();
  a.finish();
  assert.throws(() => tracer.inject(a.context(), opentracing.FORMAT_BINARY, {}), (e: unknown) => e instanceof TypeError && /FORMAT_BINARY is not supported/.test(e.message));
  const spans = await exported();
  assert.is(named(spans, "b").parentSpanContext?.spanId, named(spans, "a").spanContext().spanId);
  assert.equal(named(spans, "b").links.map((l) => l.attributes["opentracing.ref_type"]), ["follows_from", "child_of"]);
});

test.run();
