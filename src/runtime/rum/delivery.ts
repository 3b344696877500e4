/**
 * How RUM telemetry leaves the page: the `fetch` handed to the browser entry's OTLP exporters
 * (under its keepalive wrapper, `browser-keepalive-fetch.ts`, which splits bodies over 60 KiB
 * and keeps keepalive requests within the 64 KiB in-flight budget).
 *
 * - `transport: "fetch"` (default): requests go out with `fetch`. While the page is visible a
 *   body is gzipped with `CompressionStream` when asked (OTLP receivers must accept gzip,
 *   OTLP spec "OTLP/HTTP Request"). While the page is hidden nothing is compressed: the
 *   compression stream needs later tasks, and a document being unloaded has none, so the
 *   request must start synchronously in the page-hide event. A request the keepalive wrapper
 *   sends WITHOUT keepalive while the page is hidden (over the budget, or a keepalive request
 *   the browser refused) would be cancelled with the document: it goes as `sendBeacon` instead
 *   (W3C Beacon, which outlives the page), in pieces of ≤ 60 KiB; what the browser refuses is
 *   dropped with a count reported once, and the batch counts as delivered so the exporter
 *   does not resend what already went out.
 * - At page hide (`leave()`), nothing sent while visible may hold the page-hide export back:
 *   OTLP exporters send one request at a time (OTLP spec: export is never called
 *   concurrently), so a request still compressing or awaiting its answer would keep the
 *   page's last data waiting for a task that never runs once the page is gone. A request
 *   still compressing goes uncompressed at once; a keepalive request awaiting its answer
 *   (the browser completes it after the page is gone) counts as delivered. Either way the
 *   exporter gets its answer in a microtask, and the page-hide export starts in the same task.
 * - `transport: "beacon"`: every request is a `sendBeacon` with a `text/plain` body — a
 *   CORS-safelisted request (Fetch standard, "CORS-safelisted request-header"), so a
 *   cross-origin receiver needs no preflight, but it must accept OTLP/JSON sent as
 *   `text/plain`. Beacons carry no custom headers (no `authorization`) and are never
 *   compressed. A beacon refused while the page is visible is retried as a `no-cors` fetch
 *   (its answer is opaque: counted as delivered); refused while hidden, it is dropped.
 *
 * @module
 */
import { diag, diagOnce } from "../../common/diag.ts";
import { pageBase } from "../../instrument/http-semconv.ts";
import { bodyText, CONTAINERS, isOtlpBody, splitOtlpJson } from "../browser-keepalive-fetch.ts";
import { gzipBody } from "../../export/fetch-transport.ts";

/** How RUM sends OTLP requests (see the module doc). */
export type RumTransport = "fetch" | "beacon";

/** The delivery `fetch` of {@link createRumFetch}, with the page-hide hook. */
export type RumFetch = typeof fetch & {
  /** The page is being hidden or left: settle what was sent while visible (see the module doc). */
  leave(): void;
};

type Beacon = (url: string, data: string | Blob) => boolean;

/** Options of {@link createRumFetch}. */
export interface RumFetchOptions {
  /** The underlying `fetch`; default `globalThis.fetch` at call time. */
  fetch?: typeof fetch;
  /** Default `"fetch"`. */
  transport?: RumTransport;
  /** Gzip request bodies while the page is visible (fetch transport only). Default false. */
  gzip?: boolean;
  /** Whether the page is hidden or being left; default `document.visibilityState === "hidden"`. */
  isHidden?: () => boolean;
  /** @internal Default `navigator.sendBeacon`. */
  sendBeacon?: Beacon;
}

/** The largest beacon body: the keepalive pieces' size, under Chromium's 64 KiB quota. */
const BEACON_MAX_BYTES = 60 * 1024;
const TEXT_PLAIN = "text/plain;charset=UTF-8";

let droppedTotal = 0;

/** Items (spans, log records, metrics) dropped by refused beacons since the page loaded. */
export function droppedBeaconItems(): number {
  return droppedTotal;
}

/**
 * Creates the delivery `fetch` described in the module doc. It resolves with a 200 response
 * when a beacon took (or dropped) the body, and otherwise with the underlying fetch's answer.
 */
