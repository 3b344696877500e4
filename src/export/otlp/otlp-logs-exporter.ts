/**
 * The OTLP/HTTP JSON log record exporter: {@link encodeLogsBytes} + the shared fetch transport,
 * POSTing to `/v1/logs` (OTLP spec, "OTLP/HTTP").
 */
import type { LogRecordExporter, ReadableLogRecord } from "../../logs/types.ts";
import type { OtlpExporterOptions } from "../otlp-config.ts";
import { createOtlpExporter } from "../otlp-http-exporter.ts";
import { encodeLogsBytes } from "./logs-encoder.ts";

/**
 * The OTLP/HTTP JSON log exporter, configured from `options`, else the defaults
 * (`http://localhost:4318/v1/logs`, 10 s timeout, no compression). Retries 429/502/503/504
 * with backoff, honouring `Retry-After`, inside the timeout. It reads no environment: pass
 * `otlpOptionsFromEnv("logs", env, options)` to honour `OTEL_EXPORTER_OTLP_*`.
 *
 * @example
 * ```ts
 * const exporter = createOtlpLogExporter({ endpoint: "https://collector.example.com" });
 * const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter)] });
 * ```
 * @throws TypeError/RangeError for invalid options (see `resolveOtlpConfig`).
 */
export function createOtlpLogExporter(options: OtlpExporterOptions = {}): LogRecordExporter {
  return createOtlpExporter<ReadableLogRecord>("logs", encodeLogsBytes, options);
}
