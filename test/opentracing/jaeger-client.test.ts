// Propagation interop with jaeger-client (3.19.0, a devDependency): its own tracer's injectors
// and extractors (TextMapCodec: URL-encoded for FORMAT_HTTP_HEADERS, plain for FORMAT_TEXT_MAP)
// on one side, our bridge on the other, with the Jaeger propagator chosen the way users choose
// it (OTEL_PROPAGATORS=jaeger for init()). A trace started in jaeger-client code continues in
// ours and back: same trace id, the right parent span ids, baggage carried both ways, and the
// sampling decision kept.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRequire } from "node:module";
import * as opentracing from "opentracing";
import { init } from "../../src/runtime/node.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { SpanKind, type ReadableSpan } from "../../src/trace/types.ts";
import { OpenTracingTracer, FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP } from "../../src/opentracing/mod.ts";
import { named } from "./setup.ts";

/** What these tests use of jaeger-client (it ships no types). */
interface JaegerSpanContext {
  toTraceId(): string;
  toSpanId(): string;
  parentIdStr: string | undefined;
  isSampled(): boolean;
}
interface JaegerSpan extends opentracing.Span {
  context(): JaegerSpanContext & opentracing.SpanContext;
  operationName: string;
}
interface JaegerTracer {
  startSpan(name: string, options?: opentracing.SpanOptions): JaegerSpan;
  inject(context: opentracing.SpanContext, format: string, carrier: object): void;
  extract(format: string, carrier: object): (JaegerSpanContext & opentracing.SpanContext) | null;
  close(callback?: () => void): void;
}
interface Jaeger {
  Tracer: new (service: string, reporter: unknown, sampler: unknown, options?: { traceId128bit?: boolean }) => JaegerTracer;
  InMemoryReporter: new () => { spans: JaegerSpan[]; clear(): void };
  ConstSampler: new (decision: boolean) => unknown;
}
const jaeger = createRequire(import.meta.url)("jaeger-client") as Jaeger;

const exporter = new InMemorySpanExporter();
const sdk = init({ env: { OTEL_PROPAGATORS: "jaeger" }, serviceName: "payments", traceExporter: exporter, metricExporter: "none", logExporter: "none" });
const ours = new OpenTracingTracer();

const reporter = new jaeger.InMemoryReporter();
function jaegerTracer(service: string, sampled = true, traceId128bit = false): JaegerTracer {
  return new jaeger.Tracer(service, reporter, new jaeger.ConstSampler(sampled), { traceId128bit });
}
/** jaeger-client prints ids without leading zeros; ours are fixed-width. */
const traceHex = (id: string) => id.padStart(32, "0");
const spanHex = (id: string | undefined) => (id ?? "").padStart(16, "0");

async function exported(): Promise<ReadableSpan[]> {
  await sdk.flush();
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return spans;
}

test.before.each(() => reporter.clear());
test.after(() => sdk.shutdown());

test("HTTP headers: jaeger-client → ours → jaeger-client, one trace, parents and baggage carried", async () => {
  const upstream = jaegerTracer("checkout");
  const root = upstream.startSpan("POST /checkout");
  root.setBaggageItem("tenant", "acme corp"); // needs URL-encoding in a header value
  const incoming: Record<string, string> = {};
  upstream.inject(root.context(), opentracing.FORMAT_HTTP_HEADERS, incoming);
  assert.ok(incoming["uber-trace-id"], "jaeger-client wrote uber-trace-id");

  const caller = ours.extract(FORMAT_HTTP_HEADERS, incoming);
  assert.ok(caller, "our bridge read jaeger-client's headers");
  const charge = ours.startSpan("charge", { childOf: caller, tags: { "span.kind": "server" } });
  assert.is(charge.getBaggageItem("tenant"), "acme corp");
  charge.setBaggageItem("payment", "card; visa");
  const outgoing: Record<string, string> = {};
  ours.inject(charge.context(), FORMAT_HTTP_HEADERS, outgoing);
  charge.finish();

  const downstream = jaegerTracer("ledger");
  const remote = downstream.extract(opentracing.FORMAT_HTTP_HEADERS, outgoing);
  assert.ok(remote);
  const ledger = downstream.startSpan("record", { childOf: remote });
  assert.is(ledger.getBaggageItem("tenant"), "acme corp");
  assert.is(ledger.getBaggageItem("payment"), "card; visa");
  ledger.finish();
  root.finish();

  const rootId = root.context();
  const s = named(await exported(), "charge");
  assert.is(s.spanContext().traceId, traceHex(rootId.toTraceId()));
  assert.is(s.parentSpanContext?.spanId, spanHex(rootId.toSpanId()));
  assert.is(s.parentSpanContext?.isRemote, true);
  assert.is(s.kind, SpanKind.SERVER);
  const ledgerContext = ledger.context();
  assert.is(traceHex(ledgerContext.toTraceId()), s.spanContext().traceId);
  assert.is(spanHex(ledgerContext.parentIdStr), s.spanContext().spanId);
  assert.ok(ledgerContext.isSampled());
  assert.equal(reporter.spans.map((x) => x.operationName).sort(), ["POST /checkout", "record"]);
});

