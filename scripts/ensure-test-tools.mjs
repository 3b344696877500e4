// Installs, once and before any suite runs, the real peers the conformance suites use
// (Debian's prometheus + prometheus-pushgateway for promtool, a real scrape and a real
// Pushgateway; Debian's chromium; the official OpenTelemetry JS SDK from bench/'s lockfile,
// which test/resource/env-conformance.test.ts compares our OTEL_* handling with). Suites run in parallel, so installing here avoids concurrent apt-get runs
// fighting over the dpkg lock. As root it installs what is missing; otherwise it says how.
import { ensurePrometheusTools } from "./prometheus-tools.mjs";

try {
  const tools = ensurePrometheusTools();
  console.log(`test tools: promtool ${tools.promtool}, prometheus ${tools.prometheus}, pushgateway ${tools.pushgateway}`);
} catch (err) {
  console.error(`test tools: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

// Chromium for test/runtimes/browser.test.ts (driven by playwright-core, which never downloads
// a browser): Debian's package, at /usr/bin/chromium.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
if (!existsSync("/usr/bin/chromium")) {
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    execFileSync("sh", ["-c", "apt-get update && apt-get install -y --no-install-recommends chromium"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 540_000,
    });
  }
  if (!existsSync("/usr/bin/chromium")) {
    console.error("test tools: /usr/bin/chromium is missing; install it as root: apt-get update && apt-get install -y chromium");
    process.exit(1);
  }
}
console.log("test tools: chromium /usr/bin/chromium");

// The official SDK (bench/package-lock.json, pinned): the env-conformance suite's peer.
if (!existsSync(new URL("../bench/node_modules/@opentelemetry/resources/package.json", import.meta.url))) {
  try {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: new URL("../bench/", import.meta.url), stdio: "ignore", timeout: 300_000 });
  } catch (err) {
    console.error(`test tools: npm ci in bench/ failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
console.log("test tools: official OpenTelemetry JS SDK in bench/node_modules");

// The real backends of test/backends/ (issue 17): our Collector distribution, Prometheus 3 and
// Jaeger v2, built from the Go module proxy into the per-machine cache (scripts/peers.mjs).
// Built here, before any suite, because a first build takes minutes and a suite has 240 s.
// A failed build does not stop the other suites: it is recorded, and the suite that needs the
// peer fails with that message.
import { PEERS, buildPeer } from "./peers.mjs";
for (const name of Object.keys(PEERS)) {
  const started = Date.now();
  const r = buildPeer(name);
  if (r.error) console.error(`test tools: ${name} ${PEERS[name].version} could not be built (the backends suite will fail with this):\n${r.error}`);
  else console.log(`test tools: ${name} ${PEERS[name].version} ${r.built ? `built in ${r.seconds} s` : `cached (${Date.now() - started} ms)`}: ${r.path}`);
}

// The Node release lines scripts/test.mjs runs the Node suites on (22, 24, 26; issue 17), from
// the npm registry into the per-machine cache (scripts/node-lines.mjs). As with the peers, a
// line that cannot be installed is reported here and counted as a failure by scripts/test.mjs.
import { NODE_LINES, ensureNodeLine } from "./node-lines.mjs";
for (const version of NODE_LINES) {
  const started = Date.now();
  const r = ensureNodeLine(version);
  if (r.error) console.error(`test tools: ${r.error}`);
  else console.log(`test tools: node ${version} ${r.installed ? `installed in ${r.seconds} s` : `cached (${Date.now() - started} ms)`}: ${r.path}`);
}
