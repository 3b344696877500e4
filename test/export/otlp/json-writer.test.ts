// json-writer.ts, the byte sink of the OTLP encoders: its string escaping and UTF-8 equal
// `TextEncoder.encode(jsonString(s))` (JSON.stringify's escapes, lone surrogates as U+FFFD),
// its digits equal String()/toEpochNanos, its id check equals isValidTraceId/isValidSpanId,
// and growing the buffer never loses or reorders bytes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { toEpochNanos } from "../../../src/common/time.ts";
import { jsonString } from "../../../src/export/otlp/json-string.ts";
import { ascii, epochNanos, hexField, MAX_BODY_HINT_BYTES, string, uint, utf8Text, startSize, written as writtenBy, type BodySignal } from "../../../src/export/otlp/json-writer.ts";
import { isValidSpanId, isValidTraceId } from "../../../src/trace/span-context.ts";
import { Rng, withSeed } from "../../fuzz/prng.ts";

const te = new TextEncoder();

function written(write: () => void, body?: BodySignal): Uint8Array {
  return writtenBy(body, write);
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array, why: string): void {
  const at = actual.length === expected.length ? actual.findIndex((b, i) => b !== expected[i]) : Math.min(actual.length, expected.length);
  assert.is(at, -1, `${why}: bytes differ at ${at} (lengths ${actual.length} / ${expected.length})`);
}

const SAMPLES = [
  "", "plain", '"', "\\", "\u0000", "\u0008\u0009\u000a\u000b\u000c\u000d\u001f", "\u007f", "\u0080", "é", "\u07ff", "\u0800",
  "€", "\ufffd", "\uffff", "😀", "\ud800", "\udc00", "\udbff\udfff", "\udc00\ud800", "a\ud800", "\ud800a", "\ud800\ud800\udc00",
  "\u2028\u2029", "x".repeat(5000) + "\n", "\n" + "x".repeat(5000), "€".repeat(3000), "\u0001".repeat(3000),
];

test("string(): the UTF-8 of jsonString — JSON.stringify escapes, pairs kept, lone surrogates as U+FFFD", () => {
  for (const s of SAMPLES) assertSameBytes(written(() => string(s)), te.encode(jsonString(s)), JSON.stringify(s.slice(0, 20)));
  assertSameBytes(written(() => string("\u001f")), te.encode('"\\u001f"'), "lowercase hex escape");
});

test("jsonString() without String.prototype.toWellFormed (older runtimes): the same text", () => {
  const proto = String.prototype as { toWellFormed?: () => string };
  const native = Object.getOwnPropertyDescriptor(proto, "toWellFormed");
  const withNative = SAMPLES.map((s) => jsonString(s));
  delete proto.toWellFormed;
  try {
    SAMPLES.forEach((s, i) => assert.is(jsonString(s), withNative[i], JSON.stringify(s.slice(0, 20))));
  } finally {
    if (native !== undefined) Object.defineProperty(proto, "toWellFormed", native);
  }
  assert.is(jsonString("a\ud800"), '"a\ufffd"');
});

test(
  "string(): fuzzed code units and parser-breaking characters, at every buffer offset",
  withSeed("json-writer-string", (rng: Rng) => {
    for (let i = 0; i < 3000; i++) {
      const s = rng.bool() ? rng.codeUnits(rng.range(0, 60)) : rng.nasty(rng.range(0, 60));
      // A prefix of random length moves the string across the growth boundary of a small buffer.
      const pad = "p".repeat(rng.int(300));
      assertSameBytes(written(() => { ascii(pad); string(s); }), te.encode(pad + jsonString(s)), `case ${i}`);
    }
  }),
);

test("string(): a huge string with an escape grows the buffer in steps and keeps every byte", () => {
  const s = "\n" + "€x".repeat(300_000) + "\ud800";
  assertSameBytes(written(() => string(s)), te.encode(jsonString(s)), "huge");
});

