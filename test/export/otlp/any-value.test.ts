import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  encodeAnyValue,
  encodeKeyValueList,
  integerText,
  MAX_ANY_VALUE_DEPTH,
} from "../../../src/export/otlp/any-value.ts";
import { encodeBase64 } from "../../../src/export/otlp/base64.ts";
import { jsonString } from "../../../src/export/otlp/json-string.ts";
import { captureDiag } from "../../helpers/capture-diag.ts";

const any = (v: unknown): unknown => JSON.parse(encodeAnyValue(v));
const kvs = (m: unknown): unknown => JSON.parse(encodeKeyValueList(m));

test("strings and booleans", () => {
  assert.equal(any("abc"), { stringValue: "abc" });
  assert.equal(any(""), { stringValue: "" });
  assert.equal(any(true), { boolValue: true });
  assert.equal(any(false), { boolValue: false });
});

test("integral numbers are intValue decimal strings; -0 is \"0\"", () => {
  assert.is(encodeAnyValue(42), '{"intValue":"42"}');
  assert.is(encodeAnyValue(-7), '{"intValue":"-7"}');
  assert.is(encodeAnyValue(0), '{"intValue":"0"}');
  assert.is(encodeAnyValue(-0), '{"intValue":"0"}');
  assert.is(encodeAnyValue(3.0), '{"intValue":"3"}');
});

test("int64 boundaries: exact digits past 2^53, doubleValue from 2^63 on", () => {
  assert.equal(any(2 ** 53 - 1), { intValue: "9007199254740991" });
  assert.equal(any(2 ** 53), { intValue: "9007199254740992" });
  // String(2**62) would print the shortest form "4611686018427388000"; the double's value is 2^62.
  assert.equal(any(2 ** 62), { intValue: "4611686018427387904" });
  assert.equal(any(-(2 ** 62)), { intValue: "-4611686018427387904" });
  // The largest double below 2^63 still fits int64.
  assert.equal(any(9223372036854774784), { intValue: "9223372036854774784" });
  assert.equal(any(-(2 ** 63)), { intValue: "-9223372036854775808" }); // int64 min, exact
  assert.equal(any(2 ** 63), { doubleValue: 2 ** 63 });
  assert.equal(any(-(2 ** 63) - 2048), { doubleValue: -9223372036854777856 });
  assert.equal(any(1e21), { doubleValue: 1e21 });
  assert.equal(any(1.7976931348623157e308), { doubleValue: 1.7976931348623157e308 });
  assert.is(integerText(2 ** 63), undefined);
  assert.is(integerText(0.5), undefined);
  assert.is(integerText(-0), "0");
  // Other proto integer ranges (uint64 for metric counts): exact past 2^53, bounds respected.
  assert.is(integerText(2 ** 64 - 2048, 0, 2 ** 64), "18446744073709549568");
  assert.is(integerText(2 ** 64, 0, 2 ** 64), undefined);
  assert.is(integerText(-1, 0, 2 ** 64), undefined);
});

test("doubles, including proto3 JSON's NaN/Infinity strings", () => {
  assert.equal(any(1.5), { doubleValue: 1.5 });
  assert.equal(any(-0.25), { doubleValue: -0.25 });
  assert.equal(any(5e-324), { doubleValue: 5e-324 });
  assert.equal(any(1.2e-7), { doubleValue: 1.2e-7 });
  assert.is(encodeAnyValue(NaN), '{"doubleValue":"NaN"}');
  assert.is(encodeAnyValue(Infinity), '{"doubleValue":"Infinity"}');
  assert.is(encodeAnyValue(-Infinity), '{"doubleValue":"-Infinity"}');
});

test("bigint: intValue inside int64, decimal stringValue outside", () => {
  assert.equal(any(9223372036854775807n), { intValue: "9223372036854775807" });
  assert.equal(any(-9223372036854775808n), { intValue: "-9223372036854775808" });
  assert.equal(any(9223372036854775808n), { stringValue: "9223372036854775808" });
  assert.equal(any(-9223372036854775809n), { stringValue: "-9223372036854775809" });
  assert.equal(any(0n), { intValue: "0" });
});

test("arrays: values in order, null/undefined/unencodable entries become {}", () => {
  assert.equal(any(["a", null, "b", undefined]), {
    arrayValue: { values: [{ stringValue: "a" }, {}, { stringValue: "b" }, {}] },
  });
  assert.equal(any([1, 2.5, true]), {
    arrayValue: { values: [{ intValue: "1" }, { doubleValue: 2.5 }, { boolValue: true }] },
  });
  assert.equal(any([Symbol("x"), () => 1]), { arrayValue: { values: [{}, {}] } });
  // eslint-disable-next-line no-sparse-arrays
  assert.equal(any([1, , 3]), { arrayValue: { values: [{ intValue: "1" }, {}, { intValue: "3" }] } });
  assert.is(encodeAnyValue([]), '{"arrayValue":{}}');
  assert.equal(any([[1], ["x"]]), {
    arrayValue: {
      values: [{ arrayValue: { values: [{ intValue: "1" }] } }, { arrayValue: { values: [{ stringValue: "x" }] } }],
    },
  });
});

