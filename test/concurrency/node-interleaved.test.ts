// Context isolation under load in Node (AsyncLocalStorage): 10,000 concurrent requests through
// instrumentHandler in one process, and 10,000 more over real sockets through
// instrumentNodeListener (keep-alive agent, real traced fetch to a real backend). Every request
// interleaves with the others across timers, setImmediate and microtasks (seeded PRNG) while
// it opens nested spans, emits a log record, records a counter and a histogram (exemplars) and
// makes an outgoing traced fetch. Then every span's trace id and parent chain, every log
// record's trace/span id, every exemplar's trace/span id and every traceparent the backend
// received must belong to the request that made it — never to another one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { init, trace, logs, metrics, instrumentFetch, instrumentHandler, instrumentNodeListener } from "../../src/runtime/node.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { SimpleLogRecordProcessor } from "../../src/logs/simple-log-processor.ts";
import { InMemoryLogRecordExporter } from "../../src/logs/in-memory-log-exporter.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import { SpanKind, type ReadableSpan } from "../../src/trace/types.ts";
import type { HistogramMetricData, MetricData, SumMetricData } from "../../src/metrics/types.ts";
import { mulberry32 } from "../metrics/helpers.ts";

const N = 10_000;
const spanExporter = new InMemorySpanExporter();
const logExporter = new InMemoryLogRecordExporter();
const reader = new ManualMetricReader();
const sdk = init({
  serviceName: "concurrency",
  env: {},
  traceExporter: "none",
  logExporter: "none",
  metricExporter: "none",
  spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  logProcessors: [new SimpleLogRecordProcessor(logExporter)],
  metricReaders: [reader],
  // Far above what the test records: a dropped span would look like a leak.
  spanLimits: { attributeCountLimit: 128 },
});
const tracer = trace.getTracer("concurrency.test");
const logger = logs.getLogger("concurrency.test");
const meter = metrics.getMeter("concurrency.test");
// One bucket per 100 ids: the aligned reservoir keeps the latest measurement of each bucket.
const histogram = meter.createHistogram("work.value", { advice: { explicitBucketBoundaries: Array.from({ length: 199 }, (_, i) => (i + 1) * 100) } });
const counter = meter.createCounter("work.count");

const random = mulberry32(0x5eed);
/** A random interleaving point: a microtask, setImmediate or a 0–3 ms timer. */
function interleave(): Promise<void> {
  const r = random();
  if (r < 0.25) return Promise.resolve();
  if (r < 0.5) return new Promise((resolve) => queueMicrotask(resolve));
  if (r < 0.75) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
}
const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
/** Requests with id % 4 === 3 carry no traceparent (they start a trace); the others continue a known one. */
const sentTrace = (id: number): string | undefined => (id % 4 === 3 ? undefined : `${hex(0xabc, 16)}${hex(id + 1, 16)}`);
const sentParent = (id: number): string => hex(0x1000000 + id, 16);

/** The work each request does, inside its SERVER span; `id` comes from the URL only. */
async function work(id: number, fetchFn: typeof fetch, backend: string): Promise<number> {
  await interleave();
  return tracer.startActiveSpan(`a-${id}`, async (a) => {
    await interleave();
    const status = await tracer.startActiveSpan(`b-${id}`, async (b) => {
      await interleave();
      logger.emit({ body: `log-${id}`, attributes: { "req.id": id } });
      await interleave();
      histogram.record(id, { shard: id % 50 });
      counter.add(id + 1, { shard: id % 50 });
      await interleave();
      const res = await fetchFn(`${backend}/x?id=${id}`);
      await res.text();
      await interleave();
      b.end();
      return res.status;
    });
    await interleave();
    a.end();
    return status;
  });
}

interface Backend {
  seen: Map<number, string>;
}