test("uint(): the digits String() prints, across the int32 and 2^53 boundaries", () => {
  const values = [0, 1, 9, 10, 99, 100, 255, 256, 4294967295, 2147483647, 2147483648, 99999999, 100000000, 123456789012, 9007199254740991, 10 ** 15, 10 ** 15 - 1];
  for (const n of values) assert.is(new TextDecoder().decode(written(() => uint(n))), String(n), String(n));
});

test("epochNanos(): the same digits as toEpochNanos, for every kind of time", () => {
  const times = [0, 1.5, 2.000001, 0.0000004, 0.9999996, -1, -1e15, NaN, 1e20, 1e12, 123456.789123, -0.5, 5e-7];
  for (const t of times) assert.is(new TextDecoder().decode(written(() => epochNanos(t))), toEpochNanos(t), String(t));
});

test("hexField(): accepts exactly what isValidTraceId/isValidSpanId accept, and writes nothing otherwise", () => {
  const ids: unknown[] = [
    "0af7651916cd43dd8448eb211c80319c", "00000000000000000000000000000000", "0AF7651916CD43DD8448EB211C80319C", "0af7651916cd43dd8448eb211c80319", "0af7651916cd43dd8448eb211c80319cc",
    "0af7651916cd43dd8448eb211c80319g", "b7ad6b7169203331", "0000000000000000", "0000000000000001", "b7ad6b716920333", "b7ad6b716920333/", "b7ad6b716920333:",
    "b7ad6b716920333`", undefined, null, 12345678, { toString: () => "b7ad6b7169203331" }, new String("b7ad6b7169203331"), "",
  ];
  for (const id of ids) {
    for (const len of [32, 16]) {
      const valid = len === 32 ? isValidTraceId(id as string) : isValidSpanId(id as string);
      let accepted: boolean | undefined;
      const out = written(() => {
        ascii("x");
        accepted = hexField(',"id":"', id, len);
      });
      assert.is(accepted, valid, `${String(id)} / ${len}`);
      assert.is(utf8Text(out), valid ? `x,"id":"${id}"` : "x", `${String(id)} written`);
    }
  }
});

test("ascii(): short and long constants copied whole, past growth", () => {
  const short = ',"a":';
  const long = ',"startTimeUnixNano":"' + "y".repeat(100);
  let expected = "";
  const out = written(() => {
    for (let i = 0; i < 200; i++) {
      ascii(i % 3 ? short : long);
      expected += i % 3 ? ',"a":' : ',"startTimeUnixNano":"' + "y".repeat(100);
    }
  });
  assert.is(utf8Text(out), expected);
});

test("a body writer's result is a view the next writer never reuses", () => {
  const a = written(() => ascii("first body"), "traces");
  const b = written(() => ascii("second"), "traces");
  assert.is(new TextDecoder().decode(a), "first body");
  assert.is(new TextDecoder().decode(b), "second");
  assert.is.not(a.buffer, b.buffer);
});

test("body size hints: one per signal, capped — a huge log body does not make trace or metric bodies start huge", () => {
  const body = (signal: BodySignal, bytes: number): void => {
    written(() => ascii("x".repeat(bytes)), signal);
  };
  const start = startSize;
  body("traces", 100);
  body("metrics", 100);
  const small = start("traces");
  assert.ok(small <= 16 * 1024, `a small trace body after small ones starts small (${small})`);

  body("logs", 8 * 1024 * 1024); // a log batch with big bodies, maybe still in flight or retrying
  assert.is(start("traces"), small, "the next trace body does not start at the log body's size");
  assert.is(start("metrics"), small, "nor the next metric body");
  assert.is(start("logs"), MAX_BODY_HINT_BYTES, "the next log body starts at the cap, not at 8 MiB + 1/8");

  // Alternating large metric bodies and small trace bodies: each keeps its own hint.
  for (let i = 0; i < 3; i++) {
    body("metrics", 400_000);
    body("traces", 1000);
  }
  assert.is(start("metrics"), 400_000 + (400_000 >> 3), "metrics start at their own previous size (+1/8)");
  assert.ok(start("traces") <= 16 * 1024, "traces stay small");
});

test.run();
