/**
 * Trace and span id generation. W3C Trace Context §3.2.2.3/4: ids are random, lowercase
 * hex, and never all zero. Randomness comes from `crypto.getRandomValues`, drawn in
 * blocks of 16 KiB (the first block is 512 bytes: a short-lived process should not pay for
 * more). Each block is turned into hex once — a table lookup per byte into a character
 * buffer and one `TextDecoder` call — and every id is a `slice` of that hex text.
 *
 * Measured (instructions per trace id + span id, `valgrind --tool=callgrind`): ~950 this
 * way, ~1,600 with one `String.fromCharCode` per id, more with per-byte concatenation
 * (which also left a chain of cons strings per id). A slice keeps its block's hex text
 * (32 KiB) alive while the id lives: the bound on what one long-lived span can retain.
 */

const BLOCK_SIZE = 16384;
const FIRST_BLOCK_SIZE = 512;

let random: Uint8Array | undefined; // the current block of random bytes
let chars: Uint8Array | undefined; // its hex digits as ASCII codes, two per byte
let hex = ""; // the same digits as a string
let size = 0;
let offset = 0;

/**
 * Byte value → its two hex digits as one 16-bit unit, so one store writes both. The table is
 * filled byte by byte, high digit first: copied unit by unit into the character buffer, each
 * unit keeps that byte order on any platform, so no endianness check is needed.
 */
let pairs: Uint16Array | undefined;
let decoder: { decode(input: Uint8Array): string } | undefined;

function hexPairs(): Uint16Array {
  const digits = "0123456789abcdef";
  const table = new Uint16Array(256);
  const bytes = new Uint8Array(table.buffer);
  for (let i = 0; i < 256; i++) {
    bytes[2 * i] = digits.charCodeAt(i >> 4);
    bytes[2 * i + 1] = digits.charCodeAt(i & 15);
  }
  return table;
}

function fill(): void {
  const next = random === undefined ? FIRST_BLOCK_SIZE : BLOCK_SIZE;
  if (next !== size) {
    random = new Uint8Array(next);
    chars = new Uint8Array(next * 2);
    size = next;
  }
  const r = random as Uint8Array;
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues === "function") {
    c.getRandomValues(r);
  } else {
    // No Web Crypto (very old runtimes): ids stay unique enough for tracing, not for security.
    for (let i = 0; i < size; i++) r[i] = (Math.random() * 256) | 0;
  }
  const table = (pairs ??= hexPairs());
  const out = new Uint16Array((chars as Uint8Array).buffer);
  for (let i = 0; i < size; i++) out[i] = table[r[i] as number] as number;
  if (size === FIRST_BLOCK_SIZE) {
    // The first, small block: not worth a TextDecoder (its first use costs ~0.15 ms in Node).
    hex = asciiString(chars as Uint8Array);
  } else {
    if (decoder === undefined) {
      const TD = (globalThis as { TextDecoder?: new () => { decode(input: Uint8Array): string } }).TextDecoder;
      decoder = typeof TD === "function" ? new TD() : { decode: asciiString };
    }
    hex = decoder.decode(chars as Uint8Array);
  }
  offset = 0;
}

/** Fallback without `TextDecoder`: ASCII codes to a string, in chunks (argument-count limits). */
function asciiString(codes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode.apply(null, codes.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

/** `bytes` (8 or 16) random bytes that are not all zero, as 2 × `bytes` hex characters. */
function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > size) fill();
    const s = offset;
    offset += bytes;
    const r = random as Uint8Array;
    let nonZero = 0;
    for (let i = s; i < s + bytes; i++) nonZero |= r[i] as number;
    if (nonZero !== 0) return hex.slice(2 * s, 2 * (s + bytes)); // all-zero ids are invalid: draw again
  }
}

/** A new random 16-byte trace id as 32 lowercase hex characters, never all zero. */
export function generateTraceId(): string {
  return randomHex(16);
}

/** A new random 8-byte span id as 16 lowercase hex characters, never all zero. */
export function generateSpanId(): string {
  return randomHex(8);
}

/** Produces ids for new spans; replaceable (e.g. for AWS X-Ray-style ids or deterministic tests). */
export interface IdGenerator {
  generateTraceId(): string;
  generateSpanId(): string;
}

/** The default random {@link IdGenerator}. */
export const randomIdGenerator: IdGenerator = { generateTraceId, generateSpanId };
