// Shared by the OpenTracing bridge suites: our SDK recording into an in-memory exporter, with
// AsyncLocalStorage as the context manager (as init() picks on Node).
import { AsyncLocalStorage } from "node:async_hooks";
import { context } from "../../src/context/context-api.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { toEpochNanos } from "../../src/common/time.ts";
import { BasicTracerProvider, type TracerProviderOptions } from "../../src/trace/tracer-provider.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import { trace } from "../../src/trace/trace-api.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

/** A provider exporting every ended span to memory, registered as the global one. */
export function recordSpans(options: TracerProviderOptions = {}): { provider: BasicTracerProvider; finished: () => Promise<ReadableSpan[]> } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ ...options, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    async finished() {
      await provider.forceFlush();
      const spans = exporter.getFinishedSpans();
      exporter.reset();
      return spans;
    },
  };
}

/** The exported span named `name` (fails loudly when absent). */
export function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.find((s) => s.name === name);
  if (!found) throw new Error(`no span "${name}" among ${spans.map((s) => s.name).join(", ")}`);
  return found;
}

/** A span's time as nanoseconds since the epoch (exact decimal string). */
export const epochNanos = toEpochNanos;
