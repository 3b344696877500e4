// Runs a child process with a hard time limit and collects its output. The child is always
// killed (whole process group) when the limit passes, so a hung engine never outlives a suite.
import { spawn } from "node:child_process";

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string | undefined>, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, timedOut: boolean }>}
 */
export function runChild(command, args, { cwd, env, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const kill = () => {
      try {
        if (child.pid && process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    // If this (test) process dies first, take the child with it.
    process.once("exit", kill);
    child.on("error", (err) => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** A minimal environment for engine children: no inherited OTEL_* settings leak into the run. */
export function cleanEnv(extra = {}) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, LANG: "C.UTF-8", NO_COLOR: "1", DO_NOT_TRACK: "1" };
  return Object.fromEntries(Object.entries({ ...env, ...extra }).filter(([, v]) => v !== undefined));
}

/** Formats a child's result for an assertion message. */
export function describeRun(r) {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}${r.timedOut ? " after the time limit" : ""}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}
