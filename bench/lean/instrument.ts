/**
 * `instrument(handler, config)` for Cloudflare Workers on the size-first core, as the product's
 * src/runtime/workers-instrument.ts: `fetch` → SERVER span (stable HTTP server semconv, the
 * caller's W3C context continued), `scheduled` → timer span, `queue` → CONSUMER span (FaaS and
 * messaging semconv), outgoing `fetch` → CLIENT span with the context injected, and every
 * invocation flushed in `ctx.waitUntil` — also when the handler throws.
 *
 * Why it is built this way (the product's reasons, kept):
 * - `globalThis.fetch` is patched once per isolate, on the first traced invocation (never at
 *   import); the traced fetch reads the active context per call, so concurrent requests keep
 *   their own parents. The exporter's requests run under SUPPRESS_KEY and are not traced.
 * - No Proxy: the user's methods run with `this` = their handler, `env` and `ctx` untouched.
 * - Telemetry never breaks the Worker: a config function or setup that throws is reported once
 *   and the handler runs untraced; recording errors are reported once and swallowed.
 */
import type { Attributes, SpanKind, SpanSink } from "./contract.ts";
import type { Context } from "./contract.ts";
import type { Tracer } from "../../src/trace/tracer.ts";
import { configure, type LeanOptions } from "./config.ts";
import { active } from "./context.ts";
import { warnOnce } from "./diag.ts";
import { createSpanSink } from "./export.ts";
import { traceFetch, TRACED, type TracedFetch } from "./fetch.ts";
import { errorMessage, redactQuery, setMethod, setPort } from "./http.ts";
import { operation } from "./operation.ts";
import { extract } from "./propagation.ts";
import { createTracerProvider } from "./tracer.ts";
import { VERSION } from "../../src/version.ts";

/** The configuration: the options `configure` reads, plus `fetch: false` to leave `globalThis.fetch` alone. */
export interface InstrumentConfig extends LeanOptions {
  fetch?: false;
}

/** A Workers module handler (`export default { fetch, scheduled, queue }`), typed loosely. */
export interface WorkersHandler {
  // deno-lint-ignore no-explicit-any
  fetch?: (request: any, env: any, ctx: any) => unknown;
  // deno-lint-ignore no-explicit-any
  scheduled?: (controller: any, env: any, ctx: any) => unknown;
  // deno-lint-ignore no-explicit-any
  queue?: (batch: any, env: any, ctx: any) => unknown;
}

/** What one wrapper runs with once started: the sink to flush and a tracer per scope (as the product's). */
interface Started {
  sink: SpanSink;
  server: Tracer;
  faas: Tracer;
}

type Fn = (...args: unknown[]) => unknown;

/** Invocations of this isolate: `faas.coldstart` is true on the first one (spec). */
let invocations = 0;

/** `attributes` with `faas.coldstart` set last, as the product sets it on an invocation's span. */
const cold = (attributes: Attributes): Attributes => ((attributes["faas.coldstart"] = invocations == 1), attributes);

/** Replaces `globalThis.fetch` with a traced one (fetch.ts) recording with `tracer`, once per isolate. */
function patchFetch(tracer: Tracer): void {
  const original = globalThis.fetch as TracedFetch;
  if (typeof original == "function" && !original[TRACED]) globalThis.fetch = traceFetch(original, () => tracer);
}

// Every wrapper's sink, flushed together: the traced fetch records into the first wrapper's. The
// sink's flush is the isolate's shared drain (export.ts: it starts after a timer turn, so the
// response is not delayed, and keeps each invocation alive until the exports it may carry end).
const sinks = new Set<SpanSink>();

