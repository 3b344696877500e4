/**
 * Traced `XMLHttpRequest` (the product's src/runtime/rum/xhr.ts): one CLIENT span per `send()`
 * with the HTTP client conventions of the traced fetch (method, `server.address`/`port`,
 * `url.scheme`, redacted `url.full`, `http.response.status_code`, `error.type` for a status
 * ≥ 400 or `NetworkError`/`AbortError`/`TimeoutError`), `traceparent` on propagated targets,
 * and a request made outside any span joining `parent()` (the page's `<meta name="traceparent">`
 * context). Suppressed contexts (our own exports) are not traced.
 *
 * Left out: header capture, the duration histogram, `ignore` rules (the product's RUM passes none).
 *
 * @module
 */
import type { Attributes, Context } from "./contract.ts";
import type { Tracer } from "../../src/trace/tracer.ts";
import { active, SUPPRESS_KEY } from "./context-core.ts";
import { setMethod, setPort, redactUrl } from "./http.ts";
import { operation, type Ends } from "./operation.ts";
import { inject } from "./propagation.ts";
import { getSpan } from "./tracer.ts";

type Xhr = XMLHttpRequest;
type Method = (this: Xhr, ...args: unknown[]) => unknown;
type Proto = Record<"open" | "send", Method>;

/** Patches `XMLHttpRequest.prototype.open/send`; returns the undo. */
export function traceXhr(tracer: Tracer, parent: () => Context, propagate: (url: URL) => boolean): () => void {
  const proto = (globalThis as { XMLHttpRequest?: { prototype: Proto } }).XMLHttpRequest?.prototype;
  if (!proto) return () => {};
  const opened = new WeakMap<object, [string, URL] | undefined>();
  const { open, send } = proto;
  let live = true;
  const patched: Proto = {
    open(...args) {
      if (live) {
        try {
          opened.set(this, [typeof args[0] == "string" && args[0] ? args[0] : "GET", new URL(String(args[1]), (globalThis as { location?: { href?: string } }).location?.href)]);
        } catch {
          opened.delete(this); // open() itself throws for this URL
        }
      }
      return open.apply(this, args);
    },
    send(...args) {
      const info = live && opened.get(this);
      const current = active();
      if (!info || current.getValue(SUPPRESS_KEY)) return send.apply(this, args);
      opened.delete(this); // one span per send
      const [method, url] = info;
      const attributes: Attributes = {};
      const name = setMethod(method, attributes);
      attributes["server.address"] = url.hostname;
      attributes["url.scheme"] = url.protocol.slice(0, -1);
      setPort(url, attributes);
      attributes["url.full"] = redactUrl(url);
      let failure: string | undefined;
      let ends: Ends | undefined;
      let loaded: boolean | undefined;
      // A synchronous request ends inside send(), before operation() hands over `end`.
      const finish = () => ends && loaded && ends(this.status || undefined, undefined, failure ?? (this.status ? undefined : "NetworkError"));
      return operation(
        tracer,
        name,
        2, // CLIENT
        attributes,
        getSpan(current) ? current : parent(),
        () => {
          if (propagate(url)) inject(active(), this, { set: (x: Xhr, k: string, v: string) => x.setRequestHeader(k, v) });
          for (const [event, type] of [["error", "NetworkError"], ["abort", "AbortError"], ["timeout", "TimeoutError"]]) this.addEventListener(event!, () => (failure = type));
          this.addEventListener("loadend", () => ((loaded = true), finish()));
          return send.apply(this, args);
        },
        400,
        (result, end) => ((ends = end), finish(), result),
      );
    },
  };
  proto.open = patched.open;
  proto.send = patched.send;
  return () => {
    live = false;
    if (proto.open == patched.open) proto.open = open;
    if (proto.send == patched.send) proto.send = send;
  };
}
