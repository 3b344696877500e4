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
 * Strings are escaped exactly as `JSON.stringify` escapes them (RFC 8259 §7: `"`, `\` and
 * U+0000–U+001F; `\b \t \n \f \r` short forms, other controls as lowercase `\u00xx`), then
 * UTF-8 encoded as `TextEncoder` does (WHATWG Encoding §4.3: a lone surrogate becomes
 * U+FFFD, EF BF BD). So the bytes equal `TextEncoder.encode(jsonString(s))` (see
 * json-string.ts for why lone surrogates must not be sent as `\ud800` escapes).
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

/** The signal a request body carries: each keeps its own size hint (see the module doc). */
export type BodySignal = "traces" | "logs" | "metrics";

// The smallest body buffer; later bodies of a signal start at its previous body's size (+1/8).
const MIN_BODY_BYTES = 16 * 1024;
/** The largest starting size of a body buffer (1 MiB); see the module doc. */
export const MAX_BODY_HINT_BYTES: number = 1024 * 1024;
const bodySizeHints: Record<BodySignal, number> = { traces: MIN_BODY_BYTES, logs: MIN_BODY_BYTES, metrics: MIN_BODY_BYTES };
// Made on first use, not on import (DESIGN principle 5).
let decoder: TextDecoder | undefined;

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


  #grow(n: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n, 256));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One ASCII byte (a bracket, comma or quote). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.#grow(1);
    this.buf[this.pos++] = c;
  }

  /**
   * Pre-encoded bytes (a {@link fragment}): a short loop for short ones, `set` (a memcpy) from
   * 16 bytes on — measured in Node 20: a byte loop costs ~1.7 ns per byte, `set` ~20 ns a call.
   */
  bytes(f: Uint8Array): void {
    const n = f.length;
    if (this.pos + n > this.buf.length) this.#grow(n);
    if (n >= 16) {
      this.buf.set(f, this.pos);
      this.pos += n;
      return;
    }
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = f[i]!;
    this.pos = p;
  }

  /**
   * `id` when it is exactly `len` lowercase hex digits, not all zero — the W3C Trace Context
   * §3.2.2.3/§3.2.2.4 rule that `isValidTraceId`/`isValidSpanId` check — checked while it is
   * copied (cheaper than a regular expression and then a copy). Returns false, having written
   * nothing, for any other value.
   */
  hexId(id: unknown, len: number): boolean {
    if (typeof id !== "string" || id.length !== len) return false;
    if (this.pos + len > this.buf.length) this.#grow(len);
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
    if (this.pos + n > this.buf.length) this.#grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `s` as a JSON string literal, quotes included (see the module doc for the escaping). */
  string(s: string): void {
    const n = s.length;
    // The fast path writes one byte per character, plus the two quotes.
    if (this.pos + n + 2 > this.buf.length) this.#grow(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x80 && c !== 34 && c !== 92) {
        b[p++] = c;
      } else {
        this.pos = p;
        this.#escapedTail(s, i);
        return;
      }
    }
    b[p++] = 34;
    this.pos = p;
  }

  /** The rest of `s` from index `i` (which needs escaping or is not ASCII), and the closing quote. */
  #escapedTail(s: string, i: number): void {
    const n = s.length;
    let b = this.buf;
    let p = this.pos;
    for (; i < n; i++) {
      // At most 6 bytes per UTF-16 unit (`\u001f`; a pair's 4 bytes come from 2 units), plus
      // the closing quote. Checked per character, not reserved for the whole rest up front:
      // a huge log body must not make the buffer six times its size.
      if (p + 7 > b.length) {
        this.pos = p;
        this.#grow(Math.min(n - i, 4096) * 6 + 1);
        b = this.buf;
      }
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 34 && c !== 92) {
          b[p++] = c;
          continue;
        }
        b[p++] = 92; // backslash
        // \" \\ and the two-character forms \b \t \n \f \r (RFC 8259 §7), else \u00xx in
        // lowercase hex, as JSON.stringify writes them.
        const short = c === 34 || c === 92 ? c : SHORT_ESCAPES.charCodeAt(c);
        if (short > 0) {
          b[p++] = short;
        } else {
          b[p++] = 117; // u
          b[p++] = 48;
          b[p++] = 48;
          b[p++] = HEX.charCodeAt(c >> 4);
          b[p++] = HEX.charCodeAt(c & 15);
        }
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 63);
      } else if (c < 0xd800 || c > 0xdfff) {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
      } else {
        const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          b[p++] = 0xf0 | (cp >> 18);
          b[p++] = 0x80 | ((cp >> 12) & 63);
          b[p++] = 0x80 | ((cp >> 6) & 63);
          b[p++] = 0x80 | (cp & 63);
          i++;
        } else {
          b[p++] = 0xef; // lone surrogate → U+FFFD
          b[p++] = 0xbf;
          b[p++] = 0xbd;
        }
      }
    }
    if (p >= b.length) {
      this.pos = p;
      this.#grow(1);
      b = this.buf;
    }
    b[p++] = 34;
    this.pos = p;
  }

  /** The decimal digits of a non-negative integer below 2^53 (no intermediate string). */
  uint(n: number): void {
    if (n <= 0x7fffffff) {
      this.#smallUint(n | 0);
      return;
    }
    // Split so both halves are int32 arithmetic: `%` on doubles is a slow library call.
    const hi = Math.floor(n / 1e8);
    this.#smallUint(hi);
    this.#padded(n - hi * 1e8, 8);
  }

  /** Digits of 0 ≤ n ≤ 2^31 - 1. */
  #smallUint(n: number): void {
    let len = 1;
    for (let limit = 10; n >= limit && len < 10; limit *= 10) len++;
    this.#padded(n, len);
  }

  /** The last `len` decimal digits of 0 ≤ n ≤ 2^31 - 1, zero-padded to `len`. */
  #padded(n: number, len: number): void {
    if (this.pos + len > this.buf.length) this.#grow(len);
    const b = this.buf;
    let p = this.pos + len;
    this.pos = p;
    let v = n | 0;
    for (let k = 0; k < len; k++) {
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
    if (parts.millis === 0) {
      this.uint(parts.nanos);
      return;
    }
    this.uint(parts.millis);
    this.#padded(parts.nanos, 6);
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

/**
 * The bytes of an ASCII constant (a JSON fragment such as `,"name":`), made once so writing
 * it is a copy, not a per-character conversion.
 */
export function fragment(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
const parts: EpochNanosParts = { millis: 0, nanos: 0 };
const HEX = "0123456789abcdef";
// The letter of the two-character escape of each control character that has one, by code
// (8 b, 9 t, 10 n, 12 f, 13 r); 0 (or, past the end, NaN) for those written as \u00xx.
const SHORT_ESCAPES = "\0\0\0\0\0\0\0\0btn\0fr";
