// Cold start, official: the same program with @opentelemetry/sdk-trace-base (bundled).
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";

const provider = new BasicTracerProvider({ spanProcessors: [{ onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} }] });
provider.getTracer("cold").startSpan("first", { attributes: { "cold.start": true } }).end();
