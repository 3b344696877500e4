// The lean W3C propagator (bench/lean/propagation.ts) against the product's (the oracle):
// CompositePropagator(W3CTraceContextPropagator, W3CBaggagePropagator) with the default
// getter/setter, on the spec's and the product tests' vectors and on seeded random and
// mutated headers in every carrier form. Same extracted span context, tracestate and baggage;
// same injected headers. Then the spec cases the product's tests hold, hostile carriers,
// and linear time on 1 MiB inputs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diag } from "../../src/common/diag.ts";
import { baggageEntryMetadataFromString, createBaggage, type Baggage, type BaggageEntry } from "../../src/propagation/baggage.ts";
import { W3CBaggagePropagator } from "../../src/propagation/baggage-propagator.ts";
import { CompositePropagator } from "../../src/propagation/composite.ts";
import { defaultTextMapGetter, defaultTextMapSetter } from "../../src/propagation/text-map.ts";
import { W3CTraceContextPropagator } from "../../src/propagation/trace-context.ts";
import { createTraceState as productTraceState } from "../../src/propagation/trace-state.ts";
import { BAGGAGE_KEY, ROOT_CONTEXT, SPAN_KEY, SUPPRESS_KEY } from "../../bench/lean/context.ts";
import { createTraceState, w3c } from "../../bench/lean/propagation.ts";
import type { Context, Span, SpanContext } from "../../bench/lean/contract.ts";
import { Rng, withSeed } from "../fuzz/prng.ts";
import * as api from "@opentelemetry/api";

diag.disable();
console.warn = () => {}; // the lean diag's warnOnce

const product = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const TP = `00-${TRACE}-${SPAN}-01`;

// ---- views of a context, compared between the two ------------------------------------------
const spanContextOf = (ctx: Context): SpanContext | undefined => (ctx.getValue(SPAN_KEY) as Span | undefined)?.spanContext();
const baggageOf = (ctx: Context) => ctx.getValue(BAGGAGE_KEY) as Baggage | undefined;

function view(ctx: Context) {
  const sc = spanContextOf(ctx);
  const bag = baggageOf(ctx);
  return {
    sc: sc && [sc.traceId, sc.spanId, sc.traceFlags, sc.isRemote, sc.traceState?.serialize() ?? ""],
    // In order: both keep the header's order (see the order test below).
    baggage: bag?.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]),
  };
}

function injected(p: { inject(c: Context, carrier: unknown, setter: typeof defaultTextMapSetter): void }, ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return out;
}

/** Extracts `carrier` with both and asserts the same outcome; injects both results with both and asserts the same headers. */
function same(carrier: unknown, why: string, start: Context = ROOT_CONTEXT): Context {
  const ours = w3c.extract(start, carrier);
  const theirs = product.extract(start, carrier, defaultTextMapGetter);
  assert.equal(view(ours), view(theirs), why);
  if (view(theirs).sc === undefined && view(theirs).baggage === undefined) assert.is(ours, start, `${why}: context unchanged`);
  const a = injected(product, ours);
  assert.equal(injected(w3c, ours), a, `${why}: inject of the lean context`);
  assert.equal(injected(w3c, theirs), injected(product, theirs), `${why}: inject of the product context`);
  return ours;
}

