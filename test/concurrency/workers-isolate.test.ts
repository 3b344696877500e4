// Context isolation inside ONE workerd isolate (miniflare 3 from npm), with `nodejs_compat`
// and with `nodejs_als`: 150 concurrent dispatchFetch calls to an instrument()ed Worker
// (test/concurrency/workers/worker.mjs) whose requests interleave across timers and
// microtasks, exporting to the dev receiver on 127.0.0.1 through ctx.waitUntil. Every span's
// trace and parent chain, every log record's trace/span id, every exemplar's trace/span id and
// every traceparent the real backend received must belong to the request that made it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Miniflare } from "miniflare";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { startDevReceiver } from "../../scripts/dev-receiver.mjs";
import { bundleWorker } from "../runtimes/bundle-worker.ts";

const N = 150;
const workerEntry = fileURLToPath(new URL("./workers/worker.mjs", import.meta.url));
const bundlePath = fileURLToPath(new URL("./workers/worker.bundle.mjs", import.meta.url));
const COMPATIBILITY_DATE = "2025-07-18";

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: KeyValue[] }
interface OtlpLog { traceId?: string; spanId?: string; body?: AnyValue; attributes?: KeyValue[] }
interface OtlpExemplar { traceId?: string; spanId?: string; asDouble?: number; asInt?: string | number }
interface OtlpMetric { name: string; histogram?: { dataPoints: Array<{ exemplars?: OtlpExemplar[] }> }; sum?: { dataPoints: Array<{ exemplars?: OtlpExemplar[] }> } }
interface Receiver {
  url: string;
  traces: Array<{ resourceSpans: Array<{ resource: { attributes: KeyValue[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> }>;
  logs: Array<{ resourceLogs: Array<{ resource: { attributes: KeyValue[] }; scopeLogs: Array<{ logRecords: OtlpLog[] }> }> }>;
  metrics: Array<{ resourceMetrics: Array<{ resource: { attributes: KeyValue[] }; scopeMetrics: Array<{ metrics: OtlpMetric[] }> }> }>;
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const attr = (attributes: KeyValue[] | undefined, key: string): unknown => {
  const v = attributes?.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue);
};
const service = (attributes: KeyValue[]) => attr(attributes, "service.name");
const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
const sentTrace = (id: number): string | undefined => (id % 4 === 3 ? undefined : `${hex(0xfeed, 16)}${hex(id + 1, 16)}`);
const sentParent = (id: number): string => hex(0x2000000 + id, 16);


const receiver = (await startDevReceiver()) as Receiver;
const seen = new Map<string, string>(); // `${service}:${id}` → traceparent
let backend: Server;
let backendUrl = "";
const bundle = await bundleWorker(workerEntry);

test.before(async () => {
  backend = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.set(`${url.pathname.slice(1)}:${url.searchParams.get("id")}`, String(req.headers.traceparent ?? ""));
    res.end("ok");
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
test.after(async () => {
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
  await receiver.close();
});

for (const flag of ["nodejs_compat", "nodejs_als"]) {
  test(`${flag}: ${N} concurrent requests in one isolate keep their own trace in spans, logs, exemplars and outgoing traceparent`, async () => {
    const name = `isolate-${flag}`;
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: bundlePath, contents: bundle }],
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: [flag],
      bindings: { SERVICE_NAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, BACKEND_URL: `${backendUrl}/${name}` },
    });
    try {
      const ids = Array.from({ length: N }, (_, i) => i);
      const bodies = await Promise.all(ids.map(async (id) => {
        const trace = sentTrace(id);
        const res = await mf.dispatchFetch(`http://worker.test/r/${id}`, { headers: trace ? { traceparent: `00-${trace}-${sentParent(id)}-01` } : {} });
        return res.text();
      }));
      assert.ok(bodies.every((b) => b === "200"), JSON.stringify(bodies.filter((b) => b !== "200").slice(0, 3)));

      const spansOf = (r: Receiver) => r.traces.flatMap((t) => t.resourceSpans.filter((rs) => service(rs.resource.attributes) === name).flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
      const logsOf = (r: Receiver) => r.logs.flatMap((l) => l.resourceLogs.filter((rl) => service(rl.resource.attributes) === name).flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)));
      // ctx.waitUntil outlives dispatchFetch: wait for the receiver, with a deadline.
      await receiver.waitFor((r) => spansOf(r).length >= N * 4 && logsOf(r).length >= N, 30000);
      const spans = spansOf(receiver);
      assert.is(spans.length, N * 4, "four spans per request, each exported once");

      const server = new Map<number, OtlpSpan>();
      const client = new Map<number, OtlpSpan>();
      const named = new Map<string, OtlpSpan>();
      for (const s of spans) {
        if (s.kind === 2) server.set(Number(String(attr(s.attributes, "url.path")).slice(3)), s);
        else if (s.kind === 3) client.set(Number(new URL(String(attr(s.attributes, "url.full"))).searchParams.get("id")), s);
        else named.set(s.name, s);
      }
      const bSpan = new Map<number, OtlpSpan>();
      const serverPairs = new Map<string, string>();
      for (const id of ids) {
        const srv = server.get(id)!;
        assert.ok(srv, `server span of ${id}`);
        const expected = sentTrace(id);
        if (expected) {
          assert.is(srv.traceId, expected, `trace of ${id}`);
          assert.is(srv.parentSpanId, sentParent(id));
        } else assert.not.ok(srv.parentSpanId, `${id} starts a trace`);
        const a = named.get(`a-${id}`)!;
        const b = named.get(`b-${id}`)!;
        const c = client.get(id)!;
        for (const [child, parent] of [[a, srv], [b, a], [c, b]] as const) {
          assert.ok(child, `span under ${parent.name} of ${id}`);
          assert.is(child.traceId, srv.traceId, `${child.name} of ${id}: trace`);
          assert.is(child.parentSpanId, parent.spanId, `${child.name} of ${id}: parent`);
        }
        assert.match(seen.get(`${name}:${id}`) ?? "", new RegExp(`^00-${srv.traceId}-${c.spanId}-0[13]$`), `traceparent of ${id}`);
        bSpan.set(id, b);
        serverPairs.set(srv.spanId, srv.traceId);
      }

      const records = logsOf(receiver);
      assert.is(records.length, N);
      for (const r of records) {
        const id = Number(attr(r.attributes, "req.id"));
        assert.is(r.body?.stringValue, `log-${id}`);
        assert.is(r.traceId, bSpan.get(id)!.traceId, `log of ${id}: trace`);
        assert.is(r.spanId, bSpan.get(id)!.spanId, `log of ${id}: span`);
      }

      // Metrics leave with every flush (delta): wait until the exemplars of the last requests are in.
      const metricsOf = (r: Receiver) => r.metrics.flatMap((m) => m.resourceMetrics.filter((rm) => service(rm.resource.attributes) === name).flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
      const exemplarsOf = (r: Receiver, metric: string) =>
        metricsOf(r).filter((m) => m.name === metric).flatMap((m) => (m.histogram ?? m.sum)!.dataPoints.flatMap((p) => p.exemplars ?? []));
      await receiver.waitFor((r) => exemplarsOf(r, "work.value").length >= N, 30000);
      let checked = 0;
      for (const metric of ["work.value", "work.count"]) {
        for (const e of exemplarsOf(receiver, metric)) {
          const value = e.asDouble ?? Number(e.asInt);
          const id = metric === "work.value" ? value : value - 1;
          const b = bSpan.get(id)!;
          assert.ok(b, `exemplar value ${value}`);
          assert.is(e.traceId, b.traceId, `${metric} exemplar of ${id}: trace`);
          assert.is(e.spanId, b.spanId, `${metric} exemplar of ${id}: span`);
          checked++;
        }
      }
      assert.ok(checked >= N, `checked ${checked} exemplars`);
      let duration = 0;
      for (const e of exemplarsOf(receiver, "http.server.request.duration")) {
        assert.is(e.traceId, serverPairs.get(e.spanId!), "a duration exemplar pairs one request's span and trace");
        duration++;
      }
      assert.ok(duration > 0);
    } finally {
      await mf.dispose();
    }
  });
}

test.run();
