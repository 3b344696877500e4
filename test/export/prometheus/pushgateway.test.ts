import { test } from "uvu";
import * as assert from "uvu/assert";
import { pushToGateway, pushgatewayPath } from "../../../src/export/prometheus/pushgateway.ts";
import { collection, counter, point, scope } from "./fixtures.ts";

const src = { collect: async () => ({ resourceMetrics: collection([scope("s", [counter("c", [point(1)])])]), errors: [] }) };

test("paths: plain values percent-encoded, '/' and empty values base64url (Pushgateway README)", () => {
  assert.is(pushgatewayPath("job1"), "/metrics/job/job1");
  assert.is(pushgatewayPath("a/b", { instance: "x y", empty: "" }), "/metrics/job@base64/YS9i/instance/x%20y/empty@base64/=");
  assert.is(pushgatewayPath("j", { path: "/var/tmp" }), "/metrics/job/j/path@base64/L3Zhci90bXA=");
  // base64url alphabet: no '+' or '/'
  assert.is(pushgatewayPath("j", { v: "?>/?" }), "/metrics/job/j/v@base64/Pz4vPw==");
  assert.throws(() => pushgatewayPath(""), TypeError);
  assert.throws(() => pushgatewayPath("j", { "bad-name": "x" }), TypeError);
  assert.throws(() => pushgatewayPath("j", { job: "x" }), TypeError);
});

test("requests: PUT carries text 0.0.4, DELETE no body; errors and statuses resolve, never reject", async () => {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fake = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(init.method === "DELETE" ? null : "", { status: init.method === "DELETE" ? 202 : 200 });
  }) as unknown as typeof fetch;
  assert.equal(await pushToGateway(src, { url: "http://127.0.0.1:9091/", job: "j", fetch: fake, headers: { "x-t": "1" } }), { ok: true, status: 200 });
  assert.is(calls[0]!.url, "http://127.0.0.1:9091/metrics/job/j");
  assert.is(calls[0]!.init.method, "PUT");
  assert.ok(String(calls[0]!.init.body).includes("# TYPE c_total counter"));
  assert.is((calls[0]!.init.headers as Record<string, string>)["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  assert.is((calls[0]!.init.headers as Record<string, string>)["x-t"], "1");
  await pushToGateway(src, { url: "http://127.0.0.1:9091", job: "j", method: "DELETE", fetch: fake });
  assert.is(calls[1]!.init.body, undefined);
  const rejecting = (async () => new Response("pushed metrics are invalid", { status: 400 })) as unknown as typeof fetch;
  const r = await pushToGateway(src, { url: "http://127.0.0.1:9091", job: "j", fetch: rejecting });
  assert.equal([r.ok, r.status], [false, 400]);
  assert.ok(r.error!.includes("invalid"));
  const throwing = (async () => { throw new TypeError("network down"); }) as unknown as typeof fetch;
  assert.equal(await pushToGateway(src, { url: "http://127.0.0.1:9091", job: "j", fetch: throwing }), { ok: false, status: 0, error: "network down" });
  assert.is((await pushToGateway(src, { url: "not a url", job: "j", fetch: fake })).ok, false);
  const hanging = ((_: string, init: RequestInit) => new Promise((_r, reject) => init.signal!.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }))))) as unknown as typeof fetch;
  assert.equal(await pushToGateway(src, { url: "http://127.0.0.1:9091", job: "j", fetch: hanging, timeoutMillis: 20 }), { ok: false, status: 0, error: "timed out" });
  assert.is((await pushToGateway({ collect: async () => { throw new Error("x"); } }, { url: "http://127.0.0.1:9091", job: "j", fetch: fake })).ok, false);
});

test.run();
