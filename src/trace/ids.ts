/**
 * Trace and span id generation. W3C Trace Context §3.2.2.3/4: ids are random, lowercase
 * hex, and never all zero. Randomness comes from `crypto.getRandomValues`, drawn in
 * blocks of 4 KiB so one system call serves ~170 spans, and turned into hex through a
 * 256-entry lookup table (no per-byte `toString(16)`).
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));
const POOL_SIZE = 4096;
let pool: Uint8Array | undefined;
let offset = POOL_SIZE;

function fill(): Uint8Array {
  pool ??= new Uint8Array(POOL_SIZE);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (typeof c?.getRandomValues === "function") {
    c.getRandomValues(pool);
  } else {
    // No Web Crypto (very old runtimes): ids stay unique enough for tracing, not for security.
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = (Math.random() * 256) | 0;
  }
  offset = 0;
  return pool;
}

function randomHex(bytes: number): string {
  for (;;) {
    const buf = offset + bytes > POOL_SIZE ? fill() : (pool as Uint8Array);
    let out = "";
    let nonZero = 0;
    for (let i = 0; i < bytes; i++) {
      const b = buf[offset + i] as number;
      nonZero |= b;
      out += HEX[b];
    }
    offset += bytes;
    if (nonZero !== 0) return out; // all-zero ids are invalid: draw again
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
