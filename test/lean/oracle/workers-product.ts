// The oracle for test/lean/instrument.test.ts: runs the scenarios on the product's Workers
// instrument() (in its own process: both instruments patch globalThis.fetch once per isolate)
// and prints, per scenario, the spans in the compared shape.
import { InMemorySpanExporter } from "../../../src/export/in-memory-exporter.ts";
import { init, instrument } from "../../../src/runtime/workers.ts";
import { executionContext, fakeFetch, handler, SCENARIOS, shape, type Shape } from "./scenarios.ts";

globalThis.fetch = fakeFetch();
const exporter = new InMemorySpanExporter();
const worker = instrument(handler, (env: Record<string, unknown>) => ({ env, serviceName: "edge-api", traceExporter: exporter })) as never;
const out: Record<string, Shape[]> = {};
for (const [name, run] of SCENARIOS) {
  const ctx = executionContext();
  await run(worker, { tag: "env" }, ctx);
  await Promise.all(ctx.pending);
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  const servers = spans.filter((s) => s.kind == 1).map((s) => s.spanContext().spanId);
  out[name] = spans.map((s) =>
    shape({ name: s.name, kind: s.kind, scope: s.instrumentationScope.name, traceId: s.spanContext().traceId, parentSpanId: s.parentSpanContext?.spanId, attributes: s.attributes, status: s.status, events: s.events.map((e) => ({ name: e.name, attributes: e.attributes ?? {} })) }, servers),
  );
}
await init().shutdown();
process.stdout.write(JSON.stringify(out));
