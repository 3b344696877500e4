/**
 * Sends OTLP/HTTP request bodies with `fetch`: timeout budget, retries, gzip, keepalive.
 *
 * Spec: https://opentelemetry.io/docs/specs/otlp/#otlphttp-response and
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling
 * - only 429, 502, 503, 504 and network errors are retryable; every other status is final;
 * - retries use exponential backoff with full jitter (AWS architecture blog, "Exponential
 *   Backoff And Jitter"), and honour `Retry-After` (RFC 9110 §10.2.3: delay-seconds or
 *   an HTTP-date);
 * - a 2xx with `partialSuccess` is a success; the rejected count is passed on and the
 *   server's `errorMessage` is reported.
 * Everything happens inside one `timeoutMillis` budget: each attempt is aborted when the
 * budget runs out, and no retry starts whose wait would outlast it.
 *
 * `send` never throws or rejects. Messages never contain header values or URL
 * credentials: both are routinely API keys.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { percentDecode } from "../common/percent-decode.ts";
import { monotonicNow } from "../common/time.ts";
import { describe } from "../common/describe.ts";
import { encodeBase64 } from "./otlp/base64.ts";
import { RateLimitedWarning } from "./rate-limit.ts";

/** The outcome of one {@link Transport.send}, retries included. */
export interface TransportResult {
  /** True when the receiver accepted the request (2xx). */
  ok: boolean;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** Items the receiver reported as rejected in `partialSuccess`. */
  rejected?: number;
  /** Why the send failed (ok false), without secrets. */
  error?: Error;
  /**
   * Low-cardinality cause of a failure (semantic conventions `error.type`): the HTTP status
   * (`"503"`), `timeout` (the budget ran out), `network` (no response: refused, reset, DNS),
   * `aborted` (the caller's signal), or `_OTHER`.
   */
  errorType?: string;
}

/** Sends one serialized payload. */
export interface Transport {
  /**
   * POSTs `body` (UTF-8 bytes, as the OTLP encoders make them, or a string); resolves (never
   * rejects) with the outcome. `signal` cancels it.
   */
  send(body: Uint8Array | string, signal?: AbortSignal): Promise<TransportResult>;
}

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** Endpoint URL. Credentials in it (`user:pass@`) are sent as a Basic `authorization` header. */
  url: string;
  /** Request headers (e.g. API keys). */
  headers?: Record<string, string>;
  /** Overall budget for one send, retries and waits included. Default 10000 ms. */
  timeoutMillis?: number;
  /** `gzip` compresses with `CompressionStream` when the runtime has it. Default none. */
  compression?: "gzip" | "none";
  /** The `fetch` to use; default `globalThis.fetch`, looked up at each send. */
  fetch?: typeof fetch;
  /** Use `fetch` keepalive (browsers: delivery during page unload) for bodies ≤ 60 KiB. */
  keepalive?: boolean;
  /** `content-type` header. Default `application/json`. */
  contentType?: string;
  /** @internal Waits `ms` (tests replace it so retries take no time). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @internal Monotonic clock in ms for the budget (tests pair it with `sleep`). */
  now?: () => number;
  /** @internal Random number in [0, 1) for jitter. */
  random?: () => number;
}

const RETRYABLE_STATUS = /* @__PURE__ */ new Set([429, 502, 503, 504]);
const INITIAL_BACKOFF_MILLIS = 1000;
const BACKOFF_MULTIPLIER = 2;
const MAX_BACKOFF_MILLIS = 5000;
// The official OTel JS exporters stop after 5 attempts; the time budget usually ends it first.
const MAX_ATTEMPTS = 5;
// Browsers cap the total in-flight keepalive body size at 64 KiB; leave headroom.
const KEEPALIVE_MAX_BYTES = 60 * 1024;
const MAX_MESSAGE_CHARS = 200;

