// The embedded OTLP/HTTP JSON receiver, over real HTTP on 127.0.0.1: what it accepts and
// stores, how it refuses what it cannot read, CORS for browser exporters, and waitFor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gzipSync } from "node:zlib";
import { request as httpRequest } from "node:http";

// scripts/*.mjs are plain JavaScript with JSDoc types, outside the TS program; the import goes
// through a URL string so tsc does not look for declarations, and the shape is restated here.
interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}
interface DevReceiver {
  url: string;
  port: number;
  traces: any[];
  metrics: any[];
  logs: any[];
  requests: ReceivedRequest[];
  waitFor(predicate: (r: DevReceiver) => boolean, timeoutMs?: number): Promise<void>;
  counts(): { traces: { requests: number; spans: number }; metrics: { requests: number; metrics: number; points: number }; logs: { requests: number; records: number } };
  close(): Promise<void>;
}
type StartDevReceiver = (options?: {
  port?: number;
  host?: string;
  log?: (line: string) => void;
  onRequest?: (r: ReceivedRequest) => void;
}) => Promise<DevReceiver>;
const { startDevReceiver } = (await import(new URL("../../scripts/dev-receiver.mjs", import.meta.url).href)) as {
  startDevReceiver: StartDevReceiver;
};

const traceRequest = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
      scopeSpans: [
        {
          scope: { name: "t" },
          spans: [
            {
              traceId: "0af7651916cd43dd8448eb211c80319c",
              spanId: "b7ad6b7169203331",
              name: "op",
              kind: 1,
              startTimeUnixNano: "1700000000000000000",
              endTimeUnixNano: "1700000000001000000",
            },
          ],
        },
      ],
    },
  ],
};

let receiver: DevReceiver;
const logLines: string[] = [];

test.before(async () => {
  receiver = await startDevReceiver({ log: (line) => logLines.push(line) });
});
test.after(async () => {
  await receiver.close();
});

function post(path: string, body: BodyInit, headers: Record<string, string>): Promise<Response> {
  return fetch(receiver.url + path, { method: "POST", body, headers });
}

test("counts() tells requests and items per signal", async () => {
  const own = await startDevReceiver();
  try {
    assert.equal(own.counts(), { traces: { requests: 0, spans: 0 }, metrics: { requests: 0, metrics: 0, points: 0 }, logs: { requests: 0, records: 0 } });
    const metrics = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [
        { name: "h", histogram: { dataPoints: [{}, {}] } },
        { name: "c", sum: { dataPoints: [{}] } },
      ] }] }],
    };
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}, {}] }, { logRecords: [{}] }] }] };
    const send = (path: string, body: unknown) =>
      fetch(own.url + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.arrayBuffer());
    await send("/v1/traces", traceRequest);
    await send("/v1/traces", traceRequest);
    await send("/v1/metrics", metrics);
    await send("/v1/logs", logs);
    const spans = traceRequest.resourceSpans[0].scopeSpans[0].spans.length;
    assert.equal(own.counts(), {
      traces: { requests: 2, spans: 2 * spans },
      metrics: { requests: 1, metrics: 2, points: 3 },
      logs: { requests: 1, records: 4 },
    });
  } finally {
    await own.close();
  }
});

test("binds 127.0.0.1 on a random port and reports its base URL", () => {
  assert.match(receiver.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(receiver.port > 0);
  assert.is(receiver.url, `http://127.0.0.1:${receiver.port}`);
});

test("accepts JSON traces, answers 200 {} and stores the parsed request", async () => {
  const before = receiver.traces.length;
  const res = await post("/v1/traces", JSON.stringify(traceRequest), { "Content-Type": "application/json", "X-Test": "1" });
  assert.is(res.status, 200);
  assert.is(res.headers.get("content-type"), "application/json");
  assert.ok(res.headers.get("access-control-allow-origin"), "responses carry CORS allow-origin");
  assert.equal(await res.json(), {});
  assert.is(receiver.traces.length, before + 1);
  assert.equal(receiver.traces.at(-1), traceRequest);
  const last = receiver.requests.at(-1)!;
  assert.is(last.path, "/v1/traces");
  assert.is(last.headers["x-test"], "1");
  assert.equal(last.body, traceRequest);
  assert.ok(logLines.some((l) => l.startsWith("POST /v1/traces 200") && l.includes("1 span")));
});

test("metrics and logs go to their own lists; a query string is ignored", async () => {
  const metrics = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "m" }] }] }] };
  const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hi" } }] }] }] };
  const [traceCount, metricCount, logCount] = [receiver.traces.length, receiver.metrics.length, receiver.logs.length];
  assert.is((await post("/v1/metrics", JSON.stringify(metrics), { "Content-Type": "application/json" })).status, 200);
  assert.is((await post("/v1/logs?x=1", JSON.stringify(logs), { "Content-Type": "application/json; charset=utf-8" })).status, 200);
  assert.equal(receiver.metrics.at(-1), metrics);
  assert.equal(receiver.logs.at(-1), logs);
  assert.is(receiver.metrics.length, metricCount + 1);
  assert.is(receiver.logs.length, logCount + 1);
  assert.is(receiver.traces.length, traceCount, "nothing leaks into traces");
});

