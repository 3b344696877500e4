/**
 * The lean core's Node entry, what `import … from "otel-edge"` gives the quick-start program:
 * `init` (node-init.ts), the `trace` and `metrics` APIs, `createLog`, `SpanStatusCode`.
 */
export { init, type NodeInitOptions, type NodeSdk } from "./node-init.ts";
export { trace } from "./trace-api.ts";
export { metrics } from "./metrics-api.ts";
export { createLog, type Log, type LogOptions } from "./logs.ts";
export { propagation } from "./propagators.ts";
/** Span status codes (OTel API `SpanStatusCode`). */
export const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
