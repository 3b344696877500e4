/**
 * The export pipeline of the size-first core: ended spans wait in a bounded queue and leave in
 * batches, as OTLP/JSON over `fetch`, when the Worker flushes (`ctx.waitUntil(sink.flush())` at
 * the end of each invocation). No timer is needed for delivery: on Workers a timer outlives
 * nothing, so the spec's scheduled delay (OTEL_BSP_SCHEDULE_DELAY) is not used; a full batch
 * starts an export at once. The browser program adds what a page needs around it (browser.ts,
 * keepalive.ts): the 5 s timer, `target.fetch` (keepalive within the 64 KiB budget) and a
 * `SinkMode` (bodies of at most 60 KiB, drains started at once so a page-hide flush sends
 * within the event).
 *
 * Kept from the product (src/export/batcher.ts, fetch-transport.ts, otlp-http-exporter.ts,
 * src/runtime/workers-init.ts):
 * - Spec "Batching processor": a queue of `maxQueueSize` that drops the newest span when full
 *   (counted in `dropped`, reported once), batches of `maxExportBatchSize`, one export in
 *   flight, and `flush()` resolving within `exportTimeoutMillis` whatever the collector does;
 * - the workerd drain: concurrent flushes share one drain that exports until the queue is empty,
 *   so every invocation's `waitUntil` holds the exports it may be carrying (workerd cancels the
 *   I/O of an invocation whose `waitUntil` promises settled; a batch sent on behalf of a finished
 *   one hung for good). A drain older than `exportTimeoutMillis` (one that hung anyway) is
 *   abandoned, so a hung request cannot stop telemetry for the isolate's life. The drain starts
 *   after a timer turn, so the response is sent before the batch is encoded;
 * - OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response): POST
 *   `application/json`; only 429, 502, 503, 504 and network errors are retried, up to 5 attempts,
 *   with exponential backoff and full jitter (1 s doubling to 5 s) or the server's `Retry-After`
 *   (RFC 9110 §10.2.3: seconds or an HTTP-date), all within one `target.timeout` budget that
 *   also aborts each request (AbortController); no retry starts whose wait would outlast it;
 *   a 2xx `partialSuccess` is a success, its rejection reported once; an empty request is never sent;
 * - the exporter's `fetch` is looked up at send time and runs with SUPPRESS_KEY set, so a
 *   traced `fetch` does not trace our own export (which would loop);
 * - a collector is not trusted (issue 18): redirects are not followed (`redirect: "manual"`: our
 *   headers, API keys included, would go wherever it points, and a 303 would turn the POST into a
 *   GET that "succeeds"); at most 64 KiB of a response body are read and the rest cancelled (a
 *   gigabyte or gzip-bomb answer costs nothing); `partialSuccess` values that throw when coerced
 *   change nothing;
 * - URL credentials (`https://user:pass@host`, refused by fetch) are sent as a Basic
 *   `authorization` header; a header fetch would refuse is dropped and reported once by name;
 * - diagnostics once per kind, never with a secret: they carry no header value, no URL and no
 *   text from the collector (a collector may echo our API key), so nothing needs redacting.
 *
 * Left out (each one import away in the product): the outage backoff
 * (the product's `forceFlush` ignores it, and on Workers every export is a flush); gzip
 * (`OTEL_EXPORTER_OTLP_COMPRESSION`); shutdown; stats and the export listener
 * (self-observability); the collector's error text in messages (and the redaction it needs);
 * the sampled-flag check (the tracer calls `onEnd` for sampled spans only, contract.ts).
 */
import type { BatchSettings, OtlpTarget, ReadableSpan, SinkMode, SpanSink } from "./contract.ts";
import { active, SUPPRESS_KEY, withContext } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { encodeSpans } from "./otlp.ts";

/** The most of a response body read: what the Collector's own OTLP exporter reads. */
const MAX_RESPONSE_BYTES = 65536;
/** The longest delay `setTimeout` honours (a longer one fires at once). */
const MAX_TIMER = 2147483647;

const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** The start of `response`'s body as text (at most 64 KiB read from its stream); the rest is cancelled. */
async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let n = 0, chunk; n < MAX_RESPONSE_BYTES && reader && !(chunk = await reader.read()).done; n += chunk.value.length) {
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader?.cancel().catch(() => {});
  }
  return text;
}

/** The outcome of one request (the product's `ExportResult`, src/export/exporter.ts). */
export interface ExportResult {
  /** 0 SUCCESS, 1 FAILED. */
  code: 0 | 1;
  /** Spans or data points the collector accepted the request but rejected (OTLP `partialSuccess`). */
  rejected?: number;
  /** `error.type` of the failure: an HTTP status, `network`, `timeout`, `_OTHER` (a redirect seen as opaque). */
  errorType?: string;
  /** HTTP status of the last response, when there was one. */
  status?: number;
}

/**
 * Sends one OTLP/JSON body, retries included; resolves (never rejects) with the outcome. Spans
 * come as otlp.ts's UTF-8 bytes (sent as they are: a BufferSource body is copied, so a retry
 * resends the same bytes), metrics as text.
 */
export type Post = (body: string | Uint8Array<ArrayBuffer>) => Promise<ExportResult>;

/** A failure, reported once per kind (never with a URL, header or collector text: they may hold secrets). */
const failed = (why: string, errorType: string, status?: number): ExportResult => (warnOnce("OTLP export failed: " + why), { code: 1, errorType, status });

