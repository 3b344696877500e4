// Builds, once per machine, the real peers of the backends suite (test/backends/): our own
// minimal OpenTelemetry Collector (test/backends/collector/: OTLP receiver + file exporter),
// Jaeger v2 and Prometheus 3, from the Go module proxy with the ordinary `go` client. Every
// version is pinned (the collector's and Jaeger's go.mod/go.sum live in test/backends/;
// Prometheus is built from its own module's go.mod by `go install module@version`). Binaries go to
// a per-machine cache outside the repository keyed by name and version (plus a hash of our own
// Go files for the collector), so the second run finds them at once:
//   ${OTEL_EDGE_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/otel-edge-peers}/<name>-<version>/<bin>
// A build that fails leaves `error.txt` there instead, which the suite reports as its failure.
//
//   node scripts/peers.mjs            builds whatever is missing, one after another
//   node scripts/peers.mjs --list     prints each peer's state without building
//   node scripts/peers.mjs --path jaeger   builds jaeger if missing, then prints only its path
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The peers, their pinned versions and how each is built. */
export const PEERS = {
  otelcol: {
    title: "OpenTelemetry Collector (otel-edge test distribution: otlpreceiver + contrib fileexporter)",
    version: "v0.161.0",
    module: join(root, "test/backends/collector"),
    sources: ["main.go", "go.mod", "go.sum"],
    pkg: ".",
    bin: "otelcol",
  },
  prometheus: {
    // Module v0.316.0 is Prometheus 3.16.0 (Prometheus tags its Go module 0.<major*100+minor>).
    title: "Prometheus 3.16.0",
    version: "v0.316.0",
    install: "github.com/prometheus/prometheus/cmd/prometheus",
    // Prometheus' own build tag that leaves out every service-discovery plugin (the cloud SDKs
    // are most of its dependency graph); the suite scrapes static targets only.
    tags: "remove_all_sd",
    bin: "prometheus",
  },
  jaeger: {
    // Jaeger's own go.mod has replace directives, so `go install ...@version` refuses it; it is
    // built as a tool of a tiny module of ours (test/backends/jaeger/go.mod), which pins its graph.
    title: "Jaeger v2 (v1.75.0 module; the v2 binary)",
    version: "v1.75.0",
    module: join(root, "test/backends/jaeger"),
    sources: ["go.mod", "go.sum"],
    pkg: "github.com/jaegertracing/jaeger/cmd/jaeger",
    bin: "jaeger",
  },
};

// A bound on one peer's build, so a stuck build fails with a message instead of eating CI's
// 90 minutes. (First builds measured here: Jaeger ~8 min of CPU, the Collector ~1.5 min; on 2
// cores shared with other work the wall time was far longer.)
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** The cache folder of all peers. */
export function peersDir() {
  if (process.env.OTEL_EDGE_PEERS_DIR) return process.env.OTEL_EDGE_PEERS_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "otel-edge-peers");
}

function key(name) {
  const peer = PEERS[name];
  if (!peer.sources) return `${name}-${peer.version}${peer.tags ? `-${peer.tags}` : ""}`;
  const hash = createHash("sha256");
  for (const f of peer.sources) hash.update(readFileSync(join(peer.module, f)));
  return `${name}-${peer.version}-${hash.digest("hex").slice(0, 8)}`;
}

/** Where `name`'s binary is (or would be) in the cache. */
export function peerPath(name) {
  return join(peersDir(), key(name), PEERS[name].bin);
}

/**
 * The path of `name`'s built binary; throws with the recorded build failure (or how to build it)
 * when it is missing, so the suite that needs it fails with that message.
 */
export function requirePeer(name) {
  const path = peerPath(name);
  if (existsSync(path)) return path;
  const errFile = join(dirname(path), "error.txt");
  const why = existsSync(errFile) ? `its build failed:\n${readFileSync(errFile, "utf8")}` : "it has not been built";
  throw new Error(`${PEERS[name].title} ${PEERS[name].version} is missing at ${path}: ${why}\nBuild it with: node scripts/peers.mjs ${name}`);
}

