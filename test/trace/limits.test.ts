import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import type { EnvRecord } from "../../src/common/env.ts";
import { ENV_SELECTION } from "../../src/sdk/env-selection.ts";
import { compileSpanLimits, DEFAULT_SPAN_LIMITS, resolveSpanLimits, type SpanLimits } from "../../src/trace/limits.ts";

/** What init() does where the runtime has an environment: options completed from env, then resolved. */
const fromEnv = (options: Partial<SpanLimits>, env: EnvRecord): SpanLimits => resolveSpanLimits(ENV_SELECTION.settings("spanLimits", options, env));

function captureWarnings(fn: () => void): string[] {
  const messages: string[] = [];
  const record = (m: string): void => void messages.push(m);
  diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record }, 9999);
  try {
    fn();
  } finally {
    diag.setLogger();
  }
  return messages;
}

test("defaults are the spec's: 128 each, no value-length limit", () => {
  assert.equal(resolveSpanLimits(), { ...DEFAULT_SPAN_LIMITS });
  assert.equal(Object.keys(resolveSpanLimits()), Object.keys(DEFAULT_SPAN_LIMITS));
  assert.is(DEFAULT_SPAN_LIMITS.attributeValueLengthLimit, Infinity);
});

test("options win over span-specific variables, which win over OTEL_ATTRIBUTE_*", () => {
  const env = {
    OTEL_ATTRIBUTE_COUNT_LIMIT: "5",
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "10",
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "7",
    OTEL_SPAN_EVENT_COUNT_LIMIT: "3",
    OTEL_SPAN_LINK_COUNT_LIMIT: "4",
    OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: "2",
  };
  assert.equal(fromEnv({ linkCountLimit: 9 }, env), {
    attributeCountLimit: 7,
    attributeValueLengthLimit: 10,
    eventCountLimit: 3,
    linkCountLimit: 9,
    attributePerEventCountLimit: 5, // general count applies to events
    attributePerLinkCountLimit: 2,
  });
  // The general variables never apply to event/link counts.
  const r = fromEnv({}, { OTEL_ATTRIBUTE_COUNT_LIMIT: "5" });
  assert.is(r.eventCountLimit, 128);
  assert.is(r.linkCountLimit, 128);
  assert.is(r.attributeCountLimit, 5);
  assert.is(r.attributePerLinkCountLimit, 5);
  assert.is(fromEnv({}, { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: "8", OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "10" }).attributeValueLengthLimit, 8);
});

test("invalid variables warn once each, naming the variable, and fall back", () => {
  let r = resolveSpanLimits();
  const messages = captureWarnings(() => {
    r = fromEnv({}, { OTEL_ATTRIBUTE_COUNT_LIMIT: "x", OTEL_SPAN_EVENT_COUNT_LIMIT: "1.5", OTEL_SPAN_LINK_COUNT_LIMIT: "-1" });
  });
  assert.equal(r, { ...DEFAULT_SPAN_LIMITS });
  assert.is(messages.length, 3, messages.join("\n"));
  for (const name of ["OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT"]) {
    assert.ok(messages.some((m) => m.includes(name) && /integer/.test(m)), name);
  }
});

test("invalid options throw RangeError naming the limit", () => {
  for (const bad of [-1, 1.5, NaN, "3"]) {
    assert.throws(
      () => resolveSpanLimits({ eventCountLimit: bad as number }),
      (e: unknown) => e instanceof RangeError && /eventCountLimit/.test((e as Error).message) && /non-negative integer or Infinity/.test((e as Error).message),
    );
  }
  assert.is(resolveSpanLimits({ attributeCountLimit: Infinity, linkCountLimit: 0 }).linkCountLimit, 0);
});

test("compileSpanLimits precomputes the per-target attribute limits", () => {
  const c = compileSpanLimits(resolveSpanLimits({ attributeCountLimit: 3, attributePerEventCountLimit: 4, attributePerLinkCountLimit: 5, attributeValueLengthLimit: 6 }));
  assert.equal(c.span, { countLimit: 3, valueLengthLimit: 6 });
  assert.equal(c.event, { countLimit: 4, valueLengthLimit: 6 });
  assert.equal(c.link, { countLimit: 5, valueLengthLimit: 6 });
  assert.is(c.eventCountLimit, 128);
});

test.run();
