// Finds and runs the `deno` binary that the pinned `deno` devDependency brings from npm, and
// builds a throwaway Deno project that resolves `otel-edge` the way users' projects do.
// npm may skip the `deno` package's postinstall (install scripts need approval), so the
// binary is taken from the platform package (`@deno/linux-x64-glibc`, ...) first, then from
// the `deno` package itself (where its postinstall copies it). Nothing is downloaded.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

export const repoRoot = new URL("../../..", import.meta.url).pathname.replace(/\/$/, "");
const require = createRequire(join(repoRoot, "package.json"));

function platformPackages() {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  if (process.platform === "linux") return [`@deno/linux-${arch}-glibc`];
  if (process.platform === "darwin") return [`@deno/darwin-${arch}`];
  if (process.platform === "win32") return [`@deno/win32-${arch}`];
  return [];
}

/** Absolute path of the deno binary, or throws saying what is missing. */
export function findDeno() {
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const candidates = [];
  for (const pkg of [...platformPackages(), "deno"]) {
    try {
      candidates.push(join(dirname(require.resolve(`${pkg}/package.json`)), exe));
    } catch {
      // not installed for this platform
    }
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`deno binary not found (looked at ${candidates.join(", ") || "no installed package"}); run npm install`);
  return found;
}

/**
 * A temp Deno project: `node_modules/otel-edge` links to the repo (so `import "otel-edge"`
 * goes through package.json `exports` and Deno's `deno` condition), a deno.json using that
 * node_modules as is, a private DENO_DIR, and the given files.
 */
export function createDenoProject(files) {
  const dir = mkdtempSync(join(tmpdir(), "otel-edge-deno-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "otel-edge"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "deno-consumer", private: true, type: "module" }));
  writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual", lock: false }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `import ... from` text for a repo file, as a file URL. */
export function repoFileUrl(path) {
  return pathToFileURL(join(repoRoot, path)).href;
}

/**
 * Runs deno with `args` in `cwd`, a private DENO_DIR (default `cwd/.deno-dir`), no inherited environment beyond PATH
 * and HOME, and a hard timeout (the child is killed). Resolves { code, output }.
 * @param {string[]} args
 * @param {{ cwd: string, timeoutMs?: number, denoDir?: string }} options
 * @returns {Promise<{ code: number | string, output: string }>}
 */
export function runDeno(args, { cwd, timeoutMs = 45000, denoDir = join(cwd, ".deno-dir") }) {
  return new Promise((resolve) => {
    const child = spawn(findDeno(), args, {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: denoDir, DENO_DIR: denoDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, output });
    });
  });
}

/** Flags every Deno run in the tests uses: no prompt, no remote modules, no registry. */
export const OFFLINE_FLAGS = ["--no-prompt", "--no-remote", "--no-lock", "--node-modules-dir=manual"];
