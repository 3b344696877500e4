/**
 * A byte sink for the OTLP/JSON encoders: writes UTF-8 JSON straight into one growing
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
 * Each writer owns its buffer and hands it out in `finish()` (no copy; nothing is reused
 * across calls, so a getter that re-enters an encoder mid-call cannot overwrite anything). A
 * request body's writer starts at the previous body's size of the same signal plus 1/8, so
 * the buffer rarely grows (every growth is a copy) — measured faster than reusing one scratch
 * buffer and copying the result out. One hint per signal: with a shared one, a huge log body
 * made every next trace and metric body pre-allocate that size too — while the huge one was
 * still in flight or retrying, doubling peak memory (Workers have 128 MB) — and alternating
 * large metric bodies with small trace bodies made the hint wrong for both. The hint is capped
 * at {@link MAX_BODY_HINT_BYTES}: a larger body grows by doubling (a few copies, each cheap
 * next to building megabytes of JSON) rather than reserving its size for the next body.
 */
import { epochNanosParts } from "../../common/time.ts";
import type { EpochNanosParts } from "../../common/time.ts";
import { jsonString } from "./json-string.ts";

/** The signal a request body carries: each keeps its own size hint (see the module doc). */
export type BodySignal = "traces" | "logs" | "metrics";

// The smallest body buffer; later bodies of a signal start at its previous body's size (+1/8).
const MIN_BODY_BYTES = 16 * 1024;
/** The largest starting size of a body buffer (1 MiB); see the module doc. */
export const MAX_BODY_HINT_BYTES: number = 1024 * 1024;
const bodySizeHints: Record<BodySignal, number> = { traces: MIN_BODY_BYTES, logs: MIN_BODY_BYTES, metrics: MIN_BODY_BYTES };
// Made on first use, not on import (DESIGN principle 5).
let decoder: TextDecoder | undefined;
let encoder: TextEncoder | undefined;

/** Appends UTF-8 JSON text to a growing byte buffer; see the module doc. */
export class JsonWriter {
  /** The buffer being written; replaced (copied) when it grows. */
  buf: Uint8Array;
  /** Bytes written so far. Callers may reset it to an earlier value to take back a partial write. */
  pos: number;
  readonly #body: BodySignal | false;

  /**
   * `body` a signal: a whole request body of that signal, sized from its previous one (see the
   * module doc); false: a small piece (one value, one key).
   */
  constructor(body: BodySignal | false) {
    this.#body = body;
    this.buf = new Uint8Array(body === false ? 256 : bodySizeHints[body]);
    this.pos = 0;
  }

  /**
   * The bytes written: a view of the writer's buffer, which the writer then lets go of; a
   * copy when the buffer is far larger than its content (a small body after a huge one), so
   * the caller does not hold on to the unused part while the request is in flight.
   */
  finish(): Uint8Array {
    const n = this.pos;
    const out = this.buf.length > 2 * n + 65536 ? this.buf.slice(0, n) : this.buf.subarray(0, n);
    if (this.#body !== false) bodySizeHints[this.#body] = Math.min(MAX_BODY_HINT_BYTES, Math.max(MIN_BODY_BYTES, n + (n >> 3)));
    this.buf = EMPTY;
    this.pos = 0;
    return out;
  }


  /** Makes room for `n` more bytes (growth is a copy: at least double the buffer). */
  #room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One ASCII byte (a bracket, comma or quote). */
  byte(c: number): void {
    this.#room(1);
    this.buf[this.pos++] = c;
  }

  /**
   * `id` when it is exactly `len` lowercase hex digits, not all zero — the W3C Trace Context
   * §3.2.2.3/§3.2.2.4 rule that `isValidTraceId`/`isValidSpanId` check — checked while it is
   * copied (cheaper than a regular expression and then a copy). Returns false, having written
   * nothing, for any other value.
   */
  hexId(id: unknown, len: number): boolean {
    if (typeof id !== "string" || id.length !== len) return false;
    this.#room(len);
    const b = this.buf;
    const start = this.pos;
    let nonZero = 0;
    for (let i = 0; i < len; i++) {
      const c = id.charCodeAt(i);
      if ((c < 48 || c > 57) && (c < 97 || c > 102)) return false;
      nonZero |= c - 48;
      b[start + i] = c;
    }
    if (nonZero === 0) return false;
    this.pos = start + len;
    return true;
  }

  /**
   * `s` copied byte for byte: only for text known to be ASCII without characters JSON must
   * escape (the encoders' constant fragments, digits, validated hex ids, base64).
   */
  ascii(s: string): void {
    const n = s.length;
    this.#room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `s` as a JSON string literal, quotes included (see the module doc for the escaping). */
  string(s: string): void {
    const n = s.length;
    // The fast path writes one byte per character, plus the two quotes.
    this.#room(n + 2);
    const b = this.buf;
    const start = this.pos;
    let p = start;
    b[p++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === 34 || c === 92) {
        this.pos = start;
        this.#utf8(jsonString(s));
        return;
      }
      b[p++] = c;
    }
    b[p] = 34;
    this.pos = p + 1;
  }

  /**
   * `s` as UTF-8 (`TextEncoder.encodeInto`, which writes only whole characters and stops
   * when the buffer is full): room is made for at most 3 bytes per UTF-16 unit of a bounded
   * chunk at a time, so a huge log body does not triple the buffer up front.
   */
  #utf8(s: string): void {
    encoder ??= new TextEncoder();
    for (let read = 0; read < s.length; ) {
      this.#room(Math.min(s.length - read, 4096) * 3);
      const r = encoder.encodeInto(read === 0 ? s : s.slice(read), this.buf.subarray(this.pos));
      read += r.read;
      this.pos += r.written;
    }
  }