/**
 * Creates a transport that POSTs to `options.url` with `fetch`.
 *
 * @example
 * ```ts
 * const transport = createFetchTransport({ url: "http://localhost:4318/v1/traces", compression: "gzip" });
 * const result = await transport.send(encodeTracesBytes(spans));
 * ```
 * @throws TypeError when `url` is not an absolute http(s) URL.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new TypeError("Cannot create fetch transport: url must be an absolute http:// or https:// URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Cannot create fetch transport: url must use http or https, not ${parsed.protocol}`);
  }
  const timeoutMillis = options.timeoutMillis ?? 10_000;
  if (typeof timeoutMillis !== "number" || !(timeoutMillis > 0)) {
    throw new RangeError(`Cannot create fetch transport: timeoutMillis must be a number > 0, got ${String(timeoutMillis)}`);
  }

  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  headers["content-type"] = options.contentType ?? "application/json";
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
  // `fetch` refuses URLs with credentials; send them the way a browser would (RFC 7617).
  const secrets: string[] = [];
  if (parsed.username || parsed.password) {
    // Userinfo is percent-encoded in the URL (RFC 3986 §3.2.1); malformed escapes are sent as written.
    const user = percentDecode(parsed.username) ?? parsed.username;
    const pass = percentDecode(parsed.password) ?? parsed.password;
    secrets.push(parsed.username, parsed.password, user, pass);
    headers["authorization"] ??= `Basic ${encodeBase64(new TextEncoder().encode(`${user}:${pass}`))}`;
    parsed.username = "";
    parsed.password = "";
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k === "content-type") continue;
    // Receivers echo the credential alone ("invalid token s3cret"), without its auth scheme.
    secrets.push(v, v.replace(/^\S+\s+/, "").trim());
  }
  // Query values of the endpoint are usually credentials too (`?api_key=`), and a receiver may quote them.
  parsed.searchParams.forEach((value) => void secrets.push(value));
  const url = parsed.href;
  // Shown in messages: no credentials, no query string (it can carry API keys).
  const shownUrl = parsed.origin + parsed.pathname;
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length >= 3) out = out.split(s).join("[redacted]");
    return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS)}…` : out;
  };

  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? monotonicNow;
  const random = options.random ?? Math.random;
  const partialWarning = new RateLimitedWarning();

  async function attempt(init: RequestInit, budget: number, signal: AbortSignal | undefined): Promise<Attempt> {
    const fetchFn = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof fetchFn !== "function") return { final: true, result: fail("no fetch() in this runtime", "_OTHER") };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), budget);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener("abort", onAbort);
    try {
      let response: Response;
      try {
        response = await fetchFn(url, { ...init, signal: controller.signal });
      } catch (error) {
        if (signal?.aborted) return { final: true, result: fail("aborted", "aborted") };
        if (controller.signal.aborted) return { final: true, result: fail(`timed out after ${timeoutMillis} ms`, "timeout") };
        return { final: false, result: fail(`network error: ${redact(describe(error))}`, "network") };
      }
      const status = response.status;
      // Read the body even when it is not needed, so the connection can be reused.
      let text: string | undefined;
      try {
        text = await response.text();
      } catch (error) {
        // 2xx: the receiver accepted the data; a cut-off body only loses partialSuccess.
        diag.debug(`OTLP response body from ${shownUrl} could not be read: ${redact(describe(error))}`);
      }
      if (status >= 200 && status < 300) return { final: true, result: success(status, text) };
      const detail = errorDetail(text);
      const result = fail(`HTTP ${status}${detail ? `: ${redact(detail)}` : ""}`, String(status), status);
      if (!RETRYABLE_STATUS.has(status)) return { final: true, result };
      return { final: false, result, retryAfter: parseRetryAfter(response.headers.get("retry-after")) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  function success(status: number, text: string | undefined): TransportResult {
    const partial = parsePartialSuccess(text);
    if (partial === undefined) return { ok: true, status };
    if (partial.rejected > 0 || partial.message) {
      partialWarning.warn(
        `OTLP receiver at ${shownUrl} accepted the request partially: ${partial.rejected} rejected` +
          (partial.message ? ` (${redact(partial.message)})` : ""),
      );
    }
    return partial.rejected > 0 ? { ok: true, status, rejected: partial.rejected } : { ok: true, status };
  }

  function fail(reason: string, errorType: string, status?: number): TransportResult {
    const error = new Error(`OTLP export to ${shownUrl} failed: ${reason}`);
    return status === undefined ? { ok: false, error, errorType } : { ok: false, status, error, errorType };
  }

  async function send(body: Uint8Array | string, signal?: AbortSignal): Promise<TransportResult> {
    const deadline = now() + timeoutMillis;
    const compressed = options.compression === "gzip" ? await gzip(body) : undefined;
    // The same request for every attempt; each one adds its own abort signal.
    const init: RequestInit = {
      method: "POST",
      headers: compressed ? { ...headers, "content-encoding": "gzip" } : { ...headers },
      body: compressed ?? (body as BodyInit),
    };
    if (options.keepalive === true && (compressed ?? (typeof body === "string" ? new TextEncoder().encode(body) : body)).byteLength <= KEEPALIVE_MAX_BYTES) {
      init.keepalive = true;
    }
    let last: TransportResult = fail(`timed out after ${timeoutMillis} ms`, "timeout");
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      if (signal?.aborted) return fail("aborted", "aborted");
      const budget = deadline - now();
      if (budget <= 0) break;
      const { final, result, retryAfter } = await attempt(init, budget, signal);
      last = result;
      if (final) return result;
      // Full jitter: a random wait in [0, cap) spreads retries of many clients apart.
      const wait = retryAfter ?? random() * Math.min(MAX_BACKOFF_MILLIS, INITIAL_BACKOFF_MILLIS * BACKOFF_MULTIPLIER ** i);
      if (i + 1 >= MAX_ATTEMPTS || now() + wait >= deadline) break;
      diag.debug(`${result.error?.message ?? "OTLP export failed"}; retrying in ${Math.round(wait)} ms`);
      await sleep(wait, signal);
      if (signal?.aborted) return fail("aborted", "aborted");
    }
    return last;
  }

  return {
    async send(body: Uint8Array | string, signal?: AbortSignal): Promise<TransportResult> {
      try {
        return await send(body, signal);
      } catch (error) {
        return fail(redact(describe(error)), "_OTHER");
      }
    },
  };
}

interface Attempt {
  final: boolean;
  result: TransportResult;
  retryAfter?: number;
}

/**
 * Parses a `Retry-After` value (RFC 9110 §10.2.3) into milliseconds from now:
 * delay-seconds or an HTTP-date (past dates give 0). Undefined when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, nowMillis: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form names the month; without this, Date.parse("-5") is a valid year.
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - nowMillis) : undefined;
}

/** `text` parsed as JSON; undefined when it is empty or not JSON. */
function parseJson(text: string | undefined): Record<string, unknown> | null | undefined {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown> | null) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `partialSuccess` from an OTLP JSON response body; undefined when there is none. */
function parsePartialSuccess(text: string | undefined): { rejected: number; message: string } | undefined {
  const partial = parseJson(text)?.["partialSuccess"] as Record<string, unknown> | null | undefined;
  if (partial === null || typeof partial !== "object") return undefined;
  let rejected = 0;
  // int64 fields arrive as strings (proto3 JSON) or numbers (lenient receivers).
  for (const field of ["rejectedSpans", "rejectedDataPoints", "rejectedLogRecords"]) {
    const n = Number(partial[field]);
    if (Number.isFinite(n) && n > 0) rejected += n;
  }
  const message = typeof partial["errorMessage"] === "string" ? partial["errorMessage"] : "";
  return { rejected, message };
}

/** The `message` of a google.rpc.Status error body, or the start of a text body. */
function errorDetail(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const message = parseJson(text)?.["message"];
  // Not JSON or no `message`: the start of the raw text.
  return typeof message === "string" ? message : text.trim().slice(0, MAX_MESSAGE_CHARS) || undefined;
}

/** `body` gzipped, or undefined (reported once) when the runtime cannot: then it is sent as is. */
async function gzip(body: Uint8Array | string): Promise<ArrayBuffer | undefined> {
  const CS = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (typeof CS !== "function") {
    diagOnce("info", "fetch-transport:no-gzip", "gzip compression is not available in this runtime (no CompressionStream); sending OTLP uncompressed.");
    return undefined;
  }
  try {
    const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CS("gzip"));
    return await new Response(stream).arrayBuffer();
  } catch (error) {
    diagOnce("info", "fetch-transport:gzip-failed", `gzip compression failed (${describe(error)}); sending OTLP uncompressed.`);
    return undefined;
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}
