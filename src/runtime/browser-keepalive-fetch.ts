/**
 * A `fetch` for the browser's OTLP exporters that keeps requests within the keepalive
 * limits, so telemetry sent while the page is being left still arrives.
 *
 * The Fetch standard ("HTTP-network-or-cache fetch", step on `keepalive`) fails a keepalive
 * request when its body plus the bodies of the document's other in-flight keepalive requests
 * exceed 64 KiB. The fetch transport already asks for keepalive only for bodies ≤ 60 KiB;
 * this wrapper adds two things:
 * - an OTLP/JSON body over 60 KiB is split into several requests of ≤ 60 KiB each (whole
 *   spans, log records or metrics; resource and scope repeated), each sent with keepalive;
 * - the bytes of our keepalive requests in flight are counted, and a request that would
 *   overflow the 64 KiB budget is sent without keepalive at once (it completes if the page
 *   stays; an over-quota keepalive request would fail outright). A keepalive request refused
 *   anyway (the page's own keepalive requests share the budget) is retried without it.
 * The split requests are answered as one response: 200 when all succeeded (rejected counts
 * from `partialSuccess` added up), else the first failure — the transport then retries the
 * whole body, so a partly delivered batch may arrive twice rather than not at all.
 */

import { context } from "../context/context-api.ts";
import { count } from "../export/export-outcome.ts";
import { readBounded } from "../export/fetch-transport.ts";

/** Chromium and the Fetch standard cap in-flight keepalive bodies at 64 KiB per document. */
const KEEPALIVE_QUOTA_BYTES = 64 * 1024;
/** The largest piece we send with keepalive (the transport's threshold too). */
const PIECE_MAX_BYTES = 60 * 1024;

/** Where OTLP/JSON requests keep their items: [top-level list, scope list, item list] per signal. */
export const CONTAINERS: ReadonlyArray<readonly [string, string, string]> = [
  ["resourceSpans", "scopeSpans", "spans"],
  ["resourceLogs", "scopeLogs", "logRecords"],
  ["resourceMetrics", "scopeMetrics", "metrics"],
];

type Json = Record<string, unknown>;

/**
 * Wraps `base` (default: `globalThis.fetch`, looked up at each call) as described in the
 * module doc. Requests whose body is neither a string nor bytes pass through unchanged.
 */
export function createKeepaliveFetch(base?: typeof fetch): typeof fetch {
  let inFlight = 0;
  const encoder = new TextEncoder();

  // One request, with keepalive while the budget allows it.
  const send = async (input: RequestInfo | URL, init: RequestInit, body: OtlpBody, bytes: number): Promise<Response> => {
    const fetchFn = base ?? fetch;
    // The caller's context (the exporter's, with tracing suppressed) is re-entered for the retry:
    // after an `await` a page's stack context manager no longer has it, and a traced `fetch`
    // would then trace our own export request (and export that span, and so on).
    const callerContext = context.active();
    const plain = () => context.with(callerContext, () => fetchFn(input, { ...init, body, keepalive: false }));
    if (bytes > PIECE_MAX_BYTES || inFlight + bytes > KEEPALIVE_QUOTA_BYTES) return plain();
    inFlight += bytes;
    try {
      return await fetchFn(input, { ...init, body, keepalive: true });
    } catch (error) {
      // Refused by the browser's quota (shared with the page's own keepalive requests), or a
      // network error: one plain attempt, unless the caller aborted.
      if (init.signal?.aborted) throw error;
      return plain();
    } finally {
      inFlight -= bytes;
    }
  };

  return async function keepaliveFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const body = init?.body;
    if (!init || !isOtlpBody(body)) return (base ?? fetch)(input, init);
    // The exporters send UTF-8 bytes: their length is known; only a body to split is decoded.
    const bytes = typeof body === "string" ? encoder.encode(body).byteLength : body.byteLength;
    const pieces = bytes > PIECE_MAX_BYTES ? splitOtlpJson(bodyText(body), PIECE_MAX_BYTES, encoder) : undefined;
    // Pieces are started together, synchronously: on page hide there is no later turn to start them in.
    return pieces ? combine(await Promise.all(pieces.map((p) => send(input, init, p.body, p.bytes)))) : send(input, init, body, bytes);
  } as typeof fetch;
}