test("text map with 128-bit ids: ours → jaeger-client → ours", async () => {
  const first = ours.startSpan("enqueue", { tags: { "span.kind": "producer" } }).setBaggageItem("batch", "b-7");
  const carrier: Record<string, string> = {};
  ours.inject(first.context(), FORMAT_TEXT_MAP, carrier);
  first.finish();

  const worker = jaegerTracer("worker", true, true);
  const received = worker.extract(opentracing.FORMAT_TEXT_MAP, carrier);
  assert.ok(received);
  const consume = worker.startSpan("consume", { childOf: received });
  assert.is(consume.getBaggageItem("batch"), "b-7");
  const back: Record<string, string> = {};
  worker.inject(consume.context(), opentracing.FORMAT_TEXT_MAP, back);
  consume.finish();

  const ack = ours.startSpan("ack", { childOf: ours.extract(FORMAT_TEXT_MAP, back) });
  assert.is(ack.getBaggageItem("batch"), "b-7");
  ack.finish();

  const spans = await exported();
  const enqueue = named(spans, "enqueue");
  assert.is(enqueue.kind, SpanKind.PRODUCER);
  assert.is(traceHex(consume.context().toTraceId()), enqueue.spanContext().traceId);
  assert.is(spanHex(consume.context().parentIdStr), enqueue.spanContext().spanId);
  const a = named(spans, "ack");
  assert.is(a.spanContext().traceId, enqueue.spanContext().traceId);
  assert.is(a.parentSpanContext?.spanId, spanHex(consume.context().toSpanId()));
});

test("a trace jaeger-client did not sample stays unsampled through ours: nothing exported, ids still carried", async () => {
  const upstream = jaegerTracer("checkout", false);
  const root = upstream.startSpan("GET /health");
  const headers: Record<string, string> = {};
  upstream.inject(root.context(), opentracing.FORMAT_HTTP_HEADERS, headers);

  const mid = ours.startSpan("probe", { childOf: ours.extract(FORMAT_HTTP_HEADERS, headers) });
  assert.is(mid.getSpan().isRecording(), false);
  const out: Record<string, string> = {};
  ours.inject(mid, FORMAT_HTTP_HEADERS, out);
  mid.finish();

  const down = jaegerTracer("ledger", true).extract(opentracing.FORMAT_HTTP_HEADERS, out);
  assert.ok(down);
  assert.is(down.isSampled(), false);
  assert.is(traceHex(down.toTraceId()), traceHex(root.context().toTraceId()));
  assert.is(spanHex(down.toSpanId()), mid.context().toSpanId());
  root.finish();
  assert.equal(await exported(), []);
});

test("code that got jaeger-client through opentracing.globalTracer() now gets ours, and jaeger-client reads what it injects", () => {
  opentracing.initGlobalTracer(ours as unknown as opentracing.Tracer);
  const span = opentracing.globalTracer().startSpan("via-global");
  const headers: Record<string, string> = {};
  opentracing.globalTracer().inject(span.context(), opentracing.FORMAT_HTTP_HEADERS, headers);
  span.finish();
  const seen = jaegerTracer("reader").extract(opentracing.FORMAT_HTTP_HEADERS, headers);
  assert.is(spanHex(seen?.toSpanId()), span.context().toSpanId());
});

test.run();