test("decodes Content-Encoding: gzip", async () => {
  const body = gzipSync(Buffer.from(JSON.stringify(traceRequest)));
  const res = await post("/v1/traces", body, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
  assert.is(res.status, 200);
  assert.equal(receiver.traces.at(-1), traceRequest);
});

test("corrupt gzip is a 400, not a crash", async () => {
  const res = await post("/v1/traces", "not gzip at all", { "Content-Type": "application/json", "Content-Encoding": "gzip" });
  assert.is(res.status, 400);
  assert.match((await res.json()).message, "gzip");
});

test("accepts JSON sent as text/plain (sendBeacon)", async () => {
  const before = receiver.traces.length;
  const res = await post("/v1/traces", new Blob([JSON.stringify(traceRequest)], { type: "text/plain;charset=UTF-8" }), {});
  assert.is(res.status, 200);
  assert.is(receiver.traces.length, before + 1);
  assert.equal(receiver.traces.at(-1), traceRequest);
});

test("malformed JSON is a 400 with a message, and is not stored", async () => {
  const before = receiver.requests.length;
  const res = await post("/v1/traces", '{"resourceSpans": [', { "Content-Type": "application/json" });
  assert.is(res.status, 400);
  const body = await res.json();
  assert.is(body.code, 3, "google.rpc.Status INVALID_ARGUMENT");
  assert.match(body.message, /malformed JSON/);
  const notObject = await post("/v1/traces", "[1,2]", { "Content-Type": "application/json" });
  assert.is(notObject.status, 400);
  assert.match((await notObject.json()).message, "JSON object");
  assert.is(receiver.requests.length, before);
});

test("protobuf is refused with 415 and says JSON only", async () => {
  const res = await post("/v1/traces", new Uint8Array([0x0a, 0x00]), { "Content-Type": "application/x-protobuf" });
  assert.is(res.status, 415);
  const { message } = await res.json();
  assert.match(message, /JSON/);
  assert.match(message, "http/json");
  const other = await post("/v1/traces", "<x/>", { "Content-Type": "application/xml" });
  assert.is(other.status, 415);
});

test("other paths are 404; GET on a signal path is 405", async () => {
  const res = await post("/v1/spans", "{}", { "Content-Type": "application/json" });
  assert.is(res.status, 404);
  assert.match((await res.json()).message, "/v1/traces");
  assert.is((await fetch(receiver.url + "/")).status, 404);
  const get = await fetch(receiver.url + "/v1/traces");
  assert.is(get.status, 405);
  assert.match(get.headers.get("allow") ?? "", "POST");
  await get.arrayBuffer();
});

test("answers CORS preflight permissively", async () => {
  // fetch() would not send a preflight outside a browser: speak HTTP directly.
  const { status, headers } = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(
      receiver.url + "/v1/traces",
      {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type,traceparent",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.ok(status === 204 || status === 200, `status ${status}`);
  assert.is(headers["access-control-allow-origin"], "http://localhost:5173");
  assert.match(String(headers["access-control-allow-methods"]), "POST");
  assert.match(String(headers["access-control-allow-headers"]).toLowerCase(), "content-type");
  assert.match(String(headers["access-control-allow-headers"]).toLowerCase(), "traceparent");

  const res = await post("/v1/traces", JSON.stringify(traceRequest), { "Content-Type": "application/json", Origin: "http://localhost:5173" });
  assert.is(res.headers.get("access-control-allow-origin"), "http://localhost:5173");
});

test("waitFor resolves once a later request satisfies the predicate", async () => {
  const target = receiver.logs.length + 2;
  let settled = false;
  const waiting = receiver.waitFor((r) => r.logs.length >= target, 5000).then(() => (settled = true));
  const logs = JSON.stringify({ resourceLogs: [] });
  await post("/v1/logs", logs, { "Content-Type": "application/json" });
  await new Promise((r) => setTimeout(r, 20));
  assert.is(settled, false, "not yet: one request short");
  await post("/v1/logs", logs, { "Content-Type": "application/json" });
  await waiting;
  assert.ok(settled);
  // Already true: resolves at once.
  await receiver.waitFor((r) => r.logs.length >= target, 5000);
});

test("waitFor rejects after its timeout, and with the predicate's own error", async () => {
  try {
    await receiver.waitFor(() => false, 30);
    assert.unreachable("should have timed out");
  } catch (err) {
    assert.instance(err, Error);
    assert.match((err as Error).message, "30 ms");
  }
  try {
    await receiver.waitFor(() => {
      throw new TypeError("bad predicate");
    }, 1000);
    assert.unreachable("should have rejected");
  } catch (err) {
    assert.instance(err, TypeError);
  }
});

test("close() returns even with keep-alive connections open, and frees the port", async () => {
  const other = await startDevReceiver();
  const res = await fetch(other.url + "/v1/traces", {
    method: "POST",
    body: JSON.stringify(traceRequest),
    headers: { "Content-Type": "application/json", Connection: "keep-alive" },
  });
  assert.is(res.status, 200);
  await res.arrayBuffer();
  await other.close();
  try {
    await fetch(other.url + "/v1/traces", { method: "POST", body: "{}" });
    assert.unreachable("server should be closed");
  } catch (err) {
    assert.instance(err, TypeError, "connection refused surfaces as fetch's TypeError");
  }
});

test.run();
