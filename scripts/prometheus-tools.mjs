// Locates (and, as root, installs from Debian) promtool, prometheus and the Pushgateway for
// the conformance tests, and starts them on free 127.0.0.1 ports with temp-dir storage.
// Everything started here is killed by the returned `close()`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const INSTALL = "apt-get update && apt-get install -y --no-install-recommends prometheus prometheus-pushgateway";
const TOOLS = ["promtool", "prometheus", "prometheus-pushgateway"];

function which(name) {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let located;
/** Returns `{ promtool, prometheus, pushgateway }` paths, installing the Debian packages when root. */
export function ensurePrometheusTools() {
  if (located) return located;
  let missing = TOOLS.filter((t) => !which(t));
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    if (!isRoot) throw new Error(`Missing ${missing.join(", ")}. Install them with: sudo sh -c '${INSTALL}'`);
    // The Debian package may try to start a system service; without systemd that is a no-op.
    execFileSync("sh", ["-c", INSTALL], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 540_000 });
    missing = TOOLS.filter((t) => !which(t));
    if (missing.length > 0) throw new Error(`Still missing ${missing.join(", ")} after: ${INSTALL}`);
  }
  located = { promtool: which("promtool"), prometheus: which("prometheus"), pushgateway: which("prometheus-pushgateway") };
  return located;
}

/** Runs `promtool check metrics` on `text`; resolves `{ code, output }` (output = lint problems). */
export function promtoolCheckMetrics(text) {
  const { promtool } = ensurePrometheusTools();
  return new Promise((resolve) => {
    const child = spawn(promtool, ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startProcess(bin, args, port) {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log = (log + d).slice(-20000)));
  child.stderr.on("data", (d) => (log = (log + d).slice(-20000)));
  const base = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    });
  return { child, base, close, log: () => log };
}

async function waitReady(url, proc, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null) throw new Error(`process exited early:\n${proc.log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready at ${url} within ${deadlineMs} ms:\n${proc.log()}`);
}

/**
 * The `scrape_configs:` lines of a prometheus.yml scraping each job's 127.0.0.1 port every
 * second; a job's `config` lines are extra raw YAML of the job (4-space indented), e.g.
 * authorization / basic_auth. Shared with the Prometheus 3 of the backends suite.
 */
export function scrapeConfigsYaml(jobs) {
  return [
    "scrape_configs:",
    ...jobs.flatMap((j) => [
      `  - job_name: ${JSON.stringify(j.name)}`,
      `    metrics_path: ${JSON.stringify(j.path ?? "/metrics")}`,
      "    scrape_interval: 1s",
      ...(j.config ?? []),
      "    static_configs:",
      `      - targets: ["127.0.0.1:${j.port}"]`,
    ]),
  ];
}

/**
 * Starts a Prometheus server scraping `jobs` (`[{ name, port, path? }]`) every second on
 * 127.0.0.1, with exemplar storage enabled and a temp TSDB. Returns `{ base, query(promql), close() }`.
 */
export async function startPrometheus(jobs) {
  const { prometheus } = ensurePrometheusTools();
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-prom-"));
  const port = await freePort();
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    ...scrapeConfigsYaml(jobs),
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config + "\n");
  const proc = startProcess(prometheus, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage",
    "--log.level=warn",
  ], port);
  const close = async () => {
    await proc.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${proc.base}/-/ready`, proc, 15000);
  } catch (e) {
    await close();
    throw e;
  }
  const api = async (path) => {
    const r = await fetch(proc.base + path);
    return r.json();
  };
  return {
    base: proc.base,
    log: proc.log,
    api,
    query: (q) => api(`/api/v1/query?query=${encodeURIComponent(q)}`),
    close,
  };
}

/** Starts a Pushgateway on a free 127.0.0.1 port. Returns `{ base, close() }`. */
export async function startPushgateway() {
  const { pushgateway } = ensurePrometheusTools();
  const port = await freePort();
  const proc = startProcess(pushgateway, [`--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], port);
  try {
    await waitReady(`${proc.base}/-/ready`, proc, 10000);
  } catch (e) {
    await proc.close();
    throw e;
  }
  return { base: proc.base, log: proc.log, close: proc.close };
}