export function createRumFetch(options: RumFetchOptions = {}): RumFetch {
  const send = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => (options.fetch ?? fetch)(input, init);
  const isHidden = options.isHidden ?? (() => (globalThis as { document?: Document }).document?.visibilityState === "hidden");
  // Throws where there is no sendBeacon: counted as refused.
  const beacon: Beacon = options.sendBeacon ?? ((url, data) => navigator.sendBeacon(url, data));
  // What each request sent while visible does at page hide.
  const visible = new Set<() => void>();
  // Set once a gzipped request failed and the same request uncompressed went through.
  let gzipRefused = false;

  const rumFetch = async function (input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const raw = init?.body;
    if (!init || !isOtlpBody(raw)) return send(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    // Decoded only on the paths that send beacons; gzip and the plain pass-through take the
    // exporter's bytes as they are.
    const beacons = (type: string): string[] => sendBeacons(beacon, url, bodyText(raw), type);
    if (options.transport === "beacon") {
      // Refused while visible: a simple no-cors POST carries the same text/plain body without preflight.
      const retry = (piece: string): unknown =>
        isHidden() ? drop(piece) : send(url, { method: "POST", body: piece, mode: "no-cors", credentials: "omit", headers: { "content-type": TEXT_PLAIN }, signal: init.signal ?? null }).catch(() => drop(piece));
      await Promise.all(beacons(TEXT_PLAIN).map(retry));
      return delivered();
    }
    // While hidden: sent now, uncompressed (compression needs later tasks). Over the keepalive
    // budget, or refused, a plain fetch would be cancelled with the document; a beacon outlives it.
    const sendNow = (): Response | Promise<Response> => {
      if (init.keepalive) return send(input, init);
      beacons(new Headers(init.headers).get("content-type") ?? "application/json").forEach(drop);
      return delivered();
    };
    if (isHidden()) return sendNow();
    return new Promise<Response>((resolve, reject) => {
      let started = false;
      const settle = (response: Response | Promise<Response>): void => {
        visible.delete(onLeave);
        resolve(response);
      };
      const onLeave = (): void => {
        if (!started) {
          // Still compressing: sent now, uncompressed.
          started = true;
          const sent = sendNow();
          if (!init.keepalive) return settle(sent); // went as beacons: answered already
          Promise.resolve(sent).catch(() => {});
        } else if (!init.keepalive) return; // would be cancelled with the page: its own answer decides
        // A keepalive request outlives the page; its answer would come in a task that never runs.
        settle(delivered());
      };
      visible.add(onLeave);
      void (async () => {
        // Where CompressionStream is missing or fails, sent uncompressed.
        const compressed = options.gzip && !gzipRefused ? await gzipBody(raw).catch(() => undefined) : undefined;
        if (started) return; // the page was left meanwhile: sent uncompressed
        started = true;
        try {
          if (!compressed) return settle(await send(input, init));
          const headers = new Headers(init.headers);
          headers.set("content-encoding", "gzip");
          try {
            settle(await send(input, { ...init, body: compressed, headers }));
          } catch (error) {
            // A collector on another origin whose CORS allow-list lacks Content-Encoding refuses
            // the preflight, which the page sees only as a network error (Fetch standard,
            // "CORS-preflight fetch"). The same request uncompressed tells it apart from an outage.
            const response = await send(input, init).catch(() => Promise.reject(error));
            gzipRefused = true;
            // The origin only: the path or query may carry secrets.
            diagOnce("warn", "rum.gzip", `RUM: a gzip-compressed OTLP request to ${new URL(url, pageBase()).origin} failed and the same request uncompressed did not, so this page now sends uncompressed. To compress, allow the Content-Encoding request header in the collector's CORS settings (Collector: cors.allowed_headers: ["Content-Encoding"]), or set otlp.compression: "none".`);
            settle(response);
          }
        } catch (error) {
          visible.delete(onLeave);
          reject(error);
        }
      })();
    });
  } as RumFetch;
  rumFetch.leave = () => [...visible].forEach((onLeave) => onLeave());
  return rumFetch;
}

/**
 * Sends `body` as beacons of ≤ 60 KiB (whole OTLP items per piece); returns the pieces the
 * browser refused (quota exhausted, no `sendBeacon`, or a throwing call).
 */
function sendBeacons(beacon: Beacon, url: string, body: string, type: string): string[] {
  const pieces = new TextEncoder().encode(body).byteLength <= BEACON_MAX_BYTES ? [body] : (splitOtlpJson(body, BEACON_MAX_BYTES)?.map((p) => p.body) ?? [body]);
  return pieces.filter((piece) => {
    try {
      return !beacon(url, type === TEXT_PLAIN ? piece : new Blob([piece], { type }));
    } catch {
      // Chromium throws for a Blob type it won't send without a preflight; report as refused.
      return true;
    }
  });
}

/** Counts the spans, log records or metrics of a refused piece as dropped (reported once). */
function drop(piece: string): void {
  let n = 0;
  try {
    const root = JSON.parse(piece);
    for (const [top, scopes, items] of CONTAINERS) for (const r of root[top] ?? []) for (const s of r[scopes] ?? []) n += s[items]?.length ?? 0;
  } catch {
    // not OTLP/JSON: counted as one item
  }
  if (!droppedTotal) diag.warn(`RUM: the browser refused a beacon while the page was hidden; dropped ${n} telemetry item(s). Later drops are counted, not reported.`);
  droppedTotal += n || 1;
}

/**
 * A 200 answer for what a beacon took, or what leaves with the page. Not a `Response`: reading
 * a constructed one's body waits for a task, and at page hide no later task runs; this body
 * reads in a microtask, so the exporter goes on with its next request in the same task.
 */
function delivered(): Response {
  return { ok: true, status: 200, headers: new Headers({ "content-type": "application/json" }), text: () => Promise.resolve("{}") } as unknown as Response;
}