/** Hands the flush of every sink to `ctx.waitUntil`; never throws. */
function flushIn(ctx: unknown, sink: SpanSink): void {
  sinks.add(sink);
  try {
    (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil(Promise.all([...sinks].map((s) => s.flush())));
  } catch {
    warnOnce("ctx.waitUntil threw: flush not awaited");
  }
}

/**
 * Instruments a Workers module handler: the returned object has the handler's properties and
 * prototype, with `fetch`, `scheduled` and `queue` traced when present. `config` is the options
 * or a function of `env` (called once per isolate); `OTEL_*` bindings in `env` configure the rest.
 *
 * @example
 * ```ts
 * export default instrument({ async fetch(request, env, ctx) { return new Response("ok"); } }, (env) => ({ env, serviceName: "edge-api" }));
 * ```
 */
export function instrument<H extends WorkersHandler, E = unknown>(handler: H, config: InstrumentConfig | ((env: E) => InstrumentConfig)): H {
  if (handler === null || typeof handler != "object") throw new TypeError("instrument: handler must be an object");
  if (config === null || (typeof config != "object" && typeof config != "function")) throw new TypeError("instrument: config must be options or a function of env");
  let options: InstrumentConfig | undefined;
  let started: Started | null | undefined; // null: disabled

  /** The wrapper's pipeline, started on the first invocation; undefined: run untraced. */
  const start = (env: unknown): Started | undefined => {
    try {
      options ??= typeof config == "function" ? config(env as E) : config;
      if (started === undefined) {
        const c = configure(options, env as Record<string, unknown>);
        if (c.disabled) return void (started = null);
        const sink = createSpanSink(c.target, c.batch);
        const provider = createTracerProvider({ resource: c.resource, sink, limits: c.limits });
        const tracer = (scope: string) => provider.getTracer("otel-edge/" + scope, VERSION);
        if (options.fetch !== false) patchFetch(tracer("instrument/fetch"));
        started = { sink, server: tracer("instrument/handler"), faas: tracer("workers") };
      }
      return started ?? undefined;
    } catch (error) {
      warnOnce("not started, running untraced: " + errorMessage(error));
    }
  };

  const wrapped = Object.assign(Object.create(Object.getPrototypeOf(handler) as object | null) as H, handler);
  /** Wraps `handler[method]`: `run` traces one invocation (`user` calls the user's method with its `this` and arguments). */
  const wrap = (method: keyof WorkersHandler, run: (s: Started, args: unknown[], user: () => unknown) => unknown): void => {
    const userMethod = handler[method] as Fn | undefined;
    if (typeof userMethod != "function") return;
    wrapped[method] = async (...args: unknown[]) => {
      const user = () => userMethod.apply(handler, args);
      invocations++;
      const s = start(args[1]);
      if (!s) return user();
      try {
        return await run(s, args, user);
      } finally {
        flushIn(args[2], s.sink);
      }
    };
  };

  wrap("fetch", (s, [request], user) => {
    const attributes: Attributes = {};
    let name: string;
    let parent: Context;
    try {
      const { method, headers } = request as Request;
      let url: URL | undefined;
      try {
        url = new URL((request as Request).url);
      } catch {} // not absolute: no url.* attributes
      name = setMethod(typeof method == "string" ? method : "GET", attributes);
      // url.scheme as the server knows it; url.full is a client attribute (semconv).
      const scheme = url?.protocol.slice(0, -1);
      if (scheme == "http" || scheme == "https") attributes["url.scheme"] = scheme;
      if (url) {
        attributes["url.path"] = url.pathname;
        if (url.search) attributes["url.query"] = redactQuery(url.search).slice(1);
        attributes["server.address"] = url.hostname;
        setPort(url, attributes);
      }
      const agent = headers.get("user-agent");
      if (agent != null) attributes["user_agent.original"] = agent;
      // Cloudflare's edge (not the client) sets CF-Connecting-IP.
      const client = headers.get("cf-connecting-ip");
      if (client) attributes["client.address"] = client;
      parent = extract(active(), headers);
    } catch {
      warnOnce("request unreadable: handled untraced");
      return user();
    }
    return operation(s.server, name, 1, cold(attributes), parent, user, 500, (response, end) => {
      // Not a Response (a bug in the handler): passed on as it is, error.type _OTHER.
      const status = (response as Response | null)?.status;
      typeof status == "number" ? end(status) : end(undefined, undefined, "_OTHER");
      return response;
    });
  });

  wrap("scheduled", (s, [controller], user) => {
    const { cron, scheduledTime } = (controller ?? {}) as { cron?: unknown; scheduledTime?: unknown };
    const attributes: Attributes = { "faas.trigger": "timer" };
    if (typeof cron == "string" && cron) attributes["faas.cron"] = cron;
    const time = Number(scheduledTime);
    if (Number.isFinite(time)) attributes["faas.time"] = new Date(time).toISOString();
    return operation(s.faas, attributes["faas.cron"] ? "scheduled " + cron : "scheduled", 1, cold(attributes), active(), user);
  });

  wrap("queue", (s, [batch], user) => {
    const { queue, messages } = (batch ?? {}) as { queue?: unknown; messages?: unknown };
    const name = typeof queue == "string" ? queue : "";
    // Cloudflare Queues has no well-known messaging.system: the custom value, as the product.
    const attributes: Attributes = { "faas.trigger": "pubsub", "messaging.system": "cloudflare_queues", "messaging.operation.type": "process", "messaging.operation.name": "process" };
    if (name) attributes["messaging.destination.name"] = name;
    if (Array.isArray(messages)) attributes["messaging.batch.message_count"] = messages.length;
    // Semconv messaging spans: "{operation} {destination}", CONSUMER.
    return operation(s.faas, name ? "process " + name : "process", 4, cold(attributes), active(), user);
  });
  return wrapped;
}
