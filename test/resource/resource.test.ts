import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag, DiagLogLevel } from "../../src/common/diag.ts";
import { createResource, EMPTY_RESOURCE, mergeResources } from "../../src/resource/resource.ts";

const warnings: string[] = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

test("createResource copies and sanitizes attributes, and freezes the result", () => {
  const tags = ["a", "b"];
  const input: Record<string, unknown> = { "service.name": "svc", n: 1, ok: true, tags, bad: { x: 1 }, gone: undefined };
  const r = createResource(input as never, "https://opentelemetry.io/schemas/1.26.0");
  assert.equal(r.attributes, { "service.name": "svc", n: 1, ok: true, tags: ["a", "b"] });
  assert.is(r.schemaUrl, "https://opentelemetry.io/schemas/1.26.0");
  tags.push("c");
  input.n = 2;
  assert.equal(r.attributes.tags, ["a", "b"]); // copied, not shared
  assert.is(r.attributes.n, 1);
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.attributes) && Object.isFrozen(r.attributes.tags));
  assert.throws(() => {
    "use strict";
    (r.attributes as Record<string, unknown>).n = 5;
  });
  assert.ok(warnings.some((w) => w.includes('"bad"')));
});

test("createResource: no or empty schema URL means none", () => {
  assert.is(createResource({ a: "1" }).schemaUrl, undefined);
  assert.is(createResource({ a: "1" }, "").schemaUrl, undefined);
  assert.not.ok("schemaUrl" in createResource({ a: "1" }));
  assert.equal(createResource(undefined as never).attributes, {});
});

test("merge: union of attributes, the updating resource wins, even with an empty value", () => {
  const base = createResource({ a: "base", b: "base", keep: 1 });
  const upd = createResource({ a: "", b: "upd", added: true });
  const m = mergeResources(base, upd);
  assert.equal(m.attributes, { a: "", b: "upd", keep: 1, added: true });
  assert.ok(Object.isFrozen(m.attributes));
  // inputs untouched
  assert.equal(base.attributes, { a: "base", b: "base", keep: 1 });
});

test("merge: schema URL rules of the Resource SDK spec", () => {
  const A = "https://opentelemetry.io/schemas/1.24.0";
  const B = "https://opentelemetry.io/schemas/1.26.0";
  const r = (url?: string) => createResource({ k: url ?? "none" }, url);
  assert.is(mergeResources(r(), r(B)).schemaUrl, B); // old empty → updating's
  assert.is(mergeResources(r(A), r()).schemaUrl, A); // updating empty → old's
  assert.is(mergeResources(r(A), r(A)).schemaUrl, A); // same → that one
  assert.is(mergeResources(r(), r()).schemaUrl, undefined);
  warnings.length = 0;
  const conflict = mergeResources(r(A), r(B)); // different → merging error
  assert.is(conflict.schemaUrl, undefined);
  assert.equal(conflict.attributes, { k: B }); // attributes still merged, updating wins
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!, /different schema URLs/);
});

test("merge: missing sides, dropped counts, and plain (unfrozen) resources", () => {
  const x = createResource({ a: "1" });
  assert.is(mergeResources(x, undefined), x);
  assert.is(mergeResources(undefined, x), x);
  assert.is(mergeResources(undefined, undefined), EMPTY_RESOURCE);
  const arr = ["v"];
  const plain = { attributes: { arr, skip: undefined }, droppedAttributesCount: 2 };
  const m = mergeResources(plain, { attributes: { b: "2" }, droppedAttributesCount: 1 });
  assert.equal(m.attributes, { arr: ["v"], b: "2" });
  assert.is(m.droppedAttributesCount, 3);
  assert.not.ok(Object.isFrozen(arr)); // the caller's array is copied, never frozen
});

test("__proto__ keys stay data, never a prototype", () => {
  const src = JSON.parse('{"__proto__": "x", "a": "1"}');
  const r = mergeResources(createResource({}), { attributes: src });
  assert.is(Object.getPrototypeOf(r.attributes), Object.prototype);
  assert.is(Object.getOwnPropertyDescriptor(r.attributes, "__proto__")?.value, "x");
});

test.run();
