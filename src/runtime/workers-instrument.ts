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
 * scheduled and queue invocations; fetch gets `http.server.request.duration` from
 * `instrumentHandler`.
 *
 * @module
 */
import { describe } from "../common/describe.ts";
import { diagOnce } from "../common/diag.ts";
import { context } from "../context/context-api.ts";
import { installFetchInstrumentation, type FetchInstrumentationOptions } from "../instrument/fetch.ts";
import { instrumentHandler, type HandlerInstrumentationOptions } from "../instrument/handler.ts";
import { createQueryRedactor } from "../instrument/http-semconv.ts";
import { redactedException, redactUrlsInText } from "../instrument/redact-text.ts";
import type { Histogram } from "../metrics/instruments.ts";
import type { Sdk } from "../sdk/init.ts";
import type { InitOptions } from "../sdk/options.ts";
import { getSpan, setSpan } from "../trace/span-in-context.ts";
import type { Span, SpanKind } from "../trace/types.ts";
import { VERSION } from "../version.ts";
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

/** The instrumentation scope of the spans and metrics made here. */
const SCOPE = "otel-edge/workers";
/** Semconv FaaS metrics: `faas.invoke_duration` SHOULD use these explicit bucket boundaries (seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Per wrapper: the resolved config and, once built, the traced fetch handler. */
interface Started {
  sdk: Sdk;
  config: WorkersInstrumentConfig;
}

let fetchInstalled = false;

/**
 * Starts (or reuses) the isolate's SDK for `config` and `env`; undefined when that failed
 * (reported once: the invocation then runs untraced rather than failing).
 */
function start<Env>(source: WorkersConfigSource<Env>, env: Env, memo: { config?: WorkersInstrumentConfig }): Started | undefined {
  try {
    const config = (memo.config ??= typeof source === "function" ? source(env) : source);
    const { handler: _handler, fetch: fetchOptions, ...options } = config;
    const sdk = init({ ...options, env: options.env ?? (env as InitOptions["env"]) });
    if (fetchOptions !== false && !fetchInstalled && !sdk.disabled) {
      // Once per isolate: the traced fetch reads the active context per call (see module doc).
      fetchInstalled = true;
      installFetchInstrumentation(fetchOptions ?? {});
    }
    return { sdk, config };
  } catch (error) {
    diagOnce("error", "workers-instrument-start-failed", `otel-edge could not start in this Worker; invocations run untraced: ${describe(error)}`);
    return undefined;
  }
}

/** Marks the invocation's local root span with FaaS attributes common to every trigger. */
function markInvocation(span: Span | undefined): void {
  span?.setAttribute("faas.coldstart", invocations === 1);
}

let redactSearch: ((search: string) => string) | undefined;

function recordError(span: Span, error: unknown): void {
  // URLs quoted in the message lose their credentials and sensitive query values, as in url.full.
  redactSearch ??= createQueryRedactor();
  span.recordException(redactedException(error, redactSearch));
  // Semconv (recording errors): error.type is the exception's type, and the status is ERROR.
  span.setAttribute("error.type", errorType(error));
  span.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: redactUrlsInText(describe(error), redactSearch) });
}

function errorType(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : "_OTHER";
}

