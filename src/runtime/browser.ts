/**
 * The browser entry: everything from the core, with `init()` wired to the page —
 * `AsyncContext.Variable` for context across `await` when the browser has it, else the
 * synchronous stack manager with explicit context passing; configuration from options
 * only (a page has no environment variables); OTLP requests sent with `fetch` keepalive;
 * and a flush whenever the page is hidden or left, so telemetry survives navigation.
 * The package's `browser` export condition points `otel-edge` here.
 *
 * Loads in Web Workers too: page events are feature-detected, and a Worker simply gets
 * no page-hide flush (it flushes on the batch timer or when you call `sdk.flush()`).
 *
 * @module
 */
export { browserContextManager, init } from "./browser-init.ts";
export * from "../../mod.ts";
export { initRum, type RumOptions, type RumSdk } from "./rum/rum.ts";
export { webVitalHistograms, type WebVitalRecorder } from "./rum/web-vital-histograms.ts";
export type { WebVitalReport } from "./rum/web-vitals.ts";
