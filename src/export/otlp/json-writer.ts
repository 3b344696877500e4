/**
 * The byte sink of the OTLP/JSON encoders: UTF-8 JSON written straight into one growing
 * `Uint8Array`, the bytes that go on the wire.
 *
 * Why not build a string and `TextEncoder.encode` it: a body of 512 spans built with `+` is
 * a tree of ~10^5 cons-string pieces, and V8 must flatten that tree before it can encode it.
 * Measured in Node 20 (bench case "otlp-encode"): building the string ~0.85 ms, flattening
 * + encoding it ~1.2 ms more, while encoding an already flat string of that length takes
 * ~0.13 ms. `Array.join` only moves the flattening cost into the build. Writing the bytes
 * ourselves builds no string per field (numbers, ids and most strings go straight into the
 * buffer) and copies every byte once.
 *
 * Strings are escaped exactly as `JSON.stringify` escapes them (RFC 8259 §7), and a lone
 * surrogate becomes U+FFFD (WHATWG Encoding §4.3, as `TextEncoder` does): the bytes equal
 * `TextEncoder.encode(jsonString(s))` (json-string.ts says why). Plain ASCII — nearly every
 * name, key and value in telemetry — is copied byte by byte; any other string goes through
 * `jsonString` and `TextEncoder.encodeInto` (rare; not worth a hand-written UTF-8 encoder).
 *
 * The writer is module state (the functions below write at {@link pos}): encoding is
 * synchronous, and {@link written} gives each body its own buffer and restores the outer one
 * after, so a getter that re-enters an encoder mid-body cannot overwrite anything. A body's
 * buffer starts at the previous body's size of the same signal plus 1/8, so it rarely grows
 * (every growth is a copy) — measured faster than reusing one scratch buffer and copying the
 * result out. One hint per signal: with a shared one, a huge log body made every next trace
 * and metric body pre-allocate that size too — while the huge one was still in flight or
 * retrying, doubling peak memory (Workers have 128 MB) — and alternating large metric bodies
 * with small trace bodies made the hint wrong for both. The hint is capped at
 * {@link MAX_BODY_HINT_BYTES}: a larger body grows by doubling (a few copies, each cheap next
 * to building megabytes of JSON) rather than reserving its size for the next body.
 */
import { epochNanosParts } from "../../common/time.ts";
import type { EpochNanosParts } from "../../common/time.ts";
import { jsonString } from "./json-string.ts";

/** The signal a request body carries: each keeps its own size hint (see the module doc). */
export type BodySignal = "traces" | "logs" | "metrics";

// The smallest body buffer; later bodies of a signal start at its previous body's size (+1/8).
const MIN_BODY_BYTES = 16384;
/** The largest starting size of a body buffer (1 MiB); see the module doc. */
export const MAX_BODY_HINT_BYTES = 1048576;
const hints: Partial<Record<BodySignal, number>> = {};

/** The buffer being written; replaced (copied) when it grows. */
let buf: Uint8Array;
/** Bytes written so far; {@link rewind} takes back a partial write. */
export let pos = 0;
// Made on first use, not on import (DESIGN principle 5).
let encoder: TextEncoder | undefined;
let decoder: TextDecoder | undefined;
const parts: EpochNanosParts = { millis: 0, nanos: 0 };

/**
 * What `write` writes, in a buffer of its own: a whole request body of `signal`, sized from
 * its previous one (see the module doc), or a small piece (one value) without a signal. The
 * result is a view of that buffer, which the writer lets go of; a copy when the buffer is far
 * larger than its content (a small body after a huge one), so the caller does not hold on to
 * the unused part while the request is in flight.
 */
export function written(signal: BodySignal | undefined, write: () => void): Uint8Array {
  const outerBuf = buf;
  const outerPos = pos;
  buf = new Uint8Array(startSize(signal));
  pos = 0;
  try {
    write();
    const n = pos;
    if (signal) hints[signal] = Math.min(MAX_BODY_HINT_BYTES, Math.max(MIN_BODY_BYTES, n + (n >> 3)));
    return buf.length > 2 * n + 65536 ? buf.slice(0, n) : buf.subarray(0, n);
  } finally {
    buf = outerBuf;
    pos = outerPos;
  }
}

/**
 * The text of UTF-8 bytes {@link written} made (valid UTF-8, so the same text; WHATWG
 * Encoding, UTF-8 decode), for the string forms of the encoders.
 */
export function utf8Text(bytes: Uint8Array): string {
  decoder ??= new TextDecoder();
  return decoder.decode(bytes);
}

/** The size a buffer for `signal` starts at: its hint (see the module doc); 256 for a piece. */
export function startSize(signal: BodySignal | undefined): number {
  return signal ? (hints[signal] ?? MIN_BODY_BYTES) : 256;
}

/** Takes back what was written since `mark` (a {@link pos} read earlier). */
export function rewind(mark: number): void {
  pos = mark;
}

/** Makes room for `n` more bytes (growth is a copy: at least double the buffer). */
function room(n: number): void {
  if (pos + n > buf.length) {
    const next = new Uint8Array(Math.max(buf.length * 2, pos + n));
    next.set(buf.subarray(0, pos));
    buf = next;
  }
}