let decoder: TextDecoder | undefined;

/** A request body this module understands: text, or UTF-8 bytes (what the OTLP exporters send). */
export type OtlpBody = string | Uint8Array<ArrayBuffer>;

/** True for a body that may be OTLP/JSON (text or bytes); other bodies (streams, forms, blobs) are never split. */
export function isOtlpBody(body: unknown): body is OtlpBody {
  return typeof body === "string" || body instanceof Uint8Array;
}

/** A body as text: a string as is, UTF-8 bytes decoded. */
export function bodyText(body: OtlpBody): string {
  return typeof body === "string" ? body : (decoder ??= new TextDecoder()).decode(body);
}

/**
 * Splits an OTLP/JSON request body into bodies of at most `maxBytes` UTF-8 bytes, keeping
 * whole items (spans, log records, metrics) with their resource and scope. `undefined` when
 * the body is not OTLP/JSON or cannot be split (one item alone is too large).
 */
export function splitOtlpJson(body: string, maxBytes: number, encoder: TextEncoder = new TextEncoder()): Array<{ body: string; bytes: number }> | undefined {
  let root: Json | undefined;
  try {
    root = JSON.parse(body) as Json;
  } catch {
    return undefined;
  }
  const shape = CONTAINERS.find(([top]) => Array.isArray(root?.[top]));
  if (!shape) return undefined;
  const [top, scopeKey, itemKey] = shape;
  // Flatten to [resource, scope, item] triples; rebuilding groups consecutive ones again.
  type Unit = [resource: Json, scope: Json, item: unknown];
  const units: Unit[] = [];
  for (const r of root![top] as Json[]) {
    for (const s of (r?.[scopeKey] as Json[] | undefined) ?? []) {
      for (const item of (s?.[itemKey] as unknown[] | undefined) ?? []) units.push([r, s, item]);
    }
  }
  const out: Array<{ body: string; bytes: number }> = [];
  // Halve until each part fits: O(n log n) serialization, only for oversized bodies.
  const split = (part: Unit[]): boolean => {
    const resources: Json[] = [];
    let lastR: unknown, lastS: unknown, scopes: Json[], items: unknown[];
    for (const [r, s, item] of part) {
      if (r !== lastR) resources.push({ ...(lastR = r), [scopeKey]: (scopes = []) });
      if (s !== lastS) scopes!.push({ ...(lastS = s), [itemKey]: (items = []) });
      items!.push(item);
    }
    const text = JSON.stringify({ [top]: resources });
    const bytes = encoder.encode(text).byteLength;
    if (bytes <= maxBytes) return out.push({ body: text, bytes }) > 0;
    const mid = part.length >> 1;
    return mid > 0 && split(part.slice(0, mid)) && split(part.slice(mid));
  };
  return units.length > 1 && split(units) ? out : undefined;
}

// One response for the pieces of a split request (see the module doc).
async function combine(responses: Response[]): Promise<Response> {
  const failed = responses.find((r) => !r.ok);
  if (failed) return failed;
  const partialSuccess: Record<string, string | number> = {};
  for (const response of responses) {
    let partial: unknown;
    try {
      // Bounded like the transport's own read: a piece's answer is no more trusted than the whole's.
      partial = (JSON.parse(await readBounded(response)) as { partialSuccess?: unknown } | null)?.partialSuccess;
    } catch {
      // An unreadable answer of an accepted piece adds nothing.
    }
    if (partial && typeof partial === "object") {
      for (const [key, value] of Object.entries(partial)) {
        if (key === "errorMessage") {
          if (typeof value === "string" && value) partialSuccess.errorMessage ||= value;
        } else if (count(value) > 0) partialSuccess[key] = ((partialSuccess[key] as number) ?? 0) + count(value);
      }
    }
  }
  const text = JSON.stringify(Object.keys(partialSuccess).length ? { partialSuccess } : {});
  return new Response(text, { status: 200, headers: { "content-type": "application/json" } });
}
