/**
 * `instrument(handler, config)` and `instrumentDurableObject(Class, config)` for Cloudflare
 * Workers: one wrapper that starts the SDK from the `env` bindings, traces every invocation
 * (`fetch` → SERVER span via `instrumentHandler`; `scheduled` → timer span; `queue` →
 * CONSUMER span), traces outgoing `fetch`, and flushes all signals in `ctx.waitUntil` at the
 * end of each invocation — also when the handler throws.
 *
 * Design decisions (why):
 * - Outgoing `fetch` is traced by patching `globalThis.fetch` ONCE PER ISOLATE (on the first
 *   invocation, never at import). The traced fetch reads the active context at each call, so
 *   concurrent requests in one isolate each get their own parent (AsyncLocalStorage keeps
 *   them apart) and nothing from one request leaks into another. The exporter's own fetch
 *   runs with tracing suppressed, so exporting never creates spans. `fetch: false` opts out.
 * - No `Proxy` anywhere: the user's handler methods are called with `this` = their handler
 *   object, and `env`/bindings are passed through untouched, so `env.KV.get(...)`,
 *   `env.SVC.fetch.bind(env.SVC)` and friends keep their receiver. Durable Object classes are
 *   subclassed (the prototype's `fetch`/`alarm` are wrapped; the constructor is the user's).
 * - No timers: everything leaves in `ctx.waitUntil(sdk.flush())` (see `init` in workers.ts).
 * - Telemetry never breaks the Worker: if the config function or `init` throws, the error is
 *   reported once through `diag` and the handler runs untraced.
 *
 * Semantic conventions: FaaS spans (`faas.trigger` = `http` | `timer` | `pubsub`, `faas.cron`,
 * `faas.time`, `faas.coldstart`) and messaging spans for the queue consumer (`process
 * {queue}`, CONSUMER, `messaging.operation.type` = `process`, `messaging.batch.message_count`).
 * Cloudflare Queues has no well-known `messaging.system` value; the custom value
 * `cloudflare_queues` is used. `faas.invoke_duration` (s, spec buckets) is recorded for
 * scheduled and queue invocations, and fetch gets `http.server.request.duration` from
 * `instrumentHandler`, where the Worker asks for metrics (`parts: [metricsSdk()]`, or a meter
 * provider registered globally); a traces-only Worker records no durations and bundles no meter.
 *
 * @module
 */
import { describe, describeValue } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import { installFetchInstrumentation, type FetchInstrumentationOptions } from "../instrument/fetch.ts";
import { instrumentHandler, type HandlerInstrumentationOptions } from "../instrument/handler.ts";
import { operationRecording, startOperationSpan, type OperationRecording } from "../instrument/operation-span.ts";
import type { Sdk } from "../sdk/init.ts";
import type { InitOptions } from "../sdk/options.ts";
import { getSpan } from "../trace/span-in-context.ts";
import type { SpanKind } from "../trace/types.ts";
import { flushInWaitUntil, init, type WaitUntilContext } from "./workers-init.ts";

/** Configuration for {@link instrument}: `init()` options plus what the wrapper itself does. */
export interface WorkersInstrumentConfig extends InitOptions {
  /** Options for the SERVER span around `fetch` (route, `traceresponse` header, ...). */
  handler?: HandlerInstrumentationOptions<[env: unknown, ctx: WaitUntilContext]>;
  /** Options for tracing outgoing `fetch` (propagateTo, ignore, redaction); `false` leaves `globalThis.fetch` alone. */
  fetch?: FetchInstrumentationOptions | false;
}

/** The configuration, or a function building it from the Worker's `env` (called once per isolate). */
export type WorkersConfigSource<Env> = WorkersInstrumentConfig | ((env: Env) => WorkersInstrumentConfig);

/** The part of the Workers `ScheduledController` the wrapper reads. */
export interface ScheduledControllerLike {
  /** The cron pattern that fired, e.g. `"*\/5 * * * *"`. */
  readonly cron: string;
  /** When the invocation was scheduled, in ms since the epoch. */
  readonly scheduledTime: number;
}

