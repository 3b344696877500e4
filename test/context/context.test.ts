import { test } from "uvu";
import * as assert from "uvu/assert";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT_CONTEXT, createContextKey } from "../../src/context/context.ts";
import { AsyncLocalStorageContextManager } from "../../src/context/async-local-storage-manager.ts";
import { AsyncContextVariableManager, type AsyncContextVariableClass } from "../../src/context/async-context-manager.ts";
import { StackContextManager } from "../../src/context/stack-manager.ts";
import { context, detectContextManager } from "../../src/context/context-api.ts";
import type { ContextManager } from "../../src/context/manager.ts";

const KEY = createContextKey("test key");
const OTHER = createContextKey("other key");

test("Context is immutable: setValue/deleteValue return new contexts", () => {
  const a = ROOT_CONTEXT.setValue(KEY, 1);
  const b = a.setValue(KEY, 2).setValue(OTHER, "x");
  const c = b.deleteValue(KEY);
  assert.is(ROOT_CONTEXT.getValue(KEY), undefined);
  assert.is(a.getValue(KEY), 1);
  assert.is(b.getValue(KEY), 2);
  assert.is(b.getValue(OTHER), "x");
  assert.is(c.getValue(KEY), undefined);
  assert.is(c.getValue(OTHER), "x");
  assert.is(a.deleteValue(OTHER), a, "deleting a missing key returns the same context");
});

test("Context chains: a deleted key stays deleted, a value set to undefined still counts, long chains keep every live entry", () => {
  const a = ROOT_CONTEXT.setValue(KEY, 1).deleteValue(KEY);
  assert.is(a.getValue(KEY), undefined);
  assert.is(a.deleteValue(KEY), a, "deleting an already deleted key returns the same context");
  assert.is(a.setValue(KEY, 3).getValue(KEY), 3);
  const u = ROOT_CONTEXT.setValue(KEY, undefined);
  assert.is.not(u.deleteValue(KEY), u, "a key set to undefined is present (as with a Map)");
  // Past 16 entries the chain is rebuilt from the live entries: nothing may be lost or revived.
  const keys = Array.from({ length: 40 }, (_, i) => createContextKey(`chain key ${i}`));
  let ctx = ROOT_CONTEXT;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < keys.length; i++) ctx = ctx.setValue(keys[i]!, `${round}:${i}`);
    for (let i = 0; i < keys.length; i += 3) ctx = ctx.deleteValue(keys[i]!);
  }
  for (let i = 0; i < keys.length; i++) assert.is(ctx.getValue(keys[i]!), i % 3 === 0 ? undefined : `2:${i}`, `key ${i}`);
  assert.is(ctx.deleteValue(keys[0]!), ctx);
  const before = ctx;
  const after = ctx.setValue(keys[1]!, "new");
  assert.is(before.getValue(keys[1]!), "2:1", "older contexts are unchanged");
  assert.is(after.getValue(keys[1]!), "new");
  assert.is(after.getValue(keys[2]!), "2:2");
});

test("createContextKey uses Symbol.for, so keys agree across copies of the module", () => {
  assert.is(createContextKey("OpenTelemetry Context Key SPAN"), Symbol.for("OpenTelemetry Context Key SPAN"));
});

// An AsyncContext.Variable stand-in built on AsyncLocalStorage, to exercise the adapter.
const FakeVariable = class<T> {
  #als = new AsyncLocalStorage<T>();
  get(): T | undefined {
    return this.#als.getStore();
  }
  run<R, A extends unknown[]>(value: T, fn: (...args: A) => R, ...args: A): R {
    return this.#als.run(value, fn, ...args);
  }
} as unknown as AsyncContextVariableClass;

const asyncManagers: Array<[string, () => ContextManager]> = [
  ["AsyncLocalStorage", () => new AsyncLocalStorageContextManager(AsyncLocalStorage)],
  ["AsyncContext.Variable", () => new AsyncContextVariableManager(FakeVariable)],
];