test("plain objects become kvlistValue, nested", () => {
  assert.equal(any({ a: 1, b: { c: "d" }, e: [true] }), {
    kvlistValue: {
      values: [
        { key: "a", value: { intValue: "1" } },
        { key: "b", value: { kvlistValue: { values: [{ key: "c", value: { stringValue: "d" } }] } } },
        { key: "e", value: { arrayValue: { values: [{ boolValue: true }] } } },
      ],
    },
  });
  assert.is(encodeAnyValue({}), '{"kvlistValue":{}}');
  assert.is(encodeAnyValue(null), "{}");
  assert.is(encodeAnyValue(undefined), "{}");
});

test("Uint8Array becomes base64 bytesValue (RFC 4648, padded)", () => {
  for (let n = 0; n < 12; n++) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 97 + 200) & 255;
    const expected = Buffer.from(bytes).toString("base64");
    assert.is(encodeBase64(bytes), expected, `length ${n}`);
    assert.equal(any(bytes), { bytesValue: expected });
  }
  assert.equal(any(new Uint8Array([0xff])), { bytesValue: "/w==" });
  assert.equal(any(Buffer.from("hi")), { bytesValue: "aGk=" }); // subclasses too
  const big = new Uint8Array(20001).map((_, i) => (i * 31) & 255); // more than one chunk of the binary string
  assert.is(encodeBase64(big), Buffer.from(big).toString("base64"));
});

test("Date becomes its ISO string; an invalid Date is dropped", () => {
  assert.equal(any(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), { stringValue: "2024-01-02T03:04:05.006Z" });
  assert.equal(kvs({ bad: new Date(NaN), ok: 1 }), [{ key: "ok", value: { intValue: "1" } }]);
});

test("key/value lists: undefined skipped, null is the empty AnyValue, non-objects are empty", () => {
  assert.equal(kvs({ a: undefined, b: null, c: "x" }), [
    { key: "b", value: {} },
    { key: "c", value: { stringValue: "x" } },
  ]);
  assert.equal(kvs({ f: () => 1, s: Symbol("s"), n: 2 }), [{ key: "n", value: { intValue: "2" } }]);
  assert.is(encodeKeyValueList({}), "[]");
  assert.is(encodeKeyValueList(null), "[]");
  assert.is(encodeKeyValueList(undefined), "[]");
  assert.is(encodeKeyValueList("str"), "[]");
  // Own "__proto__" data property (as setAttribute stores it) is kept as a plain key.
  const withProto = {};
  Object.defineProperty(withProto, "__proto__", { value: "p", enumerable: true });
  assert.equal(kvs(withProto), [{ key: "__proto__", value: { stringValue: "p" } }]);
});

const NASTY = [
  'quote " mark',
  "back\\slash",
  "new\nline\r\ttab",
  "nul \u0000 and \u001f and \u007f",
  "lone high \ud800 end",
  "lone low \udc00 start",
  "reversed pair \udc00\ud800",
  "emoji 😀 pair",
  "line sep \u2028 para \u2029",
  "</script>",
];

test("escaping of keys and string values always yields valid JSON that round-trips", () => {
  for (const s of NASTY) {
    // Lone surrogates have no UTF-8 form (and the Collector's protojson rejects their \u
    // escapes): they are sent as U+FFFD; everything else round-trips exactly.
    const sent = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
    const lit = jsonString(s);
    assert.is(JSON.parse(lit), sent, `literal for ${JSON.stringify(s)}`);
    const text = encodeKeyValueList({ [s]: s, [s + "!"]: [s, null] });
    const parsed = JSON.parse(text) as Array<{ key: string; value: any }>;
    assert.is(parsed[0]!.key, sent);
    assert.is(parsed[0]!.value.stringValue, sent);
    assert.is(parsed[1]!.key, sent + "!");
    assert.is(parsed[1]!.value.arrayValue.values[0].stringValue, sent);
    assert.not.ok(/\\ud[89a-f]/i.test(text), text);
  }
  assert.is(jsonString("plain"), '"plain"');
});

