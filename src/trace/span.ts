/**
 * A recording span. It holds its own data (one object per span, no copies on end) and,
 * once ended, is handed as a {@link ReadableSpan} to the span processors.
 *
 * Spec: https://opentelemetry.io/docs/specs/otel/trace/api/#span and the SDK's
 * "Span Limits". Every method is safe to call at any time: after `end()` changes are
 * ignored with one diagnostic, invalid input is dropped, nothing throws.
 */
import { describeValue } from "../common/describe.ts";
import {
  copyAttributes,
  copyPlainAttributes,
  forEachAttribute,
  plainCopy,
  setAttribute,
  type Attributes,
  type AttributeValue,
} from "../common/attributes.ts";
import { diagOnce } from "../common/diag.ts";
import { now, timeOf, toTime, type TimeInput } from "../common/time.ts";
import type { Context } from "../context/context.ts";
import type { Resource } from "../resource/resource.ts";
import type { CompiledSpanLimits } from "./limits.ts";
import type { SpanContext } from "./span-context.ts";
import type { Exception, InstrumentationScope, Link, ReadableSpan, RecordedLink, Span, SpanKind, SpanProcessor, SpanStatus, TimedEvent } from "./types.ts";

// code 0 is SpanStatusCode.UNSET (a literal: a module-level property read defeats tree-shaking).
const UNSET_STATUS: SpanStatus = /* @__PURE__ */ Object.freeze({ code: 0 });
// Events and links until the first is added: one shared empty array (compared by identity).
const NONE: readonly never[] = /* @__PURE__ */ Object.freeze([]);

/** Everything a span needs from the tracer that creates it (shared, not copied per span). */
export interface SpanOwner {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly limits: CompiledSpanLimits;
  /**
   * The provider's processors, fanned out by `multiSpanProcessor` (multi-span-processor.ts),
   * which never throws (it isolates each processor and reports a failure once), so the span
   * calls it without a guard of its own.
   */
  readonly processor: SpanProcessor;
}

/** The recording {@link Span} implementation. */
export class RecordingSpan implements Span, ReadableSpan {
  // `declare`d and assigned in the constructor in one fixed order: class-field definitions
  // would define each property and then store it again (twice the work on the hot path).
  declare name: string;
  declare readonly kind: SpanKind;
  declare readonly parentSpanContext: SpanContext | undefined;
  declare readonly startTime: number;
  declare endTime: number;
  declare status: SpanStatus;
  declare readonly attributes: Attributes;
  declare links: readonly RecordedLink[];
  declare events: readonly TimedEvent[];
  declare droppedAttributesCount: number;
  declare droppedEventsCount: number;
  declare droppedLinksCount: number;
  declare ended: boolean;
  readonly #spanContext: SpanContext;
  readonly #owner: SpanOwner;
  #attributeCount: number;

  constructor(
    owner: SpanOwner,
    parentContext: Context,
    name: string,
    spanContext: SpanContext,
    kind: SpanKind,
    parentSpanContext: SpanContext | undefined,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
    startTime: TimeInput | undefined,
  ) {
    this.#spanContext = spanContext;
    this.#owner = owner;
    this.#attributeCount = 0;
    this.name = name;
    this.kind = kind;
    this.parentSpanContext = parentSpanContext;
    this.startTime = startTime === undefined ? now() : toTime(startTime);
    this.endTime = 0;
    this.status = UNSET_STATUS;
    // The common case, primitive values within the limits, is one shallow copy; anything
    // else goes entry by entry through setAttribute (same outcome, drops reported).
    const plain = attributes ? copyPlainAttributes(attributes, owner.limits.span) : undefined;
    this.attributes = plain ?? {};
    this.links = NONE;
    this.events = NONE;
    this.droppedAttributesCount = 0;
    this.droppedEventsCount = 0;
    this.droppedLinksCount = 0;
    this.ended = false;
    if (plain !== undefined) this.#attributeCount = plainCopy.count;
    else if (attributes) this.setAttributes(attributes);
    if (links) this.addLinks(links);
    owner.processor.onStart(this, parentContext);
  }

  get resource(): Resource {
    return this.#owner.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.#owner.instrumentationScope;
  }

