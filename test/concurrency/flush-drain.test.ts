// flushInWaitUntil's shared drain (the workerd fix is exercised for real in
// workers-isolate.test.ts): concurrent invocations get one promise that resolves only after a
// flush during which no other invocation asked for one, so no invocation's waitUntil ends
// while an export it may be carrying is still pending.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { flushInWaitUntil } from "../../src/runtime/workers.ts";
import type { Sdk } from "../../mod.ts";

function fakeSdk() {
  const pending: Array<() => void> = [];
  let flushes = 0;
  const sdk = {
    flush: () => {
      flushes++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  } as unknown as Sdk;
  return { sdk, pending, flushes: () => flushes };
}
const ctx = () => {
  const waited: Promise<unknown>[] = [];
  return { waited, waitUntil: (p: Promise<unknown>) => void waited.push(p) };
};
// The drain starts its first flush one timer turn after the call (after the response is sent):
// a tick here is a later timer turn.
const tick = () => new Promise((r) => setTimeout(r, 5));

test("invocations arriving during a flush share the drain, which flushes again for them", async () => {
  const { sdk, pending, flushes } = fakeSdk();
  const a = ctx();
  const b = ctx();
  let aDone = false;
  const pa = flushInWaitUntil(a, sdk).then(() => (aDone = true));
  await tick();
  assert.is(flushes(), 1);
  const pb = flushInWaitUntil(b, sdk); // arrives while A's flush runs
  assert.is(flushes(), 1, "no second concurrent flush");
  pending.shift()!();
  await tick();
  assert.is(flushes(), 2, "flushes again for B");
  assert.is(aDone, false, "A stays alive while B's export may run on its behalf");
  pending.shift()!();
  await Promise.all([pa, pb]);
  assert.is(flushes(), 2);
  assert.is(a.waited.length, 1);
  assert.is(b.waited.length, 1);
});

test("after a drain ends, the next invocation starts a new one", async () => {
  const { sdk, pending, flushes } = fakeSdk();
  const first = flushInWaitUntil(ctx(), sdk);
  await tick();
  pending.shift()!();
  await first;
  const second = flushInWaitUntil(ctx(), sdk);
  await tick();
  assert.is(flushes(), 2);
  pending.shift()!();
  await second;
});

test("a throwing waitUntil still flushes", async () => {
  const { sdk, pending, flushes } = fakeSdk();
  const p = flushInWaitUntil({ waitUntil: () => { throw new Error("outside an invocation"); } }, sdk);
  await tick();
  assert.is(flushes(), 1);
  pending.shift()!();
  await p;
});

test.run();