// ---- vectors: the spec's examples and the product tests' cases -----------------------------
const T = "12345678901234567890123456789012";
const S = "1234567890123456";
const V = `00-${T}-${S}-01`;
const TRACEPARENTS = [
  V, `00-${T}-${S}-00`, `00-${T}-${S}-03`, `00-${T}-${S}-ff`, `00-${T}-${S}-09`,
  `ff-${T}-${S}-01`, `.0-${T}-${S}-01`, `0.-${T}-${S}-01`, `000-${T}-${S}-01`, `0000-${T}-${S}-01`, `0-${T}-${S}-01`, `0A-${T}-${S}-01`,
  `${V}.what-the-future-will-be-like`, `${V}-what-the-future-will-be-like`, `${V}-`, V.slice(0, 54),
  `cc-${T}-${S}-01`, `cc-${T}-${S}-01-what-the-future-will-be-like`, `01-${T}-${S}-01-`, `cc-${T}-${S}-01.what-the-future-will-be-like`,
  `cc-${T}-${S}-0`, `cc-ABCDEF78901234567890123456789012-${S}-01`, `cc-${T}-${S}-0A-x`, `cc-${T}-${S}-ff`, `fe-${T}-${S}-02`,
  `00-${"0".repeat(32)}-${S}-01`, `00-.2345678901234567890123456789012-${S}-01`, `00-1234567890123456789012345678901.-${S}-01`,
  `00-ABCDEF78901234567890123456789012-${S}-01`, `00-123456789012345678901234567890123-${S}-01`, `00-1234567890123456789012345678901-${S}-01`,
  `00-${T}-0000000000000000-01`, `00-${T}-.234567890123456-01`, `00-${T}-123456789012345.-01`, `00-${T}-ABCDEF7890123456-01`,
  `00-${T}-12345678901234567-01`, `00-${T}-123456789012345-01`,
  `00-${T}-${S}-.0`, `00-${T}-${S}-0.`, `00-${T}-${S}-001`, `00-${T}-${S}-1`, `00-${T}-${S}-0A`,
  `00_${T}-${S}-01`, `00-${T}_${S}-01`, `00-${T}-${S}_01`, `00 ${T} ${S} 01`,
  ` ${V}`, `\t${V}`, `${V} `, `${V}\t`, `\t ${V} \t`, `${V}\n`, `\u00a0${V}`, "", " ", "garbage",
  `00-${T.toUpperCase()}-${S}-01`, TP,
];
const TRACESTATES = [
  "foo=1,bar=2", "foo=1,FOO=2", "foo=1,bar=2,foo=3", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
  "foo=1 \t , \t bar=2, \t baz=3", ",, foo=1 ,,\t,bar=2,", "", "  \t ",
  "abcdefghijklmnopqrstuvwxyz0123456789_-*/= !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
  "foo =1", "FOO=1", "foo.bar=1", "foo=bar=baz", "foo=,bar=3", "foo", "=1", "foo=1,bar", "@foo=1,bar=2", "bar=2,foo=a\u00e9",
  "bar=2,foo=a\u0001b", "bar=2,_foo=1", "bar=2,Foo@x=1", `bar=2,${"t".repeat(242)}@${"v".repeat(15)}=1`,
  ...["1foo", "0simple", "foo@", "foo@@bar", "foo@bar@baz", "t".repeat(241) + "@" + "v".repeat(14), "a".repeat(256), "a".repeat(257), "9@"].map((k) => `${k}=1,bar=2`),
  `bar=${"v".repeat(256)}`, `bar=${"v".repeat(257)}`, "bar= v", "bar=v ", "foo=1,foo=1",
  Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(","), Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(","),
  Array.from({ length: 31 }, (_, i) => `k${i}=${i}`).join(",") + ",k0=again", Array.from({ length: 31 }, (_, i) => `k${i}=${i}`).join(",") + ",k0=again,k1=again",
  // Over 512 characters: serialized with the §3.3.1.5 truncation.
  [`s0=${"z".repeat(30)}`, `long1=${"x".repeat(150)}`, ...Array.from({ length: 5 }, (_, i) => `s${i + 1}=${"z".repeat(30)}`), `long2=${"y".repeat(150)}`, ...Array.from({ length: 5 }, (_, i) => `t${i}=${"z".repeat(30)}`)].join(","),
  Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}=${"v".repeat(40)}`).join(","),
];
const BAGGAGES = [
  "key1=value1,key2=value2", " key1 = value1 ,\tkey2\t=\tvalue2 ,, ", "key=", "key=a=b",
  "k=%E4%BD%A0%E5%A5%BD,e=%F0%9F%98%80,s=a%20b%2Cc%3Bd%25e%3Df",
  "user%20id=1,%D0%BA%D0%BB%D1%8E%D1%87=2,a%25b=3,x%3Dy=4",
  "k1=v1;prop1;prop2=pv2, k2=v2 ; p = x ;flag", "k=v;", "k=v;;p", "k=v;p=", "k=v; p = \"q\"",
  "good=1,bad=%E4%BD,alsobad=%zz,noequals,=novalue,sp ace=1,q=\"x\",ok2=%41,badprop=1;=x,utf=\u00e9,last=2",
  "bad=%", "", ",,,", "%%%", "a=1,a=2", "b=1,1=2,a=3", "__proto__=1,constructor=2", "k=%00", "%41=1", "%=1", "k=%2",
  Array.from({ length: 100 }, (_, i) => `k${i}=v${i}`).join(","),
  Array.from({ length: 64 }, (_, i) => `k${i}=v${i}`).join(",") + ",k0=again",
  Array.from({ length: 8 }, (_, i) => `k${i}=${"v".repeat(1020)}`).join(","),
  Array.from({ length: 8 }, (_, i) => `k${i}=${"v".repeat(1020)}`).join(",") + `,k8=${"v".repeat(100)}`,
  `huge=${"x".repeat(9000)},small=1`, `k=${"v".repeat(8190)}`, `k=${"v".repeat(8189)},a=1`,
];

test("traceparent vectors: same span context as the product", () => {
  for (const tp of TRACEPARENTS) {
    same({ traceparent: tp }, `traceparent ${JSON.stringify(tp)}`);
    same({ TraceParent: tp, tracestate: "a=1" }, `TraceParent ${JSON.stringify(tp)}`);
  }
});

test("tracestate vectors: same tracestate (kept, truncated or dropped) as the product", () => {
  for (const ts of TRACESTATES) {
    same({ traceparent: V, tracestate: ts }, `tracestate ${JSON.stringify(ts)}`);
    same({ traceparent: V, tracestate: [ts, "zz=9"] }, `tracestate lines ${JSON.stringify(ts)}`);
    assert.is(createTraceState(ts).serialize(), productTraceState(ts).serialize(), ts);
  }
});

test("baggage vectors: same entries and metadata as the product", () => {
  for (const b of BAGGAGES) {
    same({ baggage: b }, `baggage ${JSON.stringify(b).slice(0, 200)}`);
    same({ baggage: [b, "z=9"], traceparent: V }, `baggage lines ${JSON.stringify(b).slice(0, 200)}`);
  }
});

test("carrier forms: Headers, case variants, repeated lines, arrays, junk values", () => {
  const cases: unknown[] = [
    new Headers({ TRACEPARENT: V, tracestate: "a=1", Baggage: "k=v" }),
    { traceparent: [V] }, { traceparent: [V, V] }, { traceparent: "a", TRACEPARENT: V }, { traceparent: [V], TraceParent: [] },
    { traceparent: V, tracestate: ["foo=1", ""] }, { traceparent: V, tracestate: ["", "foo=1"] }, { traceparent: V, tracestate: ["foo=1", "foo=2"] },
    { traceparent: V, TraceState: "b=2", tracestate: ["a=1"] }, { baggage: ["a=1", "b=2"] }, { baggage: "a=1", BAGGAGE: "b=2" },
    { traceparent: 5, tracestate: {}, baggage: null }, { traceparent: [V, 5] }, { traceparent: V, tracestate: 7 }, { traceparent: [null] },
    {}, null, undefined, 42, "traceparent", [], { get: 1, traceparent: V },
  ];
  for (const [i, c] of cases.entries()) same(c, `carrier ${i}`);
  const h = new Headers();
  h.append("traceparent", V);
  h.append("traceparent", V);
  same(h, "Headers with two traceparent lines");
  const h2 = new Headers({ traceparent: V });
  h2.append("tracestate", "foo=1");
  h2.append("tracestate", "bar=2");
  h2.append("baggage", "a=1");
  h2.append("baggage", "b=2;p");
  same(h2, "Headers with repeated tracestate and baggage lines");
});

test("extract starts from the given context: baggage replaced only when the header has a valid member", () => {
  const start = w3c.extract(ROOT_CONTEXT, { traceparent: TP, baggage: "old=1" });
  for (const c of [{ baggage: "new=2" }, {}, { baggage: "%%%" }, { traceparent: "bad" }, { traceparent: V }]) same(c, JSON.stringify(c), start);
});

// ---- seeded random and mutated headers (the fuzz suite's generators) ------------------------
const JUNK = ["-", ",", ";", "=", ":", " ", "\t", "%", "%3A", "%zz", "\u00a0", "\n", "\0", "é", "😀", "\ud800", "G", "F", "ff", "00"];
function mutate(rng: Rng, s: string): string {
  let out = s;
  for (let t = rng.int(4); t > 0; t--) {
    const i = rng.int(out.length + 1);
    switch (rng.int(12)) {
      case 0: out = out.slice(0, i) + rng.pick(JUNK) + out.slice(i + 1); break;
      case 1: out = out.slice(0, i) + rng.pick(JUNK) + out.slice(i); break;
      case 2: out = out.slice(0, i) + out.slice(i + 1); break;
      case 3: out = out.toUpperCase(); break;
      case 4: out = out.slice(0, i); break;
      case 5: out = out + "-" + rng.nasty(rng.int(6)); break;
      case 6: out = rng.pick([" ", "\t", "  \t"]) + out + rng.pick([" ", "\t", ""]); break;
      case 7: out = out + ", " + out; break;
      case 8: out = out.replace(/[1-9a-f]/g, "0"); break;
      case 9: out = out.slice(0, i) + rng.nasty(rng.range(1, 8)) + out.slice(i); break;
      case 10: out = out.slice(0, i) + rng.codeUnits(rng.range(1, 3)) + out.slice(i); break;
      default: out = out.slice(0, i) + rng.hex(rng.range(1, 4)) + out.slice(i); break;
    }
  }
  return out;
}
const maybeMutate = (rng: Rng, s: string) => (rng.bool(0.35) ? s : mutate(rng, s));
const idOrZero = (rng: Rng, n: number) => (rng.bool(0.05) ? "0".repeat(n) : rng.hex(n));
function genTraceparent(rng: Rng): string {
  const version = rng.pick(["00", "00", "00", "01", "cc", "fe", "ff", rng.hex(2)]);
  let tp = `${version}-${idOrZero(rng, 32)}-${idOrZero(rng, 16)}-${rng.hex(2)}`;
  if (version !== "00" && rng.bool(0.3)) tp += "-" + rng.nasty(rng.int(5));
  return maybeMutate(rng, tp);
}
const KEYCHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
function genTsKey(rng: Rng): string {
  if (rng.bool(0.6)) return rng.chars("abcdefghijklmnopqrstuvwxyz0123456789", 1) + rng.chars(KEYCHARS, rng.pick([0, 2, 5, 255, 256]));
  const at = rng.chars("abcdefghijklmnopqrstuvwxyz0123456789", 1) + rng.chars(KEYCHARS, rng.pick([0, 3, 240, 241, 250])) + "@" + rng.chars(KEYCHARS, rng.pick([0, 4, 13, 14, 20]));
  return rng.bool(0.8) ? at : rng.pick(["@" + at, at + "@" + rng.chars(KEYCHARS, 2)]);
}
const TS_CHARS = " !\"#$%&'()*+-./0123456789:;<>?@ABCXYZ[\\]^_`abcxyz{|}~";
function genTracestate(rng: Rng): string {
  const members: string[] = [];
  for (let i = rng.pick([0, 1, 2, 5, 31, 32, 33, 40]); i > 0; i--) {
    let m = `${genTsKey(rng)}=${rng.chars(TS_CHARS, rng.pick([0, 1, 8, 40, 255])) + rng.chars("!#$0aZ~", 1)}`;
    if (rng.bool(0.1)) m = rng.pick(["", " ", "\t "]);
    if (rng.bool(0.05) && members.length > 0) m = members[0]!;
    members.push(m);
  }
  return maybeMutate(rng, members.join(rng.pick([",", ", ", " ,\t"])));
}
const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz";
const OCTET_CHARS = "!#$%&'()*+-./0123456789:<=>?@ABCXYZ[]^_`abcxyz{|}~";
function genBaggageMember(rng: Rng): string {
  const key = rng.bool(0.9) ? rng.chars(TCHARS, rng.range(1, 12)) : rng.nasty(rng.range(0, 6));
  let value = rng.chars(OCTET_CHARS, rng.range(0, 16));
  if (rng.bool(0.3)) value += rng.pick(["%20", "%E2%82%AC", "%F0%9F%98%80", "%", "%2", "%zz", "%E2%82", "%C0%AF", "%ED%A0%80", "%25"]);
  let m = `${key}${rng.pick(["=", " = ", "\t=\t"])}${value}`;
  for (let i = rng.pick([0, 0, 1, 3]); i > 0; i--) m += rng.pick([";", " ; "]) + rng.chars(TCHARS, rng.range(0, 5)) + (rng.bool() ? "=" + rng.chars(OCTET_CHARS, rng.range(0, 5)) : "");
  return maybeMutate(rng, m);
}
function genBaggage(rng: Rng): string {
  const members: string[] = [];
  for (let i = rng.pick([0, 1, 3, 10, 64, 65, 200]); i > 0; i--) members.push(genBaggageMember(rng));
  if (rng.bool(0.05)) members.push("big=" + "v".repeat(rng.pick([4090, 8192, 9000])));
  return members.join(rng.pick([",", ", ", " , "]));
}
function randomCase(rng: Rng, name: string): string {
  return rng.bool(0.6) ? name : [...name].map((c) => (rng.bool() ? c.toUpperCase() : c)).join("");
}
/** A carrier of `fields` as a fetch Headers (when it takes them) or a plain object with case variants and arrays. */
function carrier(rng: Rng, fields: Array<[string, string]>): unknown {
  if (rng.bool(0.33)) {
    try {
      const h = new Headers();
      for (const [n, v] of fields) h.append(n, v);
      return h;
    } catch {}
  }
  const o: Record<string, string | string[]> = {};
  for (const [n, v] of fields) {
    const name = randomCase(rng, n);
    o[name] = name in o ? ([] as string[]).concat(o[name]!, v) : rng.bool(0.05) ? [v] : v;
  }
  return o;
}