/** The part of the Workers `MessageBatch` the wrapper reads. */
export interface MessageBatchLike {
  /** The queue's name. */
  readonly queue: string;
  /** The messages delivered in this batch. */
  readonly messages: readonly unknown[];
}

/**
 * A Workers module handler (`export default { fetch, scheduled, queue }`), typed loosely so
 * `ExportedHandler<Env>` from `@cloudflare/workers-types` (and Hono's `app`) fit.
 */
export interface WorkersHandler {
  // `any` here so handlers typed with @cloudflare/workers-types' own Request/ExecutionContext fit.
  // deno-lint-ignore no-explicit-any
  fetch?: (request: any, env: any, ctx: any) => unknown;
  // deno-lint-ignore no-explicit-any
  scheduled?: (controller: any, env: any, ctx: any) => unknown;
  // deno-lint-ignore no-explicit-any
  queue?: (batch: any, env: any, ctx: any) => unknown;
}

/** Counts invocations of this isolate, for `faas.coldstart` (spec: true on the isolate's first invocation). */
let invocations = 0;
let fetchInstalled = false;

/** The isolate's SDK as one wrapper uses it: rebuilt when `init()` returns another SDK (after a shutdown). */
interface Started {
  sdk: Sdk;
  /** The SERVER span options of the wrapper's `fetch`: Cloudflare's client address, then the user's. */
  handler: HandlerInstrumentationOptions<[env: unknown, ctx: WaitUntilContext]>;
  /** How the non-HTTP invocation spans record: `faas.invoke_duration` where the program has a meter provider. */
  recording: OperationRecording;
}

/** Starts (or reuses) the isolate's SDK for one wrapper's config and an invocation's `env`. */
type Starter = (env: unknown) => Started | undefined;

/**
 * Checks the configuration source (a TypeError naming `what` at construction) and returns the
 * wrapper's starter. It builds the config once, starts or reuses the SDK at each invocation
 * and returns undefined when that failed (reported once: the invocation then runs untraced
 * rather than failing).
 */
function starter(source: unknown, what: string): Starter {
  if (source === null || (typeof source !== "object" && typeof source !== "function")) {
    throw new TypeError(`${what}: config must be init() options or a function (env) => options`);
  }
  let config: WorkersInstrumentConfig | undefined;
  let started: Started | undefined;
  return (env) => {
    try {
      config ??= typeof source === "function" ? (source as (env: unknown) => WorkersInstrumentConfig)(env) : (source as WorkersInstrumentConfig);
      const { handler, fetch: fetchOptions, ...options } = config;
      const sdk = init({ ...options, env: options.env ?? (env as InitOptions["env"]) });
      if (started?.sdk !== sdk) {
        if (fetchOptions !== false && !fetchInstalled && !sdk.disabled) {
          // Once per isolate: the traced fetch reads the active context per call (see module doc).
          fetchInstalled = true;
          installFetchInstrumentation(fetchOptions);
        }
        started = {
          sdk,
          // Cloudflare puts the client's IP in `CF-Connecting-IP` (set by the edge, not the client).
          handler: { clientAddress: (request: Request) => request.headers?.get("cf-connecting-ip") ?? undefined, ...handler },
          recording: operationRecording("faas", "otel-edge/workers", sdk, what),
        };
      }
      return started;
    } catch (error) {
      diagOnce("error", "workers-instrument-start-failed", `otel-edge could not start in this Worker; invocations run untraced: ${describe(error)}`);
    }
  };
}

/**
 * One invocation: counted, run by `traced` with the started SDK (by `untraced` when it could
 * not start), and flushed in `waitUntil` at the end — also when it throws.
 */
async function invoke(start: Starter, env: unknown, waitUntil: WaitUntilContext, untraced: () => unknown, traced: (started: Started) => unknown): Promise<unknown> {
  invocations++;
  const started = start(env);
  if (!started) return untraced();
  try {
    return await traced(started);
  } finally {
    flushInWaitUntil(waitUntil, started.sdk);
  }
}

