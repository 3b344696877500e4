import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, resetDiagOnce } from "../../src/common/diag.ts";
import { preferenceFromEnv, temporalityFromEnv, temporalitySelector } from "../../src/metrics/temporality-preference.ts";
import type { TemporalityPreference } from "../../src/metrics/temporality-preference.ts";
import type { InstrumentType } from "../../src/metrics/types.ts";

const KINDS: InstrumentType[] = ["counter", "observablecounter", "histogram", "updowncounter", "observableupdowncounter", "gauge", "observablegauge"];
const VAR = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
const D = "delta";
const C = "cumulative";

// metrics/sdk_exporters/otlp.md, "Additional Configuration"; gauges (not named by the spec) stay cumulative.
const TABLE: Record<TemporalityPreference, string[]> = {
  //          counter obs.counter histogram updown obs.updown gauge obs.gauge
  cumulative: [C, C, C, C, C, C, C],
  delta: [D, D, D, C, C, C, C],
  lowmemory: [D, C, D, C, C, C, C],
};

test("the spec's three presets, instrument kind by instrument kind", () => {
  for (const [preference, expected] of Object.entries(TABLE)) {
    const select = temporalitySelector(preference as TemporalityPreference);
    assert.equal(KINDS.map(select), expected, preference);
    assert.equal(KINDS.map(temporalityFromEnv({ [VAR]: preference })), expected, `env ${preference}`);
  }
});

test("env values are case-insensitive and trimmed; unset and empty mean cumulative", () => {
  assert.is(temporalityFromEnv({ [VAR]: "LowMemory" })("observablecounter"), C);
  assert.is(temporalityFromEnv({ [VAR]: " LOWMEMORY " })("counter"), D);
  assert.is(temporalityFromEnv({ [VAR]: "DELTA" })("observablecounter"), D);
  assert.is(preferenceFromEnv({ [VAR]: "Cumulative" }), "cumulative");
  assert.is(preferenceFromEnv({}), undefined);
  assert.equal(KINDS.map(temporalityFromEnv({})), TABLE.cumulative);
  assert.equal(KINDS.map(temporalityFromEnv({ [VAR]: "" })), TABLE.cumulative);
  assert.equal(KINDS.map(temporalityFromEnv(undefined)), TABLE.cumulative);
});

test("an unrecognized env value is reported, naming the variable, and ignored", () => {
  const messages: string[] = [];
  const sink = (m: string): void => void messages.push(m);
  diag.setLogger({ error: sink, warn: sink, info: sink, debug: sink, verbose: sink }, 9999);
  resetDiagOnce();
  try {
    assert.equal(KINDS.map(temporalityFromEnv({ [VAR]: "low_memory" })), TABLE.cumulative);
    assert.is(messages.length, 1);
    assert.match(messages[0]!, VAR);
    assert.match(messages[0]!, "lowmemory");
  } finally {
    diag.setLogger();
  }
});

test("an invalid preference in code is a configuration error", () => {
  assert.is(temporalitySelector("Delta" as TemporalityPreference)("counter"), D);
  assert.throws(() => temporalitySelector("low_memory" as TemporalityPreference), (e: Error) => e instanceof TypeError && e.message.includes('"low_memory"'));
  assert.throws(() => temporalitySelector(undefined as unknown as TemporalityPreference), TypeError);
});

test.run();
