// trackNavigations in Node with a fake History API: `history.pushState`/`replaceState` update a
// fake `location` (as browsers do), and `popstate` is dispatched through a fake window listener.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { SimpleSpanProcessor } from "../../../src/trace/simple-span-processor.ts";
import { BasicTracerProvider } from "../../../src/trace/tracer-provider.ts";
import type { ReadableSpan } from "../../../src/trace/types.ts";
import { trackNavigations } from "../../../src/runtime/rum/navigation.ts";

const g = globalThis as Record<string, unknown>;

interface FakeHistory {
  pushState(data: unknown, unused: string, url?: string | URL | null): void;
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
  back(to: string): void;
  calls: string[];
}

function installPage(start: string): { history: FakeHistory; listeners: Map<string, () => void> } {
  const location = { href: start };
  const listeners = new Map<string, () => void>();
  const calls: string[] = [];
  const move = (url: string | URL | null | undefined): void => {
    if (url === undefined || url === null) return;
    const next = new URL(String(url), location.href);
    if (next.origin !== new URL(location.href).origin) throw new Error("SecurityError: cross-origin history URL");
    location.href = next.href;
  };
  const history: FakeHistory = {
    pushState(_d, _u, url) {
      calls.push(`push ${String(url)}`);
      move(url);
    },
    replaceState(_d, _u, url) {
      calls.push(`replace ${String(url)}`);
      move(url);
    },
    back(to: string) {
      location.href = new URL(to, location.href).href;
      listeners.get("popstate")?.();
    },
    calls,
  };
  g.location = location;
  g.history = history;
  g.addEventListener = (type: string, l: () => void) => listeners.set(type, l);
  g.removeEventListener = (type: string, l: () => void) => {
    if (listeners.get(type) === l) listeners.delete(type);
  };
  return { history, listeners };
}

function telemetry(): { provider: BasicTracerProvider; finished: () => Promise<ReadableSpan[]> } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, finished: async () => (await provider.forceFlush(), exporter.getFinishedSpans()) };
}

test.after.each(() => {
  for (const k of ["location", "history", "addEventListener", "removeEventListener"]) delete g[k];
});

test("pushState, replaceState and popstate each record a routeChange span with the new route", async () => {
  const { history } = installPage("https://shop.example.com/");
  const { provider, finished } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  history.pushState({}, "", "/cart?token=abc&x=1#top");
  history.replaceState({}, "", "/cart/step-2");
  history.back("/");
  stop();
  const spans = await finished();
  assert.equal(
    spans.map((s) => [s.name, s.attributes["navigation.type"], s.attributes["url.path"], s.attributes["url.full"]]),
    [
      ["routeChange", "push", "/cart", "https://shop.example.com/cart?token=REDACTED&x=1"],
      ["routeChange", "replace", "/cart/step-2", "https://shop.example.com/cart/step-2"],
      ["routeChange", "pop", "/", "https://shop.example.com/"],
    ],
  );
  assert.equal(history.calls, ["push /cart?token=abc&x=1#top", "replace /cart/step-2"], "the original methods still run");
  for (const s of spans) assert.ok(s.endTime >= s.startTime);
});

test("a replaceState that keeps the URL (state-only update) records nothing", async () => {
  const { history } = installPage("https://shop.example.com/a");
  const { provider, finished } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  history.replaceState({ scroll: 10 }, "");
  history.replaceState({ scroll: 20 }, "", "/a");
  stop();
  assert.is((await finished()).length, 0);
});

test("stop restores the History methods and removes the popstate listener", async () => {
  const { history, listeners } = installPage("https://shop.example.com/");
  const push = history.pushState;
  const replace = history.replaceState;
  const { provider, finished } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  assert.is.not(history.pushState, push);
  assert.ok(listeners.has("popstate"));
  stop();
  assert.is(history.pushState, push);
  assert.is(history.replaceState, replace);
  assert.not.ok(listeners.has("popstate"));
  history.pushState({}, "", "/after-stop");
  assert.is((await finished()).length, 0);
  stop(); // idempotent
});

test("a wrapper installed after ours is left in place on stop; ours goes inert", async () => {
  const { history } = installPage("https://shop.example.com/");
  const { provider, finished } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  const ours = history.pushState;
  const seen: string[] = [];
  const theirs = function (this: unknown, d: unknown, u: string, url?: string | URL | null): void {
    seen.push(String(url));
    ours.call(this, d, u, url);
  };
  history.pushState = theirs;
  stop();
  assert.is(history.pushState, theirs);
  history.pushState({}, "", "/x");
  assert.equal(seen, ["/x"]);
  assert.equal(history.calls, ["push /x"]);
  assert.is((await finished()).length, 0);
});

test("an error from the original (cross-origin URL) reaches the caller; nothing is recorded", async () => {
  const { history } = installPage("https://shop.example.com/");
  const { provider, finished } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  assert.throws(() => history.pushState({}, "", "https://evil.example.com/"), /SecurityError/);
  stop();
  assert.is((await finished()).length, 0);
});

test("a custom redactUrl decides url.full; one that throws leaves url.full out", async () => {
  const { history } = installPage("https://shop.example.com/");
  const { provider, finished } = telemetry();
  let stop = trackNavigations({ tracer: provider.getTracer("rum"), redactUrl: (u) => u.origin + u.pathname.replace(/\d+/g, ":id") });
  history.pushState({}, "", "/orders/123");
  stop();
  stop = trackNavigations({
    tracer: provider.getTracer("rum"),
    redactUrl: () => {
      throw new Error("bad rule");
    },
  });
  history.pushState({}, "", "/orders/456");
  stop();
  const spans = await finished();
  assert.is(spans[0]!.attributes["url.full"], "https://shop.example.com/orders/:id");
  assert.is(spans[1]!.attributes["url.full"], undefined);
  assert.is(spans[1]!.attributes["url.path"], "/orders/456");
});

test("no History API (Worker, server): a no-op stop, nothing thrown", () => {
  const { provider } = telemetry();
  const stop = trackNavigations({ tracer: provider.getTracer("rum") });
  assert.type(stop, "function");
  stop();
});

test.run();
