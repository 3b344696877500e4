// One contender of one case, in a fresh process: set up, warm up, time, print one JSON line.
// Usage: node bench/worker.mjs <case> <contender> [budgetMs]
//        node --expose-gc bench/worker.mjs memory <contender>
import { cases, memoryContenders } from "./cases.mjs";

const [caseName, contender, budgetArg] = process.argv.slice(2);
const budgetMs = Number(budgetArg ?? 600);
const hr = () => Number(process.hrtime.bigint());
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Sync op: batches sized to ≥ 5 ms, a warm-up of ~1/3 of the budget, then the median batch. */
function timeSync(op) {
  let n = 1;
  let i = 0;
  // A few untimed calls first: one-off work on the first call (lazy module set-up, the first
  // random-pool fill) must not make the batch size 1, where hrtime's own cost would dominate.
  for (const end = hr() + 20e6; i < 1000 && hr() < end; ) op(i++);
  for (;;) {
    const t0 = hr();
    for (let k = 0; k < n; k++) op(i++);
    if (hr() - t0 >= 5e6 || n >= 1 << 24) break;
    n *= 2;
  }
  const warmEnd = hr() + (budgetMs / 3) * 1e6;
  while (hr() < warmEnd) for (let k = 0; k < n; k++) op(i++);
  const samples = [];
  const end = hr() + budgetMs * 1e6;
  while (hr() < end || samples.length < 5) {
    const t0 = hr();
    for (let k = 0; k < n; k++) op(i++);
    samples.push((hr() - t0) / n);
  }
  return { nsPerOp: median(samples), samples: samples.length, batch: n };
}

/** Async op (milliseconds each): awaited one at a time; warm-up, then the median op. */
async function timeAsync(op) {
  const warmEnd = hr() + (budgetMs / 3) * 1e6;
  let w = 0;
  while (hr() < warmEnd || w < 5) { await op(); w++; }
  const samples = [];
  const end = hr() + budgetMs * 1e6;
  while (hr() < end || samples.length < 5) {
    const t0 = hr();
    await op();
    samples.push(hr() - t0);
  }
  return { nsPerOp: median(samples), samples: samples.length, batch: 1 };
}

/** Case 8: heap growth per held finished span, 10,000 held, measured after full GCs. */
async function memory(name) {
  if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");
  const N = 10_000;
  const { held, make } = await memoryContenders[name]();
  // Warm up (JIT, hidden classes, id buffers), then drop the warm-up spans.
  for (let i = 0; i < 1000; i++) make(i);
  held.length = 0;
  const settle = () => { for (let k = 0; k < 4; k++) globalThis.gc(); };
  settle();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) make(i);
  settle();
  const after = process.memoryUsage().heapUsed;
  if (held.length !== N) throw new Error(`expected ${N} held spans, got ${held.length}`);
  return { bytesPerSpan: (after - before) / N };
}

let result;
if (caseName === "memory") result = await memory(contender);
else {
  const c = cases[caseName];
  if (!c || !c.contenders[contender]) throw new Error(`unknown case/contender ${caseName}/${contender}`);
  const setup = await c.contenders[contender]();
  result = setup.op ? timeSync(setup.op) : await timeAsync(setup.asyncOp);
}
process.stdout.write(JSON.stringify(result) + "\n");
