/**
 * Runtime readings for Node.js and Bun (and Deno's Node compatibility layer): CPU time from
 * `process.cpuUsage()`, resident memory from `process.memoryUsage.rss()` (cheaper than the
 * full `memoryUsage()`, which walks the heap spaces), and event-loop delay from
 * `perf_hooks.monitorEventLoopDelay()` where the runtime implements it.
 *
 * @module
 */
import process from "node:process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { eventLoopDelayFrom, type RuntimeReadings } from "./runtime-metrics.ts";

/** Readings from `node:process` and `node:perf_hooks`. */
export function nodeRuntimeReadings(): RuntimeReadings {
  return {
    cpuTime: () => {
      // Microseconds since the process started (cumulative, as the Counter needs).
      const { user, system } = process.cpuUsage();
      return { user: user / 1e6, system: system / 1e6 };
    },
    memoryRss: () => (typeof process.memoryUsage.rss === "function" ? process.memoryUsage.rss() : process.memoryUsage().rss),
    startEventLoopDelay: () => eventLoopDelayFrom(monitorEventLoopDelay),
  };
}
