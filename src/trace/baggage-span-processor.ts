/**
 * Copies selected baggage entries onto every span as attributes, so a value set once at the
 * edge (`tenant.tier`, `chaos.experiment.id`) can be queried on every span of the request.
 *
 * Follows the OpenTelemetry contrib `BaggageSpanProcessor` (JS, Java, Python): in `onStart`
 * the entries of the PARENT context's baggage whose key passes the allowlist become
 * attributes named by the baggage key itself, with the entry's value. Differences, because
 * baggage arrives in a request header and is untrusted input:
 * - there is no allow-all default: the caller names what may be copied;
 * - at most `maxEntries` entries are copied per span and values are cut at
 *   `maxValueLength` characters, so a large `baggage` header cannot bloat every span;
 * - an attribute already set when the span was created is never overwritten (a client
 *   cannot replace `http.route` or `user.id` recorded by the application).
 *
 * Spec: https://www.w3.org/TR/baggage/ (the header), OTel Baggage API (the context value).
 */
import { diagOnce } from "../common/diag.ts";
import type { Context } from "../context/context.ts";
import { getBaggage } from "../propagation/baggage.ts";
import type { ReadableSpan, Span, SpanProcessor } from "./types.ts";

/** Which baggage keys may be copied: exact keys, a pattern, or a predicate. */
export type BaggageKeyAllowlist = readonly string[] | RegExp | ((key: string) => boolean);

/** Options for {@link BaggageSpanProcessor}. */
export interface BaggageSpanProcessorOptions {
  /** The keys that may become span attributes. Nothing else is ever copied. */
  allow: BaggageKeyAllowlist;
  /** Prepended to each key to form the attribute name. Default `""` (the key itself, as contrib does). */
  prefix?: string;
  /** Entries copied per span at most. Default 16. */
  maxEntries?: number;
  /** Values longer than this many characters are truncated. Default 256. */
  maxValueLength?: number;
}

/**
 * Adds allowed baggage entries of the parent context to each span as attributes.
 *
 * @example
 * ```ts
 * init({ spanProcessors: [new BaggageSpanProcessor({ allow: ["tenant.tier", "chaos.experiment.id"] })] });
 * // a request carrying `baggage: tenant.tier=gold,secret=x` gives every span `tenant.tier: "gold"`
 * ```
 */
export class BaggageSpanProcessor implements SpanProcessor {
  readonly #allowed: (key: string) => boolean;
  readonly #prefix: string;
  readonly #maxEntries: number;
  readonly #maxValueLength: number;

  /** @throws TypeError for a missing or malformed `allow`; RangeError for non-positive limits. */
  constructor(options: BaggageSpanProcessorOptions) {
    this.#allowed = compileAllowlist(options?.allow);
    this.#prefix = typeof options.prefix === "string" ? options.prefix : "";
    this.#maxEntries = limit("maxEntries", options.maxEntries, 16);
    this.#maxValueLength = limit("maxValueLength", options.maxValueLength, 256);
  }

  /** Copies the allowed entries of `parentContext`'s baggage onto `span`. Never throws. */
  onStart(span: Span & ReadableSpan, parentContext: Context): void {
    try {
      const baggage = getBaggage(parentContext);
      if (baggage === undefined) return;
      let copied = 0;
      for (const [key, entry] of baggage.getAllEntries()) {
        if (copied >= this.#maxEntries) {
          diagOnce("warn", "baggage-span-processor.max", `BaggageSpanProcessor: more than ${this.#maxEntries} allowed baggage entries; the rest were not copied.`);
          break;
        }
        if (typeof key !== "string" || typeof entry?.value !== "string" || !this.#allows(key)) continue;
        const name = this.#prefix + key;
        if (span.attributes[name] !== undefined) continue;
        const value = entry.value.length > this.#maxValueLength ? entry.value.slice(0, this.#maxValueLength) : entry.value;
        span.setAttribute(name, value);
        copied++;
      }
    } catch (err) {
      diagOnce("error", "baggage-span-processor.onstart", "BaggageSpanProcessor: could not copy baggage onto a span.", err);
    }
  }

  /** Nothing to do when a span ends. */
  onEnd(_span: ReadableSpan): void {}

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to release. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  #allows(key: string): boolean {
    try {
      return this.#allowed(key) === true;
    } catch (err) {
      diagOnce("error", "baggage-span-processor.allow", "BaggageSpanProcessor: the `allow` predicate threw; the key was not copied.", err);
      return false;
    }
  }
}

function compileAllowlist(allow: BaggageKeyAllowlist | undefined): (key: string) => boolean {
  if (typeof allow === "function") return allow;
  if (allow instanceof RegExp) {
    // A copy without the g/y flags, whose lastIndex would make test() stateful.
    const pattern = new RegExp(allow.source, allow.flags.replace(/[gy]/g, ""));
    return (key) => pattern.test(key);
  }
  if (Array.isArray(allow) && allow.every((k) => typeof k === "string")) {
    const keys = new Set<string>(allow);
    return (key) => keys.has(key);
  }
  throw new TypeError("Cannot create BaggageSpanProcessor: `allow` must be an array of keys, a RegExp or a function (baggage is untrusted input, so nothing is copied by default).");
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot create BaggageSpanProcessor: ${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
