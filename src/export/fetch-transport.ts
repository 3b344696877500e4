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
 * What a receiver sends back is not trusted (issue 18):
 * - at most 64 KiB of a response body are read, through its stream; the
 *   rest is cancelled, never downloaded nor inflated (`fetch` decodes gzip as it is read). The
 *   Collector's own OTLP exporter reads 64 KiB; the OTLP spec lets clients limit response reads;
 * - redirects are never followed (`redirect: "manual"`): following one would send our headers,
 *   API keys included, to wherever the receiver points, and a 301/302/303 would turn the POST
 *   into a body-less GET that "succeeds". A redirect is a failed export counted with its status
 *   (browsers answer `type: "opaqueredirect"`, status 0; Node, Deno, Bun and workerd the 3xx
 *   itself), reported once with the target's origin;
 * - `partialSuccess` fields are read without coercing objects, so no body can make an accepted
 *   request fail.
 *
 * `send` never throws or rejects. Messages never contain header values or URL credentials
 * (both are routinely API keys): every message is redacted first, then cut to length, and a
 * run of a credential's first characters (a key the receiver cut short) is redacted too.
 */
import { diag, diagOnce } from "../common/diag.ts";
import { percentDecode } from "../common/percent-decode.ts";
import { monotonicNow } from "../common/time.ts";
import { describe } from "../common/describe.ts";
import { encodeBase64 } from "./otlp/base64.ts";
import { RateLimitedWarning } from "./rate-limit.ts";
import { count } from "./export-outcome.ts";

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

// The most of a response body read: what the Collector's own OTLP exporter reads.
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * `value` as a URL when it is an absolute http(s) URL; else a TypeError "`what` must be an
 * absolute http:// or https:// URL" (the value is not echoed: it may carry credentials).
 */
export function httpUrl(value: unknown, what: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value as string);
  } catch {
    // reported below
  }
  if (typeof value !== "string" || !/^https?:$/.test(url?.protocol ?? "")) throw new TypeError(`${what} must be an absolute http:// or https:// URL`);
  return url!;
}

