/**
 * What the batcher and the periodic metric reader share about one export operation: waiting
 * for it within a time limit, and turning its outcome into counts and a failure cause.
 *
 * The cause follows the semantic conventions' `error.type` for the SDK self-observability
 * metrics (https://opentelemetry.io/docs/specs/semconv/otel/sdk-metrics/): low cardinality,
 * `rejected` for items refused in an OTLP `partialSuccess`, `timeout`, an HTTP status such as
 * `503`, and `_OTHER` when nothing better is known.
 */
import { describe } from "../common/describe.ts";
import type { ExportResult } from "./exporter.ts";

/** One finished export operation, as reported to an export listener. */
export interface ExportEvent {
  /** Items handed to the exporter in this operation. */
  items: number;
  /** Of those, items the receiver accepted. */
  exported: number;
  /** Of those, items that failed (rejected, timed out, refused...). */
  failed: number;
  /** Wall-clock time from the export call to its outcome (retries and waits included). */
  durationMillis: number;
  /** Why items failed (`error.type`); absent on full success. */
  errorType?: string;
  /** HTTP status of the last request, when the exporter reported one. */
  status?: number;
}

/** Receives one {@link ExportEvent} per finished export (used by SDK self-observability). */
export type ExportListener = (event: ExportEvent) => void;

/** Extra constructor options of the batching processors (used by `init()` for self-observability). */
export interface ExportHooks {
  /** Called once per finished export with its counts, duration and cause; must not throw. */
  onExport?: ExportListener;
}

/** How a promise ended within a time limit. */
export type Settled<R> = { kind: "value"; value: R } | { kind: "error"; error: unknown } | { kind: "timeout" };

/** A timer handle of the running runtime. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** The longest delay `setTimeout` honours: 2^31-1 ms (a longer one fires at once instead). */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/**
 * Resolves (never rejects) with how `promise` ended, or `timeout` after `ms` (`Infinity` =
 * no limit). The timer is unref'd unless `keepAlive`; `onTimer` receives it so a caller can
 * ref it later (someone started awaiting the result).
 */
export function settleWithin<R>(promise: Promise<R>, ms: number, keepAlive: boolean, onTimer?: (timer: TimerHandle) => void): Promise<Settled<R>> {
  const outcome = promise.then(
    (value): Settled<R> => ({ kind: "value", value }),
    (error: unknown): Settled<R> => ({ kind: "error", error }),
  );
  if (ms === Infinity) return outcome;
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<Settled<R>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), Math.max(0, Math.min(ms, MAX_TIMER_MILLIS)));
  });
  if (!keepAlive) setTimerRef(timer!, false);
  onTimer?.(timer!);
  return Promise.race([outcome, timedOut]).finally(() => clearTimeout(timer));
}

/** What {@link classifyExport} makes of one export: its counts, and a readable cause for diagnostics. */
export type ExportCounts = Omit<ExportEvent, "durationMillis"> & { cause?: string };

/** Counts and cause of one export of `items` items that ended as `settled`. */
export function classifyExport(settled: Settled<ExportResult>, items: number): ExportCounts {
  const failed = (errorType: string, cause: string): ExportCounts => ({ items, exported: 0, failed: items, errorType, cause });
  try {
    if (settled.kind === "timeout") return failed("timeout", "timed out");
    if (settled.kind === "error") {
      const e = settled.error;
      return failed((e instanceof Error && e.name) || "_OTHER", describe(e));
    }
    const result = settled.value;
    let c: ExportCounts;
    if (result?.code === 0 /* ExportResultCode.SUCCESS */) {
      // Semantic conventions: rejected items of a partial success count as failed, the rest as exported.
      // An accepted export stays accepted even when its count cannot be read.
      let rejected = 0;
      try {
        rejected = Math.min(items, Math.floor(count(result.rejected)));
      } catch {
        // a throwing getter
      }
      c = { items, exported: items - rejected, failed: rejected };
      if (rejected) {
        c.errorType = "rejected";
        c.cause = `${rejected} rejected by the receiver`;
      }
    } else {
      c = failed((typeof result?.errorType === "string" && result.errorType) || "_OTHER", describe(result?.error ?? "exporter reported failure"));
    }
    if (typeof result?.status === "number") c.status = result.status;
    return c;
  } catch {
    // A user exporter's result whose fields throw when read (a Proxy, a throwing getter):
    // a failure all the same, so every item still lands in exactly one count.
    return failed("_OTHER", "unreadable result");
  }
}

/** The {@link ExportEvent} an export listener receives for an export counted as `c`. */
export function exportEvent(c: ExportCounts, durationMillis: number): ExportEvent {
  // classifyExport sets errorType and status only when known: everything but the cause carries over.
  const { cause: _, ...event } = c;
  return { ...event, durationMillis };
}

/** `value` as a count: a positive number or numeric string, else 0. Never coerces an object (its valueOf/toString may throw). */
export function count(value: unknown): number {
  const n = typeof value === "number" || typeof value === "string" ? Number(value) : 0;
  return n > 0 ? n : 0;
}

/** Adds `n` to `counts[key]`. */
export function addCount(counts: Record<string, number>, key: string, n: number): void {
  if (n > 0) counts[key] = (counts[key] ?? 0) + n;
}

/** ref()/unref() a timer: Node/Bun/Deno timers have them; browsers return a number. Feature-detected, no `process`. */
export function setTimerRef(timer: TimerHandle, ref: boolean): void {
  const fn = (timer as unknown as { ref?: () => void; unref?: () => void } | null)?.[ref ? "ref" : "unref"];
  if (typeof fn === "function") fn.call(timer);
}