/** One ASCII byte (a bracket, comma or quote). */
export function byte(c: number): void {
  room(1);
  buf[pos++] = c;
}

/**
 * `s` copied byte for byte: only for text known to be ASCII without characters JSON must
 * escape (the encoders' constant fragments, digits, base64).
 */
export function ascii(s: string): void {
  const n = s.length;
  room(n);
  const b = buf;
  let p = pos;
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

/** Bytes copied whole (a cached key prefix, see any-value.ts): a memcpy. */
export function bytes(f: Uint8Array): void {
  room(f.length);
  buf.set(f, pos);
  pos += f.length;
}

/** `s` as a JSON string literal, quotes included (see the module doc for the escaping). */
export function string(s: string): void {
  const n = s.length;
  // The fast path writes one byte per character, plus the two quotes.
  room(n + 2);
  const b = buf;
  const start = pos;
  let p = start + 1;
  b[start] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) {
      utf8(jsonString(s));
      return;
    }
    b[p++] = c;
  }
  b[p] = 34;
  pos = p + 1;
}

/**
 * `s` as UTF-8 (`TextEncoder.encodeInto`, which writes only whole characters and stops when
 * the buffer is full): room is made for at most 3 bytes per UTF-16 unit of a bounded chunk
 * at a time, so a huge log body does not triple the buffer up front.
 */
function utf8(s: string): void {
  encoder ??= new TextEncoder();
  for (let read = 0; read < s.length; ) {
    room(Math.min(s.length - read, 4096) * 3);
    const r = encoder.encodeInto(read ? s.slice(read) : s, buf.subarray(pos));
    read += r.read;
    pos += r.written;
  }
}

/**
 * `key` (such as `,"spanId":"`), the hex id and its closing quote when `id` is exactly `len`
 * lowercase hex digits, not all zero — the W3C Trace Context §3.2.2.3/§3.2.2.4 rule that
 * `isValidTraceId`/`isValidSpanId` check — checked while it is copied (cheaper than a
 * regular expression and then a copy). Otherwise nothing, and false.
 */
export function hexField(key: string, id: unknown, len: number): boolean {
  if (typeof id !== "string" || id.length !== len) return false;
  const mark = pos;
  ascii(key);
  room(len + 1);
  const b = buf;
  const start = pos;
  let i = 0;
  let nonZero = 0;
  for (; i < len; i++) {
    const c = id.charCodeAt(i);
    if ((c < 48 || c > 57) && (c < 97 || c > 102)) break;
    nonZero |= c - 48;
    b[start + i] = c;
  }
  if (i < len || !nonZero) {
    pos = mark;
    return false;
  }
  b[start + len] = 34;
  pos = start + len + 1;
  return true;
}

/**
 * The decimal digits of a non-negative integer below 2^53, written in place: no string per
 * number (`String(n)` for the times was ~5 % of a 512-span body's encoding time).
 */
export function uint(n: number): void {
  if (n > 0x7fffffff) {
    // Split so that the digit loop stays in int32 arithmetic (faster than on doubles).
    const hi = Math.floor(n / 1e8);
    uint(hi);
    digits(n - hi * 1e8, 8);
    return;
  }
  let len = 1;
  for (let limit = 10; n >= limit; limit *= 10) len++;
  digits(n, len);
}

/** The last `len` decimal digits of 0 ≤ n ≤ 2^31 - 1, zero-padded to `len`. */
function digits(n: number, len: number): void {
  room(len);
  const b = buf;
  let p = (pos += len);
  for (let k = 0, v = n | 0; k < len; k++) {
    const q = (v / 10) | 0;
    b[--p] = 48 + v - q * 10;
    v = q;
  }
}

/**
 * A timestamp (anchor-relative milliseconds) as the digits of its nanoseconds since the Unix
 * epoch, the same digits as `toEpochNanos` (common/time.ts), without the quotes.
 */
export function epochNanos(time: number): void {
  epochNanosParts(time, parts);
  if (parts.millis) {
    uint(parts.millis);
    digits(parts.nanos, 6);
  } else uint(parts.nanos);
}

/**
 * A `double` as proto3 JSON: `String(n)` of a finite double is a valid JSON number (e.g.
 * "1.5", "1e+21", "5e-324"); NaN and ±Infinity, which JSON has no number for, are the proto3
 * JSON strings "NaN", "Infinity" and "-Infinity".
 */
export function double(n: number): void {
  ascii(n - n === 0 ? String(n) : n !== n ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"');
}

/**
 * Makes the fields written since `mark`, each with its leading comma, one JSON object (the
 * first comma becomes `{`); `{}` when there are none.
 */
export function closeObject(mark: number): void {
  if (pos === mark) byte(123);
  else buf[mark] = 123;
  byte(125);
}

/** A copy of the bytes written since `mark` (to be written again with {@link bytes}). */
export function bytesSince(mark: number): Uint8Array {
  return buf.slice(mark, pos);
}

/** Turns the comma at `mark` (the first of fields written with their leading comma) into `{`. */
export function openObject(mark: number): void {
  buf[mark] = 123;
}