async function checkIsolation(ids: number[], pathPrefix: string, backend: Backend): Promise<void> {
  await sdk.tracerProvider.forceFlush();
  await sdk.loggerProvider.forceFlush();
  const all = spanExporter.getFinishedSpans();
  spanExporter.reset();
  assert.is(all.length, ids.length * 4, "four spans per request");
  const serverById = new Map<number, ReadableSpan>();
  const byName = new Map<string, ReadableSpan>();
  const clientById = new Map<number, ReadableSpan>();
  for (const s of all) {
    if (s.kind === SpanKind.SERVER) {
      const id = Number(String(s.attributes["url.path"]).slice(pathPrefix.length));
      assert.not.ok(serverById.has(id), `two server spans for ${id}`);
      serverById.set(id, s);
    } else if (s.kind === SpanKind.CLIENT) {
      const id = Number(new URL(String(s.attributes["url.full"])).searchParams.get("id"));
      assert.not.ok(clientById.has(id), `two client spans for ${id}`);
      clientById.set(id, s);
    } else byName.set(s.name, s);
  }
  const serverBySpanId = new Map<string, string>();
  const clientBySpanId = new Map<string, string>();
  const bById = new Map<number, ReadableSpan>();
  for (const id of ids) {
    const server = serverById.get(id)!;
    assert.ok(server, `server span of ${id}`);
    const traceId = server.spanContext().traceId;
    const expected = sentTrace(id);
    if (expected !== undefined) {
      assert.is(traceId, expected, `trace of ${id}`);
      assert.is(server.parentSpanContext?.spanId, sentParent(id));
    } else {
      assert.is(server.parentSpanContext, undefined, `${id} starts its own trace`);
    }
    const a = byName.get(`a-${id}`)!;
    const b = byName.get(`b-${id}`)!;
    const client = clientById.get(id)!;
    // The parent chain: server ← a ← b ← client, all in the request's trace.
    for (const [child, parent] of [[a, server], [b, a], [client, b]] as const) {
      assert.is(child.spanContext().traceId, traceId, `${child.name} of ${id} in its trace`);
      assert.is(child.parentSpanContext?.spanId, parent.spanContext().spanId, `${child.name} of ${id} under ${parent.name}`);
    }
    const flags = hex(client.spanContext().traceFlags, 2); // 03 on our own root traces (W3C level 2 random flag)
    assert.is(backend.seen.get(id), `00-${traceId}-${client.spanContext().spanId}-${flags}`, `traceparent sent by ${id}`);
    serverBySpanId.set(server.spanContext().spanId, traceId);
    clientBySpanId.set(client.spanContext().spanId, traceId);
    bById.set(id, b);
  }

  const records = logExporter.getFinishedLogRecords();
  logExporter.reset();
  assert.is(records.length, ids.length);
  for (const r of records) {
    const id = Number(r.attributes["req.id"]);
    assert.is(r.body, `log-${id}`);
    const b = bById.get(id)!;
    assert.is(r.spanContext?.traceId, b.spanContext().traceId, `log of ${id}: trace`);
    assert.is(r.spanContext?.spanId, b.spanContext().spanId, `log of ${id}: span`);
  }

  const { resourceMetrics } = await reader.collect();
  const metricList: MetricData[] = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics);
  const find = (name: string) => metricList.filter((m) => m.descriptor.name === name);
  let exemplars = 0;
  const idSet = new Set(ids);
  for (const m of [...find("work.value"), ...find("work.count")] as Array<HistogramMetricData | SumMetricData>) {
    for (const p of m.dataPoints) {
      for (const e of p.exemplars) {
        // The measured value identifies the request: histogram records id, counter adds id + 1.
        const id = m.descriptor.name === "work.value" ? e.value : e.value - 1;
        if (!idSet.has(id)) continue; // cumulative: an exemplar of the earlier run
        const b = bById.get(id)!;
        assert.is(e.traceId, b.spanContext().traceId, `exemplar of ${id}: trace`);
        assert.is(e.spanId, b.spanContext().spanId, `exemplar of ${id}: span`);
        exemplars++;
      }
    }
  }
  assert.ok(exemplars >= 100, `checked ${exemplars} exemplars`);
  // Duration histograms: an exemplar's span id and trace id must be one request's pair.
  let durationExemplars = 0;
  for (const [name, pairs] of [["http.server.request.duration", serverBySpanId], ["http.client.request.duration", clientBySpanId]] as const) {
    for (const m of find(name) as HistogramMetricData[]) {
      for (const p of m.dataPoints) {
        for (const e of p.exemplars) {
          const traceId = pairs.get(e.spanId);
          if (traceId === undefined) continue; // an earlier run's
          assert.is(e.traceId, traceId, `${name} exemplar`);
          durationExemplars++;
        }
      }
    }
  }
  assert.ok(durationExemplars > 0);
}

