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
import type { Context } from "../../context/context.ts";
import type { LogRecordProcessor, ReadableLogRecord } from "../../logs/types.ts";
import { generateTraceId } from "../../trace/ids.ts";
import type { ReadableSpan, Span, SpanProcessor } from "../../trace/types.ts";

/** The `sessionStorage` methods used (any `Storage` fits). */
export interface SessionStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Options of {@link getSessionId} and {@link SessionProcessor}. */
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
const DEFAULT_INACTIVITY_MILLIS = 30 * 60 * 1000;
// Writing on every span would hit storage hundreds of times a second under load: the last
// activity is refreshed at most once a second (a second of slack on a 30-minute window).
const WRITE_GRANULARITY_MILLIS = 1000;

let memory: string | null = null;
const memoryStorage: SessionStorageLike = {
  getItem: () => memory,
  setItem: (_key, value) => {
    memory = value;
  },
};

function defaultStorage(): SessionStorageLike {
  try {
    // Reading `sessionStorage` throws SecurityError when storage is blocked (sandboxed iframes,
    // some privacy settings).
    const s = (globalThis as { sessionStorage?: SessionStorageLike }).sessionStorage;
    if (s !== undefined && typeof s.getItem === "function") return s;
  } catch {
    // fall through to memory
  }
  return memoryStorage;
}

/**
 * The current session id: the stored one while the last activity is within
 * `inactivityMillis`, else a new random id. Each call counts as activity. Never throws
 * (a failing storage degrades to memory).
 *
 * @throws RangeError when `inactivityMillis` is not a positive number (a configuration error).
 */
export function getSessionId(options: SessionOptions = {}): string {
  const inactivity = options.inactivityMillis ?? DEFAULT_INACTIVITY_MILLIS;
  if (!(typeof inactivity === "number" && inactivity > 0)) {
    throw new RangeError(`getSessionId: inactivityMillis must be a positive number of milliseconds, got ${String(inactivity)}`);
  }
  const t = (options.now ?? Date.now)();
  let storage = options.storage ?? defaultStorage();
  let stored: string | null = null;
  try {
    stored = storage.getItem(SESSION_STORAGE_KEY);
  } catch {
    storage = memoryStorage;
    stored = memory;
  }
  const dot = typeof stored === "string" ? stored.lastIndexOf(".") : -1;
  const id = dot > 0 ? (stored as string).slice(0, dot) : "";
  const last = dot > 0 ? Number((stored as string).slice(dot + 1)) : NaN;
  // A clock that went backwards (last > t) also keeps the session: only inactivity ends it.
  const current = /^[0-9a-f]{32}$/.test(id) && Number.isFinite(last) && t - last < inactivity;
  if (current && t - last < WRITE_GRANULARITY_MILLIS) return id;
  // A new id has the shape of a trace id (128 random bits, 32 lowercase hex digits): one source of them.
  const next = current ? id : generateTraceId();
  try {
    storage.setItem(SESSION_STORAGE_KEY, `${next}.${t}`);
  } catch {
    // Quota exceeded or blocked: remember it in memory so the id stays stable.
    memoryStorage.setItem(SESSION_STORAGE_KEY, `${next}.${t}`);
  }
  return next;
}

/**
 * Adds `session.id` to every span (at start) and log record (at emit). Register it before the
 * exporting processors: `init({ spanProcessors: [p], logProcessors: [p] })`.
 *
 * @example
 * ```ts
 * const session = new SessionProcessor();
 * init({ spanProcessors: [session], logProcessors: [session] });
 * ```
 */
export class SessionProcessor implements SpanProcessor, LogRecordProcessor {
  readonly #options: SessionOptions;

  /** @throws RangeError for a non-positive `inactivityMillis`. */
  constructor(options: SessionOptions = {}) {
    getSessionId(options); // validates the options and starts the session now
    this.#options = options;
  }

  /** Sets `session.id` on a starting span unless the application set one. */
  onStart(span: Span & ReadableSpan, _parentContext: Context): void {
    if (span.attributes["session.id"] === undefined) span.setAttribute("session.id", getSessionId(this.#options));
  }

  /** Nothing to do when a span ends. */
  onEnd(_span: ReadableSpan): void {}

  /** Sets `session.id` on an emitted record unless it has one. Runs before the exporting processor. */
  onEmit(record: ReadableLogRecord, _context?: Context): void {
    const attributes = record.attributes as Record<string, unknown>;
    if (attributes["session.id"] === undefined) attributes["session.id"] = getSessionId(this.#options);
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
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
  const attributes: Attributes = {};
  const nav = g.navigator;
  if (typeof nav?.userAgent === "string" && nav.userAgent !== "") attributes["user_agent.original"] = nav.userAgent;
  const ua = nav?.userAgentData;
  if (Array.isArray(ua?.brands)) attributes["browser.brands"] = ua.brands.map((b) => `${b.brand} ${b.version}`);
  if (typeof ua?.platform === "string" && ua.platform !== "") attributes["browser.platform"] = ua.platform;
  if (typeof ua?.mobile === "boolean") attributes["browser.mobile"] = ua.mobile;
  if (typeof nav?.language === "string" && nav.language !== "") attributes["browser.language"] = nav.language;
  const connection = nav?.connection;
  const type = connection?.type !== undefined ? CONNECTION_TYPES[connection.type] : undefined;
  if (type !== undefined) attributes["network.connection.type"] = type;
  if (typeof connection?.effectiveType === "string") attributes["network.connection.effective_type"] = connection.effectiveType;
  const screen = g.screen;
  if (typeof screen?.width === "number" && typeof screen.height === "number") {
    attributes["browser.screen.width"] = screen.width;
    attributes["browser.screen.height"] = screen.height;
  }
  return attributes;
}
