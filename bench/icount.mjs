// Instruction-count helper for A/B work on one case (timings on a shared machine are noisy):
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/icount.mjs <case> <contender> <n>
// runs set-up, $WARM (default 20,000) warm-up ops, then <n> ops; compare the totals of two <n> to get the
// instructions per op (the difference cancels start-up and warm-up). Not part of `npm run bench`.
import { cases } from "./cases.mjs";

const [caseName, contender, nArg] = process.argv.slice(2);
const setup = await cases[caseName].contenders[contender]();
const n = Number(nArg);
let i = 0;
if (setup.op) {
  for (const warm = Number(process.env.WARM ?? 20000); i < warm; i++) setup.op(i);
  for (const end = i + n; i < end; i++) setup.op(i);
} else {
  for (; i < 20; i++) await setup.asyncOp();
  for (const end = i + n; i < end; i++) await setup.asyncOp();
}
