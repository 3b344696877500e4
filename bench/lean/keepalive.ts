/**
 * OTLP requests that outlive the page, within the browser's keepalive limits, as the product's
 * src/runtime/browser-keepalive-fetch.ts. The Fetch standard ("HTTP-network-or-cache fetch",
 * inflight keepalive bytes) fails a keepalive request when its body plus the bodies of the
 * document's other in-flight keepalive requests exceed 64 KiB. So:
 * - a batch whose OTLP/JSON body exceeds 60 KiB is encoded as several bodies of whole spans
 *   (halved until each fits; a single larger span stays one body, sent without keepalive);
 * - the bytes of our keepalive requests in flight are counted, and a request that would overflow
 *   the 64 KiB budget is sent without keepalive at once (it completes if the page stays; an
 *   over-quota keepalive request would fail outright); a keepalive request refused anyway (the
 *   page's own keepalive requests share the budget) is retried once without it.
 * Unlike the product, the split happens before encoding (no JSON re-parse) and each piece is a
 * request of its own with its own retries, so a failed piece never resends the others.
 */
import type { ReadableSpan } from "./contract.ts";
import { active, withContext } from "./context-core.ts";
import { encodeSpans } from "./otlp.ts";

/** Chromium and the Fetch standard cap in-flight keepalive bodies at 64 KiB per document. */
const QUOTA = 65536;
/** The largest body sent with keepalive (the product's threshold too). */
const PIECE = 61440;

/** The OTLP/JSON bodies (UTF-8 bytes) for `spans`, each at most 60 KiB unless one span alone is larger. */
export const encodePieces = (spans: readonly ReadableSpan[]): Uint8Array<ArrayBuffer>[] => {
  const body = encodeSpans(spans);
  const half = spans.length >> 1;
  return half && body.length > PIECE ? [...encodePieces(spans.slice(0, half)), ...encodePieces(spans.slice(half))] : [body];
};

/** A fetch for the OTLP exporter (byte bodies, as export.ts sends spans) with keepalive while the budget allows it; see the module doc. */
export function createKeepaliveFetch(): typeof fetch {
  let inFlight = 0;
  return async (input, init) => {
    const n = (init!.body as Uint8Array).length;
    // The exporter calls us with tracing suppressed; a retry after `await` runs in that context too,
    // so the traced fetch never records it (the stack store loses the context across `await`).
    const context = active();
    const plain = () => withContext(context, () => fetch(input, { ...init, keepalive: false }));
    if (n > PIECE || inFlight + n > QUOTA) return plain();
    inFlight += n;
    try {
      return await fetch(input, { ...init, keepalive: true });
    } catch (error) {
      if (init!.signal?.aborted) throw error; // our own timeout: the exporter reports it
      return plain();
    } finally {
      inFlight -= n;
    }
  };
}
