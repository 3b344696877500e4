// A static server on 127.0.0.1 for the browser suite: the test pages (test/runtimes/browser/),
// the built bundles (dist/, as the `browser` export condition ships them) and the shared
// scenario. Only these three roots are served; anything else is a 404.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";

const repo = new URL("../../../", import.meta.url).pathname;
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".map": "application/json" };

function resolvePath(pathname) {
  if (pathname === "/scenario.mjs") return join(repo, "test/runtimes/scenario.mjs");
  const [root, rest] = pathname.startsWith("/dist/") ? [join(repo, "dist"), pathname.slice("/dist/".length)] : [join(repo, "test/runtimes/browser"), pathname.slice(1)];
  const file = normalize(join(root, decodeURIComponent(rest)));
  return file.startsWith(root + sep) ? file : undefined;
}

/** Starts the server; resolves to `{ url, close() }`. */
export async function startStaticServer() {
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://127.0.0.1");
    const file = resolvePath(pathname);
    const ext = file?.slice(file.lastIndexOf("."));
    try {
      if (!file || !TYPES[ext]) throw new Error("not served");
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
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
