/**
 * The logger provider: owns the resource, limits and processors, and hands out loggers
 * (one per instrumentation scope). Spec: https://opentelemetry.io/docs/specs/otel/logs/sdk/#loggerprovider
 */
import type { Attributes } from "../common/attributes.ts";
import { describe } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import type { Context } from "../context/context.ts";
import { DEFAULT_RESOURCE } from "../resource/resource.ts";
import type { Resource } from "../resource/resource.ts";
import { resolveLogRecordLimits, type LogRecordLimits } from "./log-record.ts";
import { SdkLogger } from "./logger.ts";
import type {
  LogInstrumentationScope,
  Logger,
  LoggerOptions,
  LoggerProvider as LoggerProviderApi,
  LogRecordProcessor,
  ReadableLogRecord,
} from "./types.ts";

/** Options of a {@link LoggerProvider}. */
export interface LoggerProviderOptions {
  /** The resource every record carries. Default: `{ service.name: "unknown_service" }`. */
  resource?: Resource;
  /** Processors, called in order for every record. */
  processors?: LogRecordProcessor[];
  /** Log record limits; unset fields use the spec defaults (`init()` fills them from `OTEL_LOGRECORD_*` / `OTEL_ATTRIBUTE_*` first). */
  limits?: Partial<LogRecordLimits>;
}

/** One processor calling every one of `processors` in order; one that throws or rejects is reported and never stops the others. */
function fanOut(processors: readonly LogRecordProcessor[]): LogRecordProcessor {
  const all = async (what: "forceFlush" | "shutdown"): Promise<void> => {
    await Promise.all(
      processors.map((p) =>
        Promise.resolve()
          .then(() => p[what]())
          .catch((error: unknown) => diag.error(`A log record processor failed in ${what}: ${describe(error)}`)),
      ),
    );
  };
  return {
    onEmit(record: ReadableLogRecord, context?: Context): void {
      for (const p of processors) {
        try {
          p.onEmit(record, context);
        } catch (error) {
          diag.error(`A log record processor threw in onEmit: ${describe(error)}`);
        }
      }
    },
    forceFlush: () => all("forceFlush"),
    shutdown: () => all("shutdown"),
  };
}

/**
 * The SDK's logger provider; register it with `logs.setGlobalLoggerProvider` (ours or
 * `@opentelemetry/api-logs`).
 *
 * @example
 * ```ts
 * const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(createOtlpLogExporter())] });
 * logs.setGlobalLoggerProvider(provider);
 * logs.getLogger("app").emit({ severityNumber: SeverityNumber.INFO, body: "ready" });
 * await provider.forceFlush();
 * ```
 */
export class LoggerProvider implements LoggerProviderApi {
  /** The resource records from this provider carry. */
  readonly resource: Resource;
  readonly #limits: LogRecordLimits;
  readonly #processor: LogRecordProcessor;
  readonly #loggers = new Map<string, SdkLogger>();
  #active = true;
  #shutdown: Promise<void> | undefined;

  /** @throws RangeError for invalid limits. */
  constructor(options: LoggerProviderOptions = {}) {
    this.resource = options.resource ?? DEFAULT_RESOURCE;
    this.#limits = Object.freeze(resolveLogRecordLimits(options.limits));
    this.#processor = fanOut([...(options.processors ?? [])]);
  }

  /** The logger for an instrumentation scope; the same scope gives the same logger. */
  getLogger(name: string, version?: string, options?: LoggerOptions): Logger {
    if (typeof name !== "string" || name === "") {
      // Spec: an invalid name still returns a working logger, with a warning.
      diag.warn(`getLogger: invalid logger name ${JSON.stringify(describe(name))}; using an empty name.`);
      name = "";
    }
    let url: unknown;
    let include: unknown;
    let scopeAttributes: Attributes | undefined;
    if (options) {
      try {
        ({ schemaUrl: url, includeTraceContext: include, scopeAttributes } = options);
      } catch {
        // A throwing getter or Proxy trap: the options read so far (the API never throws, DESIGN principle 3).
      }
    }
    const schemaUrl = typeof url === "string" && url !== "" ? url : undefined;
    const includeTraceContext = include !== false;
    // Only a string version: a Symbol or a prototype-less object would throw in the key.
    const key = `${name}\u0000${typeof version === "string" ? version : ""}\u0000${schemaUrl ?? ""}\u0000${includeTraceContext ? 1 : 0}`;
    let logger = scopeAttributes === undefined ? this.#loggers.get(key) : undefined;
    if (logger === undefined) {
      const scope: LogInstrumentationScope = Object.freeze({
        name,
        version: typeof version === "string" && version !== "" ? version : undefined,
        schemaUrl,
        attributes: scopeAttributes,
      });
      logger = new SdkLogger({
        resource: this.resource,
        instrumentationScope: scope,
        limits: this.#limits,
        processor: this.#processor,
        includeTraceContext,
        isActive: () => this.#active,
      });
      if (scopeAttributes === undefined) this.#loggers.set(key, logger);
    }
    return logger;
  }

  /** Exports every record still queued in the processors. Never rejects. */
  forceFlush(): Promise<void> {
    return this.#processor.forceFlush();
  }

  /** Flushes, then shuts the processors down; later records are dropped. Idempotent; never rejects. */
  shutdown(): Promise<void> {
    this.#active = false;
    return (this.#shutdown ??= this.#processor.shutdown());
  }
}
