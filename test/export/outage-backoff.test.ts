import { test } from "uvu";
import * as assert from "uvu/assert";
import { OutageBackoff } from "../../src/export/outage-backoff.ts";

test("no wait until an export finds the collector unavailable", () => {
  const b = new OutageBackoff();
  assert.is(b.remainingMillis(), 0);
  b.record(undefined);
  assert.is(b.remainingMillis(), 0);
});

test("unavailable outcomes double the wait from 1 s up to 30 s", () => {
  const b = new OutageBackoff();
  const waits: number[] = [];
  for (const errorType of ["network", "timeout", "429", "502", "503", "504", "503"]) {
    b.record(errorType);
    waits.push(b.remainingMillis());
  }
  const expected = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
  waits.forEach((w, i) => assert.ok(w > expected[i]! - 100 && w <= expected[i]!, `wait ${i}: ${w} ≈ ${expected[i]}`));
});

test("a success or a non-retryable failure resets it", () => {
  for (const outcome of [undefined, "400", "413", "encoding", "rejected"]) {
    const b = new OutageBackoff();
    b.record("503");
    b.record("503");
    b.record(outcome);
    assert.is(b.remainingMillis(), 0, String(outcome));
    b.record("503");
    assert.ok(b.remainingMillis() <= 1000, "starts again from 1 s");
  }
});

test.run();
