// The Workers invocations both instruments are driven through (test/lean/instrument.test.ts runs
// them on bench/lean, workers-product.ts on the product), and the shape both results are
// compared in. Upstream calls go to a fake fetch installed before the first invocation.

export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const PARENT_ID = "00f067aa0ba902b7";

/** What the fake upstream saw, per call: the URL and the headers sent. */
export const upstream: Array<{ url: string; traceparent: string | null; headers: Record<string, string> }> = [];

/** The fake `fetch` the instrument wraps: upstream answers by path; `onOther` gets other hosts (the collector). */
export function fakeFetch(onOther?: (request: Request) => Response | Promise<Response>) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const isRequest = typeof (input as Request).url == "string";
    const url = new URL(isRequest ? (input as Request).url : String(input));
    if (url.hostname != "api.example.com") return onOther ? onOther(new Request(input, init)) : new Response("no", { status: 599 });
    const headers = new Headers(init?.headers ?? (isRequest ? (input as Request).headers : undefined));
    upstream.push({ url: url.href, traceparent: headers.get("traceparent"), headers: plain(headers) });
    if (url.pathname == "/refused") throw Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    return new Response("upstream", { status: url.pathname == "/missing" ? 404 : 200 });
  };
}

export interface Ctx { pending: Promise<unknown>[]; waitUntil(p: Promise<unknown>): void }
export const executionContext = (): Ctx => {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p) => void pending.push(p) };
};

/** A request's headers, as the caller left them (the traced fetch must not change them). */
export const callerRequest = new Request("https://api.example.com/missing", { headers: { "x-caller": "1" } });

/** The handler both instruments wrap: its behaviour is chosen by the request path / queue / cron. */
export const handler = {
  marker: "mine",
  async fetch(this: { marker: string }, request: Request, env: { tag?: string }) {
    if (this.marker != "mine" || env.tag != "env") throw new Error("this or env changed");
    const path = new URL(request.url).pathname;
    if (path == "/call") {
      const r = await fetch("https://user:pw@api.example.com/v1/items?sig=abc&page=2#frag");
      return new Response(await r.text());
    }
    if (path == "/call-request") {
      const r = await fetch(callerRequest, { method: "PUT" });
      return new Response(null, { status: r.status == 404 ? 200 : 500 });
    }
    if (path == "/refused") {
      try {
        await fetch("https://api.example.com/refused");
      } catch {
        return new Response("bad gateway", { status: 502 });
      }
    }
    if (path == "/throw") throw new TypeError("could not reach https://u:p@db.example/q?token=t1&x=1 in time");
    if (path == "/undefined") return undefined;
    if (path == "/fail") return new Response("down", { status: 503 });
    return new Response(path == "/empty" ? null : "ok", { status: path == "/empty" ? 204 : 200 });
  },
  async scheduled(controller: { cron?: string }) {
    if (controller.cron == "0 0 * * *") throw new RangeError("nightly failed");
  },
  async queue(batch: { queue: string }) {
    if (batch.queue == "broken") throw new Error("poison message");
  },
};

type Invocable = { fetch(r: Request, e: unknown, c: Ctx): Promise<unknown>; scheduled(c: unknown, e: unknown, x: Ctx): Promise<unknown>; queue(b: unknown, e: unknown, c: Ctx): Promise<unknown> };

/** The invocations, in order (the first is the isolate's cold start). */
export const SCENARIOS: Array<[string, (w: Invocable, env: object, ctx: Ctx) => Promise<unknown>]> = [
  ["GET, incoming traceparent, sensitive query, outgoing fetch with credentials", (w, env, ctx) =>
    w.fetch(new Request("http://worker.test/call?token=secret&q=1", { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, "user-agent": "curl/8", "cf-connecting-ip": "203.0.113.9" } }), env, ctx)],
  ["POST answered 503", (w, env, ctx) => w.fetch(new Request("https://worker.test:8443/fail", { method: "POST", body: "x" }), env, ctx)],
  ["a method that is not known as sent (patch)", (w, env, ctx) => w.fetch(new Request("http://worker.test/empty", { method: "patch" }), env, ctx)],
  ["an unknown method", (w, env, ctx) => w.fetch(new Request("http://worker.test/", { method: "FOO" }), env, ctx)],
  ["the handler throws an error quoting a URL with credentials", (w, env, ctx) => w.fetch(new Request("http://worker.test/throw"), env, ctx).catch((e: Error) => "rethrown " + e.name)],
  ["the handler returns undefined", (w, env, ctx) => w.fetch(new Request("http://worker.test/undefined"), env, ctx)],
  ["outgoing fetch of a Request with a PUT init, answered 404", (w, env, ctx) => w.fetch(new Request("http://worker.test/call-request"), env, ctx)],
  ["outgoing fetch refused (ECONNREFUSED)", (w, env, ctx) => w.fetch(new Request("http://worker.test/refused"), env, ctx)],
  ["scheduled with a cron", (w, env, ctx) => w.scheduled({ cron: "*/5 * * * *", scheduledTime: Date.UTC(2025, 0, 2, 3, 4, 5), noRetry() {} }, env, ctx)],
  ["scheduled without a cron", (w, env, ctx) => w.scheduled({}, env, ctx)],
  ["scheduled throwing", (w, env, ctx) => w.scheduled({ cron: "0 0 * * *", scheduledTime: 0 }, env, ctx).catch((e: Error) => "rethrown " + e.name)],
  ["queue batch of 3", (w, env, ctx) => w.queue({ queue: "jobs", messages: [1, 2, 3], ackAll() {} }, env, ctx)],
  ["queue handler throws", (w, env, ctx) => w.queue({ queue: "broken", messages: [] }, env, ctx).catch((e: Error) => "rethrown " + e.name)],
];

/** A span as both sides are compared: ids replaced by relations, stack traces by their first line. */
export interface Shape {
  name: string;
  kind: number;
  scope: string;
  parent: "incoming" | "server" | "none" | "other";
  attributes: Array<[string, unknown]>;
  status: { code: number; message?: string };
  events: Array<{ name: string; attributes: Array<[string, unknown]> }>;
}

const attrs = (a: Record<string, unknown>) => Object.entries(a).map(([k, v]): [string, unknown] => [k, k == "exception.stacktrace" ? String(v).split("\n")[0] : v]);

export function shape(s: { name: string; kind: number; scope: string; traceId: string; parentSpanId?: string; attributes: Record<string, unknown>; status: { code: number; message?: string }; events: Array<{ name: string; attributes: Record<string, unknown> }> }, serverSpanIds: string[]): Shape {
  const parent = !s.parentSpanId ? "none" : s.parentSpanId == PARENT_ID && s.traceId == TRACE_ID ? "incoming" : serverSpanIds.includes(s.parentSpanId) ? "server" : "other";
  const status: Shape["status"] = { code: s.status.code };
  if (s.status.message !== undefined) status.message = s.status.message;
  return { name: s.name, kind: s.kind, scope: s.scope, parent, attributes: attrs(s.attributes), status, events: s.events.map((e) => ({ name: e.name, attributes: attrs(e.attributes) })) };
}

/** A Headers object as a plain record (lower-case names). */
function plain(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}
