/**
 * The `console` exporter of each signal, as the by-name selection builds it: spans through a
 * simple processor (each span printed when it ends), metrics through the periodic reader, log
 * records as JSON lines on stdout. Only the selections that choose by name import this file.
 */
import { ConsoleSpanExporter } from "../export/console-exporter.ts";
import { ConsoleMetricExporter } from "../export/console-metric-exporter.ts";
import type { Exporter } from "../export/exporter.ts";
import { JsonLinesLogProcessor } from "../logs/json-lines.ts";
import type { LogRecordProcessor } from "../logs/types.ts";
import type { ResourceMetrics } from "../metrics/types.ts";
import { SimpleSpanProcessor } from "../trace/simple-span-processor.ts";
import type { SpanProcessor } from "../trace/types.ts";

/** `OTEL_TRACES_EXPORTER=console`: every ended span printed. */
export const consoleSpanProcessor = (): SpanProcessor => new SimpleSpanProcessor(new ConsoleSpanExporter());
/** `OTEL_METRICS_EXPORTER=console`: every collection printed. */
export const consoleMetricExporter = (): Exporter<ResourceMetrics> => new ConsoleMetricExporter();
/** `OTEL_LOGS_EXPORTER=console`: every record as one JSON line. */
export const consoleLogProcessor = (): LogRecordProcessor => new JsonLinesLogProcessor();
