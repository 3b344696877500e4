// The Prometheus handler's auth and its refusal to reflect request input: wrong, missing and
// malformed credentials → 401 with WWW-Authenticate and a constant body; other methods → 405
// with Allow; hostile paths, queries, Accept/Accept-Encoding and Authorization values (markup,
// CRLF, 100 KiB strings) never appear in any response header or body, through fetch-style
// Requests and over a raw socket via toNodeListener. Then a real Prometheus scrapes with
// `authorization` and `basic_auth`, and a target with a wrong password is down with 401.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { prometheusHandler } from "../../src/export/prometheus/handler.ts";
import { constantTimeEqual } from "../../src/export/prometheus/negotiate.ts";
import { toNodeListener } from "../../src/export/prometheus/node-listener.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { startPrometheus } from "../../scripts/prometheus-tools.mjs";

const MARK = "zqx";
const HOSTILE = `<script>alert("${MARK}")</script>${MARK}`;
const HUGE = MARK + "A".repeat(100_000);
const TOKEN = "tok-Secret_1";

function provider(): MeterProvider {
  const mp = new MeterProvider();
  mp.getMeter("auth.test").createCounter("requests").add(3, { route: "/a" });
  return mp;
}

async function dump(res: Response): Promise<string> {
  const pairs: string[] = [];
  res.headers.forEach((v, k) => void pairs.push(`${k}: ${v}`));
  const headers = pairs.join("\n");
  return `${res.status}\n${headers}\n\n${await res.text()}`;
}

function assertNotReflected(out: string, ...secrets: string[]): void {
  assert.not.ok(out.includes(MARK), `reflected request input: ${out.slice(0, 300)}`);
  assert.not.ok(out.includes("<script"), out.slice(0, 300));
  for (const s of secrets) assert.not.ok(out.includes(s), `echoed ${s}`);
}

const bearer = prometheusHandler(provider(), { auth: { bearerToken: TOKEN } });
const basic = prometheusHandler(provider(), { auth: { basic: { username: "prom", password: "pä55:w" } } });
const goodBasic = "Basic " + Buffer.from("prom:pä55:w", "utf8").toString("base64");
const url = `http://metrics.test/metrics/${encodeURIComponent(HOSTILE)}?q=${encodeURIComponent(HOSTILE + "\r\nSet-Cookie: x=" + MARK)}`;

test("bearer: missing, wrong, malformed, prefix and case-variant credentials", async () => {
  const cases: Array<[string | undefined, number]> = [
    [undefined, 401],
    ["", 401],
    ["Bearer", 401],
    ["Bearer ", 401],
    [`Bearer ${TOKEN}x`, 401],
    [`Bearer ${TOKEN.slice(0, -1)}`, 401],
    [`Basic ${TOKEN}`, 401],
    [`Bearer${TOKEN}`, 401],
    [`Bearer ${HOSTILE}`, 401],
    [`Bearer ${HUGE}`, 401],
    [TOKEN, 401],
    [`Bearer ${TOKEN}`, 200],
    [`bearer ${TOKEN}`, 200], // RFC 9110 §11.1: the scheme is case-insensitive
    [`  BEARER   ${TOKEN}  `, 200],
  ];
  for (const [authorization, status] of cases) {
    const headers: Record<string, string> = { accept: HOSTILE, "accept-encoding": HOSTILE, "x-forwarded-for": HOSTILE };
    if (authorization !== undefined) headers.authorization = authorization;
    const res = await bearer(new Request(url, { headers }));
    assert.is(res.status, status, String(authorization).slice(0, 40));
    if (status === 401) {
      assert.is(res.headers.get("www-authenticate"), 'Bearer realm="metrics"');
      const out = await dump(res);
      assert.ok(out.endsWith("\n\nUnauthorized\n"));
      assertNotReflected(out, TOKEN.slice(0, -1));
    } else {
      const out = await dump(res);
      assert.ok(out.includes("requests_total"), out);
      assertNotReflected(out, TOKEN);
    }
  }
});

test("basic: wrong user, wrong password, password containing ':', non-UTF-8 and non-base64 credentials", async () => {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  for (const authorization of [`Basic ${b64("prom:pä55")}`, `Basic ${b64("root:pä55:w")}`, `Basic ${b64("prom:pä55:w")}=`, "Basic !!!notbase64", `Basic ${Buffer.from("prom:p\xe455:w", "latin1").toString("base64")}`, `Bearer ${b64("prom:pä55:w")}`]) {
    const res = await basic(new Request(url, { headers: { authorization } }));
    assert.is(res.status, 401, authorization);
    assert.is(res.headers.get("www-authenticate"), 'Basic realm="metrics", charset="UTF-8"');
    assertNotReflected(await dump(res), "pä55");
  }
  assert.is((await basic(new Request(url, { headers: { authorization: goodBasic } }))).status, 200);
  assert.is((await basic(new Request(url, { headers: { authorization: goodBasic.replace("Basic", "basic") } }))).status, 200);
});

