/**
 * `BasicTracerProvider` on the size-first core: the product's class (src/trace/tracer-provider.ts
 * + multi-span-processor.ts) as a thin shell over tracer.ts's `createTracerProvider`, for programs
 * that compose the SDK by hand (spec: Tracing SDK, TracerProvider and Span processor).
 *
 * Kept: `spanProcessors` checked at construction (a configuration error throws a TypeError, so
 * recording never meets a processor it cannot call) and copied; each processor's `onStart`
 * (every recording span, with its parent context) and `onEnd` (every sampled span) called in
 * order, a throw reported once and swallowed; `forceFlush()` / `shutdown()` reach every processor
 * at once and never reject; after `shutdown()` new spans are non-recording (they carry their
 * parent's context); the default resource `service.name=unknown_service`; `sampler`, `spanLimits`.
 *
 * Left out: `idGenerator`; `onEnd` for spans a custom sampler records without sampling (the
 * tracer hands the sink sampled spans only: the batch processor drops the others anyway);
 * tracers cached per scope (a lean tracer is two closures; the encoder groups scopes by value).
 */
import type { Context, ReadableSpan, Resource, Sampler, Span, SpanLimits, SpanSink, TracerConfig } from "./contract.ts";
import { warnOnce } from "./diag.ts";
import { createTracerProvider, type Tracer, type TracerProvider } from "./tracer.ts";

/** The spec's span processor (the product's `SpanProcessor`). */
export interface SpanProcessor {
  onStart(span: Span, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Options of {@link BasicTracerProvider} (the product's `TracerProviderOptions`, without `idGenerator`). */
export interface TracerProviderOptions {
  /** Default: `{ service.name: "unknown_service" }`. */
  resource?: Resource;
  /** Default: ParentBased(AlwaysOn), the spec default. */
  sampler?: Sampler;
  spanLimits?: Partial<SpanLimits>;
  /** Called in order. */
  spanProcessors?: SpanProcessor[];
}

const METHODS = ["onStart", "onEnd", "forceFlush", "shutdown"] as const;

/** Calls `method` on every processor at once; resolves when all settled, a failure reported once. */
const each = (processors: SpanProcessor[], method: "forceFlush" | "shutdown"): Promise<void> =>
  Promise.allSettled(processors.map(async (p) => p[method]())).then((results) => {
    if (results.some((r) => r.status == "rejected")) warnOnce("span processor " + method + " failed");
  });

/** The SDK's tracer provider: hands out tracers; `forceFlush()` / `shutdown()` reach every processor. */
export class BasicTracerProvider implements TracerProvider {
  declare readonly resource: Resource;
  declare getTracer: (name: string, version?: string, options?: { schemaUrl?: string }) => Tracer;
  /** Exports every ended span still queued in the processors. Never rejects. */
  declare forceFlush: () => Promise<void>;
  /** Flushes, then shuts the processors down; later spans are non-recording. Never rejects. */
  declare shutdown: () => Promise<void>;

  /** @throws TypeError when `spanProcessors` is not an array of span processors. */
  constructor(options: TracerProviderOptions = {}) {
    const list: unknown = options.spanProcessors ?? [];
    const bad = Array.isArray(list) ? list.findIndex((p) => METHODS.some((m) => typeof p?.[m] != "function")) : -2;
    if (bad != -1) throw new TypeError(`Cannot create BasicTracerProvider: spanProcessors${bad < 0 ? "" : `[${bad}]`} must be span processors (${METHODS.join(", ")})`);
    const processors = [...(list as SpanProcessor[])];
    /** The processors as the tracer's sink: each called in order, a throw reported once. */
    const call = (method: "onStart" | "onEnd", args: unknown[]) => {
      for (const p of processors)
        try {
          (p[method] as (...a: unknown[]) => void)(...args);
        } catch {
          warnOnce("span processor " + method + " threw");
        }
    };
    const config: TracerConfig = {
      resource: options.resource ?? { attributes: { "service.name": "unknown_service" } },
      sampler: options.sampler,
      limits: options.spanLimits,
      sink: { onStart: (...args) => call("onStart", args), onEnd: (...args) => call("onEnd", args) } as SpanSink,
    };
    const provider = createTracerProvider(config);
    let stopped: Promise<void> | undefined;
    Object.assign(this, {
      resource: config.resource,
      getTracer: provider.getTracer,
      forceFlush: () => each(processors, "forceFlush"),
      // tracer.ts reads the sink at each start: without it, new spans are non-recording.
      shutdown: () => (stopped ??= ((config.sink = undefined), each(processors, "shutdown"))),
    });
  }
}
