import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { defaultTextMapGetter as getter, defaultTextMapSetter as setter } from "../../src/propagation/text-map.ts";

diag.disable();

test("Headers: case-insensitive get, keys, set", () => {
  const h = new Headers({ TraceParent: "tp", "X-Other": "1" });
  assert.is(getter.get(h, "traceparent"), "tp");
  assert.is(getter.get(h, "TRACEPARENT"), "tp");
  assert.is(getter.get(h, "missing"), undefined);
  assert.equal(getter.keys(h).sort(), ["traceparent", "x-other"]);
  setter.set(h, "baggage", "a=1");
  assert.is(h.get("baggage"), "a=1");
  setter.set(h, "baggage", "b=2");
  assert.is(h.get("baggage"), "b=2");
});

test("Headers: repeated lines come back joined", () => {
  const h = new Headers();
  h.append("tracestate", "a=1");
  h.append("tracestate", "b=2");
  assert.is(getter.get(h, "tracestate"), "a=1, b=2");
});

test("Map: case-insensitive get, repeated case variants become an array, set replaces variants", () => {
  const m = new Map<unknown, unknown>([["TraceParent", "tp"], [42, "x"], ["tracestate", ["a=1", "b=2"]]]);
  assert.is(getter.get(m, "traceparent"), "tp");
  assert.equal(getter.get(m, "TRACESTATE"), ["a=1", "b=2"]);
  assert.equal(getter.keys(m), ["TraceParent", "tracestate"]);
  setter.set(m, "traceparent", "new");
  assert.is(m.get("traceparent"), "new");
  assert.not.ok(m.has("TraceParent"));
  m.set("Baggage", "x");
  m.set("baggage", "y");
  assert.equal(getter.get(m, "baggage"), ["x", "y"]);
});

test("plain object (Node IncomingHttpHeaders): arrays, numbers, case-insensitive", () => {
  const headers: Record<string, unknown> = {
    traceparent: "tp",
    "set-cookie": ["a", "b"],
    "content-length": 12,
    Baggage: "k=v",
    empty: [],
    weird: { toString: () => "no" },
  };
  assert.is(getter.get(headers, "TraceParent"), "tp");
  assert.equal(getter.get(headers, "set-cookie"), ["a", "b"]);
  assert.is(getter.get(headers, "content-length"), "12");
  assert.is(getter.get(headers, "baggage"), "k=v");
  assert.is(getter.get(headers, "empty"), undefined);
  assert.is(getter.get(headers, "weird"), undefined);
  assert.is(getter.get(headers, "get"), undefined);
  assert.equal(getter.keys(headers), Object.keys(headers));
  // Two keys differing by case are two field lines.
  assert.equal(getter.get({ traceparent: "a", TRACEPARENT: "b" }, "traceparent"), ["a", "b"]);
  assert.equal(getter.get({ tracestate: ["a=1"], TraceState: "b=2" }, "tracestate"), ["a=1", "b=2"]);
  assert.is(getter.get({ only: ["x"] }, "only"), "x");
});

test("plain object set replaces other-cased duplicates", () => {
  const carrier: Record<string, string> = { TraceParent: "old", other: "1" };
  setter.set(carrier, "traceparent", "new");
  assert.equal(carrier, { other: "1", traceparent: "new" });
});

test("never throws: null, primitives, throwing getters, immutable Headers", () => {
  for (const c of [null, undefined, 1, "s", true]) {
    assert.is(getter.get(c, "a"), undefined);
    assert.equal(getter.keys(c), []);
    setter.set(c, "a", "b");
  }
  const hostile = new Proxy({}, {
    ownKeys() {
      throw new Error("boom");
    },
    get() {
      throw new Error("boom");
    },
    set() {
      throw new Error("boom");
    },
  });
  assert.is(getter.get(hostile, "a"), undefined);
  assert.equal(getter.keys(hostile), []);
  setter.set(hostile, "a", "b");
  const immutable = new Request("http://127.0.0.1/").headers; // guard "request" is mutable, so fake one:
  const frozen = { get: () => null, set: () => { throw new TypeError("immutable"); } };
  setter.set(frozen, "traceparent", "x");
  setter.set(immutable, "traceparent", "x");
  assert.is(immutable.get("traceparent"), "x");
  assert.is(getter.get({ get: () => { throw new Error("x"); } }, "a"), undefined);
});

test("Headers-like objects without forEach use keys()", () => {
  const store = new Map([["a", "1"]]);
  const like = { get: (k: string) => store.get(k) ?? null, keys: () => store.keys() };
  assert.equal(getter.keys(like), ["a"]);
  assert.is(getter.get(like, "a"), "1");
});

test.run();
