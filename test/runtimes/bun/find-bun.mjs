// Finds a runnable `bun` binary from the pinned `bun` devDependency, however npm installed it.
//
// The `bun` npm package ships a placeholder `bin/bun.exe`; its postinstall moves the real
// binary there from the optional platform package `@oven/bun-<os>-<arch>[-musl]`. npm 11
// may skip that postinstall (install scripts not approved with `allowScripts`), and then
// the binary is still in the platform package. On x64 CPUs without AVX2 the regular build
// cannot run and Bun's `-baseline` build is needed: npm never installs it on its own (the
// postinstall treats it as an alias), so we use it when someone has added it
// (`npm i --no-save @oven/bun-linux-x64-baseline@<same version>`) and otherwise say so.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** True when the CPU lacks AVX2 (x64 Linux only; elsewhere we cannot tell and assume it's fine). */
export function needsBaseline() {
  if (process.platform !== "linux" || process.arch !== "x64") return false;
  try {
    return !/\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

function isMusl() {
  // glibcVersionRuntime is absent from the report on musl (Alpine).
  const header = /** @type {any} */ (process.report?.getReport())?.header;
  return process.platform === "linux" && header ? !header.glibcVersionRuntime : false;
}

function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Candidate binary paths, best first. */
function candidates() {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  const platform = `@oven/bun-${os}-${arch}${isMusl() ? "-musl" : ""}`;
  const exe = process.platform === "win32" ? "bin/bun.exe" : "bin/bun";
  const platforms = needsBaseline() ? [`${platform}-baseline`, platform] : [platform];
  const out = [];
  for (const name of platforms) {
    const dir = packageDir(name);
    if (dir) out.push(join(dir, exe));
  }
  const wrapper = packageDir("bun");
  if (wrapper) out.push(join(wrapper, "bin", "bun.exe"));
  return out;
}

/**
 * Returns `{ bun, version }` for the first candidate that runs `--version`, or
 * `{ error }` saying what was tried and why none works.
 */
export function findBun() {
  const tried = [];
  for (const path of candidates()) {
    if (!existsSync(path)) continue;
    const r = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 20000 });
    if (r.status === 0) return { bun: path, version: r.stdout.trim() };
    tried.push(`${path}: ${(r.error?.message ?? r.stderr ?? "").trim().split("\n")[0] || `exit ${r.status}`}`);
  }
  const hint = needsBaseline()
    ? "this CPU lacks AVX2: install Bun's baseline build with `npm i --no-save @oven/bun-linux-x64-baseline@<bun version>`"
    : "run `npm ci` (the `bun` devDependency brings its binary in @oven/bun-<platform>)";
  return { error: `no runnable bun binary (${tried.join("; ") || "none found"}); ${hint}` };
}
