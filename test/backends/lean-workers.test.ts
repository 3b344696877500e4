// The lean Workers program (bench/lean) against the product, end to end in workerd (miniflare 3
// from npm): the same Worker app (lean-workers/app.mjs), wrapped once by the product's instrument()
// and once by the lean one, bundled as wrangler bundles, each exporting to its own dev receiver.
// The same invocations go to both; every span the product exports must arrive from the lean
// core too, with the same name, kind, attributes, status, events and parentage, and the
// downstream service must receive the same propagation headers. Ids and times differ by nature
// and are compared by relation (parent = the incoming span / the SERVER span), not by value.
// A third run sends the lean core's export to the real OpenTelemetry Collector (our distribution,
// built by scripts/peers.mjs): what the Collector decoded and wrote back must be the same spans,
// and its log must hold no warning or error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { poll, startCollector, type Collector } from "./peers.ts";

const COMPATIBILITY_DATE = "2025-07-18"; // miniflare 3.20250718 ships workerd 1.20250718
const INCOMING = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
const INCOMING_HEADERS = {
  traceparent: `00-${INCOMING.traceId}-${INCOMING.spanId}-01`,
  tracestate: "vendor=a1,other=b2",
  baggage: "user.id=42,tenant=acme%20corp;prop=1",
  "user-agent": "lean-test/1.0",
};

type AnyValue = Record<string, unknown>;
interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; traceState?: string; name: string; kind: number; flags?: number;
  startTimeUnixNano: string; endTimeUnixNano: string; status?: { code?: number; message?: string };
  attributes?: Array<{ key: string; value: AnyValue }>; events?: Array<{ name: string; attributes?: Array<{ key: string; value: AnyValue }> }>;
}
interface Receiver {
  url: string;
  traces: Array<{ resourceSpans: Array<{ resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }> }>;
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const spans = (r: Receiver) => r.traces.flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
const attrs = (list: OtlpSpan["attributes"]) => Object.fromEntries((list ?? []).map((a) => [a.key, a.value]));

async function bundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))], bundle: true, format: "esm", platform: "neutral", target: "es2022",
    conditions: ["workerd", "worker", "browser"], mainFields: ["browser", "module", "main"], write: false, logLevel: "silent",
  });
  return r.outputFiles[0]!.text;
}