test(
  "random and mutated traceparent/tracestate/baggage: same outcome as the product",
  withSeed("lean-propagation", (rng) => {
    let accepted = 0;
    let bagged = 0;
    for (let i = 0; i < 3000; i++) {
      const fields: Array<[string, string]> = [["traceparent", genTraceparent(rng)]];
      if (rng.bool(0.05)) fields.push(["traceparent", genTraceparent(rng)]);
      if (rng.bool(0.8)) fields.push(["tracestate", genTracestate(rng)]);
      if (rng.bool(0.1)) fields.push(["tracestate", genTracestate(rng)]);
      if (rng.bool(0.7)) fields.push(["baggage", genBaggage(rng)]);
      if (rng.bool(0.1)) fields.push(["baggage", genBaggage(rng)]);
      const c = carrier(rng, fields);
      const ctx = same(c, `case ${i}: ${JSON.stringify(fields).slice(0, 400)}`);
      if (spanContextOf(ctx)) accepted++;
      if (baggageOf(ctx)) bagged++;
    }
    assert.ok(accepted > 300 && bagged > 300, `too few valid cases: ${accepted} span contexts, ${bagged} baggages`);
  }),
);

const TCHAR_KEYS = "!#$%&'*+-.^_`|~0123456789ABCXYZabcxyz";
test(
  "baggage set in code (any string, lone surrogates, any metadata): same header as the product",
  withSeed("lean-baggage-inject", (rng) => {
    for (let i = 0; i < 2000; i++) {
      const entries: Record<string, BaggageEntry> = {};
      for (let j = rng.pick([1, 3, 70]); j > 0; j--) {
        const key = rng.bool(0.7) ? rng.chars(TCHAR_KEYS, rng.range(1, 10)) : rng.pick([rng.codeUnits(3), rng.nasty(4), "", "__proto__", "constructor", "(a)"]);
        const value = rng.pick([rng.codeUnits(rng.range(0, 6)), rng.nasty(rng.range(0, 8)), rng.chars(OCTET_CHARS, 5), "x".repeat(rng.pick([10, 5000])), "é".repeat(rng.pick([10, 3000]))]);
        const entry: BaggageEntry = { value };
        if (rng.bool(0.3)) entry.metadata = baggageEntryMetadataFromString(rng.pick(["p1", "p1;p2=v", " p ; q = r ", ";;", "a\"b", "x,y", rng.nasty(5), rng.codeUnits(3)]));
        entries[key] = entry;
      }
      const ctx = ROOT_CONTEXT.setValue(BAGGAGE_KEY, createBaggage(entries));
      assert.equal(injected(w3c, ctx), injected(product, ctx), `case ${i}: ${JSON.stringify(entries).slice(0, 300)}`);
    }
  }),
);

