/**
 * The tracer provider: owns the resource, sampler, limits and processors, and hands out
 * tracers (one per instrumentation scope). Spec: https://opentelemetry.io/docs/specs/otel/trace/sdk/#tracer-provider
 */
import { describeValue } from "../common/describe.ts";
import { diag } from "../common/diag.ts";
import { DEFAULT_RESOURCE } from "../resource/resource.ts";
import type { Resource } from "../resource/resource.ts";
import { randomIdGenerator, type IdGenerator } from "./ids.ts";
import { compileSpanLimits, resolveSpanLimits, type SpanLimits } from "./limits.ts";
import { multiSpanProcessor } from "./multi-span-processor.ts";
import { ParentBasedSampler } from "./samplers/parent-based.ts";
import { AlwaysOnSampler } from "./samplers/always.ts";
import type { Sampler } from "./samplers/sampler.ts";
import { createTracer, type Tracer, type TracerConfig } from "./tracer.ts";
import type { InstrumentationScope, SpanProcessor } from "./types.ts";

/** Options for {@link BasicTracerProvider}. */
export interface TracerProviderOptions {
  /** The resource every span carries. Default: `{ service.name: "unknown_service" }`. */
  resource?: Resource;
  /** Default: `ParentBased(AlwaysOn)`, the spec default. */
  sampler?: Sampler;
  /** Span limits; unset fields use the spec defaults. */
  spanLimits?: Partial<SpanLimits>;
  /** Processors, called in order. */
  spanProcessors?: SpanProcessor[];
  /** Id generator; default random. */
  idGenerator?: IdGenerator;
}

/** Options of `getTracer`, as in `@opentelemetry/api`. */
export interface TracerOptions {
  schemaUrl?: string;
}

/** Hands out tracers; `forceFlush()`/`shutdown()` reach every processor. */
export interface TracerProvider {
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer;
}

/**
 * `spanProcessors` checked at construction (a configuration error throws; DESIGN principle 3),
 * so that recording never meets a processor it cannot call. A copy: later changes to the
 * caller's array do not reach the provider.
 */
function checkProcessors(list: unknown): SpanProcessor[] {
  const processors = list ?? [];
  const methods = ["onStart", "onEnd", "forceFlush", "shutdown"] as const;
  const bad = Array.isArray(processors)
    ? processors.findIndex((p: Partial<SpanProcessor> | null) => methods.some((m) => typeof p?.[m] != "function"))
    : -2;
  if (bad !== -1) {
    const what = bad < 0 ? " must be an array of span processors" : `[${bad}] is not a span processor`;
    throw new TypeError(`Cannot create BasicTracerProvider: spanProcessors${what} (${methods.join(", ")})`);
  }
  return [...(processors as SpanProcessor[])];
}

/** The SDK's tracer provider. */
export class BasicTracerProvider implements TracerProvider {
  /** The resource spans from this provider carry. */
  readonly resource: Resource;
  // What every tracer (and span) of this provider shares; each tracer adds its scope.
  readonly #shared: Omit<TracerConfig, "instrumentationScope">;
  readonly #tracers = new Map<string, Tracer>();
  #active = true;

  constructor(options: TracerProviderOptions = {}) {
    this.resource = options.resource ?? DEFAULT_RESOURCE;
    this.#shared = {
      resource: this.resource,
      limits: compileSpanLimits(resolveSpanLimits(options.spanLimits)),
      processor: multiSpanProcessor(checkProcessors(options.spanProcessors)),
      sampler: options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      idGenerator: options.idGenerator ?? randomIdGenerator,
      isActive: () => this.#active,
    };
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    if (typeof name !== "string" || name === "") {
      // Spec: an invalid name still returns a working tracer, with a warning.
      diag.warn(`getTracer: invalid name ${describeValue(name)}; using "".`);
      name = "";
    }
    let schemaUrl: unknown;
    try {
      schemaUrl = options?.schemaUrl;
    } catch {
      // A throwing getter or Proxy trap: no schema URL (the API never throws, DESIGN principle 3).
    }
    // Only strings are kept: a Symbol or a prototype-less object would throw in the key below.
    const v = typeof version === "string" ? version : undefined;
    const url = typeof schemaUrl === "string" ? schemaUrl : undefined;
    const key = `${name}\0${v ?? ""}\0${url ?? ""}`;
    let tracer = this.#tracers.get(key);
    if (!tracer) {
      const instrumentationScope: InstrumentationScope = Object.freeze({ name, version: v, schemaUrl: url });
      this.#tracers.set(key, (tracer = createTracer({ ...this.#shared, instrumentationScope })));
    }
    return tracer;
  }

  /** Exports every ended span still queued in the processors. Never rejects. */
  forceFlush(): Promise<void> {
    return this.#shared.processor.forceFlush();
  }

  /** Flushes, then shuts the processors down; later spans are non-recording. Never rejects. */
  shutdown(): Promise<void> {
    if (!this.#active) return Promise.resolve();
    this.#active = false;
    return this.#shared.processor.shutdown();
  }
}