/** A downstream service recording the propagation headers of each request. */
async function startBackend() {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => { seen.push(req.headers); res.end("ok"); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/backend`, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function startWorker(entry: string, collector?: Collector) {
  const dev = (await startDevReceiver()) as Receiver;
  // With a Collector, the Worker exports there, and `receiver` reads what the Collector wrote.
  const receiver: Receiver = collector
    ? {
        url: collector.endpoint,
        get traces() { return collector.written("traces"); },
        waitFor: (predicate, timeoutMs) => poll("the Collector's file exporter", () => (predicate(receiver) ? true : undefined), timeoutMs).then(() => {}),
        close: () => dev.close(),
      }
    : dev;
  const backend = await startBackend();
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: fileURLToPath(new URL(entry.replace(".mjs", ".bundle.mjs"), import.meta.url)), contents: await bundle(entry) }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    bindings: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, BACKEND_URL: backend.url, OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test" },
    kvNamespaces: ["KV"],
  });
  return { receiver, backend, mf };
}
type Run = Awaited<ReturnType<typeof startWorker>>;

/** The same invocations, in the same order, on one Worker; resolves when all their spans arrived. */
async function invoke({ mf, receiver }: Run): Promise<void> {
  const ok = await mf.dispatchFetch("http://worker.test/work?token=abc&page=2", { headers: INCOMING_HEADERS });
  assert.is(await ok.text(), "app-this ok", "the handler ran with its own `this`");
  const missing = await mf.dispatchFetch("http://worker.test/missing?sig=secret&a=1", { method: "POST", body: "x" });
  assert.is(missing.status, 404);
  const failed = await mf.dispatchFetch("http://worker.test/fail");
  assert.is(failed.status, 500, "the handler's error reaches workerd");
  await mf.dispatchFetch("http://worker.test/missing", { method: "PURGE" });
  const worker = await mf.getWorker();
  assert.is((await worker.scheduled({ cron: "*/10 * * * *", scheduledTime: new Date(Date.UTC(2025, 5, 1)) })).outcome, "ok");
  const messages = [1, 2].map((n) => ({ id: `m${n}`, timestamp: new Date(), body: { n }, attempts: 1 }));
  assert.is((await worker.queue("orders", messages)).outcome, "ok");
  // SERVER ×4 + CLIENT + scheduled + queue.
  await receiver.waitFor((r) => spans(r).length >= 7, 20000);
  await new Promise((r) => setTimeout(r, 300)); // nothing else is still arriving
}

let product: Run;
let lean: Run;
let viaCollector: Run;
let collector: Collector;
test.before(async () => {
  try {
    product = await startWorker("./lean-workers/product.mjs");
    lean = await startWorker(process.env.LEAN_ENTRY ?? "./lean-workers/lean.mjs");
    collector = await startCollector();
    viaCollector = await startWorker(process.env.LEAN_ENTRY ?? "./lean-workers/lean.mjs", collector);
    await invoke(product);
    await invoke(lean);
    await invoke(viaCollector);
  } catch (e) {
    console.error(e); // uvu reports a failing hook without its error
    throw e;
  }
});

/** A span's comparable shape: what must be equal between the two cores. */
function shape(span: OtlpSpan, all: OtlpSpan[], run: Run) {
  // The backend listens on a port of its own per run: compare it as "PORT".
  const port = new URL(run.backend.url).port;
  const a = JSON.parse(JSON.stringify(attrs(span.attributes)).replaceAll(port, "PORT"));
  const parent = all.find((s) => s.spanId === span.parentSpanId);
  return {
    name: span.name,
    kind: span.kind,
    flags: span.flags,
    traceState: span.traceState,
    status: { code: span.status?.code ?? 0, message: span.status?.message },
    attributes: a,
    events: (span.events ?? []).map((e) => ({ name: e.name, keys: Object.keys(attrs(e.attributes)).sort(), type: attrs(e.attributes)["exception.type"], message: attrs(e.attributes)["exception.message"] })),
    parent: span.parentSpanId === INCOMING.spanId ? "incoming" : parent ? `${parent.name}/${parent.kind}` : span.parentSpanId ? "unknown" : "root",
    inIncomingTrace: span.traceId === INCOMING.traceId,
    ordered: BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano),
  };
}
const key = (s: { name: string; kind: number; attributes: Record<string, unknown> }) => `${s.name}/${s.kind}/${JSON.stringify(s.attributes["http.request.method"] ?? "")}/${JSON.stringify(s.attributes["url.path"] ?? "")}`;

test("every span the product exports arrives from the lean core with the same name, kind, attributes, status, events and parentage", () => {
  const p = spans(product.receiver);
  const l = spans(lean.receiver);
  const ps = p.map((s) => shape(s, p, product)).sort((a, b) => key(a).localeCompare(key(b)));
  const ls = l.map((s) => shape(s, l, lean)).sort((a, b) => key(a).localeCompare(key(b)));
  assert.is(ls.length, ps.length, `span count: product ${ps.map(key)}, lean ${ls.map(key)}`);
  for (let i = 0; i < ps.length; i++) assert.equal(ls[i], ps[i], `span ${key(ps[i]!)}`);
});

test("the real Collector decodes the lean core's export into the same spans, with nothing in its log", () => {
  const c = spans(viaCollector.receiver);
  const l = spans(lean.receiver);
  const cs = c.map((s) => shape(s, c, viaCollector)).sort((a, b) => key(a).localeCompare(key(b)));
  const ls = l.map((s) => shape(s, l, lean)).sort((a, b) => key(a).localeCompare(key(b)));
  assert.equal(cs, ls);
  assert.equal(collector.problems(), []);
});

test("the same resource (but the SDK's own name) and scope", () => {
  const res = (r: Receiver) => attrs(r.traces[0]!.resourceSpans[0]!.resource.attributes);
  const p = res(product.receiver);
  const l = res(lean.receiver);
  assert.equal(Object.keys(l).sort(), Object.keys(p).sort());
  for (const k of Object.keys(p)) if (k !== "telemetry.sdk.version") assert.equal(l[k], p[k], k);
});

test("the downstream service receives the same propagation headers (traceparent of the CLIENT span, tracestate, baggage)", () => {
  const headers = (run: Run) => {
    const h = run.backend.seen[0]!;
    const client = spans(run.receiver).find((s) => s.kind === 3)!;
    return { traceparent: h.traceparent === `00-${INCOMING.traceId}-${client.spanId}-01`, tracestate: h.tracestate, baggage: h.baggage, from: h["x-from"] };
  };
  assert.equal(headers(lean), headers(product));
  assert.equal(headers(lean).traceparent, true);
});

test("the exporter's own requests are never traced", () => {
  for (const run of [product, lean, viaCollector]) assert.not.ok(spans(run.receiver).some((s) => JSON.stringify(s.attributes).includes(run.receiver.url)));
});

test.after(async () => {
  for (const run of [product, lean, viaCollector]) {
    await run?.mf.dispose().catch(() => {});
    await run?.backend.close();
    await run?.receiver.close();
  }
  await collector?.close();
  setTimeout(() => process.exit(), 2000).unref();
});

test.run();
