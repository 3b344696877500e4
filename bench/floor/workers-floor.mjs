// The floor of the Workers `instrument(handler)` program (issue 16): a measurement, not product
// code, never imported by the SDK. The program's job written as small as one can while still
// working on the happy path: fetch, scheduled and queue spans, outgoing fetch traced with W3C
// traceparent/tracestate/baggage injected, incoming context extracted, OTLP/JSON over fetch in
// batches of 512 with retries, configured from env, flushed in `ctx.waitUntil` after the response.
//
// What it leaves out is what the SDK spends its bytes on (bench/README.md, "Floor"): the OTel API
// surface users plug into (global providers, processors, exporters, samplers, NonRecordingSpan,
// suppression), the spec's limits and validation (attribute types and limits, links, tracestate's
// 32 members and key grammar, baggage's 64 entries / 8192 bytes and properties, traceparent
// versions), proto3 JSON details (int64, NaN, bytes, kvlists, depth and cycles, lone surrogates,
// id checks, dropped counts) and the encoder's speed, the export pipeline's guarantees (queue
// and drop counts, timers, the workerd drain, timeouts, Retry-After, gzip, partial success,
// outage backoff, bounded responses, stats), every OTEL_* variable and option check, HTTP and
// FaaS semantic conventions with URL redaction, and "never crash the app" on hostile input. One
// bug class shows why: the first version traced its own export requests and looped for ever.
import { AsyncLocalStorage } from "node:async_hooks";

const als = new AsyncLocalStorage();
const send = globalThis.fetch; // the exporter's own requests are not traced
const hex = (n) => { const b = crypto.getRandomValues(new Uint8Array(n)); let s = ""; for (const x of b) s += x.toString(16).padStart(2, "0"); return s; };
const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

class Span {
  constructor(tracer, name, kind, parent, attributes) {
    this.t = tracer; this.name = name; this.kind = kind; this.parent = parent;
    this.ctx = { traceId: parent?.traceId ?? hex(16), spanId: hex(8), flags: 1, state: parent?.state };
    this.attributes = { ...attributes }; this.events = []; this.links = []; this.status = { code: 0 }; this.start = nowNs(); this.ended = false;
  }
  spanContext() { return this.ctx; }
  isRecording() { return !this.ended; }
  setAttribute(k, v) { if (!this.ended) this.attributes[k] = v; return this; }
  setAttributes(a) { for (const k in a) this.setAttribute(k, a[k]); return this; }
  addEvent(name, attributes) { if (!this.ended && this.events.length < 128) this.events.push({ name, time: nowNs(), attributes }); return this; }
  recordException(e) { this.addEvent("exception", { "exception.type": e?.name, "exception.message": e?.message ?? String(e), "exception.stacktrace": e?.stack }); }
  setStatus(s) { if (!this.ended && this.status.code !== 1) this.status = s; return this; }
  updateName(n) { this.name = n; return this; }
  end() { if (this.ended) return; this.ended = true; this.endTime = nowNs(); this.t.queue.length < 2048 && this.t.queue.push(this); }
}

class Tracer {
  constructor(config) { this.config = config; this.queue = []; }
  startSpan(name, { kind = 0, attributes } = {}, parent = als.getStore()?.span?.ctx ?? als.getStore()?.remote) { return new Span(this, name, kind, parent, attributes); }
  startActiveSpan(name, options, fn) { const span = this.startSpan(name, options); return als.run({ ...als.getStore(), span }, fn, span); }
  async flush() {
    while (this.queue.length) {
      const batch = this.queue.splice(0, 512);
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const r = await send(this.config.url, { method: "POST", headers: { "content-type": "application/json", ...this.config.headers }, body: encode(this.config.resource, batch), signal: AbortSignal.timeout(10000), redirect: "manual" });
          await r.body?.cancel();
          if (![429, 502, 503, 504].includes(r.status)) break;
        } catch {}
        await new Promise((ok) => setTimeout(ok, 100 * 2 ** attempt));
      }
    }
  }
}

