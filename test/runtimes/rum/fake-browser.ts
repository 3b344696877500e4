// A fake page for the RUM unit suites in Node: PerformanceObserver with per-type delivery (and
// Event Timing's `durationThreshold` filter), `performance.getEntriesByType` over the same
// timeline, document/window event targets with visibilityState and `prerendering`,
// `requestAnimationFrame` run frame by frame, and back/forward-cache leave/restore events;
// XMLHttpRequest is left to each suite.
type Listener = (e: unknown) => void;

export class FakeTarget {
  listeners = new Map<string, Set<Listener>>();
  addEventListener(type: string, fn: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: Listener): void {
    this.listeners.get(type)?.delete(fn);
  }
  dispatch(type: string, event: unknown = { type }): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn(event);
  }
  count(type?: string): number {
    if (type) return this.listeners.get(type)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

export interface FakeEntry {
  name?: string;
  entryType: string;
  startTime: number;
  duration?: number;
  [k: string]: unknown;
}

export class FakeDocument extends FakeTarget {
  visibilityState = "visible";
  prerendering?: boolean;
  hide(): void {
    this.visibilityState = "hidden";
    this.dispatch("visibilitychange");
  }
}

export interface FakePage {
  document: FakeDocument;
  window: FakeTarget;
  /** Delivers entries to every observer of their type (buffered ones included for later observers). */
  emit(...entries: FakeEntry[]): void;
  /** Entries an observer will only see through takeRecords() (queued, not yet delivered). */
  queue(...entries: FakeEntry[]): void;
  observed(): string[];
  observerCount(): number;
  /** Runs the animation-frame callbacks queued so far (those they queue wait for the next frame). */
  frame(): void;
  /** Frame callbacks waiting. */
  pendingFrames(): number;
  /** The page enters the back/forward cache: `visibilitychange` to hidden, then `pagehide` persisted. */
  leaveToCache(): void;
  /** The page is restored from the back/forward cache at `timeStamp` (`performance.now()` scale): visible, then `pageshow` persisted. */
  restoreFromCache(timeStamp: number): void;
  restore(): void;
}

/** Installs the fake page on globalThis (document, add/removeEventListener, PerformanceObserver). */
export function installFakePage(supported: string[] = ["navigation", "paint", "largest-contentful-paint", "layout-shift", "event", "first-input"]): FakePage {
  const g = globalThis as Record<string, unknown>;
  const saved = { document: g.document, addEventListener: g.addEventListener, removeEventListener: g.removeEventListener, PerformanceObserver: g.PerformanceObserver, requestAnimationFrame: g.requestAnimationFrame };
  const perf = g.performance as Record<string, unknown>;
  const document = new FakeDocument();
  const window = new FakeTarget();
  const buffer: FakeEntry[] = [];
  const observers = new Set<FakeObserver>();
  class FakeObserver {
    static supportedEntryTypes = supported;
    types: string[] = [];
    pending: FakeEntry[] = [];
    // Event Timing: "event" entries shorter than the threshold (default 104 ms, at least 16 ms)
    // are never delivered (https://w3c.github.io/event-timing/#sec-modifications-perf-timeline).
    eventThreshold = 104;
    constructor(private cb: (list: { getEntries(): FakeEntry[] }) => void) {}
    observe(o: { type: string; buffered?: boolean; durationThreshold?: number }): void {
      if (!supported.includes(o.type)) throw new TypeError("unsupported");
      this.types.push(o.type);
      if (o.type === "event") this.eventThreshold = Math.max(16, o.durationThreshold ?? 104);
      observers.add(this);
      const old = o.buffered ? buffer.filter((e) => this.wants(e) && e.entryType === o.type) : [];
      if (old.length) this.cb({ getEntries: () => old });
    }
    wants(e: FakeEntry): boolean {
      return this.types.includes(e.entryType) && (e.entryType !== "event" || (e.duration ?? 0) >= this.eventThreshold);
    }
    deliver(entries: FakeEntry[]): void {
      const mine = entries.filter((e) => this.wants(e));
      if (mine.length) this.cb({ getEntries: () => mine });
    }
    takeRecords(): FakeEntry[] {
      const out = this.pending.filter((e) => this.wants(e));
      this.pending = [];
      return out;
    }
    disconnect(): void {
      observers.delete(this);
    }
  }
  g.document = document;
  g.addEventListener = window.addEventListener.bind(window);
  g.removeEventListener = window.removeEventListener.bind(window);
  g.PerformanceObserver = FakeObserver;
  let frames: Array<() => void> = [];
  g.requestAnimationFrame = (cb: () => void) => frames.push(cb);
  // Shadows the prototype's method on Node's own `performance` (now() and timeOrigin stay real).
  perf.getEntriesByType = (type: string) => buffer.filter((e) => e.entryType === type);
  return {
    document,
    window,
    emit(...entries) {
      buffer.push(...entries);
      for (const o of observers) o.deliver(entries);
    },
    queue(...entries) {
      buffer.push(...entries);
      for (const o of observers) o.pending.push(...entries);
    },
    observed: () => [...observers].flatMap((o) => o.types),
    observerCount: () => observers.size,
    frame() {
      const now = frames;
      frames = [];
      for (const cb of now) cb();
    },
    pendingFrames: () => frames.length,
    // Page Lifecycle order (https://developer.chrome.com/docs/web-platform/page-lifecycle-api):
    // hidden before pagehide when leaving, visible before pageshow when restored.
    leaveToCache() {
      document.hide();
      window.dispatch("pagehide", { type: "pagehide", persisted: true });
    },
    restoreFromCache(timeStamp) {
      document.visibilityState = "visible";
      document.dispatch("visibilitychange");
      window.dispatch("pageshow", { type: "pageshow", persisted: true, timeStamp });
    },
    restore() {
      delete perf.getEntriesByType;
      delete perf.interactionCount;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete g[k];
        else g[k] = v;
      }
    },
  };
}