const histograms = new WeakMap<Sdk, Histogram>();
/** `faas.invoke_duration`, when the SDK has the metrics part. */
function invokeDuration(sdk: Sdk): Histogram | undefined {
  let histogram = histograms.get(sdk);
  if (!histogram && sdk.meterProvider) {
    histogram = sdk.meterProvider.getMeter(SCOPE, VERSION).createHistogram("faas.invoke_duration", {
      description: "Measures the duration of the function's logic execution",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    histograms.set(sdk, histogram);
  }
  return histogram;
}

/**
 * Runs `fn` inside a new local-root span for a non-HTTP trigger, records errors and
 * `faas.invoke_duration`, and ends the span before returning (or rethrowing).
 */
async function traced<T>(sdk: Sdk, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>, fn: () => T): Promise<Awaited<T>> {
  const started = performance.now();
  const span = sdk.tracerProvider!.getTracer(SCOPE, VERSION).startSpan(name, { kind, attributes }, context.active());
  markInvocation(span);
  let failed: unknown;
  try {
    return await context.with(setSpan(context.active(), span), fn);
  } catch (error) {
    failed = error;
    recordError(span, error);
    throw error;
  } finally {
    span.end();
    const metricAttributes: Record<string, string> = { "faas.trigger": String(attributes["faas.trigger"]) };
    if (failed !== undefined) metricAttributes["error.type"] = errorType(failed);
    invokeDuration(sdk)?.record((performance.now() - started) / 1000, metricAttributes);
  }
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
  if (handler === null || typeof handler !== "object") throw new TypeError(`instrument: handler must be an object with fetch/scheduled/queue methods, got ${handler === null ? "null" : typeof handler}`);
  if (config === null || (typeof config !== "object" && typeof config !== "function")) {
    throw new TypeError("instrument: config must be init() options or a function (env) => options");
  }
  const memo: { config?: WorkersInstrumentConfig } = {};
  // Own properties copied onto an object with the same prototype (class-based apps such as
  // Hono keep their prototype methods); the user's methods are called with `this` = handler.
  const wrapped = Object.assign(Object.create(Object.getPrototypeOf(handler) as object | null) as H, handler);
  const userFetch = handler.fetch;
  const userScheduled = handler.scheduled;
  const userQueue = handler.queue;
  let tracedFetch: ((request: Request, env: unknown, ctx: WaitUntilContext) => Promise<Response>) | undefined;

  if (typeof userFetch === "function") {
    wrapped.fetch = async function fetch(request: Request, env: Env, ctx: WaitUntilContext): Promise<unknown> {
      invocations++;
      const started = start(config, env, memo);
      if (!started) return userFetch.call(handler, request, env, ctx);
      try {
        tracedFetch ??= instrumentHandler((req: Request, e: unknown, c: WaitUntilContext): Promise<Response> => {
          markInvocation(activeSpan());
          return userFetch.call(handler, req, e, c) as Promise<Response>;
        }, { clientAddress: cloudflareClientAddress, ...started.config.handler });
        return await tracedFetch(request, env, ctx);
      } finally {
        flushInWaitUntil(ctx, started.sdk);
      }
    };
  }
  if (typeof userScheduled === "function") {
    wrapped.scheduled = async function scheduled(controller: ScheduledControllerLike, env: Env, ctx: WaitUntilContext): Promise<unknown> {
      invocations++;
      const started = start(config, env, memo);
      if (!started) return userScheduled.call(handler, controller, env, ctx);
      const attributes: Record<string, string> = { "faas.trigger": "timer" };
      if (typeof controller?.cron === "string" && controller.cron !== "") attributes["faas.cron"] = controller.cron;
      const time = Number(controller?.scheduledTime);
      if (Number.isFinite(time)) attributes["faas.time"] = new Date(time).toISOString();
      try {
        return await traced(started.sdk, controller?.cron ? `scheduled ${controller.cron}` : "scheduled", 1 /* SpanKind.SERVER */, attributes, () =>
          userScheduled.call(handler, controller, env, ctx),
        );
      } finally {
        flushInWaitUntil(ctx, started.sdk);
      }
    };
  }
  if (typeof userQueue === "function") {
    wrapped.queue = async function queue(batch: MessageBatchLike, env: Env, ctx: WaitUntilContext): Promise<unknown> {
      invocations++;
      const started = start(config, env, memo);
      if (!started) return userQueue.call(handler, batch, env, ctx);
      const name = typeof batch?.queue === "string" ? batch.queue : "";
      const attributes: Record<string, string | number> = {
        "faas.trigger": "pubsub",
        "messaging.system": "cloudflare_queues",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
      };
      if (name) attributes["messaging.destination.name"] = name;
      if (Array.isArray(batch?.messages)) attributes["messaging.batch.message_count"] = batch.messages.length;
      try {
        // Semconv messaging spans: "{messaging.operation.name} {destination}", kind CONSUMER.
        return await traced(started.sdk, name ? `process ${name}` : "process", 4 /* SpanKind.CONSUMER */, attributes, () => userQueue.call(handler, batch, env, ctx));
      } finally {
        flushInWaitUntil(ctx, started.sdk);
      }
    };
  }
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
  if (typeof Class !== "function") throw new TypeError(`instrumentDurableObject: expected a class, got ${typeof Class}`);
  if (config === null || (typeof config !== "object" && typeof config !== "function")) {
    throw new TypeError("instrumentDurableObject: config must be init() options or a function (env) => options");
  }
  const memo: { config?: WorkersInstrumentConfig } = {};
  const invocation = new WeakMap<object, { state: WaitUntilContext; env: unknown; fetch?: (request: Request) => Promise<Response> }>();
  // deno-lint-ignore no-explicit-any
  const Base = Class as unknown as new (...args: any[]) => object;
  const Instrumented = class extends Base {
    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      invocation.set(this, { state: args[0] as WaitUntilContext, env: args[1] });
    }
  };
  Object.defineProperty(Instrumented, "name", { value: Class.name });
  const proto = Class.prototype as { fetch?: unknown; alarm?: unknown };
  const userFetch = proto.fetch;
  const userAlarm = proto.alarm;

  if (typeof userFetch === "function") {
    Object.defineProperty(Instrumented.prototype, "fetch", {
      configurable: true,
      writable: true,
      value: async function fetch(this: object, request: Request): Promise<Response> {
        invocations++;
        const own = invocation.get(this);
        const started = own ? start(config, own.env, memo) : undefined;
        if (!own || !started) return (userFetch as (request: Request) => Promise<Response>).call(this, request);
        try {
          own.fetch ??= instrumentHandler((req: Request): Promise<Response> => {
            markInvocation(activeSpan());
            return (userFetch as (request: Request) => Promise<Response>).call(this, req);
          }, { clientAddress: cloudflareClientAddress, ...started.config.handler } as HandlerInstrumentationOptions<[]>);
          return await own.fetch(request);
        } finally {
          flushInWaitUntil(own.state, started.sdk);
        }
      },
    });
  }
  if (typeof userAlarm === "function") {
    Object.defineProperty(Instrumented.prototype, "alarm", {
      configurable: true,
      writable: true,
      value: async function alarm(this: object, ...args: unknown[]): Promise<unknown> {
        invocations++;
        const own = invocation.get(this);
        const started = own ? start(config, own.env, memo) : undefined;
        if (!own || !started) return (userAlarm as (...a: unknown[]) => unknown).apply(this, args);
        try {
          return await traced(started.sdk, "alarm", 1 /* SpanKind.SERVER */, { "faas.trigger": "timer" }, () => (userAlarm as (...a: unknown[]) => unknown).apply(this, args));
        } finally {
          flushInWaitUntil(own.state, started.sdk);
        }
      },
    });
  }
  return Instrumented as unknown as C;
}

/** Cloudflare puts the client's IP in `CF-Connecting-IP` (set by the edge, not the client). */
function cloudflareClientAddress(request: Request): string | undefined {
  return request.headers?.get("cf-connecting-ip") ?? undefined;
}

function activeSpan(): Span | undefined {
  return getSpan(context.active());
}
