// Cold start, ours: import (bundled), build a tracer provider with a no-op processor, one span.
import { BasicTracerProvider } from "../../dist/mod.js";

const provider = new BasicTracerProvider({ spanProcessors: [{ onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} }] });
provider.getTracer("cold").startSpan("first", { attributes: { "cold.start": true } }).end();