test(
  "span contexts set in code (odd ids, flags, tracestates): same headers as the product",
  withSeed("lean-tc-inject", (rng) => {
    for (let i = 0; i < 2000; i++) {
      const sc = {
        traceId: rng.pick([rng.hex(32), rng.nasty(32), "0".repeat(32), rng.hex(31), rng.hex(32).toUpperCase()]),
        spanId: rng.pick([rng.hex(16), "0".repeat(16), rng.hex(17), rng.nasty(16)]),
        traceFlags: rng.pick([0, 1, 3, 255, 256, 0x1ff, -1, 1.5, NaN]),
        traceState: rng.bool() ? createTraceState(genTracestate(rng)) : productTraceState(genTracestate(rng)),
      };
      const ctx = ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: () => sc });
      assert.equal(injected(w3c, ctx), injected(product, ctx), `case ${i}: ${JSON.stringify(sc)}`);
    }
  }),
);

// ---- the spec cases the product's tests hold, asserted directly ------------------------------
test("extract: a non-recording remote span with every Span method, and the sampled flag", () => {
  const ctx = w3c.extract(ROOT_CONTEXT, { traceparent: TP, tracestate: "congo=t61rcWkgMzE", baggage: "k=v;p" });
  const span = ctx.getValue(SPAN_KEY) as Span;
  assert.equal({ ...span.spanContext(), traceState: undefined }, { traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true, traceState: undefined });
  assert.is(span.spanContext().traceState?.get("congo"), "t61rcWkgMzE");
  for (const m of ["setAttribute", "setAttributes", "addEvent", "addLink", "addLinks", "setStatus", "updateName"] as const) {
    assert.is((span[m] as (...a: unknown[]) => unknown)("x", 1), span, m);
  }
  assert.is(span.isRecording(), false);
  span.end();
  span.recordException(new Error("x"));
  assert.is(spanContextOf(w3c.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-00` }))?.traceFlags, 0);
  // Extracted baggage implements the Baggage API.
  const bag = baggageOf(ctx)!;
  assert.equal(bag.getEntry("k")?.value, "v");
  assert.is(bag.getEntry("k")?.metadata?.toString(), "p");
  assert.is(bag.getEntry("zz"), undefined);
  const b2 = bag.setEntry("n", { value: "1" }).removeEntry("k");
  assert.equal(b2.getAllEntries().map(([k, e]) => [k, e.value, e.metadata]), [["n", "1", undefined]]);
  assert.equal(bag.getAllEntries().length, 1);
  assert.equal(bag.removeEntries("k", "x").getAllEntries(), []);
  assert.equal(bag.clear().getAllEntries(), []);
  assert.is(bag.setEntry("x", { value: 3 as unknown as string }), bag);
  assert.is(bag.setEntry(1 as unknown as string, { value: "1" }), bag);
  const out = bag.getEntry("k")!;
  out.value = "mutated";
  assert.is(bag.getEntry("k")?.value, "v");
  // Header order kept, integer-like keys too (as the product does).
  assert.equal(baggageOf(w3c.extract(ROOT_CONTEXT, { baggage: "b=1,1=2,a=3" }))!.getAllEntries().map(([k]) => k), ["b", "1", "a"]);
});

test("tracestate API: get/set/unset/serialize, set moves to the front, 32 max, invalid set ignored", () => {
  const a = createTraceState("a=1,b=2,c=3");
  const b = a.set("c", "9");
  assert.is(b.serialize(), "c=9,a=1,b=2");
  assert.is(a.serialize(), "a=1,b=2,c=3");
  assert.is(b.set("new", "x").serialize(), "new=x,c=9,a=1,b=2");
  assert.is(b.unset("a").serialize(), "c=9,b=2");
  assert.is(b.unset("zzz"), b);
  assert.is(b.get("a"), "1");
  assert.is(b.get("zzz"), undefined);
  for (const [k, v] of [["BAD", "1"], ["ok", "x,y"], ["ok", ""], ["ok", "v "], ["a=b", "c"], [undefined, "1"], ["ok", 5]]) {
    assert.is(a.set(k as string, v as string), a, `${k}=${v}`);
  }
  let full = createTraceState(Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(","));
  full = full.set("new", "1");
  assert.is(full.get("new"), "1");
  assert.is(full.get("k31"), undefined);
  assert.is(full.serialize().split(",").length, 32);
  assert.is(createTraceState().serialize(), "");
  assert.is(createTraceState(null as unknown as string).serialize(), "");
  assert.is(createTraceState(42 as unknown as string).serialize(), "");
  // Random set/unset sequences agree with the product's TraceState.
  const rng = new Rng(7);
  let ours = createTraceState("x=1");
  let theirs = productTraceState("x=1");
  for (let i = 0; i < 3000; i++) {
    const key = rng.pick(["x", "y", "k" + rng.int(40), "BAD", "t@v", "a".repeat(rng.pick([200, 256, 257]))]);
    if (rng.bool(0.8)) {
      const value = rng.pick(["1", "v".repeat(rng.pick([100, 200, 256, 257])), "a b", "a,b", "a "]);
      ours = ours.set(key, value);
      theirs = theirs.set(key, value);
    } else {
      ours = ours.unset(key);
      theirs = theirs.unset(key);
    }
    assert.is(ours.serialize(), theirs.serialize(), `step ${i}`);
    assert.is(ours.get(key), theirs.get(key), `step ${i}`);
  }
});

test("inject: traceparent 00 and a non-empty tracestate for a valid span context; nothing while suppressed", () => {
  const ts = createTraceState("congo=t61rcWkgMzE").set("rojo", "00f067aa0ba902b7");
  const ctx = ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 3, traceState: ts }) });
  const h = new Headers();
  w3c.inject(ctx, h);
  assert.is(h.get("traceparent"), `00-${TRACE}-${SPAN}-03`);
  assert.is(h.get("tracestate"), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  const back = spanContextOf(w3c.extract(ROOT_CONTEXT, h))!;
  assert.is(back.traceState?.serialize(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  const o: Record<string, string> = { TraceParent: "old", other: "1" };
  w3c.inject(ctx, o);
  assert.equal(o, { other: "1", traceparent: `00-${TRACE}-${SPAN}-03`, tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" });
  const suppressed: Record<string, string> = {};
  w3c.inject(ctx.setValue(SUPPRESS_KEY, true).setValue(BAGGAGE_KEY, createBaggage({ a: { value: "1" } })), suppressed);
  assert.equal(suppressed, {});
  const bag: Record<string, string> = {};
  w3c.inject(ROOT_CONTEXT.setValue(BAGGAGE_KEY, createBaggage({ a: { value: "1", metadata: baggageEntryMetadataFromString(" m = 1 ;; f") } })), bag);
  assert.equal(bag, { baggage: "a=1;m=1;f" });
  assert.equal(w3c.fields(), ["traceparent", "tracestate", "baggage"]);
});

test("baggage inject: at most 64 entries and 8192 bytes; larger entries skipped, smaller kept (as the product)", () => {
  const inject = (b: Baggage) => {
    const ctx = ROOT_CONTEXT.setValue(BAGGAGE_KEY, b);
    const out = injected(w3c, ctx);
    assert.equal(out, injected(product, ctx));
    return out.baggage;
  };
  const h1 = inject(createBaggage(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { value: `v${i}` }]))))!;
  assert.is(h1.split(",").length, 64);
  assert.ok(h1.startsWith("k0=v0,") && h1.endsWith(",k63=v63"));
  const fat = createBaggage(
    Object.fromEntries([
      ...Array.from({ length: 7 }, (_, i) => [`k${i}`, { value: "v".repeat(1020) }] as const),
      ["huge", { value: "x".repeat(5000) }] as const,
      ["small", { value: "s" }] as const,
    ]),
  );
  const h2 = inject(fat)!;
  assert.ok(h2.length <= 8192 && !h2.includes("huge=") && h2.endsWith(",small=s"));
  assert.is(inject(createBaggage({ e: { value: "é".repeat(3000) }, ok: { value: "1" } })), "ok=1");
  assert.is(inject(createBaggage({ bad: { value: "\ud800x" }, "": { value: "1" }, ok: { value: "\ud83d\ude00" } })), "ok=%F0%9F%98%80");
  assert.is(inject(createBaggage({ "user id": { value: "1" }, "(k)": { value: "a(b)" }, "a%b": { value: "100%" } })), "user%20id=1,%28k%29=a(b),a%25b=100%25");
  // Exactly 8192 bytes fit; one more does not.
  assert.is(inject(createBaggage({ k: { value: "v".repeat(8190) } }))?.length, 8192);
  assert.is(inject(createBaggage({ k: { value: "v".repeat(8191) } })), undefined);
});

test("Map carriers (lowercase keys) and custom getters/setters: same outcome as the product", () => {
  same(new Map([["traceparent", V], ["tracestate", "a=1"], ["baggage", "k=v;p"]]), "Map");
  same(new Map([["traceparent", [V, V]]]), "Map, two traceparent lines");
  const lines = { h: [["traceparent", TP], ["baggage", "a=1"], ["baggage", "b=2"]] as [string, string][] };
  const getter = { keys: (c: typeof lines) => c.h.map(([k]) => k), get: (c: typeof lines, k: string) => { const v = c.h.filter(([n]) => n === k).map(([, v]) => v); return v.length > 1 ? v : v[0]; } };
  const ours = w3c.extract(ROOT_CONTEXT, lines, getter as never);
  assert.equal(view(ours), view(product.extract(ROOT_CONTEXT, lines, getter as never)));
  assert.is(baggageOf(ours)?.getAllEntries().length, 2);
  const a: string[] = [];
  const b: string[] = [];
  w3c.inject(ours, a, { set: (c: string[], k: string, v: string) => c.push(`${k}: ${v}`) } as never);
  product.inject(ours, b, { set: (c: string[], k: string, v: string) => c.push(`${k}: ${v}`) } as never);
  assert.equal(a, b);
  assert.equal(a, [`traceparent: ${TP}`, "baggage: a=1,b=2"]);
});

test("interop: registered with @opentelemetry/api, its trace and propagation helpers read what we extract", () => {
  api.propagation.disable();
  assert.ok(api.propagation.setGlobalPropagator(w3c as unknown as api.TextMapPropagator));
  const ctx = api.propagation.extract(api.ROOT_CONTEXT, { traceparent: TP, tracestate: "vendor=v1", baggage: "user=%C3%9Cn%C3%AFc%C3%B8d%C3%A9;p1" });
  const sc = api.trace.getSpanContext(ctx)!;
  assert.equal([sc.traceId, sc.spanId, sc.traceFlags, sc.isRemote, sc.traceState?.get("vendor")], [TRACE, SPAN, 1, true, "v1"]);
  assert.ok(api.trace.isSpanContextValid(sc));
  const span = api.trace.getSpan(ctx)!;
  assert.is(span.setAttribute("a", 1).addEvent("e").setStatus({ code: 2 }).updateName("n"), span);
  assert.is(span.isRecording(), false);
  assert.is(api.propagation.getBaggage(ctx)?.getEntry("user")?.value, "Ünïcødé");
  // The official API's baggage and span context go out through ours.
  const out: Record<string, string> = {};
  const theirs = api.propagation.setBaggage(api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 0 }), api.propagation.createBaggage({ k: { value: "a b", metadata: api.baggageEntryMetadataFromString("m=1") } }));
  api.propagation.inject(theirs, out);
  assert.equal(out, { traceparent: `00-${TRACE}-${SPAN}-00`, baggage: "k=a%20b;m=1" });
  api.propagation.disable();
});

test("hostile carriers, getters, setters, spans and baggage never throw into the app", () => {
  const boom = () => {
    throw new Error("boom");
  };
  const hostile = new Proxy({}, { ownKeys: boom, get: boom, set: boom, has: boom, deleteProperty: boom });
  const ctx = ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }) }).setValue(BAGGAGE_KEY, createBaggage({ a: { value: "1" } }));
  assert.is(w3c.extract(ROOT_CONTEXT, hostile), ROOT_CONTEXT);
  assert.is(w3c.extract(ROOT_CONTEXT, { get: boom }), ROOT_CONTEXT);
  assert.is(w3c.extract(ROOT_CONTEXT, { traceparent: TP }, { keys: () => [], get: boom }), ROOT_CONTEXT);
  assert.is(w3c.extract(ROOT_CONTEXT, {}, { keys: () => [], get: () => ({ toString: boom }) as unknown as string }), ROOT_CONTEXT);
  // A getter that throws on one field loses only that step.
  const half = w3c.extract(ROOT_CONTEXT, { traceparent: TP, baggage: "k=v" }, { keys: () => [], get: (c: any, k) => (k == "baggage" ? boom() : c[k]) });
  assert.is(spanContextOf(half)?.traceId, TRACE);
  w3c.inject(ctx, hostile);
  w3c.inject(ctx, { set: boom });
  w3c.inject(ctx, Object.freeze({}));
  w3c.inject(ctx, null);
  w3c.inject(ctx, undefined);
  const written: string[] = [];
  w3c.inject(ctx, written, { set: (_c, k) => (k == "traceparent" ? boom() : written.push(k)) });
  assert.equal(written, ["baggage"]);
  const badSpan = ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: boom }).setValue(BAGGAGE_KEY, { getAllEntries: boom });
  w3c.inject(badSpan, {});
  const badState = ROOT_CONTEXT.setValue(SPAN_KEY, { spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: { serialize: boom } }) });
  const o: Record<string, string> = {};
  w3c.inject(badState, o);
  assert.equal(o, { traceparent: TP });
  const badEntries = { getAllEntries: () => [["a", null], ["b", { value: "2", metadata: { toString: boom } }], [5, { value: "x" }], ["c", { value: 7 }]] } as unknown as Baggage;
  const o2: Record<string, string> = {};
  w3c.inject(ROOT_CONTEXT.setValue(BAGGAGE_KEY, badEntries), o2);
  assert.equal(o2, { baggage: "b=2" });
  w3c.inject(undefined as never, {});
  w3c.inject({ getValue: boom } as never, {});
  assert.is(w3c.extract(undefined as never, { traceparent: TP }), undefined);
  const immutable = { get: () => null, set: boom };
  w3c.inject(ctx, immutable);
});

// ---- linear time on hostile 1 MiB inputs ----------------------------------------------------
const MB = 1 << 20;
const SHAPES: Record<string, (n: number) => Record<string, string>> = {
  "traceparent: spaces then a valid value": (n) => ({ traceparent: " ".repeat(n) + TP }),
  "traceparent: future version with a 1 MiB tail": (n) => ({ traceparent: "01" + TP.slice(2) + "-" + "a".repeat(n) }),
  "traceparent: dashes": (n) => ({ traceparent: "-".repeat(n) }),
  "traceparent: valid then spaces": (n) => ({ traceparent: TP + " ".repeat(n) }),
  "tracestate: commas and spaces": (n) => ({ traceparent: TP, tracestate: " ,".repeat(n / 2) }),
  "tracestate: one 1 MiB member": (n) => ({ traceparent: TP, tracestate: "a=" + "b".repeat(n) }),
  "tracestate: 1 MiB key": (n) => ({ traceparent: TP, tracestate: "a".repeat(n) + "=b" }),
  "tracestate: equals signs": (n) => ({ traceparent: TP, tracestate: "=".repeat(n) }),
  "tracestate: spaces inside a member": (n) => ({ traceparent: TP, tracestate: "a=b" + " ".repeat(n) + "c" }),
  "tracestate: repeated valid member": (n) => ({ traceparent: TP, tracestate: "a=b,".repeat(n / 4) }),
  "baggage: commas": (n) => ({ baggage: ",".repeat(n) }),
  "baggage: spaces and commas": (n) => ({ baggage: " ,".repeat(n / 2) }),
  "baggage: equals signs": (n) => ({ baggage: "=".repeat(n) }),
  "baggage: one 1 MiB member": (n) => ({ baggage: "k=" + "v".repeat(n) }),
  "baggage: percent signs": (n) => ({ baggage: "k=" + "%".repeat(n) }),
  "baggage: percent escapes": (n) => ({ baggage: "k=" + "%25".repeat(n / 3) }),
  "baggage: semicolons": (n) => ({ baggage: "k=v" + ";".repeat(n) }),
  "baggage: properties": (n) => ({ baggage: "k=v" + ";p".repeat(n / 2) }),
  "baggage: invalid members": (n) => ({ baggage: "k\"=v,".repeat(n / 5) }),
  "baggage: valid members": (n) => ({ baggage: "k=v,".repeat(n / 4) }),
  "baggage: spaces inside a member": (n) => ({ baggage: "k=" + " ".repeat(n) + "v" }),
  "carrier: 8k fields": (n) => Object.fromEntries([["traceparent", TP], ...Array.from({ length: n / 128 }, (_, i) => [`uberctx-k${i}`, "v"])]),
};

function fastest(fn: () => void, runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

test("1 MiB hostile inputs: linear time (4x the input, at most ~9x the time) and bounded results", () => {
  const failures: string[] = [];
  for (const [name, shape] of Object.entries(SHAPES)) {
    const started = performance.now();
    const quarter = shape(MB / 4);
    const full = shape(MB);
    const run = (c: Record<string, string>) => () => void w3c.extract(ROOT_CONTEXT, c);
    const ctx = w3c.extract(ROOT_CONTEXT, full);
    assert.ok((baggageOf(ctx)?.getAllEntries().length ?? 0) <= 64, name);
    assert.equal(view(ctx), view(product.extract(ROOT_CONTEXT, full, defaultTextMapGetter)), name);
    let ok = false;
    let last = "";
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      const tq = fastest(run(quarter), 5);
      const tf = fastest(run(full), 5);
      ok = tf <= 9 * Math.max(tq, 1 / 9);
      last = `${name}: ${tq.toFixed(2)} ms for 256 KiB, ${tf.toFixed(2)} ms for 1 MiB`;
    }
    if (!ok) failures.push(last);
    if ((globalThis as { process?: { env: Record<string, string> } }).process?.env.LEAN_TIMING) console.log(`${last} (${(performance.now() - started).toFixed(0)} ms in all)`);
  }
  assert.equal(failures, []);
});

test.run();
