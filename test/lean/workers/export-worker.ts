// A Worker for test/lean/export-workerd.test.ts: each request ends `n` spans into one
// isolate-wide lean sink and flushes it in `ctx.waitUntil`, as instrument.ts will.
import { createSpanSink } from "../../../bench/lean/export.ts";
import type { ReadableSpan } from "../../../bench/lean/contract.ts";

type Env = { OTLP_URL: string; BATCH: string };
let sink: ReturnType<typeof createSpanSink> | undefined;

const hex = (bytes: number): string => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

function span(name: string): ReadableSpan {
  const ctx = { traceId: hex(16), spanId: hex(8), traceFlags: 1 };
  return {
    name, kind: 1, spanContext: () => ctx, parentSpanContext: undefined, startTime: 1, endTime: 2, status: { code: 0 },
    attributes: { "lone": "\ud800", n: 2 ** 62 }, links: [], events: [], droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    resource: RESOURCE, instrumentationScope: SCOPE, ended: true,
  } as unknown as ReadableSpan;
}
const RESOURCE = { attributes: { "service.name": "lean-workerd" } };
const SCOPE = { name: "lean" };

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    sink ??= createSpanSink({ url: env.OTLP_URL, headers: { "x-api-key": "k-1" }, timeout: 10_000 }, { maxQueueSize: 2048, maxExportBatchSize: Number(env.BATCH), scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000 });
    const url = new URL(request.url);
    const id = url.searchParams.get("id") ?? "";
    for (let i = 0; i < 3; i++) sink.onEnd(span(`${id}/${i}`));
    // Some I/O of the invocation, so invocations overlap.
    await new Promise((r) => setTimeout(r, Number(url.searchParams.get("wait") ?? 0)));
    ctx.waitUntil(sink.flush());
    return new Response("ok");
  },
};