/**
 * The OTLP/HTTP transport to `target`, shared by the signals (spans here and in otlp-exporter.ts,
 * metrics in metrics-sdk.ts): `post(body)` sends one request body, retries included, within
 * `target.timeout` (see the module doc), with `target.fetch`, else the global `fetch` looked up
 * at send time. Never rejects.
 */
export function createPost(target: OtlpTarget): Post {
  const headers = new Headers({ "content-type": "application/json" });
  for (const name in target.headers) {
    try {
      headers.set(name, target.headers[name]!);
    } catch {
      warnOnce("OTLP: dropped invalid header " + name);
    }
  }
  let url = target.url;
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      // RFC 7617; userinfo is percent-encoded UTF-8, which `unescape` turns into the bytes btoa takes.
      if (!headers.has("authorization")) headers.set("authorization", "Basic " + btoa(unescape(u.username + ":" + u.password)));
      u.username = u.password = "";
      url = u.href;
    }
  } catch {}

  return async (body) => {
    const deadline = Date.now() + target.timeout;
    for (let attempt = 0; ; attempt++) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), Math.min(deadline - Date.now(), MAX_TIMER));
      let why: string;
      let status: number | undefined;
      let wait = -1;
      try {
        const response = await withContext(active().setValue(SUPPRESS_KEY, true), () =>
          (target.fetch ?? fetch)(url, { method: "POST", headers, body, redirect: "manual", signal: abort.signal }),
        );
        status = response.status;
        // Read (the start of) every body, so the connection can be reused; a 2xx cut off mid-body stays accepted.
        const text = await readBounded(response).catch(() => "");
        if (status > 199 && status < 300) {
          let rejected: number | undefined;
          try {
            const partial = JSON.parse(text).partialSuccess;
            const n = +(partial.rejectedSpans || partial.rejectedDataPoints);
            if (n > 0) rejected = n;
            if (rejected || partial.errorMessage) warnOnce("OTLP: the collector rejected some data (partialSuccess)");
          } catch {}
          return { code: 0, status, rejected };
        }
        // Browsers answer a redirect with type "opaqueredirect" and status 0; the others with the 3xx.
        if (response.type == "opaqueredirect" || (status > 299 && status < 400)) return failed("redirect not followed", status ? "" + status : "_OTHER", status);
        why = "HTTP " + status;
        if (!/^(429|50[234])$/.test(status as never)) return failed(why, "" + status, status);
        const after = response.headers.get("retry-after") ?? "";
        // Every HTTP-date names its month; a past date means now, an invalid one the backoff (NaN).
        wait = /^\s*\d+\s*$/.test(after) ? +after * 1e3 : /[a-z]{3}/i.test(after) ? Math.max(0, Date.parse(after) - Date.now()) : -1;
      } catch {
        if (abort.signal.aborted) return failed("timeout", "timeout");
        why = "network error";
      } finally {
        clearTimeout(timer);
      }
      // Full jitter: a random wait below a cap that starts at 1 s and doubles up to 5 s.
      if (!(wait >= 0)) wait = Math.random() * Math.min(5000, 1000 * 2 ** attempt);
      if (attempt > 3 || Date.now() + wait >= deadline) return failed(why, status ? "" + status : "network", status);
      await sleep(wait);
    }
  };
}

/** A {@link SpanSink} that counts what its full queue refused. */
export interface CountingSpanSink extends SpanSink {
  /** Spans dropped because the queue was full (reported once; counted always). */
  dropped: number;
}

/**
 * The span sink the tracer ends spans into: a bounded queue exported to `target` in batches
 * when flushed (see the module doc). Never throws; `flush()` never rejects.
 */
export function createSpanSink(target: OtlpTarget, batch: BatchSettings, mode?: SinkMode): CountingSpanSink {
  const queue: ReadableSpan[] = [];
  const size = batch.maxExportBatchSize;
  const timeout = batch.exportTimeoutMillis;
  const post = createPost(target);

  let draining: Promise<void> | undefined;
  let since = 0;
  let generation = 0;

  /** Exports batches until the queue is empty, unless a newer drain took over. */
  async function drain(me: number): Promise<void> {
    try {
      mode?.now || (await sleep(0));
      for (let spans; me == generation && (spans = queue.splice(0, size)).length; ) {
        // `{"resourceSpans":[]}`: every span was dropped by the encoder; never send an empty payload.
        // The bodies of one batch (the browser's pieces) go together: at page hide there is no later turn.
        await Promise.all((mode?.encode?.(spans) ?? [encodeSpans(spans)]).filter((body) => body.length > 20).map(post));
      }
    } finally {
      if (me == generation) draining = undefined;
    }
  }

  /** The drain in progress, or a new one (see the module doc for when a running one is abandoned). */
  const start = (): Promise<void> => {
    if (!draining || Date.now() - since > timeout) {
      since = Date.now();
      draining = drain(++generation).catch(() => {});
    }
    return draining;
  };

  const sink: CountingSpanSink = {
    dropped: 0,
    onEnd(span) {
      if (queue.length >= batch.maxQueueSize) {
        sink.dropped++;
        return warnOnce("OTLP: span queue full; dropping new spans");
      }
      if (queue.push(span) >= size) void start();
    },
    flush: () =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.min(timeout, MAX_TIMER));
        void start().then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
  return sink;
}
