// The seeded PRNG shared by the statistical and fuzz suites, plus the fuzz harness: every
// fuzz test draws from one seed (FUZZ_SEED, else a fixed default, so runs are reproducible)
// and a failure names the seed to re-run it with.

/** A small seeded PRNG (mulberry32), so statistical tests are reproducible. Returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: `FUZZ_SEED` (decimal or 0x-hex) when set, else a fixed default. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw.trim() === "") return 0x5eed2026;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw new TypeError(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return n >>> 0;
}

/** Random choices from a seeded generator. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** `n` characters drawn from `alphabet`. */
  chars(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  hex(n: number): string {
    return this.chars("0123456789abcdef", n);
  }
  /** Any UTF-16 code units, lone surrogates included. */
  codeUnits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(0x10000));
    return s;
  }
  /** A mix of the characters that break parsers and encoders. */
  nasty(n: number): string {
    const pool = [
      " ", "\t", "\n", "\r", "\0", ",", ";", "=", "-", ":", "%", "%2", "%zz", "%25", "%E2%82", "%C0%AF", "\"", "\\", "{", "}",
      "@", "/", "*", "_", "A", "F", "f", "0", "9", "x", "é", "漢", "\u00a0", "\ufeff", "\u2028", "\ud800", "\udc00", "😀",
      "\u007f", "\u0085", "+", "#", "~",
    ];
    let s = "";
    for (let i = 0; i < n; i++) s += this.pick(pool);
    return s;
  }
}

/**
 * Wraps a fuzz test body: runs it with a generator seeded from {@link fuzzSeed} and, when it
 * fails, prints and appends the seed so the failure can be replayed with `FUZZ_SEED=<seed>`.
 */
export function withSeed(name: string, body: (rng: Rng, seed: number) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const seed = fuzzSeed();
    const started = performance.now();
    try {
      await body(new Rng(seed), seed);
      if (process.env.FUZZ_TIMING) console.log(`[fuzz "${name}": ${(performance.now() - started).toFixed(0)} ms]`);
    } catch (err) {
      const note = `[fuzz "${name}" failed with seed ${seed}; replay with FUZZ_SEED=${seed}]`;
      console.error(note);
      if (err instanceof Error) err.message = `${err.message}\n${note}`;
      throw err;
    }
  };
}
