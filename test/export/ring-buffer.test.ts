import { test } from "uvu";
import * as assert from "uvu/assert";
import { RingBuffer } from "../../src/export/ring-buffer.ts";

test("push/shift is FIFO and reports size", () => {
  const rb = new RingBuffer<number>(3);
  assert.is(rb.capacity, 3);
  assert.ok(rb.push(1));
  assert.ok(rb.push(2));
  assert.is(rb.size, 2);
  assert.is(rb.shift(), 1);
  assert.is(rb.shift(), 2);
  assert.is(rb.shift(), undefined);
  assert.is(rb.size, 0);
});

test("drops the newest item when full and counts it", () => {
  const rb = new RingBuffer<string>(2);
  assert.ok(rb.push("a"));
  assert.ok(rb.push("b"));
  assert.not.ok(rb.push("c"));
  assert.not.ok(rb.push("d"));
  assert.is(rb.dropped, 2);
  assert.is(rb.size, 2);
  assert.equal(rb.drain(10), ["a", "b"]);
});

test("wraps around many times keeping order (non power-of-two capacity)", () => {
  const rb = new RingBuffer<number>(5);
  const out: number[] = [];
  let next = 0;
  rb.push(next++); // keep one item in the buffer so head and tail drift around the ring
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 3; i++) assert.ok(rb.push(next++));
    out.push(...rb.drain(3));
  }
  out.push(...rb.drain(Infinity));
  assert.equal(out, Array.from({ length: 151 }, (_, i) => i));
  assert.is(rb.dropped, 0);
});

test("capacity is exact, not rounded up", () => {
  const rb = new RingBuffer<number>(3);
  for (let i = 0; i < 10; i++) rb.push(i);
  assert.is(rb.size, 3);
  assert.is(rb.dropped, 7);
});

test("drain(max) takes at most max, oldest first; bad max drains nothing", () => {
  const rb = new RingBuffer<number>(8);
  for (let i = 0; i < 6; i++) rb.push(i);
  assert.equal(rb.drain(4), [0, 1, 2, 3]);
  assert.equal(rb.drain(0), []);
  assert.equal(rb.drain(-1), []);
  assert.equal(rb.drain(Number.NaN), []);
  assert.equal(rb.drain(), [4, 5]);
  assert.is(rb.size, 0);
});

test("clear empties without counting drops", () => {
  const rb = new RingBuffer<number>(4);
  rb.push(1);
  rb.push(2);
  rb.clear();
  assert.is(rb.size, 0);
  assert.is(rb.dropped, 0);
  assert.ok(rb.push(3));
  assert.is(rb.shift(), 3);
});

test("removed items are released for garbage collection", async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rb = new RingBuffer<object>(4);
  let refs: WeakRef<object>[] = [];
  (() => {
    for (let i = 0; i < 3; i++) {
      const o = { big: new Array(1000).fill(i) };
      refs.push(new WeakRef(o));
      rb.push(o);
    }
  })();
  rb.shift();
  rb.drain(2);
  if (!gc) return; // the runner starts Node with --expose-gc; elsewhere skip the check
  await new Promise((r) => setTimeout(r, 0));
  gc();
  assert.ok(refs.every((r) => r.deref() === undefined), "items still referenced by the buffer");
  refs = [];
});

test("invalid capacity throws RangeError naming the problem", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => new RingBuffer(bad), (e: unknown) => e instanceof RangeError && /capacity must be a positive integer/.test((e as Error).message));
  }
});

test.run();
