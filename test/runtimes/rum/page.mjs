// Runs in Chromium: `initRum()` from the browser bundle. Query: ?endpoint=<OTLP base URL>&mode=…
// Every request to the OTLP endpoint is logged (url, keepalive, bytes, body kind, visibility) in
// sessionStorage, which survives the same-origin navigation; beacons too.
import * as otel from "/dist/browser.js";

const params = new URL(location.href).searchParams;
const endpoint = params.get("endpoint");
const mode = params.get("mode") ?? "scenario";
const LOG_KEY = "otlp-sends";

function log(entry) {
  const all = JSON.parse(sessionStorage.getItem(LOG_KEY) ?? "[]");
  all.push({ ...entry, visibility: document.visibilityState });
  sessionStorage.setItem(LOG_KEY, JSON.stringify(all));
}
const size = (body) => (typeof body === "string" ? new TextEncoder().encode(body).byteLength : body instanceof Blob ? body.size : body?.byteLength ?? -1);
const realFetch = globalThis.fetch;
globalThis.fetch = function loggingFetch(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(endpoint)) log({ via: "fetch", url, keepalive: init?.keepalive === true, bytes: size(init?.body), gzip: new Headers(init?.headers).get("content-encoding") === "gzip" });
  return realFetch.call(this, input, init);
};
const realBeacon = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url, data) => {
  const ok = realBeacon(url, data);
  log({ via: "beacon", url, bytes: size(data), ok, type: typeof data === "string" ? "text/plain" : data?.type });
  return ok;
};

const LONG = 600_000;
const options = {
  serviceName: "rum-e2e",
  otlp: { endpoint },
  batch: { scheduledDelayMillis: LONG },
  logBatch: { scheduledDelayMillis: LONG },
};
// The program's metrics, for the pages that ask for the web_vitals.* histograms.
const withMetrics = { parts: [otel.metricsSdk()], metricExportIntervalMillis: LONG, webVitals: { histograms: otel.webVitalHistograms } };

if (mode === "headers") {
  // Header capture on traced XHR (cross-origin, CORS) and fetch (same origin), then a flush.
  const sdk = otel.initRum({
    ...options,
    captureRequestHeaders: ["x-request-id", "authorization", "traceparent"],
    captureResponseHeaders: ["x-served-by", "x-internal", "content-type", "set-cookie"],
  });
  globalThis.__sdk = sdk;
  const api = params.get("api");
  globalThis.ready = (async () => {
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${api}/api/xhr`);
      xhr.setRequestHeader("X-Request-Id", "xhr-1");
      xhr.setRequestHeader("x-request-id", "xhr-2");
      xhr.setRequestHeader("Authorization", "Bearer xhr-secret");
      xhr.addEventListener("loadend", () => (xhr.status === 200 ? resolve() : reject(new Error(`xhr status ${xhr.status}`))));
      xhr.send("{}");
    });
    const response = await fetch("/api/work", { headers: { "x-request-id": "fetch-1", authorization: "Bearer fetch-secret" } });
    await response.text();
    await sdk.flush();
    return true;
  })();
} else if (mode === "big") {
  // Many spans, more than one keepalive request (or the 64 KiB budget) can carry, recorded once
  // the page load has left (initRum exports it in idle time after load, traces first): they are
  // all still queued when the test hides the page.
  const sdk = otel.initRum({ ...options, transport: params.get("transport") ?? "fetch", batch: { scheduledDelayMillis: LONG, maxExportBatchSize: 512 } });
  globalThis.__sdk = sdk;
  const idle = () => new Promise((resolve) => requestIdleCallback(resolve));
  globalThis.ready = (async () => {
    while (!JSON.parse(sessionStorage.getItem(LOG_KEY) ?? "[]").some((f) => f.url.endsWith("/v1/traces"))) await new Promise((r) => setTimeout(r, 20));
    await idle(); // the logs' and metrics' turns
    await idle();
    await new Promise((r) => setTimeout(r, 50));
    const tracer = otel.trace.getTracer("big");
    for (let i = 0; i < 240; i++) tracer.startSpan(`big-${i}`, { attributes: { pad: "x".repeat(700) } }).end();
    return true;
  })();
} else if (mode === "bfcache") {
  // Left for next.html and restored from the back/forward cache: the pageshow events tell.
  globalThis.__sdk = otel.initRum({ ...options, ...withMetrics });
  globalThis.shows = [];
  addEventListener("pageshow", (e) => globalThis.shows.push({ persisted: e.persisted, timeStamp: e.timeStamp }));
  globalThis.ready = new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(true), 100))));
} else {
  // The web_vitals.* histograms too, with the program's metrics (the events come without asking).
  const sdk = otel.initRum({ ...options, ...withMetrics, transport: params.get("transport") ?? "fetch" });
  globalThis.__sdk = sdk;
  document.getElementById("go").addEventListener("click", async () => {
    const response = await fetch("/api/work");
    // A same-origin XHR outside any span (after the await no span is active): it joins the page
    // view's trace as the fetch does.
    await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", "/api/xhr-work");
      xhr.addEventListener("loadend", resolve);
      xhr.send();
    });
    document.getElementById("result").textContent = JSON.stringify(await response.json());
    // An uncaught error from the application.
    setTimeout(() => {
      throw new TypeError("checkout exploded");
    });
  });
  // A layout shift without recent input: a banner pushes the content down after first paint.
  globalThis.ready = new Promise((resolve) => {
    const insert = () =>
      setTimeout(() => {
        const banner = document.createElement("div");
        banner.style.height = "200px";
        banner.textContent = "Late banner";
        document.getElementById("banner-slot").append(banner);
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(true), 100)));
      }, 50);
    if (document.readyState === "complete") insert();
    else addEventListener("load", insert, { once: true });
  });
}
