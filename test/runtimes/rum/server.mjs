// The RUM test site on 127.0.0.1: `index.html` rendered with a fresh server-side
// `<meta name="traceparent">` (as a traced server would), the page script, the built bundles
// (dist/), a same-origin backend `/api/work` (and `/api/xhr-work` for XHR) that records the
// traceparent it receives (the backend continuing the trace), and `next.html` to navigate away to. A second server on another
// origin is a cross-origin API (`/api/xhr`) with CORS: it allows the `x-request-id` and
// `authorization` request headers and exposes `x-served-by` but not `x-internal`.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";

const repo = new URL("../../../", import.meta.url).pathname;
const here = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8" };

/** Starts the site; resolves to `{ url, apiUrl, serverTraceparents, backendTraceparents, xhrTraceparents, apiRequests, close() }`. */
export async function startRumSite() {
  const serverTraceparents = [];
  const backendTraceparents = [];
  const xhrTraceparents = [];
  const apiRequests = [];
  const api = createServer((req, res) => {
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-headers": "x-request-id, authorization",
      "access-control-allow-methods": "GET, POST",
      "access-control-expose-headers": "x-served-by",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    apiRequests.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { ...cors, "content-type": "application/json", "x-served-by": "api-1", "x-internal": "hidden-by-cors" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise((resolve) => api.listen(0, "127.0.0.1", resolve));
  const server = createServer(async (req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      if (pathname === "/api/work" || pathname === "/api/xhr-work") {
        (pathname === "/api/work" ? backendTraceparents : xhrTraceparents).push(req.headers.traceparent ?? null);
        res.writeHead(200, { "content-type": "application/json", "x-served-by": "site-1", "set-cookie": "sid=cookie-secret" });
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      if (pathname === "/index.html") {
        const traceparent = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
        serverTraceparents.push(traceparent);
        const html = (await readFile(join(here, "index.html"), "utf8")).replace("{{TRACEPARENT}}", traceparent);
        // `no-store` keeps a page out of Chromium's back/forward cache: the bfcache scenario's
        // page is only revalidated (https://web.dev/articles/bfcache#minimize-use-of-cache-control-no-store).
        res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": searchParams.get("mode") === "bfcache" ? "no-cache" : "no-store" });
        res.end(html);
        return;
      }
      const [root, rest] = pathname.startsWith("/dist/") ? [join(repo, "dist"), pathname.slice(6)] : [here, pathname.slice(1)];
      const file = normalize(join(root, decodeURIComponent(rest)));
      const ext = file.slice(file.lastIndexOf("."));
      if (!file.startsWith(root + sep) || !TYPES[ext] || file.endsWith(".test.ts")) throw new Error("not served");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[ext], "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    // Another port: another origin (CORS applies).
    apiUrl: `http://127.0.0.1:${api.address().port}`,
    serverTraceparents,
    backendTraceparents,
    xhrTraceparents,
    apiRequests,
    close: () =>
      Promise.all([server, api].map((s) => new Promise((resolve) => { s.closeAllConnections?.(); s.close(() => resolve()); }))).then(() => undefined),
  };
}