test("cycles: the cyclic branch is dropped, the rest is kept, reported once", () => {
  const messages = captureDiag();
  const obj: Record<string, unknown> = { a: 1 };
  obj.self = obj;
  obj.b = "after";
  assert.equal(any(obj), {
    kvlistValue: { values: [{ key: "a", value: { intValue: "1" } }, { key: "b", value: { stringValue: "after" } }] },
  });
  const arr: unknown[] = [1];
  arr.push(arr, 2);
  assert.equal(any(arr), { arrayValue: { values: [{ intValue: "1" }, {}, { intValue: "2" }] } });
  // Indirect cycle a → b → a.
  const a: Record<string, unknown> = { name: "a" };
  const b: Record<string, unknown> = { name: "b", a };
  a.b = b;
  const parsed = any(a) as any;
  assert.equal(parsed.kvlistValue.values[1].value.kvlistValue.values, [{ key: "name", value: { stringValue: "b" } }]);
  // A shared (non-cyclic) object appears twice.
  const shared = { x: 1 };
  assert.equal((any({ p: shared, q: shared }) as any).kvlistValue.values.length, 2);
  // An attribute map containing itself: written once one level down, then cut.
  const attrs: Record<string, unknown> = { k: "v" };
  attrs.me = attrs;
  const list = kvs(attrs) as any[];
  assert.equal(list[1].value, { kvlistValue: { values: [{ key: "k", value: { stringValue: "v" } }] } });
  any(obj);
  assert.is(messages.filter((m) => m.includes("cycle")).length, 1);
});

test("depth: branches deeper than MAX_ANY_VALUE_DEPTH are dropped without overflow", () => {
  captureDiag();
  let deep: unknown = "leaf";
  for (let i = 0; i < 10_000; i++) deep = { n: deep };
  const parsed = any(deep);
  let levels = 0;
  let cur: any = parsed;
  while (cur?.kvlistValue) {
    levels++;
    cur = cur.kvlistValue.values?.[0]?.value;
  }
  assert.is(levels, MAX_ANY_VALUE_DEPTH);
  let deepArr: unknown = 1;
  for (let i = 0; i < 10_000; i++) deepArr = [deepArr];
  JSON.parse(encodeAnyValue(deepArr));
});

test("throwing getters, proxies and revoked proxies never throw out", () => {
  captureDiag();
  const obj = {
    ok: 1,
    get bad(): never {
      throw new Error("getter");
    },
    last: "x",
  };
  assert.equal(kvs(obj), [
    { key: "ok", value: { intValue: "1" } },
    { key: "last", value: { stringValue: "x" } },
  ]);
  assert.equal((any(obj) as any).kvlistValue.values.length, 2);

  const arr = [1, 2, 3];
  Object.defineProperty(arr, 1, {
    get() {
      throw new Error("index");
    },
  });
  assert.equal(any(arr), { arrayValue: { values: [{ intValue: "1" }, {}, { intValue: "3" }] } });

  const throwingKeys = new Proxy({}, { ownKeys: () => { throw new Error("keys"); } });
  assert.is(encodeKeyValueList(throwingKeys), "[]");
  assert.equal(kvs({ p: throwingKeys, q: 1 }), [{ key: "q", value: { intValue: "1" } }]);

  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  assert.is(encodeKeyValueList(proxy), "[]");
  assert.equal(kvs({ r: proxy, s: true }), [{ key: "s", value: { boolValue: true } }]);
  assert.equal(any([proxy]), { arrayValue: { values: [{}] } });

  const badDate = new Date(0);
  badDate.getTime = () => {
    throw new Error("time");
  };
  assert.equal(kvs({ d: badDate }), []);
});

test("the key cache keeps distinct keys distinct", () => {
  for (let i = 0; i < 5000; i++) {
    const key = `k${i}"\\`;
    const parsed = kvs({ [key]: i }) as any[];
    assert.is(parsed[0].key, key);
    assert.is(parsed[0].value.intValue, String(i));
  }
});

test("keys past the prefix cache (over 1024 distinct, or longer than 256) are written the same way", () => {
  const map: Record<string, unknown> = {};
  for (let i = 0; i < 1500; i++) map[`key.${i}\u00e9`] = i % 3 === 0 ? `v${i}` : i % 3 === 1 ? i : [i];
  map["k".repeat(300) + '"\n'] = "long";
  const expected = Object.entries(map).map(([key, v]) => ({
    key,
    value: typeof v === "string" ? { stringValue: v } : typeof v === "number" ? { intValue: String(v) } : { arrayValue: { values: [{ intValue: String((v as number[])[0]) }] } },
  }));
  // Twice: the first call fills the cache, the second reads it (and the uncached rest).
  assert.equal(JSON.parse(encodeKeyValueList(map)), expected);
  assert.equal(JSON.parse(encodeKeyValueList(map)), expected);
});

test.run();
