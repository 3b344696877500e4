/**
 * `init()` for browsers and Web Workers (the entry, `browser.ts`, says what it does and why):
 * traces from options only, keepalive OTLP requests, a flush when the page is hidden or left.
 * RUM builds on it, so it lives apart from the entry that re-exports both.
 */
import { diag } from "../common/diag.ts";
import { AsyncContextVariableManager, type AsyncContextVariableClass } from "../context/async-context-manager.ts";
import type { ContextManager } from "../context/manager.ts";
import { StackContextManager } from "../context/stack-manager.ts";
import { initSdk, type Sdk } from "../sdk/init.ts";
import { checkOptionShapes } from "../sdk/option-checks.ts";
import type { InitOptions } from "../sdk/options.ts";
import { SPEC_DEFAULTS } from "../sdk/spec-defaults.ts";
import { tracesSdk } from "../sdk/traces-part.ts";
import { createKeepaliveFetch } from "./browser-keepalive-fetch.ts";
import { onPageHide } from "./browser-page-hide.ts";

/**
 * The context manager for this browser: `AsyncContext.Variable` (TC39 proposal) when
 * present — context then follows `await` — else the stack manager, where context must be
 * passed explicitly across `await` (`tracer.startSpan(name, options, ctx)`).
 */
export function browserContextManager(): ContextManager {
  const Variable = (globalThis as { AsyncContext?: { Variable?: AsyncContextVariableClass } }).AsyncContext?.Variable;
  return typeof Variable === "function" ? new AsyncContextVariableManager(Variable) : new StackContextManager();
}

/**
 * Starts the SDK in a browser (or Web Worker): like the core `init`, with the context
 * manager from {@link browserContextManager}, keepalive OTLP requests, and a flush on
 * `pagehide` and on `visibilitychange` to `hidden` (listeners removed by `shutdown()`).
 *
 * A page has no environment, so configuration comes from options only: no `OTEL_*` variable
 * is read (a given `options.env` is ignored, with one diag warning), and without the
 * `sampler` / `propagator` options the spec defaults apply — ParentBased(root = AlwaysOn),
 * W3C tracecontext + baggage. Nothing selects samplers or propagators by name, so none of
 * that code is bundled.
 *
 * Keepalive lets a request outlive the page, but browsers cap in-flight keepalive bodies at
 * 64 KiB in total (Fetch standard, "HTTP-network-or-cache fetch", inflight keepalive bytes):
 * bodies over 60 KiB are split into several requests, and what exceeds the budget is sent
 * without keepalive, so it completes only if the page stays (see `browser-keepalive-fetch.ts`).
 * `otlp: { keepalive: false }` turns all of this off.
 *
 * @example
 * ```ts
 * import { init, trace } from "otel-edge/browser";
 * init({ serviceName: "shop-web", otlp: { endpoint: "https://collector.example.com" } });
 * const span = trace.getTracer("ui").startSpan("checkout.click");
 * span.end(); // exported on the batch timer, or when the user leaves the page
 * ```
 */
export function init(options: InitOptions = {}): Sdk {
  checkOptionShapes(options);
  if (options.env !== undefined) diag.warn("init(): options.env is ignored in the browser: a page has no environment, so configure otel-edge with options.");
  const keepalive = options.otlp?.keepalive ?? true;
  const sdk = initSdk(
    {
      contextManager: browserContextManager(),
      ...options,
      // A page has no environment: `OTEL_*` variables don't apply (options only).
      env: undefined,
      // keepalive: the OTLP request may still be in flight when the page goes away. One
      // shared fetch for the three signals keeps their keepalive bytes within the budget.
      otlp: keepalive ? { ...options.otlp, keepalive, fetch: createKeepaliveFetch(options.otlp?.fetch) } : options.otlp,
    },
    // Semantic conventions: telemetry.sdk.language "webjs" is JavaScript in a browser. Traces;
    // metrics and logs when the program imports them (parts: [metricsSdk(), logsSdk()]).
    { sdkLanguage: "webjs", select: SPEC_DEFAULTS, parts: [tracesSdk()] },
  );
  if (sdk.disabled) return sdk;
  // Page hidden or left: export now. The flush starts its keepalive fetches synchronously
  // (in the event's task and its microtasks), before the document is torn down; it never
  // rejects. Spans still open at that moment are not exported (they have not ended).
  const removeListeners = onPageHide(() => void sdk.flush());
  return {
    ...sdk,
    shutdown: () => {
      removeListeners();
      return sdk.shutdown();
    },
  };
}

