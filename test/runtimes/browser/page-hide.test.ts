// The browser entry's page-hide wiring, with stand-ins for `window` and `document` in Node:
// which events flush, once per event, listeners removed by shutdown, nothing in a Worker.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { onPageHide } from "../../../src/runtime/browser-page-hide.ts";
import { init, browserContextManager, diag, propagation, StackContextManager, trace } from "../../../src/runtime/browser.ts";
import { captureDiag } from "../../helpers/capture-diag.ts";
import type { ReadableSpan } from "../../../src/trace/types.ts";

type G = { document?: unknown; addEventListener?: unknown; removeEventListener?: unknown };
const g = globalThis as G;

/** Installs a fake page (document + window events) and returns its controls. */
function fakePage() {
  const doc = new EventTarget() as EventTarget & { visibilityState: string };
  doc.visibilityState = "visible";
  const win = new EventTarget();
  const listeners = new Set<string>();
  const track = (target: EventTarget, name: string) => {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (type: string, fn: EventListenerOrEventListenerObject | null) => (listeners.add(`${name}:${type}`), add(type, fn));
    target.removeEventListener = (type: string, fn: EventListenerOrEventListenerObject | null) => (listeners.delete(`${name}:${type}`), remove(type, fn));
  };
  track(doc, "document");
  track(win, "window");
  g.document = doc;
  g.addEventListener = win.addEventListener.bind(win);
  g.removeEventListener = win.removeEventListener.bind(win);
  return {
    listeners,
    hide(state = "hidden") {
      doc.visibilityState = state;
      doc.dispatchEvent(new Event("visibilitychange"));
    },
    pagehide: () => win.dispatchEvent(new Event("pagehide")),
  };
}

function removeFakePage(): void {
  delete g.document;
  delete g.addEventListener;
  delete g.removeEventListener;
}

test.after.each(removeFakePage);

test("onPageHide: once per pagehide and per visibilitychange to hidden, not to visible; removal stops it", () => {
  const page = fakePage();
  let calls = 0;
  const remove = onPageHide(() => calls++);
  assert.equal([...page.listeners].sort(), ["document:visibilitychange", "window:pagehide"]);
  page.hide("visible");
  assert.is(calls, 0);
  page.hide("hidden");
  assert.is(calls, 1);
  page.pagehide();
  assert.is(calls, 2);
  remove();
  assert.is(page.listeners.size, 0);
  page.hide();
  page.pagehide();
  assert.is(calls, 2);
});

test("onPageHide: a callback that throws does not escape into the page's event loop", () => {
  const page = fakePage();
  onPageHide(() => {
    throw new Error("boom");
  });
  page.pagehide();
});

test("onPageHide: registers nothing without a document (Web Worker, server runtimes)", () => {
  const win = new EventTarget();
  let added = 0;
  g.addEventListener = (...args: Parameters<EventTarget["addEventListener"]>) => (added++, win.addEventListener(...args));
  g.removeEventListener = win.removeEventListener.bind(win);
  const remove = onPageHide(() => assert.unreachable());
  assert.is(added, 0);
  remove();
});

test("init: hiding the page exports the ended spans without waiting for the batch timer; shutdown removes the listeners", async () => {
  const page = fakePage();
  const exported: string[] = [];
  const exporter = {
    export: (spans: ReadableSpan[]) => (exported.push(...spans.map((s) => s.name)), Promise.resolve({ code: 0 as const })),
    shutdown: () => Promise.resolve(),
  };
  const sdk = init({ serviceName: "web", traceExporter: exporter, batch: { scheduledDelayMillis: 600_000 } });
  assert.is(sdk.resource.attributes["telemetry.sdk.language"], "webjs");
  assert.equal([...page.listeners].sort(), ["document:visibilitychange", "window:pagehide"]);
  trace.getTracer("t").startSpan("clicked").end();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(exported, [], "the batch timer is long: nothing exported yet");
  page.pagehide();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(exported, ["clicked"]);
  await sdk.shutdown();
  assert.is(page.listeners.size, 0);
});

test("init: a disabled SDK adds no listeners; the context manager is the stack manager without AsyncContext", async () => {
  const page = fakePage();
  const sdk = init({ disabled: true });
  assert.is(page.listeners.size, 0);
  await sdk.shutdown();
  assert.instance(browserContextManager(), StackContextManager);
});

test("init: options.env is ignored with one warning; the spec's default sampler and propagators apply", async () => {
  const messages = captureDiag();
  const exported: string[] = [];
  const sdk = init({
    serviceName: "web",
    env: { OTEL_TRACES_SAMPLER: "always_off", OTEL_PROPAGATORS: "b3" },
    traceExporter: {
      export: (spans: ReadableSpan[]) => (exported.push(...spans.map((s) => s.name)), Promise.resolve({ code: 0 as const })),
      shutdown: () => Promise.resolve(),
    },
    metricExporter: "none",
    logExporter: "none",
  });
  trace.getTracer("t").startSpan("sampled").end();
  await sdk.flush();
  assert.equal(exported, ["sampled"], "ParentBased(AlwaysOn), not OTEL_TRACES_SAMPLER");
  assert.equal(propagation.fields().sort(), ["baggage", "traceparent", "tracestate"], "W3C tracecontext + baggage, not OTEL_PROPAGATORS");
  assert.equal(messages.filter((m) => m.includes("options.env is ignored in the browser")).length, 1);
  await sdk.shutdown();
  diag.setLogger();
});

test.run();