const anyValue = (v) => typeof v === "string" ? { stringValue: v } : typeof v === "boolean" ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : typeof v === "number" ? { doubleValue: v } : Array.isArray(v) ? { arrayValue: { values: v.map(anyValue) } } : {};
const kvs = (a = {}) => Object.entries(a).filter(([, v]) => v !== undefined).map(([key, v]) => ({ key, value: anyValue(v) }));
const encode = (resource, spans) => JSON.stringify({ resourceSpans: [{ resource: { attributes: kvs(resource) }, scopeSpans: [{ scope: { name: "otel-edge" }, spans: spans.map((s) => ({
  traceId: s.ctx.traceId, spanId: s.ctx.spanId, parentSpanId: s.parent?.spanId, traceState: s.ctx.state, flags: 256 | s.ctx.flags | (s.parent?.remote ? 512 : 0), name: s.name, kind: s.kind + 1,
  startTimeUnixNano: String(s.start), endTimeUnixNano: String(s.endTime), attributes: kvs(s.attributes),
  events: s.events.map((e) => ({ timeUnixNano: String(e.time), name: e.name, attributes: kvs(e.attributes) })), status: s.status,
})) }] }] });

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
function extract(headers) {
  const m = TRACEPARENT.exec(headers.get("traceparent")?.trim() ?? "");
  const remote = m && m[1] !== "ff" && !/^0+$/.test(m[2]) && !/^0+$/.test(m[3]) && (m[1] !== "00" || !m[5]) ? { traceId: m[2], spanId: m[3], flags: parseInt(m[4], 16) & 1, state: headers.get("tracestate") ?? undefined, remote: true } : undefined;
  const baggage = {};
  for (const member of (headers.get("baggage") ?? "").split(",")) {
    const [pair] = member.split(";"); const eq = pair.indexOf("=");
    if (eq > 0) try { baggage[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim()); } catch {}
  }
  return { remote, baggage };
}
function inject(headers) {
  const store = als.getStore(); const c = store?.span?.ctx ?? store?.remote;
  if (c) { headers.set("traceparent", `00-${c.traceId}-${c.spanId}-0${c.flags}`); if (c.state) headers.set("tracestate", c.state); }
  const b = Object.entries(store?.baggage ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join(",");
  if (b) headers.set("baggage", b);
}

function configure(env, serviceName) {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://localhost:4318";
  const list = (s) => Object.fromEntries((s ?? "").split(",").map((p) => p.split("=").map((x) => decodeURIComponent(x.trim()))).filter((p) => p[0]));
  return { url: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? base.replace(/\/$/, "") + "/v1/traces", headers: list(env.OTEL_EXPORTER_OTLP_HEADERS),
    resource: { "telemetry.sdk.name": "otel-edge", "telemetry.sdk.language": "webjs", ...list(env.OTEL_RESOURCE_ATTRIBUTES), "service.name": env.OTEL_SERVICE_NAME ?? serviceName ?? "unknown_service" } };
}

let tracer;
export function instrument(handler, config) {
  const setup = (env) => {
    tracer ??= new Tracer(configure(env, config(env).serviceName));
    const plain = globalThis.fetch;
    if (!plain.traced) {
      const traced = (input, init) => {
        const request = new Request(input, init);
        return tracer.startActiveSpan(`${request.method}`, { kind: 2, attributes: { "http.request.method": request.method, "url.full": request.url } }, async (span) => {
          inject(request.headers);
          try { const r = await plain(request); span.setAttribute("http.response.status_code", r.status); if (r.status >= 400) span.setStatus({ code: 2 }); return r; }
          catch (e) { span.recordException(e); span.setStatus({ code: 2 }); throw e; } finally { span.end(); }
        });
      };
      traced.traced = true; globalThis.fetch = traced;
    }
  };
  const run = (env, ctx, store, name, options, fn) => {
    setup(env);
    return als.run(store, () => tracer.startActiveSpan(name, options, async (span) => {
      try { return await fn(span); } catch (e) { span.recordException(e); span.setStatus({ code: 2, message: String(e) }); throw e; }
      finally { span.end(); ctx.waitUntil(new Promise((ok) => setTimeout(ok)).then(() => tracer.flush())); }
    }));
  };
  return {
    ...handler,
    fetch: handler.fetch && ((request, env, ctx) => {
      const url = new URL(request.url);
      return run(env, ctx, extract(request.headers), request.method, { kind: 1, attributes: { "http.request.method": request.method, "url.full": request.url, "url.path": url.pathname, "url.scheme": url.protocol.slice(0, -1), "server.address": url.hostname, "faas.trigger": "http" } }, async (span) => {
        const response = await handler.fetch(request, env, ctx);
        span.setAttribute("http.response.status_code", response.status);
        if (response.status >= 500) span.setStatus({ code: 2 });
        return response;
      });
    }),
    scheduled: handler.scheduled && ((c, env, ctx) => run(env, ctx, {}, `scheduled ${c.cron}`, { attributes: { "faas.trigger": "timer", "faas.cron": c.cron } }, () => handler.scheduled(c, env, ctx))),
    queue: handler.queue && ((b, env, ctx) => run(env, ctx, {}, `process ${b.queue}`, { kind: 4, attributes: { "faas.trigger": "pubsub", "messaging.destination.name": b.queue, "messaging.batch.message_count": b.messages.length } }, () => handler.queue(b, env, ctx))),
  };
}
