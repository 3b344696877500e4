import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { context } from "../../src/context/context-api.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import {
  baggageEntryMetadataFromString,
  createBaggage,
  deleteBaggage,
  getActiveBaggage,
  getBaggage,
  setBaggage,
} from "../../src/propagation/baggage.ts";

diag.disable();

test("createBaggage and getters", () => {
  const meta = baggageEntryMetadataFromString("p1;p2=v");
  const b = createBaggage({ a: { value: "1" }, b: { value: "2", metadata: meta } });
  assert.is(b.getEntry("a")?.value, "1");
  assert.is(b.getEntry("b")?.metadata?.toString(), "p1;p2=v");
  assert.is(b.getEntry("zz"), undefined);
  assert.equal(b.getAllEntries().map(([k, e]) => [k, e.value]), [["a", "1"], ["b", "2"]]);
  assert.equal(createBaggage().getAllEntries(), []);
});

test("baggage is immutable: every change returns a new Baggage", () => {
  const a = createBaggage({ x: { value: "1" } });
  const b = a.setEntry("y", { value: "2" });
  assert.is(a.getEntry("y"), undefined);
  assert.is(b.getEntry("y")?.value, "2");
  const c = b.setEntry("x", { value: "changed" });
  assert.is(b.getEntry("x")?.value, "1");
  assert.is(c.getEntry("x")?.value, "changed");
  assert.equal(c.removeEntry("x").getAllEntries().map(([k]) => k), ["y"]);
  assert.equal(c.removeEntries("x", "y").getAllEntries(), []);
  assert.equal(c.clear().getAllEntries(), []);
  assert.is(c.getAllEntries().length, 2);
  // Entries handed in or out cannot be used to mutate the baggage.
  const entry = { value: "v" };
  const d = createBaggage().setEntry("k", entry);
  entry.value = "mutated";
  assert.is(d.getEntry("k")?.value, "v");
  const out = d.getEntry("k")!;
  out.value = "mutated";
  assert.is(d.getEntry("k")?.value, "v");
  d.getAllEntries()[0]![1].value = "mutated";
  assert.is(d.getEntry("k")?.value, "v");
});

test("invalid entries are dropped without throwing", () => {
  const a = createBaggage({ ok: { value: "1" }, bad: { value: 3 as unknown as string }, nul: null as unknown as { value: string } });
  assert.equal(a.getAllEntries().map(([k]) => k), ["ok"]);
  assert.is(a.setEntry("x", { value: undefined as unknown as string }), a);
  assert.is(a.setEntry(1 as unknown as string, { value: "1" }), a);
  assert.is(baggageEntryMetadataFromString(5 as unknown as string).toString(), "");
  assert.is(createBaggage(null as unknown as Record<string, { value: string }>).getAllEntries().length, 0);
});

test("context helpers use the official baggage key", () => {
  const b = createBaggage({ a: { value: "1" } });
  const ctx = setBaggage(ROOT_CONTEXT, b);
  assert.is(getBaggage(ctx), b);
  assert.is(ctx.getValue(Symbol.for("OpenTelemetry Baggage Key")), b);
  assert.is(getBaggage(deleteBaggage(ctx)), undefined);
  assert.is(getBaggage(ROOT_CONTEXT), undefined);
  assert.is(getActiveBaggage(), undefined);
  context.with(ctx, () => assert.is(getActiveBaggage(), b));
});

test.run();
