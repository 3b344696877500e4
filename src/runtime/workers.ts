/**
 * The Cloudflare Workers entry (the package's `workerd` and `worker` export conditions
 * point `otel-edge` here): everything from the core, with `init()` wired to Workers —
 *
 * - context: `AsyncLocalStorage` when the Worker has `nodejs_compat` or `nodejs_als`
 *   (found at run time, never imported statically, so a Worker without those flags still
 *   loads); otherwise the stack manager with explicit context passing, reported once;
 * - configuration: the `env` binding the fetch handler receives (string bindings are
 *   `OTEL_*` variables; other bindings are ignored), else `process.env` where
 *   `nodejs_compat` provides it;
 * - no timers between requests: spans, logs and metrics are exported only when flushed,
 *   which a handler does per invocation with {@link flushInWaitUntil} (workerd does not run
 *   an isolate's timers outside a request, and may evict the isolate at any moment);
 * - metrics default to delta temporality: every isolate is its own process, and cumulative
 *   series from many isolates sharing one resource would collide at the backend.
 *
 * @example
 * ```ts
 * import { init, flushInWaitUntil, trace } from "otel-edge";
 * export default {
 *   async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext) {
 *     init({ env, serviceName: "edge-api" }); // once per isolate; later calls return the same SDK
 *     try {
 *       return await trace.getTracer("edge-api").startActiveSpan("handle", async (span) => {
 *         try { return new Response("ok"); } finally { span.end(); }
 *       });
 *     } finally {
 *       flushInWaitUntil(ctx);
 *     }
 *   },
 * };
 * ```
 *
 * @module
 */
export { flushInWaitUntil, init, workersContextManager, type WaitUntilContext } from "./workers-init.ts";
export {
  instrument,
  instrumentDurableObject,
  type DurableObjectClass,
  type MessageBatchLike,
  type ScheduledControllerLike,
  type WorkersConfigSource,
  type WorkersHandler,
  type WorkersInstrumentConfig,
} from "./workers-instrument.ts";
export * from "../../mod.ts";