/** Facts recorded by the build (`{ seconds, go, builtAt }`), or undefined. */
export function buildInfo(name) {
  try {
    return JSON.parse(readFileSync(join(dirname(peerPath(name)), "build.json"), "utf8"));
  } catch {
    return undefined;
  }
}

function goVersion() {
  try {
    return execFileSync("go", ["version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/** Builds `name` unless it is in the cache. Returns `{ path, built, seconds?, error? }`; never throws. */
export function buildPeer(name) {
  const peer = PEERS[name];
  const path = peerPath(name);
  if (existsSync(path)) return { path, built: false };
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, "error.txt"), { force: true });
  const go = goVersion();
  const fail = (error) => {
    writeFileSync(join(dir, "error.txt"), error + "\n");
    return { path, built: false, error };
  };
  if (!go) return fail("`go` is not on PATH (Go 1.26 is expected on this machine)");
  // Into a temp name first, renamed when complete: an interrupted build never leaves a binary.
  const tmp = join(dir, `.${peer.bin}.partial`);
  console.log(`peers: building ${peer.title} ${peer.version} with ${go} (first time on this machine: minutes)...`);
  const started = Date.now();
  // GOTOOLCHAIN=local: build with this machine's Go, never download another toolchain.
  const env = { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: [process.env.GOFLAGS, "-trimpath", "-buildvcs=false"].filter(Boolean).join(" ") };
  let r;
  if (peer.install) {
    const gobin = join(dir, ".gobin");
    r = spawnSync("go", ["install", ...(peer.tags ? ["-tags", peer.tags] : []), `${peer.install}@${peer.version}`], { env: { ...env, GOBIN: gobin }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20 });
    if (r.status === 0) renameSync(join(gobin, peer.bin), tmp);
    rmSync(gobin, { recursive: true, force: true });
  } else {
    r = spawnSync("go", ["build", "-mod=readonly", "-o", tmp, peer.pkg], { cwd: peer.module, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20 });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const out = `${r.stderr ?? ""}${r.stdout ?? ""}${r.error ? String(r.error) : ""}`.trim().split("\n").slice(-30).join("\n");
    return fail(`${go}: building ${peer.install ?? peer.pkg}@${peer.version} failed after ${seconds} s (exit ${r.status}):\n${out}`);
  }
  renameSync(tmp, path);
  writeFileSync(join(dir, "build.json"), JSON.stringify({ seconds, go, builtAt: new Date().toISOString() }) + "\n");
  return { path, built: true, seconds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const list = args.includes("--list");
  const pathOnly = args.includes("--path");
  const names = args.filter((a) => !a.startsWith("--"));
  for (const n of names) if (!PEERS[n]) throw new Error(`unknown peer ${n}; known: ${Object.keys(PEERS).join(", ")}`);
  let failed = 0;
  for (const name of names.length ? names : Object.keys(PEERS)) {
    if (list) {
      const info = buildInfo(name);
      console.log(`${name} ${PEERS[name].version}: ${existsSync(peerPath(name)) ? `${peerPath(name)}${info ? ` (first build ${info.seconds} s)` : ""}` : "not built"}`);
      continue;
    }
    const started = Date.now();
    if (pathOnly) {
      // Build messages to stderr, so `"$(node scripts/peers.mjs --path jaeger)"` runs the binary.
      const log = console.log;
      console.log = console.error;
      const r = buildPeer(name);
      console.log = log;
      if (r.error) {
        failed++;
        console.error(`peers: ${name}: ${r.error}`);
      } else console.log(r.path);
      continue;
    }
    const r = buildPeer(name);
    if (r.error) {
      failed++;
      console.error(`peers: ${name} ${PEERS[name].version}: ${r.error}`);
    } else {
      console.log(`peers: ${name} ${PEERS[name].version} ${r.built ? `built in ${r.seconds} s` : `cached (${Date.now() - started} ms)`}: ${r.path}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
