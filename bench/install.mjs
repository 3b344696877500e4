// Installs bench/ and each incumbent package under bench/incumbents/ (`npm ci`) where its
// node_modules is missing or older than its lockfile. `npm run bench` calls it; run it alone
// before `node bench/sizes.mjs` or `node bench/cold/run.mjs`: `node bench/install.mjs`.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";

const benchDir = new URL(".", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The package folders of bench/: itself and every incumbents/<name>/. */
export const packageDirs = [benchDir, ...readdirSync(`${benchDir}incumbents`).map((d) => `${benchDir}incumbents/${d}/`)];

/** `npm ci` in each folder whose install is missing or stale. */
export function install(log = (msg) => process.stderr.write(`${msg}\n`)) {
  for (const dir of packageDirs) {
    const installed = `${dir}node_modules/.package-lock.json`;
    if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(`${dir}package-lock.json`).mtimeMs) continue;
    log(`installing ${dir.slice(benchDir.length) || "bench/"} (npm ci)`);
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) install();
