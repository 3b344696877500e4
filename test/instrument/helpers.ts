// Shared setup for the HTTP instrumentation suites: an SDK-less tracer/meter pair recording
// into memory, AsyncLocalStorage context, and a real echo server on 127.0.0.1.
import { AsyncLocalStorage } from "node:async_hooks";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { context } from "../../src/context/context-api.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { BasicTracerProvider } from "../../src/trace/tracer-provider.ts";
import { SimpleSpanProcessor } from "../../src/trace/simple-span-processor.ts";
import type { ReadableSpan } from "../../src/trace/types.ts";
import { InMemorySpanExporter } from "../../src/export/in-memory-exporter.ts";
import { MeterProvider } from "../../src/metrics/meter-provider.ts";
import { ManualMetricReader } from "../../src/metrics/reader.ts";
import type { HistogramMetricData, MetricData } from "../../src/metrics/types.ts";

context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));

export interface Telemetry {
  exporter: InMemorySpanExporter;
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  reader: ManualMetricReader;
}

export function createTelemetry(): Telemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new ManualMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return { exporter, tracerProvider, meterProvider, reader };
}

/** The spans `t` has finished so far (after flushing its provider). */
export async function finishedSpans(t: Telemetry): Promise<ReadableSpan[]> {
  await t.tracerProvider.forceFlush();
  return t.exporter.getFinishedSpans();
}

/** {@link finishedSpans}, then forgets them, so the next call returns only newer spans. */
export async function takeSpans(t: Telemetry): Promise<ReadableSpan[]> {
  const out = await finishedSpans(t);
  t.exporter.reset();
  return out;
}

export async function histogram(reader: ManualMetricReader, name: string): Promise<HistogramMetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  for (const sm of resourceMetrics.scopeMetrics) {
    const found = sm.metrics.find((m: MetricData) => m.descriptor.name === name);
    if (found) return found as HistogramMetricData;
  }
  return undefined;
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1; the default listener records the request and answers with `/status/<n>`'s status. */
export async function startServer(listener?: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer(
    listener ??
      ((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
          const m = /^\/status\/(\d+)/.exec(req.url ?? "");
          if ((req.url ?? "").startsWith("/slow")) return; // never answers: abort tests
          res.writeHead(m ? Number(m[1]) : 200, { "content-type": "text/plain" });
          res.end("ok");
        });
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Total count of a histogram across every scope that exports it. */
export async function histogramCount(reader: ManualMetricReader, name: string): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  let n = 0;
  for (const sm of resourceMetrics.scopeMetrics) {
    for (const m of sm.metrics) {
      if (m.descriptor.name === name && m.dataPointType === "histogram") for (const p of m.dataPoints) n += p.value.count;
    }
  }
  return n;
}