/**
 * A fetch-style `user` traced by `instrumentHandler`, which marks its SERVER span (the
 * invocation's local root) with `faas.coldstart`.
 */
function tracedFetch(started: Started, user: (args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return instrumentHandler((...args: [Request, ...unknown[]]) => {
    getSpan(context.active())?.setAttribute("faas.coldstart", invocations === 1);
    return user(args) as Promise<Response>;
  }, started.handler as HandlerInstrumentationOptions<unknown[]>) as (...args: unknown[]) => unknown;
}

/**
 * Runs `fn` inside a new local-root span for a non-HTTP trigger, recording errors and
 * `faas.invoke_duration`; the span ends when `fn` has settled.
 */
function traced(started: Started, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>, fn: () => unknown): unknown {
  attributes["faas.coldstart"] = invocations === 1;
  return startOperationSpan(started.recording, name, kind, attributes, { "faas.trigger": attributes["faas.trigger"]! }, context.active()).run(fn);
}

/**
 * Instruments a Workers module handler. The returned object has the same methods (and every
 * other property of `handler`); `fetch`, `scheduled` and `queue` are traced when present.
 * `config` is `init()` options (plus `handler` and `fetch` options) or a function of `env`;
 * `OTEL_*` string bindings in `env` configure the rest (endpoint, headers, sampler, ...).
 *
 * @example
 * ```ts
 * import { instrument } from "otel-edge/workers";
 * export default instrument({
 *   async fetch(request, env, ctx) {
 *     const upstream = await fetch("https://api.example.com/items"); // a CLIENT span, traceparent sent
 *     return new Response(upstream.body);
 *   },
 *   async scheduled(controller, env, ctx) { await env.KV.put("last-run", String(Date.now())); },
 * }, (env) => ({ serviceName: "edge-api", otlp: { endpoint: env.OTLP_URL } }));
 * ```
 */
export function instrument<H extends WorkersHandler, Env = Parameters<NonNullable<H["fetch"]>>[1]>(handler: H, config: WorkersConfigSource<Env>): H {
  if (handler === null || typeof handler !== "object") throw new TypeError(`instrument: handler must be an object with fetch/scheduled/queue methods, got ${describeValue(handler)}`);
  const start = starter(config, "instrument");
  // Own properties copied onto an object with the same prototype (class-based apps such as
  // Hono keep their prototype methods); the user's methods are called with `this` = handler.
  const wrapped = Object.assign(Object.create(Object.getPrototypeOf(handler) as object | null) as H, handler);
  /** Wraps `handler[method]` when present: `run` traces one invocation of `user` (the user's method) with `args`. */
  const wrap = (method: keyof WorkersHandler, run: (started: Started, args: unknown[], user: (args: unknown[]) => unknown) => unknown): void => {
    const userMethod = handler[method] as unknown;
    if (typeof userMethod !== "function") return;
    const user = (args: unknown[]): unknown => userMethod.apply(handler, args);
    wrapped[method] = (...args: unknown[]) => invoke(start, args[1], args[2] as WaitUntilContext, () => user(args), (started) => run(started, args, user));
  };
  // One per wrapper, reused by every invocation.
  let fetch: ((...args: unknown[]) => unknown) | undefined;
  wrap("fetch", (started, args, user) => (fetch ??= tracedFetch(started, user))(...args));
  wrap("scheduled", (started, args, user) => {
    const controller = args[0] as ScheduledControllerLike | undefined;
    const cron = controller?.cron;
    const attributes: Record<string, string> = { "faas.trigger": "timer" };
    if (typeof cron === "string" && cron) attributes["faas.cron"] = cron;
    const time = Number(controller?.scheduledTime);
    if (Number.isFinite(time)) attributes["faas.time"] = new Date(time).toISOString();
    return traced(started, attributes["faas.cron"] ? `scheduled ${cron}` : "scheduled", 1 /* SpanKind.SERVER */, attributes, () => user(args));
  });
  wrap("queue", (started, args, user) => {
    const batch = args[0] as MessageBatchLike | undefined;
    const name = typeof batch?.queue === "string" ? batch.queue : "";
    const attributes: Record<string, string | number> = {
      "faas.trigger": "pubsub",
      "messaging.system": "cloudflare_queues",
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
    };
    if (name) attributes["messaging.destination.name"] = name;
    if (Array.isArray(batch?.messages)) attributes["messaging.batch.message_count"] = batch.messages.length;
    // Semconv messaging spans: "{messaging.operation.name} {destination}", kind CONSUMER.
    return traced(started, name ? `process ${name}` : "process", 4 /* SpanKind.CONSUMER */, attributes, () => user(args));
  });
  return wrapped;
}

/** A Durable Object (or `WorkerEntrypoint`) class: constructed with `(state, env)`. */
// deno-lint-ignore no-explicit-any
export type DurableObjectClass = abstract new (state: any, env: any) => object;

/**
 * Instruments a Durable Object class (or a `WorkerEntrypoint` class, which is constructed the
 * same way): returns a subclass whose prototype `fetch` runs in a SERVER span (continuing the
 * caller's `traceparent`) and whose `alarm` runs in a `alarm` span (`faas.trigger` = `timer`),
 * flushing through `state.waitUntil` after each call. The constructor, `this`, `state`, `env`
 * and every binding are the user's own — nothing is proxied. Methods defined as instance
 * fields (arrow functions assigned in the constructor) are not wrapped.
 *
 * A stub's `fetch` is a binding, not `globalThis.fetch`: to propagate the caller's trace into
 * the object, call it through `instrumentFetch(stub.fetch.bind(stub))`.
 *
 * @example
 * ```ts
 * class Counter { constructor(state, env) { this.state = state; } async fetch(request) { ... } }
 * export const CounterObject = instrumentDurableObject(Counter, (env) => ({ serviceName: "counter" }));
 * ```
 */
export function instrumentDurableObject<C extends DurableObjectClass>(Class: C, config: WorkersConfigSource<ConstructorParameters<C>[1]>): C {
  if (typeof Class !== "function") throw new TypeError(`instrumentDurableObject: expected a class, got ${describeValue(Class)}`);
  const start = starter(config, "instrumentDurableObject");
  /** Per instance: its constructor arguments `(state, env)`, and its traced fetch once made. */
  const objects = new WeakMap<object, { args: unknown[]; fetch?: (...args: unknown[]) => unknown }>();
  // deno-lint-ignore no-explicit-any
  const Base = Class as unknown as new (...args: any[]) => object;
  const Instrumented = class extends Base {
    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      objects.set(this, { args });
    }
  };
  Object.defineProperty(Instrumented, "name", { value: Class.name });

  /** Wraps the prototype's `method`: `run` traces one call, given the object's state and the user's method bound to it. */
  const wrap = (method: string, run: (own: { fetch?: (...args: unknown[]) => unknown }, started: Started, args: unknown[], user: (args: unknown[]) => unknown) => unknown): void => {
    const userMethod = (Class.prototype as Record<string, unknown>)[method];
    if (typeof userMethod !== "function") return;
    Object.defineProperty(Instrumented.prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: object, ...args: unknown[]): unknown {
        const user = (a: unknown[]): unknown => userMethod.apply(this, a);
        const own = objects.get(this);
        return own ? invoke(start, own.args[1], own.args[0] as WaitUntilContext, () => user(args), (started) => run(own, started, args, user)) : user(args);
      },
    });
  };
  wrap("fetch", (own, started, args, user) => (own.fetch ??= tracedFetch(started, (a) => user([a[0]])))(args[0]));
  wrap("alarm", (_own, started, args, user) => traced(started, "alarm", 1 /* SpanKind.SERVER */, { "faas.trigger": "timer" }, () => user(args)));
  return Instrumented as unknown as C;
}
