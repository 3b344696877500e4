/**
 * The traced `fetch`, shared by the Workers `instrument()` and the browser's
 * `installFetchInstrumentation()`, as the product's src/instrument/fetch.ts: one CLIENT span
 * per call with the stable HTTP client semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client), `url.full`
 * redacted, and the W3C context injected only where the caller allows it (`propagateTo`). The
 * span ends when the response headers arrive (reading the body is the caller's business).
 *
 * - Calls under SUPPRESS_KEY (the exporter's, and any fetch reached inside a traced one through
 *   another wrapper) pass straight through: one call never makes two spans, and our own
 *   exports are never traced.
 * - Relative URLs resolve against the page (`location.href`, read per call: a single-page app
 *   navigates); inputs without a URL (or with a throwing getter) pass through untouched, and
 *   fetch itself says why.
 * - The caller's Request and Headers are never changed: the headers go in a copied `init`,
 *   which fetch applies over the Request's (its body is never read).
 * - Marked with the product's symbol: neither this module nor the product wraps it twice.
 */
import type { Attributes } from "./contract.ts";
import type { Tracer } from "../../src/trace/tracer.ts";
import { active, SUPPRESS_KEY, withContext } from "./context-core.ts";
import { warnOnce } from "./diag.ts";
import { redactUrl, setMethod, setPort } from "./http.ts";
import { operation } from "./operation.ts";
import { inject } from "./propagation.ts";

/** Marks a traced fetch (the product's symbol): never wrapped twice, by this module or the product. */
export const TRACED: unique symbol = /* @__PURE__ */ Symbol.for("otel-edge.instrumented-fetch") as never;

export type TracedFetch = typeof fetch & { [TRACED]?: true };

/**
 * `original` traced: `tracer(url)` gives the tracer for a call (undefined: the call is not
 * traced — not started, disabled or ignored); `propagate(url)` says whether the call gets the
 * trace headers (default: every call).
 */
export function traceFetch(original: typeof fetch, tracer: (url: URL) => Tracer | undefined, propagate?: (url: URL) => boolean): TracedFetch {
  const traced: TracedFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const parent = active();
    let request: Request | undefined;
    let method: unknown;
    let url: URL | undefined;
    let t: Tracer | undefined;
    if (!parent.getValue(SUPPRESS_KEY)) {
      try {
        request = typeof (input as Request | null)?.url == "string" ? (input as Request) : undefined;
        method = init?.method ?? request?.method;
        url = new URL(request ? request.url : String(input), (globalThis as { location?: { href?: string } }).location?.href);
        t = tracer(url);
      } catch {} // no URL (or a throwing getter): fetch itself says why
    }
    if (!t) return original.call(this, input, init);
    const attributes: Attributes = {};
    const name = setMethod(typeof method == "string" && method ? method : "GET", attributes);
    attributes["server.address"] = url!.hostname;
    attributes["url.scheme"] = url!.protocol.slice(0, -1);
    setPort(url!, attributes);
    attributes["url.full"] = redactUrl(url!);
    return operation(
      t,
      name,
      2, // CLIENT
      attributes,
      parent,
      () => {
        let sent = init;
        if (!propagate || propagate(url!)) {
          try {
            const headers = new Headers(init?.headers ?? request?.headers);
            inject(active(), headers);
            sent = { ...init, headers };
          } catch {
            warnOnce("fetch sent without trace headers: not copyable");
          }
        }
        return withContext(active().setValue(SUPPRESS_KEY, true), () => original.call(this, input, sent));
      },
      400,
      (response, end) => (end((response as Response | undefined)?.status), response),
    ) as Promise<Response>;
  };
  traced[TRACED] = true;
  return traced;
}
