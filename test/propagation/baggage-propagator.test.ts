import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { ROOT_CONTEXT } from "../../src/context/context.ts";
import { baggageEntryMetadataFromString, createBaggage, getBaggage, setBaggage, type Baggage } from "../../src/propagation/baggage.ts";
import { BAGGAGE_MAX_BYTES, W3CBaggagePropagator } from "../../src/propagation/baggage-propagator.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { suppressTracing } from "../../src/trace/suppress.ts";

diag.disable();
const p = new W3CBaggagePropagator();

function inject(b: Baggage): string | undefined {
  const carrier: Record<string, string> = {};
  p.inject(setBaggage(ROOT_CONTEXT, b), carrier, defaultTextMapSetter);
  return carrier.baggage;
}

function extract(header: string | string[]): Baggage | undefined {
  return getBaggage(p.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter));
}

function entries(b: Baggage | undefined): Record<string, string> {
  return Object.fromEntries((b?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
}

// The baggage-octet set (W3C Baggage §3.3.1): %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
function isBaggageOctets(s: string): boolean {
  return /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/.test(s);
}

test("extracts simple members, with OWS around separators and '='", () => {
  assert.equal(entries(extract("key1=value1,key2=value2")), { key1: "value1", key2: "value2" });
  assert.equal(entries(extract(" key1 = value1 ,\tkey2\t=\tvalue2 ,, ")), { key1: "value1", key2: "value2" });
  assert.equal(entries(extract("key=")), { key: "" });
  assert.equal(entries(extract("key=a=b")), { key: "a=b" });
});

test("percent-encoded values decode (UTF-8, reserved characters)", () => {
  assert.equal(entries(extract("k=%E4%BD%A0%E5%A5%BD,e=%F0%9F%98%80,s=a%20b%2Cc%3Bd%25e%3Df")), {
    k: "你好",
    e: "😀",
    s: "a b,c;d%e=f",
  });
});

test("round trips non-ASCII, '=', ',', ';', '%', quotes, backslash, spaces, empty", () => {
  const values = ["你好, world", "a=b=c", "x,y", "p;q", "100%", "%41", "\"quoted\"", "back\\slash", "  lead and trail  ", "", "😀🚀", "tab\tnl\n", "+plus+"];
  const b = createBaggage(Object.fromEntries(values.map((v, i) => [`k${i}`, { value: v }])));
  const header = inject(b)!;
  for (const member of header.split(",")) {
    const [k, v] = member.split("=") as [string, string];
    assert.ok(isBaggageOctets(v), `value on the wire is baggage-octets: ${v}`);
    assert.ok(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k));
  }
  assert.ok(header.includes("k4=100%25"));
  assert.ok(header.includes("k5=%2541"));
  assert.equal(entries(extract(header)), Object.fromEntries(values.map((v, i) => [`k${i}`, v])));
});

test("keys that are not tokens are percent-encoded and round-trip", () => {
  const b = createBaggage({ "user id": { value: "1" }, "ключ": { value: "2" }, "a%b": { value: "3" }, "x=y": { value: "4" } });
  const header = inject(b)!;
  assert.ok(header.startsWith("user%20id=1,"));
  assert.equal(entries(extract(header)), { "user id": "1", "ключ": "2", "a%b": "3", "x=y": "4" });
});

test("properties (metadata) are kept both ways", () => {
  const b = extract("k1=v1;prop1;prop2=pv2, k2=v2 ; p = x ;flag")!;
  assert.is(b.getEntry("k1")?.metadata?.toString(), "prop1;prop2=pv2");
  assert.is(b.getEntry("k2")?.value, "v2");
  assert.is(b.getEntry("k2")?.metadata?.toString(), "p=x;flag");
  const header = inject(b)!;
  assert.is(header, "k1=v1;prop1;prop2=pv2,k2=v2;p=x;flag");
  const injected = inject(createBaggage({ a: { value: "1", metadata: baggageEntryMetadataFromString("m=1") } }));
  assert.is(injected, "a=1;m=1");
});

test("metadata that would break the header is not sent, the entry still is", () => {
  assert.is(inject(createBaggage({ a: { value: "1", metadata: baggageEntryMetadataFromString("x,y=2") } })), "a=1");
  assert.is(inject(createBaggage({ a: { value: "1", metadata: baggageEntryMetadataFromString("é") } })), "a=1");
});

test("malformed members drop only themselves", () => {
  const b = extract("good=1,bad=%E4%BD,alsobad=%zz,noequals,=novalue,sp ace=1,q=\"x\",ok2=%41,badprop=1;=x,utf=\u00e9,last=2");
  assert.equal(entries(b), { good: "1", ok2: "A", last: "2" });
  assert.is(extract("bad=%"), undefined);
  assert.is(extract(""), undefined);
  assert.is(extract(",,,"), undefined);
});

test("extracted entries keep the header's order (integer-like keys too); a repeated key keeps its first place and its last value", () => {
  // Neither W3C Baggage nor the OTel Baggage API orders entries: the header's order is the one
  // a reader expects (a plain-object build would list integer-like keys first).
  const keys = (b: Baggage | undefined) => (b?.getAllEntries() ?? []).map(([k, e]) => `${k}=${e.value}`);
  assert.equal(keys(extract("b=1,10=2,a=3,2=4")), ["b=1", "10=2", "a=3", "2=4"]);
  assert.equal(keys(extract("x=1,y=2,x=3")), ["x=3", "y=2"]);
  assert.is(inject(extract("b=1,10=2,a=3")!), "b=1,10=2,a=3");
});

test("multiple baggage headers are combined", () => {
  assert.equal(entries(extract(["a=1", "b=2"])), { a: "1", b: "2" });
  const h = new Headers();
  h.append("baggage", "a=1");
  h.append("baggage", "b=2");
  assert.equal(entries(getBaggage(p.extract(ROOT_CONTEXT, h, defaultTextMapGetter))), { a: "1", b: "2" });
});

test("extract: 64 entries propagated, more dropped (not the whole header)", () => {
  const header = Array.from({ length: 100 }, (_, i) => `k${i}=v${i}`).join(",");
  const b = extract(header)!;
  assert.is(b.getAllEntries().length, 64);
  assert.is(b.getEntry("k0")?.value, "v0");
  assert.is(b.getEntry("k63")?.value, "v63");
  assert.is(b.getEntry("k64"), undefined);
});

test("extract: 8192 bytes propagated; a member past the limit is dropped, the rest kept", () => {
  // 8 members of 1023 bytes + 7 commas = 8191 bytes: all fit.
  const big = (i: number) => `k${i}=${"v".repeat(1023 - 3)}`;
  const fit = Array.from({ length: 8 }, (_, i) => big(i)).join(",");
  assert.is(fit.length, 8191);
  assert.is(extract(fit)!.getAllEntries().length, 8);
  // A 9th member would exceed 8192 bytes: dropped, the first 8 kept.
  const over = extract(`${fit},k8=${"v".repeat(100)}`)!;
  assert.is(over.getAllEntries().length, 8);
  assert.is(over.getEntry("k8"), undefined);
  // A single member larger than the limit is dropped, others kept.
  assert.equal(entries(extract(`huge=${"x".repeat(9000)},small=1`)), { small: "1" });
});

test("inject: at most 64 entries and 8192 bytes; larger entries skipped, smaller kept", () => {
  const many = createBaggage(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { value: `v${i}` }])));
  const h1 = inject(many)!;
  assert.is(h1.split(",").length, 64);
  assert.ok(h1.startsWith("k0=v0,"));
  assert.ok(h1.endsWith(",k63=v63"));

  const fat = createBaggage(
    Object.fromEntries([
      ...Array.from({ length: 7 }, (_, i) => [`k${i}`, { value: "v".repeat(1020) }] as const),
      ["huge", { value: "x".repeat(5000) }] as const,
      ["small", { value: "s" }] as const,
    ]),
  );
  const h2 = inject(fat)!;
  assert.ok(h2.length <= BAGGAGE_MAX_BYTES);
  assert.not.ok(h2.includes("huge="));
  assert.ok(h2.endsWith(",small=s"));
  assert.is(h2.split(",").length, 8);
  // Non-ASCII counts in encoded bytes: 3000 "é" encode to 6 bytes each.
  const h3 = inject(createBaggage({ e: { value: "é".repeat(3000) }, ok: { value: "1" } }))!;
  assert.is(h3, "ok=1");
});

