import { test } from "uvu";
import * as assert from "uvu/assert";
import { createTraceState, isValidTraceStateKey, isValidTraceStateValue } from "../../src/propagation/trace-state.ts";

test("parses members in order and serializes them back", () => {
  const ts = createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  assert.is(ts.get("rojo"), "00f067aa0ba902b7");
  assert.is(ts.get("congo"), "t61rcWkgMzE");
  assert.is(ts.serialize(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
});

test("OWS (spaces and tabs) around members and empty members are ignored", () => {
  const ts = createTraceState("foo=1 \t , \t bar=2, \t baz=3");
  assert.is(ts.serialize(), "foo=1,bar=2,baz=3");
  assert.is(createTraceState("foo=1\t \t,\t \tbar=2,\t \tbaz=3").serialize(), "foo=1,bar=2,baz=3");
  assert.is(createTraceState(",, foo=1 ,,\t,bar=2,").serialize(), "foo=1,bar=2");
  assert.is(createTraceState("").serialize(), "");
  assert.is(createTraceState("  \t ").serialize(), "");
  assert.is(createTraceState().serialize(), "");
});

test("all allowed characters in keys and values are accepted", () => {
  const key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
  const value = " !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
  const ts = createTraceState(`${key}=${value}`);
  assert.is(ts.get(key), value);
  const mt = createTraceState(`${key}@a${"0123456789_-*/".slice(0, 13)}=1`);
  assert.is(mt.serialize(), `${key}@a0123456789_-*=1`);
});

test("an invalid member discards the whole header", () => {
  for (const bad of [
    "foo =1", "FOO=1", "foo.bar=1", "foo=bar=baz", "foo=,bar=3", "foo", "=1", "foo=1,bar",
    "@foo=1,bar=2", "bar=2,foo=a\u00e9", "bar=2,foo=a\u0001b", "bar=2,_foo=1", "bar=2,Foo@x=1",
    `bar=2,${"t".repeat(242)}@${"v".repeat(15)}=1`,
  ]) {
    const ts = createTraceState(bad);
    assert.is(ts.serialize(), "", bad);
    assert.is(ts.get("bar"), undefined, bad);
  }
});

test("Level 2 keys (§3.3.1.3.1): a digit first, \"@\" anywhere after it, up to 256 characters (issue 18)", () => {
  // Each of these was a Level 1 error that discarded the header, and every vendor's entry with it.
  for (const key of ["1foo", "0simple", "foo@", "foo@@bar", "foo@bar@baz", "foo@1bar", "t@" + "v".repeat(15), "t".repeat(242) + "@v", "9@", "a/b*c_d-e@f"]) {
    assert.ok(isValidTraceStateKey(key), key);
    const ts = createTraceState(`${key}=1,bar=2`);
    assert.is(ts.get(key), "1", key);
    assert.is(ts.get("bar"), "2", key);
  }
  // The w3c test suite's case: 't' * 241 + '@' + 'v' * 14, 256 characters.
  const tenant = "t".repeat(241) + "@" + "v".repeat(14);
  assert.is(createTraceState(`foo=1,${tenant}=1`).serialize(), `foo=1,${tenant}=1`);
  for (const key of ["@foo", "_foo", "-a", "Foo", "fo o", "a".repeat(257), "t".repeat(241) + "@" + "v".repeat(15), ""]) {
    assert.not.ok(isValidTraceStateKey(key), JSON.stringify(key));
  }
});

test("a repeated key keeps its first occurrence and every other member (issue 18)", () => {
  assert.is(createTraceState("foo=1,foo=1").serialize(), "foo=1");
  assert.is(createTraceState("foo=1,foo=2").get("foo"), "1");
  const ts = createTraceState("foo=1,bar=2,foo=3,baz=4");
  assert.is(ts.serialize(), "foo=1,bar=2,baz=4");
  assert.is(ts.get("bar"), "2");
  // Two tracestate headers merged by a proxy (the w3c suite sends foo=1 and foo=2 as two headers).
  assert.is(createTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE, rojo=old").serialize(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  // Repeats still count toward the 32 members of the list grammar.
  const members = Array.from({ length: 31 }, (_, i) => `k${i}=${i}`).join(",");
  assert.is(createTraceState(`${members},k0=again`).get("k30"), "30", "32 members with a repeat: kept");
  assert.is(createTraceState(`${members},k0=again,k1=again`).serialize(), "", "33 members with repeats: the header is invalid");
  // A repeat does not excuse an invalid member.
  assert.is(createTraceState("foo=1,foo=2,BAD=3").serialize(), "");
});

test("32 members are accepted, 33 discard the header", () => {
  const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=${i}`).join(",");
  assert.is(createTraceState(members(32)).get("k31"), "31");
  assert.is(createTraceState(members(32) + ",,, ").get("k0"), "0");
  const over = createTraceState(members(33));
  assert.is(over.get("k0"), undefined);
  assert.is(over.serialize(), "");
});

test("key length limit: 256 characters, with or without \"@\"", () => {
  assert.ok(isValidTraceStateKey("a".repeat(256)));
  assert.not.ok(isValidTraceStateKey("a".repeat(257)));
  assert.ok(isValidTraceStateKey("t".repeat(241) + "@" + "s".repeat(14)));
  assert.not.ok(isValidTraceStateKey("t".repeat(242) + "@" + "s".repeat(14)));
  assert.not.ok(isValidTraceStateKey("t".repeat(241) + "@" + "s".repeat(15)));
  assert.ok(isValidTraceStateKey("0tenant@sys"));
  assert.is(createTraceState(`${"a".repeat(256)}=1,bar=2`).get("bar"), "2");
  assert.is(createTraceState(`${"a".repeat(257)}=1,bar=2`).get("bar"), undefined);
});

test("value length limit is 256 and a trailing space is invalid", () => {
  assert.ok(isValidTraceStateValue("v".repeat(256)));
  assert.not.ok(isValidTraceStateValue("v".repeat(257)));
  assert.ok(isValidTraceStateValue(" v"));
  assert.not.ok(isValidTraceStateValue("v "));
  assert.not.ok(isValidTraceStateValue(""));
});

test("set moves the key to the front, unset removes it, both immutable", () => {
  const a = createTraceState("a=1,b=2,c=3");
  const b = a.set("c", "9");
  assert.is(b.serialize(), "c=9,a=1,b=2");
  assert.is(a.serialize(), "a=1,b=2,c=3");
  assert.is(b.set("new", "x").serialize(), "new=x,c=9,a=1,b=2");
  assert.is(b.unset("a").serialize(), "c=9,b=2");
  assert.is(b.unset("zzz"), b);
  assert.is(b.get("a"), "1");
});

test("set with an invalid key or value is ignored without throwing", () => {
  const a = createTraceState("a=1");
  assert.is(a.set("BAD", "1"), a);
  assert.is(a.set("ok", "x,y"), a);
  assert.is(a.set("ok", ""), a);
  assert.is(a.set(undefined as unknown as string, "1"), a);
});

test("set past 32 members removes the right-most member", () => {
  let ts = createTraceState(Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(","));
  ts = ts.set("new", "1");
  assert.is(ts.get("new"), "1");
  assert.is(ts.get("k31"), undefined);
  assert.is(ts.get("k30"), "30");
  assert.is(ts.serialize().split(",").length, 32);
});

test("serialize truncates to 512 chars: long (>128) members first, from the end, then from the end", () => {
  const long1 = `long1=${"x".repeat(150)}`; // 156 chars
  const long2 = `long2=${"y".repeat(150)}`;
  const short = Array.from({ length: 10 }, (_, i) => `s${i}=${"z".repeat(30)}`); // 33 chars each
  const ts = createTraceState([short[0], long1, ...short.slice(1, 5), long2, ...short.slice(5)].join(","));
  const out = ts.serialize();
  assert.ok(out.length <= 512);
  // 10*33 + 2*156 + 11 commas = 653: dropping long2 (the right-most long member) gives 496.
  assert.is(out, [short[0], long1, ...short.slice(1)].join(","));
  // With a third long member, both right-most long ones go, and short members all survive.
  const long3 = `long3=${"w".repeat(150)}`;
  const three = createTraceState([long1, ...short.slice(0, 5), long2, long3, ...short.slice(5)].join(",")).serialize();
  assert.is(three, [long1, ...short].join(","));

  // Only short members: drop from the end until it fits.
  const many = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}=${"v".repeat(40)}`); // 44 chars each
  const out2 = createTraceState(many.join(",")).serialize();
  assert.is(out2, many.slice(0, 11).join(",")); // 11*44+10 = 494, 12*44+11 = 539
  // One long member that alone brings it under the limit: only it is removed.
  const mixed = [...many.slice(0, 9), `big=${"b".repeat(200)}`];
  assert.is(createTraceState(mixed.join(",")).serialize(), many.slice(0, 9).join(","));
});

test("a 1 MB hostile header is parsed (and rejected) without trouble", () => {
  const hostile = "a=" + "b".repeat(1 << 20);
  assert.is(createTraceState(hostile).serialize(), "");
  const commas = ",".repeat(1 << 20) + "foo=1";
  assert.is(createTraceState(commas).get("foo"), "1");
  const members = "a=1,".repeat(1 << 18);
  assert.is(createTraceState(members).serialize(), "");
  assert.is(createTraceState(null as unknown as string).serialize(), "");
  assert.is(createTraceState(42 as unknown as string).serialize(), "");
});

test.run();