/** `value` when it is a number > 0 (Infinity included); else a RangeError "`what` must be a number > 0, got …". */
export function positiveMillis(value: unknown, what: string): number {
  if (typeof value !== "number" || !(value > 0)) throw new RangeError(`${what} must be a number > 0, got ${String(value)}`);
  return value;
}

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
  const what = "Cannot create fetch transport: ";
  const parsed = httpUrl(options.url, what + "url");
  const timeout = positiveMillis(options.timeoutMillis ?? 10_000, what + "timeoutMillis");
  const { sleep = defaultSleep, now = monotonicNow, random = Math.random } = options;
  const partialWarning = new RateLimitedWarning();

  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  headers["content-type"] = options.contentType ?? "application/json";
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
  // `fetch` refuses URLs with credentials; send them the way a browser would (RFC 7617).
  const { username, password } = parsed;
  const secrets = [username, password];
  if (username || password) {
    // Userinfo is percent-encoded in the URL (RFC 3986 §3.2.1); malformed escapes are sent as written.
    const user = percentDecode(username) ?? username;
    const pass = percentDecode(password) ?? password;
    secrets.push(user, pass);
    headers["authorization"] ??= `Basic ${encodeBase64(new TextEncoder().encode(`${user}:${pass}`))}`;
    parsed.username = parsed.password = "";
  }
  // Receivers echo the credential alone ("invalid token s3cret"), without its auth scheme.
  for (const k in headers) if (k !== "content-type") secrets.push(headers[k]!, headers[k]!.replace(/^\S+\s+/, "").trim());
  // Query values of the endpoint are usually credentials too (`?api_key=`), and a receiver may quote them.
  parsed.searchParams.forEach((value) => void secrets.push(value));
  const url = parsed.href;
  // Shown in messages: no credentials, no query string (it can carry API keys).
  const shownUrl = parsed.origin + parsed.pathname;

  // Redacted first, then cut to 200 characters: cut first, a credential split by the cut would no
  // longer be recognised. A run of a credential's first 6 characters is redacted too (a key the
  // receiver cut short); a value with spaces ("Bearer k") only whole: its first word is no credential.
  const redact = (text: string): string => {
    for (const s of secrets) {
      if (s.length < 3) continue;
      const head = /\s/.test(s) ? s : s.slice(0, 6);
      let out = "";
      let from = 0;
      for (let i; (i = text.indexOf(head, from)) >= 0; ) {
        let n = head.length;
        while (n < s.length && text[i + n] === s[n]) n++;
        out += `${text.slice(from, i)}[redacted]`;
        from = i + n;
      }
      text = out + text.slice(from);
    }
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  };
  const fail = (reason: string, errorType: string, status?: number): TransportResult => {
    const result: TransportResult = { ok: false, error: new Error(`OTLP export to ${shownUrl} failed: ${reason}`), errorType };
    if (status) result.status = status;
    return result;
  };
  const timedOut = (): TransportResult => fail(`timed out after ${timeout} ms`, "timeout");
  const aborted = (): TransportResult => fail("aborted", "aborted");

  // One request within `budget` ms: its result, and whether (after how long) to retry it:
  // undefined = final, else the server's Retry-After in ms, or -1 for "use the backoff".
  async function attempt(init: RequestInit, budget: number, signal?: AbortSignal): Promise<[TransportResult, number?]> {
    const fetchFn = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof fetchFn !== "function") return [fail("no fetch() in this runtime", "_OTHER")];
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    const timer = setTimeout(stop, budget);
    signal?.addEventListener("abort", stop);
    try {
      let response: Response;
      try {
        response = await fetchFn(url, { ...init, signal: controller.signal });
      } catch (error) {
        return signal?.aborted ? [aborted()] : controller.signal.aborted ? [timedOut()] : [fail(`network error: ${redact(describe(error))}`, "network"), -1];
      }
      const status = response.status;
      // Read (the start of) the body even when it is not needed, so the connection can be reused.
      // A 2xx cut off mid-body stays accepted: it only loses its partialSuccess.
      const text = await readBounded(response).catch(() => "");
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // empty, not JSON, or cut at the bound
      }
      if (status >= 200 && status < 300) return [success(status, body?.["partialSuccess"])];
      if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
        let to = "an unknown location"; // browsers hide an opaque redirect's Location
        try {
          to = redact(new URL(response.headers.get("location")!, url).origin);
        } catch {
          // none, or not a URL
        }
        diagOnce("warn", `redirect:${shownUrl}:${to}`, `OTLP receiver at ${shownUrl} redirects to ${to}; not followed (our headers, API keys included, would go there too): set the exporter's URL to the final address.`);
        return [fail(`HTTP ${status || "redirect"} to ${to}, not followed`, status ? String(status) : "_OTHER", status)];
      }
      // The `message` of a google.rpc.Status error body, else the start of a text body.
      const message = body?.["message"];
      const detail = typeof message === "string" ? message : text.trim();
      const result = fail(`HTTP ${status}${detail ? `: ${redact(detail)}` : ""}`, String(status), status);
      // Spec: only 429, 502, 503 and 504 are retryable.
      return /^(429|50[234])$/.test(String(status)) ? [result, parseRetryAfter(response.headers.get("retry-after")) ?? -1] : [result];
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
    }
  }

  // A 2xx, with the OTLP `partialSuccess` of its body if any.
  function success(status: number, partial: unknown): TransportResult {
    const result: TransportResult = { ok: true, status };
    if (!partial || typeof partial !== "object") return result;
    const fields = partial as Record<string, unknown>;
    // The signal's `rejected…` count (rejectedSpans, rejectedDataPoints, rejectedLogRecords):
    // int64 fields arrive as strings (proto3 JSON) or numbers (lenient receivers); `count`
    // never coerces an object (its valueOf/toString may throw: `{"valueOf":1}`).
    let rejected = 0;
    for (const field in fields) {
      const n = count(fields[field]);
      if (field.startsWith("rejected") && n < Infinity) rejected += n;
    }
    const message = fields["errorMessage"];
    if (rejected) result.rejected = rejected;
    if (rejected || (typeof message === "string" && message)) {
      partialWarning.warn(`OTLP receiver at ${shownUrl} accepted the request partially: ${rejected} rejected${typeof message === "string" && message ? ` (${redact(message)})` : ""}`);
    }
    return result;
  }

  async function send(body: Uint8Array | string, signal?: AbortSignal): Promise<TransportResult> {
    const deadline = now() + timeout;
    const compressed = options.compression === "gzip" ? await gzip(body) : undefined;
    const sent = compressed ?? body;
    // The same request for every attempt; each one adds its own abort signal.
    const init: RequestInit = {
      method: "POST",
      redirect: "manual",
      headers: compressed ? { ...headers, "content-encoding": "gzip" } : { ...headers },
      body: sent as BodyInit,
    };
    // Browsers cap the in-flight keepalive bodies at 64 KiB in all; leave headroom.
    if (options.keepalive === true && (typeof sent === "string" ? new TextEncoder().encode(sent) : sent).byteLength <= 60 * 1024) init.keepalive = true;
    let result = timedOut();
    // The official OTel JS exporters stop after 5 attempts; the time budget usually ends it first.
    for (let i = 0; i < 5; i++) {
      if (signal?.aborted) return aborted();
      const budget = deadline - now();
      if (budget <= 0) break;
      const [last, retryAfter] = await attempt(init, budget, signal);
      result = last;
      if (retryAfter === undefined) break;
      // Full jitter: a random wait in [0, cap) spreads retries of many clients apart;
      // the cap starts at 1 s and doubles up to 5 s.
      const wait = retryAfter >= 0 ? retryAfter : random() * Math.min(5000, 1000 * 2 ** i);
      if (i > 3 || now() + wait >= deadline) break;
      diag.debug(`${result.error!.message}; retrying in ${Math.round(wait)} ms`);
      await sleep(wait, signal);
    }
    return result;
  }

  return { send: (body, signal) => send(body, signal).catch((error: unknown) => fail(redact(describe(error)), "_OTHER")) };
}

