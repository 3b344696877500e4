/**
 * Trace and span id generation. W3C Trace Context §3.2.2.3/4: ids are random, lowercase
 * hex, and never all zero. Randomness comes from `crypto.getRandomValues`, drawn in
 * blocks of 64 KiB (the most one call may fill) so one call serves ~2,700 spans (the first
 * block is 512 bytes). Each id
 * becomes ONE flat string through a single `String.fromCharCode` call on precomputed
 * nibble→char-code tables: per-byte concatenation built a chain of cons strings per id
 * (about 2× the time, and ~250 B more heap per buffered span; see bench/RESULTS.md).
 */

const POOL_SIZE = 65536;
// The first fill is small: a short-lived process (a serverless cold start, a CLI) that makes a
// few spans should not pay for 64 KiB of randomness (~4M CPU instructions in Node).
const FIRST_POOL_SIZE = 512;
let pool: Uint8Array | undefined;
let size = 0;
let offset = 0;

const DIGITS = "0123456789abcdef";
/** Char code of the high / low hex digit of each byte value. */
const HI: Uint8Array = /* @__PURE__ */ nibbleTable(4);
const LO: Uint8Array = /* @__PURE__ */ nibbleTable(0);

function nibbleTable(shift: number): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = DIGITS.charCodeAt((i >> shift) & 15);
  return t;
}

function fill(): Uint8Array {
  const next = pool === undefined ? FIRST_POOL_SIZE : POOL_SIZE;
  if (next !== size) {
    pool = new Uint8Array(next);
    size = next;
  }
  const p = pool as Uint8Array;
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues === "function") {
    c.getRandomValues(p);
  } else {
    // No Web Crypto (very old runtimes): ids stay unique enough for tracing, not for security.
    for (let i = 0; i < size; i++) p[i] = (Math.random() * 256) | 0;
  }
  offset = 0;
  return p;
}

/** Takes `bytes` (8 or 16) bytes from the pool that are not all zero; returns their start. */
function take(bytes: number): number {
  for (;;) {
    const p = offset + bytes > size ? fill() : (pool as Uint8Array);
    const s = offset;
    offset += bytes;
    let nonZero = 0;
    for (let i = s; i < s + bytes; i++) nonZero |= p[i] as number;
    if (nonZero !== 0) return s; // all-zero ids are invalid: draw again
  }
}

const fromCharCode = String.fromCharCode;

/** 8 bytes of `p` from `s` as 16 hex characters. */
function hex8(p: Uint8Array, s: number): string {
  const a = p[s] as number, b = p[s + 1] as number, c = p[s + 2] as number, d = p[s + 3] as number;
  const e = p[s + 4] as number, f = p[s + 5] as number, g = p[s + 6] as number, h = p[s + 7] as number;
  return fromCharCode(
    HI[a] as number, LO[a] as number, HI[b] as number, LO[b] as number, HI[c] as number, LO[c] as number, HI[d] as number, LO[d] as number,
    HI[e] as number, LO[e] as number, HI[f] as number, LO[f] as number, HI[g] as number, LO[g] as number, HI[h] as number, LO[h] as number,
  );
}

/** A new random 16-byte trace id as 32 lowercase hex characters, never all zero. */
export function generateTraceId(): string {
  const s = take(16);
  const p = pool as Uint8Array;
  return hex8(p, s) + hex8(p, s + 8);
}

/** A new random 8-byte span id as 16 lowercase hex characters, never all zero. */
export function generateSpanId(): string {
  const s = take(8);
  return hex8(pool as Uint8Array, s);
}

/** Produces ids for new spans; replaceable (e.g. for AWS X-Ray-style ids or deterministic tests). */
export interface IdGenerator {
  generateTraceId(): string;
  generateSpanId(): string;
}

/** The default random {@link IdGenerator}. */
export const randomIdGenerator: IdGenerator = { generateTraceId, generateSpanId };
