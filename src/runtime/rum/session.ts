/**
 * RUM session and client hints.
 *
 * `session.id` (semconv https://opentelemetry.io/docs/specs/semconv/general/session/) rotates
 * after a period of inactivity, so it cannot be a resource attribute (the resource is fixed for
 * the SDK's lifetime): {@link SessionProcessor} stamps it on every span and log record instead.
 * The id lives in `sessionStorage` (per tab, survives reloads and same-tab navigations, gone
 * when the tab closes); where storage is unavailable (blocked, sandboxed, Web Workers) it is
 * kept in memory for the lifetime of the page.
 *
 * The client hints that do not change during a page's life (user agent, screen) are resource
 * attributes from {@link rumResourceAttributes}.
 */
import type { Attributes } from "../../common/attributes.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../../logs/types.ts";
import { generateTraceId } from "../../trace/ids.ts";
import type { ReadableSpan, Span, SpanProcessor } from "../../trace/types.ts";

/** The `sessionStorage` methods used (any `Storage` fits). */
export interface SessionStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Options of {@link getSessionId} and {@link SessionProcessor} (checked by `initRum`'s option checks). */
export interface SessionOptions {
  /** Where the session is kept. Default `globalThis.sessionStorage` when usable, else memory. */
  storage?: SessionStorageLike;
  /** A new session starts after this much inactivity. Default 30 minutes. */
  inactivityMillis?: number;
  /** The wall clock (epoch ms), for tests. Default `Date.now`. */
  now?: () => number;
}

/** The storage key of the current session: `<id>.<last activity epoch ms>`. */
export const SESSION_STORAGE_KEY = "otel-edge.session";

// Where storage is unusable (blocked, sandboxed, Web Workers, quota exceeded).
let memory: string | null = null;

/**
 * The current session id: the stored one while the last activity is within
 * `inactivityMillis`, else a new random id. Each call counts as activity. Never throws
 * (a failing storage degrades to memory).
 */
export function getSessionId({ storage, inactivityMillis = 30 * 60_000, now = Date.now }: SessionOptions = {}): string {
  const t = now();
  let stored = memory;
  try {
    // Reading `sessionStorage` throws SecurityError when storage is blocked (sandboxed iframes,
    // some privacy settings); where there is none, `.getItem` throws.
    stored = (storage ??= (globalThis as { sessionStorage?: SessionStorageLike }).sessionStorage)!.getItem(SESSION_STORAGE_KEY);
  } catch {
    storage = undefined;
  }
  const [, id, last] = /^([0-9a-f]{32})\.(.+)$/.exec(stored ?? "") ?? [];
  const idle = t - Number(last);
  // A clock that went backwards (last > t) also keeps the session: only inactivity ends it.
  // Writing on every span would hit storage hundreds of times a second under load: the last
  // activity is refreshed at most once a second (a second of slack on a 30-minute window).
  const current = idle < inactivityMillis && id;
  if (current && idle < 1000) return current;
  // A new id has the shape of a trace id (128 random bits, 32 lowercase hex digits): one source of them.
  const next = current || generateTraceId();
  try {
    storage!.setItem(SESSION_STORAGE_KEY, `${next}.${t}`);
  } catch {
    memory = `${next}.${t}`;
  }
  return next;
}

/**
 * Adds `session.id` to every span (at start) and log record (at emit) unless the application
 * set one. Register it before the exporting processors: `init({ spanProcessors: [p],
 * logProcessors: [p] })`.
 */
export class SessionProcessor implements SpanProcessor, LogRecordProcessor {
  readonly #options: SessionOptions;

  constructor(options: SessionOptions = {}) {
    getSessionId(options); // starts the session now
    this.#options = options;
  }

  onStart(span: Span & ReadableSpan): void {
    span.attributes["session.id"] ?? span.setAttribute("session.id", getSessionId(this.#options));
  }

  onEmit(record: ReadableLogRecord): void {
    (record.attributes as Record<string, unknown>)["session.id"] ??= getSessionId(this.#options);
  }

  onEnd(): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

interface NavigatorLike {
  userAgent?: string;
  language?: string;
  userAgentData?: { brands?: readonly { brand: string; version: string }[]; mobile?: boolean; platform?: string };
  connection?: { type?: string; effectiveType?: string };
}

/** Netinfo `type` → semconv `network.connection.type` (wifi, wired, cell, unavailable, unknown). */
const CONNECTION_TYPES: Readonly<Record<string, string>> = { wifi: "wifi", ethernet: "wired", cellular: "cell", none: "unavailable", unknown: "unknown" };

/**
 * Resource attributes describing the browser, read once: semconv `user_agent.original`,
 * `browser.brands`/`browser.platform`/`browser.mobile` (User-Agent Client Hints, where
 * supported), `browser.language`, `network.connection.type` (Network Information API, where
 * supported); plus, without a semconv name, `browser.screen.width`/`browser.screen.height`
 * (CSS pixels) and `network.connection.effective_type` (`4g`, `3g`, ...). Absent values are
 * left out; outside a browser this returns `{}`.
 */
export function rumResourceAttributes(): Attributes {
  const g = globalThis as { navigator?: NavigatorLike; screen?: { width?: number; height?: number } };
  const nav = g.navigator;
  const ua = nav?.userAgentData;
  const attributes: Attributes = {
    "user_agent.original": nav?.userAgent || undefined,
    "browser.brands": ua?.brands?.map((b) => `${b.brand} ${b.version}`),
    "browser.platform": ua?.platform || undefined,
    "browser.mobile": ua?.mobile,
    "browser.language": nav?.language || undefined,
    "network.connection.type": CONNECTION_TYPES[nav?.connection?.type!],
    "network.connection.effective_type": nav?.connection?.effectiveType,
    "browser.screen.width": g.screen?.width,
    "browser.screen.height": g.screen?.height,
  };
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
}