/**
 * The start of `response`'s body as text: at most `maxBytes` bytes (decoded bytes, when the
 * runtime inflates gzip) are read from its stream, and the rest is cancelled. A response
 * object without a stream (made by a `fetch` wrapper) is read with its `text()`.
 */
export async function readBounded(response: Response, maxBytes: number = MAX_RESPONSE_BYTES): Promise<string> {
  const stream = response.body;
  if (!stream) return stream === null ? "" : await response.text();
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let left = maxBytes; left > 0; ) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value.subarray(0, left), { stream: true });
      left -= value.byteLength;
    }
  } finally {
    // Never throws; a finished stream ignores it.
    reader.cancel().catch(() => {});
  }
  return text + decoder.decode();
}

/**
 * Parses a `Retry-After` value (RFC 9110 §10.2.3) into milliseconds from now:
 * delay-seconds or an HTTP-date (past dates give 0). Undefined when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, nowMillis: number = Date.now()): number | undefined {
  const v = value?.trim() ?? "";
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form names the month; without this, Date.parse("-5") is a valid year.
  const date = /[a-z]{3}/i.test(v) ? Date.parse(v) : NaN;
  return date === date ? Math.max(0, date - nowMillis) : undefined;
}

/** `body` gzipped with `CompressionStream`; rejects where the runtime has none, or it fails. */
export async function gzipBody(body: Uint8Array | string): Promise<ArrayBuffer> {
  return new Response(new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
}

/** `body` gzipped, or undefined (reported once) when the runtime cannot: then it is sent as is. */
function gzip(body: Uint8Array | string): Promise<ArrayBuffer | undefined> {
  return gzipBody(body).catch((error: unknown) => {
    const why = typeof CompressionStream === "function" ? `failed (${describe(error)})` : "is not available here (no CompressionStream)";
    diagOnce("info", `gzip:${typeof CompressionStream}`, `gzip compression ${why}; sending OTLP uncompressed.`);
    return undefined;
  });
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
