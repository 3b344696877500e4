// The measured program: scripts/size.mjs's "Traces only, hand-wired", on the lean core.
import { BatchSpanProcessor } from "./batch-processor.ts";
import { createOtlpTraceExporter } from "./otlp-exporter.ts";
import { BasicTracerProvider } from "./provider.ts";
import { trace } from "./trace-api.ts";

const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(createOtlpTraceExporter({ endpoint: "http://127.0.0.1:4318" }))],
});
trace.setGlobalTracerProvider(provider);
export { provider };
