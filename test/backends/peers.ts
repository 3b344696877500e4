// Starts the real peers of the backends suite (built by scripts/peers.mjs into the per-machine
// cache) on free 127.0.0.1 ports with temp-dir state, and stops them. A peer that is missing
// throws the recorded build failure, so the suite that needs it fails with that message.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-ignore: a plain .mjs script without declarations
import { requirePeer } from "../../scripts/peers.mjs";
import { scrapeConfigsYaml } from "../../scripts/prometheus-tools.mjs";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A started peer process: its output (last 200 KB) and a `close()` that stops it. */
export interface Proc {
  readonly child: ChildProcess;
  log(): string;
  close(): Promise<void>;
}

function start(bin: string, args: string[], cwd?: string): Proc {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], cwd });
  let log = "";
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return { child, log: () => log, close };
}

/** Runs a suite's set-up for `test.before`, printing its error first: uvu reports a failing hook without it. */
export async function setUpReporting(setUp: () => Promise<void>): Promise<void> {
  try {
    await setUp();
  } catch (e) {
    console.error(e);
    throw e;
  }
}

/** Polls `fn` until it returns something other than undefined; throws with `what` at the deadline. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ""}`);
}

async function waitReady(url: string, proc: Proc, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null) throw new Error(`${what} exited with code ${proc.child.exitCode}:\n${proc.log()}`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready at ${url} within ${deadlineMs} ms:\n${proc.log()}`);
}

/** The Collector's log lines at warn level or above (its logs are JSON lines with a "level"). */
function problems(log: string): string[] {
  return log.split("\n").filter((line) => {
    if (!line.trim()) return false;
    try {
      const level = String(JSON.parse(line).level ?? "").toLowerCase();
      return level === "warn" || level === "error" || level === "dpanic" || level === "panic" || level === "fatal";
    } catch {
      // Not a JSON log line (a panic trace, say): count it.
      return true;
    }
  });
}

/** A running Collector whose file exporter writes one JSON line per received request, per signal. */
export interface Collector {
  /** Base URL of its OTLP/HTTP receiver (`/v1/traces` etc. below it). */
  readonly endpoint: string;
  /** Every request the exporter wrote so far for `signal`, parsed. */
  written(signal: "traces" | "metrics" | "logs"): any[];
  /** Log lines at warn level or above. */
  problems(): string[];
  log(): string;
  close(): Promise<void>;
}

/**
 * Starts our Collector distribution (test/backends/collector) with the OTLP/HTTP receiver on a
 * free port (CORS allowed for `corsOrigins`) and one file exporter per signal.
 */
export async function startCollector(options: { corsOrigins?: string[] } = {}): Promise<Collector> {
  const bin = requirePeer("otelcol");
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-otelcol-"));
  const port = await freePort();
  const file = (signal: string): string => join(dir, `${signal}.jsonl`);
  const http: Record<string, unknown> = { endpoint: `127.0.0.1:${port}` };
  if (options.corsOrigins) http.cors = { allowed_origins: options.corsOrigins };
  const signals = ["traces", "metrics", "logs"];
  // JSON is YAML: the file provider reads it as is.
  const config = {
    receivers: { otlp: { protocols: { http } } },
    exporters: Object.fromEntries(signals.map((s) => [`file/${s}`, { path: file(s), format: "json", flush_interval: "100ms" }])),
    service: {
      telemetry: { logs: { level: "info", encoding: "json" }, metrics: { level: "none" } },
      pipelines: Object.fromEntries(signals.map((s) => [s, { receivers: ["otlp"], exporters: [`file/${s}`] }])),
    },
  };
  writeFileSync(join(dir, "config.yaml"), JSON.stringify(config, null, 2));
  const proc = start(bin, [`--config=${join(dir, "config.yaml")}`]);
  const close = async (): Promise<void> => {
    await proc.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The receiver answers 405 to a GET on a signal path once it listens.
    await waitReady(`http://127.0.0.1:${port}/v1/traces`, proc, "the Collector");
  } catch (e) {
    await close();
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    written(signal) {
      const path = file(signal);
      if (!existsSync(path)) return [];
      return readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
    },
    problems: () => problems(proc.log()),
    log: proc.log,
    close,
  };
}

/** A running Jaeger v2 with in-memory storage. */
export interface Jaeger {
  /** Base URL of its OTLP/HTTP receiver. */
  readonly otlpEndpoint: string;
  /** Base URL of its query service (`/api/traces/<id>`, `/api/services`). */
  readonly queryBase: string;
  log(): string;
  close(): Promise<void>;
}

/** Starts Jaeger v2 (all-in-one: OTLP receiver → memory storage → query) on free ports. */
export async function startJaeger(): Promise<Jaeger> {
  const bin = requirePeer("jaeger");
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-jaeger-"));
  const [otlp, query, grpcQuery, health] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const config = {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: { traces: { receivers: ["otlp"], processors: [], exporters: ["jaeger_storage_exporter"] } },
      telemetry: { logs: { level: "info" }, metrics: { level: "none" } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${health}` } },
      jaeger_query: {
        storage: { traces: "memstore" },
        http: { endpoint: `127.0.0.1:${query}` },
        grpc: { endpoint: `127.0.0.1:${grpcQuery}` },
      },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 10000 } } } },
    },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
    exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
  };
  writeFileSync(join(dir, "config.yaml"), JSON.stringify(config, null, 2));
  const proc = start(bin, [`--config=${join(dir, "config.yaml")}`], dir);
  const close = async (): Promise<void> => {
    await proc.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`http://127.0.0.1:${otlp}/v1/traces`, proc, "Jaeger's OTLP receiver");
    await waitReady(`http://127.0.0.1:${query}/api/services`, proc, "Jaeger's query API");
  } catch (e) {
    await close();
    throw e;
  }
  return { otlpEndpoint: `http://127.0.0.1:${otlp}`, queryBase: `http://127.0.0.1:${query}`, log: proc.log, close };
}

/** A running Prometheus 3. */
export interface Prometheus {
  readonly base: string;
  api(path: string): Promise<any>;
  query(promql: string): Promise<any>;
  log(): string;
  close(): Promise<void>;
}

/**
 * Starts Prometheus 3 with a temp TSDB, exemplar storage on, its OTLP receiver on, scraping
 * `jobs` every second (each job's `config` lines are extra YAML of the job, 4-space indented).
 */
export async function startPrometheus3(jobs: Array<{ name: string; port: number; path?: string; config?: string[] }> = []): Promise<Prometheus> {
  const bin = requirePeer("prometheus");
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-prom3-"));
  const port = await freePort();
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    "otlp:",
    // Keep resource attributes of OTLP pushes queryable as labels too (target_info has them all).
    "  promote_resource_attributes: [service.instance.id]",
    ...scrapeConfigsYaml(jobs),
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config + "\n");
  const proc = start(bin, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage",
    "--web.enable-otlp-receiver",
    "--log.level=warn",
  ]);
  const base = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    await proc.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${base}/-/ready`, proc, "Prometheus");
  } catch (e) {
    await close();
    throw e;
  }
  const api = async (path: string): Promise<any> => (await fetch(base + path)).json();
  return { base, api, query: (q) => api(`/api/v1/query?query=${encodeURIComponent(q)}`), log: proc.log, close };
}