  /**
   * Bytes copied whole (a cached key prefix, see any-value.ts); `set` is a memcpy, cheaper than
   * a byte loop from ~16 bytes on.
   */
  bytes(f: Uint8Array): void {
    this.#room(f.length);
    this.buf.set(f, this.pos);
    this.pos += f.length;
  }

  /**
   * The decimal digits of a non-negative integer below 2^53, written in place: no string per
   * number (`String(n)` for the times was ~5 % of a 512-span body's encoding time).
   */
  uint(n: number): void {
    if (n > 0x7fffffff) {
      // Split so that the digit loop stays in int32 arithmetic (faster than on doubles).
      const hi = Math.floor(n / 1e8);
      this.uint(hi);
      this.#digits(n - hi * 1e8, 8);
      return;
    }
    let len = 1;
    for (let limit = 10; n >= limit; limit *= 10) len++;
    this.#digits(n, len);
  }

  /** The last `len` decimal digits of 0 ≤ n ≤ 2^31 - 1, zero-padded to `len`. */
  #digits(n: number, len: number): void {
    this.#room(len);
    const b = this.buf;
    let p = (this.pos += len);
    for (let k = 0, v = n | 0; k < len; k++) {
      const q = (v / 10) | 0;
      b[--p] = 48 + v - q * 10;
      v = q;
    }
  }

  /**
   * A timestamp (anchor-relative milliseconds) as the digits of its nanoseconds since the
   * Unix epoch, the same digits as `toEpochNanos` (common/time.ts), without the quotes.
   */
  epochNanos(time: number): void {
    epochNanosParts(time, parts);
    if (parts.millis === 0) this.uint(parts.nanos);
    else {
      this.uint(parts.millis);
      this.#digits(parts.nanos, 6);
    }
  }
}

/**
 * What a writer wrote ({@link JsonWriter.finish}) as a string: the same text, since the bytes
 * are valid UTF-8 (WHATWG Encoding, UTF-8 decode). For the string forms of the encoders; a
 * function rather than a method so that programs which only send bytes do not carry it.
 */
export function finishText(w: JsonWriter): string {
  decoder ??= new TextDecoder();
  return decoder.decode(w.finish());
}

/**
 * A `double` as proto3 JSON: `String(n)` of a finite double is a valid JSON number (e.g.
 * "1.5", "1e+21", "5e-324"); NaN and ±Infinity, which JSON has no number for, are the proto3
 * JSON strings "NaN", "Infinity" and "-Infinity".
 */
export function writeDouble(w: JsonWriter, n: number): void {
  w.ascii(n - n === 0 ? String(n) : n !== n ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"');
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
const parts: EpochNanosParts = { millis: 0, nanos: 0 };