  spanContext(): SpanContext {
    return this.#spanContext;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.#refuseAfterEnd("setAttribute")) return this;
    const limits = this.#owner.limits.span;
    // Fast path for the common case, a new key with a primitive value under the limits;
    // anything else (replacement, arrays, invalid input, limits, `__proto__`-like keys found
    // on the prototype) goes through the general `setAttribute`, which has the same outcome.
    const type = typeof value;
    if (
      (type === "number" || type === "boolean" || (type === "string" && (value as string).length <= limits.valueLengthLimit)) &&
      typeof key === "string" &&
      key.length !== 0 &&
      this.#attributeCount < limits.countLimit &&
      !(key in this.attributes)
    ) {
      this.attributes[key] = value;
      this.#attributeCount++;
      return this;
    }
    const size = setAttribute(this.attributes, key, value, limits, this.#attributeCount);
    if (size >= 0) this.#attributeCount = size;
    else if (this.droppedAttributesCount++ === 0) limitReached("attribute", limits.countLimit, "new attributes");
    return this;
  }

  setAttributes(attributes: Attributes): this {
    forEachAttribute(attributes, (key, value) => this.setAttribute(key, value as AttributeValue));
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#refuseAfterEnd("addEvent")) return this;
    const limits = this.#owner.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    // The second argument is the time when it has a time's shape; otherwise the attributes.
    let eventTime = timeOf(attributesOrTime);
    let attributes: unknown;
    if (eventTime === undefined) {
      attributes = attributesOrTime;
      eventTime = toTime(time);
    }
    const copied = copyAttributes(attributes, limits.event);
    const event: TimedEvent = {
      name: safeString(name, "event"),
      time: eventTime,
      attributes: copied.attributes,
      droppedAttributesCount: copied.dropped,
    };
    const events = this.events === NONE ? (this.events = []) : (this.events as TimedEvent[]);
    if (events.length >= limits.eventCountLimit) {
      // The official SDKs keep the newest events: drop the oldest.
      events.shift();
      this.droppedEventsCount++;
      limitReached("event", limits.eventCountLimit, "the oldest events");
    }
    events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (this.#refuseAfterEnd("addLink")) return this;
    let context: SpanContext | undefined;
    let linkAttributes: unknown;
    let droppedBefore: unknown;
    try {
      // Read once: a link may be a Proxy or have getters that throw. Its context's ids too: a
      // context whose ids are not strings (or whose getters throw) is dropped now rather than
      // breaking an exporter later.
      const c: unknown = typeof link === "object" ? link?.context : undefined;
      if (c && typeof c === "object" && typeof (c as SpanContext).traceId === "string" && typeof (c as SpanContext).spanId === "string") {
        context = c as SpanContext;
        linkAttributes = link.attributes;
        droppedBefore = link.droppedAttributesCount;
      }
    } catch {
      context = undefined;
    }
    if (context === undefined) {
      diagOnce("warn", "Dropped a link without a span context.");
      return this;
    }
    const limits = this.#owner.limits;
    if (this.links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      limitReached("link", limits.linkCountLimit, "further links");
      return this;
    }
    const copied = copyAttributes(linkAttributes, limits.link);
    const links = this.links === NONE ? (this.links = []) : (this.links as RecordedLink[]);
    links.push({
      context,
      attributes: copied.attributes,
      droppedAttributesCount: copied.dropped + (Number.isSafeInteger(droppedBefore) && (droppedBefore as number) > 0 ? (droppedBefore as number) : 0),
    });
    return this;
  }

  addLinks(links: Link[]): this {
    try {
      if (Array.isArray(links)) for (const link of links) this.addLink(link);
    } catch {
      // A revoked Proxy or one whose traps throw: the links read so far are kept.
      diagOnce("warn", "Dropped unreadable links.");
    }
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#refuseAfterEnd("setStatus")) return this;
    let code: unknown;
    let message: unknown;
    try {
      ({ code, message } = status);
    } catch {
      // Not an object, or a throwing getter or Proxy trap: reported below as an invalid code.
    }
    // Spec (Set Status): UNSET is ignored, OK is final, a description only goes with ERROR.
    if (code === 0 /* SpanStatusCode.UNSET */ || this.status.code === 1 /* SpanStatusCode.OK */) return this;
    if (code === 1 /* SpanStatusCode.OK */ || code === 2 /* SpanStatusCode.ERROR */) {
      this.status = code === 2 && typeof message === "string" ? { code, message } : { code };
    } else diagOnce("warn", "span-status-invalid", `Ignored setStatus with invalid code ${describeValue(code)}.`);
    return this;
  }

  updateName(name: string): this {
    if (this.#refuseAfterEnd("updateName")) return this;
    this.name = safeString(name, this.name);
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (exception && typeof exception === "object") {
      try {
        const { code, name, message, stack } = exception;
        // safeString: a `code` that cannot become a string must not lose the name, message and stack.
        const type = code !== undefined && code !== null ? safeString(code, name as string) : name;
        if (typeof type === "string") attributes["exception.type"] = type;
        if (typeof message === "string") attributes["exception.message"] = message;
        if (typeof stack === "string") attributes["exception.stacktrace"] = stack;
      } catch {
        // A throwing getter on the error: record what we have.
      }
    } else if (exception !== undefined && exception !== null) {
      // A string is the message; another primitive, its text.
      attributes["exception.message"] = safeString(exception, "");
    }
    // Spec (Record Exception): the event is named "exception".
    this.addEvent("exception", attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return this.#warn("ended-twice", "ended more than once");
    this.ended = true;
    const end = endTime === undefined ? now() : toTime(endTime);
    if (end < this.startTime) this.#warn("end-before-start", "ended before it started; clamped");
    this.endTime = end < this.startTime ? this.startTime : end;
    this.#owner.processor.onEnd(this);
  }

  /** Reports, once per `key`, a misuse of this span: `Span "<name>" <what>.` */
  #warn(key: string, what: string): void {
    diagOnce("warn", `span-${key}`, `Span "${this.name}" ${what}.`);
  }

  #refuseAfterEnd(operation: string): boolean {
    if (!this.ended) return false;
    diagOnce("warn", `span-after-end:${operation}`, `Span.${operation}() after end() ignored.`);
    return true;
  }
}

/** Reports, once per kind, that a span limit (spec: SDK "Span Limits") dropped `dropping`. */
function limitReached(kind: string, limit: number, dropping: string): void {
  diagOnce("warn", `span-${kind}-limit`, `Span ${kind} limit (${limit}) reached; dropping ${dropping}.`);
}

/** `value` as a string for names and messages; `fallback` when its conversion throws (hostile toString). */
export function safeString(value: unknown, fallback: string): string {
  if (typeof value === "string") return value;
  try {
    return String(value);
  } catch {
    return fallback;
  }
}