test("other methods: 405 with Allow, before and regardless of credentials; HEAD needs them too", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE_" + MARK]) {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${TOKEN}` } };
    if (method === "POST" || method === "PUT") init.body = HOSTILE;
    const res = await bearer(new Request(url, init));
    assert.is(res.status, 405, method);
    assert.is(res.headers.get("allow"), "GET, HEAD");
    assertNotReflected(await dump(res));
  }
  const head = await bearer(new Request(url, { method: "HEAD" }));
  assert.is(head.status, 401);
  const ok = await bearer(new Request(url, { method: "HEAD", headers: { authorization: `Bearer ${TOKEN}` } }));
  assert.is(ok.status, 200);
  assert.is(await ok.text(), "");
});

test("raw socket through toNodeListener: hostile request line and headers are not reflected", async () => {
  const server: Server = createServer(toNodeListener(bearer));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const send = (raw: string) =>
    new Promise<string>((resolve, reject) => {
      // write, not end: a half-closed socket may be closed before a slower response is written.
      const sock = connect(port, "127.0.0.1", () => sock.write(raw));
      let data = "";
      sock.on("data", (d) => (data += d));
      sock.on("end", () => resolve(data));
      sock.on("error", reject);
    });
  try {
    const path = `/metrics/%3Cscript%3E${MARK}?x=<script>${MARK}</script>&y=%0d%0aSet-Cookie:${MARK}`;
    for (const auth of ["", `Authorization: Bearer ${HOSTILE}\r\n`, `Authorization: Basic ${MARK}\r\n`, `Authorization: Bearer ${TOKEN}\r\n`]) {
      const reply = await send(`GET ${path} HTTP/1.1\r\nHost: ${MARK}.example\r\nAccept: text/html;q=${MARK}\r\nX-Evil: ${HUGE.slice(0, 8000)}\r\n${auth}Connection: close\r\n\r\n`);
      assert.ok(/^HTTP\/1\.1 (200|401) /.test(reply), `reply to ${JSON.stringify(auth.slice(0, 40))}: ${JSON.stringify(reply.slice(0, 300))}`);
      assert.is(reply.startsWith("HTTP/1.1 200"), auth.includes(TOKEN));
      assertNotReflected(reply);
      assert.not.ok(/set-cookie/i.test(reply));
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("constantTimeEqual: equal only for identical strings, whatever the lengths", () => {
  assert.ok(constantTimeEqual("", ""));
  assert.ok(constantTimeEqual(TOKEN, TOKEN));
  assert.not.ok(constantTimeEqual(TOKEN, TOKEN + "\0"));
  assert.not.ok(constantTimeEqual(TOKEN + "\0", TOKEN));
  assert.not.ok(constantTimeEqual("", "a"));
  assert.not.ok(constantTimeEqual("ä", "a"));
  assert.not.ok(constantTimeEqual("ab", "ba"));
});

test("bad auth configuration throws TypeError naming the option", () => {
  for (const auth of [{ bearerToken: "" }, { bearerToken: "has space" }, { bearerToken: 42 }, { basic: { username: "a:b", password: "x" } }, { basic: { username: "a" } }, null]) {
    assert.throws(() => prometheusHandler(provider(), { auth: auth as never }), (e: Error) => e instanceof TypeError && e.message.includes("auth"));
  }
});

test("a real Prometheus scrapes with authorization and basic_auth; a wrong password is a 401-down target", async () => {
  const servers = [
    createServer(toNodeListener(bearer)),
    createServer(toNodeListener(basic)),
    createServer(toNodeListener(basic)),
  ];
  const ports: number[] = [];
  for (const s of servers) {
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    ports.push((s.address() as AddressInfo).port);
  }
  const prom = await startPrometheus([
    { name: "bearer", port: ports[0], config: ["    authorization:", "      type: Bearer", `      credentials: ${JSON.stringify(TOKEN)}`] },
    { name: "basic", port: ports[1], config: ["    basic_auth:", "      username: prom", `      password: ${JSON.stringify("pä55:w")}`] },
    { name: "wrong", port: ports[2], config: ["    basic_auth:", "      username: prom", "      password: nope"] },
  ]);
  try {
    const deadline = Date.now() + 20_000;
    let targets: Array<{ health: string; lastError: string; labels: { job: string } }> = [];
    while (Date.now() < deadline) {
      targets = (await prom.api("/api/v1/targets")).data.activeTargets;
      if (targets.length === 3 && targets.every((t) => t.health !== "unknown")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, t]));
    assert.is(byJob.bearer?.health, "up", JSON.stringify(byJob.bearer));
    assert.is(byJob.basic?.health, "up", JSON.stringify(byJob.basic));
    assert.is(byJob.wrong?.health, "down");
    assert.match(byJob.wrong!.lastError, /401/);
    let result: Array<{ metric: { job: string }; value: [number, string] }> = [];
    while (Date.now() < deadline) {
      result = (await prom.query("requests_total")).data.result;
      if (result.length >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(result.map((r) => r.metric.job).sort(), ["basic", "bearer"]);
    for (const r of result) assert.is(r.value[1], "3");
  } finally {
    await prom.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  }
});

test.run();
