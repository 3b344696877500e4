// Runs in Chromium: the shared scenario through the browser bundle (`dist/browser.js`, what the
// `browser` export condition resolves to), with explicit context passing. It does NOT flush:
// the test navigates away and the data must arrive thanks to the page-hide flush with keepalive.
//
// Query: ?endpoint=<OTLP base URL>&backend=<backend URL>. Every request to the OTLP endpoint
// is logged (url, keepalive, body size) into sessionStorage, which survives the same-origin
// navigation, so the test can read on the next page how the data was sent.
import * as otel from "/dist/browser.js";
import { createScenarioHandler, INCOMING_TRACEPARENT } from "/scenario.mjs";

const params = new URL(location.href).searchParams;
const endpoint = params.get("endpoint");
const backendUrl = params.get("backend");
const mode = params.get("mode") ?? "scenario";

const LOG_KEY = "otlp-fetches";
const realFetch = globalThis.fetch;
globalThis.fetch = function loggingFetch(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(endpoint)) {
    const log = JSON.parse(sessionStorage.getItem(LOG_KEY) ?? "[]");
    const body = init?.body;
    log.push({ url, keepalive: init?.keepalive === true, bytes: typeof body === "string" ? new TextEncoder().encode(body).byteLength : body?.byteLength ?? -1, visibility: document.visibilityState });
    sessionStorage.setItem(LOG_KEY, JSON.stringify(log));
  }
  return realFetch.call(this, input, init);
};

// Long batch delays: nothing may leave the page before it is hidden.
const LONG = 600_000;
const initOptions = {
  serviceName: "scenario-browser",
  serviceVersion: "1.0.0",
  otlp: { endpoint },
  batch: { scheduledDelayMillis: LONG },
  logBatch: { scheduledDelayMillis: LONG },
  metricExportIntervalMillis: LONG,
  // The shared scenario records all three signals: the browser init() starts traces only.
  parts: [otel.metricsSdk(), otel.logsSdk()],
};

async function scenario() {
  const sdk = otel.init(initOptions);
  // Which context manager is in use, by behaviour: the stack manager keeps a context only
  // for the synchronous extent of `with`, so after an `await` the root context is active.
  const probe = otel.ROOT_CONTEXT.setValue(otel.createContextKey("probe"), 1);
  const activeInWith = otel.context.with(probe, () => otel.context.active() === probe);
  const activeAfterAwait = await otel.context.with(probe, async () => {
    await null;
    return otel.context.active() === probe;
  });
  const handle = createScenarioHandler(otel, { backendUrl, runtime: "browser", explicitContext: true });
  const response = await handle(new Request("http://scenario.test/work", { headers: { traceparent: INCOMING_TRACEPARENT } }));
  const { traceId } = await response.json();
  globalThis.__sdk = sdk;
  return {
    traceId,
    activeInWith,
    activeAfterAwait,
    hasAsyncContext: typeof globalThis.AsyncContext !== "undefined",
    stackManager: otel.browserContextManager() instanceof otel.StackContextManager,
  };
}

// mode=hidden: one span, then the page pretends to be hidden (visibilitychange), stays open.
async function hidden() {
  const sdk = otel.init({ ...initOptions, serviceName: "hidden-browser" });
  globalThis.__sdk = sdk;
  otel.trace.getTracer("hidden").startSpan("before-hide").end();
  return { queued: true };
}

// mode=big: ~190 KiB of spans, more than one keepalive request (or the 64 KiB budget) can carry.
async function big() {
  const sdk = otel.init({ ...initOptions, serviceName: "big-browser", metricExporter: "none", logExporter: "none", batch: { scheduledDelayMillis: LONG, maxExportBatchSize: 512 } });
  globalThis.__sdk = sdk;
  const tracer = otel.trace.getTracer("big");
  for (let i = 0; i < 240; i++) tracer.startSpan(`big-${i}`, { attributes: { pad: "x".repeat(700) } }).end();
  return { queued: 240 };
}

globalThis.scenarioDone = mode === "hidden" ? hidden() : mode === "big" ? big() : scenario();
