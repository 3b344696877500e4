/**
 * A development exporter that prints one readable block per span with `console.log`
 * (`OTEL_TRACES_EXPORTER=console`). Not a stable or machine-readable format: use the
 * OTLP exporter for that.
 *
 * `console.log` is looked up at call time so a console bridge or a test that replaces
 * it later sees the output.
 */
import { describe } from "../common/describe.ts";
import type { Attributes } from "../common/attributes.ts";
import { toEpochMillis } from "../common/time.ts";
import type { Exporter, ExportResult } from "./exporter.ts";
import { writeLines } from "./write-lines.ts";
import type { ReadableSpan } from "../trace/types.ts";

const KIND_NAMES = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUS_NAMES = ["UNSET", "OK", "ERROR"];

/**
 * Prints each exported span to the console.
 *
 * @example
 * ```ts
 * init({ traceExporter: new ConsoleSpanExporter() });
 * // span "GET /users" SERVER 12.345 ms status=OK
 * //   trace=0af7... span=b7ad... parent=-
 * ```
 */
export class ConsoleSpanExporter implements Exporter<ReadableSpan> {
  #stopped = false;

  /** Prints `spans`; fails after {@link shutdown}. */
  export(spans: ReadableSpan[]): Promise<ExportResult> {
    if (this.#stopped) return Promise.resolve({ code: 1 /* ExportResultCode.FAILED */, error: new Error("ConsoleSpanExporter is shut down") });
    const c = (globalThis as { console?: { log?: (...args: unknown[]) => void } }).console;
    return writeLines(spans, formatSpan, (line) => c?.log?.(line));
  }

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later exports fail. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return Promise.resolve();
  }
}

/** The text block {@link ConsoleSpanExporter} prints for `span`. */
export function formatSpan(span: ReadableSpan): string {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const status = span.status ?? { code: 0 };
  const statusText = STATUS_NAMES[status.code] ?? String(status.code);
  const lines = [
    `span ${JSON.stringify(span.name)} ${KIND_NAMES[span.kind] ?? describe(span.kind)} ${ms(span.endTime - span.startTime)} ` +
      `status=${statusText}${status.message ? ` ${JSON.stringify(status.message)}` : ""}`,
    `  trace=${ctx.traceId} span=${ctx.spanId} parent=${parent ? parent.spanId + (parent.isRemote ? " (remote)" : "") : "-"} ` +
      `start=${isoTime(span.startTime)} scope=${span.instrumentationScope?.name ?? "?"}`,
  ];
  const attrs = formatAttributes(span.attributes);
  if (attrs) lines.push(`  attributes: ${attrs}`);
  for (const event of span.events ?? []) {
    const eventAttrs = formatAttributes(event.attributes);
    lines.push(`  event +${ms(event.time - span.startTime)} ${JSON.stringify(event.name)}${eventAttrs ? ` ${eventAttrs}` : ""}`);
  }
  for (const link of span.links ?? []) {
    lines.push(`  link trace=${link.context.traceId} span=${link.context.spanId}`);
  }
  const dropped = [
    span.droppedAttributesCount ? `${span.droppedAttributesCount} attributes` : "",
    span.droppedEventsCount ? `${span.droppedEventsCount} events` : "",
    span.droppedLinksCount ? `${span.droppedLinksCount} links` : "",
  ].filter(Boolean);
  if (dropped.length > 0) lines.push(`  dropped: ${dropped.join(", ")}`);
  return lines.join("\n");
}

function ms(duration: number): string {
  return `${Number.isFinite(duration) ? duration.toFixed(3) : "?"} ms`;
}

function isoTime(time: number): string {
  const d = new Date(toEpochMillis(time));
  return Number.isFinite(d.getTime()) ? d.toISOString() : "?";
}

function formatAttributes(attributes: Attributes | undefined): string {
  if (!attributes) return "";
  const parts: string[] = [];
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    parts.push(`${key}=${JSON.stringify(value)}`);
  }
  return parts.join(" ");
}
