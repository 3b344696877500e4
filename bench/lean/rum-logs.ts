/**
 * The logs signal of `initRum()`: errors and `browser.web_vital` events are OTLP log records
 * (the product's `logsSdk()` part, src/sdk/logs-part.ts, with its batch log processor). Records
 * wait in a bounded queue (the product's 2048) and leave through export.ts's one transport
 * (`createPost`) to `/v1/logs`, with the page SDK's keepalive fetch, when the SDK flushes (5 s
 * after a record, at page hide, `flush()`, `shutdown()`), in bodies of at most 60 KiB.
 *
 * The body is the product's encoder's (src/export/otlp/logs-encoder.ts) for the records RUM
 * emits: `timeUnixNano`, `observedTimeUnixNano`, `severityNumber`, `severityText`, `body`,
 * `attributes`, `flags`, `traceId`, `spanId`, `eventName`, in that order.
 *
 * Left out (the product's `Logger` API): `logs.getLogger()` for the app, other processors,
 * attribute limits on log records (RUM's own records are small and fixed-shape).
 *
 * @module
 */
import type { Attributes, OtlpTarget, SpanContext } from "./contract.ts";
import { warnOnce } from "./diag.ts";
import { createPost } from "./export.ts";
import { anyValue, attributes, field, hex, quote } from "./otlp.ts";
import { now, toEpochNanos } from "./time.ts";

/** A record as RUM emits it. `span`: the span context it belongs to (the page view's, else the active span's). */
export interface RumLogRecord {
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  attributes: Attributes;
  eventName?: string;
  span?: SpanContext;
}

export interface RumLogs {
  emit(record: RumLogRecord): void;
  flush(): Promise<unknown>;
}

type Queued = RumLogRecord & { t: number };

/** One `LogRecord` JSON object (see the module doc for the field order). */
function record(r: Queued): string {
  const t = '"' + toEpochNanos(r.t) + '"';
  const c = r.span;
  const flags = c ? c.traceFlags & 255 : 0;
  const body = r.body === undefined ? "" : ',"body":' + (anyValue(r.body, []) || "{}");
  return (
    '{"timeUnixNano":' + t + ',"observedTimeUnixNano":' + t +
    (r.severityNumber ? ',"severityNumber":' + r.severityNumber : "") + field("severityText", r.severityText) + body + attributes(r) +
    (c && hex(c.traceId, 32) && hex(c.spanId, 16) ? (flags ? ',"flags":' + flags : "") + ',"traceId":"' + c.traceId + '","spanId":"' + c.spanId + '"' : "") +
    field("eventName", r.eventName) + "}"
  );
}

/** The largest body sent with keepalive (keepalive.ts): bigger batches are halved until they fit. */
const PIECE = 61440;

/**
 * The logs part: `target` from browser.ts (`/v1/logs`), `resource` the SDK's; `scope` the RUM
 * scope name; `later` arms the SDK's flush (the batch log processor's 5 s delay).
 */
export function createRumLogs(target: OtlpTarget, resource: Attributes, scope: string, later: () => void): RumLogs {
  const post = createPost(target);
  let queue: Queued[] = [];
  const head = '{"resourceLogs":[{"resource":' + "{" + attributes({ attributes: resource }).slice(1) + '},"scopeLogs":[{"scope":{"name":' + quote(scope) + '},"logRecords":[';
  /** Posts `batch`, halved while its body is over the keepalive piece size (page hide: everything starts now, within the event). */
  const send = (batch: Queued[]): Promise<unknown> => {
    const body = new TextEncoder().encode(head + batch.map(record).join() + "]}]}]}");
    const half = batch.length >> 1;
    return half && body.length > PIECE ? Promise.all([send(batch.slice(0, half)), send(batch.slice(half))]) : post(body);
  };
  return {
    emit(r) {
      if (queue.length >= 2048) return warnOnce("log record dropped: queue full");
      queue.push({ ...r, t: now() });
      later();
    },
    flush() {
      const all = queue;
      queue = [];
      const sent: Promise<unknown>[] = [];
      // Batches of 512 (the product's maxExportBatchSize), all started at once.
      for (let i = 0; i < all.length; i += 512) sent.push(send(all.slice(i, i + 512)));
      return Promise.all(sent);
    },
  };
}