for (const [label, make] of asyncManagers) {
  test(`${label}: context survives await, setTimeout, Promise.all and async generators`, async () => {
    const m = make();
    const ctx = ROOT_CONTEXT.setValue(KEY, label);
    await m.with(ctx, async () => {
      await sleep(1);
      assert.is(m.active().getValue(KEY), label, "after await");
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          assert.is(m.active().getValue(KEY), label, "in setTimeout");
          resolve();
        }, 1),
      );
      const seen = await Promise.all([1, 2, 3].map(async (i) => {
        await sleep(i);
        return m.active().getValue(KEY);
      }));
      assert.equal(seen, [label, label, label], "inside Promise.all");
      async function* gen() {
        for (let i = 0; i < 3; i++) {
          await sleep(1);
          yield m.active().getValue(KEY);
        }
      }
      for await (const v of gen()) assert.is(v, label, "inside async generator");
    });
    assert.is(m.active(), ROOT_CONTEXT, "outside with() the root context is active");
  });

  test(`${label}: 1,000 concurrent interleaved requests never see each other's context`, async () => {
    const m = make();
    const mismatches: string[] = [];
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        m.with(ROOT_CONTEXT.setValue(KEY, `req-${i}`), async () => {
          for (let step = 0; step < 5; step++) {
            await sleep((i * 7 + step) % 3);
            const seen = m.active().getValue(KEY);
            if (seen !== `req-${i}`) mismatches.push(`${i}:${String(seen)}`);
            // a nested context inside the request stays inside it
            await m.with(m.active().setValue(OTHER, step), async () => {
              await Promise.resolve();
              if (m.active().getValue(KEY) !== `req-${i}` || m.active().getValue(OTHER) !== step) mismatches.push(`nested ${i}`);
            });
          }
        }),
      ),
    );
    assert.equal(mismatches, []);
  });

  test(`${label}: with() passes thisArg and args, returns the result; bind() captures context`, async () => {
    const m = make();
    const ctx = ROOT_CONTEXT.setValue(KEY, "bound");
    const self = { n: 2 };
    const r = m.with(ctx, function (this: typeof self, a: number, b: number) {
      return this.n * a * b;
    }, self, 3, 4);
    assert.is(r, 24);
    const bound = m.bind(ctx, () => m.active().getValue(KEY));
    assert.is(bound(), "bound");
    await sleep(1);
    assert.is(bound(), "bound", "bound function called later still sees its context");
    assert.is(m.bind(ctx, 5 as unknown), 5, "non-functions are returned as is");
  });
}

test("stack manager: active only during the synchronous extent; nested with() restores; explicit passing works", async () => {
  const m = new StackContextManager();
  const outer = ROOT_CONTEXT.setValue(KEY, "outer");
  const inner = outer.setValue(KEY, "inner");
  m.with(outer, () => {
    assert.is(m.active().getValue(KEY), "outer");
    m.with(inner, () => assert.is(m.active().getValue(KEY), "inner"));
    assert.is(m.active().getValue(KEY), "outer", "restored after nested with()");
    try {
      m.with(inner, () => {
        throw new Error("boom");
      });
    } catch {
      // expected
    }
    assert.is(m.active().getValue(KEY), "outer", "restored after a throw");
  });
  assert.is(m.active(), ROOT_CONTEXT);
  // Across await, the stack manager cannot know; an explicitly bound callback can.
  const later = m.bind(outer, () => m.active().getValue(KEY));
  await sleep(1);
  assert.is(later(), "outer");
});

test("detectContextManager: uses globalThis.AsyncLocalStorage, then AsyncContext, else the stack", () => {
  const g = globalThis as Record<string, unknown>;
  assert.instance(detectContextManager(), StackContextManager);
  g.AsyncContext = { Variable: FakeVariable };
  assert.instance(detectContextManager(), AsyncContextVariableManager);
  g.AsyncLocalStorage = AsyncLocalStorage;
  assert.instance(detectContextManager(), AsyncLocalStorageContextManager);
  delete g.AsyncContext;
  delete g.AsyncLocalStorage;
});

test("global context API delegates to the registered manager", async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager(AsyncLocalStorage));
  const ctx = ROOT_CONTEXT.setValue(KEY, "global");
  await context.with(ctx, async () => {
    await sleep(1);
    assert.is(context.active().getValue(KEY), "global");
  });
  context.disable();
  assert.is(context.active(), ROOT_CONTEXT);
});

test.run();