test("inject: nothing without baggage, with empty baggage, or while suppressed; lone surrogates skipped", () => {
  const c: Record<string, string> = {};
  p.inject(ROOT_CONTEXT, c, defaultTextMapSetter);
  p.inject(setBaggage(ROOT_CONTEXT, createBaggage()), c, defaultTextMapSetter);
  p.inject(suppressTracing(setBaggage(ROOT_CONTEXT, createBaggage({ a: { value: "1" } }))), c, defaultTextMapSetter);
  assert.equal(c, {});
  assert.is(inject(createBaggage({ bad: { value: "\ud800x" }, "": { value: "1" }, ok: { value: "\ud83d\ude00" } })), "ok=%F0%9F%98%80");
});

test("extract replaces baggage already in the context and leaves the context alone when empty", () => {
  const start = setBaggage(ROOT_CONTEXT, createBaggage({ old: { value: "1" } }));
  assert.equal(entries(getBaggage(p.extract(start, { baggage: "new=2" }, defaultTextMapGetter))), { new: "2" });
  assert.is(p.extract(start, {}, defaultTextMapGetter), start);
  assert.is(p.extract(start, { baggage: "%%%" }, defaultTextMapGetter), start);
});

test("1 MB hostile headers complete and yield only valid entries", () => {
  const mb = 1 << 20;
  const cases = [
    "a=" + "%".repeat(mb),
    "a=" + "%E4".repeat(mb / 3),
    "k=v;" + ";".repeat(mb),
    ",".repeat(mb),
    " ".repeat(mb) + "a=1",
    "a=1," + "=".repeat(mb),
    "k=v,".repeat(mb / 4),
    "x".repeat(mb),
    ("a".repeat(100) + "=" + "b".repeat(100) + ";").repeat(mb / 202),
    "a=1;" + "p=".repeat(mb / 2),
  ];
  for (const header of cases) {
    const b = extract(header);
    const all = b?.getAllEntries() ?? [];
    assert.ok(all.length <= 64);
    let bytes = 0;
    for (const [k, e] of all) {
      assert.type(k, "string");
      assert.type(e.value, "string");
      bytes += k.length + e.value.length;
    }
    assert.ok(bytes <= BAGGAGE_MAX_BYTES);
  }
  assert.equal(entries(extract(" ".repeat(mb) + "a=1")), { a: "1" });
});

test("fields", () => {
  assert.equal(p.fields(), ["baggage"]);
});

test.run();