test(`${N} concurrent interleaved requests through instrumentHandler (in process)`, async () => {
  const backend: Backend = { seen: new Map() };
  const tracedFetch = instrumentFetch(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    await interleave();
    backend.seen.set(Number(new URL(String(input)).searchParams.get("id")), headers.get("traceparent") ?? "");
    return new Response("ok");
  });
  const handler = instrumentHandler(async (req: Request) => {
    const id = Number(new URL(req.url).pathname.slice("/r/".length));
    return new Response(String(await work(id, tracedFetch, "http://backend.test")));
  });
  const ids = Array.from({ length: N }, (_, i) => i);
  const statuses = await Promise.all(ids.map(async (id) => {
    await interleave();
    const trace = sentTrace(id);
    const headers: Record<string, string> = trace ? { traceparent: `00-${trace}-${sentParent(id)}-01` } : {};
    const res = await handler(new Request(`http://svc.test/r/${id}`, { headers }));
    return res.text();
  }));
  assert.ok(statuses.every((s) => s === "200"));
  await checkIsolation(ids, "/r/", backend);
});

test(`${N} concurrent requests over real sockets through instrumentNodeListener, real traced fetch to a real backend`, async () => {
  const backend: Backend = { seen: new Map() };
  const backendServer: Server = createServer((req, res) => {
    backend.seen.set(Number(new URL(req.url ?? "/", "http://x").searchParams.get("id")), String(req.headers.traceparent ?? ""));
    res.end("ok");
  });
  backendServer.keepAliveTimeout = 60_000;
  const tracedFetch = instrumentFetch(fetch);
  const server: Server = createServer(instrumentNodeListener((req: IncomingMessage, res: ServerResponse) => {
    const id = Number((req.url ?? "").slice("/n/".length));
    work(id, tracedFetch, backendUrl).then(
      (status) => res.end(String(status)),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  }));
  server.keepAliveTimeout = 60_000;
  let backendUrl = "";
  await new Promise<void>((r) => backendServer.listen(0, "127.0.0.1", r));
  backendUrl = `http://127.0.0.1:${(backendServer.address() as AddressInfo).port}`;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const ids = Array.from({ length: N }, (_, i) => N + i);
  try {
    const bodies = await Promise.all(ids.map((id) => new Promise<string>((resolve, reject) => {
      const trace = sentTrace(id);
      const headers: Record<string, string> = trace ? { traceparent: `00-${trace}-${sentParent(id)}-01` } : {};
      const req = httpRequest({ host: "127.0.0.1", port, path: `/n/${id}`, agent, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      req.end();
    })));
    assert.ok(bodies.every((b) => b === "200"), bodies.find((b) => b !== "200"));
    // The server span ends on 'finish', after the client may already have the body.
    const deadline = Date.now() + 10_000;
    while (spanExporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER).length < N && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await checkIsolation(ids, "/n/", backend);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    backendServer.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => backendServer.close(r));
  }
});

test.after(async () => {
  await sdk.shutdown();
});

test.run();
